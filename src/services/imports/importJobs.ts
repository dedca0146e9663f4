/**
 * Imports over HTTP run as jobs: the upload is stored under data/imports/, a worker thread
 * imports it with its own connection, and the job's progress and report are polled.
 *
 * A job belongs to the user who uploaded the file: only that user and administrators see it and
 * its files. Imports are a shared resource: at most `concurrency` run at once in an instance (the
 * others wait, queued, in upload order), each worker's heap is capped so that one huge file fails
 * alone instead of taking the server's memory, and report and rejects files are deleted
 * `filesTtlHours` after the job ends.
 *
 * The job runs in the capped lane of the worker pool (services/workers.ts): long-lived threads
 * whose heap is capped at IMPORT_MEMORY_MB, one job per thread at a time, so the cap is still the
 * job's cap, while the thread's start (loading the import code) is paid once, not per upload.
 *
 * This service owns the uploaded file once the job is asked for (it is deleted when the job
 * ends, or at once if the job cannot be started) and says why a job failed in words a user can
 * act on (`failure`): the route only maps the job to its JSON view.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { DbHandle, Executor } from '../../db/connection.ts';
import { importDir, importLimits, type ImportLimits } from '../../config.ts';
import * as jobsRepo from '../../db/repositories/importJobs.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { ImportKind } from '../../domain/columns.ts';
import { workerPoolFor, type WorkerPool } from '../workers.ts';
import { toFlag } from '../../db/json.ts';
import type { UserActor } from '../../domain/actor.ts';

/** Where uploads, reports and rejects files live: IMPORT_DIR, or data/imports beside the database. */
export const uploadsFolder = importDir();

export interface StartImportJob {
  kind: ImportKind;
  /** The uploaded file, already stored on disk (its name must keep the original extension). */
  file: string;
  originalName: string;
  skipInvalid: boolean;
  /** The uploader: the job's owner, and whose role and scope every row must pass. */
  user: UserActor;
}

/** Runs at most `limit` tasks at once, the rest in arrival order. */
class Queue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: () => number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit()) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

let limitsOverride: Partial<ImportLimits> = {};
/** Replaces the configured limits (tests). */
export function setImportLimits(l: Partial<ImportLimits>): void {
  limitsOverride = l;
}
const limits = (): ImportLimits => ({ ...importLimits(), ...limitsOverride });
const queue = new Queue(() => limits().concurrency);

/**
 * Starts the job and returns at once; `done` settles when it ends (for tests and logs). The
 * uploaded `job.file` is the service's from here on: deleted when the job ends, or before this
 * rejects if the job cannot be started. `workers`: the service's pool (the handle's own by default).
 */
export async function startImportJob(handle: DbHandle, job: StartImportJob, workers: WorkerPool = workerPoolFor(handle)): Promise<{ id: string; done: Promise<void> }> {
  const removeUpload = () => fs.promises.rm(job.file, { force: true }).catch(() => undefined);
  const id = crypto.randomUUID();
  try {
    await jobsRepo.insertImportJob(handle.db, {
      id,
      kind: job.kind,
      status: 'queued',
      file_name: job.originalName,
      skip_invalid: toFlag(job.skipInvalid),
      created_at: new Date().toISOString(),
      owner_id: job.user.userId,
    });
  } catch (e) {
    await removeUpload();
    throw e;
  }
  // Each job writes its report and rejects files into a folder of its own.
  const outputDir = path.join(uploadsFolder, id);
  fs.mkdirSync(outputDir, { recursive: true });
  const done = queue
    .run(() => {
      const { memoryMb, concurrency } = limits();
      return workers.runCapped({ heapMb: memoryMb, threads: concurrency }, 'importJob', {
        jobId: id,
        kind: job.kind,
        file: job.file,
        originalName: job.originalName,
        outputDir,
        skipInvalid: job.skipInvalid,
        user: job.user,
      });
    })
    .then(
      () => undefined,
      // The thread records the job's own failures; if it died before it could, record it here.
      (e: unknown) => {
        const oom = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        const message = oom
          ? `文件展开后超出单个导入的内存上限（${limits().memoryMb} MB），未写入任何数据；请把文件拆分成几个较小的文件分别导入 (IMPORT_TOO_LARGE)`
          : `导入进程意外终止，未写入任何数据 (IMPORT_WORKER_DIED)：${(e as Error).message}`;
        return jobsRepo.failUnfinishedImportJob(handle.db, id, message, new Date().toISOString()).then(() => undefined, () => undefined);
      },
    )
    // The upload is only the import's input: once the job is over, delete it (its reports stay).
    .finally(removeUpload);
  return { id, done };
}

// ---------------------------------------------------------------------------- the job as stored

/** The import's report as the job's row keeps it (report and rejects files are server paths). */
const StoredReport = z.object({
  mode: z.enum(['strict', 'skip-invalid']),
  written: z.boolean(),
  fileSha256: z.string(),
  headerRow: z.number().int(),
  ignoredColumns: z.array(z.string()),
  rowsRead: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejectedRows: z.number().int(),
  problemCount: z.number().int(),
  problemCounts: z.record(z.string(), z.number().int()),
  problems: z.array(z.object({ row: z.number().int(), column: z.string(), code: z.string(), message: z.string() })),
  reportFile: z.string().optional(),
  rejectsFile: z.string().optional(),
});
/** The error a job failed with, as its thread stored it. */
const StoredError = z.object({
  error: z.object({
    code: z.string().optional(),
    message: z.string().optional(),
    problems: z.array(z.object({ path: z.string().optional(), code: z.string().optional(), message: z.string().optional() })).optional().catch(undefined),
  }),
});

export type ImportJobReport = z.output<typeof StoredReport>;

/** Why a job failed, for its client: a stable code and a message the user can act on. */
export interface ImportJobFailure {
  code: string;
  message: string;
  problems: { path: string; code: string; message: string }[];
}

export interface ImportJob {
  id: string;
  kind: ImportKind;
  status: jobsRepo.ImportJobRow['status'];
  fileName: string;
  skipInvalid: boolean;
  rowsRead: number;
  inserted: number;
  updated: number;
  rejected: number;
  /** The import's phase, or the message a job that ended abnormally was closed with. */
  phase: string | null;
  createdAt: string;
  finishedAt: string | null;
  filesExpiredAt: string | null;
  /** The import's report once it ran through (null while running, or when the file could not be read). */
  report: ImportJobReport | null;
  /** Why it failed (null unless failed). */
  failure: ImportJobFailure | null;
}

const CJK = /[\u4e00-\u9fff]/;

/**
 * The message policy: a strict import that found problems says how many and what to do; a
 * message written for users (Chinese) is shown with its code; anything else (a driver's or the
 * file system's own message) is replaced by a general one, as the error handler does for a 500 —
 * the job's row keeps the original for the operator.
 */
function failureOf(status: string, report: ImportJobReport | null, stored: z.output<typeof StoredError>['error'] | undefined, phase: string | null): ImportJobFailure | null {
  if (status !== 'failed') return null;
  if (report && !report.written) {
    return {
      code: 'IMPORT_REJECTED',
      message: `文件中有 ${report.problemCount} 处问题，未写入任何数据；请按问题报告修正后重新上传，或加 ?skipInvalid=true 只导入有效行`,
      problems: [],
    };
  }
  const message = stored?.message ?? phase ?? '';
  if (!CJK.test(message)) {
    return { code: 'IMPORT_FAILED', message: '导入出错，未写入任何数据；请稍后重新上传，如果问题持续，请联系系统管理员并提供任务编号', problems: [] };
  }
  const code = stored?.code ?? /\(([A-Z][A-Z0-9_]+)\)\s*$/.exec(message)?.[1] ?? 'IMPORT_FAILED';
  const problems = (stored?.problems ?? []).map((p) => ({ path: p.path ?? '', code: p.code ?? code, message: p.message ?? '' }));
  return { code, message, problems };
}

/**
 * The job, if `user` may see it (its owner, or an administrator); 404 otherwise, as if it did
 * not exist. Without a user (the operator's CLI) every job is visible.
 */
export async function getImportJob(handle: DbHandle, id: string, user?: UserActor): Promise<ImportJob> {
  const row = await jobsRepo.findImportJob(handle.db, id);
  if (!row || (user && user.role !== 'admin' && row.owner_id !== user.userId)) throw new NotFoundError(`没有编号为 ${id} 的导入任务`, 'IMPORT_JOB_NOT_FOUND');
  const summary: unknown = row.summary;
  const report = StoredReport.safeParse(summary);
  const stored = StoredError.safeParse(summary);
  return {
    ...summaryOf(row),
    filesExpiredAt: row.files_expired_at,
    report: report.success ? report.data : null,
    failure: failureOf(row.status, report.success ? report.data : null, stored.success ? stored.data.error : undefined, row.message),
  };
}

/** A path inside the uploads folder for an uploaded file, keeping its extension. */
export function uploadPath(originalName: string): string {
  fs.mkdirSync(uploadsFolder, { recursive: true });
  const ext = path.extname(originalName).toLowerCase().replace(/[^.a-z0-9]/g, '');
  return path.join(uploadsFolder, `${Date.now()}-${crypto.randomBytes(6).toString('hex')}${ext}`);
}

/** Called at start-up: a job that was running when the process stopped wrote nothing (the merge is one transaction). */
export async function failInterruptedJobs(handle: DbHandle): Promise<number> {
  return jobsRepo.failUnfinishedImportJobs(handle.db, '服务重启，导入已中断，未写入任何数据；请重新上传 (IMPORT_INTERRUPTED)', new Date().toISOString());
}

/**
 * Deletes the report and rejects files of jobs that ended more than `ttlHours` ago (they hold
 * registry rows, personal data included, and can be large) and records when. Returns the jobs.
 */
export async function expireImportFiles(db: Executor, now = new Date(), ttlHours = limits().filesTtlHours): Promise<string[]> {
  const before = new Date(now.getTime() - ttlHours * 3600 * 1000).toISOString();
  const ids = await jobsRepo.jobsWithFilesEndedBefore(db, before);
  for (const id of ids) {
    await fs.promises.rm(path.join(uploadsFolder, id), { recursive: true, force: true });
    await jobsRepo.markFilesExpired(db, id, now.toISOString());
  }
  return ids;
}

/** A job in a list: its counts and state, without the report. */
export interface ImportJobSummary {
  id: string;
  kind: ImportKind;
  status: jobsRepo.ImportJobRow['status'];
  fileName: string;
  skipInvalid: boolean;
  rowsRead: number;
  inserted: number;
  updated: number;
  rejected: number;
  phase: string | null;
  createdAt: string;
  finishedAt: string | null;
}

function summaryOf(row: jobsRepo.ImportJobListRow): ImportJobSummary {
  return {
    id: row.id,
    kind: row.kind as ImportKind,
    status: row.status,
    fileName: row.file_name,
    skipInvalid: row.skip_invalid,
    rowsRead: row.rows_read,
    inserted: row.inserted,
    updated: row.updated,
    rejected: row.rejected,
    phase: row.message,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/**
 * Import jobs newest first, scoped as getImportJob: an administrator (or the operator, without a
 * user) sees every job, anyone else only their own.
 */
export async function listImportJobs(db: Executor, user: UserActor | undefined, page: { limit: number; offset?: number } = { limit: 20 }): Promise<ImportJobSummary[]> {
  const ownerId = !user || user.role === 'admin' ? null : user.userId;
  return (await jobsRepo.listImportJobs(db, { ownerId }, page)).map(summaryOf);
}

/** The user's imports still queued or running (an administrator's: everyone's), for the home page. */
export async function runningImportsOf(db: Executor, user: UserActor | undefined): Promise<ImportJobSummary[]> {
  const ownerId = !user || user.role === 'admin' ? null : user.userId;
  return (await jobsRepo.listImportJobs(db, { ownerId, statuses: ['queued', 'running'] }, { limit: 50 })).map(summaryOf);
}
