/**
 * Shared by the factories: when rows are stamped, a counter for unique defaults, and the one
 * transaction every write goes through (repositories assert they run inside one).
 */
import type { Transaction } from 'kysely';
import type { Executor } from '../../src/db/connection.ts';
import type { Database } from '../../src/db/schema.ts';
import { inTransaction } from '../../src/db/tx.ts';

/** The instant factory rows are created at, unless a test says otherwise. */
export const FACTORY_NOW = '2026-11-20T02:00:00.000Z';
/** FACTORY_NOW's calendar day in Asia/Shanghai. */
export const FACTORY_TODAY = '2026-11-20';

let counter = 0;
/** 1, 2, 3 … per test file (each file runs in a process of its own). */
export const nextSeq = (): number => ++counter;

/** Runs `fn` in the caller's transaction, or in one of its own. */
export function write<T>(db: Executor, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return inTransaction(db, fn);
}
