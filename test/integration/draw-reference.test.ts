/**
 * The same registry, imported into this run's database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL), commits and draws byte-identically to the independent Python reference
 * (test/vectors/registry, made by test/reference/make_vectors.py from docs/draw-algorithm.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { importFile } from '../../src/services/imports/importFile.ts';
import { getOrCreateSetting, drawFiles } from '../../src/db/repositories/draws.ts';
import * as draws from '../../src/services/draws.ts';
import { FILE_NAMES } from '../../src/domain/draw/canonical.ts';
import { verifyBundle } from '../../src/domain/draw/verify.ts';
import type { ImportKind } from '../../src/domain/columns.ts';

const DIR = path.resolve(import.meta.dirname, '../vectors/registry');
const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8'));
let t: TestDb;
let out: string;

beforeAll(async () => {
  t = await createTestDb();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-ref-'));
  for (const [kind, file] of [
    ['departments', 'departments.csv'],
    ['matters', 'matters.csv'],
    ['objects', 'objects.csv'],
    ['inspectors', 'inspectors.csv'],
    ['conflicts', 'conflicts.csv'],
    ['inspections', 'inspections.csv'],
  ] as [ImportKind, string][]) {
    const r = await importFile(t, { kind, file: path.join(DIR, file), outputDir: out });
    expect(r.problems, file).toEqual([]);
    expect(r.written, file).toBe(true);
  }
  const secret = fs.readFileSync(path.join(DIR, 'secret.txt'), 'utf8');
  await getOrCreateSetting(t.db, 'grade-salt-secret', () => secret, new Date().toISOString());
});
afterAll(async () => {
  await t?.destroy();
  fs.rmSync(out, { recursive: true, force: true });
});

describe(`the reference registry on ${testDialect}`, () => {
  it('commits to the same six files and commitment, and draws the same result', async () => {
    const params = JSON.parse(fs.readFileSync(path.join(DIR, 'params.json'), 'utf8'));
    const d = await draws.commitDraw(t.db, params, { name: 'test' });
    const files = await drawFiles(t.db, d.id);
    for (const name of FILE_NAMES) expect(files[name], name).toBe(expected.files[name]);
    expect(d.manifest).toBe(expected.manifest);
    expect(d.commitment).toBe(expected.commitment);

    const seeded = await draws.seedDraw(t.db, d.id, fs.readFileSync(path.join(DIR, 'randomness.txt'), 'utf8'), { name: 'test' });
    expect(seeded.randomness!.normalized).toBe(expected.normalised);
    expect(seeded.randomness!.workingSeed).toBe(expected.workingSeed);

    const drawn = await draws.runDraw(t.db, d.id, { name: 'test' });
    expect(drawn.resultDigest).toBe(expected.result_sha256);
    expect((await draws.drawSelections(t.db, d.id)).map((s) => s.uscc)).toEqual(expected.selected);
    const full = await draws.exportBundle(t.db, d.id, 'full');
    expect(full.result).toBe(expected.result_csv);
    expect(verifyBundle(full, { expectedCommitment: expected.commitment })).toMatchObject({ ok: true, level: 'full' });
  });
});
