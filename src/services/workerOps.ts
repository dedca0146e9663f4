/**
 * The operations the worker pool runs off the HTTP thread — the one list, read by both sides.
 *
 * The worker thread (serviceWorker.ts) calls `workerOps[op](handle, ...args)` with the database
 * handle it opened once. The main thread (workers.ts) imports only the *type* of this map, so a
 * call `pool.run('drawTask', id, actor)` is checked against the service's own parameters and
 * resolves with its own result type: adding an operation is adding one line here.
 *
 * Arguments and results cross the thread boundary by structured clone (plain data, Dates, Maps;
 * no functions, no class instances beyond their fields). Errors cross as data and are rebuilt
 * as AppError (status, code, problems) on the main thread (see workers.ts).
 */
import { threadId } from 'node:worker_threads';
import type { Db, DbHandle } from '../db/connection.ts';
import * as draws from './draws.ts';
import * as plans from './plans.ts';
import * as simulation from './simulation.ts';
import { runImportJob } from './imports/importWorker.ts';

/** A service function taking the database first, as an operation taking the worker's handle. */
function onDb<A extends unknown[], R>(fn: (db: Db, ...args: A) => Promise<R>): (handle: DbHandle, ...args: A) => Promise<R> {
  return (handle, ...args) => fn(handle.db, ...args);
}

export const workerOps = {
  commitDraw: onDb(draws.commitDraw),
  runDraw: onDb(draws.runDraw),
  commitTask: onDb(plans.commitTask),
  drawTask: onDb(plans.drawTask),
  /** Voiding a task's draw merges the plan's visits again: as heavy as a draw's write. */
  voidTaskDraw: onDb(plans.voidTaskDraw),
  voidDraw: onDb(draws.voidDraw),
  simulatePlanById: onDb(simulation.simulatePlanById),
  simulateForTask: onDb(simulation.simulateForTask),
  /** An HTTP import job (runs in the import lane, whose threads have a heap cap). */
  importJob: runImportJob,
  /** Which thread answers: health checks and the pool's tests. */
  ping: async (_handle: DbHandle) => ({ threadId, pid: process.pid }),
} satisfies Record<string, (handle: DbHandle, ...args: never[]) => Promise<unknown>>;

export type WorkerOps = typeof workerOps;
export type OperationName = keyof WorkerOps;
/** The arguments of an operation after the handle. */
export type OperationArgs<K extends OperationName> = WorkerOps[K] extends (handle: DbHandle, ...args: infer A) => unknown ? A : never;
export type OperationResult<K extends OperationName> = Awaited<ReturnType<WorkerOps[K]>>;
