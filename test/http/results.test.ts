/**
 * /api/v1/me/assignments and /api/v1/assignments/{id}/…: who may read and write an assignment
 * (an inspector of another team, a regulator of another department: nothing of it leaks), the
 * printable notice, results with exemption and no-coercion checks, the two-person override,
 * review by someone not on the team, publication after approval, the abnormal-list follow-up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, startApi, type Agent, type Api } from './support.ts';
import type { DrawRegistry } from '../helpers/drawRegistry.ts';
import { plusDays, seedDrawnVisits, today, type DrawnVisit } from '../helpers/drawnVisits.ts';
import * as registry from '../../src/services/registry.ts';
import { loadCalendar } from '../../src/services/calendar.ts';

let api: Api;
let reg: DrawRegistry;

type Visit = DrawnVisit;
let visits: Visit[] = [];
let taskId = '';

beforeAll(async () => {
  api = await startApi();
  const db = api.db.db;
  ({ reg, taskId, visits } = await seedDrawnVisits(db));
});
afterAll(async () => api?.db.destroy());

let users = 0;
/** A signed-in inspector acting as the given officer. */
const officer = (cert: string) => api.as(`officer-${cert}-${++users}`, 'inspector', { officer: cert });
const outsider = (v: Visit) => [...reg.officers.scjg, ...reg.officers.sw].find((c) => !v.team.includes(c))!;
const compliant = (matters: string[]) => matters.map((m) => ({ matter: m, compliant: true }));
const okResult = (v: Visit) => ({ inspectedOn: today, codes: ['1'], method: '实地检查', followUp: '无需后续处置', findings: compliant(v.matters) });

/** Neither the entity's USCC nor its name appears anywhere in the response. */
function expectNoLeak(res: { text: string; status: number }, v: Visit, what: string) {
  expect([403, 404], `${what}: ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
  expect(res.text, what).not.toContain(v.uscc);
  expect(res.text, what).not.toContain(v.name);
  for (const c of v.team) expect(res.text, what).not.toContain(c);
}

async function notified(v: Visit, agent?: Agent): Promise<Agent> {
  const member = agent ?? (await officer(v.team[0]));
  const res = await member.get(`/api/v1/assignments/${v.id}/notice`);
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return member;
}

describe('the result codes', () => {
  it('lists the 18 codes in the order results are recorded, with their names and which lead to the abnormal list', async () => {
    const inspector = await officer(reg.officers.scjg[0]);
    const res = await inspector.get('/api/v1/result-codes');
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const items = res.body.items as { code: string; label: string; abnormalList: boolean }[];
    expect(items).toHaveLength(18);
    expect(items[0]).toEqual({ code: '1', label: '未发现问题', abnormalList: false });
    expect(items.map((i) => i.code).slice(0, 7)).toEqual(['1', 'A', '2', 'B', 'C', '6', 'D']);
    expect(items.filter((i) => i.abnormalList).map((i) => i.code)).toEqual(['C', '6']);
    expect(items.find((i) => i.code === '6')?.label).toBe('通过登记的住所（经营场所）无法联系');
    expect((await api.anonymous.get('/api/v1/result-codes')).status).toBe(401);
  });
});

describe('the notice carries the inspection check code', () => {
  it('prints a code (and its QR) that the public check page confirms with the team', async () => {
    const v = visits[visits.length - 1];
    const member = await officer(v.team[0]);
    const res = await member.get(`/api/v1/assignments/${v.id}/notice`);
    expect(res.status).toBe(200);
    const code = /检查核验码：<strong>([0-9A-Z]{10})<\/strong>/.exec(res.text)?.[1];
    expect(code).toBeTruthy();
    expect(res.text).toContain('<svg');
    const check = await api.anonymous.get(`/check?code=${code}`);
    expect(check.status).toBe(200);
    for (const c of v.team) expect(check.text).toContain(c);
  });
});

describe('who may see and change an assignment', () => {
  it('an inspector of another team gets nothing, on every assignment route, before and after the work starts', async () => {
    const v = visits[0];
    const stranger = await officer(outsider(v));
    const regWj = await api.as('reg-wj', 'regulator', { department: 'WJ' });
    const tryAll = async () => {
      const attempts: [string, Agent, () => Promise<{ text: string; status: number }>][] = [];
      for (const [who, agent] of [['inspector of another team', stranger], ['regulator of another department', regWj]] as const) {
        attempts.push(
          [`${who} GET`, agent, () => agent.get(`/api/v1/assignments/${v.id}`)],
          [`${who} notice`, agent, () => agent.get(`/api/v1/assignments/${v.id}/notice`)],
          [`${who} result`, agent, () => agent.post(`/api/v1/assignments/${v.id}/result`).send(okResult(v))],
          [`${who} review`, agent, () => agent.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'approve' })],
          [`${who} publish`, agent, () => agent.post(`/api/v1/assignments/${v.id}/publish`)],
          [`${who} override`, agent, () => agent.post(`/api/v1/assignments/${v.id}/measures/1/override`).send({ reason: '现场有转移财物迹象' })],
          [`${who} approve-override`, agent, () => agent.post(`/api/v1/assignments/${v.id}/measures/1/approve-override`).send({})],
          [`${who} abnormal-listing`, agent, () => agent.post(`/api/v1/assignments/${v.id}/abnormal-listing`).send({})],
        );
      }
      for (const [what, , call] of attempts) expectNoLeak(await call(), v, what);
      // Their lists do not hold it either.
      const mine = await stranger.get('/api/v1/me/assignments?limit=500');
      expect(mine.status).toBe(200);
      expect(mine.body.items.map((i: { id: string }) => i.id)).not.toContain(v.id);
      expect(mine.text).not.toContain(v.uscc);
      const theirs = await regWj.get('/api/v1/assignments?limit=500');
      expect(theirs.body).toMatchObject({ items: [], total: 0 });
    };
    await tryAll();
    // The stranger's notice request did not notify the entity.
    expect((await api.db.db.selectFrom('visits').select('notified_at').where('id', '=', v.id).executeTakeFirstOrThrow()).notified_at).toBeNull();
    // The stranger is refused as 404 (does not exist for it), and a role that may never call as 403.
    expectError(await stranger.get(`/api/v1/assignments/${v.id}`), 404, 'ASSIGNMENT_NOT_FOUND');
    expectError(await stranger.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'approve' }), 403, 'FORBIDDEN_ROLE');

    // The team does its work: notice, a result with a refused measure.
    const member = await notified(v);
    const r = await member.post(`/api/v1/assignments/${v.id}/result`).send({
      inspectedOn: today,
      codes: ['A', '2', 'D'],
      method: '实地检查',
      followUp: ['责令改正'],
      findings: [{ matter: 'SCJG-01', compliant: false, violationType: 'UNLICENSED_BUSINESS', harm: 'minor', correction: 'none' }, ...compliant(['SCJG-02', 'SW-01'])],
      measures: [{ measure: 'seal-up', object: '经营场所', reason: '涉嫌无照经营', situationType: 'UNLICENSED_BUSINESS', firstViolation: true, correctedInTime: true, licenceInvolved: false, evidenceDestructionRisk: false, harmSpreadRisk: false }],
    });
    expect(r.status, r.text.slice(0, 500)).toBe(201);
    const before = (await api.http.get(`/api/v1/assignments/${v.id}`)).body;
    await tryAll();
    const after = (await api.http.get(`/api/v1/assignments/${v.id}`)).body;
    expect(after).toEqual(before); // nothing changed
  });

  it('the team, the participating departments, reviewers and administrators see it', async () => {
    const v = visits[0];
    const member = await officer(v.team[2]);
    const mine = await member.get('/api/v1/me/assignments?limit=500');
    expect(mine.status).toBe(200);
    const item = mine.body.items.find((i: { id: string }) => i.id === v.id);
    expect(item).toMatchObject({
      entity: { uscc: v.uscc, name: v.name },
      matters: [
        { code: 'SCJG-01', name: '企业公示信息抽查' },
        { code: 'SCJG-02', name: '食品经营许可情况检查' },
        { code: 'SW-01', name: '发票使用情况检查' },
      ],
      window: { start: today, end: plusDays(today, 20) },
      status: 'entered',
      notified: true,
      tasks: [{ id: taskId }],
    });
    expect(item.team.map((t: { certificateNo: string }) => t.certificateNo)).toEqual(v.team);
    expect(item.entity.street).toBeTruthy();
    expect(mine.body.total).toBe(visits.filter((x) => x.team.includes(v.team[2])).length);
    const page = await member.get('/api/v1/me/assignments?limit=1&offset=0');
    expect(page.body).toMatchObject({ limit: 1, offset: 0, total: mine.body.total });
    expect(page.body.items).toHaveLength(1);
    expectError(await member.get('/api/v1/me/assignments?limit=0'), 400, 'VALIDATION_FAILED', 'query.limit');
    expectError(await api.http.get('/api/v1/me/assignments'), 403, 'FORBIDDEN_ROLE');

    const regSw = await api.as('reg-sw', 'regulator', { department: 'SW' });
    expect((await regSw.get(`/api/v1/assignments/${v.id}`)).body.entity.uscc).toBe(v.uscc);
    const reviewer = await api.as('reviewer-a', 'reviewer');
    const detail = await reviewer.get(`/api/v1/assignments/${v.id}`);
    expect(detail.body).toMatchObject({ id: v.id, status: 'entered', result: { status: 'entered' }, notice: { number: expect.stringMatching(/^SCJG检通〔\d{4}〕第\d+号$/) } });
    expect(detail.body.departments.map((d: { code: string }) => d.code)).toEqual(['SCJG', 'SW']);
    expectError(await reviewer.get('/api/v1/assignments/00000000-0000-4000-8000-000000000000'), 404, 'ASSIGNMENT_NOT_FOUND');
    expectError(await reviewer.get('/api/v1/assignments/not-a-uuid'), 400, 'VALIDATION_FAILED', 'params.id');
  });
});

describe('the notice', () => {
  it('is a printable Chinese HTML page; the first print notifies the entity, reprints are the same', async () => {
    const v = visits[1];
    const member = await officer(v.team[0]);
    expect((await member.get(`/api/v1/assignments/${v.id}`)).body).toMatchObject({ status: 'pending-notice', notified: false, notice: null });
    const first = await member.get(`/api/v1/assignments/${v.id}/notice`);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = first.text;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('检查通知书');
    expect(html).toContain(v.uscc);
    expect(html).toContain(v.name);
    for (const c of v.team) expect(html).toContain(c);
    for (const m of ['企业公示信息抽查', '食品经营许可情况检查', '发票使用情况检查']) expect(html).toContain(m);
    for (const m of ['营业执照', '食品经营许可证', '进货查验记录', '发票领用存记录']) expect(html).toContain(m);
    expect(html).toContain('联系人');
    expect(html).toContain('回避');
    const second = await (await officer(v.team[1])).get(`/api/v1/assignments/${v.id}/notice`);
    expect(second.text).toBe(html);
    const seen = (await member.get(`/api/v1/assignments/${v.id}`)).body;
    expect(seen).toMatchObject({ status: 'notified', notified: true });
    expect(html).toContain(seen.notice.number);
    // Only the team prints it: not even an administrator.
    expectError(await api.http.get(`/api/v1/assignments/${v.id}/notice`), 403, 'FORBIDDEN_ROLE');
  });
});

describe('results', () => {
  it('400 names every problem; a result needs the notice first', async () => {
    const v = visits[2];
    const member = await officer(v.team[0]);
    expectError(await member.post(`/api/v1/assignments/${v.id}/result`).send(okResult(v)), 409, 'NOT_NOTIFIED');
    await notified(v, member);
    const res = await member.post(`/api/v1/assignments/${v.id}/result`).send({ inspectedOn: '2026-02-30', codes: ['X'], followUp: '看着办', extra: 1 });
    expectError(res, 400, 'VALIDATION_FAILED', 'body.inspectedOn');
    const paths = res.body.error.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['body.inspectedOn', 'body.codes.0', 'body.method', 'body.followUp', 'body.extra']));
    const rules = await member.post(`/api/v1/assignments/${v.id}/result`).send({
      ...okResult(v),
      codes: ['1', 'A', '3'],
      findings: [{ matter: 'SCJG-02', compliant: false, violationType: 'FOOD_LICENCE_EXPIRED' }, ...compliant(['SCJG-01', 'SW-01'])],
    });
    expectError(rules, 400, 'INVALID_RESULT', 'body.codes', 'CODE_1_EXCLUSIVE');
    expect(rules.body.error.problems.map((p: { path: string; code: string }) => `${p.path}:${p.code}`)).toEqual(
      expect.arrayContaining(['body.findings.0.harm:FINDING_INCOMPLETE', 'body.findings.0.correction:FINDING_INCOMPLETE', 'body.followUp:CORRECTION_ORDER_REQUIRED']),
    );
  });

  it('stores the exemption proposal for an eligible first violation, and refuses a second one naming the failed condition', async () => {
    const body = {
      inspectedOn: today,
      codes: ['A', '3'],
      method: '实地检查',
      followUp: ['责令改正'],
      findings: [{ matter: 'SCJG-02', compliant: false, violationType: 'FOOD_LICENCE_CHANGE_NOT_APPLIED', harm: 'minor', correction: 'before-decision' }, ...compliant(['SCJG-01', 'SW-01'])],
    };
    const v = visits[3];
    const member = await notified(v);
    const first = await member.post(`/api/v1/assignments/${v.id}/result`).send(body);
    expect(first.status, first.text.slice(0, 500)).toBe(201);
    expect(first.headers.location).toBe(`/api/v1/assignments/${v.id}`);
    expect(first.body.result.findings[0].exemption).toMatchObject({
      exempt: true,
      correctionOrderRequired: true,
      proposal: { decision: '不予处罚', itemNumber: '3', listVersion: 'national-2025', basis: expect.stringContaining('第三十三条第一款') },
    });

    const w = visits[4];
    await registry.recordPastViolation(api.db.db, { uscc: w.uscc, occurredOn: plusDays(today, -300), violationType: 'FOOD_LICENCE_CHANGE_NOT_APPLIED' }, { name: 'test' });
    const m2 = await notified(w);
    const second = await m2.post(`/api/v1/assignments/${w.id}/result`).send(body);
    expect(second.status).toBe(201);
    const ex = second.body.result.findings[0].exemption;
    expect(ex).toMatchObject({ exempt: false, proposal: null, correctionOrderRequired: true });
    expect(ex.failed).toEqual([expect.objectContaining({ condition: 'firstViolation', code: 'NOT_FIRST_VIOLATION', itemNumber: '3' })]);
    expect(ex.message).toContain('不属于首次违法');
  });

  it('refuses a measure on the no-coercion list with its basis; the override needs a team member’s reason and a second person', async () => {
    const v = visits[0]; // entered in the first test with a seal-up the list rules out
    const member = await officer(v.team[0]);
    const detail = (await member.get(`/api/v1/assignments/${v.id}`)).body;
    expect(detail.result.measures[0]).toMatchObject({ n: 1, measure: 'seal-up', state: 'refused', listVersion: 'chongqing-2022', itemNumber: '1', basis: expect.stringContaining('行政强制法') });
    expectError(await member.post(`/api/v1/assignments/${v.id}/measures/1/override`).send({}), 400, 'VALIDATION_FAILED', 'body.reason');
    expectError(await member.post(`/api/v1/assignments/${v.id}/measures/2/override`).send({ reason: '现场有转移财物迹象' }), 404, 'MEASURE_NOT_FOUND');
    const requested = await member.post(`/api/v1/assignments/${v.id}/measures/1/override`).send({ reason: '当事人拒不停止经营，现场有转移财物迹象' });
    expect(requested.status, requested.text.slice(0, 300)).toBe(200);
    expect(requested.body.result.measures[0]).toMatchObject({ state: 'override-requested', override: { reason: '当事人拒不停止经营，现场有转移财物迹象' } });
    // Not the team: a team member cannot approve (an inspector's role may not), nor a reviewer holding a team certificate.
    expectError(await (await officer(v.team[1])).post(`/api/v1/assignments/${v.id}/measures/1/approve-override`).send({}), 403, 'FORBIDDEN_ROLE');
    const certified = await api.as('reviewer-certified', 'reviewer');
    await api.db.db.updateTable('users').set({ officer_certificate: v.team[1] }).where('username', '=', 'reviewer-certified').execute();
    expectError(await certified.post(`/api/v1/assignments/${v.id}/measures/1/approve-override`).send({}), 403, 'FOUR_EYES');
    const regScjg = await api.as('reg-scjg', 'regulator', { department: 'SCJG' });
    const approved = await regScjg.post(`/api/v1/assignments/${v.id}/measures/1/approve-override`).send({ comment: '同意' });
    expect(approved.status, approved.text.slice(0, 300)).toBe(200);
    expect(approved.body.result.measures[0]).toMatchObject({ state: 'overridden', override: { approvedBy: 'reg-scjg', requestedBy: expect.stringMatching(/^officer-/) } });
    expectError(await regScjg.post(`/api/v1/assignments/${v.id}/measures/1/approve-override`).send({}), 409, 'OVERRIDE_NOT_REQUESTED');
    expect(approved.body.result.events.map((e: { action: string }) => e.action)).toEqual(['enter', 'override-request', 'override-approve']);
  });

  it('review: not by the team; returned with a comment, re-entered, approved; published only after approval', async () => {
    const v = visits[5];
    const member = await notified(v);
    const reviewer = await api.as('reviewer-b', 'reviewer');
    const regScjg = await api.as('reg-scjg-2', 'regulator', { department: 'SCJG' });
    expect((await member.post(`/api/v1/assignments/${v.id}/result`).send(okResult(v))).status).toBe(201);
    expectError(await regScjg.post(`/api/v1/assignments/${v.id}/publish`), 409, 'RESULT_NOT_APPROVED');
    // The reviewer cannot be on the team.
    const onTeam = await api.as('reviewer-on-team', 'reviewer');
    await api.db.db.updateTable('users').set({ officer_certificate: v.team[1] }).where('username', '=', 'reviewer-on-team').execute();
    expectError(await onTeam.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'approve' }), 403, 'FOUR_EYES');
    expectError(await member.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'approve' }), 403, 'FORBIDDEN_ROLE');
    expectError(await reviewer.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'return' }), 400, 'COMMENT_REQUIRED', 'body.comment');
    expectError(await reviewer.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'maybe' }), 400, 'VALIDATION_FAILED', 'body.decision');
    const returned = await reviewer.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'return', comment: '请补充检查情况说明' });
    expect(returned.body).toMatchObject({ status: 'returned', result: { status: 'returned', reviewComment: '请补充检查情况说明' } });
    expectError(await regScjg.post(`/api/v1/assignments/${v.id}/publish`), 409, 'RESULT_NOT_APPROVED');
    // Back with the team, with the comment.
    const mine = await member.get('/api/v1/me/assignments?state=returned');
    expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([v.id]);
    expect((await member.get(`/api/v1/assignments/${v.id}`)).body.result.reviewComment).toBe('请补充检查情况说明');
    const reentered = await member.post(`/api/v1/assignments/${v.id}/result`).send({ ...okResult(v), note: '已补充' });
    expect(reentered.status).toBe(200);
    expect(reentered.body.result).toMatchObject({ status: 'entered', revision: 2, note: '已补充' });
    const approved = await reviewer.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'approve' });
    expect(approved.body.result).toMatchObject({ status: 'approved', reviewedBy: 'reviewer-b' });
    expectError(await member.post(`/api/v1/assignments/${v.id}/result`).send(okResult(v)), 409, 'RESULT_LOCKED');
    expectError(await member.post(`/api/v1/assignments/${v.id}/publish`), 403, 'FORBIDDEN_ROLE');
    const published = await regScjg.post(`/api/v1/assignments/${v.id}/publish`);
    expect(published.status).toBe(200);
    expect(published.body.result).toMatchObject({ status: 'published', publishedBy: 'reg-scjg-2' });
    expect(published.body.result.events.map((e: { action: string; from: string | null; to: string }) => `${e.action}:${e.from}→${e.to}`)).toEqual([
      'enter:null→entered',
      'return:entered→returned',
      're-enter:returned→entered',
      'approve:entered→approved',
      'publish:approved→published',
    ]);
  });

  it('results 6 and C open a 10-working-day abnormal-list follow-up when approved', async () => {
    const reviewer = await api.as('reviewer-c', 'reviewer');
    const due = loadCalendar().addWorkingDays(today, 10).value;
    for (const [i, codes, findings, followUp] of [
      [6, ['A', '2', '6'], [], ['反馈日常监管部门']],
      [7, ['A', '2', 'C'], [{ matter: 'SCJG-01', compliant: false, violationType: 'DISCLOSURE_FALSE', harm: 'not-minor', correction: 'none' }, ...compliant(['SCJG-02', 'SW-01'])], ['责令改正']],
    ] as const) {
      const v = visits[i];
      const member = await notified(v);
      const entered = await member.post(`/api/v1/assignments/${v.id}/result`).send({ inspectedOn: today, codes, method: '实地检查', followUp, findings });
      expect(entered.status, entered.text.slice(0, 500)).toBe(201);
      expect(entered.body.result.deadlines).toEqual([]);
      const approved = await reviewer.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'approve' });
      expect(approved.body.result.abnormalFollowUp).toBe(true);
      expect(approved.body.result.deadlines).toEqual([
        expect.objectContaining({ kind: 'abnormal-follow-up', subject: approved.body.result.id, uscc: v.uscc, startsOn: today, dueOn: due, state: 'open' }),
      ]);
    }
    expect(due > plusDays(today, 10)).toBe(true); // weekends do not count
    const regScjg = await api.as('reg-scjg-3', 'regulator', { department: 'SCJG' });
    const listed = await regScjg.post(`/api/v1/assignments/${visits[6].id}/abnormal-listing`).send({});
    expect(listed.status, listed.text.slice(0, 300)).toBe(200);
    expect(listed.body.result.deadlines[0]).toMatchObject({ state: 'met', metOn: today });
    const object = await api.http.get(`/api/v1/objects/${visits[6].uscc}`);
    expect(object.body.abnormalListings).toEqual([expect.objectContaining({ listedOn: today, removedOn: null })]);
    expectError(await regScjg.post(`/api/v1/assignments/${visits[5].id}/abnormal-listing`).send({}), 409, 'NO_ABNORMAL_FOLLOW_UP');
  });
});
