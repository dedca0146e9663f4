import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { importFile, type ImportReport } from '../../src/services/imports/importFile.ts';
import { startImportJob, getImportJob, uploadsFolder } from '../../src/services/imports/importJobs.ts';
import * as registry from '../../src/services/registry.ts';
import type { ImportKind } from '../../src/domain/columns.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/import');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as {
  fixtures: Record<string, { import_kind: ImportKind; header_row: number; valid_rows: number; data_rows: number; bad_rows: { row: number; header: string; kind: string; expected_check?: string }[] }>;
};

let t: TestDb;
let out: string;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-import-'));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
beforeEach(async () => {
  await t?.destroy();
  t = await createTestDb();
});
afterAll(async () => t?.destroy());

function fixture(name: string) {
  return path.join(FIXTURES, name);
}

/** Copies a fixture into the temp folder so that report and rejects files land beside it. */
function copyFixture(name: string): string {
  const dst = path.join(out, `${Date.now()}-${name}`);
  fs.copyFileSync(fixture(name), dst);
  return dst;
}

async function run(kind: ImportKind, name: string, skipInvalid = false): Promise<ImportReport> {
  return importFile(t, { kind, file: fixture(name), skipInvalid, outputDir: out, now: new Date('2026-11-20T02:00:00Z') });
}

async function objectCount() {
  return (await registry.listObjects(t.db, {}, { limit: 1, offset: 0 })).total;
}

async function loadReferenceLists() {
  for (const [kind, name] of [['departments', 'departments.csv'], ['matters', 'matters.csv']] as const) {
    const r = await run(kind, name);
    expect(r.written, JSON.stringify(r.problems)).toBe(true);
  }
}

describe(`import on ${testDialect}`, () => {
  it('reads a GB18030 CSV with Chinese headers, without being told its encoding', async () => {
    const r = await run('objects', 'objects-gb18030.csv');
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ written: true, inserted: expected.fixtures['objects-gb18030.csv'].valid_rows, headerRow: 1 });
    const all = (await registry.listObjects(t.db, {}, { limit: 100, offset: 0 })).items;
    // A character outside GBK (U+36C3) survives only if the file was decoded as GB18030.
    expect(all.some((o) => o.legalRepresentative === '赵㛃')).toBe(true);
    // Excel's zh-CN dates (2016/5/18) become ISO dates; graded words become letters.
    expect(all.every((o) => o.registeredOn === null || /^\d{4}-\d{2}-\d{2}$/.test(o.registeredOn))).toBe(true);
    expect(new Set(all.map((o) => o.creditGrade))).toEqual(new Set(['A', 'B', 'C', 'D', null]));
    expect(all.every((o) => o.street && o.name.length > 0)).toBe(true);
  });

  it('reads a UTF-8 CSV with BOM and English headers, keeping an all-digit USCC intact', async () => {
    const r = await run('objects', 'objects-utf8-bom.csv');
    expect(r.problems).toEqual([]);
    expect(r.inserted).toBe(8);
    const o = await registry.getObject(t.db, '915001032098879740');
    expect(o.uscc).toBe('915001032098879740');
    const codes = (await registry.listObjects(t.db, {}, { limit: 100, offset: 0 })).items.map((x) => x.industryCode);
    expect(codes).toContain('5223');
    expect(codes).toContain('F5212');
  });

  it('reads an XLSX with a title row, date cells, number cells and a text all-digit USCC', async () => {
    const r = await run('objects', 'objects.xlsx');
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ written: true, inserted: 10, headerRow: 2 });
    const o = await registry.getObject(t.db, '915001031198036497');
    expect(o.registeredOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const all = (await registry.listObjects(t.db, {}, { limit: 100, offset: 0 })).items;
    expect(all.map((x) => x.industryCode)).toContain('7212');
    expect(all.filter((x) => x.creditGrade === null)).toHaveLength(1);
  });

  it('imports nothing in strict mode when one USCC has a wrong check character, and names the row', async () => {
    const r = await run('objects', 'objects-bad-check.csv');
    expect(r.written).toBe(false);
    expect(await objectCount()).toBe(0);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ row: 5, column: '统一社会信用代码', code: 'USCC_CHECK' });
    expect(r.problems[0].message).toContain('应为“2”');
    expect(fs.readFileSync(r.reportFile!, 'utf8')).toContain('USCC_CHECK');
  });

  it('with --skip-invalid imports the other rows and writes a rejects file with a reason column beside the input', async () => {
    const input = copyFixture('objects-bad-check.csv');
    const r = await importFile(t, { kind: 'objects', file: input, skipInvalid: true });
    expect(r).toMatchObject({ written: true, inserted: 5, rejectedRows: 1 });
    expect(await objectCount()).toBe(5);
    expect(path.dirname(r.rejectsFile!)).toBe(path.dirname(input));
    const rejects = fs.readFileSync(r.rejectsFile!, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(rejects).toHaveLength(2);
    expect(rejects[0].split(',').at(-1)).toBe('拒绝原因');
    expect(rejects[1]).toContain('91500103MA5UJF6FE3');
    expect(rejects[1]).toContain('校验位错误');
  });

  it('reports a USCC twice in one file as an error naming both rows', async () => {
    const r = await run('objects', 'objects-duplicate.csv');
    expect(r.written).toBe(false);
    expect(await objectCount()).toBe(0);
    const dups = r.problems.filter((p) => p.code === 'DUPLICATE_KEY');
    expect(dups.map((p) => p.row)).toEqual([3, 6]);
    for (const p of dups) expect(p.message).toContain('第 3、6 行');
  });

  it.each(['objects-mangled.xlsx', 'objects-mangled.csv'])('gives a spreadsheet-mangled USCC its own error (%s)', async (name) => {
    const r = await run('objects', name);
    expect(r.written).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ row: 4, column: '统一社会信用代码', code: 'USCC_SPREADSHEET_NUMBER' });
    expect(r.problems[0].message).toContain('文本');
    const skip = await run('objects', name, true);
    expect(skip.inserted).toBe(5);
  });

  it('reports each error class with its spreadsheet row and column, and counts per kind', async () => {
    const spec = expected.fixtures['objects-errors.csv'];
    const r = await run('objects', 'objects-errors.csv');
    expect(r.written).toBe(false);
    expect(r.problems.map((p) => ({ row: p.row, column: p.column, code: p.code }))).toEqual(
      spec.bad_rows.map((b) => ({ row: b.row, column: b.header, code: b.kind })),
    );
    expect(r.problemCounts).toEqual({ USCC_LENGTH: 1, USCC_CHARACTER: 2, ENUM: 2, DATE: 1, GRADE: 1, REQUIRED: 1 });
    for (const p of r.problems) expect(p.message.length).toBeGreaterThan(8);
    const skip = await run('objects', 'objects-errors.csv', true);
    expect(skip).toMatchObject({ inserted: spec.valid_rows, rejectedRows: spec.data_rows - spec.valid_rows });
  });

  it('shows the first 100 problems and writes all of them to the report file', async () => {
    const file = path.join(out, 'many-bad.csv');
    const lines = ['统一社会信用代码,企业名称'];
    for (let i = 0; i < 250; i++) lines.push(`91500103MA5U0000${String(i % 10)}X,坏行${i}`);
    fs.writeFileSync(file, lines.join('\n'));
    const r = await importFile(t, { kind: 'objects', file });
    expect(r.problemCount).toBe(250);
    expect(r.problems).toHaveLength(100);
    const report = fs.readFileSync(r.reportFile!, 'utf8').trim().split(/\r?\n/);
    expect(report).toHaveLength(251);
  });

  it('re-import upserts by USCC; blank cells leave stored values unchanged; grade changes keep history', async () => {
    await run('objects', 'objects-gb18030.csv');
    const all = (await registry.listObjects(t.db, {}, { limit: 100, offset: 0 })).items;
    const unrated = all.find((o) => o.creditGrade === null)!;
    const graded = all.find((o) => o.creditGrade === 'A')!;
    await registry.upsertObject(t.db, { uscc: unrated.uscc, creditGrade: 'C', street: '大坪' }, { name: 'test', now: new Date('2026-11-21T02:00:00Z') });
    await registry.upsertObject(t.db, { uscc: graded.uscc, creditGrade: 'D' }, { name: 'test', now: new Date('2026-11-21T02:00:00Z') });
    const again = await importFile(t, { kind: 'objects', file: fixture('objects-gb18030.csv'), outputDir: out, now: new Date('2026-11-22T02:00:00Z') });
    expect(again).toMatchObject({ written: true, inserted: 0 });
    expect(again.updated).toBeGreaterThanOrEqual(2);
    const u = await registry.getObject(t.db, unrated.uscc);
    expect(u.creditGrade).toBe('C'); // blank grade cell: unchanged
    expect(u.street).toBe(unrated.street); // the file's street wins over the manual change
    const g = await registry.getObject(t.db, graded.uscc);
    expect(g.creditGrade).toBe('A');
    expect(g.gradeHistory.map((h) => h.grade)).toEqual(['A', 'D']);
    const history = await registry.objectHistory(t.db, graded.uscc);
    expect(history.changes.at(-1)!.before).toMatchObject({ credit_grade: 'D' });
    expect(history.changes.at(-1)!.after).toMatchObject({ credit_grade: 'A' });
    const third = await importFile(t, { kind: 'objects', file: fixture('objects-gb18030.csv'), outputDir: out });
    expect(third).toMatchObject({ inserted: 0, updated: 0, unchanged: 12 });
  });

  it('imports departments, matters, inspectors (XLSX and GB18030 CSV), conflicts, inspections and violations', async () => {
    await run('objects', 'objects-gb18030.csv');
    await loadReferenceLists();
    const insp = await run('inspectors', 'inspectors.xlsx');
    expect(insp.problems).toEqual([]);
    expect(insp.inserted).toBe(13);
    const again = await run('inspectors', 'inspectors-gb18030.csv');
    expect(again.problems).toEqual([]);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 13 });
    const auxiliaries = await registry.listInspectors(t.db, { kind: 'auxiliary' }, { limit: 100, offset: 0 });
    expect(auxiliaries.total).toBe(2);
    for (const [kind, name] of [['conflicts', 'conflicts.csv'], ['inspections', 'inspections.csv'], ['violations', 'violations.csv']] as const) {
      const r = await run(kind, name);
      expect(r.problems, name).toEqual([]);
      expect(r.inserted, name).toBe(expected.fixtures[name].valid_rows);
    }
    const i = await registry.getInspector(t.db, '50010301001');
    expect(i.conflicts.map((c) => c.uscc)).toContain('91500103MA5UP23YC3');
    const h = await registry.objectHistory(t.db, '91500103MA5UP23YC3');
    expect(h.inspections[0].officers).toEqual(['50010301002', '50010301004']);
  });

  it('refuses inspectors of an unknown department, naming the row, and writes none of the file', async () => {
    const r = await run('inspectors', 'inspectors.xlsx');
    expect(r.written).toBe(false);
    expect(r.problems.every((p) => p.code === 'UNKNOWN_DEPARTMENT')).toBe(true);
    expect(r.problems[0].row).toBe(2);
    expect((await registry.listInspectors(t.db, {}, { limit: 1, offset: 0 })).total).toBe(0);
  });

  it('names a missing required column, and a file whose headers it cannot find', async () => {
    await expect(run('inspectors', 'objects-gb18030.csv')).rejects.toMatchObject({ code: 'HEADER_NOT_FOUND' });
    const file = path.join(out, 'no-name.csv');
    fs.writeFileSync(file, '统一社会信用代码,所属街道\n91350100M000100Y43,解放碑\n');
    await expect(importFile(t, { kind: 'objects', file })).rejects.toMatchObject({ code: 'MISSING_COLUMN' });
  });

  it('refuses a record far longer than any registry row (an unclosed quote), naming the row, and writes nothing', async () => {
    const before = await t.db.selectFrom('objects').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const file = path.join(out, 'unclosed-quote.csv');
    // Row 3 opens a quote that never closes: everything after it would become one cell.
    fs.writeFileSync(file, `统一社会信用代码,名称\n91350100M000100Y43,甲公司\n91350100M000100Y43,"乙公司${'很长的内容'.repeat(250_000)}\n`);
    const err = await importFile(t, { kind: 'objects', file }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ROW_TOO_LARGE' });
    expect((err as Error).message).toContain('第 3 行');
    const after = await t.db.selectFrom('objects').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('runs an import as a job in a worker thread whose progress and report can be polled', async () => {
    const { id, done } = await startImportJob(t, {
      kind: 'objects',
      file: copyFixture('objects.xlsx'),
      originalName: 'objects.xlsx',
      skipInvalid: false,
      user: { userId: 'test-user', name: 'test', role: 'admin', department: null, officer: null },
    });
    expect(['queued', 'running']).toContain((await getImportJob(t, id)).status);
    await done;
    const job = await getImportJob(t, id);
    expect(job).toMatchObject({ status: 'succeeded', inserted: 10, rowsRead: 10 });
    expect(job.report?.headerRow).toBe(2);
    expect(await objectCount()).toBe(10);
    fs.rmSync(path.join(uploadsFolder, id), { recursive: true, force: true });
  });
});
