import { inTransaction } from '../../src/db/tx.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { seedDrawRegistry, type DrawRegistry } from '../helpers/drawRegistry.ts';
import * as plans from '../../src/services/plans.ts';
import { planDefaults } from '../../src/services/planDefaults.ts';
import * as draws from '../../src/services/draws.ts';
import * as registry from '../../src/services/registry.ts';

let t: TestDb;
let reg: DrawRegistry;
let planId: string;
const author = { name: 'zhang' };
const approver = { name: 'li' };

const task = (extra: object = {}) => ({
  lead: { code: 'SCJG', officersPerTeam: 2 },
  partners: [{ code: 'SW', officersPerTeam: 1 }],
  matters: ['SCJG-01', 'SW-01'],
  selection: { mode: 'rates', rates: { A: '0.03', B: '0.035', C: '0.05', D: '0.1', U: '0.04' } },
  window: { start: '2026-12-07', end: '2026-12-25' },
  randomnessSource: '2026年12月1日中国福利彩票双色球开奖号码',
  ...extra,
});

beforeAll(async () => {
  t = await createTestDb();
  reg = await seedDrawRegistry(t.db);
  planId = (await plans.createPlan(t.db, { organization: 'SCJG', year: 2026 }, author)).id;
});
afterAll(async () => t?.destroy());

describe(`plans and tasks on ${testDialect}`, () => {
  it('numbers tasks in the official style and records every transition', async () => {
    const plan = await plans.getPlan(t.db, planId);
    expect(plan.title).toBe('渝中区市场监督管理局2026年度双随机抽查计划');
    await expect(plans.createPlan(t.db, { organization: 'SCJG', year: 2026 }, author)).rejects.toMatchObject({ code: 'PLAN_EXISTS' });
    const a = await plans.createTask(t.db, planId, task(), author);
    const b = await plans.createTask(t.db, planId, task(), author);
    expect(a.name).toBe('渝中区市场监督管理局2026年度第1号抽查任务');
    expect(b.name).toBe('渝中区市场监督管理局2026年度第2号抽查任务');
    expect(a).toMatchObject({ status: 'draft', author: 'zhang', leadDepartment: 'SCJG' });
    expect(a.events).toMatchObject([{ from: null, to: 'draft', actor: 'zhang' }]);
  });

  it('fills defaults: the plan rates, and the lead department’s yearly cap per enterprise', async () => {
    await registry.upsertDepartment(t.db, { code: 'SCJG', name: '渝中区市场监督管理局' }, { name: 'test' });
    await t.db.updateTable('departments').set({ yearly_cap: 1 }).where('code', '=', 'SCJG').execute();
    const d = await plans.createTask(t.db, planId, task({ selection: undefined }), author);
    expect(d.selection).toEqual({ mode: 'rates', rates: planDefaults().rates });
    expect(d.exclusions.yearlyCap).toBe(1);
    await t.db.updateTable('departments').set({ yearly_cap: null }).where('code', '=', 'SCJG').execute();
  });

  it('four eyes: the author cannot approve; someone else can; a task cannot be drawn before approval', async () => {
    const x = await plans.createTask(t.db, planId, task(), author);
    await expect(plans.commitTask(t.db, x.id, author)).rejects.toMatchObject({ code: 'TASK_NOT_APPROVED' });
    await expect(plans.approveTask(t.db, x.id, author)).rejects.toMatchObject({ code: 'FOUR_EYES', status: 403 });
    const approved = await plans.approveTask(t.db, x.id, approver);
    expect(approved).toMatchObject({ status: 'approved', approvedBy: 'li' });
    // Editing an approved task sends it back to draft for a new approval.
    const edited = await plans.updateTask(t.db, x.id, task({ window: { start: '2026-12-08', end: '2026-12-26' } }), author);
    expect(edited).toMatchObject({ status: 'draft', approvedBy: null });
    expect(edited.events.map((e) => e.to)).toEqual(['draft', 'approved', 'draft']);
  });

  it('refuses to change a committed task, draws it through the verifiable draw, and follows its window', async () => {
    const x = await plans.createTask(t.db, planId, task(), author);
    await plans.approveTask(t.db, x.id, approver);
    const committed = await plans.commitTask(t.db, x.id, approver);
    expect(committed.status).toBe('committed');
    expect(committed.drawId).toBeTruthy();
    await expect(plans.updateTask(t.db, x.id, task(), author)).rejects.toMatchObject({ code: 'TASK_FROZEN' });
    await expect(plans.drawTask(t.db, x.id, approver)).rejects.toMatchObject({ code: 'DRAW_NOT_SEEDED' });
    await draws.seedDraw(t.db, committed.drawId!, '2026-12-01 07 12 19 25 30 33 + 05', approver);
    const drawn = await plans.drawTask(t.db, x.id, approver);
    expect(drawn.status).toBe('drawn');
    const d = await draws.getDraw(t.db, drawn.drawId!);
    expect(d.task).toBe(x.name);
    await plans.startTask(t.db, x.id, { name: 'scheduler' });
    await expect(plans.publishTask(t.db, x.id, approver)).rejects.toMatchObject({ code: 'TASK_TRANSITION' });
    await plans.completeTask(t.db, x.id, { name: 'scheduler' });
    const published = await plans.publishTask(t.db, x.id, approver);
    expect(published.events.map((e) => e.to)).toEqual(['draft', 'approved', 'committed', 'drawn', 'in_progress', 'completed', 'published']);
  });

  it('a voided task draw stays recorded and the task can be committed and drawn again', async () => {
    const x = await plans.createTask(t.db, planId, task(), author);
    await plans.approveTask(t.db, x.id, approver);
    const c = await plans.commitTask(t.db, x.id, approver);
    const back = await plans.voidTaskDraw(t.db, x.id, '随机数来源改期', approver);
    expect(back).toMatchObject({ status: 'approved', drawId: null, voidedDraws: 1 });
    const again = await plans.commitTask(t.db, x.id, approver);
    expect(again.drawId).not.toBe(c.drawId);
    expect(again.draws).toHaveLength(2);
  });

  it('enforces general-matter caps and the 3% enterprise-disclosure minimum at approval', async () => {
    const capped = await plans.createTask(t.db, planId, task({ selection: { mode: 'rates', rates: { A: '0.5', B: '0.5', C: '0.5', D: '0.5', U: '0.5' } } }), author);
    await expect(plans.approveTask(t.db, capped.id, approver)).rejects.toMatchObject({ code: 'GENERAL_MATTER_CAP' });
    await registry.upsertMatter(t.db, { code: 'SCJG-GS', department: 'SCJG', name: '企业公示信息抽查', importance: 'key' }, { name: 'test' });
    const low = await plans.createTask(
      t.db,
      planId,
      task({ partners: [], lead: { code: 'SCJG', officersPerTeam: 2 }, matters: ['SCJG-GS'], selection: { mode: 'rates', rates: { A: '0.01', B: '0.01', C: '0.01', D: '0.01', U: '0.01' } } }),
      author,
    );
    await expect(plans.approveTask(t.db, low.id, approver)).rejects.toMatchObject({ code: 'DISCLOSURE_MINIMUM' });
    const ok = await plans.createTask(
      t.db,
      planId,
      task({ partners: [], lead: { code: 'SCJG', officersPerTeam: 2 }, matters: ['SCJG-GS'], selection: { mode: 'rates', rates: { A: '0.03', B: '0.03', C: '0.05', D: '0.1', U: '0.03' } } }),
      author,
    );
    expect((await plans.approveTask(t.db, ok.id, approver)).status).toBe('approved');
  });

  it('merges tasks drawn for the same period into one visit per entity, redrawing nothing', async () => {
    const p = (await plans.createPlan(t.db, { organization: 'SW', year: 2026 }, author)).id;
    await registry.upsertMatter(t.db, { code: 'SW-01', ratioCap: 0.3 }, { name: 'test' });
    const mk = async (extra: object) => {
      const x = await plans.createTask(t.db, p, task(extra), author);
      await plans.approveTask(t.db, x.id, approver);
      const c = await plans.commitTask(t.db, x.id, approver);
      await draws.seedDraw(t.db, c.drawId!, '4 8 15 16 23 42', approver);
      return plans.drawTask(t.db, x.id, approver);
    };
    // High rates so that the two tasks share many entities; no cap or look-back between them.
    const rates = { mode: 'rates', rates: { A: '0.2', B: '0.2', C: '0.2', D: '0.2', U: '0.2' } };
    const first = await mk({ selection: rates, exclusions: { yearlyCap: null, lookbackDays: null }, matters: ['SCJG-01'], partners: [] , lead: { code: 'SCJG', officersPerTeam: 2 } });
    const second = await mk({ selection: rates, exclusions: { yearlyCap: null, lookbackDays: null }, matters: ['SW-01', 'SCJG-01'], window: { start: '2026-12-10', end: '2026-12-31' } });
    const s1 = await draws.drawSelections(t.db, first.drawId!);
    const s2 = await draws.drawSelections(t.db, second.drawId!);
    const shared = s1.filter((a) => s2.some((b) => b.uscc === a.uscc));
    expect(shared.length).toBeGreaterThan(0);
    const plan = await plans.getPlan(t.db, p);
    expect(plan.visits.taskSelections).toBe(s1.length + s2.length);
    expect(plan.visits.count).toBe(s1.length + s2.length - shared.length);
    expect(plan.visits.savedByMerging).toBe(shared.length);
    const visits = await plans.planVisits(t.db, p);
    const v = visits.find((x) => x.uscc === shared[0].uscc)!;
    const team1 = s1.find((x) => x.uscc === v.uscc)!.team;
    const team2 = s2.find((x) => x.uscc === v.uscc)!.team;
    expect(new Set(v.team)).toEqual(new Set([...team1, ...team2]));
    expect(v.matters.sort()).toEqual(['SCJG-01', 'SW-01']);
    expect(v.window).toEqual({ start: '2026-12-10', end: '2026-12-25' });
    // The draws themselves are untouched.
    expect(await draws.drawSelections(t.db, first.drawId!)).toEqual(s1);
    void reg;
  });
});

describe(`publication deadlines on ${testDialect}`, () => {
  it('counts 20 working days across the 2025 National Day holiday and flags approaching and overdue', async () => {
    const { openDeadline, checkDeadlines, listDeadlines } = await import('../../src/services/deadlines.ts');
    // Inspections ended Friday 2025-09-26: 20 working days, skipping 1–8 October and counting the
    // make-up workdays of Sunday 28 September and Saturday 11 October, end on Thursday 2025-10-30.
    await inTransaction(t.db, (trx) => openDeadline(trx, { kind: 'publication', subject: 'edge-2025', startsOn: '2025-09-26', workingDays: 20 }));
    const [d] = (await listDeadlines(t.db, { kind: 'publication' })).filter((x) => x.subject === 'edge-2025');
    expect(d).toMatchObject({ dueOn: '2025-10-30', state: 'open', warnings: [] });
    expect((await checkDeadlines(t.db, new Date('2025-10-20T01:00:00Z'))).some((f) => f.subject === 'edge-2025')).toBe(false);
    const soon = (await checkDeadlines(t.db, new Date('2025-10-27T01:00:00Z'))).find((f) => f.subject === 'edge-2025');
    expect(soon).toMatchObject({ state: 'approaching', workingDaysLeft: 3 });
    const late = (await checkDeadlines(t.db, new Date('2025-11-03T01:00:00Z'))).find((f) => f.subject === 'edge-2025');
    expect(late).toMatchObject({ state: 'overdue', workingDaysLeft: -2 });
  });

  it('records the calendar’s warning for a year it does not know', async () => {
    const { openDeadline, listDeadlines } = await import('../../src/services/deadlines.ts');
    await inTransaction(t.db, (trx) => openDeadline(trx, { kind: 'publication', subject: 'unknown-year', startsOn: '2031-03-02', workingDays: 20 }));
    const [d] = (await listDeadlines(t.db)).filter((x) => x.subject === 'unknown-year');
    expect(d.warnings.join()).toContain('CALENDAR_YEAR_UNKNOWN');
  });
});
