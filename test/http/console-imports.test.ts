/**
 * Console imports through the real multipart form: the job runs to its end in a worker, the
 * job's page shows the counts, the row-numbered problems and the downloads; the progress block
 * polls while the job runs; a job is its owner's (404 for anyone else but an administrator); a
 * form without its CSRF token, or of a kind the role may not import, starts nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type request from 'supertest';
import { startApi, rowCounts, type Api } from './support.ts';
import { consoleAs, openPage, type ConsoleAgent } from './consoleSupport.ts';
import { makeDepartment } from '../factories/index.ts';
import { findUserByName } from '../../src/db/repositories/accounts.ts';
import { insertImportJob, updateImportJob } from '../../src/db/repositories/importJobs.ts';
import { uploadsFolder } from '../../src/services/imports/importJobs.ts';
import { runningImportsOf } from '../../src/services/imports/importJobs.ts';
import { toFlag } from '../../src/db/json.ts';
import { testDialect } from '../helpers/db.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/import');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

let api: Api;
let reg: ConsoleAgent;
let otherReg: ConsoleAgent;
let admin: ConsoleAgent;

beforeAll(async () => {
  api = await startApi();
  await makeDepartment(api.db.db, { code: 'SCJG', name: '渝中区市场监督管理局' });
  reg = await consoleAs(api.app, api.db, 'imp-reg', 'regulator', { department: 'SCJG' });
  otherReg = await consoleAs(api.app, api.db, 'imp-other', 'regulator', { department: 'SCJG' });
  admin = await consoleAs(api.app, api.db, 'imp-admin', 'admin');
});

afterAll(async () => {
  if (!api) return;
  const unfinished = () => api.db.db.selectFrom('import_jobs').select('id').where('status', 'in', ['queued', 'running']).execute();
  await vi.waitFor(async () => expect(await unfinished()).toEqual([]), { timeout: 60_000, interval: 50 });
  await api.db.destroy();
});

function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

function rowsOf(page: string, testid: string): string[] {
  const m = new RegExp(`<table data-testid="${testid}">([\\s\\S]*?)</table>`).exec(page);
  if (!m) return [];
  return [...m[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((r) => r[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

const testidText = (page: string, testid: string) => (new RegExp(`data-testid="${testid}"[^>]*>([\\s\\S]*?)</`).exec(page)?.[1] ?? '').replace(/<[^>]+>/g, '').trim();

/** Submits the upload form as a browser does (multipart, the CSRF token among the fields). */
async function submit(agent: ConsoleAgent, fields: Record<string, string>, file?: { name: string; body: Buffer; type?: string }) {
  let req = agent.post('/console/imports');
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  if (file) req = req.attach('file', file.body, { filename: file.name, contentType: file.type ?? 'text/csv' });
  return req;
}

/** Reads the progress block (what htmx polls) until the job has ended; returns the job page. */
async function waitForEnd(agent: ConsoleAgent, jobUrl: string): Promise<string> {
  await vi.waitFor(
    async () => {
      const block = await agent.get(`${jobUrl}/progress`);
      expect(block.status).toBe(200);
      expect(block.text).toMatch(/已完成|未导入/);
    },
    { timeout: 45_000, interval: 50 },
  );
  return (await openPage(agent, jobUrl)).text;
}

const uploadsLeft = () => (fs.existsSync(uploadsFolder) ? fs.readdirSync(uploadsFolder).filter((f) => /\.(part|csv|xlsx)$/.test(f)) : []);

describe(`console imports on ${testDialect}`, () => {
  it('offers a regulator the kinds its role may import, an administrator all of them', async () => {
    const page = await openPage(reg, '/console/imports');
    expect(page.text).toContain('data-testid="import-form"');
    expect(page.text).toContain('enctype="multipart/form-data"');
    const kinds = (t: string) => [...(/data-testid="import-kind">([\s\S]*?)<\/select>/.exec(t)?.[1] ?? '').matchAll(/value="(\w+)"/g)].map((m) => m[1]);
    expect(kinds(page.text)).toEqual(['objects', 'inspectors', 'matters', 'conflicts', 'inspections']);
    expect(kinds((await openPage(admin, '/console/imports')).text)).toEqual(['objects', 'inspectors', 'departments', 'matters', 'conflicts', 'inspections', 'violations']);
  });

  let skipJobUrl = '';

  it('imports a CSV skipping the invalid row: counts, the row-numbered problem and both downloads', async () => {
    const form = await openPage(reg, '/console/imports');
    const res = await submit(reg, { _csrf: form.csrf, kind: 'objects', skipInvalid: 'true' }, { name: '渝中区名录.csv', body: fixture('objects-bad-check.csv') });
    expect(res.status, res.text.slice(0, 400)).toBe(303);
    expect(res.headers.location).toMatch(/^\/console\/imports\/[0-9a-f-]{36}$/);
    skipJobUrl = res.headers.location;

    const page = await waitForEnd(reg, skipJobUrl);
    expect(testidText(page, 'import-status')).toBe('已完成');
    expect(testidText(page, 'rows-read')).toBe('6');
    expect(testidText(page, 'rows-inserted')).toBe('5');
    expect(testidText(page, 'rows-rejected')).toBe('1');
    expect(page).toContain('导入完成：共读取 6 行，新增 5 条');
    expect(page).toMatch(/<progress max="1" value="1"/);
    // Finished: no more polling, no more refreshing.
    expect(page).not.toContain('hx-trigger');
    expect(page).not.toContain('http-equiv="refresh"');
    expect(rowsOf(page, 'import-problems')).toEqual([expect.stringMatching(/^5 统一社会信用代码 .*91500103MA5UJF6FE3.* USCC_CHECK$/)]);

    const report = await reg.get(`${skipJobUrl}/report`).buffer(true).parse(binary);
    expect(report.status).toBe(200);
    expect(report.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('渝中区名录.report.csv')}`);
    expect((report.body as Buffer).toString('utf8')).toMatch(/^5,统一社会信用代码,USCC_CHECK,/m);
    expect(page).toContain(`href="${skipJobUrl}/report" data-testid="import-report-link"`);
    expect(page).toContain(`href="${skipJobUrl}/rejects" data-testid="import-rejects-link"`);
    const rejects = await reg.get(`${skipJobUrl}/rejects`).buffer(true).parse(binary);
    expect(rejects.status).toBe(200);
    expect((rejects.body as Buffer).toString('utf8')).toMatch(/^5,91500103MA5UJF6FE3,重庆化龙桥装饰工程有限公司/m);

    // The objects are in the registry, and the job is in the user's list.
    const objects = await openPage(reg, '/console/objects?q=91500103MA5UN3M4T9');
    expect(objects.text).toContain('重庆渝中好又鲜餐饮有限公司');
    const list = await openPage(reg, '/console/imports');
    expect(rowsOf(list.text, 'import-jobs')[0]).toMatch(/检查对象名录 渝中区名录\.csv 已完成 6 5 0 1/);
  });

  it('strict mode: one bad row writes nothing; the page says so and lists the problem', async () => {
    const before = await rowCounts(api.db);
    const form = await openPage(reg, '/console/imports');
    const res = await submit(reg, { _csrf: form.csrf, kind: 'objects' }, { name: 'strict.csv', body: fixture('objects-bad-check.csv') });
    expect(res.status).toBe(303);
    const page = await waitForEnd(reg, res.headers.location);
    expect(testidText(page, 'import-status')).toBe('未导入');
    expect(page).toContain('未写入任何数据');
    expect(page).toContain('IMPORT_REJECTED');
    expect(rowsOf(page, 'import-problems')).toEqual([expect.stringMatching(/^5 统一社会信用代码 .* USCC_CHECK$/)]);
    expect(page).toContain('data-testid="import-report-link"');
    expect(page).not.toContain('data-testid="import-rejects-link"');
    expect((await reg.get(`${res.headers.location}/rejects`)).status).toBe(404);
    expect(await rowCounts(api.db)).toEqual(before);
  });

  it("answers 404 for another user's job (page, progress, downloads); an administrator sees it", async () => {
    for (const suffix of ['', '/progress', '/report', '/rejects']) {
      const res = await otherReg.get(`${skipJobUrl}${suffix}`);
      expect(res.status, suffix).toBe(404);
      expect(res.text).toContain('IMPORT_JOB_NOT_FOUND');
    }
    expect(rowsOf((await openPage(otherReg, '/console/imports')).text, 'import-jobs')).toEqual([]);
    expect((await admin.get(skipJobUrl)).status).toBe(200);
    expect((await admin.get(`${skipJobUrl}/rejects`)).status).toBe(200);
  });

  it('starts nothing for a form without its CSRF token (403), and deletes the upload', async () => {
    const jobs = async () => (await api.db.db.selectFrom('import_jobs').select('id').execute()).length;
    const before = await jobs();
    const leftBefore = uploadsLeft();
    const res = await submit(reg, { kind: 'objects' }, { name: 'nocsrf.csv', body: fixture('objects-bad-check.csv') });
    expect(res.status).toBe(403);
    expect(res.text).toContain('CSRF_INVALID');
    expect(await jobs()).toBe(before);
    expect(uploadsLeft()).toEqual(leftBefore);
  });

  it('refuses a kind the role may not import (403, as the API) and a file that is not CSV or XLSX', async () => {
    const jobs = async () => (await api.db.db.selectFrom('import_jobs').select('id').execute()).length;
    const before = await jobs();
    const form = await openPage(reg, '/console/imports');
    const departments = await submit(reg, { _csrf: form.csrf, kind: 'departments' }, { name: 'departments.csv', body: fixture('departments.csv') });
    expect(departments.status).toBe(403);
    expect(departments.text).toContain('FORBIDDEN_ROLE');
    const viaApi = await (await api.as('imp-reg-api', 'regulator', { department: 'SCJG' })).post('/api/v1/departments/import').set('Content-Type', 'text/csv').send(fixture('departments.csv'));
    expect(viaApi.status).toBe(403);

    const txt = await submit(reg, { _csrf: form.csrf, kind: 'objects' }, { name: '名录.txt', body: fixture('objects-bad-check.csv'), type: 'text/plain' });
    expect(txt.status).toBe(303);
    expect(txt.headers.location).toBe('/console/imports');
    const back = await openPage(reg, '/console/imports');
    expect(back.text).toContain('FILE_TYPE');
    const none = await submit(reg, { _csrf: form.csrf, kind: 'objects' });
    expect(none.status).toBe(303);
    expect((await openPage(reg, '/console/imports')).text).toContain('FILE_REQUIRED');
    expect(await jobs()).toBe(before);
    expect(uploadsLeft().filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('while a job runs, its page refreshes itself without JavaScript and htmx polls the progress block', async () => {
    const owner = (await findUserByName(api.db.db, 'imp-reg'))!;
    const id = '00000000-0000-4000-8000-00000000aaaa';
    await insertImportJob(api.db.db, { id, kind: 'inspectors', status: 'running', file_name: '人员.xlsx', skip_invalid: toFlag(false), created_at: new Date().toISOString(), owner_id: owner.id });
    await updateImportJob(api.db.db, id, { message: 'checking', rows_read: 120 });
    try {
      const page = await openPage(reg, `/console/imports/${id}`);
      expect(page.text).toContain('<noscript><meta http-equiv="refresh" content="2"></noscript>');
      expect(page.text).toMatch(new RegExp(`data-testid="import-progress"[^>]*hx-get="/console/imports/${id}/progress" hx-trigger="every 1s" hx-swap="outerHTML"`));
      expect(testidText(page.text, 'import-status')).toBe('导入中');
      expect(page.text).toContain('逐行检查');
      expect(page.text).toMatch(/<progress max="4" value="2"/);
      expect(testidText(page.text, 'rows-read')).toBe('120');
      expect(page.text).not.toContain('data-testid="import-problems"');

      const block = await reg.get(`/console/imports/${id}/progress`).set('HX-Request', 'true');
      expect(block.status).toBe(200);
      expect(block.text.trim().startsWith('<section id="import-progress"')).toBe(true);
      expect(block.headers['hx-refresh']).toBeUndefined();
      expect((await runningImportsOf(api.db.db, { name: 'imp-reg', userId: owner.id, role: 'regulator', department: 'SCJG', officer: null })).map((j) => j.id)).toEqual([id]);

      // Once it has ended, the block stops polling and asks htmx to reload the page with the result.
      await updateImportJob(api.db.db, id, { status: 'failed', message: '导入出错 (IMPORT_FAILED)', finished_at: new Date().toISOString() });
      const ended = await reg.get(`/console/imports/${id}/progress`).set('HX-Request', 'true');
      expect(ended.headers['hx-refresh']).toBe('true');
      expect(ended.text).not.toContain('hx-trigger');
    } finally {
      await updateImportJob(api.db.db, id, { status: 'failed', finished_at: new Date().toISOString() });
    }
  });
});
