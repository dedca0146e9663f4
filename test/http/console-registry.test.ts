/**
 * Console registry pages through the real forms: objects (search, filters, pages, the object's
 * page with its grade history, edit, abnormal list, export), inspectors (filters, the scope rule
 * of edits, export), departments and matters. The console calls the API's services: a refusal
 * here is the API's refusal for the same request, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import ExcelJS from 'exceljs';
import { startApi, rowCounts, type Api } from './support.ts';
import { consoleAs, openPage, type ConsoleAgent } from './consoleSupport.ts';
import { makeDepartment, makeInspector, makeMatter, makeObject, makeObjects, usccOf } from '../factories/index.ts';
import { findObject } from '../../src/db/repositories/objects.ts';
import { findInspector } from '../../src/db/repositories/inspectors.ts';
import { testDialect } from '../helpers/db.ts';

let api: Api;
let reg: ConsoleAgent;
let regSw: ConsoleAgent;
let reviewer: ConsoleAgent;

const ALPHA = usccOf(910_001);
const BETA = usccOf(910_002);
const GAMMA = usccOf(910_003);
const SCJG_OFFICER = '50010399001';
const SW_OFFICER = '50010399002';

/** Raw response bytes (supertest leaves binary bodies unread otherwise). */
function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/** The rows of a table by its data-testid, as the text of their cells. */
function rowsOf(page: string, testid: string): string[] {
  const m = new RegExp(`<table data-testid="${testid}">([\\s\\S]*?)</table>`).exec(page);
  if (!m) return [];
  return [...m[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((r) => r[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

beforeAll(async () => {
  api = await startApi();
  const db = api.db.db;
  await makeDepartment(db, { code: 'SCJG', name: '渝中区市场监督管理局' });
  await makeDepartment(db, { code: 'SW', name: '渝中区税务局' });
  await makeMatter(db, { department_code: 'SCJG', code: 'SC-01', name: '食品经营许可检查', importance: 'key' });
  await makeMatter(db, { department_code: 'SW', code: 'SW-01', name: '发票使用检查', importance: 'general', ratio_cap: 0.05 });
  await makeObject(db, { uscc: ALPHA, name: '重庆渝中鑫源餐饮管理有限公司', credit_grade: 'B', street: '解放碑', tags: ['食品经营'], industry_code: 'H6210' });
  await makeObject(db, { uscc: BETA, name: '重庆两路口广告有限公司', credit_grade: 'D', street: '两路口' });
  await makeObject(db, { uscc: GAMMA, name: '重庆七星岗茶叶有限公司', street: '七星岗' });
  await makeObjects(db, Array.from({ length: 52 }, (_, i) => ({ uscc: usccOf(920_000 + i), name: `批量主体${i}`, tags: ['批量'] })));
  await makeInspector(db, { certificate_no: SCJG_OFFICER, name: '王建国', department_code: 'SCJG', qualifications: ['SC-01'] });
  await makeInspector(db, { certificate_no: SW_OFFICER, name: '李税务', department_code: 'SW', kind: 'auxiliary' });
  reg = await consoleAs(api.app, api.db, 'reg-scjg', 'regulator', { department: 'SCJG' });
  regSw = await consoleAs(api.app, api.db, 'reg-sw', 'regulator', { department: 'SW' });
  reviewer = await consoleAs(api.app, api.db, 'reviewer-1', 'reviewer');
});
afterAll(async () => api?.db.destroy());

describe(`console objects on ${testDialect}`, () => {
  it('searches by name and by part of the USCC, and filters by grade, street and tag', async () => {
    const byName = await openPage(reg, `/console/objects?q=${encodeURIComponent('两路口')}`);
    expect(rowsOf(byName.text, 'objects')).toEqual([expect.stringContaining(BETA)]);
    expect(byName.text).toContain('共 1 个检查对象');

    const byCode = await openPage(reg, `/console/objects?q=${ALPHA.slice(-8).toLowerCase()}`);
    expect(rowsOf(byCode.text, 'objects')).toEqual([expect.stringContaining('重庆渝中鑫源餐饮管理有限公司')]);

    const gradeD = await openPage(reg, '/console/objects?grade=D');
    expect(rowsOf(gradeD.text, 'objects')).toEqual([expect.stringMatching(new RegExp(`${BETA}.*D 信用风险高`))]);

    const street = await openPage(reg, `/console/objects?street=${encodeURIComponent('七星岗')}&grade=unrated`);
    expect(rowsOf(street.text, 'objects')).toEqual([expect.stringContaining(GAMMA)]);
    // The filter form keeps what was asked.
    expect(street.text).toMatch(/<option value="unrated" selected>/);

    const tagged = await openPage(reg, `/console/objects?tag=${encodeURIComponent('食品经营')}`);
    expect(rowsOf(tagged.text, 'objects')).toEqual([expect.stringContaining(ALPHA)]);
  });

  it('pages through 52 objects, 50 a page, keeping the filter', async () => {
    const first = await openPage(reg, `/console/objects?tag=${encodeURIComponent('批量')}`);
    expect(rowsOf(first.text, 'objects')).toHaveLength(50);
    expect(first.text).toContain('第 1 页，共 52 条');
    const next = /<a href="([^"]+)">下一页<\/a>/.exec(first.text)![1].replace(/&amp;/g, '&');
    expect(next).toContain('page=2');
    const second = await openPage(reg, next);
    expect(rowsOf(second.text, 'objects')).toHaveLength(2);
    expect(second.text).not.toContain('下一页');
    expect(second.text).toContain('上一页');
  });

  it('says what is wrong with a filter the API would refuse (400), instead of listing everything', async () => {
    const res = await reg.get('/console/objects?industry=XYZ');
    expect(res.status).toBe(400);
    expect(res.text).toContain('行业代码');
    expect(rowsOf(res.text, 'objects')).toEqual([]);
  });

  it('shows an object with its fields, and answers 404 for an unknown USCC', async () => {
    const page = await openPage(reviewer, `/console/objects/${ALPHA}`);
    expect(page.text).toContain('重庆渝中鑫源餐饮管理有限公司');
    expect(page.text).toContain('H6210');
    expect(rowsOf(page.text, 'grade-history')).toEqual([expect.stringMatching(/信用风险分类 B 信用风险一般 2026-06-30 现行/)]);
    // A reviewer reads but does not edit.
    expect(page.text).not.toContain('data-testid="object-edit-form"');
    const unknown = await reviewer.get(`/console/objects/${usccOf(999_999)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('OBJECT_NOT_FOUND');
  });

  it('edits an object through the form: the new grade is current, the old one goes to the grade history', async () => {
    const page = await openPage(reg, `/console/objects/${ALPHA}`);
    expect(page.text).toContain('data-testid="object-edit-form"');
    const res = await reg.post(`/console/objects/${ALPHA}`).type('form').send({
      _csrf: page.csrf,
      name: '重庆渝中鑫源餐饮管理有限公司',
      entityType: 'enterprise',
      industryCode: 'H6210',
      street: '解放碑',
      address: '重庆市渝中区民族路 88 号',
      registrationStatus: 'active',
      creditGrade: 'C',
      gradedOn: '2026-09-30',
      sectorGrade: '',
      tags: '食品经营、餐饮服务',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/console/objects/${ALPHA}`);
    const after = await openPage(reg, res.headers.location);
    expect(after.text).toContain('已保存修改');
    expect(rowsOf(after.text, 'grade-history')).toEqual([
      expect.stringMatching(/C 信用风险较高 2026-09-30 现行/),
      expect.stringMatching(/B 信用风险一般 2026-06-30 2026-09-30 被取代/),
    ]);
    expect(rowsOf(after.text, 'registry-changes')[0]).toMatch(/reg-scjg .*address/);
    const stored = await findObject(api.db.db, ALPHA);
    expect(stored).toMatchObject({ credit_grade: 'C', graded_on: '2026-09-30', address: '重庆市渝中区民族路 88 号', tags: ['食品经营', '餐饮服务'] });
  });

  it('refuses an invalid edit with the API message, back on the form, and changes nothing', async () => {
    const page = await openPage(reg, `/console/objects/${BETA}`);
    const before = await rowCounts(api.db);
    const res = await reg.post(`/console/objects/${BETA}`).type('form').send({ _csrf: page.csrf, name: '重庆两路口广告有限公司', registeredOn: '2026-02-30' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/console/objects/${BETA}`);
    const back = await openPage(reg, res.headers.location);
    expect(back.text).toContain('data-testid="form-error"');
    expect(back.text).toContain('成立日期');
    expect(await rowCounts(api.db)).toEqual(before);
  });

  it('refuses a POST without its CSRF token (403) and another role (reviewer: 403); nothing changes', async () => {
    const before = await findObject(api.db.db, BETA);
    const noToken = await reg.post(`/console/objects/${BETA}`).type('form').send({ name: '被篡改的名称' });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('CSRF_INVALID');
    const page = await openPage(reviewer, `/console/objects/${BETA}`);
    const asReviewer = await reviewer.post(`/console/objects/${BETA}`).type('form').send({ _csrf: page.csrf, name: '被篡改的名称' });
    expect(asReviewer.status).toBe(403);
    expect(asReviewer.text).toContain('FORBIDDEN_ROLE');
    expect(await findObject(api.db.db, BETA)).toEqual(before);
  });

  it('creates an object and lists it on the abnormal-operation list, then removes it', async () => {
    const list = await openPage(reg, '/console/objects');
    const uscc = usccOf(930_001);
    const created = await reg.post('/console/objects').type('form').send({ _csrf: list.csrf, uscc, name: '重庆新设商贸有限公司', street: '大坪', creditGrade: 'A' });
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe(`/console/objects/${uscc}`);
    const page = await openPage(reg, created.headers.location);
    expect(page.text).toContain('已新增检查对象');
    const listed = await reg.post(`/console/objects/${uscc}/abnormal`).type('form').send({ _csrf: page.csrf, listedOn: '2026-10-08', reason: '未按规定报送年度报告' });
    expect(listed.status).toBe(303);
    const after = await openPage(reg, `/console/objects/${uscc}`);
    expect(rowsOf(after.text, 'abnormal-listings')).toEqual([expect.stringMatching(/2026-10-08 未按规定报送年度报告 未移出/)]);
    const removed = await reg.post(`/console/objects/${uscc}/abnormal/remove`).type('form').send({ _csrf: page.csrf, removedOn: '2026-11-01', reason: '补报年度报告' });
    expect(removed.status).toBe(303);
    const final = await openPage(reg, `/console/objects/${uscc}`);
    expect(rowsOf(final.text, 'abnormal-listings')).toEqual([expect.stringMatching(/2026-10-08 未按规定报送年度报告 2026-11-01 补报年度报告/)]);
  });

  it('exports the objects as XLSX and CSV for writers, not for a reviewer', async () => {
    const page = await openPage(reg, '/console/objects');
    expect(page.text).toContain('href="/console/objects/export?format=xlsx"');
    expect(page.text).toContain('href="/console/objects/export?format=csv"');
    const xlsx = await reg.get('/console/objects/export?format=xlsx').buffer(true).parse(binary);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.headers['content-disposition']).toMatch(/attachment; filename="objects-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    expect(sheet.getRow(1).getCell(1).value).toBe('统一社会信用代码');
    const codes: string[] = [];
    sheet.eachRow((row, n) => n > 1 && codes.push(String(row.getCell(1).value)));
    expect(codes).toContain(ALPHA);
    expect(codes.length).toBeGreaterThanOrEqual(55);

    const csv = await reg.get('/console/objects/export?format=csv').buffer(true).parse(binary);
    expect(csv.status).toBe(200);
    const text = (csv.body as Buffer).toString('utf8');
    expect(text.startsWith('\uFEFF统一社会信用代码,')).toBe(true);
    expect(text).toContain(BETA);

    const other = await openPage(reviewer, '/console/objects');
    expect(other.text).not.toContain('/console/objects/export');
    expect((await reviewer.get('/console/objects/export?format=xlsx')).status).toBe(403);
  });
});

describe(`console inspectors on ${testDialect}`, () => {
  it('filters by department, kind and name', async () => {
    const scjg = await openPage(reg, '/console/inspectors?department=SCJG');
    expect(rowsOf(scjg.text, 'inspectors')).toEqual([expect.stringMatching(new RegExp(`${SCJG_OFFICER} 王建国 渝中区市场监督管理局`))]);
    const aux = await openPage(reg, '/console/inspectors?kind=auxiliary');
    expect(rowsOf(aux.text, 'inspectors')).toEqual([expect.stringContaining('李税务')]);
    const byName = await openPage(reg, `/console/inspectors?q=${encodeURIComponent('王建')}`);
    expect(rowsOf(byName.text, 'inspectors')).toHaveLength(1);
    const unknownDept = await reg.get('/console/inspectors?department=NOPE');
    expect(unknownDept.status).toBe(400);
    expect(unknownDept.text).toContain('UNKNOWN_DEPARTMENT');
  });

  it('lets the own department edit its inspector', async () => {
    const page = await openPage(reg, `/console/inspectors/${SCJG_OFFICER}`);
    expect(page.text).toContain('data-testid="inspector-edit-form"');
    const res = await reg.post(`/console/inspectors/${SCJG_OFFICER}`).type('form').send({
      _csrf: page.csrf, name: '王建国', department: 'SCJG', validFrom: '2022-01-01', validTo: '2027-12-31', qualifications: 'SC-01、SC-02', kind: 'officer', status: 'on_leave', yearlyCapacity: '30',
    });
    expect(res.status).toBe(303);
    const after = await openPage(reg, res.headers.location);
    expect(after.text).toContain('已保存修改：3 个字段');
    expect(await findInspector(api.db.db, SCJG_OFFICER)).toMatchObject({ status: 'on_leave', yearly_capacity: 30, qualifications: ['SC-01', 'SC-02'] });
  });

  it("refuses another department's regulator as the API does (403 OUT_OF_SCOPE), and changes nothing", async () => {
    const before = await findInspector(api.db.db, SCJG_OFFICER);
    const page = await openPage(regSw, `/console/inspectors/${SCJG_OFFICER}`);
    // The page reads, but offers no edit form: the scope rule says why.
    expect(page.text).not.toContain('data-testid="inspector-edit-form"');
    expect(page.text).toContain('data-testid="cannot-edit"');
    const res = await regSw.post(`/console/inspectors/${SCJG_OFFICER}`).type('form').send({ _csrf: page.csrf, name: '王建国', department: 'SCJG', status: 'left' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('OUT_OF_SCOPE');
    const conflict = await regSw.post(`/console/inspectors/${SCJG_OFFICER}/conflicts`).type('form').send({ _csrf: page.csrf, uscc: ALPHA, reason: '亲属关系' });
    expect(conflict.status).toBe(403);
    expect(await findInspector(api.db.db, SCJG_OFFICER)).toEqual(before);

    // The API gives the same answer class for the same request.
    const apiAgent = await api.as('reg-sw-api', 'regulator', { department: 'SW' });
    const viaApi = await apiAgent.patch(`/api/v1/inspectors/${SCJG_OFFICER}`).send({ status: 'left' });
    expect(viaApi.status).toBe(403);
    expect(viaApi.body.error.code).toBe('OUT_OF_SCOPE');
  });

  it('declares a conflict for the own department, and answers 404 for an unknown certificate', async () => {
    const page = await openPage(reg, `/console/inspectors/${SCJG_OFFICER}`);
    const res = await reg.post(`/console/inspectors/${SCJG_OFFICER}/conflicts`).type('form').send({ _csrf: page.csrf, uscc: BETA, reason: '曾在该公司任职', declaredOn: '2026-10-01' });
    expect(res.status).toBe(303);
    const after = await openPage(reg, `/console/inspectors/${SCJG_OFFICER}`);
    expect(rowsOf(after.text, 'conflicts')).toEqual([expect.stringMatching(new RegExp(`${BETA} 曾在该公司任职 2026-10-01`))]);
    expect((await reg.get('/console/inspectors/NO-SUCH-CERT')).status).toBe(404);
  });

  it('exports the inspectors for writers', async () => {
    const csv = await reg.get('/console/inspectors/export?format=csv').buffer(true).parse(binary);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(/filename="inspectors-\d{4}-\d{2}-\d{2}\.csv"/);
    expect((csv.body as Buffer).toString('utf8')).toContain('王建国');
    expect((await reviewer.get('/console/inspectors/export?format=csv')).status).toBe(403);
  });
});

describe(`console reference lists on ${testDialect}`, () => {
  it('shows the departments and the matters, filtered by department', async () => {
    const all = await openPage(reviewer, '/console/reference');
    expect(rowsOf(all.text, 'departments')).toEqual(['SCJG 渝中区市场监督管理局', 'SW 渝中区税务局']);
    expect(rowsOf(all.text, 'matters')).toEqual([expect.stringMatching(/^SC-01 食品经营许可检查 .* 重点/), expect.stringMatching(/^SW-01 发票使用检查 .* 一般 5%/)]);
    const sw = await openPage(reviewer, '/console/reference?department=SW');
    expect(rowsOf(sw.text, 'matters')).toEqual([expect.stringContaining('SW-01')]);
  });
});

describe('console registry pages are labelled', () => {
  it('every id is unique and every <label for> names a field of the page', async () => {
    const pages: [ConsoleAgent, string][] = [
      [reg, '/console/objects'],
      [reg, `/console/objects/${ALPHA}`],
      [reg, '/console/inspectors'],
      [reg, `/console/inspectors/${SCJG_OFFICER}`],
      [reviewer, '/console/reference'],
      [reg, '/console/imports'],
    ];
    for (const [agent, url] of pages) {
      const { text } = await openPage(agent, url);
      const ids = [...text.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i), url).toEqual([]);
      const targets = [...text.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]);
      expect(targets.filter((t) => !ids.includes(t)), url).toEqual([]);
    }
  });
});

describe('console: departments and the matters list', () => {
  it('lets a regulator add a matter of its own department, not of another, and only an administrator add a department', async () => {
    const page = await openPage(reg, '/console/reference');
    expect(page.text).toContain('data-testid="matter-form"');
    expect(page.text).not.toContain('data-testid="department-form"');
    const ok = await reg.post('/console/reference/matters').type('form').send({ _csrf: page.csrf, code: 'SC-09', name: '广告发布行为检查', department: 'SCJG', importance: 'general', ratioCap: '0.05' });
    expect(ok.status).toBe(303);
    expect((await reg.get(ok.headers.location)).text).toContain('已新增抽查事项 SC-09');
    const stored = await api.db.db.selectFrom('matters').select(['department_code', 'ratio_cap', 'importance']).where('code', '=', 'SC-09').executeTakeFirstOrThrow();
    expect(stored).toEqual({ department_code: 'SCJG', ratio_cap: 0.05, importance: 'general' });

    // A general matter without its cap: the API's message, nothing stored.
    const noCap = await reg.post('/console/reference/matters').type('form').send({ _csrf: page.csrf, code: 'SC-10', name: '无上限的一般事项', department: 'SCJG', importance: 'general' });
    expect((await reg.get(noCap.headers.location)).text).toContain('必须设置抽查比例上限');
    expect(await api.db.db.selectFrom('matters').select('code').where('code', '=', 'SC-10').executeTakeFirst()).toBeUndefined();

    // Another department's matter: refused as the API refuses it.
    const swPage = await openPage(regSw, '/console/reference');
    const foreign = await regSw.post('/console/reference/matters').type('form').send({ _csrf: swPage.csrf, code: 'SC-09', name: '改名', department: 'SCJG', importance: 'general', ratioCap: '0.05' });
    expect(foreign.status).toBe(403);
    expect((await api.db.db.selectFrom('matters').select('name').where('code', '=', 'SC-09').executeTakeFirstOrThrow()).name).toBe('广告发布行为检查');

    const dept = await reg.post('/console/reference/departments').type('form').send({ _csrf: page.csrf, code: 'WJ', name: '卫生健康委员会' });
    expect(dept.status).toBe(403);
    const admin = await consoleAs(api.app, api.db, 'ref-admin', 'admin');
    const adminPage = await openPage(admin, '/console/reference');
    expect(adminPage.text).toContain('data-testid="department-form"');
    expect((await admin.post('/console/reference/departments').type('form').send({ _csrf: adminPage.csrf, code: 'WJ', name: '卫生健康委员会' })).status).toBe(303);
    expect((await api.db.db.selectFrom('departments').select('name').where('code', '=', 'WJ').executeTakeFirstOrThrow()).name).toBe('卫生健康委员会');
  });
});
