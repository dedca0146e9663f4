import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { loadDemoData } from '../../src/demo/loadRegistry.ts';
import { loadDemoWords } from '../../src/demo/loadWords.ts';
import { generateDemoRegistry } from '../../src/demo/registry.ts';
import { getObject, getInspector, objectHistory } from '../../src/services/registry.ts';

const NOW = new Date('2026-11-28T02:00:00Z');

async function count(t: TestDb, table: 'objects' | 'inspectors' | 'departments' | 'matters' | 'conflicts' | 'past_inspections' | 'past_violations' | 'abnormal_listings' | 'registry_changes' | 'grade_history') {
  const r = await t.db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe(`demo data (${testDialect})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('loads the whole demo registry into an empty database', async () => {
    const demo = generateDemoRegistry(loadDemoWords());
    const started = performance.now();
    const result = await loadDemoData(t.db, { now: NOW });
    const ms = performance.now() - started;
    console.info(`loadDemoData on ${testDialect}: ${Math.round(ms)} ms`);

    expect(result.loaded).toBe(true);
    expect(result.counts).toEqual({
      departments: demo.departments.length,
      matters: demo.matters.length,
      objects: demo.objects.length,
      inspectors: demo.inspectors.length,
      conflicts: demo.conflicts.length,
      inspections: demo.inspections.length,
      violations: demo.violations.length,
      abnormalListings: demo.abnormalListings.length,
    });
    expect(await count(t, 'objects')).toBe(demo.objects.length);
    expect(await count(t, 'departments')).toBe(demo.departments.length);
    expect(await count(t, 'matters')).toBe(demo.matters.length);
    expect(await count(t, 'inspectors')).toBe(demo.inspectors.length);
    expect(await count(t, 'conflicts')).toBe(demo.conflicts.length);
    expect(await count(t, 'past_inspections')).toBe(demo.inspections.length);
    expect(await count(t, 'past_violations')).toBe(demo.violations.length);
    expect(await count(t, 'abnormal_listings')).toBe(demo.abnormalListings.length);
    // First writes: no history of changes, no superseded grades.
    expect(await count(t, 'registry_changes')).toBe(0);
    expect(await count(t, 'grade_history')).toBe(0);
  });

  it('stores what the generator made, unrated entities without a grade', async () => {
    const demo = generateDemoRegistry(loadDemoWords());
    const unrated = demo.objects.find((o) => o.creditGrade === undefined)!;
    const stored = await getObject(t.db, unrated.uscc);
    expect(stored.creditGrade).toBeNull();
    expect(stored.gradedOn).toBeNull();
    expect(stored.name).toBe(unrated.name);

    const graded = demo.objects.find((o) => o.creditGrade === 'D' && o.sectorGrade)!;
    const g = await getObject(t.db, graded.uscc);
    expect(g).toMatchObject({ creditGrade: 'D', gradedOn: graded.gradedOn, sectorGrade: graded.sectorGrade, tags: graded.tags });

    const listed = demo.abnormalListings[0];
    const l = await getObject(t.db, listed.uscc);
    expect(l.abnormalListings).toMatchObject([{ listedOn: listed.listedOn, reason: listed.reason, removedOn: null }]);

    const auxiliary = demo.inspectors.find((i) => i.kind === 'auxiliary')!;
    expect(await getInspector(t.db, auxiliary.certificateNo)).toMatchObject({ kind: 'auxiliary', validFrom: null });

    const c = demo.conflicts[0];
    expect((await getInspector(t.db, c.certificateNo)).conflicts).toContainEqual({ uscc: c.uscc, reason: c.reason, declaredOn: c.declaredOn });

    const i = demo.inspections[0];
    const h = await objectHistory(t.db, i.uscc);
    expect(h.inspections).toContainEqual(expect.objectContaining({ inspectedOn: i.inspectedOn, departmentCode: i.department, resultCodes: i.resultCodes }));
  });

  it('writes nothing when the registry already holds objects', async () => {
    const before = await count(t, 'objects');
    const again = await loadDemoData(t.db, { now: NOW });
    expect(again.loaded).toBe(false);
    expect(Object.values(again.counts).every((n) => n === 0)).toBe(true);
    expect(await count(t, 'objects')).toBe(before);
    expect(await count(t, 'past_inspections')).toBe(generateDemoRegistry(loadDemoWords()).inspections.length);
  });
});
