import { sql, type Kysely, type Transaction } from 'kysely';
import { isSqlite } from './migrate.ts';
import type { Database } from './schema.ts';
import type { Executor } from './repositories/objects.ts';

/** Runs fn in a transaction, or inside the caller's when it already holds one. */
export async function inTransaction<T>(db: Executor, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return db.transaction().execute(fn);
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
