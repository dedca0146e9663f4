/** Console sign-in, sessions, CSRF and change-password, through the real forms. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startApi, type Api } from './support.ts';
import { consoleAs, csrfOf, openPage, signInConsole } from './consoleSupport.ts';
import { makeDepartment, makeUser, TEST_PASSWORD } from '../factories/index.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
  await makeDepartment(api.db.db, { code: 'SCJG', name: '市场监管局' });
});
afterAll(async () => api?.db.destroy());

describe('console sign-in', () => {
  it('sends a visitor without a session to the sign-in page, and back after signing in', async () => {
    const res = await request(api.app).get('/console/plans');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/login?next=%2Fconsole%2Fplans');
    const form = await request(api.app).get('/console/login');
    expect(form.text).toContain('name="username"');
    expect(form.text).toContain('name="password"');
    expect(form.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('signs in with the form and sets an HttpOnly, SameSite=Strict session cookie', async () => {
    await makeUser(api.db.db, { username: 'cookie-reg', role: 'regulator', department_code: 'SCJG' });
    const agent = request.agent(api.app);
    const form = await agent.get('/console/login?next=/console/plans');
    const res = await agent.post('/console/login').type('form').send({ _csrf: csrfOf(form.text), username: 'cookie-reg', password: TEST_PASSWORD, next: '/console/plans' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/plans');
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('dr_console='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/console/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP in the test
    const home = await agent.get('/console/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('cookie-reg');
  });

  it('refuses a wrong password with the API message and code, and a sign-in without its form token', async () => {
    await makeUser(api.db.db, { username: 'wrong-pw', role: 'reviewer' });
    const agent = request.agent(api.app);
    const form = await agent.get('/console/login');
    const bad = await agent.post('/console/login').type('form').send({ _csrf: csrfOf(form.text), username: 'wrong-pw', password: 'not-the-password' });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('用户名或密码错误');
    expect(bad.text).toContain('INVALID_CREDENTIALS');
    const noToken = await request(api.app).post('/console/login').type('form').send({ username: 'wrong-pw', password: TEST_PASSWORD });
    expect(noToken.status).toBe(403);
    expect(noToken.headers['set-cookie']?.toString() ?? '').not.toContain('dr_console=');
  });

  it('throttles wrong passwords exactly as the API: after the free attempts, 429 with Retry-After', async () => {
    await makeUser(api.db.db, { username: 'throttled', role: 'reviewer' });
    const agent = request.agent(api.app);
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 5; i++) {
      const form = await agent.get('/console/login');
      last = await agent.post('/console/login').type('form').send({ _csrf: csrfOf(form.text), username: 'throttled', password: `wrong-${i}-password` });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    expect(last!.headers['retry-after']).toMatch(/^\d+$/);
    expect(last!.text).toContain('LOGIN_THROTTLED');
    // The right password is refused too while the account is locked.
    const form = await agent.get('/console/login');
    expect((await agent.post('/console/login').type('form').send({ _csrf: csrfOf(form.text), username: 'throttled', password: TEST_PASSWORD })).status).toBe(429);
  });

  it('never redirects to another site after signing in', async () => {
    await makeUser(api.db.db, { username: 'next-check', role: 'reviewer' });
    const agent = request.agent(api.app);
    const form = await agent.get('/console/login');
    const res = await agent.post('/console/login').type('form').send({ _csrf: csrfOf(form.text), username: 'next-check', password: TEST_PASSWORD, next: '//evil.example/console/' });
    expect(res.headers.location).toBe('/console/');
  });

  it('logs out: the session ends for the console and for the API token it was', async () => {
    const agent = await consoleAs(api.app, api.db, 'bye-reg', 'reviewer');
    const home = await openPage(agent, '/console/');
    const noCsrf = await agent.post('/console/logout').type('form').send({});
    expect(noCsrf.status).toBe(403);
    expect((await agent.get('/console/')).status).toBe(200);
    const out = await agent.post('/console/logout').type('form').send({ _csrf: home.csrf });
    expect(out.status).toBe(303);
    expect((await agent.get('/console/')).status).toBe(303);
  });

  it('changes the own password: the old one stops working, every session ends', async () => {
    const agent = await consoleAs(api.app, api.db, 'pw-changer', 'reviewer');
    const other = await signInConsole(api.app, 'pw-changer');
    const page = await openPage(agent, '/console/password');
    const wrong = await agent.post('/console/password').type('form').send({ _csrf: page.csrf, current: 'wrong-current', password: 'new-password-2026', password2: 'new-password-2026' });
    expect(wrong.status).toBe(303);
    const shown = await agent.get(wrong.headers.location);
    expect(shown.text).toContain('WRONG_PASSWORD');
    const ok = await agent.post('/console/password').type('form').send({ _csrf: page.csrf, current: TEST_PASSWORD, password: 'new-password-2026', password2: 'new-password-2026' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/console/login');
    expect((await other.get('/console/')).status).toBe(303);
    const login = await request(api.app).post('/api/v1/auth/login').send({ username: 'pw-changer', password: TEST_PASSWORD });
    expect(login.status).toBe(401);
    await signInConsole(api.app, 'pw-changer', 'new-password-2026');
  });

  it('sends an inspector to the assignments and shows each role only its navigation', async () => {
    const reviewer = await consoleAs(api.app, api.db, 'nav-rev', 'reviewer');
    const page = await openPage(reviewer, '/console/');
    expect(page.text).toContain('/console/review');
    expect(page.text).not.toContain('/console/admin/accounts');
    const denied = await reviewer.get('/console/admin/accounts');
    expect([403, 404]).toContain(denied.status);
  });
});
