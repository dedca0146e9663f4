/**
 * Worker-thread body for long service calls made on behalf of the HTTP server (commit and run
 * of a draw): its own database connection, so the server's event loop never waits on them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDb } from '../db/connection.ts';
import type { DatabaseConfig } from '../config.ts';
import * as draws from './draws.ts';
import * as plans from './plans.ts';
import * as simulation from './simulation.ts';

const OPERATIONS = {
  commitDraw: draws.commitDraw,
  runDraw: draws.runDraw,
  commitTask: plans.commitTask,
  drawTask: plans.drawTask,
  simulatePlanById: simulation.simulatePlanById,
  simulateForTask: simulation.simulateForTask,
} as const;

export type WorkerOperation = keyof typeof OPERATIONS;

const { op, args, database } = workerData as { op: WorkerOperation; args: unknown[]; database: DatabaseConfig };
const handle = createDb(database, { poolSize: 2 });
try {
  const fn = OPERATIONS[op] as (db: unknown, ...rest: unknown[]) => Promise<unknown>;
  const result = await fn(handle.db, ...args);
  await handle.close();
  parentPort!.postMessage({ type: 'result', result });
} catch (e) {
  await handle.close().catch(() => {});
  const err = e as { message?: string; code?: string; status?: number; problems?: unknown };
  parentPort!.postMessage({ type: 'error', error: { message: err.message ?? String(e), code: err.code, status: err.status, problems: err.problems } });
}
