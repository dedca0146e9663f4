/**
 * The reviewer's console pages (/console/review): the queue of results awaiting review, one
 * result in full (team, codes, findings with the exemption outcome), and the review form —
 * return with a comment, approve after the team resubmits — through the real forms, with the
 * service's rules (comment required when returning) and the console's (roles, CSRF).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Agent, type Api } from './support.ts';
import { consoleAs, openPage, type ConsoleAgent } from './consoleSupport.ts';
import type { DrawRegistry } from '../helpers/drawRegistry.ts';
import { seedDrawnVisits, today, type DrawnVisit } from '../helpers/drawnVisits.ts';

let api: Api;
let reg: DrawRegistry;

type Visit = DrawnVisit;
let visits: Visit[] = [];
let reviewer: ConsoleAgent;
let member: Agent;
let v: Visit;

const compliant = (matters: string[]) => matters.map((m) => ({ matter: m, compliant: true }));
/** A first violation that the exemption list covers (national-2025 item 3). */
const exemptResult = (note?: string) => ({
  inspectedOn: today,
  codes: ['A', '3'],
  method: '实地检查',
  followUp: ['责令改正'],
  findings: [{ matter: 'SCJG-02', compliant: false, violationType: 'FOOD_LICENCE_CHANGE_NOT_APPLIED', harm: 'minor', correction: 'before-decision' }, ...compliant(['SCJG-01', 'SW-01'])],
  ...(note ? { note } : {}),
});

beforeAll(async () => {
  api = await startApi();
  const db = api.db.db;
  ({ reg, visits } = await seedDrawnVisits(db));

  // The team serves the notice and submits a result through the API, as the inspector's pages do.
  v = visits[0];
  member = await api.as('rv-officer', 'inspector', { officer: v.team[0] });
  expect((await member.get(`/api/v1/assignments/${v.id}/notice`)).status).toBe(200);
  const entered = await member.post(`/api/v1/assignments/${v.id}/result`).send(exemptResult('现场已责令改正'));
  expect(entered.status, entered.text.slice(0, 300)).toBe(201);
  reviewer = await consoleAs(api.app, api.db, 'rv-reviewer', 'reviewer');
}, 120_000);
afterAll(async () => api?.db.destroy());

/** The assignment as the API shows it (the administrator's agent). */
const stateOf = async (id: string) => (await api.http.get(`/api/v1/assignments/${id}`)).body as { status: string; result: { status: string; reviewComment: string | null; events: { action: string }[] } };

describe('the review queue', () => {
  it('lists the results awaiting review with the entity, the team by name, the task and the inspection date', async () => {
    const page = await openPage(reviewer, '/console/review');
    expect(page.text).toContain('data-testid="review-queue"');
    expect(page.text).toContain(v.name);
    expect(page.text).toContain(v.uscc);
    expect(page.text).toContain(`href="/console/review/${v.id}" data-testid="review-link"`);
    const names = await api.db.db.selectFrom('inspectors').select('name').where('certificate_no', 'in', v.team).execute();
    for (const n of names) expect(page.text).toContain(n.name);
    expect(page.text).toContain(today);
    // Only results awaiting review: a visit without a result is not in the queue.
    expect(page.text).not.toContain(visits[1].uscc);
  });

  it('shows the result in full: codes with names, method, findings with the exemption item and basis, the note', async () => {
    const page = await openPage(reviewer, `/console/review/${v.id}`);
    expect(page.text).toContain('data-testid="review-form"');
    expect(page.text).toContain('实地检查');
    expect(page.text).toMatch(/<span class="mono">A<\/span> \S+/);
    expect(page.text).toContain('FOOD_LICENCE_CHANGE_NOT_APPLIED');
    expect(page.text).toContain('拟不予处罚');
    expect(page.text).toContain('第 3 项');
    expect(page.text).toContain('第三十三条第一款');
    expect(page.text).toContain('现场已责令改正');
    expect(page.text).toContain('食品经营许可情况检查');
    expect(page.text).toContain('for="f-comment"');
  });
});

describe('reviewing through the form', () => {
  it('refuses a POST without its CSRF token (403) and changes nothing', async () => {
    const res = await reviewer.post(`/console/review/${v.id}`).type('form').send({ decision: 'approve' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('CSRF_INVALID');
    expect((await stateOf(v.id)).result.status).toBe('entered');
  });

  it('will not return a result without a comment: the service’s message is shown on the result page', async () => {
    const { csrf } = await openPage(reviewer, `/console/review/${v.id}`);
    const res = await reviewer.post(`/console/review/${v.id}`).type('form').send({ _csrf: csrf, decision: 'return', comment: '  ' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/console/review/${v.id}`);
    const back = await reviewer.get(res.headers.location);
    expect(back.text).toContain('退回检查结果时须写明审核意见');
    expect(back.text).toContain('COMMENT_REQUIRED');
    expect((await stateOf(v.id)).result.status).toBe('entered');
  });

  it('returns with a comment, then approves after the team resubmits', async () => {
    let page = await openPage(reviewer, `/console/review/${v.id}`);
    const returned = await reviewer.post(`/console/review/${v.id}`).type('form').send({ _csrf: page.csrf, decision: 'return', comment: '请补充现场照片并写明改正期限' });
    expect(returned.status).toBe(303);
    expect(returned.headers.location).toBe('/console/review');
    const queue = await reviewer.get('/console/review');
    expect(queue.text).toContain('已将');
    expect(queue.text).toContain('退回检查组修改');
    expect(queue.text).not.toContain(`/console/review/${v.id}"`);
    let s = await stateOf(v.id);
    expect(s.status).toBe('returned');
    expect(s.result.reviewComment).toBe('请补充现场照片并写明改正期限');

    // A returned result is not awaiting review: the page says so and has no form.
    page = await openPage(reviewer, `/console/review/${v.id}`);
    expect(page.text).not.toContain('data-testid="review-form"');

    const again = await member.post(`/api/v1/assignments/${v.id}/result`).send(exemptResult('已补充照片，责令 7 日内改正'));
    expect(again.status, again.text.slice(0, 300)).toBe(200);
    page = await openPage(reviewer, `/console/review/${v.id}`);
    expect(page.text).toContain('data-testid="review-form"');
    expect(page.text).toContain('请补充现场照片并写明改正期限'); // the previous comment
    expect(page.text).toContain('已补充照片，责令 7 日内改正');
    const approved = await reviewer.post(`/console/review/${v.id}`).type('form').send({ _csrf: page.csrf, decision: 'approve', comment: '' });
    expect(approved.status).toBe(303);
    expect(approved.headers.location).toBe('/console/review');
    expect((await reviewer.get('/console/review')).text).toContain('已审核通过');
    s = await stateOf(v.id);
    expect(s.status).toBe('approved');
    expect(s.result.events.map((e) => e.action)).toEqual(['enter', 'return', 're-enter', 'approve']);
    // Approving twice is refused by the service (the result is no longer awaiting review).
    const twice = await reviewer.post(`/console/review/${v.id}`).type('form').send({ _csrf: page.csrf, decision: 'approve' });
    expect(twice.status).toBe(303);
    expect((await reviewer.get(twice.headers.location)).text).toContain('data-testid="form-error"');
  });
});

describe('who may review', () => {
  it('regulators (of any department) and inspectors get 403 on the queue, the result and the form; nothing changes', async () => {
    const w = visits[2];
    const m2 = await api.as('rv-officer-2', 'inspector', { officer: w.team[0] });
    expect((await m2.get(`/api/v1/assignments/${w.id}/notice`)).status).toBe(200);
    expect((await m2.post(`/api/v1/assignments/${w.id}/result`).send({ inspectedOn: today, codes: ['1'], method: '实地检查', followUp: '无需后续处置', findings: compliant(w.matters) })).status).toBe(201);
    const others = [
      await consoleAs(api.app, api.db, 'rv-reg-wj', 'regulator', { department: 'WJ' }),
      await consoleAs(api.app, api.db, 'rv-reg-scjg', 'regulator', { department: 'SCJG' }),
      await consoleAs(api.app, api.db, 'rv-insp', 'inspector', { officer: w.team[0] }),
    ];
    for (const agent of others) {
      const home = await agent.get('/console/password');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1];
      for (const url of ['/console/review', `/console/review/${w.id}`]) {
        const res = await agent.get(url);
        expect([403, 404], `${agent.username} ${url}`).toContain(res.status);
        expect(res.text).not.toContain(w.uscc);
      }
      const post = await agent.post(`/console/review/${w.id}`).type('form').send({ _csrf: csrf, decision: 'approve' });
      expect([403, 404]).toContain(post.status);
      expect(post.text).not.toContain(w.uscc);
    }
    expect((await stateOf(w.id)).result.status).toBe('entered');
  });

  it('answers 404 for an assignment that does not exist or an id that is not one', async () => {
    expect((await reviewer.get('/console/review/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await reviewer.get('/console/review/not-an-id')).status).toBe(404);
  });
});
