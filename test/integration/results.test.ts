/**
 * The inspectors' work on both engines: visits drawn and merged by the plan, the notice that
 * freezes a visit, results and their consistency rules, exemption proposals, no-coercion checks
 * with their two-person override, review by someone not on the team, publication after
 * approval, and the abnormal-list follow-up of results 6 and C.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { seedDrawRegistry, type DrawRegistry } from '../helpers/drawRegistry.ts';
import * as plans from '../../src/services/plans.ts';
import * as draws from '../../src/services/draws.ts';
import * as registry from '../../src/services/registry.ts';
import { submitResult } from '../../src/services/results/entry.ts';
import { recordAbnormalListing } from '../../src/services/results/followUp.ts';
import { issueNotice } from '../../src/services/results/notices.ts';
import { approveOverride, requestOverride } from '../../src/services/results/overrides.ts';
import { publishResult, reviewResult } from '../../src/services/results/review.ts';
import { getAssignment, listAssignments, listMyAssignments } from '../../src/services/results/views.ts';
import { renderPrintableNotice } from '../../src/web/notice.ts';
import { listDeadlines } from '../../src/services/deadlines.ts';
import { loadCalendar } from '../../src/services/calendar.ts';
import { listAudit, verifyAudit } from '../../src/services/audit.ts';
import type { UserActor } from '../../src/domain/actor.ts';

let t: TestDb;
let reg: DrawRegistry;
let planId: string;
let taskId: string;
const author = { name: 'zhang' };
const approver = { name: 'li' };
const ctx = { name: 'test' };

const at = (iso: string) => new Date(iso);
const NOTICE_AT = at('2026-12-08T02:00:00Z');
const LATER = at('2026-12-10T02:00:00Z');

type Visit = Awaited<ReturnType<typeof plans.planVisits>>[number] & { id: string };

function user(role: UserActor['role'], username: string, extra: Partial<UserActor> = {}, now = LATER): UserActor {
  return { userId: username, name: username, role, department: null, officer: null, ...extra, now };
}
const inspector = (cert: string, now = LATER) => user('inspector', `insp-${cert}`, { officer: cert, department: cert.startsWith('50010302') ? 'SW' : 'SCJG' }, now);
const reviewer = user('reviewer', 'reviewer-wang');
const admin = user('admin', 'admin-zhao');
const regulatorScjg = user('regulator', 'reg-scjg', { department: 'SCJG' });
const regulatorSw = user('regulator', 'reg-sw', { department: 'SW' });
const regulatorWj = user('regulator', 'reg-wj', { department: 'WJ' });

async function visits(): Promise<Visit[]> {
  return (await t.db.selectFrom('visits').selectAll().where('plan_id', '=', planId).orderBy('uscc').execute()).map((v) => ({
    id: v.id,
    uscc: v.uscc,
    window: { start: v.window_start, end: v.window_end },
    tasks: v.task_ids,
    matters: v.matters,
    team: v.team,
    notifiedAt: v.notified_at,
  }));
}

/** An officer of the registry who is not on the visit's team. */
const outsider = (v: Visit) => [...reg.officers.scjg, ...reg.officers.sw].find((c) => !v.team.includes(c))!;

const compliant = (matters: string[]) => matters.map((m) => ({ matter: m, compliant: true }));

let pool: Visit[] = [];
/** A fresh visit, notified by its first team member. */
async function notifiedVisit(): Promise<Visit> {
  const v = pool.shift()!;
  await issueNotice(t.db, inspector(v.team[0], NOTICE_AT), v.id, renderPrintableNotice);
  return v;
}

beforeAll(async () => {
  t = await createTestDb();
  reg = await seedDrawRegistry(t.db);
  await registry.upsertDepartment(t.db, { code: 'WJ', name: '渝中区卫生健康委员会' }, ctx);
  await registry.upsertMatter(t.db, { code: 'SCJG-02', department: 'SCJG', name: '食品经营许可情况检查', importance: 'key', legalBasis: '《中华人民共和国食品安全法》第三十五条' }, ctx);
  for (const c of reg.officers.scjg) await registry.upsertInspector(t.db, { certificateNo: c, qualifications: ['SCJG-01', 'SCJG-02'] }, ctx);
  planId = (await plans.createPlan(t.db, { organization: 'SCJG', year: 2026 }, author)).id;
  const task = await plans.createTask(
    t.db,
    planId,
    {
      lead: { code: 'SCJG', officersPerTeam: 2 },
      partners: [{ code: 'SW', officersPerTeam: 1 }],
      matters: ['SCJG-01', 'SCJG-02', 'SW-01'],
      selection: { mode: 'rates', rates: { A: '0.03', B: '0.035', C: '0.05', D: '0.1', U: '0.04' } },
      window: { start: '2026-12-07', end: '2026-12-25' },
      randomnessSource: '2026年12月1日中国福利彩票双色球开奖号码',
    },
    author,
  );
  taskId = task.id;
  await plans.approveTask(t.db, task.id, approver);
  const committed = await plans.commitTask(t.db, task.id, approver);
  await draws.seedDraw(t.db, committed.drawId!, '2026-12-01 07 12 19 25 30 33 + 05', approver);
  await plans.drawTask(t.db, task.id, approver);
});
afterAll(async () => t?.destroy());

describe(`assignments and the notice on ${testDialect}`, () => {
  it('an inspector sees only its own teams’ visits; a regulator only its departments’', async () => {
    const all = await visits();
    expect(all.length).toBeGreaterThan(8);
    const cert = all[0].team[0];
    const mine = await listMyAssignments(t.db, inspector(cert), {}, { limit: 500, offset: 0 });
    const expected = all.filter((v) => v.team.includes(cert));
    expect(mine.total).toBe(expected.length);
    expect(mine.items.map((i) => i.id).sort()).toEqual(expected.map((v) => v.id).sort());
    const first = mine.items.find((i) => i.id === all[0].id)!;
    expect(first).toMatchObject({ status: 'pending-notice', notified: false, entity: { uscc: all[0].uscc }, window: { start: '2026-12-07', end: '2026-12-25' } });
    expect(first.entity.name).toMatch(/^测试主体/);
    expect(first.matters.map((m) => m.name)).toEqual(['企业公示信息抽查', '食品经营许可情况检查', '发票使用情况检查']);
    expect(first.team.map((m) => m.certificateNo)).toEqual(all[0].team);
    expect(first.team.every((m) => m.name.length > 0)).toBe(true);
    expect(first.tasks[0].name).toBe('渝中区市场监督管理局2026年度第1号抽查任务');
    // Pagination.
    const page = await listMyAssignments(t.db, inspector(cert), {}, { limit: 1, offset: 1 });
    expect(page).toMatchObject({ total: expected.length, limit: 1, offset: 1 });
    expect(page.items).toHaveLength(expected.length > 1 ? 1 : 0);

    const v = all[0];
    await expect(getAssignment(t.db, inspector(outsider(v)), v.id)).rejects.toMatchObject({ status: 404, code: 'ASSIGNMENT_NOT_FOUND' });
    await expect(getAssignment(t.db, regulatorWj, v.id)).rejects.toMatchObject({ status: 404, code: 'ASSIGNMENT_NOT_FOUND' });
    expect((await getAssignment(t.db, regulatorSw, v.id)).entity.uscc).toBe(v.uscc);
    expect((await getAssignment(t.db, reviewer, v.id)).id).toBe(v.id);
    expect((await listAssignments(t.db, regulatorWj, {}, { limit: 50, offset: 0 })).total).toBe(0);
    expect((await listAssignments(t.db, regulatorSw, {}, { limit: 50, offset: 0 })).total).toBe(all.length);
  });

  it('the first notice marks the visit notified and freezes it; reprints are identical', async () => {
    const [v, other] = await visits();
    await expect(issueNotice(t.db, inspector(outsider(v), NOTICE_AT), v.id, renderPrintableNotice)).rejects.toMatchObject({ code: 'ASSIGNMENT_NOT_FOUND' });
    const first = await issueNotice(t.db, inspector(v.team[1], NOTICE_AT), v.id, renderPrintableNotice);
    expect(first.firstIssue).toBe(true);
    expect(first.number).toBe('SCJG检通〔2026〕第1号');
    expect(first.html).toContain('检查通知书');
    expect(first.html).toContain(v.uscc);
    for (const c of v.team) expect(first.html).toContain(c);
    expect(first.html).toContain('2026年12月7日');
    expect(first.html).toContain('2026年12月25日');
    expect(first.html).toContain('营业执照');
    expect(first.html).toContain('进货查验记录'); // a food matter
    expect(first.html).toContain('发票'); // the tax matter
    expect(first.html).toContain('《中华人民共和国食品安全法》第三十五条'); // the matter's legal basis
    expect(first.html).toContain('国发〔2019〕5号');
    expect(first.html).toMatch(/检查核验码：<strong>[^<]+<\/strong>/); // the check code, printed by the web renderer
    expect(first.html).toContain('<svg'); // and its QR image
    const again = await issueNotice(t.db, inspector(v.team[0], LATER), v.id, renderPrintableNotice);
    expect(again).toMatchObject({ firstIssue: false, number: first.number, issuedAt: first.issuedAt });
    expect(again.html).toBe(first.html);
    // A reprint serves the stored page: the renderer is not called again.
    const reprint = await issueNotice(t.db, inspector(v.team[0], LATER), v.id, () => Promise.reject(new Error('a reprint must not render')));
    expect(reprint.html).toBe(first.html);
    const detail = await getAssignment(t.db, inspector(v.team[0]), v.id);
    expect(detail).toMatchObject({ status: 'notified', notifiedAt: NOTICE_AT.toISOString(), notice: { number: first.number } });

    // A merge rebuilds the visits not yet notified and keeps the notified one as it is.
    await plans.mergeVisits(t.db, planId, approver);
    const after = await visits();
    const kept = after.find((x) => x.id === v.id)!;
    expect(kept).toMatchObject({ team: v.team, matters: v.matters, notifiedAt: NOTICE_AT.toISOString() });
    expect(after.some((x) => x.id === other.id)).toBe(false);
    expect(after.some((x) => x.uscc === other.uscc)).toBe(true);
    const audit = await listAudit(t.db, { entity: 'visit', entityId: v.id, limit: 10 });
    expect(audit.rows.map((r) => r.action)).toEqual(['visit.notify']);
    // The audit entry holds the hash of the page exactly as rendered and stored.
    expect(audit.rows[0].after).toMatchObject({ notice: first.number, sha256: createHash('sha256').update(first.html).digest('hex') });
    pool = after.filter((x) => !x.notifiedAt);
  });
});

describe(`results on ${testDialect}`, () => {
  it('needs the notice first, a team member, and consistent codes, follow-up and findings', async () => {
    const v = pool.shift()!;
    const member = inspector(v.team[0]);
    const ok = { inspectedOn: '2026-12-09', codes: ['1'], method: '实地检查', followUp: '无需后续处置', findings: compliant(v.matters) };
    await expect(submitResult(t.db, member, v.id, ok)).rejects.toMatchObject({ status: 409, code: 'NOT_NOTIFIED' });
    await issueNotice(t.db, inspector(v.team[0], NOTICE_AT), v.id, renderPrintableNotice);
    await expect(submitResult(t.db, inspector(outsider(v)), v.id, ok)).rejects.toMatchObject({ status: 404 });
    await expect(submitResult(t.db, regulatorScjg, v.id, ok)).rejects.toMatchObject({ status: 403, code: 'NOT_ON_TEAM' });

    const bad = async (body: object) => {
      try {
        await submitResult(t.db, member, v.id, { ...ok, ...body });
      } catch (e) {
        return (e as { problems: { path: string; code: string }[] }).problems.map((p) => `${p.path}:${p.code}`);
      }
      throw new Error('accepted');
    };
    expect(await bad({ codes: ['1', 'A', '2'] })).toContain('codes:CODE_1_EXCLUSIVE');
    expect(await bad({ codes: ['B'], followUp: '责令改正' })).toEqual(expect.arrayContaining(['codes:CODE_PARENT_MISSING']));
    expect(await bad({ codes: ['A', '2', 'B'], followUp: '无需后续处置' })).toContain('followUp:FOLLOW_UP_REQUIRED');
    expect(await bad({ codes: ['9', '1'] })).toEqual(expect.arrayContaining(['codes:CODE_1_EXCLUSIVE', 'codes:ENTITY_GONE_EXCLUSIVE']));
    expect(await bad({ codes: ['A'], followUp: '责令改正' })).toContain('codes:OUTCOME_NEEDS_CATEGORY');
    expect(await bad({ codes: ['A', '2', '6'], method: '书面检查', followUp: '反馈日常监管部门', findings: [] })).toContain('method:METHOD_MISMATCH');
    expect(await bad({ findings: compliant(v.matters).slice(1) })).toContain('findings:MATTER_NOT_CHECKED');
    expect(await bad({ findings: [...compliant(v.matters), { matter: 'XX-99', compliant: true }] })).toContain('findings.3.matter:UNKNOWN_MATTER');
    const violation = [{ matter: 'SCJG-02', compliant: false, violationType: 'FOOD_LICENCE_CHANGE_NOT_APPLIED' }, ...compliant(['SCJG-01', 'SW-01'])];
    expect(await bad({ findings: violation })).toEqual(
      expect.arrayContaining(['codes:CODE_1_WITH_VIOLATION', 'findings.0.harm:FINDING_INCOMPLETE', 'findings.0.correction:FINDING_INCOMPLETE', 'followUp:CORRECTION_ORDER_REQUIRED']),
    );
    expect(await bad({ codes: ['A', '3'], followUp: '移送办案机构', findings: violation.map((f, i) => (i ? f : { ...f, harm: 'minor', correction: 'none' })) })).toContain(
      'followUp:CORRECTION_ORDER_REQUIRED',
    );
    expect(await bad({ findings: [{ matter: 'SCJG-01', compliant: true, harm: 'minor' }, ...compliant(['SCJG-02', 'SW-01'])] })).toContain('findings.0.harm:FINDING_CONTRADICTS');
    expect(await bad({ inspectedOn: '2026-12-26' })).toEqual(expect.arrayContaining(['inspectedOn:FUTURE_DATE', 'inspectedOn:OUTSIDE_WINDOW']));
    expect(await bad({ inspectedOn: '2026-12-07' })).toContain('inspectedOn:BEFORE_NOTICE');
    expect(await bad({ codes: ['Z'] })).toContain('codes.0:INVALID_FIELD');

    const entered = await submitResult(t.db, member, v.id, ok);
    expect(entered.created).toBe(true);
    expect(entered.assignment.status).toBe('entered');
    expect(entered.assignment.result).toMatchObject({ status: 'entered', codes: [{ code: '1', label: '未发现问题' }], followUp: ['无需后续处置'], revision: 1, enteredBy: member.name });
    // Another member edits it while it is entered.
    const edited = await submitResult(t.db, inspector(v.team[2]), v.id, { ...ok, method: '书面检查', note: '补充书面材料' });
    expect(edited.created).toBe(false);
    expect(edited.assignment.result).toMatchObject({ method: '书面检查', revision: 2, updatedBy: `insp-${v.team[2]}` });
  });

  it('stores the exemption proposal for an eligible first violation, and the failed condition for a second one', async () => {
    const v = await notifiedVisit();
    const body = {
      inspectedOn: '2026-12-09',
      codes: ['A', '3'],
      method: '实地检查',
      followUp: ['责令改正'],
      findings: [
        { matter: 'SCJG-02', compliant: false, violationType: 'FOOD_LICENCE_CHANGE_NOT_APPLIED', violatedProvision: '《食品经营许可和备案管理办法》第二十九条', harm: 'minor', correction: 'within-deadline' },
        ...compliant(['SCJG-01', 'SW-01']),
      ],
    };
    // An older violation of another type does not count.
    await registry.recordPastViolation(t.db, { uscc: v.uscc, occurredOn: '2025-06-01', violationType: 'PRICE_NOT_MARKED' }, ctx);
    const first = await submitResult(t.db, inspector(v.team[0]), v.id, body);
    const f = first.assignment.result!.findings[0];
    expect(f.exemption).toMatchObject({
      exempt: true,
      correctionOrderRequired: true,
      proposal: { decision: '不予处罚', kind: 'first-violation', itemNumber: '3', listVersion: 'national-2025' },
      failed: [],
      priorViolations: [],
    });
    expect(f.exemption!.proposal!.basis).toContain('《中华人民共和国行政处罚法》第三十三条第一款');
    expect(f.exemption!.message).toContain('仍须责令改正');
    expect(first.assignment.result!.findings[1].exemption).toBeUndefined();

    // Approval records the violation: it is on the entity's record for the next time.
    await reviewResult(t.db, reviewer, v.id, { decision: 'approve' });
    const record = await t.db.selectFrom('past_violations').selectAll().where('uscc', '=', v.uscc).where('violation_type', '=', 'FOOD_LICENCE_CHANGE_NOT_APPLIED').execute();
    expect(record).toMatchObject([{ occurred_on: '2026-12-09' }]);
    expect(record[0].decision).toContain('不予处罚');

    // Another entity with the same violation 14 months earlier: not a first violation.
    const w = await notifiedVisit();
    await registry.recordPastViolation(t.db, { uscc: w.uscc, occurredOn: '2025-10-15', violationType: 'FOOD_LICENCE_CHANGE_NOT_APPLIED', decision: '警告' }, ctx);
    const second = await submitResult(t.db, inspector(w.team[0]), w.id, body);
    const g = second.assignment.result!.findings[0];
    expect(g.exemption).toMatchObject({ exempt: false, proposal: null, correctionOrderRequired: true, priorViolations: [{ occurredOn: '2025-10-15', violationType: 'FOOD_LICENCE_CHANGE_NOT_APPLIED' }] });
    expect(g.exemption!.failed).toEqual([expect.objectContaining({ listVersion: 'national-2025', itemNumber: '3', condition: 'firstViolation', code: 'NOT_FIRST_VIOLATION' })]);
    expect(g.exemption!.failed[0].message).toContain('2025-10-15');

    // A violation no list covers (a known type of data/violation-types.json) says so.
    const third = await submitResult(t.db, inspector(w.team[0]), w.id, {
      ...body,
      findings: [{ ...body.findings[0], violationType: 'DISCLOSURE_INCOMPLETE' }, ...body.findings.slice(1)],
    });
    expect(third.assignment.result!.findings[0].exemption!.failed.every((c) => c.code === 'NOT_LISTED')).toBe(true);
  });

  it('refuses a measure the no-coercion list rules out, records the basis, and needs two people to override it', async () => {
    const v = await notifiedVisit();
    const member = inspector(v.team[0]);
    const sealUp = {
      measure: 'seal-up',
      object: '经营场所（解放碑某路 1 号）',
      reason: '涉嫌无照经营',
      matter: 'SCJG-01',
      situationType: 'UNLICENSED_BUSINESS',
      firstViolation: true,
      correctedInTime: true,
      licenceInvolved: false,
      evidenceDestructionRisk: false,
      harmSpreadRisk: false,
    };
    const seizure = { measure: 'seizure', object: '加工设备一台', reason: '涉嫌无照经营，有转移风险', situationType: 'UNLICENSED_BUSINESS', evidenceDestructionRisk: true, itemKind: 'tools-usable-for-lawful-business' };
    const body = {
      inspectedOn: '2026-12-09',
      codes: ['A', '2', 'D'],
      method: '实地检查',
      followUp: ['责令改正', '移送办案机构'],
      findings: [{ matter: 'SCJG-01', compliant: false, violationType: 'UNLICENSED_BUSINESS', harm: 'minor', correction: 'none' }, ...compliant(['SCJG-02', 'SW-01'])],
      measures: [sealUp, seizure],
    };
    const r = await submitResult(t.db, member, v.id, body);
    const [m1, m2] = r.assignment.result!.measures;
    expect(m1).toMatchObject({ n: 1, measure: 'seal-up', measureName: '查封', state: 'refused', refused: true, listVersion: 'chongqing-2022', itemNumber: '1', object: sealUp.object });
    expect(m1.basis).toContain('《中华人民共和国行政强制法》第五条');
    expect(m2).toMatchObject({ n: 2, state: 'allowed', basis: null });

    // The override: a reason from a team member, then a second person not on the team.
    await expect(requestOverride(t.db, member, v.id, 2, { reason: '证据可能被转移' })).rejects.toMatchObject({ code: 'MEASURE_NOT_REFUSED' });
    await expect(requestOverride(t.db, inspector(outsider(v)), v.id, 1, { reason: '现场有转移财物迹象' })).rejects.toMatchObject({ status: 404 });
    await expect(approveOverride(t.db, regulatorScjg, v.id, 1, {})).rejects.toMatchObject({ code: 'OVERRIDE_NOT_REQUESTED' });
    await requestOverride(t.db, member, v.id, 1, { reason: '当事人拒不停止经营，现场有转移财物迹象' });
    // Review cannot approve while an override waits.
    await expect(reviewResult(t.db, reviewer, v.id, { decision: 'approve' })).rejects.toMatchObject({ code: 'OVERRIDE_PENDING' });
    await expect(approveOverride(t.db, member, v.id, 1, {})).rejects.toMatchObject({ status: 403 });
    const certifiedReviewer = user('reviewer', 'reviewer-on-team', { officer: v.team[1] });
    await expect(approveOverride(t.db, certifiedReviewer, v.id, 1, {})).rejects.toMatchObject({ status: 403, code: 'FOUR_EYES' });
    await expect(approveOverride(t.db, regulatorWj, v.id, 1, {})).rejects.toMatchObject({ status: 404 });
    // An edit that keeps the same proposal keeps the request.
    const reEdited = await submitResult(t.db, member, v.id, { ...body, note: '补充' });
    expect(reEdited.assignment.result!.measures[0]).toMatchObject({ state: 'override-requested', override: { requestedBy: member.name } });
    const done = await approveOverride(t.db, regulatorScjg, v.id, 1, { comment: '同意，限定在必要范围' });
    expect(done.result!.measures[0]).toMatchObject({
      state: 'overridden',
      basis: m1.basis,
      override: { reason: '当事人拒不停止经营，现场有转移财物迹象', requestedBy: member.name, approvedBy: 'reg-scjg', comment: '同意，限定在必要范围' },
    });
    expect(done.result!.events.map((e) => [e.action, e.from, e.to, e.measure])).toEqual([
      ['enter', null, 'entered', null],
      ['override-request', 'refused', 'override-requested', 1],
      ['edit', 'entered', 'entered', null],
      ['override-approve', 'override-requested', 'overridden', 1],
    ]);
    const audit = await listAudit(t.db, { entity: 'inspection-result', entityId: done.result!.id, limit: 20 });
    expect(audit.rows.map((x) => x.action).reverse()).toEqual(['result.enter', 'result.measure-override-request', 'result.edit', 'result.measure-override-approve']);
  });

  it('review is by someone not on the team; returned with a comment, re-entered, approved, then published', async () => {
    const v = await notifiedVisit();
    const member = inspector(v.team[0]);
    const body = { inspectedOn: '2026-12-09', codes: ['1'], method: '实地检查', followUp: '无需后续处置', findings: compliant(v.matters) };
    await expect(reviewResult(t.db, reviewer, v.id, { decision: 'approve' })).rejects.toMatchObject({ code: 'NO_RESULT' });
    await submitResult(t.db, member, v.id, body);
    await expect(publishResult(t.db, regulatorScjg, v.id)).rejects.toMatchObject({ status: 409, code: 'RESULT_NOT_APPROVED' });
    // A reviewer who holds a certificate on this team may not review it.
    const onTeam = user('reviewer', 'reviewer-2', { officer: v.team[2] });
    await expect(reviewResult(t.db, onTeam, v.id, { decision: 'approve' })).rejects.toMatchObject({ status: 403, code: 'FOUR_EYES' });
    await expect(reviewResult(t.db, member, v.id, { decision: 'approve' })).rejects.toMatchObject({ status: 403 });
    await expect(reviewResult(t.db, reviewer, v.id, { decision: 'return' })).rejects.toMatchObject({ status: 400, code: 'COMMENT_REQUIRED' });
    const returned = await reviewResult(t.db, reviewer, v.id, { decision: 'return', comment: '请补充发票检查的书面材料' });
    expect(returned).toMatchObject({ status: 'returned', result: { status: 'returned', reviewComment: '请补充发票检查的书面材料', reviewedBy: 'reviewer-wang' } });
    // The team sees the comment on its assignment and re-enters.
    const seen = await getAssignment(t.db, inspector(v.team[1]), v.id);
    expect(seen.result!.reviewComment).toBe('请补充发票检查的书面材料');
    await expect(reviewResult(t.db, reviewer, v.id, { decision: 'approve' })).rejects.toMatchObject({ code: 'RESULT_RETURNED' });
    const again = await submitResult(t.db, inspector(v.team[1]), v.id, { ...body, note: '已补充发票领用存记录' });
    expect(again.assignment.result).toMatchObject({ status: 'entered', revision: 2, note: '已补充发票领用存记录' });
    const approved = await reviewResult(t.db, admin, v.id, { decision: 'approve', comment: '同意' });
    expect(approved.result).toMatchObject({ status: 'approved', reviewedBy: 'admin-zhao', abnormalFollowUp: false, deadlines: [] });
    await expect(submitResult(t.db, member, v.id, body)).rejects.toMatchObject({ status: 409, code: 'RESULT_LOCKED' });
    await expect(publishResult(t.db, regulatorWj, v.id)).rejects.toMatchObject({ status: 404 });
    const published = await publishResult(t.db, regulatorSw, v.id);
    expect(published).toMatchObject({ status: 'published', result: { status: 'published', publishedBy: 'reg-sw' } });
    await expect(publishResult(t.db, regulatorSw, v.id)).rejects.toMatchObject({ code: 'RESULT_ALREADY_PUBLISHED' });
    expect(published.result!.events.map((e) => [e.action, e.from, e.to, e.actor, e.comment])).toEqual([
      ['enter', null, 'entered', member.name, null],
      ['return', 'entered', 'returned', 'reviewer-wang', '请补充发票检查的书面材料'],
      ['re-enter', 'returned', 'entered', `insp-${v.team[1]}`, null],
      ['approve', 'entered', 'approved', 'admin-zhao', '同意'],
      ['publish', 'approved', 'published', 'reg-sw', null],
    ]);
    const audit = await listAudit(t.db, { entity: 'inspection-result', entityId: published.result!.id, limit: 20 });
    expect(audit.rows.map((x) => x.action).reverse()).toEqual(['result.enter', 'result.return', 'result.edit', 'result.approve', 'result.publish']);
    expect((await verifyAudit(t.db)).ok).toBe(true);
    expect((await listAssignments(t.db, reviewer, { state: 'published' }, { limit: 50, offset: 0 })).items.map((i) => i.id)).toEqual([v.id]);
  });

  it('results 6 and C open a 10-working-day abnormal-list follow-up on approval, met by the listing', async () => {
    const v6 = await notifiedVisit();
    await submitResult(t.db, inspector(v6.team[0]), v6.id, { inspectedOn: '2026-12-09', codes: ['A', '2', '6'], method: '实地检查', followUp: ['反馈日常监管部门'] });
    let detail = await getAssignment(t.db, reviewer, v6.id);
    expect(detail.result!.deadlines).toEqual([]); // not before approval
    await expect(recordAbnormalListing(t.db, regulatorScjg, v6.id, {})).rejects.toMatchObject({ code: 'RESULT_NOT_APPROVED' });
    detail = await reviewResult(t.db, reviewer, v6.id, { decision: 'approve' });
    // Wednesday 9 December 2026 + 10 working days (two weekends skipped) = Wednesday 23 December.
    expect(loadCalendar().addWorkingDays('2026-12-09', 10).value).toBe('2026-12-23');
    expect(detail.result!.deadlines).toEqual([
      expect.objectContaining({ kind: 'abnormal-follow-up', subject: detail.result!.id, uscc: v6.uscc, taskId, startsOn: '2026-12-09', dueOn: '2026-12-23', state: 'open' }),
    ]);

    const vc = await notifiedVisit();
    await submitResult(t.db, inspector(vc.team[0]), vc.id, {
      inspectedOn: '2026-12-10',
      codes: ['A', '2', 'C'],
      method: '实地检查',
      followUp: ['责令改正', '移送办案机构'],
      findings: [{ matter: 'SCJG-01', compliant: false, violationType: 'DISCLOSURE_FALSE', harm: 'not-minor', correction: 'none' }, ...compliant(['SCJG-02', 'SW-01'])],
    });
    const c = await reviewResult(t.db, reviewer, vc.id, { decision: 'approve' });
    const [dc] = c.result!.deadlines;
    expect(dc).toMatchObject({ kind: 'abnormal-follow-up', startsOn: '2026-12-10', dueOn: loadCalendar().addWorkingDays('2026-12-10', 10).value, state: 'open' });
    expect(dc.dueOn).toBe('2026-12-24');
    const all = (await listDeadlines(t.db, { kind: 'abnormal-follow-up' })).map((d) => d.subject);
    expect(all.sort()).toEqual([detail.result!.id, c.result!.id].sort());

    // The follow-up: on the abnormal-operation list, the deadline met.
    await expect(recordAbnormalListing(t.db, regulatorWj, v6.id, {})).rejects.toMatchObject({ status: 404 });
    const listed = await recordAbnormalListing(t.db, regulatorScjg, v6.id, { listedOn: '2026-12-10' });
    expect(listed.result!.deadlines[0]).toMatchObject({ state: 'met', metOn: '2026-12-10' });
    const object = await registry.getObject(t.db, v6.uscc);
    expect(object.abnormalListings).toEqual([expect.objectContaining({ listedOn: '2026-12-10', reason: '通过登记的住所或者经营场所无法联系', removedOn: null })]);
    expect(listed.result!.events.at(-1)).toMatchObject({ action: 'abnormal-listing', actor: 'reg-scjg' });
  });
});
