/**
 * Runs long work (imports, draws) in a worker thread so that the synchronous SQLite driver
 * never stalls the HTTP server's event loop. The worker gets its own database connection.
 */
import { Worker } from 'node:worker_threads';

const entry = new URL('./workerEntry.mjs', import.meta.url);

/** Starts `moduleUrl` (a .ts file exporting nothing; it reads workerData) and resolves with its result message. */
export function runWorker<T>(moduleUrl: URL, data: unknown, onMessage?: (m: unknown) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(entry, { workerData: { ...(data as object), __module: moduleUrl.href } });
    let settled = false;
    worker.on('message', (m: { type: string; result?: T; error?: { message: string; code?: string; status?: number } }) => {
      if (m?.type === 'result') {
        settled = true;
        resolve(m.result as T);
      } else if (m?.type === 'error') {
        settled = true;
        reject(Object.assign(new Error(m.error!.message), { code: m.error!.code, status: m.error!.status }));
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
