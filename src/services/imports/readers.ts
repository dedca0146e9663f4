/**
 * Reads registry files as regulators have them: CSV in UTF-8 (with or without BOM) or
 * GB18030/GBK (detected, never asked), and XLSX (dates as date cells, codes as numbers,
 * a title row above the headers). Streams rows so a million-row file stays in bounded memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import iconv from 'iconv-lite';
import { parse as parseCsv } from 'csv-parse';
import { unguardCell } from '../csv.ts';
import ExcelJS from 'exceljs';
import type { Cell } from '../../domain/records.ts';
import { COLUMNS, headerMap, normalizeHeader, IMPORT_KIND_LABELS, type ImportKind } from '../../domain/columns.ts';
import { ValidationError } from '../../domain/errors.ts';

export type FileFormat = 'csv' | 'xlsx';
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030' | 'utf-16le';

export interface SheetRow {
  /** Spreadsheet row number (the first line of the file is row 1). */
  rowNo: number;
  cells: Cell[];
}

export interface ReadProgress {
  bytesRead: number;
  totalBytes: number;
}

export function formatOf(file: string): FileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.xls') {
    throw new ValidationError(`不支持旧版 Excel 97-2003 格式（.xls）：${path.basename(file)}；请在 Excel 中另存为 .xlsx 或 CSV 后再导入`, [], 'UNSUPPORTED_FORMAT');
  }
  throw new ValidationError(`无法识别的文件类型“${ext || '（无扩展名）'}”：${path.basename(file)}；支持 .csv 和 .xlsx`, [], 'UNSUPPORTED_FORMAT');
}

/**
 * Detects the text encoding from the first bytes: a BOM decides; otherwise bytes that are
 * valid UTF-8 are UTF-8, and anything else is GB18030 (a superset of GBK and GB2312, which
 * is what Excel writes for "CSV" on a Chinese Windows system).
 */
export function detectEncoding(head: Buffer): TextEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  // Cut a multi-byte sequence that the sample may have split at its end.
  let end = head.length;
  for (let i = Math.max(0, end - 3); i < end; i++) {
    const b = head[i];
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > 1 && i + need > end) {
      end = i;
      break;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

async function readHead(file: string, bytes = 256 * 1024): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function byteCounter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
}

/**
 * The longest CSV record read, in characters. A registry row is a few hundred characters; a
 * record far beyond this is not data, and a single string of hundreds of megabytes makes V8
 * abort the whole process (not only the import's heap-capped thread), so the reader refuses it
 * before it is built.
 */
export const MAX_CSV_RECORD_CHARS = 1_000_000;

async function* readCsv(file: string, onProgress?: (p: ReadProgress) => void): AsyncGenerator<SheetRow> {
  const totalBytes = (await fs.promises.stat(file)).size;
  const encoding = detectEncoding(await readHead(file));
  let bytesRead = 0;
  const source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const decoder = iconv.decodeStream(encoding === 'utf-8-bom' ? 'utf-8' : encoding, { stripBOM: true });
  const parser = parseCsv({ relax_column_count: true, relax_quotes: true, skip_empty_lines: false, trim: false, max_record_size: MAX_CSV_RECORD_CHARS });
  source
    .pipe(byteCounter((n) => { bytesRead += n; }))
    .pipe(decoder)
    .pipe(parser);
  source.on('error', (e) => parser.destroy(e));
  decoder.on('error', (e) => parser.destroy(e));
  let rowNo = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNo++;
      if (onProgress && (rowNo & 0x3fff) === 0) onProgress({ bytesRead, totalBytes });
      // A cell the project's own CSV writer guarded against formula injection reads back as written.
      yield { rowNo, cells: record.map(unguardCell) };
    }
  } catch (e) {
    if ((e as { code?: string }).code !== 'CSV_MAX_RECORD_SIZE') throw e;
    // The parser's own count: records it had parsed may not have reached this loop yet.
    const row = (e as { records?: number }).records !== undefined ? (e as { records: number }).records + 1 : rowNo + 1;
    const message = `第 ${row} 行超过 ${MAX_CSV_RECORD_CHARS.toLocaleString('en-US')} 个字符，不是名录数据（可能是引号未闭合，把后面的内容都并入了一个单元格）；请检查该行后重新导入`;
    throw new ValidationError(message, [{ path: `row ${row}`, code: 'ROW_TOO_LARGE', message }], 'ROW_TOO_LARGE');
  }
  onProgress?.({ bytesRead: totalBytes, totalBytes });
}

/** The plain value of an exceljs cell (rich text, formulas, hyperlinks flattened). */
function xlsxValue(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((t) => t.text).join('');
  if ('result' in o) return xlsxValue(o.result);
  if ('text' in o) return xlsxValue(o.text);
  if ('error' in o) return String(o.error);
  return String(v);
}

async function* readXlsx(file: string, onProgress?: (p: ReadProgress) => void): AsyncGenerator<SheetRow> {
  const totalBytes = (await fs.promises.stat(file)).size;
  let bytesRead = 0;
  const input = fs.createReadStream(file).pipe(byteCounter((n) => { bytesRead += n; }));
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    entries: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
  });
  let n = 0;
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      const values = (row.values as unknown[]) ?? [];
      const cells: Cell[] = [];
      for (let i = 1; i < values.length; i++) cells.push(xlsxValue(values[i]));
      if (onProgress && (++n & 0x3fff) === 0) onProgress({ bytesRead, totalBytes });
      yield { rowNo: row.number, cells };
    }
    break; // only the first worksheet is the registry
  }
  onProgress?.({ bytesRead: totalBytes, totalBytes });
}

export function readSheet(file: string, onProgress?: (p: ReadProgress) => void): AsyncGenerator<SheetRow> {
  return formatOf(file) === 'csv' ? readCsv(file, onProgress) : readXlsx(file, onProgress);
}

export interface HeaderLayout {
  /** Spreadsheet row of the header. */
  headerRow: number;
  /** The header cells as written. */
  headers: string[];
  /** field → column index. */
  fieldIndex: Map<string, number>;
  /** Columns whose header was not recognised (ignored). */
  ignored: string[];
}

const HEADER_SEARCH_ROWS = 10;

/**
 * Finds the header row among the first rows (a title row may stand above it): the first row
 * in which at least two cells, or every required column, are recognised headers.
 */
export function matchHeader(kind: ImportKind, rowNo: number, cells: Cell[]): HeaderLayout | null {
  const map = headerMap(kind);
  const fieldIndex = new Map<string, number>();
  const ignored: string[] = [];
  const headers = cells.map((c) => (c === null || c === undefined ? '' : String(c).trim()));
  headers.forEach((h, i) => {
    if (!h) return;
    const field = map.get(normalizeHeader(h));
    if (field && !fieldIndex.has(field)) fieldIndex.set(field, i);
    else if (!field) ignored.push(h);
  });
  const required = COLUMNS[kind].filter((c) => c.required).map((c) => c.field);
  if (fieldIndex.size >= 2 || (required.length > 0 && required.every((f) => fieldIndex.has(f)))) {
    return { headerRow: rowNo, headers, fieldIndex, ignored };
  }
  return null;
}

/** Reads rows as {field: cell} after locating the header; throws a clear error when it cannot. */
export async function* readRecords(
  kind: ImportKind,
  file: string,
  onHeader: (h: HeaderLayout) => void,
  onProgress?: (p: ReadProgress) => void,
): AsyncGenerator<{ rowNo: number; cells: Record<string, Cell>; raw: Cell[] }> {
  let layout: HeaderLayout | null = null;
  for await (const row of readSheet(file, onProgress)) {
    if (!layout) {
      layout = matchHeader(kind, row.rowNo, row.cells);
      if (layout) {
        const missing = COLUMNS[kind].filter((c) => c.required && !layout!.fieldIndex.has(c.field));
        if (missing.length) {
          throw new ValidationError(
            `第 ${layout.headerRow} 行表头缺少必需的列：${missing.map((c) => `${c.headers[0]}（${c.field}）`).join('、')}；请补上这些列后重新导入`,
            missing.map((c) => ({ path: `row ${layout!.headerRow}`, code: 'MISSING_COLUMN', message: `缺少列 ${c.headers[0]}` })),
            'MISSING_COLUMN',
          );
        }
        onHeader(layout);
      } else if (row.rowNo >= HEADER_SEARCH_ROWS) {
        break;
      }
      continue;
    }
    if (row.cells.every((c) => c === null || c === undefined || (typeof c === 'string' && c.trim() === ''))) continue;
    const cells: Record<string, Cell> = {};
    for (const [field, i] of layout.fieldIndex) cells[field] = row.cells[i];
    yield { rowNo: row.rowNo, cells, raw: row.cells };
  }
  if (!layout) {
    const expected = COLUMNS[kind].filter((c) => c.required).map((c) => c.headers[0]).join('、');
    throw new ValidationError(
      `在文件前 ${HEADER_SEARCH_ROWS} 行中找不到${IMPORT_KIND_LABELS[kind]}的表头；请确认导入类型正确，且表头至少包含：${expected}`,
      [],
      'HEADER_NOT_FOUND',
    );
  }
}
