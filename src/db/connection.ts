import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, sql, type Transaction, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import type { DatabaseConfig } from '../config.ts';
import type { Database } from './schema.ts';
import { JsonColumnsPlugin } from './json.ts';

export type Db = Kysely<Database>;

/** What repositories run on: the database, or the use case's transaction. */
export type Executor = Db | Transaction<Database>;

export interface DbHandle {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  config: DatabaseConfig;
  close(): Promise<void>;
}

// PostgreSQL returns bigint counts as strings and dates as Date objects unless told otherwise:
// keep numbers as numbers and calendar dates as the text the application stores.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export function openSqlite(file: string): SQLite.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 30000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  return sqlite;
}

/**
 * SQLite transactions begin IMMEDIATE: a use case reads, decides, then writes in one transaction,
 * and a deferred transaction that has read cannot take the write lock once another connection
 * (the CLI, a worker thread, another instance) has committed meanwhile — it fails with
 * SQLITE_BUSY at once instead of waiting. Taking the write lock at BEGIN makes such a transaction
 * wait its turn (busy_timeout) and then see the latest data. Read-only snapshots use their own
 * deferred BEGIN (see readSnapshot).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

export function createDb(config: DatabaseConfig, options: { poolSize?: number } = {}): DbHandle {
  if (config.dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: options.poolSize ?? 10 });
    // An idle client whose server connection ends (restart, administrator command) must not
    // crash the process: the pool drops it and the next query opens a new one.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new JsonColumnsPlugin()] });
    return { db, dialect: 'postgres', config, close: () => db.destroy() };
  }
  const sqlite = openSqlite(config.url);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }), plugins: [new JsonColumnsPlugin()] });
  return { db, dialect: 'sqlite', config, close: () => db.destroy() };
}

/** Liveness probe of the health check: the database answers a trivial query. */
export async function ping(db: Executor): Promise<void> {
  await sql`select 1`.execute(db);
}
