/**
 * Body of every thread of the worker pool (see workers.ts): opens its own database connection
 * once, then runs the operations the main thread sends, one at a time, for as long as the pool
 * lives. Each request is `{ type: 'run', id, op, args }`; each answer is `{ type: 'result', id,
 * result }` or `{ type: 'error', id, error }`. `{ type: 'close' }` closes the connection and ends
 * the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDb } from '../db/connection.ts';
import type { DatabaseConfig } from '../config.ts';
import { workerOps, type OperationName } from './workerOps.ts';

export interface WorkerRequest {
  type: 'run';
  id: number;
  op: OperationName;
  args: unknown[];
}

/** An error as it crosses the thread boundary: the fields of an AppError, and any others it has. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  status?: number;
  problems?: unknown[];
  stack?: string;
  /** Other own fields of the error (e.g. a team shortfall's departments). */
  extra?: Record<string, unknown>;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: SerializedError };

const KNOWN = new Set(['name', 'message', 'code', 'status', 'problems', 'stack']);

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const err = e as Error & { code?: unknown; status?: unknown; problems?: unknown };
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) if (!KNOWN.has(k)) extra[k] = v;
  return {
    name: err.name,
    message: err.message,
    code: typeof err.code === 'string' ? err.code : undefined,
    status: typeof err.status === 'number' ? err.status : undefined,
    problems: Array.isArray(err.problems) ? err.problems : undefined,
    stack: err.stack,
    extra: Object.keys(extra).length ? extra : undefined,
  };
}

const port = parentPort!;
const { database } = workerData as { database: DatabaseConfig };
const handle = createDb(database, { poolSize: 2 });
const operations = workerOps as unknown as Record<OperationName, (h: typeof handle, ...args: unknown[]) => Promise<unknown>>;

port.on('message', (m: WorkerRequest | { type: 'close' }) => {
  if (m.type === 'close') {
    void handle.close().finally(() => port.close());
    return;
  }
  void (async () => {
    try {
      const fn = operations[m.op];
      if (typeof fn !== 'function') throw new Error(`unknown worker operation ${String(m.op)}`);
      const result = await fn(handle, ...m.args);
      try {
        port.postMessage({ type: 'result', id: m.id, result } satisfies WorkerReply);
      } catch (e) {
        // A result that cannot be cloned (a function, a class with private fields) is a bug of the operation.
        port.postMessage({ type: 'error', id: m.id, error: serializeError(e) } satisfies WorkerReply);
      }
    } catch (e) {
      const error = serializeError(e);
      try {
        port.postMessage({ type: 'error', id: m.id, error } satisfies WorkerReply);
      } catch {
        port.postMessage({ type: 'error', id: m.id, error: { ...error, extra: undefined } } satisfies WorkerReply);
      }
    }
  })();
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
