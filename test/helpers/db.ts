import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import crypto from 'node:crypto';
import pg from 'pg';
import { createDb, type DbHandle } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

/** Which engine this test run uses: PostgreSQL when TEST_DATABASE_URL is set, SQLite otherwise. */
export const testDialect: 'sqlite' | 'postgres' = process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite';

export interface TestDb extends DbHandle {
  /** Drops the database (PostgreSQL) or deletes the file (SQLite). */
  destroy(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh, migrated database of its own for one test file (never shared, never mocked). */
export async function createTestDb(): Promise<TestDb> {
  const name = `dr_t_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = withDatabase(base, name);
    const handle = createDb({ dialect: 'postgres', url });
    await migrateToLatest(handle.db);
    return {
      ...handle,
      async destroy() {
        await handle.close();
        const a = new pg.Client({ connectionString: base });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-test-'));
  const file = path.join(dir, `${name}.sqlite`);
  const handle = createDb({ dialect: 'sqlite', url: file });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    async destroy() {
      await handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
