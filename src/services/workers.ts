/**
 * Runs long work (imports, draws) in a worker thread so that the synchronous SQLite driver
 * never stalls the HTTP server's event loop. The worker gets its own database connection.
 */
import { Worker } from 'node:worker_threads';
import type { DbHandle } from '../db/connection.ts';
import { AppError, type Problem } from '../domain/errors.ts';

const entry = new URL('./workerEntry.mjs', import.meta.url);

/** Starts `moduleUrl` (a .ts file exporting nothing; it reads workerData) and resolves with its result message. */
export function runWorker<T>(moduleUrl: URL, data: unknown, onMessage?: (m: unknown) => void, limits?: { heapMb?: number }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(entry, {
      workerData: { ...(data as object), __module: moduleUrl.href },
      ...(limits?.heapMb ? { resourceLimits: { maxOldGenerationSizeMb: limits.heapMb } } : {}),
    });
    let settled = false;
    worker.on('message', (m: { type: string; result?: T; error?: { message: string; code?: string; status?: number; problems?: Problem[] } }) => {
      if (m?.type === 'result') {
        settled = true;
        resolve(m.result as T);
      } else if (m?.type === 'error') {
        settled = true;
        const e = m.error!;
        // Domain errors cross the thread boundary as data; rebuild them so HTTP maps them as usual.
        reject(e.status && e.code ? new AppError(e.status, e.code, e.message, e.problems ?? []) : Object.assign(new Error(e.message), { code: e.code }));
      } else onMessage?.(m);
    });
    worker.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`worker exited with code ${code} before reporting a result`));
    });
  });
}

/** Runs one service call (see serviceWorker.ts) in a worker thread with its own connection. */
export function runServiceInWorker<T>(handle: DbHandle, op: 'commitDraw' | 'runDraw' | 'commitTask' | 'drawTask' | 'simulatePlanById' | 'simulateForTask', args: unknown[]): Promise<T> {
  return runWorker<T>(new URL('./serviceWorker.ts', import.meta.url), { op, args, database: handle.config });
}
