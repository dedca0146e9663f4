import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InspectorDetail, InspectorList, ConflictReply } from '../../src/http/schemas.ts';
import { startApi, uscc, withWrongCheck, expectError, rowCounts, type Api } from './support.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
  for (const d of [
    { code: 'SCJ', name: '渝中区市场监督管理局' },
    { code: 'SWJ', name: '渝中区税务局' },
  ]) {
    expect((await api.http.post('/api/v1/departments').send(d)).status).toBe(201);
  }
});
afterAll(async () => {
  await api.db.destroy();
});

const officer = {
  certificateNo: '50010300001',
  name: '李明',
  department: '渝中区市场监督管理局', // by name: resolved to its code
  validFrom: '2024-01-01',
  validTo: '2029-12-31',
  qualifications: ['M001', '食品安全'],
  yearlyCapacity: 120,
};

describe('inspectors: create → get → patch', () => {
  it('creates an officer (department given by name) with 201 and a Location', async () => {
    const res = await api.http.post('/api/v1/inspectors').send(officer);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.location).toBe('/api/v1/inspectors/50010300001');
    expect(InspectorDetail.parse(res.body)).toMatchObject({
      certificateNo: '50010300001',
      name: '李明',
      departmentCode: 'SCJ',
      kind: 'officer',
      status: 'active',
      yearlyCapacity: 120,
      qualifications: ['M001', '食品安全'],
      conflicts: [],
    });
  });

  it('reads it back', async () => {
    const res = await api.http.get('/api/v1/inspectors/50010300001');
    expect(res.status).toBe(200);
    expect(InspectorDetail.parse(res.body)).toMatchObject({ name: '李明', validTo: '2029-12-31' });
  });

  it('patches status and department (by code)', async () => {
    const res = await api.http.patch('/api/v1/inspectors/50010300001').send({ status: 'on_leave', department: 'SWJ' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'on_leave', departmentCode: 'SWJ', name: '李明', yearlyCapacity: 120 });
    const back = await api.http.patch('/api/v1/inspectors/50010300001').send({ status: 'active', department: 'SCJ' });
    expect(back.body).toMatchObject({ status: 'active', departmentCode: 'SCJ' });
  });

  it('answers 409 for a certificate number already in the registry', async () => {
    expectError(await api.http.post('/api/v1/inspectors').send({ ...officer, name: '别人' }), 409, 'INSPECTOR_EXISTS');
    expect((await api.http.get('/api/v1/inspectors/50010300001')).body.name).toBe('李明');
  });

  it('answers 404 INSPECTOR_NOT_FOUND for an unknown certificate number', async () => {
    expectError(await api.http.get('/api/v1/inspectors/NO-SUCH-1'), 404, 'INSPECTOR_NOT_FOUND');
    expectError(await api.http.patch('/api/v1/inspectors/NO-SUCH-1').send({ status: 'left' }), 404, 'INSPECTOR_NOT_FOUND');
    const conflict = await api.http.post('/api/v1/inspectors/NO-SUCH-1/conflicts').send({ uscc: uscc(1), reason: '亲属' });
    expectError(conflict, 404, 'INSPECTOR_NOT_FOUND');
    expect(conflict.body.error.message).toContain('NO-SUCH-1');
  });
});

describe('inspectors: validation', () => {
  it('an unknown department is a 400 naming body.department, and nothing is written', async () => {
    const before = await rowCounts(api.db);
    const res = await api.http.post('/api/v1/inspectors').send({ ...officer, certificateNo: '50010300099', department: '不存在的局' });
    const p = expectError(res, 400, 'UNKNOWN_DEPARTMENT', 'body.department', 'UNKNOWN_DEPARTMENT');
    expect(p!.message).toContain('不存在的局');
    expect(await rowCounts(api.db)).toEqual(before);
    expectError(await api.http.get('/api/v1/inspectors/50010300099'), 404, 'INSPECTOR_NOT_FOUND');
  });

  it('validity ending before it starts is refused at body.validTo', async () => {
    const res = await api.http.post('/api/v1/inspectors').send({ ...officer, certificateNo: '50010300098', validFrom: '2026-01-01', validTo: '2025-01-01' });
    expectError(res, 400, 'VALIDATION_FAILED', 'body.validTo', 'DATE_RANGE');
  });

  it('enum codes, integer capacity and required fields are named', async () => {
    const res = await api.http.post('/api/v1/inspectors').send({ certificateNo: '50010300097', kind: '辅助人员', status: 'retired', yearlyCapacity: 1.5 });
    const kind = expectError(res, 400, 'VALIDATION_FAILED', 'body.kind', 'ENUM');
    expect(kind!.message).toContain('auxiliary');
    expectError(res, 400, 'VALIDATION_FAILED', 'body.status', 'ENUM');
    expectError(res, 400, 'VALIDATION_FAILED', 'body.yearlyCapacity', 'INVALID_TYPE');
    expectError(res, 400, 'VALIDATION_FAILED', 'body.name', 'REQUIRED');
    expectError(res, 400, 'VALIDATION_FAILED', 'body.department', 'REQUIRED');
    const text = await api.http.patch('/api/v1/inspectors/50010300001').send({ yearlyCapacity: '100' });
    expectError(text, 400, 'VALIDATION_FAILED', 'body.yearlyCapacity', 'INVALID_TYPE');
    const negative = await api.http.patch('/api/v1/inspectors/50010300001').send({ yearlyCapacity: -1 });
    expectError(negative, 400, 'VALIDATION_FAILED', 'body.yearlyCapacity', 'TOO_SMALL');
  });
});

describe('inspectors: list filters and pagination', () => {
  beforeAll(async () => {
    const people = [
      { certificateNo: '50010300002', name: '王芳', department: 'SCJ', status: 'on_leave' },
      { certificateNo: '50010300003', name: '赵强', department: 'SWJ' },
      { certificateNo: 'FZ-0001', name: '孙协管', department: 'SCJ', kind: 'auxiliary' },
      { certificateNo: '50010300004', name: '周离', department: 'SCJ', status: 'left' },
    ];
    for (const p of people) expect((await api.http.post('/api/v1/inspectors').send(p)).status).toBe(201);
  });
  const listed = async (query: string) => {
    const res = await api.http.get(`/api/v1/inspectors?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = InspectorList.parse(res.body);
    return { ...body, numbers: body.items.map((i) => i.certificateNo) };
  };

  it('filters by department (code or name), status, kind and q', async () => {
    expect((await listed('department=SWJ')).numbers).toEqual(['50010300003']);
    expect((await listed(`department=${encodeURIComponent('渝中区税务局')}`)).numbers).toEqual(['50010300003']);
    expect((await listed('status=on_leave')).numbers).toEqual(['50010300002']);
    expect((await listed('status=left')).numbers).toEqual(['50010300004']);
    expect((await listed('kind=auxiliary')).numbers).toEqual(['FZ-0001']);
    expect((await listed(`q=${encodeURIComponent('王')}`)).numbers).toEqual(['50010300002']);
    expect((await listed('q=0300003')).numbers).toEqual(['50010300003']);
    expect((await listed('department=SCJ&status=active&kind=officer')).numbers).toEqual(['50010300001']);
  });

  it('pages in certificate-number order', async () => {
    const all = await listed('');
    expect(all.total).toBe(5);
    expect(all.limit).toBe(50);
    const page = await listed('limit=2&offset=1');
    expect(page.numbers).toEqual(all.numbers.slice(1, 3));
    expect(page.total).toBe(5);
  });

  it('an unknown department or status in the query is a 400 naming the parameter', async () => {
    expectError(await api.http.get('/api/v1/inspectors?department=XYZ'), 400, 'UNKNOWN_DEPARTMENT', 'query.department');
    expectError(await api.http.get('/api/v1/inspectors?status=retired'), 400, 'VALIDATION_FAILED', 'query.status', 'ENUM');
    expectError(await api.http.get('/api/v1/inspectors?limit=1000'), 400, 'VALIDATION_FAILED', 'query.limit', 'TOO_BIG');
  });
});

describe('inspectors: conflicts (回避)', () => {
  const entity = uscc(7001);

  it('declares a conflict with 201, then updates its reason with 200', async () => {
    const res = await api.http.post('/api/v1/inspectors/50010300001/conflicts').send({ uscc: entity, reason: '配偶任该企业股东', declaredOn: '2026-02-01' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(ConflictReply.parse(res.body)).toEqual({ certificateNo: '50010300001', uscc: entity, reason: '配偶任该企业股东', declaredOn: '2026-02-01' });
    const again = await api.http.post('/api/v1/inspectors/50010300001/conflicts').send({ uscc: entity.toLowerCase(), reason: '曾在该企业任职', declaredOn: '2026-03-01' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ uscc: entity, reason: '曾在该企业任职', declaredOn: '2026-03-01' });
    const inspector = InspectorDetail.parse((await api.http.get('/api/v1/inspectors/50010300001')).body);
    expect(inspector.conflicts).toEqual([{ uscc: entity, reason: '曾在该企业任职', declaredOn: '2026-03-01' }]);
  });

  it('defaults the declaration date to today', async () => {
    const res = await api.http.post('/api/v1/inspectors/50010300002/conflicts').send({ uscc: entity, reason: '亲属' });
    expect(res.status).toBe(201);
    expect(res.body.declaredOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('a wrong check character or a missing reason is a 400 naming the field; nothing is written', async () => {
    const before = await rowCounts(api.db);
    const { code, expected } = withWrongCheck(entity);
    const res = await api.http.post('/api/v1/inspectors/50010300001/conflicts').send({ uscc: code });
    const p = expectError(res, 400, 'VALIDATION_FAILED', 'body.uscc', 'USCC_CHECK');
    expect(p!.message).toContain(`“${expected}”`);
    expectError(res, 400, 'VALIDATION_FAILED', 'body.reason', 'REQUIRED');
    expect(await rowCounts(api.db)).toEqual(before);
  });
});
