/**
 * The one CSV writer for every CSV file the project writes for people (registry exports, import
 * reports and rejects files, open data): UTF-8 for Excel on a Chinese system, and every text cell
 * guarded against formula injection. A cell that begins with = + - @, a tab or a carriage return
 * is what Excel, WPS and LibreOffice run as a formula (=HYPERLINK(…), -2+3+cmd|…, @SUM(…)); it
 * gets a leading apostrophe, so the spreadsheet shows it as text (OWASP "CSV Injection").
 * Numbers are written as numbers. The canonical files of a draw are not spreadsheets and are
 * written byte-exactly by the draw itself, never through this writer.
 *
 * Importing a file the project wrote takes the apostrophe off again (unguardCell), so that an
 * exported registry re-imports unchanged.
 */
import { stringify, type Options, type Stringifier } from 'csv-stringify';

const FORMULA_START = /^[=+\-@\t\r]/;

export function guardCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The inverse of guardCell, for cells read back from a CSV file. */
export function unguardCell(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}

export interface CsvWriterOptions {
  /** Start with a UTF-8 byte-order mark (Excel needs it to read Chinese). Default true. */
  bom?: boolean;
  /** Record delimiter; default '\r\n' as spreadsheets write it. */
  recordDelimiter?: Options['record_delimiter'];
}

/** A csv-stringify stream whose string cells are guarded. */
export function csvWriter(o: CsvWriterOptions = {}): Stringifier {
  return stringify({
    bom: o.bom ?? true,
    record_delimiter: o.recordDelimiter ?? '\r\n',
    cast: { string: (value) => guardCell(value) },
  });
}
