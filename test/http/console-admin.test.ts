/**
 * The administrator's console pages through the real forms: accounts (create with a one-time
 * password and sign in with it, change the role, reset the password, disable — its session
 * stops), the audit trail with its filters and the chain verification, the scheduled jobs and
 * import jobs; and that nobody else gets in (403 on every page and form, nothing changed).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startApi, type Api } from './support.ts';
import { consoleAs, csrfOf, openPage, signInConsole, type ConsoleAgent } from './consoleSupport.ts';
import { makeDepartment, makeInspector, type InspectorRow } from '../factories/index.ts';
import { auditHead } from '../../src/services/audit.ts';
import { insertImportJob } from '../../src/db/repositories/importJobs.ts';
import { toFlag } from '../../src/db/json.ts';
import { createScheduler } from '../../src/jobs/scheduler.ts';
import { JOBS } from '../../src/jobs/definitions.ts';
import { shanghaiDate } from '../../src/domain/time.ts';

let api: Api;
let admin: ConsoleAgent;
let officer: InspectorRow;
const today = shanghaiDate();
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  api = await startApi();
  await makeDepartment(api.db.db, { code: 'SCJG', name: '渝中区市场监督管理局' });
  await makeDepartment(api.db.db, { code: 'WJ', name: '渝中区卫生健康委员会' });
  officer = await makeInspector(api.db.db, { department_code: 'SCJG', name: '王检查' });
  admin = await consoleAs(api.app, api.db, 'ad-admin', 'admin');
});
afterAll(async () => api?.db.destroy());

const userRow = (username: string) => api.db.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();

/** The one-time password shown on a page. */
function passwordOn(text: string): string {
  const m = /data-testid="one-time-password">([^<]+)</.exec(text);
  expect(m, text.slice(0, 2000)).toBeTruthy();
  return m![1];
}

async function createAccount(fields: Record<string, string>): Promise<string> {
  const { csrf, text } = await openPage(admin, '/console/admin/accounts');
  expect(text).toContain('data-testid="account-create-form"');
  const res = await admin.post('/console/admin/accounts').type('form').send({ _csrf: csrf, ...fields });
  expect(res.status, res.text.slice(0, 500)).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store');
  return passwordOn(res.text);
}

describe('accounts', () => {
  it('creates a regulator with a one-time password shown once, and the person signs in with it', async () => {
    const password = await createAccount({ username: 'ad-new-reg', role: 'regulator', department: 'SCJG', officer: '' });
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(await userRow('ad-new-reg')).toMatchObject({ role: 'regulator', department_code: 'SCJG', officer_certificate: null });
    const person = await signInConsole(api.app, 'ad-new-reg', password);
    const home = await person.get('/console/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('ad-new-reg');
    // The list shows the account, and never a password.
    const list = await openPage(admin, '/console/admin/accounts');
    expect(list.text).toContain('data-testid="accounts-table"');
    expect(list.text).toContain('ad-new-reg');
    expect(list.text).not.toContain(password);
    // One entry in the audit trail, by the administrator.
    const entry = await api.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.create').where('entity_id', '=', 'ad-new-reg').executeTakeFirstOrThrow();
    expect(entry.actor).toBe('ad-admin');
  });

  it('creates an inspector linked to an officer of the registry (its department follows the officer)', async () => {
    const password = await createAccount({ username: 'ad-new-insp', role: 'inspector', department: 'WJ', officer: officer.certificate_no });
    expect(await userRow('ad-new-insp')).toMatchObject({ role: 'inspector', department_code: 'SCJG', officer_certificate: officer.certificate_no });
    await signInConsole(api.app, 'ad-new-insp', password);
  });

  it('shows the service’s message when the form is refused: a regulator without a department, a username taken', async () => {
    const { csrf } = await openPage(admin, '/console/admin/accounts');
    let res = await admin.post('/console/admin/accounts').type('form').send({ _csrf: csrf, username: 'ad-no-dept', role: 'regulator', department: '' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/admin/accounts');
    let page = await admin.get('/console/admin/accounts');
    expect(page.text).toContain('DEPARTMENT_REQUIRED');
    expect(await userRow('ad-no-dept')).toBeUndefined();
    res = await admin.post('/console/admin/accounts').type('form').send({ _csrf: csrf, username: 'ad-new-reg', role: 'reviewer' });
    expect(res.status).toBe(303);
    page = await admin.get('/console/admin/accounts');
    expect(page.text).toContain('USER_EXISTS');
    res = await admin.post('/console/admin/accounts').type('form').send({ _csrf: csrf, username: 'ad-no-officer', role: 'inspector', officer: 'NO-SUCH-CERT' });
    expect(res.status).toBe(303);
    expect((await admin.get('/console/admin/accounts')).text).toContain('OFFICER_REQUIRED');
  });

  it('changes the role and department; an administrator cannot take away its own role', async () => {
    await createAccount({ username: 'ad-role', role: 'reviewer' });
    const { csrf, text } = await openPage(admin, '/console/admin/accounts/ad-role');
    expect(text).toContain('data-testid="account-role-form"');
    const res = await admin.post('/console/admin/accounts/ad-role/role').type('form').send({ _csrf: csrf, role: 'regulator', department: 'WJ', officer: '' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/admin/accounts/ad-role');
    expect((await admin.get(res.headers.location)).text).toContain('已将 ad-role 的角色设为监管人员');
    expect(await userRow('ad-role')).toMatchObject({ role: 'regulator', department_code: 'WJ' });
    const self = await admin.post('/console/admin/accounts/ad-admin/role').type('form').send({ _csrf: csrf, role: 'reviewer' });
    expect(self.status).toBe(303);
    expect((await admin.get(self.headers.location)).text).toContain('SELF_CHANGE');
    expect((await userRow('ad-admin'))!.role).toBe('admin');
  });

  it('resets the password: a new one-time password, the old one and the open session stop working', async () => {
    const first = await createAccount({ username: 'ad-reset', role: 'reviewer' });
    const person = await signInConsole(api.app, 'ad-reset', first);
    const { csrf } = await openPage(admin, '/console/admin/accounts/ad-reset');
    const unconfirmed = await admin.post('/console/admin/accounts/ad-reset/reset').type('form').send({ _csrf: csrf });
    expect(unconfirmed.status).toBe(303);
    expect((await admin.get(unconfirmed.headers.location)).text).toContain('CONFIRM_REQUIRED');
    expect((await person.get('/console/')).status).toBe(200); // nothing happened yet
    const res = await admin.post('/console/admin/accounts/ad-reset/reset').type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(200);
    const second = passwordOn(res.text);
    expect(second).not.toBe(first);
    const ended = await person.get('/console/');
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toMatch(/^\/console\/login/);
    const agent = request.agent(api.app);
    const form = await agent.get('/console/login');
    expect((await agent.post('/console/login').type('form').send({ _csrf: csrfOf(form.text), username: 'ad-reset', password: first })).status).toBe(401);
    await signInConsole(api.app, 'ad-reset', second);
  });

  it('disables an account after confirmation: its session stops and it cannot sign in', async () => {
    const password = await createAccount({ username: 'ad-leaver', role: 'reviewer' });
    const person = await signInConsole(api.app, 'ad-leaver', password);
    expect((await person.get('/console/')).status).toBe(200);
    const { csrf, text } = await openPage(admin, '/console/admin/accounts/ad-leaver');
    expect(text).toContain('data-testid="account-disable-form"');
    expect(text).toContain('name="confirm"');
    const unconfirmed = await admin.post('/console/admin/accounts/ad-leaver/disable').type('form').send({ _csrf: csrf });
    expect(unconfirmed.status).toBe(303);
    expect((await userRow('ad-leaver'))!.disabled_at).toBeNull();
    const res = await admin.post('/console/admin/accounts/ad-leaver/disable').type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(303);
    expect((await admin.get(res.headers.location)).text).toContain('已停用 ad-leaver');
    expect((await userRow('ad-leaver'))!.disabled_at).not.toBeNull();
    const after = await person.get('/console/');
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/console\/login/);
    const agent = request.agent(api.app);
    const form = await agent.get('/console/login');
    expect((await agent.post('/console/login').type('form').send({ _csrf: csrfOf(form.text), username: 'ad-leaver', password })).status).toBe(401);
    expect((await admin.get('/console/admin/accounts')).text).toMatch(/ad-leaver[\s\S]*?已停用/);
  });

  it('answers 404 for an account that does not exist', async () => {
    expect((await admin.get('/console/admin/accounts/nobody-here')).status).toBe(404);
    const { csrf } = await openPage(admin, '/console/admin/accounts');
    const res = await admin.post('/console/admin/accounts/nobody-here/disable').type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(404);
    expect(res.text).toContain('USER_NOT_FOUND');
    expect(await userRow('nobody-here')).toBeUndefined();
  });
});

describe('nobody but an administrator', () => {
  it('gets 403 on every administrator page and form, and nothing changes', async () => {
    const others = [
      await consoleAs(api.app, api.db, 'ad-x-reg', 'regulator', { department: 'SCJG' }),
      await consoleAs(api.app, api.db, 'ad-x-rev', 'reviewer'),
      await consoleAs(api.app, api.db, 'ad-x-insp', 'inspector', { officer: officer.certificate_no }),
    ];
    const before = await api.db.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    for (const agent of others) {
      const csrf = csrfOf((await agent.get('/console/password')).text);
      for (const url of ['/console/admin/accounts', '/console/admin/accounts/ad-new-reg', '/console/admin/audit', '/console/admin/jobs']) {
        const res = await agent.get(url);
        expect(res.status, `${agent.username} GET ${url}`).toBe(403);
        expect(res.text).toContain('FORBIDDEN_ROLE');
      }
      const posts: [string, Record<string, string>][] = [
        ['/console/admin/accounts', { username: `ad-sneak-${agent.username}`, role: 'admin' }],
        ['/console/admin/accounts/ad-new-reg/role', { role: 'admin' }],
        ['/console/admin/accounts/ad-new-reg/reset', { confirm: 'yes' }],
        ['/console/admin/accounts/ad-new-reg/disable', { confirm: 'yes' }],
        ['/console/admin/audit/verify', {}],
      ];
      for (const [url, fields] of posts) {
        const res = await agent.post(url).type('form').send({ _csrf: csrf, ...fields });
        expect(res.status, `${agent.username} POST ${url}`).toBe(403);
        expect(res.text).not.toContain('one-time-password');
      }
      expect(await userRow(`ad-sneak-${agent.username}`)).toBeUndefined();
    }
    expect(await userRow('ad-new-reg')).toMatchObject({ role: 'regulator', disabled_at: null });
    const after = await api.db.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('an administrator’s POST without its CSRF token gets 403 and changes nothing', async () => {
    const res = await admin.post('/console/admin/accounts').type('form').send({ username: 'ad-no-csrf', role: 'reviewer' });
    expect(res.status).toBe(403);
    expect(await userRow('ad-no-csrf')).toBeUndefined();
    expect((await admin.post('/console/admin/accounts/ad-new-reg/disable').type('form').send({ confirm: 'yes' })).status).toBe(403);
    expect((await userRow('ad-new-reg'))!.disabled_at).toBeNull();
  });
});

describe('the audit trail', () => {
  it('lists entries newest first and filters by action, actor, entity and date range', async () => {
    let page = await openPage(admin, '/console/admin/audit');
    expect(page.text).toContain('data-testid="audit-table"');
    const actions = (text: string) => [...text.matchAll(/<td class="mono">([a-z.-]+)<\/td>/g)].map((m) => m[1]);
    expect(actions(page.text)).toContain('user.create');
    // Newest first.
    const seqs = [...page.text.matchAll(/data-seq="(\d+)"/g)].map((m) => Number(m[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    page = await openPage(admin, '/console/admin/audit?action=user.disable');
    expect(page.text).toContain('ad-leaver');
    expect(new Set(actions(page.text))).toEqual(new Set(['user.disable']));
    page = await openPage(admin, '/console/admin/audit?entity=user&entityId=ad-role');
    expect(actions(page.text)).toEqual(['user.update-role', 'user.create']);
    expect(page.text).not.toContain('ad-leaver');
    page = await openPage(admin, '/console/admin/audit?actor=ad-admin&action=user.password-reset');
    expect(page.text).toContain('ad-reset');
    page = await openPage(admin, '/console/admin/audit?actor=nobody-acted');
    expect(page.text).toContain('没有符合条件的审计记录');
    page = await openPage(admin, `/console/admin/audit?action=user.create&from=${today}&to=${today}`);
    expect(page.text).toContain('ad-new-reg');
    page = await openPage(admin, `/console/admin/audit?action=user.create&from=${plusDays(today, 1)}`);
    expect(page.text).toContain('没有符合条件的审计记录');
    page = await openPage(admin, `/console/admin/audit?action=user.create&to=${plusDays(today, -1)}`);
    expect(page.text).toContain('没有符合条件的审计记录');
    // A date that is not one is the service's 400, shown as such.
    const bad = await admin.get('/console/admin/audit?from=2026-02-30');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('INVALID_DATE');
  });

  it('verifies the chain: OK with the head to note down; a noted head not in the log is reported', async () => {
    const { csrf, text } = await openPage(admin, '/console/admin/audit');
    expect(text).toContain('data-testid="audit-verify"');
    const res = await admin.post('/console/admin/audit/verify').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-testid="audit-verify-result" data-ok="true"');
    expect(res.text).toContain('审计链完整');
    const head = await auditHead(api.db.db);
    expect(res.text).toContain(`${head.seq}:${head.hash}`);
    // The noted head verifies again…
    const again = await admin.post('/console/admin/audit/verify').type('form').send({ _csrf: csrf, head: `${head.seq}:${head.hash}` });
    expect(again.text).toContain('data-ok="true"');
    // …and one that was never in the log means entries were cut off or the chain recomputed.
    const other = await admin.post('/console/admin/audit/verify').type('form').send({ _csrf: csrf, head: crypto.randomBytes(32).toString('hex') });
    expect(other.status).toBe(200);
    expect(other.text).toContain('data-ok="false"');
    expect(other.text).toContain('REMOVED');
    const garbled = await admin.post('/console/admin/audit/verify').type('form').send({ _csrf: csrf, head: 'not a head' });
    expect(garbled.status).toBe(303);
    expect((await admin.get(garbled.headers.location)).text).toContain('INVALID_HEAD');
  });
});

describe('scheduled jobs and import jobs', () => {
  it('shows each job with its schedule and last run, and everyone’s recent imports linking to their pages', async () => {
    let page = await openPage(admin, '/console/admin/jobs');
    expect(page.text).toContain('data-testid="jobs-table"');
    for (const j of JOBS) expect(page.text).toContain(j.name);
    expect(page.text).toContain('尚未运行');
    const scheduler = createScheduler({ handle: api.db, jobs: JOBS });
    const reports = await scheduler.runDue(new Date());
    expect(reports.filter((r) => r.outcome === 'succeeded').length).toBeGreaterThan(0);
    const id = crypto.randomUUID();
    await insertImportJob(api.db.db, {
      id,
      kind: 'objects',
      status: 'succeeded',
      file_name: '检查对象名录.xlsx',
      skip_invalid: toFlag(false),
      rows_read: 12,
      inserted: 10,
      updated: 2,
      rejected: 0,
      summary: null,
      message: null,
      created_at: new Date().toISOString(),
      finished_at: new Date().toISOString(),
      owner_id: (await userRow('ad-new-reg'))!.id,
      files_expired_at: null,
    });
    page = await openPage(admin, '/console/admin/jobs');
    expect(page.text).toMatch(/data-job="commit-scheduled-tasks"[\s\S]*?成功/);
    expect(page.text).toContain(`href="/console/imports/${id}"`);
    expect(page.text).toContain('检查对象名录.xlsx');
  });
});
