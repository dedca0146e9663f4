import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, expectError, type Api } from './support.ts';
import { seedDrawRegistry } from '../helpers/drawRegistry.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
  await seedDrawRegistry(api.db.db, { objects: 200 });
});
afterAll(async () => api?.db.destroy());

const task = {
  lead: { code: 'SCJG', officersPerTeam: 2 },
  partners: [{ code: 'SW', officersPerTeam: 1 }],
  matters: ['SCJG-01', 'SW-01'],
  selection: { mode: 'rates', rates: { A: '0.03', B: '0.035', C: '0.05', D: '0.1', U: '0.04' } },
  window: { start: '2026-12-07', end: '2026-12-25' },
  randomnessSource: '2026年12月1日中国福利彩票双色球开奖号码',
};

describe('/api/v1/plans and /api/v1/tasks', () => {
  it('walks a joint task from draft to drawn, with two different people', async () => {
    const zhang = await api.as('zhang', 'regulator', { department: 'SCJG' });
    const li = await api.as('li', 'regulator', { department: 'SCJG' });
    const plan = await zhang.post('/api/v1/plans').send({ organization: 'SCJG', year: 2026 });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const created = await zhang.post(`/api/v1/plans/${plan.body.id}/tasks`).send(task);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.name).toBe('渝中区市场监督管理局2026年度第1号抽查任务');
    const id = created.body.id;
    expectError(await zhang.post(`/api/v1/tasks/${id}/commit`), 409, 'TASK_NOT_APPROVED');
    expectError(await zhang.post(`/api/v1/tasks/${id}/approve`), 403, 'FOUR_EYES');
    expect((await li.post(`/api/v1/tasks/${id}/approve`)).body.status).toBe('approved');
    const committed = await li.post(`/api/v1/tasks/${id}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.status).toBe('committed');
    expectError(await zhang.patch(`/api/v1/tasks/${id}`).send(task), 409, 'TASK_FROZEN');
    await li.post(`/api/v1/draws/${committed.body.drawId}/seed`).send({ randomness: '3 9 27' });
    const drawn = await li.post(`/api/v1/tasks/${id}/draw`);
    expect(drawn.status, JSON.stringify(drawn.body)).toBe(200);
    expect(drawn.body.events.map((e: { to: string; actor: string }) => `${e.to}:${e.actor}`)).toEqual([
      'draft:zhang',
      'approved:li',
      'committed:li',
      'drawn:li',
    ]);
    const visits = await api.http.get(`/api/v1/plans/${plan.body.id}/visits`);
    expect(visits.body.items.length).toBeGreaterThan(0);
    expect(visits.body.savedByMerging).toBe(0);
  });

  it('submits a draft for approval and lets a second person return it with a comment (API)', async () => {
    const wang = await api.as('wang', 'regulator', { department: 'SCJG' });
    const zhao = await api.as('zhao', 'regulator', { department: 'SCJG' });
    const plans = await wang.get('/api/v1/plans');
    const planId = plans.body.items.find((p: { organization: string }) => p.organization === 'SCJG').id;
    const created = await wang.post(`/api/v1/plans/${planId}/tasks`).send({ ...task, window: { start: '2026-12-14', end: '2026-12-30' } });
    const id = created.body.id;
    expect((await wang.post(`/api/v1/tasks/${id}/submit`)).status).toBe(200);
    expectError(await wang.post(`/api/v1/tasks/${id}/return`).send({ comment: '自己退回自己' }), 403, 'FOUR_EYES');
    expectError(await zhao.post(`/api/v1/tasks/${id}/return`).send({}), 400, 'VALIDATION_FAILED', 'body.comment');
    const returned = await zhao.post(`/api/v1/tasks/${id}/return`).send({ comment: '配合部门每组人数请改为 2 人' });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body.status).toBe('draft');
    expect(returned.body.events.map((e: { to: string; note: string | null }) => e.note)).toEqual(['新建任务', '提交审批', '退回修改：配合部门每组人数请改为 2 人']);
    expect((await zhao.post(`/api/v1/tasks/${id}/approve`)).body.status).toBe('approved');
    expectError(await zhao.post(`/api/v1/tasks/${id}/submit`), 409, 'TASK_NOT_DRAFT');
  });

  it('refuses a lone surrogate in the randomness source and in a stratum exclusion reason (400), storing nothing', async () => {
    const wu = await api.as('wu', 'regulator', { department: 'SCJG' });
    const planId = (await wu.get('/api/v1/plans')).body.items.find((p: { organization: string }) => p.organization === 'SCJG').id;
    const before = (await wu.get(`/api/v1/plans/${planId}/tasks`)).body.items.length;
    // Sent as JSON text with \u escapes, as a client would: JSON.parse makes them lone surrogates.
    const source = JSON.stringify({ ...task, window: { start: '2026-12-14', end: '2026-12-30' } }).replace('"randomnessSource":"', '"randomnessSource":"\\ud800');
    const a = await wu.post(`/api/v1/plans/${planId}/tasks`).set('Content-Type', 'application/json').send(source);
    expectError(a, 400, 'VALIDATION_FAILED', 'body.randomnessSource');
    const reason = JSON.stringify({ ...task, window: { start: '2026-12-14', end: '2026-12-30' }, selection: { mode: 'rates', rates: { B: '0.035', C: '0.05', D: '0.1', U: '0.04' } }, excludeStrata: [{ stratum: 'A', reason: 'X' }] }).replace('"reason":"X"', '"reason":"\\udfff"');
    const b = await wu.post(`/api/v1/plans/${planId}/tasks`).set('Content-Type', 'application/json').send(reason);
    expect(b.status).toBe(400);
    expect(JSON.stringify(b.body)).toContain('孤立的代理项');
    expect((await wu.get(`/api/v1/plans/${planId}/tasks`)).body.items.length).toBe(before);
  });

  it('simulates the plan before approval: probabilities equal the draw’s inclusion probabilities, with loads and warnings', async () => {
    const plan = await api.http.post('/api/v1/plans').send({ organization: 'SW', year: 2026 }).expect(201);
    const t = await api.http.post(`/api/v1/plans/${plan.body.id}/tasks`).send({ ...task, exclusions: { yearlyCap: null, lookbackDays: null } });
    const sim = await api.http.get(`/api/v1/tasks/${t.body.id}/simulation?entities=true&limit=5000`);
    expect(sim.status, JSON.stringify(sim.body).slice(0, 500)).toBe(200);
    expect(sim.body.method).toBe('exact');
    expect(sim.body.task.id).toBe(t.body.id);
    // One task: each entity's probability is its stratum's π = rate (rates mode), as the draw publishes.
    const rates: Record<string, number> = { A: 0.03, B: 0.035, C: 0.05, D: 0.1, U: 0.04 };
    const pis = new Map<string, string>(sim.body.task.strata.map((s: { stratum: string; inclusionProbability: string }) => [s.stratum, s.inclusionProbability]));
    for (const [stratum, rate] of Object.entries(rates)) if (pis.has(stratum)) expect(Number(eval(pis.get(stratum)!))).toBeCloseTo(rate, 12);
    expect(sim.body.entities.length).toBe(sim.body.entityCount);
    const probabilities = new Set(sim.body.entities.map((e: { probability: number }) => e.probability));
    for (const p of probabilities) expect(Object.values(rates).some((r) => Math.abs(r - (p as number)) < 1e-12)).toBe(true);
    expect(sim.body.officers.length).toBeGreaterThan(0);
  });

  it('names bad task input and unknown ids', async () => {
    const plan = await api.http.post('/api/v1/plans').send({ organization: 'SW', year: 2027 });
    const bad = await api.http.post(`/api/v1/plans/${plan.body.id}/tasks`).send({ ...task, matters: [], window: { start: '2026-02-30', end: '2026-03-01' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['body.matters', 'body.window.start']));
    expectError(await api.http.get('/api/v1/tasks/00000000-0000-4000-8000-000000000000'), 404, 'TASK_NOT_FOUND');
    expectError(await api.http.post('/api/v1/plans').send({ organization: 'SW', year: 2027 }), 409, 'PLAN_EXISTS');
  });
});
