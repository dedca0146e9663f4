/**
 * Console plans, tasks and the draw through the real forms (no browser): a refused task form keeps
 * what was typed and names the problem; four eyes; return with a comment; the draw steps; the
 * XLSX exports' contents; out-of-scope tasks are 404 as in the API; a POST without its CSRF token
 * changes nothing.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from './support.ts';
import { consoleAs, openPage, type ConsoleAgent } from './consoleSupport.ts';
import { seedDrawRegistry } from '../helpers/drawRegistry.ts';
import { makeDepartment } from '../factories/index.ts';

let api: Api;
let author: ConsoleAgent;
let second: ConsoleAgent;
let other: ConsoleAgent;
let planId = '';

/** The task form's fields for a one-department task on the draw registry. */
function taskForm(csrf: string, over: Record<string, string | string[]> = {}) {
  return {
    _csrf: csrf,
    lead: 'SCJG',
    leadOfficers: '2',
    matter: ['SCJG-01'],
    rate_A: '0.03',
    rate_B: '0.035',
    rate_C: '0.05',
    rate_D: '0.1',
    rate_U: '0.04',
    windowStart: '2027-01-11',
    windowEnd: '2027-02-26',
    method: '实地检查',
    randomnessSource: '2027年1月8日中国福利彩票双色球开奖号码',
    ...over,
  };
}

const taskIdOf = (location: string) => /\/console\/tasks\/([0-9a-f-]{36})$/.exec(location)?.[1] ?? '';

beforeAll(async () => {
  api = await startApi();
  await seedDrawRegistry(api.db.db);
  await makeDepartment(api.db.db, { code: 'WJ', name: '卫生健康委员会' });
  author = await consoleAs(api.app, api.db, 'plan-author', 'regulator', { department: 'SCJG' });
  second = await consoleAs(api.app, api.db, 'plan-second', 'regulator', { department: 'SCJG' });
  other = await consoleAs(api.app, api.db, 'plan-other', 'regulator', { department: 'WJ' });
  const page = await openPage(author, '/console/plans');
  const res = await author.post('/console/plans').type('form').send({ _csrf: page.csrf, organization: 'SCJG', year: '2027' });
  expect(res.status).toBe(303);
  planId = /\/console\/plans\/([0-9a-f-]{36})$/.exec(res.headers.location)![1];
});
afterAll(async () => api?.db.destroy());

describe('console: plans and tasks', () => {
  it('prefills the task form from the plan defaults and keeps what was typed when the service refuses it', async () => {
    const form = await openPage(author, `/console/plans/${planId}/tasks/new`);
    expect(form.text).toContain('value="0.6"'); // D's default rate (data/plan-defaults.json)
    const res = await author.post(`/console/plans/${planId}/tasks`).type('form').send(taskForm(form.csrf, { matter: ['NO-SUCH'], randomnessSource: '某日某期开奖号码（保留）' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('UNKNOWN_MATTER');
    expect(res.text).toContain('某日某期开奖号码（保留）');
    const tasks = await api.db.db.selectFrom('tasks').select('id').execute();
    expect(tasks).toHaveLength(0);
  });

  it('saves a draft, shows its simulation, and needs a second person to approve; a return carries its comment', async () => {
    const form = await openPage(author, `/console/plans/${planId}/tasks/new`);
    const res = await author.post(`/console/plans/${planId}/tasks`).type('form').send(taskForm(form.csrf));
    expect(res.status).toBe(303);
    const id = taskIdOf(res.headers.location);
    const page = await openPage(author, `/console/tasks/${id}`);
    expect(page.text).toContain('data-testid="simulation"');
    expect(page.text).toContain('data-testid="sim-strata"');
    const chart = await author.get(`/console/tasks/${id}/load.svg`);
    expect(chart.status).toBe(200);
    expect(chart.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(String(chart.body ?? chart.text)).toContain('<svg');

    // The author may not approve (four eyes): the service's rule, shown on the page.
    const self = await author.post(`/console/tasks/${id}/approve`).type('form').send({ _csrf: page.csrf });
    expect(self.status).toBe(303);
    expect((await author.get(self.headers.location)).text).toContain('FOUR_EYES');
    expect((await author.post(`/console/tasks/${id}/submit`).type('form').send({ _csrf: page.csrf })).status).toBe(303);

    // The second regulator returns it with a comment; the author sees the comment.
    const review = await openPage(second, `/console/tasks/${id}`);
    expect(review.text).toContain('data-testid="approval"');
    const empty = await second.post(`/console/tasks/${id}/return`).type('form').send({ _csrf: review.csrf, comment: '' });
    expect((await second.get(empty.headers.location)).text).toContain('COMMENT_REQUIRED');
    await second.post(`/console/tasks/${id}/return`).type('form').send({ _csrf: review.csrf, comment: '请把检查结束日期提前到二月中旬' });
    const returned = await openPage(author, `/console/tasks/${id}`);
    expect(returned.text).toContain('请把检查结束日期提前到二月中旬');
    expect(returned.text).toContain('已退回');
    const events = await api.db.db.selectFrom('audit_log').select(['action']).where('entity_id', '=', id).execute();
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['task.submit', 'task.return']));

    await author.post(`/console/tasks/${id}/submit`).type('form').send({ _csrf: returned.csrf });
    const ok = await second.post(`/console/tasks/${id}/approve`).type('form').send({ _csrf: review.csrf });
    expect(ok.status).toBe(303);
    const row = await api.db.db.selectFrom('tasks').select(['status', 'approved_by']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'approved', approved_by: 'plan-second' });
  });

  it('commits, takes the randomness once, draws, and exports the drawn list and the teams as XLSX', async () => {
    const form = await openPage(author, `/console/plans/${planId}/tasks/new`);
    const id = taskIdOf((await author.post(`/console/plans/${planId}/tasks`).type('form').send(taskForm(form.csrf, { windowStart: '2027-03-01', windowEnd: '2027-03-31' }))).headers.location);
    const csrf2 = (await openPage(second, `/console/tasks/${id}`)).csrf;
    await second.post(`/console/tasks/${id}/approve`).type('form').send({ _csrf: csrf2 });

    // Irreversible steps need their confirmation box.
    const unconfirmed = await author.post(`/console/tasks/${id}/commit`).type('form').send({ _csrf: form.csrf });
    expect((await author.get(unconfirmed.headers.location)).text).toContain('CONFIRM_REQUIRED');
    expect((await api.db.db.selectFrom('tasks').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('approved');

    await author.post(`/console/tasks/${id}/commit`).type('form').send({ _csrf: form.csrf, confirm: 'yes' });
    await author.post(`/console/tasks/${id}/seed`).type('form').send({ _csrf: form.csrf, confirm: 'yes', randomness: '05 11 17 23 29 32 + 07' });
    const again = await author.post(`/console/tasks/${id}/seed`).type('form').send({ _csrf: form.csrf, confirm: 'yes', randomness: '01 02 03 04 05 06 + 07' });
    expect((await author.get(again.headers.location)).text).toMatch(/TASK_NOT_COMMITTED|DRAW_ALREADY_SEEDED/);
    await author.post(`/console/tasks/${id}/draw`).type('form').send({ _csrf: form.csrf });
    const drawPage = await openPage(author, `/console/tasks/${id}/draw`);
    expect(drawPage.text).toContain('data-testid="drawn-list"');
    const planPage = await openPage(author, `/console/plans/${planId}`);
    expect(planPage.text).toContain('data-testid="plan-visits"');

    const task = await api.db.db.selectFrom('tasks').select(['draw_id', 'status']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(task.status).toBe('drawn');
    const selections = await api.db.db.selectFrom('draw_selections').select(['uscc', 'rank', 'team']).where('draw_id', '=', task.draw_id!).orderBy('rank').execute();
    const names = new Map((await api.db.db.selectFrom('objects').select(['uscc', 'name']).execute()).map((o) => [o.uscc, o.name]));

    const xlsx = await author.get(`/console/tasks/${id}/export/drawn.xlsx`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-disposition']).toContain(encodeURIComponent('抽查名单'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const ws = wb.getWorksheet('抽查名单')!;
    const rows: { uscc: string; name: string }[] = [];
    ws.eachRow((r, i) => {
      if (i > 3) rows.push({ uscc: String(r.getCell(2).value), name: String(r.getCell(3).value) });
    });
    expect(rows).toEqual(selections.map((s) => ({ uscc: s.uscc, name: names.get(s.uscc) })));

    const teams = await author.get(`/console/tasks/${id}/export/teams.xlsx`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(teams.body as never);
    let members = 0;
    wb2.getWorksheet('检查组名单')!.eachRow((r, i) => {
      if (i > 3) members++;
    });
    expect(members).toBe(selections.reduce((n, s) => n + s.team.length, 0));

    // All notices at once: one page section per visit of the task, numbered and stored.
    const notices = await author.get(`/console/tasks/${id}/notices`);
    expect(notices.status).toBe(200);
    expect(notices.text.match(/class="notice-page"/g)?.length).toBe(selections.length);
    const stored = await api.db.db.selectFrom('visit_notices').select('number').execute();
    expect(stored.length).toBeGreaterThanOrEqual(selections.length);
    const reprint = await author.get(`/console/tasks/${id}/notices`);
    expect(reprint.text).toBe(notices.text);

    // Another department's regulator: the task, its draw page, its exports and notices are 404.
    for (const url of [`/console/tasks/${id}`, `/console/tasks/${id}/draw`, `/console/tasks/${id}/export/drawn.xlsx`, `/console/tasks/${id}/notices`, `/console/plans/${planId}`]) {
      expect((await other.get(url)).status, url).toBe(404);
    }
  });

  it('refuses every task form without its CSRF token and changes nothing', async () => {
    const form = await openPage(author, `/console/plans/${planId}/tasks/new`);
    const id = taskIdOf((await author.post(`/console/plans/${planId}/tasks`).type('form').send(taskForm(form.csrf, { windowStart: '2027-04-01', windowEnd: '2027-04-30' }))).headers.location);
    const before = await api.db.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    for (const [path, body] of [
      [`/console/plans/${planId}/tasks`, taskForm('')],
      [`/console/tasks/${id}/submit`, {}],
      [`/console/tasks/${id}/approve`, {}],
      [`/console/tasks/${id}/return`, { comment: '退回' }],
      [`/console/tasks/${id}/edit`, taskForm('')],
      ['/console/plans', { organization: 'SCJG', year: '2028' }],
    ] as const) {
      const res = await second.post(path).type('form').send({ ...body, _csrf: 'forged-token' });
      expect(res.status, path).toBe(403);
      expect(res.text).toContain('CSRF_INVALID');
    }
    const after = await api.db.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
