/**
 * Imports over HTTP run as jobs: the upload is stored under data/imports/, a worker thread
 * imports it with its own connection, and the job's progress and report are polled.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DbHandle } from '../../db/connection.ts';
import { projectRoot } from '../../config.ts';
import * as jobsRepo from '../../db/repositories/importJobs.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { ImportKind } from '../../domain/columns.ts';
import { runWorker } from '../workers.ts';
import type { ImportReport } from './importFile.ts';

export const uploadsFolder = path.join(projectRoot, 'data', 'imports');

export interface StartImportJob {
  kind: ImportKind;
  /** The uploaded file, already stored on disk (its name must keep the original extension). */
  file: string;
  originalName: string;
  skipInvalid: boolean;
  actor: string;
}

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
  });
  // Each job writes its report and rejects files into a folder of its own.
  const outputDir = path.join(uploadsFolder, id);
  fs.mkdirSync(outputDir, { recursive: true });
  const done = runWorker<ImportReport>(new URL('./importWorker.ts', import.meta.url), {
    jobId: id,
    database: handle.config,
    kind: job.kind,
    file: job.file,
    originalName: job.originalName,
    outputDir,
    skipInvalid: job.skipInvalid,
    actor: job.actor,
  }).then(
    () => undefined,
    // The worker records its own failures; if it died before it could, record it here.
    (e: unknown) =>
      jobsRepo
        .failUnfinishedImportJob(handle.db, id, `导入进程意外终止，未写入任何数据 (IMPORT_WORKER_DIED)：${(e as Error).message}`, new Date().toISOString())
        .then(() => undefined, () => undefined),
  );
  return { id, done };
}

export async function getImportJob(handle: DbHandle, id: string) {
  const row = await jobsRepo.findImportJob(handle.db, id);
  if (!row) throw new NotFoundError(`没有编号为 ${id} 的导入任务`, 'IMPORT_JOB_NOT_FOUND');
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
