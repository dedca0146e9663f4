/**
 * The public side (一公开), with no token: the pages (task list, task with its verify section,
 * search, entity, check code, charts) and the open data (results and draws, JSON and CSV). What
 * must never be published is checked over every page and file served: credit grades, the names
 * of individual businesses' operators, unpublished results, officers' names. Then the demo data
 * shows a published task with results.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawBundleSchema } from '../../src/domain/draw/bundleSchema.ts';
import request from 'supertest';
import { pino } from 'pino';
import { startApi, type Api } from './support.ts';
import { seedDrawRegistry, type DrawRegistry } from '../helpers/drawRegistry.ts';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import * as plans from '../../src/services/plans.ts';
import * as plansRepo from '../../src/db/repositories/plans.ts';
import * as draws from '../../src/services/draws.ts';
import * as registry from '../../src/services/registry.ts';
import { submitResult } from '../../src/services/results/entry.ts';
import { issueNotice } from '../../src/services/results/notices.ts';
import { publishResult, reviewResult } from '../../src/services/results/review.ts';
import { renderPrintableNotice } from '../../src/web/notice.ts';
import { addUser } from '../../src/services/accounts.ts';
import type { UserActor } from '../../src/domain/actor.ts';
import * as publicStatistics from '../../src/services/public/statistics.ts';
import { checkCodeOfVisit } from '../../src/services/public/checkCodes.ts';
import { loadDemoData } from '../../src/demo/loadRegistry.ts';
import { loadDemoPlan } from '../../src/demo/loadPlan.ts';
import { loadDemoUsers } from '../../src/demo/loadUsers.ts';
import { loadDemoResults } from '../../src/demo/loadResults.ts';
import { createApp } from '../../src/http/app.ts';
import { verifyBundle } from '../../src/domain/draw/verify.ts';
import type { DrawBundle } from '../../src/domain/draw/bundle.ts';
import { GRADE_LABELS } from '../../src/domain/registry.ts';
import { shanghaiDate } from '../../src/domain/time.ts';
import { RESULT_COLUMNS, DRAW_COLUMNS } from '../../src/http/routes/public.ts';

const today = shanghaiDate();
const year = Number(today.slice(0, 4));
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const GRADE_WORDS = [...Object.values(GRADE_LABELS), 'creditGrade', 'credit_grade', 'sectorGrade', 'sector_grade', 'data-grade', 'class="grade'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴'];
const GIVEN = ['建国', '秀英', '志强', '丽华', '国庆', '海燕', '德明'];

/** Reads any response body as text (SVG and CSV included). */
function asText(req: request.Test): request.Test {
  return req.buffer(true).parse((res, cb) => {
    let data = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (data += c));
    res.on('end', () => cb(null, data));
  });
}
const text = (res: request.Response) => res.body as unknown as string;

interface Visit {
  id: string;
  uscc: string;
  team: string[];
}

// ------------------------------------------------------------------------------------ seeded

let api: Api;
let reg: DrawRegistry;
let taskId = '';
let drawId = '';
let commitment = '';
let draftId = '';
let voidTaskId = '';
let visits: Visit[] = [];
/** Individual businesses' operators: uscc → name. */
const operators = new Map<string, string>();
const published: Visit[] = [];
const unpublished: { visit: Visit; status: string }[] = [];
let individualPublished: Visit;
/** Every page and file the public was served, to check once for what must never appear. */
const corpus: { what: string; body: string }[] = [];

async function get(path: string, status = 200): Promise<string> {
  const res = await asText(api.anonymous.get(path));
  expect(res.status, `${path}: ${text(res)?.slice(0, 300)}`).toBe(status);
  corpus.push({ what: path, body: text(res) });
  return text(res);
}

beforeAll(async () => {
  api = await startApi();
  const db = api.db.db;
  reg = await seedDrawRegistry(db, { objects: 220 });
  const ctx = { name: 'test' };
  // Individual businesses named after their operators, as many are (渝中区王建国小吃店).
  let n = 0;
  for (const u of reg.usccs.filter((x) => x[1] === '2')) {
    const op = `${SURNAMES[n % SURNAMES.length]}${GIVEN[Math.floor(n / SURNAMES.length) % GIVEN.length]}`;
    operators.set(u, op);
    await registry.upsertObject(db, { uscc: u, name: `渝中区${op}小吃店${n}`, entityType: 'individual', legalRepresentative: op }, ctx);
    n++;
  }
  await registry.upsertDepartment(db, { code: 'WJ', name: '渝中区卫生健康委员会' }, ctx);

  const plan = await plans.createPlan(db, { organization: 'SCJG', year }, { name: 'zhang' });
  const window = { start: today, end: plusDays(today, 20) };
  const task = await plans.createTask(
    db,
    plan.id,
    {
      lead: { code: 'SCJG', officersPerTeam: 2 },
      partners: [{ code: 'SW', officersPerTeam: 1 }],
      matters: ['SCJG-01', 'SW-01'],
      selection: { mode: 'rates', rates: { A: '0.04', B: '0.04', C: '0.05', D: '0.1', U: '0.05' } },
      window,
      randomnessSource: '开奖前公布的双色球开奖号码',
    },
    { name: 'zhang' },
  );
  taskId = task.id;
  await plans.approveTask(db, taskId, { name: 'li' });
  const committed = await plans.commitTask(db, taskId, { name: 'li' });
  drawId = committed.drawId!;
  commitment = (await draws.getDraw(db, drawId)).commitment;
  await draws.seedDraw(db, drawId, '05 11 17 23 29 31 + 02', { name: 'li' });
  await plans.drawTask(db, taskId, { name: 'li' });

  // A draft (never public) in the same plan.
  draftId = (await plans.createTask(db, plan.id, { lead: { code: 'SCJG', officersPerTeam: 2 }, matters: ['SCJG-01'], window, randomnessSource: '待定' }, { name: 'zhang' })).id;

  // Another department's plan: a draw voided with a reason, then drawn again.
  const swPlan = await plans.createPlan(db, { organization: 'SW', year }, { name: 'zhang' });
  voidTaskId = (
    await plans.createTask(
      db,
      swPlan.id,
      { lead: { code: 'SW', officersPerTeam: 2 }, matters: ['SW-01'], selection: { mode: 'rates', rates: { A: '0.02', B: '0.02', C: '0.02', D: '0.02', U: '0.02' } }, window, randomnessSource: '3D 开奖号码' },
      { name: 'zhang' },
    )
  ).id;
  await plans.approveTask(db, voidTaskId, { name: 'li' });
  await plans.commitTask(db, voidTaskId, { name: 'li' });
  await plans.voidTaskDraw(db, voidTaskId, '随机数来源公告有误，重新承诺', { name: 'li' });
  const again = await plans.commitTask(db, voidTaskId, { name: 'li' });
  await draws.seedDraw(db, again.drawId!, '3 9 1', { name: 'li' });
  await plans.drawTask(db, voidTaskId, { name: 'li' });

  // The work on the first task's visits: some published, others entered, returned or approved only.
  visits = (await plansRepo.visitsOf(db, plan.id))
    .filter((r) => r.task_ids.includes(taskId))
    .map((r) => ({ id: r.id, uscc: r.uscc, team: r.team }))
    .sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0));
  const reviewer = await addUser(db, { username: 'pub-reviewer', role: 'reviewer', password: 'correct horse battery' });
  const publisher = await addUser(db, { username: 'pub-regulator', role: 'regulator', department: 'SCJG', password: 'correct horse battery' });
  const inspectors = new Map<string, UserActor>();
  const member = async (v: Visit) => {
    const cert = v.team[0];
    if (!inspectors.has(cert)) inspectors.set(cert, await addUser(db, { username: `pub-officer-${cert}`, role: 'inspector', officer: cert, password: 'correct horse battery' }));
    return inspectors.get(cert)!;
  };
  const clean = { inspectedOn: today, codes: ['1'], method: '实地检查', followUp: '无需后续处置', findings: [{ matter: 'SCJG-01', compliant: true }, { matter: 'SW-01', compliant: true }] };
  const problem = {
    inspectedOn: today,
    codes: ['A', '2', 'B'],
    method: '实地检查',
    followUp: ['责令改正'],
    findings: [{ matter: 'SCJG-01', compliant: false, violationType: 'DISCLOSURE_INCOMPLETE', harm: 'minor', correction: 'none' }, { matter: 'SW-01', compliant: true }],
  };
  // Publish an individual business's result (its operator's name must stay masked), one with a problem, one clean.
  // The draw depends on today's date: should it have selected no individual business, one selected entity becomes one.
  let individual = visits.find((v) => operators.has(v.uscc));
  if (!individual) {
    individual = visits[0];
    operators.set(individual.uscc, '欧阳小明');
    await registry.upsertObject(db, { uscc: individual.uscc, name: '渝中区欧阳小明便利店', entityType: 'individual', legalRepresentative: '欧阳小明' }, ctx);
  }
  const order = [individual, ...visits.filter((v) => v !== individual)];
  for (const [i, v] of order.slice(0, 6).entries()) {
    const who = await member(v);
    await issueNotice(db, who, v.id, renderPrintableNotice);
    await submitResult(db, who, v.id, i === 1 ? problem : clean);
    if (i === 3) {
      unpublished.push({ visit: v, status: 'entered' });
      continue;
    }
    if (i === 4) {
      await reviewResult(db, reviewer, v.id, { decision: 'return', comment: '请补充说明' });
      unpublished.push({ visit: v, status: 'returned' });
      continue;
    }
    await reviewResult(db, reviewer, v.id, { decision: 'approve' });
    if (i === 5) {
      unpublished.push({ visit: v, status: 'approved' });
      continue;
    }
    await publishResult(db, publisher, v.id);
    published.push(v);
  }
  individualPublished = individual;
});
afterAll(async () => api?.db.destroy());

describe(`public pages on ${testDialect}, without any token`, () => {
  it('/ lists the public tasks, each a link, with period, status and matters, and a search form', async () => {
    const res = await asText(api.anonymous.get('/'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers['content-security-policy']).toMatch(/form-action 'self'/);
    const html = text(res);
    corpus.push({ what: '/', body: html });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(`<a data-testid="task-link" href="/tasks/${taskId}">`);
    expect(html).toContain(`<a data-testid="task-link" href="/tasks/${voidTaskId}">`);
    expect(html).not.toContain(draftId);
    expect(html).toContain('企业公示信息抽查');
    expect(html).toContain(`${today} 至 ${plusDays(today, 20)}`);
    expect(html).toContain('已抽取');
    expect(html).toMatch(/<form[^>]*action="\/search"[\s\S]*?<input[^>]*name="q"/);
    for (const chart of ['results-by-category', 'inspections-by-street-month', 'problem-rate-by-grade']) expect(html).toContain(`/charts/${chart}.svg`);
  });

  it('the task page: matters, scope, per-grade rates and probabilities, commitment, randomness, selection, results, deadline', async () => {
    const html = await get(`/tasks/${taskId}`);
    const draw = await draws.getDraw(api.db.db, drawId);
    expect(html).toContain('企业公示信息抽查');
    expect(html).toContain('发票使用情况检查');
    expect(html).toContain('不定向抽查');
    for (const s of ['A 类', 'B 类', 'C 类', 'D 类', '未分类']) expect(html).toContain(s);
    expect(html).toContain('4%');
    expect(html).toContain(commitment);
    expect(html).toContain('开奖前公布的双色球开奖号码');
    expect(html).toContain('05 11 17 23 29 31 + 02');
    expect(html).toContain(draw.randomness!.workingSeed!);
    expect(html).toContain('作废的抽取');
    // Every selected entity by USCC, linked to its page.
    const selected = await draws.drawSelections(api.db.db, drawId);
    expect(selected.length).toBe(draw.selectedCount);
    for (const s of selected) expect(html).toContain(`href="/entities/${s.uscc}"`);
    // Published results with the departments; the deadline is not running yet.
    const resultsPart = html.slice(html.indexOf('<h2 id="results">'));
    for (const v of published) expect(resultsPart).toContain(v.uscc);
    expect(resultsPart).toContain('渝中区市场监督管理局、国家税务总局重庆市渝中区税务局');
    expect(resultsPart).toContain('B</span> 未按规定公示应当公示的信息');
    expect(resultsPart).toContain('公示时限尚未起算');
    // Officers are named on no public page (the team is in the bundle by certificate number only).
    for (const i of [1, 2, 3]) expect(html).not.toContain(`监管${i}<`);
  });

  it('the page’s instructions work on a machine with only Node: the standalone verifier, run from a folder outside the project', async () => {
    const html = await get(`/tasks/${taskId}`);
    const command = /<pre data-testid="verify-command">([^<]+)<\/pre>/.exec(html)![1].trim();
    const [program, script, bundleName, ...rest] = command.split(/\s+/);
    expect(program).toBe('node');
    expect(script).toBe('double-random-verify.mjs');
    // What a member of the public downloads: the two files, into a folder of their own.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-public-verify-'));
    try {
      const verifier = await asText(api.anonymous.get('/verify/double-random-verify.mjs'));
      expect(verifier.status).toBe(200);
      expect(verifier.headers['content-disposition']).toContain('double-random-verify.mjs');
      fs.writeFileSync(path.join(folder, script), text(verifier));
      const bundle = await asText(api.anonymous.get(`/api/v1/draws/${drawId}/bundle`));
      fs.writeFileSync(path.join(folder, bundleName), text(bundle));
      // Only Node: no project, no node_modules, no NODE_PATH.
      const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: folder, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
      const ok = run([script, bundleName, ...rest]);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('验证通过 (VERIFIED)：公开包，承诺值与事先公布的一致');
      const wrong = run([script, bundleName, '--commitment', 'f'.repeat(64)]);
      expect(wrong.status).toBe(1);
      expect(wrong.stdout).toContain('验证失败 (VERIFY_FAILED');
      const unchecked = run([script, bundleName]);
      expect(unchecked.stdout.split('\n')[0]).toContain('COMMITMENT_NOT_CHECKED');
      const usage = run([script]);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain('BUNDLE_REQUIRED');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('the verify section: the public bundle to download, the one command, what it proves and what only the full bundle proves', async () => {
    const html = await get(`/tasks/${taskId}`);
    const verify = html.slice(html.indexOf('<section id="verify">'), html.indexOf('</section>', html.indexOf('<section id="verify">')));
    expect(verify).toContain('亲自验证本次抽取');
    expect(verify).toContain(`<a data-testid="bundle-download" href="/api/v1/draws/${drawId}/bundle"`);
    expect(verify).toContain(`node double-random-verify.mjs draw-${drawId}-public.json --commitment ${commitment}`);
    expect(verify).toContain('<a data-testid="verifier-download" href="/verify/double-random-verify.mjs"');
    expect(verify).toContain('公开包能证明什么');
    expect(verify).toContain('只有审计人员的完整包才能证明什么');
    // The link works without a token and the bundle verifies against the published commitment.
    const res = await asText(api.anonymous.get(`/api/v1/draws/${drawId}/bundle`));
    expect(res.status).toBe(200);
    const bundle = JSON.parse(text(res)) as DrawBundle;
    expect(bundle.level).toBe('public');
    expect(drawBundleSchema.safeParse(bundle).success).toBe(true);
    expect(verifyBundle(bundle, { expectedCommitment: commitment })).toMatchObject({ ok: true, level: 'public' });
  });

  it('a voided draw stays visible with its reason; a draft task and an unknown task are not found', async () => {
    const html = await get(`/tasks/${voidTaskId}`);
    expect(html).toContain('作废的抽取（记录保留，不删除）');
    expect(html).toContain('随机数来源公告有误，重新承诺');
    expect(html).toMatch(/作废的抽取<\/dt><dd>1 次/);
    for (const path of [`/tasks/${draftId}`, '/tasks/00000000-0000-4000-8000-000000000000', '/tasks/not-a-task', '/no-such-page']) {
      const res = await asText(api.anonymous.get(path));
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(text(res)).toContain('未找到');
    }
    // The API keeps its JSON 404.
    const api404 = await api.anonymous.get('/api/v1/nope');
    expect(api404.status).toBe(404);
    expect(api404.headers['content-type']).toMatch(/^application\/json/);
  });

  it('search finds entities of published draws and results by part of the name or USCC, and links them', async () => {
    const v = published[published.length - 1];
    const html = await get(`/search?q=${v.uscc.slice(4, 12)}`);
    expect(html).toContain(`<a data-testid="entity-link" href="/entities/${v.uscc}">`);
    const byName = await get(`/search?q=${encodeURIComponent('渝中区')}`);
    expect(byName).toContain(`<a data-testid="entity-link" href="/entities/${individualPublished.uscc}">`);
    // An entity in no draw and no result is not found, even by its full code.
    const drawn = new Set((await api.db.db.selectFrom('draw_selections').select('uscc').execute()).map((r) => r.uscc));
    const stranger = reg.usccs.find((u) => !drawn.has(u))!;
    expect(await get(`/search?q=${stranger}`)).not.toContain('data-testid="entity-link"');
    await get(`/entities/${stranger}`, 404);
    expect(await get('/search')).toContain('name="q"');
  });

  it('the entity page: its draws and published results, without grade or personal data', async () => {
    const v = published[1];
    const html = await get(`/entities/${v.uscc}`);
    expect(html).toContain(v.uscc);
    expect(html).toContain(`href="/tasks/${taskId}"`);
    expect(html).toContain('未按规定公示应当公示的信息');
    expect(html).not.toMatch(/[ABCD] 类|未分类/);
    expect(html).not.toMatch(/法定代表人|经营者/);
    for (const u of unpublished) {
      const page = await get(`/entities/${u.visit.uscc}`);
      expect(page).toContain('暂无已公示的抽查结果');
      expect(page).not.toMatch(/[ABCD] 类|未分类/);
    }
  });

  it('an individual business is shown with its operator name masked (张*), everywhere', async () => {
    const op = operators.get(individualPublished.uscc)!;
    const masked = `${op[0]}${'*'.repeat(op.length - 1)}`;
    const page = await get(`/entities/${individualPublished.uscc}`);
    expect(page).toContain(`渝中区${masked}`);
    expect(page).not.toContain(op);
    expect(await get(`/tasks/${taskId}`)).toContain(`渝中区${masked}`);
    // Searching the operator's name finds nothing: the published name does not hold it.
    const res = await asText(api.anonymous.get(`/search?q=${encodeURIComponent(op)}`));
    expect(text(res)).not.toContain(`href="/entities/${individualPublished.uscc}"`);
  });

  it('charts are SVG images rendered on the server', async () => {
    for (const chart of ['results-by-category', 'inspections-by-street-month', 'problem-rate-by-grade']) {
      const res = await asText(api.anonymous.get(`/charts/${chart}.svg?year=${year}`));
      expect(res.status, chart).toBe(200);
      expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(text(res)).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(text(res)).not.toMatch(/<script/i);
      corpus.push({ what: chart, body: text(res) });
    }
    // Fewer than 5 published results in every grade: no grade is shown.
    const rates = await publicStatistics.problemRateByGrade(api.db.db);
    expect(rates.groups).toEqual([]);
    expect(rates.hidden).toBeGreaterThan(0);
    const categories = await publicStatistics.resultsByCategory(api.db.db);
    expect(categories.results).toBe(published.length);
    expect(categories.categories.find((c) => c.code === '1')?.count).toBe(published.length - 1);
  });
});

describe(`check codes on ${testDialect}`, () => {
  it('every visit has a stable, unique 10-character code; the right one shows the task, the dates and the team’s certificate numbers', async () => {
    const v = published[0];
    const code = await checkCodeOfVisit(api.db.db, v.id);
    expect(code).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}$/);
    expect(await checkCodeOfVisit(api.db.db, v.id)).toBe(code);
    const all = await Promise.all(visits.map((x) => checkCodeOfVisit(api.db.db, x.id)));
    expect(new Set(all).size).toBe(visits.length);
    expect(all[visits.indexOf(v)]).toBe(code);
    const html = await get(`/check?code=${code}`);
    expect(html).toContain('校验通过');
    for (const c of v.team) expect(html).toContain(c);
    expect(html).toContain('渝中区市场监督管理局2');
    expect(html).toContain(`${today} 至 ${plusDays(today, 20)}`);
    expect(html).toContain('<svg'); // the QR image of this page
    expect(html).not.toMatch(/监管\d+|税务\d+/); // officers' names are not shown
    // Typed in lower case with a dash, it is the same code.
    expect(await get(`/check?code=${code.slice(0, 5).toLowerCase()}-${code.slice(5)}`)).toContain('校验通过');
    const qr = await asText(api.anonymous.get(`/check/qr.svg?code=${code}`));
    expect(qr.status).toBe(200);
    expect(qr.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
  });

  it('a wrong code is refused and says so', async () => {
    const code = await checkCodeOfVisit(api.db.db, published[0].id);
    const wrong = code.slice(0, 9) + (code[9] === '2' ? '3' : '2');
    for (const c of [wrong, 'ABC', '0000000000']) {
      const res = await asText(api.anonymous.get(`/check?code=${encodeURIComponent(c)}`));
      expect(res.status, c).toBe(404);
      expect(text(res)).toContain('校验码不正确');
      expect(text(res)).not.toContain('校验通过');
      corpus.push({ what: `/check?code=${c}`, body: text(res) });
    }
    const empty = await get('/check');
    expect(empty).toMatch(/<form[^>]*action="\/check"[\s\S]*?<input[^>]*name="code"/);
  });
});

describe(`open data on ${testDialect}`, () => {
  it('results as JSON: only published ones, the documented fields, pagination, per task and per year', async () => {
    const res = await api.anonymous.get('/api/v1/public/results');
    expect(res.status).toBe(200);
    corpus.push({ what: 'results.json', body: res.text });
    expect(res.body).toMatchObject({ total: published.length, limit: 100, offset: 0 });
    expect(res.body.items).toHaveLength(published.length);
    const item = res.body.items[0];
    expect(Object.keys(item).sort()).toEqual(
      ['resultId', 'uscc', 'entityName', 'entityType', 'street', 'year', 'tasks', 'departments', 'inspectedOn', 'method', 'resultCodes', 'resultLabels', 'followUp', 'publishedAt'].sort(),
    );
    expect(item.tasks).toEqual([{ id: taskId, name: expect.stringContaining('抽查任务') }]);
    expect(item.departments.map((d: { code: string }) => d.code)).toEqual(['SCJG', 'SW']);
    expect(new Set(res.body.items.map((i: { uscc: string }) => i.uscc))).toEqual(new Set(published.map((v) => v.uscc)));
    for (const u of unpublished) expect(res.text).not.toContain(u.visit.uscc);
    const problem = res.body.items.find((i: { resultCodes: string[] }) => i.resultCodes.includes('B'));
    expect(problem).toMatchObject({ resultCodes: ['A', '2', 'B'], resultLabels: ['发现问题待后续处理', '违反工商行政管理相关规定', '未按规定公示应当公示的信息'], followUp: ['责令改正'] });

    const page = await api.anonymous.get('/api/v1/public/results?limit=1&offset=1');
    expect(page.body).toMatchObject({ total: published.length, limit: 1, offset: 1 });
    expect(page.body.items[0].resultId).toBe(res.body.items[1].resultId);
    expect((await api.anonymous.get(`/api/v1/public/results?task=${taskId}&year=${year}`)).body.total).toBe(published.length);
    expect((await api.anonymous.get(`/api/v1/public/results?task=${voidTaskId}`)).body.total).toBe(0);
    expect((await api.anonymous.get(`/api/v1/public/results?year=${year - 1}`)).body).toMatchObject({ total: 0, items: [] });
    expect((await api.anonymous.get('/api/v1/public/results?limit=0')).status).toBe(400);
    expect((await api.anonymous.get('/api/v1/public/results?task=nope')).status).toBe(400);
  });

  it('results as CSV: UTF-8 with BOM, the documented columns, one row per published result', async () => {
    const res = await asText(api.anonymous.get(`/api/v1/public/results?format=csv&task=${taskId}`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('attachment');
    const csv = text(res);
    corpus.push({ what: 'results.csv', body: csv });
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).trim().split(/\r?\n/);
    expect(lines[0]).toBe(RESULT_COLUMNS.join(','));
    expect(lines).toHaveLength(published.length + 1);
    expect(csv).toContain('A;2;B');
    for (const u of unpublished) expect(csv).not.toContain(u.visit.uscc);
  });

  it('draws as JSON and CSV: every draw of a task, the voided one with its reason', async () => {
    const res = await api.anonymous.get('/api/v1/public/draws');
    expect(res.status).toBe(200);
    corpus.push({ what: 'draws.json', body: res.text });
    expect(res.body.total).toBe(3);
    const mine = res.body.items.find((d: { drawId: string }) => d.drawId === drawId);
    expect(mine).toMatchObject({ taskId, commitment, status: 'drawn', randomness: '05 11 17 23 29 31 + 02', bundleUrl: `/api/v1/draws/${drawId}/bundle`, year });
    expect(mine.selectedCount).toBeGreaterThan(0);
    expect(Object.keys(mine).sort()).toEqual(
      ['drawId', 'taskId', 'taskName', 'year', 'window', 'status', 'algorithm', 'commitment', 'committedAt', 'randomnessSource', 'randomness', 'randomnessNormalized', 'workingSeed', 'seededAt', 'drawnAt', 'resultDigest', 'selectedCount', 'voidedAt', 'voidReason', 'bundleUrl'].sort(),
    );
    const voided = res.body.items.filter((d: { taskId: string; status: string }) => d.taskId === voidTaskId && d.status === 'voided');
    expect(voided).toHaveLength(1);
    expect(voided[0]).toMatchObject({ voidReason: '随机数来源公告有误，重新承诺', bundleUrl: null });
    expect((await api.anonymous.get(`/api/v1/public/draws?task=${voidTaskId}`)).body.total).toBe(2);
    expect((await api.anonymous.get(`/api/v1/public/draws?task=${draftId}`)).body.total).toBe(0);
    const csv = await asText(api.anonymous.get('/api/v1/public/draws?format=csv'));
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    corpus.push({ what: 'draws.csv', body: text(csv) });
    expect(text(csv).charCodeAt(0)).toBe(0xfeff);
    const lines = text(csv).slice(1).trim().split(/\r?\n/);
    expect(lines[0]).toBe(DRAW_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    expect(text(csv)).toContain('随机数来源公告有误，重新承诺');
  });
});

describe(`never published, over every page and file served on ${testDialect}`, () => {
  it('no credit grade, no operator name of an individual business, no officer name', async () => {
    expect(corpus.length).toBeGreaterThan(20);
    const officers = await api.db.db.selectFrom('inspectors').select('name').execute();
    for (const { what, body } of corpus) {
      for (const w of GRADE_WORDS) expect(body, `${what} contains ${w}`).not.toContain(w);
      for (const op of operators.values()) expect(body, `${what} contains the operator name ${op}`).not.toContain(op);
      for (const o of officers) expect(body, `${what} contains the officer ${o.name}`).not.toContain(o.name);
    }
  });
});

// ------------------------------------------------------------------------------------ demo

describe(`the demo data on ${testDialect}`, () => {
  let t: TestDb;
  let demo: request.Agent;
  beforeAll(async () => {
    t = await createTestDb();
    await loadDemoData(t.db);
    await loadDemoPlan(t.db);
    await loadDemoUsers(t.db);
    const r = await loadDemoResults(t.db);
    expect(r.loaded).toBe(true);
    demo = request.agent(createApp({ handle: t, logger: pino({ level: 'silent' }) }));
  }, 120_000);
  afterAll(async () => t?.destroy());

  it('shows a published task with published results (one exemption proposal among the problems), published in time', async () => {
    const home = await asText(demo.get('/'));
    expect(home.status).toBe(200);
    const task = (await t.db.selectFrom('tasks').select(['id', 'status']).where('status', '=', 'published').execute())[0];
    expect(task).toBeDefined();
    expect(text(home)).toContain(`<a data-testid="task-link" href="/tasks/${task.id}">`);
    expect(text(home)).toContain('已公示');
    const page = text(await asText(demo.get(`/tasks/${task.id}`)));
    expect(page).toContain('<section id="verify">');
    expect(page).toMatch(/已公示 \d+ 项结果/);
    expect(page).toContain('已按时公示');
    expect(page).toContain('1</span> 未发现问题');
    expect(page).toMatch(/[AE]<\/span> 发现问题/);
    const rows = await t.db.selectFrom('inspection_results').select(['status', 'codes', 'findings']).execute();
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((r) => r.status === 'published')).toBe(true);
    expect(rows.filter((r) => r.codes.length === 1 && r.codes[0] === '1').length / rows.length).toBeGreaterThan(0.6);
    expect(rows.filter((r) => r.findings.some((f) => f.exemption?.exempt === true))).toHaveLength(1);
    // Aggregates hide small groups; no grade word on any page or file.
    for (const g of (await publicStatistics.problemRateByGrade(t.db)).groups) expect(g.results).toBeGreaterThanOrEqual(5);
    const individuals = await t.db.selectFrom('objects').select(['uscc', 'legal_representative']).where('entity_type', '=', 'individual').execute();
    const shown = new Set((await t.db.selectFrom('inspection_results').select('uscc').execute()).map((r) => r.uscc));
    const ops = individuals.filter((o) => shown.has(o.uscc) && o.legal_representative).map((o) => o.legal_representative!);
    expect(ops.length).toBeGreaterThan(0);
    const bodies = [
      text(home),
      page,
      text(await asText(demo.get('/api/v1/public/results?format=csv'))),
      (await demo.get('/api/v1/public/results?limit=1000')).text,
      text(await asText(demo.get('/charts/problem-rate-by-grade.svg'))),
    ];
    for (const body of bodies) {
      for (const w of GRADE_WORDS) expect(body).not.toContain(w);
      for (const op of ops) expect(body).not.toContain(op);
    }
  });
});
