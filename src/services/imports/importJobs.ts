/**
 * Imports over HTTP run as jobs: the upload is stored under data/imports/, a worker thread
 * imports it with its own connection, and the job's progress and report are polled.
 *
 * A job belongs to the user who uploaded the file: only that user and administrators see it and
 * its files. Imports are a shared resource: at most `concurrency` run at once in an instance (the
 * others wait, queued, in upload order), each worker's heap is capped so that one huge file fails
 * alone instead of taking the server's memory, and report and rejects files are deleted
 * `filesTtlHours` after the job ends.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DbHandle } from '../../db/connection.ts';
import type { Executor } from '../../db/repositories/objects.ts';
import { importLimits, projectRoot, type ImportLimits } from '../../config.ts';
import * as jobsRepo from '../../db/repositories/importJobs.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { ImportKind } from '../../domain/columns.ts';
import { runWorker } from '../workers.ts';
import type { AuthUser } from '../accounts.ts';
import type { ImportReport } from './importFile.ts';

/** Where uploads, reports and rejects files live: IMPORT_DIR, or data/imports beside the database. */
export const uploadsFolder = process.env.IMPORT_DIR ? path.resolve(process.env.IMPORT_DIR) : path.join(projectRoot, 'data', 'imports');

export interface StartImportJob {
  kind: ImportKind;
  /** The uploaded file, already stored on disk (its name must keep the original extension). */
  file: string;
  originalName: string;
  skipInvalid: boolean;
  /** The uploader: the job's owner, and whose role and scope every row must pass. */
  user: AuthUser;
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

/** Starts the job and returns at once; `done` settles when the worker finishes (for tests and logs). */
export async function startImportJob(handle: DbHandle, job: StartImportJob): Promise<{ id: string; done: Promise<void> }> {
  const id = crypto.randomUUID();
  await jobsRepo.insertImportJob(handle.db, {
    id,
    kind: job.kind,
    status: 'queued',
    file_name: job.originalName,
    skip_invalid: job.skipInvalid ? 1 : 0,
    created_at: new Date().toISOString(),
    owner_id: job.user.id,
  });
  // Each job writes its report and rejects files into a folder of its own.
  const outputDir = path.join(uploadsFolder, id);
  fs.mkdirSync(outputDir, { recursive: true });
  const done = queue
    .run(() =>
      runWorker<ImportReport>(
        new URL('./importWorker.ts', import.meta.url),
        {
          jobId: id,
          database: handle.config,
          kind: job.kind,
          file: job.file,
          originalName: job.originalName,
          outputDir,
          skipInvalid: job.skipInvalid,
          user: job.user,
        },
        undefined,
        { heapMb: limits().memoryMb },
      ),
    )
    .then(
      () => undefined,
      // The worker records its own failures; if it died before it could, record it here.
      (e: unknown) => {
        const oom = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        const message = oom
          ? `文件展开后超出单个导入的内存上限（${limits().memoryMb} MB），未写入任何数据；请把文件拆分成几个较小的文件分别导入 (IMPORT_TOO_LARGE)`
          : `导入进程意外终止，未写入任何数据 (IMPORT_WORKER_DIED)：${(e as Error).message}`;
        return jobsRepo.failUnfinishedImportJob(handle.db, id, message, new Date().toISOString()).then(() => undefined, () => undefined);
      },
    );
  return { id, done };
}

/**
 * The job, if `user` may see it (its owner, or an administrator); 404 otherwise, as if it did
 * not exist. Without a user (the operator's CLI) every job is visible.
 */
export async function getImportJob(handle: DbHandle, id: string, user?: AuthUser) {
  const row = await jobsRepo.findImportJob(handle.db, id);
  if (!row || (user && user.role !== 'admin' && row.owner_id !== user.id)) throw new NotFoundError(`没有编号为 ${id} 的导入任务`, 'IMPORT_JOB_NOT_FOUND');
  const summary = row.summary ? (JSON.parse(row.summary) as Partial<ImportReport> & { error?: unknown }) : null;
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    fileName: row.file_name,
    skipInvalid: row.skip_invalid === 1,
    rowsRead: row.rows_read,
    inserted: row.inserted,
    updated: row.updated,
    rejected: row.rejected,
    phase: row.message,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    filesExpiredAt: row.files_expired_at,
    report: summary,
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
