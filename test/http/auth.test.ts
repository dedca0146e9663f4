import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, expectError, TEST_PASSWORD, type Api } from './support.ts';
import { seedDrawRegistry, type DrawRegistry } from '../helpers/drawRegistry.ts';
import { addUser, login } from '../../src/services/accounts.ts';
import { openApiDocument } from '../../src/http/routes/index.ts';

let api: Api;
let reg: DrawRegistry;
beforeAll(async () => {
  api = await startApi();
  reg = await seedDrawRegistry(api.db.db, { objects: 120 });
  await addUser(api.db.db, { username: 'alice', role: 'reviewer', password: TEST_PASSWORD });
});
afterAll(async () => api?.db.destroy());

describe('login, tokens and logout', () => {
  it('returns a token that expires, and answers an unknown user and a wrong password alike', async () => {
    const ok = await api.anonymous.post('/api/v1/auth/login').send({ username: 'alice', password: TEST_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ username: 'alice', role: 'reviewer' });
    expect(Date.parse(ok.body.expiresAt) - Date.now()).toBeGreaterThan(7 * 3600 * 1000);
    const me = await api.anonymous.get('/api/v1/auth/me').set('Authorization', `Bearer ${ok.body.token}`);
    expect(me.body.username).toBe('alice');
    const wrong = await api.anonymous.post('/api/v1/auth/login').send({ username: 'alice', password: 'nope nope nope' });
    const unknown = await api.anonymous.post('/api/v1/auth/login').send({ username: 'nobody', password: 'nope nope nope' });
    expectError(wrong, 401, 'INVALID_CREDENTIALS');
    expectError(unknown, 401, 'INVALID_CREDENTIALS');
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('slows repeated failed logins down with a growing lock-out', async () => {
    await addUser(api.db.db, { username: 'bob', role: 'reviewer', password: TEST_PASSWORD });
    for (let i = 0; i < 4; i++) await api.anonymous.post('/api/v1/auth/login').send({ username: 'bob', password: 'guess guess guess' });
    const locked = await api.anonymous.post('/api/v1/auth/login').send({ username: 'bob', password: TEST_PASSWORD });
    expectError(locked, 429, 'LOGIN_THROTTLED');
    expect(locked.body.error.message).toMatch(/\d+ 秒后再试/);
  });

  it('refuses expired and revoked tokens', async () => {
    const expired = await login(api.db.db, 'alice', TEST_PASSWORD, new Date(Date.now() - 9 * 3600 * 1000));
    expectError(await api.anonymous.get('/api/v1/objects').set('Authorization', `Bearer ${expired.token}`), 401, 'TOKEN_INVALID');
    const fresh = await api.anonymous.post('/api/v1/auth/login').send({ username: 'alice', password: TEST_PASSWORD });
    const auth = `Bearer ${fresh.body.token}`;
    expect((await api.anonymous.get('/api/v1/objects').set('Authorization', auth)).status).toBe(200);
    expect((await api.anonymous.post('/api/v1/auth/logout').set('Authorization', auth)).body).toEqual({ revoked: true });
    expectError(await api.anonymous.get('/api/v1/objects').set('Authorization', auth), 401, 'TOKEN_INVALID');
    expectError(await api.anonymous.get('/api/v1/objects'), 401, 'UNAUTHENTICATED');
  });
});

describe('roles and scope', () => {
  it('every route states who may call it', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { security?: unknown[]; 'x-roles'?: string[] }>> };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.security, `${method} ${path}`).toBeDefined();
        if ((op.security as unknown[]).length) expect(op['x-roles']!.length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
  });

  it('an inspector cannot read the registries, a reviewer cannot change them', async () => {
    const inspector = await api.as('insp', 'inspector', { officer: reg.officers.scjg[0] });
    expectError(await inspector.get('/api/v1/objects'), 403, 'FORBIDDEN_ROLE');
    expectError(await inspector.get('/api/v1/plans'), 403, 'FORBIDDEN_ROLE');
    const reviewer = await api.as('rev', 'reviewer');
    expect((await reviewer.get('/api/v1/objects')).status).toBe(200);
    expectError(await reviewer.patch(`/api/v1/objects/${reg.usccs[0]}`).send({ street: '大坪' }), 403, 'FORBIDDEN_ROLE');
  });

  it('a regulator cannot act outside its department', async () => {
    const scjg = await api.as('scjg-1', 'regulator', { department: 'SCJG' });
    const scjg2 = await api.as('scjg-2', 'regulator', { department: 'SCJG' });
    const sw = await api.as('sw-1', 'regulator', { department: 'SW' });
    const plan = await scjg.post('/api/v1/plans').send({ organization: 'SCJG', year: 2026 });
    expect(plan.status).toBe(201);
    expectError(await sw.post('/api/v1/plans').send({ organization: 'SCJG', year: 2027 }), 403, 'OUT_OF_SCOPE');
    const task = {
      lead: { code: 'SCJG', officersPerTeam: 2 },
      matters: ['SCJG-01'],
      selection: { mode: 'rates', rates: { A: '0.03', B: '0.035', C: '0.05', D: '0.1', U: '0.04' } },
      window: { start: '2026-12-07', end: '2026-12-25' },
      randomnessSource: '双色球',
    };
    const t = await scjg.post(`/api/v1/plans/${plan.body.id}/tasks`).send(task);
    expect(t.status).toBe(201);
    // SW does not take part: the task does not exist for it, whatever it tries.
    expectError(await sw.get(`/api/v1/tasks/${t.body.id}`), 404, 'TASK_NOT_FOUND');
    expectError(await sw.post(`/api/v1/tasks/${t.body.id}/approve`), 404, 'TASK_NOT_FOUND');
    expectError(await sw.patch(`/api/v1/tasks/${t.body.id}`).send(task), 404, 'TASK_NOT_FOUND');
    const swPlans = await sw.get('/api/v1/plans');
    expect(JSON.stringify(swPlans.body)).not.toContain(t.body.id);
    // Nor can it lead a task for SCJG, or edit SCJG's inspectors and matters.
    expectError(await sw.patch(`/api/v1/inspectors/${reg.officers.scjg[0]}`).send({ yearlyCapacity: 1 }), 403, 'OUT_OF_SCOPE');
    expectError(await sw.post('/api/v1/matters').send({ code: 'SCJG-01', department: 'SCJG', name: '改名', importance: 'key' }), 403, 'OUT_OF_SCOPE');
    // Its own department's colleague can approve (four eyes).
    expect((await scjg2.post(`/api/v1/tasks/${t.body.id}/approve`)).body.status).toBe('approved');
  });
});
