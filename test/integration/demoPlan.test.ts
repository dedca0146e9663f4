import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { loadDemoData } from '../../src/demo/loadRegistry.ts';
import { loadDemoPlan } from '../../src/demo/loadPlan.ts';
import * as plans from '../../src/services/plans.ts';
import * as draws from '../../src/services/draws.ts';

let t: TestDb;
const now = new Date('2026-11-28T02:00:00Z');
beforeAll(async () => {
  t = await createTestDb();
  await loadDemoData(t.db, { now });
});
afterAll(async () => t?.destroy());

describe(`demo plan on ${testDialect}`, () => {
  it('has a plan for the current year with joint tasks in every stage, merged visits, once', async () => {
    const r = await loadDemoPlan(t.db, { now });
    expect(r.loaded).toBe(true);
    const plan = await plans.getPlan(t.db, r.planId!);
    expect(plan.year).toBe(2026);
    const statuses = plan.tasks.map((x) => x.status);
    expect(statuses).toEqual(expect.arrayContaining(['completed', 'drawn', 'approved', 'draft']));
    const joint = plan.tasks.filter((x) => (x.departments as unknown[]).length > 1 && x.status === 'drawn');
    expect(joint.length).toBeGreaterThanOrEqual(2);
    // Merging saves exactly one visit per entity the two drawn tasks of the same period share.
    const [first, second] = await Promise.all(joint.map((x) => draws.drawSelections(t.db, x.drawId!)));
    const shared = first.filter((a) => second.some((b) => b.uscc === a.uscc)).length;
    expect(plan.visits.savedByMerging).toBe(shared);
    expect(plan.visits.count).toBe(plan.visits.taskSelections - shared);
    expect((await loadDemoPlan(t.db, { now })).loaded).toBe(false);
  });
});
