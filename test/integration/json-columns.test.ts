/**
 * The typed-column plugin (src/db/json.ts) parses JSON columns and turns flag columns into
 * booleans by column name. That is only sound if every declared column exists where it is
 * declared and no other column of the migrated schema shares one of those names (it would be
 * parsed too). Checked against a real migrated database, on the engine of this run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { FLAG_COLUMNS, JSON_COLUMNS } from '../../src/db/json.ts';
import { makeObject } from '../factories/index.ts';
import * as objectsRepo from '../../src/db/repositories/objects.ts';

let t: TestDb;
let columns: Map<string, string[]>;

beforeAll(async () => {
  t = await createTestDb();
  const tables = await t.db.introspection.getTables();
  columns = new Map(tables.map((table) => [table.name, table.columns.map((c) => c.name)]));
});
afterAll(async () => {
  await t?.destroy();
});

describe(`typed columns on ${testDialect}`, () => {
  for (const [kind, declared] of [['JSON', JSON_COLUMNS], ['flag', FLAG_COLUMNS]] as const) {
    it(`every declared ${kind} column exists in its table`, () => {
      for (const [table, names] of Object.entries(declared)) {
        expect(columns.get(table), `table ${table}`).toBeDefined();
        for (const name of names) expect(columns.get(table), `${table}.${name}`).toContain(name);
      }
    });

    it(`no other column shares a ${kind} column's name`, () => {
      const names = new Set(Object.values(declared).flat() as string[]);
      const clashes: string[] = [];
      for (const [table, cols] of columns) {
        for (const c of cols) {
          if (!names.has(c)) continue;
          const own = (declared as Record<string, readonly string[]>)[table] ?? [];
          if (!own.includes(c)) clashes.push(`${table}.${c}`);
        }
      }
      expect(clashes).toEqual([]);
    });
  }

  it('reads a JSON column back as the value written, not as text', async () => {
    const o = await makeObject(t.db, { tags: ['食品经营', '重点单位'] });
    const read = await objectsRepo.findObject(t.db, o.uscc);
    expect(read?.tags).toEqual(['食品经营', '重点单位']);
  });
});
