/**
 * The demo's annual plan for the current year (Asia/Shanghai): joint tasks already drawn for
 * the coming weeks (merged into shared visits), a finished task, an approved task waiting for
 * its scheduled commitment, and a draft waiting for a second person's approval. Written through
 * the same services as everything else, with fixed demo randomness.
 */
import type { Db } from '../db/connection.ts';
import * as repo from '../db/repositories/plans.ts';
import { shanghaiDate } from '../domain/time.ts';
import * as plans from '../services/plans.ts';
import * as draws from '../services/draws.ts';

const AUTHOR = { name: 'demo:张伟' };
const APPROVER = { name: 'demo:李娜' };
const SCHEDULER = { name: 'scheduler' };

function shift(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function clampToYear(date: string, year: number): string {
  if (date < `${year}-01-01`) return `${year}-01-01`;
  if (date > `${year}-12-31`) return `${year}-12-31`;
  return date;
}

export async function loadDemoPlan(db: Db, opts: { now?: Date } = {}): Promise<{ loaded: boolean; planId?: string }> {
  if ((await repo.listPlans(db)).length > 0) return { loaded: false };
  const now = opts.now ?? new Date();
  const today = shanghaiDate(now);
  const year = Number(today.slice(0, 4));
  const at = (a: { name: string }) => ({ ...a, now });
  const plan = await plans.createPlan(db, { organization: 'SCJG', year }, at(AUTHOR));
  const soon = { start: clampToYear(shift(today, 3), year), end: clampToYear(shift(today, 24), year) };
  const earlier = { start: clampToYear(shift(today, -50), year), end: clampToYear(shift(today, -15), year) };

  const drawn = async (input: object, randomness: string, window: { start: string; end: string }) => {
    const t = await plans.createTask(db, plan.id, { ...input, window }, at(AUTHOR));
    await plans.approveTask(db, t.id, at(APPROVER));
    const c = await plans.commitTask(db, t.id, at(APPROVER));
    await draws.seedDraw(db, c.drawId!, randomness, at(APPROVER));
    return plans.drawTask(db, t.id, at(APPROVER));
  };

  // A finished joint task (market regulation with fire safety), its window in the past.
  const finished = await drawn(
    {
      lead: { code: 'SCJG', officersPerTeam: 2 },
      partners: [{ code: 'XF', officersPerTeam: 1 }],
      matters: ['SCJG-01', 'XF-01'],
      selection: { mode: 'rates', rates: { A: '0.03', B: '0.04', C: '0.1', D: '0.3', U: '0.04' } },
      randomnessSource: `${earlier.start} 前一日 中国福利彩票双色球开奖号码（演示）`,
    },
    '演示 03 09 14 21 27 30 + 12',
    earlier,
  );
  await plans.startTask(db, finished.id, at(SCHEDULER));
  await plans.completeTask(db, finished.id, at(SCHEDULER));

  // Two joint tasks for the coming weeks: their common entities are visited once.
  await drawn(
    {
      lead: { code: 'SCJG', officersPerTeam: 2 },
      partners: [{ code: 'XF', officersPerTeam: 1 }],
      matters: ['SCJG-01', 'XF-01'],
      selection: { mode: 'rates', rates: { A: '0.03', B: '0.04', C: '0.1', D: '0.3', U: '0.04' } },
      randomnessSource: `${shift(soon.start, -2)} 中国福利彩票双色球开奖号码（演示）`,
    },
    '演示 05 11 16 22 28 33 + 07',
    soon,
  );
  await drawn(
    {
      lead: { code: 'SCJG', officersPerTeam: 1 },
      partners: [{ code: 'WJ', officersPerTeam: 1 }],
      matters: ['SCJG-02', 'WJ-01'],
      filters: { industryCodes: ['H62'] },
      selection: { mode: 'rates', rates: { A: '0.03', B: '0.05', C: '0.1', D: '0.2', U: '0.05' } },
      randomnessSource: `${shift(soon.start, -2)} 中国福利彩票3D开奖号码（演示）`,
    },
    '演示 4 7 1',
    { start: soon.start, end: clampToYear(shift(soon.end, 5), year) },
  );

  // An approved task the scheduler will commit, and a draft awaiting a second person's approval.
  const scheduled = await plans.createTask(
    db,
    plan.id,
    {
      lead: { code: 'SCJG', officersPerTeam: 2 },
      matters: ['SCJG-03'],
      filters: { tags: ['特种设备使用单位'] },
      window: { start: clampToYear(shift(today, 20), year), end: clampToYear(shift(today, 32), year) },
      randomnessSource: '任务开始前一周的中国福利彩票双色球开奖号码（演示）',
      commitAt: new Date(now.getTime() + 7 * 86400000).toISOString(),
    },
    at(AUTHOR),
  );
  await plans.approveTask(db, scheduled.id, at(APPROVER));
  await plans.createTask(
    db,
    plan.id,
    {
      lead: { code: 'SCJG', officersPerTeam: 2 },
      matters: ['SCJG-06'],
      selection: { mode: 'rates', rates: { A: '0.01', B: '0.02', C: '0.04', D: '0.05', U: '0.02' } },
      window: { start: clampToYear(shift(today, 10), year), end: clampToYear(shift(today, 30), year) },
      randomnessSource: '待定：审批时指定（演示）',
    },
    at(AUTHOR),
  );
  return { loaded: true, planId: plan.id };
}
