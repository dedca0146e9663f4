/** The real scheduled jobs, driven by a fake clock through the scheduler. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { seedDrawRegistry } from '../helpers/drawRegistry.ts';
import { createDb } from '../../src/db/connection.ts';
import { createScheduler } from '../../src/jobs/scheduler.ts';
import { JOBS } from '../../src/jobs/definitions.ts';
import * as plans from '../../src/services/plans.ts';
import * as draws from '../../src/services/draws.ts';
import { listDeadlines } from '../../src/services/deadlines.ts';

let t: TestDb;
let planId: string;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const fakeCron = { schedule: () => ({ stop() {}, destroy() {} }) } as never;
const task = (extra: object = {}) => ({
  lead: { code: 'SCJG', officersPerTeam: 2 },
  partners: [{ code: 'SW', officersPerTeam: 1 }],
  matters: ['SCJG-01', 'SW-01'],
  selection: { mode: 'rates', rates: { A: '0.03', B: '0.035', C: '0.05', D: '0.1', U: '0.04' } },
  window: { start: '2026-12-07', end: '2026-12-25' },
  randomnessSource: '2026年12月1日中国福利彩票双色球开奖号码',
  ...extra,
});
/** An instant given as Asia/Shanghai wall-clock time. */
const cst = (local: string) => new Date(`${local}+08:00`);

beforeAll(async () => {
  t = await createTestDb();
  await seedDrawRegistry(t.db, { objects: 200 });
  planId = (await plans.createPlan(t.db, { organization: 'SCJG', year: 2026 }, { name: 'zhang' })).id;
});
afterAll(async () => t?.destroy());
// Each test plays its own stretch of time: start from a scheduler that has run nothing yet.
beforeEach(async () => {
  await t.db.deleteFrom('job_leases').execute();
});

describe(`scheduled jobs on ${testDialect}`, () => {
  it('commits an approved task at its scheduled time, and not before', async () => {
    const x = await plans.createTask(t.db, planId, task({ commitAt: '2026-12-01T09:00:00+08:00' }), { name: 'zhang' });
    await plans.approveTask(t.db, x.id, { name: 'li' });
    const s = createScheduler({ handle: t, jobs: JOBS, logger: quiet, cron: fakeCron });
    await s.runDue(cst('2026-12-01T08:59:00'));
    expect((await plans.getTask(t.db, x.id)).status).toBe('approved');
    await s.runDue(cst('2026-12-01T09:00:30'));
    const after = await plans.getTask(t.db, x.id);
    expect(after.status).toBe('committed');
    expect(after.events.at(-1)).toMatchObject({ to: 'committed', actor: 'scheduler' });
  });

  it('opens and closes the inspection window, then starts the 20-working-day publication deadline', async () => {
    const x = await plans.createTask(t.db, planId, task(), { name: 'zhang' });
    await plans.approveTask(t.db, x.id, { name: 'li' });
    const c = await plans.commitTask(t.db, x.id, { name: 'li' });
    await draws.seedDraw(t.db, c.drawId!, '11 22 33', { name: 'li' });
    await plans.drawTask(t.db, x.id, { name: 'li' });
    const s = createScheduler({ handle: t, jobs: JOBS, logger: quiet, cron: fakeCron });
    await s.runDue(cst('2026-12-06T23:50:00'));
    expect((await plans.getTask(t.db, x.id)).status).toBe('drawn');
    await s.runDue(cst('2026-12-07T00:06:00'));
    expect((await plans.getTask(t.db, x.id)).status).toBe('in_progress');
    await s.runDue(cst('2026-12-25T12:00:00'));
    expect((await plans.getTask(t.db, x.id)).status).toBe('in_progress');
    await s.runDue(cst('2026-12-26T00:06:00'));
    const done = await plans.getTask(t.db, x.id);
    expect(done.status).toBe('completed');
    // 20 working days after Friday 2026-12-25, over New Year 2027 (1 January off): … the calendar
    // knows 2026 but not 2027 yet, so the deadline carries its warning instead of a silent guess.
    const [deadline] = await listDeadlines(t.db, { taskId: x.id });
    expect(deadline.kind).toBe('publication');
    expect(deadline.startsOn).toBe('2026-12-25');
    expect(deadline.warnings.join()).toContain('CALENDAR_YEAR_UNKNOWN');
  });

  it('runs a job missed while the service was down once, when it comes back', async () => {
    const x = await plans.createTask(t.db, planId, task({ window: { start: '2026-12-08', end: '2026-12-09' } }), { name: 'zhang' });
    await plans.approveTask(t.db, x.id, { name: 'li' });
    const c = await plans.commitTask(t.db, x.id, { name: 'li' });
    await draws.seedDraw(t.db, c.drawId!, '5', { name: 'li' });
    await plans.drawTask(t.db, x.id, { name: 'li' });
    // The service was down from the 7th to the 20th: the first pass afterwards catches up once.
    const s = createScheduler({ handle: t, jobs: JOBS, logger: quiet, cron: fakeCron });
    const reports = await s.runDue(cst('2026-12-20T15:00:00'));
    const advance = reports.filter((r) => r.job === 'advance-task-windows');
    expect(advance).toHaveLength(1);
    expect(advance[0]).toMatchObject({ outcome: 'succeeded', slot: cst('2026-12-20T00:05:00').toISOString() });
    // The catch-up run moved the task through both windows' ends: started, then completed.
    const after = await plans.getTask(t.db, x.id);
    expect(['in_progress', 'completed']).toContain(after.status);
    const again = await s.runDue(cst('2026-12-20T16:00:00'));
    expect(again.find((r) => r.job === 'advance-task-windows')).toMatchObject({ outcome: 'skipped', reason: 'already-run' });
  });

  it('two instances on one database commit a scheduled task exactly once', async () => {
    const x = await plans.createTask(t.db, planId, task({ commitAt: '2026-12-02T09:00:00+08:00' }), { name: 'zhang' });
    await plans.approveTask(t.db, x.id, { name: 'li' });
    const other = createDb(t.config);
    try {
      const a = createScheduler({ handle: t, jobs: JOBS, logger: quiet, cron: fakeCron, instanceId: 'a' });
      const b = createScheduler({ handle: other, jobs: JOBS, logger: quiet, cron: fakeCron, instanceId: 'b' });
      const at = cst('2026-12-02T09:01:00');
      const [ra, rb] = await Promise.all([a.runDue(at), b.runDue(at)]);
      const runs = [...ra, ...rb].filter((r) => r.job === 'commit-scheduled-tasks' && r.outcome === 'succeeded');
      expect(runs).toHaveLength(1);
      const after = await plans.getTask(t.db, x.id);
      expect(after.status).toBe('committed');
      expect(after.draws).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});
