import { sql, type Kysely, type Transaction } from 'kysely';
import { isSqlite } from './migrate.ts';
import type { Database } from './schema.ts';
import type { Executor } from './connection.ts';

/** Runs fn in a transaction, or inside the caller's when it already holds one. */
export async function inTransaction<T>(db: Executor, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return db.transaction().execute(fn);
}

/**
 * Every repository function that changes the records a use case is about (registries, plans,
 * draws, results, accounts, the audit trail) starts with this: a use case runs in exactly one
 * transaction, opened by its entry point or by the use case itself and passed down, so a change
 * and its audit entry commit or roll back together. A use case that forgets fails its first test.
 *
 * Not asserted, on purpose: single-statement bookkeeping that is not part of any use case's
 * change — job leases (jobLeases.ts), import-job progress (importJobs.ts), sign-in sessions and
 * attempt counters, the import's staging table, settings and public check codes created on first
 * use (get-or-create, idempotent).
 */
export function assertTransaction(db: { readonly isTransaction: boolean }, what: string): void {
  if (!db.isTransaction) throw new Error(`${what}: must run inside the use case's transaction (inTransaction)`);
}

/** True for a unique-key violation on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Runs read-only `fn` on one consistent snapshot without holding writers back: on SQLite a
 * deferred BEGIN (the project's transactions otherwise begin IMMEDIATE, taking the write lock),
 * on PostgreSQL a REPEATABLE READ, READ ONLY transaction.
 */
export async function readSnapshot<T>(db: Kysely<any>, fn: (snapshot: Kysely<any>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  if (isSqlite(db)) {
    return db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      try {
        return await fn(conn);
      } finally {
        await sql`commit`.execute(conn);
      }
    });
  }
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn);
}
