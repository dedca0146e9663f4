/**
 * What a capped thread of the worker pool runs for an HTTP import job (the `importJob`
 * operation of workerOps.ts): the import itself, on the thread's own connection, with its
 * progress, report or failure written into the job's row as it goes.
 */
import type { DbHandle } from '../../db/connection.ts';
import { toJson } from '../../db/json.ts';
import { updateImportJob } from '../../db/repositories/importJobs.ts';
import type { ImportKind } from '../../domain/columns.ts';
import { importFile, type ImportProgress, type ImportReport } from './importFile.ts';
import type { UserActor } from '../../domain/actor.ts';

export interface ImportJobData {
  jobId: string;
  kind: ImportKind;
  file: string;
  originalName: string;
  outputDir: string;
  skipInvalid: boolean;
  user: UserActor;
}

/** Runs the job; resolves with its report (also stored), rejects with its error (also stored). */
export async function runImportJob(handle: DbHandle, data: ImportJobData): Promise<ImportReport> {
  let last = 0;
  let pending: Promise<void> = Promise.resolve();
  const onProgress = (p: ImportProgress) => {
    const now = Date.now();
    if (now - last < 500 && p.phase === 'reading') return;
    last = now;
    pending = pending.then(() => updateImportJob(handle.db, data.jobId, { status: 'running', rows_read: p.rowsRead, message: p.phase })).catch(() => {});
  };
  try {
    await updateImportJob(handle.db, data.jobId, { status: 'running', message: 'reading' });
    const report = await importFile(handle, {
      kind: data.kind,
      file: data.file,
      originalName: data.originalName,
      outputDir: data.outputDir,
      skipInvalid: data.skipInvalid,
      actor: data.user,
      jobId: data.jobId,
      onProgress,
    });
    await pending;
    await updateImportJob(handle.db, data.jobId, {
      status: report.written ? 'succeeded' : 'failed',
      rows_read: report.rowsRead,
      inserted: report.inserted,
      updated: report.updated,
      rejected: report.rejectedRows,
      summary: toJson({ ...report }),
      message: report.written ? 'done' : 'rejected',
      finished_at: new Date().toISOString(),
    });
    return report;
  } catch (e) {
    const err = e as { message?: string; code?: string; problems?: unknown };
    await pending;
    await updateImportJob(handle.db, data.jobId, {
      status: 'failed',
      message: err.message ?? String(e),
      summary: toJson({ error: { code: err.code ?? 'IMPORT_FAILED', message: err.message, problems: err.problems ?? [] } }),
      finished_at: new Date().toISOString(),
    }).catch(() => {});
    throw e;
  }
}
