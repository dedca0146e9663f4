/** Worker-thread body of an HTTP import job: its own connection, progress into import_jobs. */
import { parentPort, workerData } from 'node:worker_threads';
import { createDb } from '../../db/connection.ts';
import type { DatabaseConfig } from '../../config.ts';
import { updateImportJob } from '../../db/repositories/importJobs.ts';
import type { ImportKind } from '../../domain/columns.ts';
import { importFile, type ImportProgress } from './importFile.ts';
import type { AuthUser } from '../accounts.ts';

interface JobData {
  jobId: string;
  database: DatabaseConfig;
  kind: ImportKind;
  file: string;
  originalName: string;
  outputDir: string;
  skipInvalid: boolean;
  user: AuthUser;
}

const data = workerData as JobData;
const handle = createDb(data.database, { poolSize: 2 });
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
    actor: data.user.username,
    user: data.user,
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
    summary: JSON.stringify(report),
    message: report.written ? 'done' : 'rejected',
    finished_at: new Date().toISOString(),
  });
  await handle.close();
  parentPort!.postMessage({ type: 'result', result: report });
} catch (e) {
  const err = e as { message?: string; code?: string; status?: number; problems?: unknown };
  await pending;
  await updateImportJob(handle.db, data.jobId, {
    status: 'failed',
    message: err.message ?? String(e),
    summary: JSON.stringify({ error: { code: err.code ?? 'IMPORT_FAILED', message: err.message, problems: err.problems ?? [] } }),
    finished_at: new Date().toISOString(),
  }).catch(() => {});
  await handle.close().catch(() => {});
  parentPort!.postMessage({ type: 'error', error: { message: err.message ?? String(e), code: err.code, status: err.status } });
}
