import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectDetail, ObjectList, ObjectHistory, AbnormalListingView } from '../../src/http/schemas.ts';
import { startApi, uscc, withWrongCheck, expectError, rowCounts, type Api } from './support.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.db.destroy();
});

describe('objects: create → get → patch', () => {
  const code = uscc(1);

  it('creates an object and answers 201 with a Location and the stored view', async () => {
    const res = await api.http.post('/api/v1/objects').send({
      uscc: code,
      name: '重庆市渝中区解放碑百货有限公司',
      industryCode: 'f5211',
      street: '解放碑',
      address: '民族路 100 号',
      registeredOn: '2015-03-02',
      legalRepresentative: '张三',
      creditGrade: 'B',
      gradedOn: '2026-01-05',
      tags: ['食品经营', '商场'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/objects/${code}`);
    const body = ObjectDetail.parse(res.body);
    expect(body).toMatchObject({
      uscc: code,
      name: '重庆市渝中区解放碑百货有限公司',
      entityType: 'enterprise', // from the USCC's second character
      industryCode: 'F5211', // normalised
      registrationStatus: 'active',
      creditGrade: 'B',
      gradedOn: '2026-01-05',
      tags: ['食品经营', '商场'],
      gradeHistory: [],
      abnormalListings: [],
    });
  });

  it('reads it back, also when the path code is written in lower case', async () => {
    const res = await api.http.get(`/api/v1/objects/${code.toLowerCase()}`);
    expect(res.status).toBe(200);
    expect(ObjectDetail.parse(res.body)).toMatchObject({ uscc: code, street: '解放碑', address: '民族路 100 号' });
  });

  it('patches only the fields sent', async () => {
    const res = await api.http.patch(`/api/v1/objects/${code}`).send({ address: '民权路 8 号', tags: ['商场'] });
    expect(res.status).toBe(200);
    expect(ObjectDetail.parse(res.body)).toMatchObject({
      address: '民权路 8 号',
      tags: ['商场'],
      street: '解放碑',
      name: '重庆市渝中区解放碑百货有限公司',
      creditGrade: 'B',
    });
  });

  it('a grade change keeps the old grade in gradeHistory with its dates', async () => {
    const res = await api.http.patch(`/api/v1/objects/${code}`).send({ creditGrade: 'D', gradedOn: '2026-06-01' });
    expect(res.status).toBe(200);
    const body = ObjectDetail.parse(res.body);
    expect(body.creditGrade).toBe('D');
    expect(body.gradedOn).toBe('2026-06-01');
    expect(body.gradeHistory).toEqual([{ kind: 'credit', grade: 'B', gradedOn: '2026-01-05', supersededOn: '2026-06-01' }]);
    const again = await api.http.get(`/api/v1/objects/${code}`);
    expect(again.body.gradeHistory).toEqual(body.gradeHistory);
  });

  it('records every change in the history with the signed-in user as its source', async () => {
    const res = await api.http.get(`/api/v1/objects/${code}/history`);
    expect(res.status).toBe(200);
    const history = ObjectHistory.parse(res.body);
    expect(history.inspections).toEqual([]);
    expect(history.changes).toHaveLength(2);
    expect(history.changes.every((c) => c.source === 'test-admin')).toBe(true);
    expect(history.changes[1].before).toMatchObject({ credit_grade: 'B', graded_on: '2026-01-05' });
    expect(history.changes[1].after).toMatchObject({ credit_grade: 'D', graded_on: '2026-06-01' });
  });

  it('refuses a grading date without a grade, naming the field', async () => {
    const before = await rowCounts(api.db);
    const res = await api.http.patch(`/api/v1/objects/${code}`).send({ gradedOn: '2026-07-01' });
    expectError(res, 400, 'VALIDATION_FAILED', 'body.gradedOn', 'GRADE_DATE_WITHOUT_GRADE');
    expect(await rowCounts(api.db)).toEqual(before);
  });

  it('answers 409 when the USCC already exists, and leaves the stored object alone', async () => {
    const res = await api.http.post('/api/v1/objects').send({ uscc: code, name: '另一个名称' });
    expectError(res, 409, 'OBJECT_EXISTS');
    expect(res.body.error.message).toContain(code);
    const stored = await api.http.get(`/api/v1/objects/${code}`);
    expect(stored.body.name).toBe('重庆市渝中区解放碑百货有限公司');
  });

  it('infers an individual business from the USCC', async () => {
    const res = await api.http.post('/api/v1/objects').send({ uscc: uscc(2, '2'), name: '渝中区老张面馆' });
    expect(res.status).toBe(201);
    expect(res.body.entityType).toBe('individual');
    expect(res.body.creditGrade).toBeNull();
  });
});

describe('objects: list filters and pagination', () => {
  const seed = [
    { uscc: uscc(101), name: '七星岗餐饮有限公司', street: '七星岗', industryCode: 'H6210', creditGrade: 'A', tags: ['食品经营'] },
    { uscc: uscc(102), name: '七星岗五金店', street: '七星岗', industryCode: 'F5231', creditGrade: 'C' },
    { uscc: uscc(103, '2'), name: '两路口水果摊', street: '两路口', industryCode: 'F5223', entityType: 'individual' },
    { uscc: uscc(104, '3'), name: '大坪蔬菜专业合作社', street: '大坪', industryCode: 'A0141', creditGrade: 'B', tags: ['农产品'] },
    { uscc: uscc(105), name: '化龙桥贸易有限公司', street: '化龙桥', industryCode: 'F5191', creditGrade: 'A', registrationStatus: 'deregistered' },
  ];
  const listed = async (query: string) => {
    const res = await api.http.get(`/api/v1/objects?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = ObjectList.parse(res.body);
    return { ...body, usccs: body.items.map((o) => o.uscc) };
  };
  const ours = (usccs: string[]) => usccs.filter((u) => seed.some((s) => s.uscc === u));

  beforeAll(async () => {
    for (const o of seed) {
      const res = await api.http.post('/api/v1/objects').send(o);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });

  it('filters by grade, and "unrated" finds the objects without one', async () => {
    expect(ours((await listed('grade=A')).usccs)).toEqual([uscc(101), uscc(105)]);
    expect(ours((await listed('grade=C')).usccs)).toEqual([uscc(102)]);
    const unrated = await listed('grade=unrated');
    expect(ours(unrated.usccs)).toEqual([uscc(103, '2')]);
    expect(unrated.items.every((o) => o.creditGrade === null)).toBe(true);
  });

  it('filters by street, type, status, industry and tag', async () => {
    expect((await listed(`street=${encodeURIComponent('七星岗')}`)).usccs).toEqual([uscc(101), uscc(102)]);
    expect((await listed('type=cooperative')).usccs).toEqual([uscc(104, '3')]);
    expect(ours((await listed('type=individual')).usccs)).toEqual([uscc(103, '2')]);
    expect((await listed('status=deregistered')).usccs).toEqual([uscc(105)]);
    expect((await listed('industry=h6210')).usccs).toEqual([uscc(101)]);
    expect((await listed(`tag=${encodeURIComponent('农产品')}`)).usccs).toEqual([uscc(104, '3')]);
  });

  it('finds by part of the name or of the USCC', async () => {
    expect((await listed(`q=${encodeURIComponent('合作社')}`)).usccs).toEqual([uscc(104, '3')]);
    expect((await listed(`q=${uscc(102).slice(8, 17)}`)).usccs).toEqual([uscc(102)]);
  });

  it('combines filters', async () => {
    expect((await listed(`street=${encodeURIComponent('七星岗')}&grade=C`)).usccs).toEqual([uscc(102)]);
  });

  it('pages through the registry in USCC order with a stable total', async () => {
    const all = await listed('limit=500');
    expect(all.limit).toBe(500);
    expect(all.offset).toBe(0);
    expect(all.total).toBe(all.items.length);
    expect(all.usccs).toEqual([...all.usccs].sort());
    const first = await listed('limit=2');
    const second = await listed('limit=2&offset=2');
    expect(first.total).toBe(all.total);
    expect(first.usccs).toEqual(all.usccs.slice(0, 2));
    expect(second.usccs).toEqual(all.usccs.slice(2, 4));
    expect(second.offset).toBe(2);
    const beyond = await listed(`offset=${all.total}`);
    expect(beyond.items).toEqual([]);
    expect(beyond.total).toBe(all.total);
  });

  it('defaults to 50 per page', async () => {
    const page = await listed('');
    expect(page.limit).toBe(50);
    expect(page.offset).toBe(0);
  });

  it('treats empty parameters (as HTML forms send them) as no filter', async () => {
    const page = await listed('street=&grade=C&q=&limit=');
    expect(ours(page.usccs)).toEqual([uscc(102)]);
    expect(page.limit).toBe(50);
  });

  it('refuses a page size above 500, an unknown grade, a repeated or unknown parameter', async () => {
    expectError(await api.http.get('/api/v1/objects?limit=501'), 400, 'VALIDATION_FAILED', 'query.limit', 'TOO_BIG');
    expectError(await api.http.get('/api/v1/objects?limit=0'), 400, 'VALIDATION_FAILED', 'query.limit', 'TOO_SMALL');
    expectError(await api.http.get('/api/v1/objects?offset=-1'), 400, 'VALIDATION_FAILED', 'query.offset', 'TOO_SMALL');
    expectError(await api.http.get('/api/v1/objects?limit=ten'), 400, 'VALIDATION_FAILED', 'query.limit', 'INVALID_TYPE');
    const grade = expectError(await api.http.get('/api/v1/objects?grade=E'), 400, 'VALIDATION_FAILED', 'query.grade', 'ENUM');
    expect(grade!.message).toContain('unrated');
    expectError(await api.http.get('/api/v1/objects?type=company'), 400, 'VALIDATION_FAILED', 'query.type', 'ENUM');
    expectError(await api.http.get('/api/v1/objects?industry=52x'), 400, 'VALIDATION_FAILED', 'query.industry', 'INDUSTRY_CODE');
    expectError(await api.http.get('/api/v1/objects?grade=A&grade=B'), 400, 'VALIDATION_FAILED', 'query.grade', 'REPEATED_PARAMETER');
    const unknown = expectError(await api.http.get('/api/v1/objects?grades=A'), 400, 'VALIDATION_FAILED', 'query.grades', 'UNKNOWN_FIELD');
    expect(unknown!.message).toContain('grade');
  });
});

describe('objects: 400 problems name the field', () => {
  it('a wrong check character names the expected character (body and path)', async () => {
    const { code, expected } = withWrongCheck(uscc(201));
    const before = await rowCounts(api.db);
    const body = expectError(await api.http.post('/api/v1/objects').send({ uscc: code, name: '某公司' }), 400, 'VALIDATION_FAILED', 'body.uscc', 'USCC_CHECK');
    expect(body!.message).toContain(`第 18 位应为“${expected}”`);
    const path = expectError(await api.http.get(`/api/v1/objects/${code}`), 400, 'VALIDATION_FAILED', 'params.uscc', 'USCC_CHECK');
    expect(path!.message).toContain(`应为“${expected}”`);
    expectError(await api.http.patch(`/api/v1/objects/${code}`).send({ name: 'x' }), 400, 'VALIDATION_FAILED', 'params.uscc', 'USCC_CHECK');
    expect(await rowCounts(api.db)).toEqual(before);
  });

  it('a code of the wrong length or with a forbidden letter', async () => {
    expectError(await api.http.get('/api/v1/objects/91500103ABC'), 400, 'VALIDATION_FAILED', 'params.uscc', 'USCC_LENGTH');
    expectError(await api.http.get('/api/v1/objects/9150010300000000I1'), 400, 'VALIDATION_FAILED', 'params.uscc', 'USCC_CHARACTER');
  });

  it('an unknown enum value lists the allowed codes, and suggests the code for a Chinese word', async () => {
    const before = await rowCounts(api.db);
    const res = await api.http.post('/api/v1/objects').send({ uscc: uscc(202), name: '某公司', creditGrade: 'E', entityType: '企业' });
    const grade = expectError(res, 400, 'VALIDATION_FAILED', 'body.creditGrade', 'ENUM');
    expect(grade!.message).toContain('A、B、C、D');
    const type = expectError(res, 400, 'VALIDATION_FAILED', 'body.entityType', 'ENUM');
    expect(type!.message).toContain('enterprise');
    expect(await rowCounts(api.db)).toEqual(before);
  });

  it('wrong types are named one by one', async () => {
    const res = await api.http.post('/api/v1/objects').send({ uscc: uscc(203), name: 12345, tags: '食品', registeredOn: 20150302 });
    expectError(res, 400, 'VALIDATION_FAILED', 'body.name', 'INVALID_TYPE');
    expectError(res, 400, 'VALIDATION_FAILED', 'body.tags', 'INVALID_TYPE');
    expectError(res, 400, 'VALIDATION_FAILED', 'body.registeredOn', 'INVALID_TYPE');
    expect(res.body.error.problems).toHaveLength(3);
    const element = await api.http.post('/api/v1/objects').send({ uscc: uscc(203), name: '某公司', tags: ['ok', 7] });
    expectError(element, 400, 'VALIDATION_FAILED', 'body.tags.1', 'INVALID_TYPE');
  });

  it('an impossible date is refused', async () => {
    const res = await api.http.post('/api/v1/objects').send({ uscc: uscc(204), name: '某公司', registeredOn: '2026-02-30' });
    const p = expectError(res, 400, 'VALIDATION_FAILED', 'body.registeredOn', 'DATE');
    expect(p!.message).toContain('YYYY-MM-DD');
  });

  it('missing required fields', async () => {
    const res = await api.http.post('/api/v1/objects').send({ street: '大坪' });
    expectError(res, 400, 'VALIDATION_FAILED', 'body.uscc', 'REQUIRED');
    expectError(res, 400, 'VALIDATION_FAILED', 'body.name', 'REQUIRED');
    expectError(await api.http.post('/api/v1/objects').send({ uscc: uscc(205), name: '   ' }), 400, 'VALIDATION_FAILED', 'body.name', 'EMPTY');
  });

  it('snake_case or unknown fields are refused with the camelCase name suggested', async () => {
    const res = await api.http.post('/api/v1/objects').send({ uscc: uscc(206), name: '某公司', credit_grade: 'A' });
    const p = expectError(res, 400, 'VALIDATION_FAILED', 'body.credit_grade', 'UNKNOWN_FIELD');
    expect(p!.message).toContain('creditGrade');
    expectError(await api.http.patch(`/api/v1/objects/${uscc(1)}`).send({ uscc: uscc(1) }), 400, 'VALIDATION_FAILED', 'body.uscc', 'UNKNOWN_FIELD');
  });

  it('null is not a value', async () => {
    const res = await api.http.patch(`/api/v1/objects/${uscc(1)}`).send({ street: null });
    expectError(res, 400, 'VALIDATION_FAILED', 'body.street', 'NULL_NOT_ALLOWED');
  });

  it('a failed PATCH changes nothing', async () => {
    const before = await api.http.get(`/api/v1/objects/${uscc(1)}`);
    const counts = await rowCounts(api.db);
    const res = await api.http.patch(`/api/v1/objects/${uscc(1)}`).send({ name: '新名称', creditGrade: 'Z' });
    expectError(res, 400, 'VALIDATION_FAILED', 'body.creditGrade', 'ENUM');
    const after = await api.http.get(`/api/v1/objects/${uscc(1)}`);
    expect(after.body).toEqual(before.body);
    expect(await rowCounts(api.db)).toEqual(counts);
  });
});

describe('objects: 404', () => {
  const unknown = uscc(999);

  it('an unknown USCC is 404 OBJECT_NOT_FOUND on every object route', async () => {
    expectError(await api.http.get(`/api/v1/objects/${unknown}`), 404, 'OBJECT_NOT_FOUND');
    expectError(await api.http.patch(`/api/v1/objects/${unknown}`).send({ name: 'x' }), 404, 'OBJECT_NOT_FOUND');
    expectError(await api.http.get(`/api/v1/objects/${unknown}/history`), 404, 'OBJECT_NOT_FOUND');
    const add = await api.http.post(`/api/v1/objects/${unknown}/abnormal-listings`).send({ listedOn: '2026-03-01', reason: '无法联系' });
    expectError(add, 404, 'OBJECT_NOT_FOUND');
    const remove = await api.http.post(`/api/v1/objects/${unknown}/abnormal-listings/remove`).send({ removedOn: '2026-03-01', reason: '信用修复' });
    expectError(remove, 404, 'OBJECT_NOT_FOUND');
    const res = await api.http.get(`/api/v1/objects/${unknown}`);
    expect(res.body.error.message).toContain(unknown);
  });
});

describe('objects: abnormal-operation list (经营异常名录)', () => {
  const code = uscc(301);

  beforeAll(async () => {
    expect((await api.http.post('/api/v1/objects').send({ uscc: code, name: '南纪门商贸有限公司', creditGrade: 'B' })).status).toBe(201);
  });

  it('lists an active entity without changing its registration status', async () => {
    const res = await api.http.post(`/api/v1/objects/${code}/abnormal-listings`).send({ listedOn: '2026-03-01', reason: '通过登记的住所无法联系' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(AbnormalListingView.parse(res.body)).toMatchObject({ listedOn: '2026-03-01', reason: '通过登记的住所无法联系', removedOn: null, removalReason: null });
    const object = await api.http.get(`/api/v1/objects/${code}`);
    expect(object.body.registrationStatus).toBe('active');
    expect(object.body.abnormalListings).toHaveLength(1);
  });

  it('refuses a second open listing with 409', async () => {
    const res = await api.http.post(`/api/v1/objects/${code}/abnormal-listings`).send({ listedOn: '2026-04-01', reason: '再次' });
    expectError(res, 409, 'ALREADY_LISTED');
  });

  it('refuses a removal dated before the listing, naming the date field', async () => {
    const res = await api.http.post(`/api/v1/objects/${code}/abnormal-listings/remove`).send({ removedOn: '2026-02-01', reason: '信用修复' });
    expectError(res, 400, 'DATE_RANGE', 'body.removedOn');
    const object = await api.http.get(`/api/v1/objects/${code}`);
    expect(object.body.abnormalListings[0].removedOn).toBeNull();
  });

  it('removes it through credit restoration', async () => {
    const res = await api.http.post(`/api/v1/objects/${code}/abnormal-listings/remove`).send({ removedOn: '2026-05-20', reason: '信用修复' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(AbnormalListingView.parse(res.body)).toMatchObject({ listedOn: '2026-03-01', removedOn: '2026-05-20', removalReason: '信用修复' });
  });

  it('a second removal is 404 NOT_LISTED; a new listing is possible again', async () => {
    const again = await api.http.post(`/api/v1/objects/${code}/abnormal-listings/remove`).send({ removedOn: '2026-05-21', reason: '信用修复' });
    expectError(again, 404, 'NOT_LISTED');
    const relist = await api.http.post(`/api/v1/objects/${code}/abnormal-listings`).send({ listedOn: '2026-08-01', reason: '未按规定公示年报' });
    expect(relist.status).toBe(201);
    const object = ObjectDetail.parse((await api.http.get(`/api/v1/objects/${code}`)).body);
    expect(object.abnormalListings.map((a) => [a.listedOn, a.removedOn])).toEqual([
      ['2026-03-01', '2026-05-20'],
      ['2026-08-01', null],
    ]);
  });

  it('names missing and malformed fields', async () => {
    const res = await api.http.post(`/api/v1/objects/${code}/abnormal-listings`).send({ listedOn: '2026/09/01' });
    expectError(res, 400, 'VALIDATION_FAILED', 'body.listedOn', 'DATE');
    expectError(res, 400, 'VALIDATION_FAILED', 'body.reason', 'REQUIRED');
  });
});
