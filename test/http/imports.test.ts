/**
 * File imports and exports over HTTP: uploads as jobs in a worker thread, polled to their end;
 * the problem report and rejects downloads; registry exports as CSV and XLSX; the document.
 * Uploads land in this test file's own IMPORT_DIR (test/setup/env.ts), removed when it ends.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import ExcelJS from 'exceljs';
import { pino } from 'pino';
import { createApp } from '../../src/http/app.ts';
import { ImportAccepted, ObjectList } from '../../src/http/schemas.ts';
import { IMPORT_KINDS } from '../../src/domain/columns.ts';
import { uploadsFolder } from '../../src/services/imports/importJobs.ts';
import { findImportJob, updateImportJob } from '../../src/db/repositories/importJobs.ts';
import { toJson } from '../../src/db/json.ts';
import { waitForImportJob, type ImportJob as Job } from '../helpers/importJobs.ts';
import { createTestDb, testDialect } from '../helpers/db.ts';
import { startApi, uscc, expectError, rowCounts, type Api, SOME_TOKEN } from './support.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/import');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const BINARY_TYPES = ['text/csv', XLSX, 'application/vnd.ms-excel', 'application/octet-stream'];
/** Upload files the service names: <epoch ms>-<12 hex>.<ext>. */
const UPLOAD_NAME = /^\d+-[0-9a-f]{12}\.(csv|xlsx)$/;

let api: Api;

const listUploads = () => new Set(fs.existsSync(uploadsFolder) ? fs.readdirSync(uploadsFolder) : []);

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  if (!api) return;
  // No job may still be writing when its database goes (the files go with the uploads folder).
  const unfinished = () => api.db.db.selectFrom('import_jobs').select('id').where('status', 'in', ['queued', 'running']).execute();
  await vi.waitFor(async () => expect(await unfinished()).toEqual([]), { timeout: 60_000, interval: 50 });
  await api.db.destroy();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Raw response bytes (supertest would otherwise decode text and leave binary bodies unread). */
function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

async function upload(kind: string, body: Buffer, contentType: string, query: Record<string, string> = {}) {
  const qs = new URLSearchParams(query).toString();
  return api.http.post(`/api/v1/${kind}/import${qs ? `?${qs}` : ''}`).set('Content-Type', contentType).send(body);
}

/** Reads the job's status URL until it has ended. */
function waitForJob(statusUrl: string, onPoll?: (job: Job) => Promise<void>): Promise<Job> {
  return waitForImportJob(api.http, statusUrl, { timeout: 45_000, onPoll });
}

/** Uploads and waits: the 202 is checked on the way. */
async function importAndWait(kind: string, body: Buffer, contentType: string, query: Record<string, string> = {}): Promise<Job> {
  const res = await upload(kind, body, contentType, query);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const accepted = ImportAccepted.parse(res.body);
  return waitForJob(accepted.statusUrl);
}

async function objectTotal(): Promise<number> {
  return ObjectList.parse((await api.http.get('/api/v1/objects?limit=1')).body).total;
}

describe(`POST /api/v1/{kind}/import on ${testDialect}`, () => {
  it('takes a GB18030 CSV as raw bytes: 202 with Location, then the job succeeds with 12 objects inserted', async () => {
    const res = await upload('objects', fixture('objects-gb18030.csv'), 'text/csv');
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const accepted = ImportAccepted.parse(res.body);
    expect(accepted.status).toBe('queued');
    expect(accepted.statusUrl).toBe(`/api/v1/imports/${accepted.id}`);
    expect(res.headers.location).toBe(accepted.statusUrl);

    const job = await waitForJob(accepted.statusUrl);
    expect(job, JSON.stringify(job)).toMatchObject({
      id: accepted.id,
      kind: 'objects',
      status: 'succeeded',
      phase: 'done',
      fileName: '上传文件.csv', // no ?filename=: the format came from Content-Type
      skipInvalid: false,
      rowsRead: 12,
      inserted: 12,
      error: null,
    });
    expect(job.finishedAt).toBeTruthy();
    expect(job.report).toMatchObject({ mode: 'strict', written: true, headerRow: 1, inserted: 12, problemCount: 0, problems: [], reportUrl: null, rejectsUrl: null });
    expect(JSON.stringify(job)).not.toContain(uploadsFolder); // no server paths

    const list = ObjectList.parse((await api.http.get('/api/v1/objects?limit=100')).body);
    expect(list.total).toBe(12);
    expect(list.items.find((o) => o.uscc === '91500103MA5UP23YC3')).toMatchObject({ name: '重庆渝中鑫源餐饮管理有限公司', registeredOn: '2016-05-18' });
    // U+36C3 is outside GBK: only a GB18030 decoding of the uploaded bytes keeps it.
    expect(list.items.some((o) => o.legalRepresentative === '赵㛃')).toBe(true);
  });

  it('takes an XLSX sent as application/octet-stream, its format named by ?filename=', async () => {
    const before = await objectTotal();
    const job = await importAndWait('objects', fixture('objects.xlsx'), 'application/octet-stream', { filename: 'objects.xlsx' });
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'succeeded', fileName: 'objects.xlsx', inserted: 10 });
    expect(job.report?.headerRow).toBe(2); // a title row above the headers
    expect(await objectTotal()).toBe(before + 10);
    const stored = await api.http.get('/api/v1/objects/915001031198036497');
    expect(stored.status).toBe(200);
  });

  it('takes an XLSX by its media type alone', async () => {
    const job = await importAndWait('objects', fixture('objects.xlsx'), XLSX);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'succeeded', fileName: '上传文件.xlsx', inserted: 0, updated: 0 });
    expect(job.report?.unchanged).toBe(10);
  });

  let strictJob: Job;

  it('strict: a wrong check character fails the job, names row 5, writes nothing; the report downloads', async () => {
    const before = await rowCounts(api.db);
    strictJob = await importAndWait('objects', fixture('objects-bad-check.csv'), 'text/csv', { filename: 'objects-bad-check.csv' });
    expect(strictJob, JSON.stringify(strictJob)).toMatchObject({ status: 'failed', phase: 'rejected', inserted: 0, fileName: 'objects-bad-check.csv' });
    expect(strictJob.error?.code).toBe('IMPORT_REJECTED');
    expect(strictJob.error?.message).toMatch(/未写入任何数据/);
    expect(strictJob.report).toMatchObject({ written: false, rowsRead: 6, problemCount: 1, problemCounts: { USCC_CHECK: 1 }, rejectsUrl: null });
    expect(strictJob.report!.problems).toEqual([
      { row: 5, column: '统一社会信用代码', code: 'USCC_CHECK', message: expect.stringMatching(/91500103MA5UJF6FE3.*“2”/) },
    ]);
    expect(await rowCounts(api.db)).toEqual(before);

    expect(strictJob.report!.reportUrl).toBe(`/api/v1/imports/${strictJob.id}/report`);
    const report = await api.http.get(strictJob.report!.reportUrl!).buffer(true).parse(binary);
    expect(report.status).toBe(200);
    expect(report.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(report.headers['content-disposition']).toBe('attachment; filename="objects-bad-check.report.csv"');
    const text = (report.body as Buffer).toString('utf8');
    expect(text.startsWith('\uFEFF行号,列,错误代码,说明')).toBe(true);
    expect(text).toMatch(/^5,统一社会信用代码,USCC_CHECK,.*91500103MA5UJF6FE3/m);

    expectError(await api.http.get(`/api/v1/imports/${strictJob.id}/rejects`), 404, 'REJECTS_NOT_FOUND');
  });

  it('skipInvalid=true: the 5 valid rows are written and the rejected row downloads with its reason', async () => {
    const before = await objectTotal();
    const job = await importAndWait('objects', fixture('objects-bad-check.csv'), 'text/csv', { filename: 'objects-bad-check.csv', skipInvalid: 'true' });
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'succeeded', skipInvalid: true, inserted: 5, rejected: 1, error: null });
    expect(job.report).toMatchObject({ mode: 'skip-invalid', written: true, rejectedRows: 1, problemCounts: { USCC_CHECK: 1 } });
    expect(await objectTotal()).toBe(before + 5);
    expectError(await api.http.get('/api/v1/objects/91500103MA5UJF6FE3'), 400, 'VALIDATION_FAILED');

    const rejects = await api.http.get(job.report!.rejectsUrl!).buffer(true).parse(binary);
    expect(rejects.status).toBe(200);
    expect(rejects.headers['content-disposition']).toBe('attachment; filename="objects-bad-check.rejects.csv"');
    const lines = (rejects.body as Buffer).toString('utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^行号,统一社会信用代码,企业名称,.*拒绝原因$/);
    expect(lines[1]).toMatch(/^5,91500103MA5UJF6FE3,重庆化龙桥装饰工程有限公司,.*校验位/);
    expect((await api.http.get(job.report!.reportUrl!)).status).toBe(200);

    // The same file name again did not overwrite the strict job's report: each job keeps its own.
    const earlier = await api.http.get(strictJob.report!.reportUrl!).buffer(true).parse(binary);
    expect(earlier.status).toBe(200);
    expect((earlier.body as Buffer).toString('utf8')).toContain('USCC_CHECK');
  });

  it('a non-ASCII file name is kept, and downloads with an RFC 6266 filename*', async () => {
    const job = await importAndWait('objects', fixture('objects-bad-check.csv'), 'text/csv', { filename: 'C:\\名录\\渝中区 名录.csv' });
    expect(job.fileName).toBe('渝中区 名录.csv');
    const bare = await importAndWait('objects', fixture('objects-bad-check.csv'), 'text/csv', { filename: '../.CSV' });
    expect(bare, JSON.stringify(bare)).toMatchObject({ fileName: '上传文件.csv', phase: 'rejected' });
    const report = await api.http.get(job.report!.reportUrl!);
    expect(report.status).toBe(200);
    expect(report.headers['content-disposition']).toBe(
      `attachment; filename="import-${job.id.slice(0, 8)}.report.csv"; filename*=UTF-8''${encodeURIComponent('渝中区 名录.report.csv')}`,
    );
  });

  it('imports every other kind at its own path, reference lists first', async () => {
    const files: [string, string, number][] = [
      ['departments', 'departments.csv', 4],
      ['matters', 'matters.csv', 6],
      ['inspectors', 'inspectors-gb18030.csv', 13],
      ['conflicts', 'conflicts.csv', 5],
      ['inspections', 'inspections.csv', 10],
      ['violations', 'violations.csv', 5],
    ];
    for (const [kind, name, rowsRead] of files) {
      const job = await importAndWait(kind, fixture(name), 'text/csv', { filename: name });
      expect(job, JSON.stringify(job)).toMatchObject({ kind, status: 'succeeded', rowsRead, fileName: name, error: null });
    }
    expect((await api.http.get('/api/v1/departments')).body.items).toHaveLength(4);
    expect((await api.http.get('/api/v1/inspectors?limit=1')).body.total).toBe(13);
  });

  it('keeps answering GET /healthz while a larger import runs in its worker thread', async () => {
    const rows = ['统一社会信用代码,名称,所属街道'];
    for (let i = 1; i <= 20_000; i++) rows.push(`${uscc(500_000 + i)},渝中区测试商户${i},解放碑`);
    const body = Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf8');
    const res = await upload('objects', body, 'text/csv', { filename: 'big.csv' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    // Answered while the import was running: the job was still running after the answer came.
    // (Were the import on the server's own thread, /healthz would only answer once it had ended.)
    let answeredWhileRunning = 0;
    const job = await waitForJob(res.body.statusUrl, async (seen) => {
      const health = await api.http.get('/healthz');
      expect(health.status).toBe(200);
      const after = (await api.http.get(res.body.statusUrl)).body as Job;
      if (seen.status === 'running' && after.status === 'running') answeredWhileRunning++;
    });
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'succeeded', inserted: 20_000, rowsRead: 20_000 });
    expect(answeredWhileRunning).toBeGreaterThan(0);
  });

  it('deletes the uploaded file once its job is done, keeping only its report', async () => {
    const before = listUploads();
    const job = await importAndWait('objects', fixture('objects-bad-check.csv'), 'text/csv', { filename: 'cleanup.csv' });
    expect(job.status).toBe('failed');
    const added = () => [...listUploads()].filter((f) => !before.has(f));
    // The upload is deleted as the job's last step, just after its status is written.
    await vi.waitFor(() => expect(added().filter((f) => UPLOAD_NAME.test(f))).toEqual([]), { timeout: 10_000, interval: 25 });
    // What stays is the job's own folder (named by its id) holding only its report.
    expect(added()).toEqual([job.id]);
    expect(fs.readdirSync(path.join(uploadsFolder, job.id))).toEqual(['cleanup.report.csv']);
  });
});

describe('refused uploads', () => {
  it('an unknown kind is a 404', async () => {
    expectError(await upload('nope', fixture('objects-gb18030.csv'), 'text/csv'), 404, 'ROUTE_NOT_FOUND');
  });

  it('without ?filename= and a media type that does not tell the format: 400 saying to give ?filename=', async () => {
    const res = await upload('objects', fixture('objects-gb18030.csv'), 'application/octet-stream');
    const p = expectError(res, 400, 'FILENAME_REQUIRED', 'query.filename', 'FILENAME_REQUIRED');
    expect(p!.message).toContain('?filename=');
  });

  it('a body in another media type is a 415, also for JSON and forms; JSON routes still refuse CSV', async () => {
    for (const type of ['text/plain', 'application/json', 'multipart/form-data; boundary=x']) {
      const res = await upload('objects', fixture('objects-gb18030.csv'), type, { filename: 'a.csv' });
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    const form = await upload('objects', Buffer.from('--x\r\n'), 'multipart/form-data; boundary=x', { filename: 'a.csv' });
    expect(form.body.error.message).toContain('multipart/form-data');
    const json = await api.http.post('/api/v1/departments').set('Content-Type', 'text/csv').send(fixture('departments.csv'));
    expectError(json, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a compressed body is a 415', async () => {
    const res = await api.http
      .post('/api/v1/objects/import?filename=a.csv')
      .set('Content-Type', 'text/csv')
      .set('Content-Encoding', 'gzip')
      .send(fixture('objects-gb18030.csv'));
    expectError(res, 415, 'UNSUPPORTED_ENCODING');
  });

  it('a file name of another type and a bad skipInvalid are named in one 400', async () => {
    const res = await upload('objects', fixture('objects-gb18030.csv'), 'text/csv', { filename: '名录.xls', skipInvalid: 'yes' });
    expectError(res, 400, 'VALIDATION_FAILED', 'query.filename', 'FILE_TYPE');
    expectError(res, 400, 'VALIDATION_FAILED', 'query.skipInvalid', 'ENUM');
  });

  it('an empty body is a 400 and leaves no file', async () => {
    const before = listUploads();
    const res = await api.http.post('/api/v1/objects/import?filename=a.csv').set('Content-Type', 'text/csv');
    expectError(res, 400, 'EMPTY_FILE', 'body', 'EMPTY_FILE');
    const zero = await upload('objects', Buffer.alloc(0), 'text/csv', { filename: 'a.csv' });
    expectError(zero, 400, 'EMPTY_FILE', 'body');
    expect([...listUploads()].filter((f) => !before.has(f))).toEqual([]);
  });

  it('other methods on an import path are 405, not a lookup of an object called "import"', async () => {
    const res = await api.http.get('/api/v1/objects/import');
    expectError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('POST, OPTIONS');
  });

  describe('over the size limit (set low through the app deps)', () => {
    const logger = pino({ level: 'silent' });
    const small = () => createApp({ handle: api.db, logger, uploadLimitBytes: 1024 });

    it('a declared Content-Length over the limit is a 413 before anything is read; no job, no file', async () => {
      const before = listUploads();
      const jobs = await api.db.db.selectFrom('import_jobs').select('id').execute();
      const res = await request(small()).post('/api/v1/objects/import').set('Authorization', `Bearer ${api.token}`).set('Content-Type', 'text/csv').send(fixture('objects-gb18030.csv'));
      expectError(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(res.body.error.message).toContain('1 KB');
      expect(await api.db.db.selectFrom('import_jobs').select('id').execute()).toHaveLength(jobs.length);
      expect([...listUploads()].filter((f) => !before.has(f))).toEqual([]);
    });

    it('a chunked body that grows over the limit is cut off with a 413 and its partial file deleted', async () => {
      const before = listUploads();
      const server = small().listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.request(
            { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/objects/import?filename=big.csv', headers: { 'Content-Type': 'text/csv', 'Transfer-Encoding': 'chunked', Authorization: `Bearer ${api.token}` } },
            (r) => {
              let body = '';
              r.setEncoding('utf8');
              r.on('data', (c: string) => (body += c));
              r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
            },
          );
          req.on('error', reject);
          const chunk = Buffer.alloc(600, 'a');
          const write = (n: number) => {
            if (n === 0) {
              req.end();
              return;
            }
            req.write(chunk, () => setTimeout(() => write(n - 1), 20));
          };
          write(4);
        });
        expect(res.status).toBe(413);
        expect(JSON.parse(res.body).error.code).toBe('PAYLOAD_TOO_LARGE');
        expect([...listUploads()].filter((f) => !before.has(f))).toEqual([]);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});

describe('GET /api/v1/imports/{id}', () => {
  it('an unknown job is a 404, and so are its downloads', async () => {
    expectError(await api.http.get('/api/v1/imports/00000000-0000-0000-0000-000000000000'), 404, 'IMPORT_JOB_NOT_FOUND');
    expectError(await api.http.get('/api/v1/imports/nope/report'), 404, 'IMPORT_JOB_NOT_FOUND');
    expectError(await api.http.get('/api/v1/imports/nope/rejects'), 404, 'IMPORT_JOB_NOT_FOUND');
  });

  it('a job without problems has no report to download', async () => {
    const job = await importAndWait('departments', fixture('departments.csv'), 'text/csv', { filename: 'departments.csv' });
    expect(job.status).toBe('succeeded');
    expect(job.report?.reportUrl ?? null).toBeNull();
    expectError(await api.http.get(`/api/v1/imports/${job.id}/report`), 404, 'REPORT_NOT_FOUND');
  });

  it('never serves a file outside data/imports, whatever the job row says', async () => {
    const job = await importAndWait('objects', fixture('objects-bad-check.csv'), 'text/csv', { filename: 'x.csv' });
    const summary = (await findImportJob(api.db.db, job.id))!.summary as { reportFile: string };
    const realReport = summary.reportFile;
    const outside = path.join(os.tmpdir(), `dr-outside-${process.pid}.csv`);
    fs.writeFileSync(outside, 'secret');
    try {
      for (const file of [outside, path.join(uploadsFolder, '..', path.basename(outside)), path.join(uploadsFolder, '..', '..', 'package.json')]) {
        const tampered = { ...summary, reportFile: file };
        await updateImportJob(api.db.db, job.id, { summary: toJson(tampered) });
        const res = await api.http.get(`/api/v1/imports/${job.id}/report`);
        expectError(res, 404, 'REPORT_NOT_FOUND');
        expect(res.text).not.toContain('secret');
      }
    } finally {
      fs.rmSync(outside, { force: true });
      await updateImportJob(api.db.db, job.id, { summary: toJson({ ...summary, reportFile: realReport }) });
    }
  });
});

describe('GET /api/v1/{objects,inspectors}/export', () => {
  // The attachment is named by the day in Asia/Shanghai: the wall clock is pinned either side of
  // a Shanghai midnight (16:00 UTC), in the past so that the test's session is still valid.
  const pinClock = (iso: string) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(iso));
  };

  it('exports the objects as CSV: BOM, Chinese headers, an attachment named by the day in Shanghai', async () => {
    pinClock('2025-12-31T15:59:59.999Z'); // 23:59:59.999 on 31 December in Shanghai
    const res = await api.http.get('/api/v1/objects/export?format=csv').buffer(true).parse(binary);
    vi.useRealTimers();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="objects-2025-12-31.csv"');
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split(/\r?\n/);
    expect(lines[0].split(',').slice(0, 3)).toEqual(['统一社会信用代码', '名称', '主体类型']);
    expect(lines.some((l) => l.startsWith('91500103MA5UP23YC3,重庆渝中鑫源餐饮管理有限公司,'))).toBe(true);
    expect(lines.length - 1).toBe(await objectTotal());
  });

  it('exports the objects as XLSX (the default) that exceljs reads, the USCC a text cell', async () => {
    pinClock('2025-12-31T16:00:00.000Z'); // midnight: 1 January in Shanghai, still 31 December in UTC
    const res = await api.http.get('/api/v1/objects/export').buffer(true).parse(binary);
    vi.useRealTimers();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toBe('attachment; filename="objects-2026-01-01.xlsx"');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.getCell('A1').value).toBe('统一社会信用代码');
    let found: ExcelJS.Row | undefined;
    sheet.eachRow((row) => {
      if (row.getCell(1).value === '915001031198036497') found = row;
    });
    expect(found, 'the all-digit USCC is kept as text').toBeDefined();
    expect(found!.getCell(2).value).toBe('重庆渝中天成实业有限公司');
  });

  it('exports the inspectors, and refuses an unknown format', async () => {
    const res = await api.http.get('/api/v1/inspectors/export?format=csv').buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect((res.body as Buffer).toString('utf8')).toMatch(/^\uFEFF执法证号,姓名,/);
    expectError(await api.http.get('/api/v1/objects/export?format=pdf'), 400, 'VALIDATION_FAILED', 'query.format', 'ENUM');
  });

  it('a database failure is a JSON 500 when nothing was sent yet, or else an aborted download; never a short file', async () => {
    const broken = await createTestDb();
    await broken.destroy();
    const logs: string[] = [];
    const app = createApp({ handle: broken, logger: pino({ level: 'error' }, { write: (l: string) => void logs.push(l) }) });
    for (const format of ['csv', 'xlsx']) {
      const outcome = await request(app)
        .get(`/api/v1/objects/export?format=${format}`)
        .set('Authorization', SOME_TOKEN)
        .buffer(true)
        .parse(binary)
        .then(
          (res) => ({ res, aborted: false }),
          () => ({ res: undefined, aborted: true }),
        );
      if (outcome.res) {
        expect(outcome.res.status, format).toBe(500);
        expect(outcome.res.headers['content-type']).toMatch(/^application\/json/);
        expect(outcome.res.headers['content-disposition']).toBeUndefined();
        expect(JSON.parse((outcome.res.body as Buffer).toString('utf8')).error.code).toBe('INTERNAL_ERROR');
      } else expect(outcome.aborted).toBe(true);
    }
    expect(logs.length).toBeGreaterThanOrEqual(2);
  });

  it('a USCC path still reaches the object, and export is not taken for a USCC', async () => {
    expect((await api.http.get('/api/v1/objects/91500103MA5UP23YC3')).status).toBe(200);
    expectError(await api.http.post('/api/v1/objects/export'), 405, 'METHOD_NOT_ALLOWED');
  });
});

describe('the OpenAPI document', () => {
  interface Op {
    parameters: { name: string; in: string; schema: { enum?: unknown[] } }[];
    requestBody?: { required: boolean; content: Record<string, unknown> };
    responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, unknown> }>;
  }
  let paths: Record<string, Record<string, Op>>;
  beforeAll(async () => {
    paths = (await api.http.get('/api/v1/openapi.json')).body.paths;
  });

  it('lists an upload operation per import kind, taking the binary media types and answering 202', () => {
    for (const kind of IMPORT_KINDS) {
      const op = paths[`/api/v1/${kind}/import`]?.post;
      expect(op, kind).toBeDefined();
      expect(op.requestBody!.required).toBe(true);
      expect(Object.keys(op.requestBody!.content).sort()).toEqual([...BINARY_TYPES].sort());
      expect(op.parameters.map((p) => p.name).sort()).toEqual(['filename', 'skipInvalid']);
      expect(op.parameters.find((p) => p.name === 'skipInvalid')!.schema.enum).toEqual(['true', 'false']);
      expect(op.responses['202'].headers?.Location).toBeDefined();
      expect(op.responses['202'].content!['application/json'].schema!.$ref).toBe('#/components/schemas/ImportAccepted');
      for (const status of ['400', '413', '415', '500']) expect(op.responses[status], `${kind} ${status}`).toBeDefined();
    }
  });

  it('lists the job, its downloads and the exports with their media types', () => {
    expect(paths['/api/v1/imports/{id}'].get.responses['200'].content!['application/json'].schema!.$ref).toBe('#/components/schemas/ImportJob');
    for (const file of ['report', 'rejects']) {
      const op = paths[`/api/v1/imports/{id}/${file}`].get;
      expect(Object.keys(op.responses['200'].content!)).toEqual(['text/csv']);
      expect(op.responses['404']).toBeDefined();
    }
    for (const kind of ['objects', 'inspectors']) {
      const op = paths[`/api/v1/${kind}/export`].get;
      expect(Object.keys(op.responses['200'].content!).sort()).toEqual([XLSX, 'text/csv'].sort());
      expect(op.responses['200'].headers?.['Content-Disposition']).toBeDefined();
      expect(op.parameters.find((p) => p.name === 'format')!.schema.enum).toEqual(['csv', 'xlsx']);
    }
  });
});
