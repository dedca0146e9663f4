import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DepartmentList, DepartmentView, MatterList, MatterView } from '../../src/http/schemas.ts';
import { startApi, expectError, rowCounts, type Api } from './support.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.db.destroy();
});

describe('departments', () => {
  it('starts empty', async () => {
    const res = await api.http.get('/api/v1/departments');
    expect(res.status).toBe(200);
    expect(DepartmentList.parse(res.body)).toEqual({ items: [] });
  });

  it('creates with 201, renames with 200, and lists in code order', async () => {
    const created = await api.http.post('/api/v1/departments').send({ code: 'SCJ', name: '市场监管局' });
    expect(created.status).toBe(201);
    expect(DepartmentView.parse(created.body)).toEqual({ code: 'SCJ', name: '市场监管局' });
    const renamed = await api.http.post('/api/v1/departments').send({ code: 'SCJ', name: '渝中区市场监督管理局' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ code: 'SCJ', name: '渝中区市场监督管理局' });
    expect((await api.http.post('/api/v1/departments').send({ code: 'AQJ', name: '应急管理局' })).status).toBe(201);
    const list = DepartmentList.parse((await api.http.get('/api/v1/departments')).body);
    expect(list.items).toEqual([
      { code: 'AQJ', name: '应急管理局' },
      { code: 'SCJ', name: '渝中区市场监督管理局' },
    ]);
  });

  it('refuses a code with other characters and a missing name', async () => {
    const before = await rowCounts(api.db);
    const res = await api.http.post('/api/v1/departments').send({ code: '市场 局' });
    expectError(res, 400, 'VALIDATION_FAILED', 'body.code', 'FORMAT');
    expectError(res, 400, 'VALIDATION_FAILED', 'body.name', 'REQUIRED');
    expect(await rowCounts(api.db)).toEqual(before);
  });
});

describe('matters (抽查事项清单)', () => {
  const general = {
    code: 'M-GEN-01',
    department: 'SCJ',
    name: '企业公示信息检查',
    importance: 'general',
    ratioCap: 0.05,
    legalBasis: '《企业信息公示暂行条例》',
    entityTypes: ['enterprise', 'cooperative'],
    method: '书面检查',
  };

  it('creates a general matter with its cap: 201 and a Location', async () => {
    const res = await api.http.post('/api/v1/matters').send(general);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.location).toBe('/api/v1/matters/M-GEN-01');
    expect(MatterView.parse(res.body)).toEqual({
      code: 'M-GEN-01',
      departmentCode: 'SCJ',
      name: '企业公示信息检查',
      legalBasis: '《企业信息公示暂行条例》',
      importance: 'general',
      ratioCap: 0.05,
      entityTypes: ['enterprise', 'cooperative'],
      method: '书面检查',
    });
  });

  it('creates a key matter without cap, department given by name', async () => {
    const res = await api.http.post('/api/v1/matters').send({ code: 'M-KEY-01', department: '渝中区市场监督管理局', name: '食品经营许可检查', importance: 'key' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ departmentCode: 'SCJ', importance: 'key', ratioCap: null, entityTypes: [] });
  });

  it('re-posting a general matter without ratioCap keeps its cap (200)', async () => {
    const res = await api.http.post('/api/v1/matters').send({ code: 'M-GEN-01', department: 'SCJ', name: '企业公示信息抽查', importance: 'general' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ name: '企业公示信息抽查', ratioCap: 0.05, method: '书面检查' });
  });

  it('a new general matter without a cap is refused at body.ratioCap; nothing is written', async () => {
    const before = await rowCounts(api.db);
    const res = await api.http.post('/api/v1/matters').send({ code: 'M-GEN-02', department: 'SCJ', name: '广告发布检查', importance: 'general' });
    const p = expectError(res, 400, 'GENERAL_MATTER_NEEDS_CAP', 'body.ratioCap', 'GENERAL_MATTER_NEEDS_CAP');
    expect(p!.message).toContain('比例上限');
    expect(await rowCounts(api.db)).toEqual(before);
    expectError(await api.http.get('/api/v1/matters/M-GEN-02'), 404, 'MATTER_NOT_FOUND');
  });

  it('a key matter with a cap, a cap above 100 % or at 0, an unknown department are refused', async () => {
    const key = await api.http.post('/api/v1/matters').send({ code: 'M-KEY-02', department: 'SCJ', name: '特种设备检查', importance: 'key', ratioCap: 0.1 });
    expectError(key, 400, 'VALIDATION_FAILED', 'body.ratioCap', 'KEY_MATTER_CAP');
    const big = await api.http.post('/api/v1/matters').send({ ...general, code: 'M-GEN-03', ratioCap: 5 });
    expectError(big, 400, 'VALIDATION_FAILED', 'body.ratioCap', 'TOO_BIG');
    const zero = await api.http.post('/api/v1/matters').send({ ...general, code: 'M-GEN-03', ratioCap: 0 });
    expectError(zero, 400, 'VALIDATION_FAILED', 'body.ratioCap', 'TOO_SMALL');
    const dept = await api.http.post('/api/v1/matters').send({ ...general, code: 'M-GEN-03', department: 'NOPE' });
    expectError(dept, 400, 'UNKNOWN_DEPARTMENT', 'body.department', 'UNKNOWN_DEPARTMENT');
    const types = await api.http.post('/api/v1/matters').send({ ...general, code: 'M-GEN-03', entityTypes: ['enterprise', 'company'], importance: '重点' });
    expectError(types, 400, 'VALIDATION_FAILED', 'body.entityTypes.1', 'ENUM');
    const importance = expectError(types, 400, 'VALIDATION_FAILED', 'body.importance', 'ENUM');
    expect(importance!.message).toContain('key');
    expectError(await api.http.get('/api/v1/matters/M-GEN-03'), 404, 'MATTER_NOT_FOUND');
  });

  it('gets one matter; an unknown code is 404 MATTER_NOT_FOUND', async () => {
    const res = await api.http.get('/api/v1/matters/M-KEY-01');
    expect(res.status).toBe(200);
    expect(MatterView.parse(res.body).name).toBe('食品经营许可检查');
    const missing = await api.http.get('/api/v1/matters/NO-SUCH');
    expectError(missing, 404, 'MATTER_NOT_FOUND');
    expect(missing.body.error.message).toContain('NO-SUCH');
  });

  it('lists all matters, or those of one department (code or name)', async () => {
    await api.http.post('/api/v1/matters').send({ code: 'M-AQ-01', department: 'AQJ', name: '安全生产检查', importance: 'key' });
    const all = MatterList.parse((await api.http.get('/api/v1/matters')).body);
    expect(all.items.map((m) => m.code)).toEqual(['M-AQ-01', 'M-GEN-01', 'M-KEY-01']);
    const scj = MatterList.parse((await api.http.get('/api/v1/matters?department=SCJ')).body);
    expect(scj.items.map((m) => m.code)).toEqual(['M-GEN-01', 'M-KEY-01']);
    const byName = await api.http.get(`/api/v1/matters?department=${encodeURIComponent('应急管理局')}`);
    expect(byName.body.items.map((m: { code: string }) => m.code)).toEqual(['M-AQ-01']);
    expectError(await api.http.get('/api/v1/matters?department=NOPE'), 400, 'UNKNOWN_DEPARTMENT', 'query.department');
  });
});
