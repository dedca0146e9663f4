/**
 * Exports of the two registries as regulators use them: the Chinese headers and words of the
 * import columns (src/domain/columns.ts), so that an exported file re-imports unchanged.
 *
 * - CSV: UTF-8 with a byte-order mark, which Excel needs to read Chinese correctly. Excel still
 *   turns a long all-digit USCC in a CSV into a number when the file is opened by double-click;
 *   regulators who edit in Excel should take the XLSX.
 * - XLSX: USCC, certificate numbers and the other codes are text cells (never numbers, which would
 *   lose digits), dates are real date cells shown as yyyy-mm-dd.
 *
 * Rows are read in keyset pages, and both writers wait for the output to take what was written,
 * so memory stays bounded however large the registry is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { csvWriter } from './csv.ts';
import type { Db } from '../db/connection.ts';
import type { Executor } from '../db/connection.ts';
import type { ObjectRow } from '../db/repositories/objects.ts';
import type { InspectorRow } from '../db/repositories/inspectors.ts';
import { inspectorPages, objectPages } from '../db/repositories/exportQueries.ts';
import { COLUMNS, IMPORT_KIND_LABELS } from '../domain/columns.ts';
import { ValidationError } from '../domain/errors.ts';
import {
  ENTITY_TYPE_LABELS, INSPECTOR_KIND_LABELS, INSPECTOR_STATUS_LABELS, REGISTRATION_STATUS_LABELS,
} from '../domain/registry.ts';

export const EXPORT_KINDS = ['objects', 'inspectors'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** HTTP content types of the two formats, for the HTTP layer. */
export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

// ---------------------------------------------------------------------------- columns

type CellType = 'text' | 'date' | 'number';
/** A cell as read from the database: dates stay 'YYYY-MM-DD' text until a writer formats them. */
type CellValue = string | number | null;

interface FieldOut<R> {
  type: CellType;
  width: number;
  value: (row: R) => CellValue;
}

interface OutColumn {
  header: string;
  type: CellType;
  width: number;
}

interface ExportPlan {
  sheetName: string;
  columns: OutColumn[];
  /** The rows as cell arrays, page by page in key order. */
  pages: (db: Executor) => AsyncGenerator<CellValue[][]>;
}

/** The Chinese word of a stored code; an unknown code is written as it is rather than dropped. */
function word(labels: Record<string, string>, code: string): string {
  return labels[code] ?? code;
}

/** A JSON list column as one cell: items joined with 、, which the importer splits on. */
function joined(items: readonly string[]): string {
  return items.join("、");
}

const text = <R>(width: number, value: (row: R) => CellValue): FieldOut<R> => ({ type: 'text', width, value });
const date = <R>(value: (row: R) => CellValue): FieldOut<R> => ({ type: 'date', width: 12, value });

const OBJECT_FIELDS: Record<string, FieldOut<ObjectRow>> = {
  uscc: text(22, (r) => r.uscc),
  name: text(40, (r) => r.name),
  entity_type: text(14, (r) => word(ENTITY_TYPE_LABELS, r.entity_type)),
  industry_code: text(10, (r) => r.industry_code),
  street: text(10, (r) => r.street),
  address: text(36, (r) => r.address),
  registered_on: date((r) => r.registered_on),
  legal_representative: text(12, (r) => r.legal_representative),
  registration_status: text(10, (r) => word(REGISTRATION_STATUS_LABELS, r.registration_status)),
  // A–D; blank is "unrated", which the importer reads back as no grade.
  credit_grade: text(12, (r) => r.credit_grade),
  graded_on: date((r) => (r.credit_grade === null ? null : r.graded_on)),
  sector_grade: text(12, (r) => r.sector_grade),
  tags: text(30, (r) => joined(r.tags)),
};

const INSPECTOR_FIELDS: Record<string, FieldOut<InspectorRow>> = {
  certificate_no: text(18, (r) => r.certificate_no),
  name: text(12, (r) => r.name),
  department: text(10, (r) => r.department_code),
  valid_from: date((r) => r.valid_from),
  valid_to: date((r) => r.valid_to),
  qualifications: text(36, (r) => joined(r.qualifications)),
  kind: text(10, (r) => word(INSPECTOR_KIND_LABELS, r.kind)),
  status: text(8, (r) => word(INSPECTOR_STATUS_LABELS, r.status)),
  yearly_capacity: { type: 'number', width: 12, value: (r) => r.yearly_capacity },
};

/** Columns in the import order, each under the first of its Chinese headers. */
function planFor<R>(
  kind: ExportKind,
  fields: Record<string, FieldOut<R>>,
  pagesOf: (db: Executor) => AsyncGenerator<R[]>,
): ExportPlan {
  const specs = COLUMNS[kind].map((c) => {
    const f = fields[c.field];
    // A column added to the import without an export mapping must not silently vanish from exports.
    if (!f) throw new Error(`export mapping missing for ${kind}.${c.field}`);
    return { header: c.headers[0], ...f };
  });
  return {
    sheetName: IMPORT_KIND_LABELS[kind],
    columns: specs.map(({ header, type, width }) => ({ header, type, width })),
    async *pages(db) {
      for await (const page of pagesOf(db)) yield page.map((row) => specs.map((s) => s.value(row)));
    },
  };
}

const PLANS: Record<ExportKind, ExportPlan> = {
  objects: planFor('objects', OBJECT_FIELDS, (db) => objectPages(db)),
  inspectors: planFor('inspectors', INSPECTOR_FIELDS, (db) => inspectorPages(db)),
};

// ---------------------------------------------------------------------------- entry points

function checkKind(kind: string): asserts kind is ExportKind {
  if (!(EXPORT_KINDS as readonly string[]).includes(kind)) {
    throw new ValidationError(
      `无法导出“${kind}”：只能导出检查对象名录（objects）或执法检查人员名录（inspectors）`,
      [{ path: 'kind', code: 'EXPORT_KIND', message: '可导出的名录：objects、inspectors' }],
      'EXPORT_KIND',
    );
  }
}

/** The format a file name asks for: .csv or .xlsx (any case). */
export function exportFormatOf(file: string): ExportFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new ValidationError(
    `无法按扩展名“${ext || '（无）'}”导出“${path.basename(file)}”：文件名须以 .csv 或 .xlsx 结尾`,
    [{ path: 'file', code: 'EXPORT_FORMAT', message: '允许的扩展名：.csv、.xlsx' }],
    'EXPORT_FORMAT',
  );
}

/**
 * Writes a registry to a file, CSV or XLSX by its extension. The file appears only once complete:
 * a failed export leaves no partial file and an earlier file of that name untouched.
 */
export async function exportRegistry(db: Db, kind: ExportKind, file: string): Promise<{ rows: number }> {
  checkKind(kind);
  const format = exportFormatOf(file);
  const partial = `${file}.${process.pid}.partial`;
  try {
    const result = await exportRegistryToStream(db, kind, format, fs.createWriteStream(partial));
    await fs.promises.rename(partial, file);
    return result;
  } catch (err) {
    await fs.promises.rm(partial, { force: true });
    throw err;
  }
}

/**
 * Writes a registry to a stream (an HTTP response, a file) and ends it. On a failure the stream is
 * destroyed rather than ended, so that a client sees an aborted download, not a short file.
 */
export async function exportRegistryToStream(
  db: Db,
  kind: ExportKind,
  format: ExportFormat,
  out: NodeJS.WritableStream,
): Promise<{ rows: number }> {
  checkKind(kind);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new ValidationError(`不支持的导出格式“${format}”；可选 csv 或 xlsx`, [], 'EXPORT_FORMAT');
  }
  const plan = PLANS[kind];
  return format === 'csv' ? writeCsv(db, plan, out) : writeXlsx(db, plan, out);
}

// ---------------------------------------------------------------------------- CSV

async function writeCsv(db: Db, plan: ExportPlan, out: NodeJS.WritableStream): Promise<{ rows: number }> {
  let rows = 0;
  async function* records() {
    yield plan.columns.map((c) => c.header);
    for await (const page of plan.pages(db)) {
      for (const cells of page) {
        rows++;
        yield cells.map((v) => (v === null ? '' : String(v)));
      }
    }
  }
  // Readable.from pulls the next record only when the stringifier (and so `out`) wants more.
  await pipeline(Readable.from(records()), csvWriter(), out);
  return { rows };
}

// ---------------------------------------------------------------------------- XLSX

/** A stored calendar date as the spreadsheet date cell of that day (Excel dates have no zone). */
function dateCell(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

const TEXT_FORMAT = '@';
const DATE_FORMAT = 'yyyy-mm-dd';
/** Rows written between two looks at the worksheet's backlog. */
const PACE_EVERY_ROWS = 500;
/** Uncompressed worksheet bytes allowed to wait for the zip before writing more. */
const PACE_LIMIT_BYTES = 4 * 1024 * 1024;

async function writeXlsx(db: Db, plan: ExportPlan, out: NodeJS.WritableStream): Promise<{ rows: number }> {
  const zipped = new PassThrough();
  let failure: unknown = null;
  const delivered = pipeline(zipped, out);
  delivered.catch((err: unknown) => {
    failure = err;
  });

  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: zipped, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(plan.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = plan.columns.map((c, i) => ({
    key: `c${i}`,
    width: c.width,
    style: c.type === 'text' ? { numFmt: TEXT_FORMAT } : c.type === 'date' ? { numFmt: DATE_FORMAT } : {},
  }));
  const header = sheet.addRow(plan.columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();

  let rows = 0;
  try {
    for await (const page of plan.pages(db)) {
      for (const cells of page) {
        const values = cells.map((v, i) => (v !== null && plan.columns[i].type === 'date' ? dateCell(String(v)) : v));
        sheet.addRow(values).commit();
        rows++;
        if (rows % PACE_EVERY_ROWS === 0) await paceWorksheet(sheet, () => failure);
        if (failure) throw failure;
      }
    }
    sheet.commit();
    await workbook.commit();
  } catch (err) {
    zipped.destroy(err as Error);
    await delivered.catch(() => undefined);
    throw failure ?? err;
  }
  await delivered;
  return { rows };
}

/** The stream state both Node's streams and the readable-stream 2 copy inside archiver keep. */
interface StreamInternals {
  destroyed?: boolean;
  _readableState?: { length: number; flowing: boolean | null };
  _writableState?: { length: number };
  on(event: 'data', fn: () => void): unknown;
  removeListener(event: 'data', fn: () => void): unknown;
}

/**
 * exceljs 4 pushes a worksheet's XML into the zip's input buffer (a readable-stream 2 PassThrough
 * inside archiver) without heeding backpressure, so a fast reader (SQLite answers synchronously)
 * would pile the whole sheet up in memory before the compressor and the output caught up. Wait
 * while that buffer is large; the zip drains it at the pace `out` accepts. These are internals of
 * the pinned exceljs 4.4 / archiver 5; if they change, fall back to yielding to the event loop.
 */
async function paceWorksheet(sheet: ExcelJS.Worksheet, failed: () => unknown): Promise<void> {
  const pipes = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  const buffer = pipes?.[0] as StreamInternals | undefined;
  const readable = buffer?._readableState;
  if (!buffer || !readable || typeof readable.length !== 'number') {
    await new Promise((resolve) => setImmediate(resolve));
    return;
  }
  const backlog = () => readable.length + (buffer._writableState?.length ?? 0);
  while (!failed() && !buffer.destroyed && backlog() > PACE_LIMIT_BYTES) {
    await new Promise<void>((resolve) => {
      // Listen for 'data' (the zip taking a chunk) only once the zip has piped the buffer: a 'data'
      // listener on a stream nobody reads yet would start it flowing into the void.
      const listen = readable.flowing !== null;
      const done = () => {
        clearTimeout(timer);
        if (listen) buffer.removeListener('data', done);
        resolve();
      };
      const timer = setTimeout(done, listen ? 100 : 5);
      if (listen) buffer.on('data', done);
    });
  }
}
