/**
 * Imports one registry file. Strict by default: if any row is invalid nothing is written and
 * every problem is reported with its spreadsheet row, column and reason. With skipInvalid the
 * valid rows are written and the others go to a rejects file beside the input.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DbHandle } from '../../db/connection.ts';
import type { Executor } from '../../db/connection.ts';
import * as stageRepo from '../../db/repositories/objectImport.ts';
import { AppError } from '../../domain/errors.ts';
import { COLUMNS, IMPORT_KIND_LABELS, type ImportKind } from '../../domain/columns.ts';
import {
  ROW_PARSERS, recordKey, entityTypeFromUscc, type Cell, type ObjectPatch, type RecordOf,
} from '../../domain/records.ts';
import { nowIso, shanghaiDate } from '../../domain/time.ts';
import * as registry from '../registry.ts';
import { recordImportAudit } from '../audit.ts';
import { failpoint } from '../failpoints.ts';
import { readRecords, formatOf, type HeaderLayout } from './readers.ts';
import type { Actor } from '../../domain/actor.ts';
import { ProblemSink, RejectSink, type RowProblem } from './sinks.ts';

export interface ImportProgress {
  phase: 'reading' | 'checking' | 'writing' | 'done';
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
}

export interface ImportOptions {
  kind: ImportKind;
  file: string;
  skipInvalid?: boolean;
  /**
   * Who imports (its name is kept in the registry history and the audit trail; default the
   * operator, 'cli'). When it is a signed-in account — the user who uploaded the file — every
   * row passes that account's role and scope, as the single-record routes do.
   */
  actor?: Actor;
  /** The import job's id, when it runs as a job (the audit entry names it). */
  jobId?: string;
  /** The name the user gave the file (for HTTP uploads stored under another name). */
  originalName?: string;
  /** Folder for the report and rejects files; default: beside the input. */
  outputDir?: string;
  now?: Date;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportReport {
  kind: ImportKind;
  file: string;
  fileSha256: string;
  mode: 'strict' | 'skip-invalid';
  /** True when rows were written (strict: no problem at all; skip-invalid: always). */
  written: boolean;
  headerRow: number;
  ignoredColumns: string[];
  rowsRead: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejectedRows: number;
  problemCount: number;
  problemCounts: Record<string, number>;
  /** The first 100 problems; all of them are in reportFile. */
  problems: RowProblem[];
  reportFile?: string;
  rejectsFile?: string;
}

async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function outputPaths(opts: ImportOptions) {
  const dir = opts.outputDir ?? path.dirname(opts.file);
  const base = path.basename(opts.originalName ?? opts.file).replace(/\.[^.]+$/, '');
  return { report: path.join(dir, `${base}.report.csv`), rejects: path.join(dir, `${base}.rejects.csv`) };
}

interface RowContext {
  problems: ProblemSink;
  rejects: RejectSink;
  layout: HeaderLayout | null;
  skipInvalid: boolean;
}

function columnLabel(ctx: RowContext, field: string): string {
  const i = ctx.layout?.fieldIndex.get(field);
  return i === undefined ? field : ctx.layout!.headers[i];
}

/** Records a row's problems and, with skipInvalid, the row itself as rejected. */
function reject(ctx: RowContext, rowNo: number, raw: Cell[] | null, problems: { field: string; code: string; message: string }[]) {
  for (const p of problems) ctx.problems.add({ row: rowNo, column: p.field ? columnLabel(ctx, p.field) : '', code: p.code, message: p.message });
  if (ctx.skipInvalid && raw) ctx.rejects.add(rowNo, raw, problems.map((p) => p.message));
}

export async function importFile(handle: DbHandle, opts: ImportOptions): Promise<ImportReport> {
  formatOf(opts.file); // fail fast on an unsupported extension
  if (!fs.existsSync(opts.file)) {
    throw new AppError(400, 'FILE_NOT_FOUND', `找不到文件：${opts.file}`);
  }
  const at = opts.now ?? new Date();
  const fileSha256 = await sha256File(opts.file);
  const paths = outputPaths(opts);
  for (const f of [paths.report, paths.rejects]) fs.rmSync(f, { force: true });
  const ctx: RowContext = {
    problems: new ProblemSink(paths.report),
    rejects: new RejectSink(paths.rejects),
    layout: null,
    skipInvalid: opts.skipInvalid ?? false,
  };
  const importer: Actor = opts.actor ?? { name: 'cli' };
  // Each row is written as the importer acting on this file (its role and scope, the file's name).
  const rowActor: Actor = { ...importer, name: `import:${importer.name}:${fileSha256.slice(0, 16)}`, bulk: true };
  const progress: ImportProgress = { phase: 'reading', rowsRead: 0, bytesRead: 0, totalBytes: 0 };
  const report = (p: Partial<ImportProgress>) => {
    Object.assign(progress, p);
    opts.onProgress?.({ ...progress });
  };
  const rows = readRecords(
    opts.kind,
    opts.file,
    (h) => {
      ctx.layout = h;
      ctx.rejects.setHeader(h.headers);
    },
    (p) => report({ bytesRead: p.bytesRead, totalBytes: p.totalBytes }),
  );
  let counts = { inserted: 0, updated: 0, unchanged: 0 };
  let written = false;
  // One audit entry for the whole import, written in the transaction that writes the rows (their
  // row-level changes are in the registry history): both commit, or neither.
  const recordAudit = async (trx: Executor, c: Counts) => {
    await recordImportAudit(trx, {
      actor: importer.name,
      kind: opts.kind,
      jobId: opts.jobId ?? `cli-${fileSha256.slice(0, 16)}-${at.getTime()}`,
      fileName: path.basename(opts.originalName ?? opts.file),
      fileSha256,
      counts: { rowsRead: progress.rowsRead, ...c, rejected: ctx.rejects.count },
    }, at);
    failpoint('import:before-commit');
  };
  try {
    const run = opts.kind === 'objects' ? importObjects : importSmall;
    const r = await run(handle, opts.kind, rows, ctx, { at, actor: rowActor, skipInvalid: ctx.skipInvalid, recordAudit }, report);
    counts = r.counts;
    written = r.written;
    if (written) failpoint('import:after-commit');
  } finally {
    await ctx.problems.close();
    await ctx.rejects.close();
  }
  report({ phase: 'done' });
  return {
    kind: opts.kind,
    file: opts.originalName ?? opts.file,
    fileSha256,
    mode: ctx.skipInvalid ? 'skip-invalid' : 'strict',
    written,
    headerRow: ctx.layout?.headerRow ?? 0,
    ignoredColumns: ctx.layout?.ignored ?? [],
    rowsRead: progress.rowsRead,
    ...counts,
    rejectedRows: ctx.skipInvalid ? ctx.rejects.count : 0,
    problemCount: ctx.problems.total,
    problemCounts: ctx.problems.counts,
    problems: [...ctx.problems.first].sort((a, b) => a.row - b.row),
    reportFile: ctx.problems.reportFile,
    rejectsFile: ctx.rejects.rejectsFile,
  };
}

type Rows = AsyncGenerator<{ rowNo: number; cells: Record<string, Cell>; raw: Cell[] }>;
interface RunOpts {
  at: Date;
  /** Who writes the rows (bulk: the import records one audit entry for itself). */
  actor: Actor;
  skipInvalid: boolean;
  /** Writes the import's audit entry inside the transaction that writes its rows. */
  recordAudit: (trx: Executor, counts: Counts) => Promise<void>;
}
type Counts = { inserted: number; updated: number; unchanged: number };

function duplicateMessage(kind: ImportKind, key: string, rowNos: number[]): string {
  const what = kind === 'objects' ? `统一社会信用代码 ${key}` : `${IMPORT_KIND_LABELS[kind]}的记录 ${key.replaceAll('|', ' / ')}`;
  return `${what} 在文件中出现了 ${rowNos.length} 次（第 ${rowNos.join('、')} 行）；同一记录只能出现一次，请合并或删除重复行`;
}

function keyColumn(kind: ImportKind): string {
  return COLUMNS[kind][0].field;
}

/** Objects: staged in the database as they stream in, checked and merged with SQL. */
async function importObjects(
  handle: DbHandle,
  kind: ImportKind,
  rows: Rows,
  ctx: RowContext,
  run: RunOpts,
  report: (p: Partial<ImportProgress>) => void,
): Promise<{ counts: Counts; written: boolean }> {
  return handle.db.connection().execute(async (db) => {
    await stageRepo.createStage(db);
    try {
      let batch: stageRepo.StagedObject[] = [];
      let rowsRead = 0;
      for await (const rec of rows) {
        rowsRead++;
        if ((rowsRead & 0x3fff) === 0) report({ rowsRead });
        const res = ROW_PARSERS.objects(rec.cells);
        if (!res.ok) {
          reject(ctx, rec.rowNo, rec.raw, res.problems);
          continue;
        }
        batch.push(toStaged(res.value, rec.rowNo, run.skipInvalid ? rec.raw : null));
        if (batch.length >= stageRepo.STAGE_BATCH) {
          await stageRepo.stageRows(db, batch);
          batch = [];
        }
      }
      await stageRepo.stageRows(db, batch);
      report({ rowsRead, phase: 'checking' });
      await stageRepo.indexStage(db);

      const fileLevel: { row_no: number; problem: { field: string; code: string; message: string } }[] = [];
      const dups = await stageRepo.findDuplicateRows(db);
      const byUscc = new Map<string, number[]>();
      for (const d of dups) byUscc.set(d.uscc, [...(byUscc.get(d.uscc) ?? []), d.row_no]);
      for (const [uscc, rowNos] of byUscc) {
        for (const rowNo of rowNos) {
          fileLevel.push({ row_no: rowNo, problem: { field: 'uscc', code: 'DUPLICATE_KEY', message: duplicateMessage(kind, uscc, rowNos) } });
        }
      }
      const dupRows = new Set(dups.map((d) => d.row_no));
      for (const n of await stageRepo.findNewWithoutName(db)) {
        if (dupRows.has(n.row_no)) continue;
        fileLevel.push({ row_no: n.row_no, problem: { field: 'name', code: 'REQUIRED', message: `名录中还没有 ${n.uscc}，新增检查对象必须填写名称` } });
      }
      fileLevel.sort((a, b) => a.row_no - b.row_no);
      const badRows = [...new Set(fileLevel.map((f) => f.row_no))];
      const raws = run.skipInvalid ? new Map((await stageRepo.rawOfRows(db, badRows)).map((r) => [r.row_no, r.raw])) : new Map();
      for (const rowNo of badRows) {
        const problems = fileLevel.filter((f) => f.row_no === rowNo).map((f) => f.problem);
        const raw = raws.get(rowNo);
        reject(ctx, rowNo, raw ? (raw as Cell[]) : null, problems);
      }
      if (ctx.problems.total > 0 && !run.skipInvalid) return { counts: { inserted: 0, updated: 0, unchanged: 0 }, written: false };
      await stageRepo.deleteStagedRows(db, badRows);
      report({ phase: 'writing' });
      const counts = await db.transaction().execute(async (trx) => {
        const merged = await stageRepo.mergeStage(trx, handle.dialect, { now: nowIso(run.at), today: shanghaiDate(run.at), source: run.actor.name });
        await run.recordAudit(trx, merged);
        return merged;
      });
      return { counts, written: true };
    } finally {
      await stageRepo.dropStage(db);
    }
  });
}

function toStaged(p: ObjectPatch, rowNo: number, raw: Cell[] | null): stageRepo.StagedObject {
  return {
    row_no: rowNo,
    uscc: p.uscc,
    name: p.name ?? null,
    entity_type: p.entityType ?? null,
    entity_type_default: entityTypeFromUscc(p.uscc),
    industry_code: p.industryCode ?? null,
    street: p.street ?? null,
    address: p.address ?? null,
    registered_on: p.registeredOn ?? null,
    legal_representative: p.legalRepresentative ?? null,
    registration_status: p.registrationStatus ?? null,
    credit_grade: p.creditGrade ?? null,
    graded_on: p.gradedOn ?? null,
    sector_grade: p.sectorGrade ?? null,
    tags: p.tags ? JSON.stringify(p.tags) : null,
    raw: raw ? JSON.stringify(raw.map((c) => (c instanceof Date ? c.toISOString().slice(0, 10) : c))) : null,
  };
}

/** Apply one parsed record through the registry service (the same rules as the API). */
const APPLY: { [K in Exclude<ImportKind, 'objects'>]: (db: Executor, rec: RecordOf<K>, ctx: Actor) => Promise<registry.UpsertOutcome> } = {
  inspectors: registry.upsertInspector,
  departments: registry.upsertDepartment,
  matters: registry.upsertMatter,
  conflicts: registry.declareConflict,
  inspections: registry.recordPastInspection,
  violations: registry.recordPastViolation,
};

class Rollback extends Error {}

/** The smaller lists (inspectors, departments, matters, conflicts, history): row by row in one transaction. */
async function importSmall(
  handle: DbHandle,
  kind: ImportKind,
  rows: Rows,
  ctx: RowContext,
  run: RunOpts,
  report: (p: Partial<ImportProgress>) => void,
): Promise<{ counts: Counts; written: boolean }> {
  const valid: { rowNo: number; raw: Cell[]; rec: object }[] = [];
  const firstRowOfKey = new Map<string, number[]>();
  let rowsRead = 0;
  for await (const r of rows) {
    rowsRead++;
    if ((rowsRead & 0x3ff) === 0) report({ rowsRead });
    const res = (ROW_PARSERS[kind] as (c: Record<string, Cell>) => ReturnType<(typeof ROW_PARSERS)['inspectors']>)(r.cells);
    if (!res.ok) {
      reject(ctx, r.rowNo, r.raw, res.problems);
      continue;
    }
    const key = recordKey(kind, res.value);
    firstRowOfKey.set(key, [...(firstRowOfKey.get(key) ?? []), r.rowNo]);
    valid.push({ rowNo: r.rowNo, raw: r.raw, rec: res.value });
  }
  report({ rowsRead, phase: 'checking' });
  const duplicated = new Set<number>();
  for (const [key, rowNos] of firstRowOfKey) {
    if (rowNos.length < 2) continue;
    for (const rowNo of rowNos) duplicated.add(rowNo);
    for (const v of valid.filter((x) => rowNos.includes(x.rowNo))) {
      reject(ctx, v.rowNo, v.raw, [{ field: keyColumn(kind), code: 'DUPLICATE_KEY', message: duplicateMessage(kind, key, rowNos) }]);
    }
  }
  if (ctx.problems.total > 0 && !run.skipInvalid) return { counts: { inserted: 0, updated: 0, unchanged: 0 }, written: false };
  report({ phase: 'writing' });
  const counts: Counts = { inserted: 0, updated: 0, unchanged: 0 };
  const apply = APPLY[kind as Exclude<ImportKind, 'objects'>] as (db: Executor, rec: object, c: Actor) => Promise<registry.UpsertOutcome>;
  try {
    await handle.db.transaction().execute(async (trx) => {
      for (const v of valid) {
        if (duplicated.has(v.rowNo)) continue;
        try {
          const outcome = await apply(trx, v.rec, { ...run.actor, now: run.at });
          counts[outcome === 'created' ? 'inserted' : outcome]++;
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          const field = e.problems[0]?.path ?? '';
          reject(ctx, v.rowNo, v.raw, [{ field, code: e.code, message: e.message }]);
        }
      }
      if (ctx.problems.total > 0 && !run.skipInvalid) throw new Rollback();
      await run.recordAudit(trx, counts);
    });
  } catch (e) {
    if (e instanceof Rollback) return { counts: { inserted: 0, updated: 0, unchanged: 0 }, written: false };
    throw e;
  }
  return { counts, written: true };
}
