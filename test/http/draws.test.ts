import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, expectError, type Api } from './support.ts';
import { DRAW_PARAMS, seedDrawRegistry } from '../helpers/drawRegistry.ts';
import { verifyBundle } from '../../src/domain/draw/verify.ts';
import type { DrawBundle } from '../../src/domain/draw/bundle.ts';

let api: Api;

beforeAll(async () => {
  api = await startApi();
  await seedDrawRegistry(api.db.db, { objects: 250 });
});
afterAll(async () => api?.db.destroy());

describe('/api/v1/draws', () => {
  let id: string;
  let commitment: string;

  it('commits a draw (201, Location) and publishes the commitment before any seed', async () => {
    const res = await api.http.post('/api/v1/draws').send({ ...DRAW_PARAMS, task: 'H-1' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/draws/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'committed', randomness: null, task: 'H-1' });
    id = res.body.id;
    commitment = res.body.commitment;
    expect(commitment).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to run before the seed, then takes the seed once', async () => {
    expectError(await api.http.post(`/api/v1/draws/${id}/run`), 409, 'DRAW_NOT_SEEDED');
    const seeded = await api.http.post(`/api/v1/draws/${id}/seed`).send({ randomness: '05 11 17 23 29 + 02' });
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(200);
    expect(seeded.body.randomness.normalized).toBe('0511172329+02');
    expectError(await api.http.post(`/api/v1/draws/${id}/seed`).send({ randomness: '1' }), 409, 'DRAW_ALREADY_SEEDED');
  });

  it('runs the draw in a worker and serves a public bundle that verifies to anyone; the full bundle only to auditors and administrators', async () => {
    const run = await api.http.post(`/api/v1/draws/${id}/run`);
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.status).toBe('drawn');
    expect(run.body.selectedCount).toBeGreaterThan(0);
    const sel = await api.http.get(`/api/v1/draws/${id}/selections`);
    expect(sel.body.items).toHaveLength(run.body.selectedCount);
    const bundleRes = await api.anonymous.get(`/api/v1/draws/${id}/bundle`).buffer(true).parse((res, cb) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString('utf8')));
      res.on('end', () => cb(null, data));
    });
    expect(bundleRes.status).toBe(200);
    expect(bundleRes.headers['content-disposition']).toContain('attachment');
    const bundle = JSON.parse(bundleRes.body as unknown as string) as DrawBundle;
    expect(bundle.level).toBe('public');
    expect(bundle.files['strata.csv']).toBeUndefined();
    expect(verifyBundle(bundle, { expectedCommitment: commitment })).toMatchObject({ ok: true, level: 'public' });
    expectError(await api.anonymous.get(`/api/v1/draws/${id}/bundle?level=full`), 403, 'FULL_BUNDLE_RESTRICTED');
    const regulator = await api.as('wang', 'regulator', { department: 'SCJG' });
    expectError(await regulator.get(`/api/v1/draws/${id}/bundle?level=full`), 403, 'FULL_BUNDLE_RESTRICTED');
    const auditor = await api.as('auditor', 'reviewer');
    const full = await auditor.get(`/api/v1/draws/${id}/bundle?level=full`).buffer(true).parse((res, cb) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString('utf8')));
      res.on('end', () => cb(null, data));
    });
    expect(full.status).toBe(200);
    const fullBundle = JSON.parse(full.body as unknown as string) as DrawBundle;
    expect(verifyBundle(fullBundle)).toMatchObject({ ok: true, level: 'full' });
  });

  it('voids only with a reason, keeps the record, and counts it on the task', async () => {
    expectError(await api.http.post(`/api/v1/draws/${id}/void`).send({ reason: '' }), 400, 'VALIDATION_FAILED', 'body.reason');
    const voided = await api.http.post(`/api/v1/draws/${id}/void`).send({ reason: '开奖号码录入有误，重新抽取' });
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ status: 'voided', voided: { reason: '开奖号码录入有误，重新抽取' } });
    const again = await api.http.post('/api/v1/draws').send({ ...DRAW_PARAMS, task: 'H-1' });
    expect(again.status).toBe(201);
    expect(again.body.voidedDrawsOfTask).toBe(1);
    const list = await api.http.get('/api/v1/draws?task=H-1');
    expect(list.body.items.map((d: { status: string }) => d.status).sort()).toEqual(['committed', 'voided']);
  });

  it('names every problem in bad parameters, and refuses a second live draw of a task', async () => {
    const bad = await api.http.post('/api/v1/draws').send({ ...DRAW_PARAMS, task: 'H-2', selection: { mode: 'rates', rates: { A: 2 } }, window: { start: '2026-13-01', end: '2026-12-01' } });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['body.window.start']));
    expectError(await api.http.post('/api/v1/draws').send({ ...DRAW_PARAMS, task: 'H-1' }), 409, 'TASK_HAS_LIVE_DRAW');
    expectError(await api.http.get('/api/v1/draws/00000000-0000-4000-8000-000000000000'), 404, 'DRAW_NOT_FOUND');
    expectError(await api.http.get('/api/v1/draws/not-a-uuid'), 400, 'VALIDATION_FAILED', 'params.id');
  });

  it('reports a team shortfall as 422 naming the department, writing nothing', async () => {
    const c = await api.http.post('/api/v1/draws').send({ ...DRAW_PARAMS, task: 'H-3', departments: [{ code: 'SCJG', officersPerTeam: 2 }, { code: 'SW', officersPerTeam: 7 }] });
    await api.http.post(`/api/v1/draws/${c.body.id}/seed`).send({ randomness: '9' });
    const res = await api.http.post(`/api/v1/draws/${c.body.id}/run`);
    expectError(res, 422, 'TEAM_SHORTFALL');
    expect(res.body.error.message).toContain('SW');
    expect((await api.http.get(`/api/v1/draws/${c.body.id}`)).body).toMatchObject({ status: 'seeded', selectedCount: 0 });
  });
});
