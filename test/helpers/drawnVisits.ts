/**
 * A drawn joint task whose window contains today, so that results can be entered today: the draw
 * registry (test/helpers/drawRegistry.ts) plus the key matter SCJG-02 (all SCJG officers
 * qualified), a WJ department, and one task of SCJG (lead, 2 officers) and SW (1 officer) over
 * SCJG-01, SCJG-02 and SW-01, drafted by `zhang`, approved, committed, seeded and drawn by `li`.
 * Used by the results tests of the API and of the console.
 */
import type { Executor } from '../../src/db/connection.ts';
import { shanghaiDate } from '../../src/domain/time.ts';
import * as draws from '../../src/services/draws.ts';
import * as plans from '../../src/services/plans.ts';
import * as registry from '../../src/services/registry.ts';
import { seedDrawRegistry, type DrawRegistry } from './drawRegistry.ts';

export interface DrawnVisit {
  id: string;
  uscc: string;
  name: string;
  team: string[];
  matters: string[];
}

export const today = shanghaiDate();
export const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export async function seedDrawnVisits(db: Executor): Promise<{ reg: DrawRegistry; planId: string; taskId: string; visits: DrawnVisit[] }> {
  const reg = await seedDrawRegistry(db, { objects: 300 });
  const ctx = { name: 'test' };
  await registry.upsertDepartment(db, { code: 'WJ', name: '渝中区卫生健康委员会' }, ctx);
  await registry.upsertMatter(db, { code: 'SCJG-02', department: 'SCJG', name: '食品经营许可情况检查', importance: 'key' }, ctx);
  for (const c of reg.officers.scjg) await registry.upsertInspector(db, { certificateNo: c, qualifications: ['SCJG-01', 'SCJG-02'] }, ctx);
  const plan = await plans.createPlan(db, { organization: 'SCJG', year: Number(today.slice(0, 4)) }, { name: 'zhang' });
  const task = await plans.createTask(
    db,
    plan.id,
    {
      lead: { code: 'SCJG', officersPerTeam: 2 },
      partners: [{ code: 'SW', officersPerTeam: 1 }],
      matters: ['SCJG-01', 'SCJG-02', 'SW-01'],
      selection: { mode: 'rates', rates: { A: '0.04', B: '0.04', C: '0.05', D: '0.1', U: '0.05' } },
      // Today is inside the window, so results can be entered for today.
      window: { start: today, end: plusDays(today, 20) },
      randomnessSource: '双色球开奖号码',
    },
    { name: 'zhang' },
  );
  await plans.approveTask(db, task.id, { name: 'li' });
  const c = await plans.commitTask(db, task.id, { name: 'li' });
  await draws.seedDraw(db, c.drawId!, '05 11 17 23 29 31 + 02', { name: 'li' });
  await plans.drawTask(db, task.id, { name: 'li' });
  const rows = await db
    .selectFrom('visits')
    .innerJoin('objects', 'objects.uscc', 'visits.uscc')
    .select(['visits.id', 'visits.uscc', 'objects.name', 'visits.team', 'visits.matters'])
    .orderBy('visits.uscc')
    .execute();
  return { reg, planId: plan.id, taskId: task.id, visits: rows.map((r) => ({ id: r.id, uscc: r.uscc, name: r.name, team: r.team, matters: r.matters })) };
}
