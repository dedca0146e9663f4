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
import { shanghaiDate } from '../../src/domain/time.ts';
import { chromiumPath, CHROMIUM_FLAGS, SCREENSHOTS, skipReason } from './support.ts';

const SHOTS = path.join(SCREENSHOTS, 'console');
const NAV_TIMEOUT = 30_000;
const STEP_TIMEOUT = 180_000;
const PASSWORD = 'demo-password-2026';
const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'import');
/** A 1 × 1 PNG (a real image file: attachments are checked by content). */
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

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
  let visit: { entity: string; uscc: string; officer: string } | undefined;
  let inspectorAccount = '';
  /** One-time passwords the administrator's page showed, by account. */
  const passwords = new Map<string, string>();
  const today = shanghaiDate(new Date());
  const year = today.slice(0, 4);
  const windowEnd = addDays(today, 30) <= `${year}-12-31` ? addDays(today, 30) : `${year}-12-31`;

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

  /** The administrator creates an account on the accounts page and reads its one-time password. */
  async function createAccount(p: Page, username: string, role: string, opts: { department?: string; officer?: string }): Promise<string> {
    await p.goto(`${base}/console/admin/accounts`);
    const form = p.getByTestId('account-create-form');
    await form.getByLabel('用户名').fill(username);
    await form.getByLabel('角色').selectOption(role);
    if (opts.department) await form.getByLabel(/所属部门/).selectOption(opts.department);
    if (opts.officer) await form.getByLabel(/执法证号/).fill(opts.officer);
    await go(p, form.getByRole('button'));
    const password = (await textOf(p.getByTestId('one-time-password'))).trim();
    expect(password.length).toBeGreaterThanOrEqual(10);
    return password;
  }

  /** The page's laid-out width (wider than the viewport means sideways scrolling). */
  async function pageWidth(p: Page): Promise<number> {
    return p.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
  }

  /** Signs in through the form, as a person does. */
  async function signIn(p: Page, username: string): Promise<void> {
    await p.goto(`${base}/console/login`);
    await p.getByLabel('用户名').fill(username);
    await p.getByLabel('密码').fill(passwords.get(username) ?? PASSWORD);
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
    'an administrator creates two regulators of the fire department, each signs in with a one-time password',
    async () => {
      const p = await newPage({ width: 1366, height: 900 });
      await signIn(p, 'demo-admin');
      for (const username of ['xf-lead', 'xf-second']) {
        passwords.set(username, await createAccount(p, username, 'regulator', { department: 'XF' }));
      }
      await shot(p, '01-admin-accounts');
      await signOut(p);
    },
    STEP_TIMEOUT,
  );

  it(
    'a regulator creates a plan and a joint task, reads the simulation and submits it; a second regulator approves',
    async () => {
      const p = await newPage({ width: 1366, height: 900 });
      await signIn(p, 'xf-lead');
      await shot(p, '02-regulator-home');
      await go(p, p.getByRole('link', { name: '年度计划与任务' }));
      await p.getByText('新建年度抽查计划').click();
      expect(await p.getByLabel('年度').inputValue()).toBe(year);
      await go(p, p.getByRole('button', { name: '新建计划' }));
      await expectFlash(p, '已新建计划');
      expect(await textOf(p.getByRole('heading', { level: 1 }))).toContain(`${year}年度双随机抽查计划`);
      await go(p, p.getByTestId('new-task'));

      // The rates come prefilled from the plan defaults (data/plan-defaults.json).
      const defaults = JSON.parse(fs.readFileSync(path.join(projectRoot, 'data', 'plan-defaults.json'), 'utf8')) as { rates: Record<string, string> };
      expect(await p.locator('#rate-D').inputValue()).toBe(defaults.rates.D);
      expect(await p.getByLabel('牵头部门', { exact: true }).inputValue()).toBe('XF');
      await p.getByLabel('牵头部门每组人数').fill('1');
      await p.getByRole('checkbox', { name: '渝中区市场监督管理局' }).check();
      await p.getByLabel('渝中区市场监督管理局每组人数').fill('1');
      await p.getByRole('checkbox', { name: /餐饮服务食品安全监督检查/ }).check();
      await p.getByRole('checkbox', { name: /公众聚集场所消防安全检查/ }).check();
      await p.getByLabel('街道（分隔同上）').fill('大溪沟');
      await p.getByLabel('检查开始日期').fill(today);
      await p.getByLabel('检查结束日期').fill(windowEnd);
      await p.getByLabel(/公开随机数来源/).fill(`${today} 中国福利彩票双色球开奖号码（承诺之后开奖的一期）`);
      await shot(p, '03-task-form');
      await go(p, p.getByTestId('task-save'));
      await expectFlash(p, '已保存任务草稿');
      taskId = new URL(p.url()).pathname.split('/').pop()!;

      // The simulation: per-grade probabilities and expected counts, the load chart, warnings explained.
      expect(await textOf(p.getByTestId('sim-strata'))).toContain('D 类');
      expect(Number(await textOf(p.getByTestId('sim-expected')))).toBeGreaterThan(0);
      const chart = p.getByAltText('执法人员预计工作量与剩余能力对比图');
      await chart.scrollIntoViewIfNeeded();
      await expect.poll(() => chart.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 20_000 }).toBeGreaterThan(100);
      expect(await p.getByTestId('sim-warnings').count()).toBe(1);
      await shot(p, '04-task-simulation');
      await go(p, p.getByTestId('task-submit'));
      await expectFlash(p, '已提交审批');
      expect(await p.locator('main').innerText()).toContain('待审批');
      await signOut(p);

      // The author cannot approve; the second regulator can.
      await signIn(p, 'xf-second');
      await go(p, p.getByRole('link', { name: '年度计划与任务' }));
      await go(p, p.locator(`a[href="/console/tasks/${taskId}"]`).first());
      expect(await textOf(p.getByTestId('approval'))).toContain('已提交审批');
      await shot(p, '05-approval');
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
      await signIn(p, 'xf-lead');
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
      await shot(p, '06-draw-result');

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
      const members: { entity: string; uscc: string; officer: string; department: string; certificate: string }[] = [];
      ws2.eachRow((row, i) => {
        if (i > 3) members.push({ entity: String(row.getCell(2).value), uscc: String(row.getCell(3).value), officer: String(row.getCell(4).value), department: String(row.getCell(5).value), certificate: String(row.getCell(6).value) });
      });
      expect(members.length).toBe(2 * n);
      for (const name of drawnNames) {
        const team = members.filter((m) => m.entity === name).map((m) => m.department).sort();
        expect(team).toEqual(['渝中区市场监督管理局', '渝中区消防救援支队'].sort());
      }
      const first = members.find((m) => m.entity === drawnNames[0] && m.department === '渝中区市场监督管理局')!;
      visit = { entity: first.entity, uscc: first.uscc, officer: first.certificate };

      // All notices at once: one section per drawn entity; printed, one notice a page at least.
      const [notices] = await Promise.all([p.context().waitForEvent('page'), p.getByTestId('print-notices').click()]);
      await notices.waitForLoadState('load');
      expect(await notices.locator('section.notice-page').count()).toBe(n);
      for (const name of drawnNames.slice(0, 3)) expect(await notices.locator('section.notice-page', { hasText: name }).count()).toBeGreaterThan(0);
      await shot(notices, '07-notices');
      const pdf = await notices.pdf({ format: 'A4' });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      expect(pages).toBeGreaterThanOrEqual(n);
      await notices.close();
      await signOut(p);
    },
    STEP_TIMEOUT,
  );

  it(
    'an inspector on a phone opens the notice and records a result with an exemption proposal and an attachment',
    async () => {
      expect(visit).toBeDefined();
      // The administrator gives the SCJG officer of the first team an account.
      const admin = await newPage({ width: 1366, height: 900 });
      await signIn(admin, 'demo-admin');
      inspectorAccount = `insp-${visit!.officer}`;
      passwords.set(inspectorAccount, await createAccount(admin, inspectorAccount, 'inspector', { officer: visit!.officer }));
      await signOut(admin);

      const p = await newPage({ width: 390, height: 844 }, true);
      await signIn(p, inspectorAccount);
      expect(p.url()).toContain('/console/assignments');
      await shot(p, '08-inspector-assignments');
      await go(p, p.getByTestId('assignment-link').filter({ hasText: visit!.entity }).first());
      await shot(p, '09-inspector-assignment');
      expect(await pageWidth(p), 'the assignment page fits a 390 px phone').toBeLessThanOrEqual(390);
      // The notice was printed with the task's: the inspector opens it in the browser.
      await go(p, p.getByTestId('notice-print'));
      expect(await p.locator('body').innerText()).toContain(visit!.entity);
      await shot(p, '10-inspector-notice');
      await p.goBack();

      await go(p, p.getByRole('link', { name: /录入检查结果/ }).first());
      await p.getByLabel('检查日期').fill(today);
      // htmx checks the combination on every change (the same rules the service applies on submit).
      await p.locator('#code-1').check();
      await p.locator('#code-A').check();
      await expect.poll(() => p.getByTestId('code-check').innerText(), { timeout: 10_000 }).toContain('CODE_1_EXCLUSIVE');
      await shot(p, '11-inspector-code-check');
      await p.locator('#code-1').uncheck();
      await p.locator('#code-3').check();
      await p.getByLabel('核查方式').selectOption('实地检查');
      await p.getByRole('checkbox', { name: '责令改正' }).check();
      const food = p.locator('fieldset[data-matter="SCJG-02"]');
      await food.getByLabel('不合规', { exact: true }).check();
      await food.getByLabel('违法行为类型').selectOption('FOOD_LABEL_MINOR_DEFECT');
      await food.getByLabel('危害后果').selectOption('none');
      await food.getByLabel('改正情况').selectOption('before-decision');
      await food.getByLabel('说明').fill('预包装食品标签字体高度不足，当场改正');
      await p.locator('fieldset[data-matter="XF-01"]').getByLabel('合规', { exact: true }).check();
      await expect.poll(() => p.getByTestId('code-check').innerText(), { timeout: 10_000 }).toContain('符合');
      const photo = path.join(dir, '现场照片.png');
      fs.writeFileSync(photo, PNG_1X1);
      await p.getByTestId('attachment-input').setInputFiles(photo);
      await shot(p, '11-inspector-result-form');
      expect(await pageWidth(p), 'the result form fits a 390 px phone').toBeLessThanOrEqual(390);
      await go(p, p.getByTestId('result-submit'));
      await expectFlash(p);
      const outcome = await textOf(p.getByTestId('finding-outcome'));
      expect(outcome).toMatch(/不予处罚/);
      expect(await textOf(p.getByTestId('attachment-list'))).toContain('现场照片.png');
      await shot(p, '12-inspector-result-submitted');
      await signOut(p);
    },
    STEP_TIMEOUT,
  );

  it(
    'the reviewer returns the result with a comment, the inspector resubmits, the reviewer approves',
    async () => {
      const r = await newPage({ width: 1366, height: 900 });
      await signIn(r, 'demo-reviewer');
      await go(r, r.getByRole('link', { name: '待审核结果', exact: true }));
      await go(r, r.getByTestId('review-queue').locator('tr', { hasText: visit!.entity }).getByTestId('review-link'));
      expect(await textOf(r.getByTestId('exemption-outcome'))).toContain('拟不予处罚');
      expect(await r.locator('main').innerText()).toContain('现场照片.png');
      await shot(r, '13-review');
      await r.getByTestId('review-comment-input').fill('请补充标签问题的具体条款');
      await go(r, r.getByTestId('review-return'));
      await expectFlash(r);

      const p = await newPage({ width: 390, height: 844 }, true);
      await signIn(p, inspectorAccount);
      await go(p, p.getByTestId('assignment-link').filter({ hasText: visit!.entity }).first());
      expect(await textOf(p.getByTestId('review-comment'))).toContain('请补充标签问题的具体条款');
      await shot(p, '14-inspector-returned');
      await go(p, p.getByRole('link', { name: /修改检查结果|录入检查结果/ }).first());
      const food = p.locator('fieldset[data-matter="SCJG-02"]');
      expect(await food.getByLabel('违法行为类型').inputValue()).toBe('FOOD_LABEL_MINOR_DEFECT');
      await food.getByLabel('违反的条款').fill('《食品安全法》第六十七条');
      await go(p, p.getByTestId('result-submit'));
      await expectFlash(p);
      await signOut(p);

      await go(r, r.getByRole('link', { name: '待审核结果', exact: true }));
      await go(r, r.getByTestId('review-queue').locator('tr', { hasText: visit!.entity }).getByTestId('review-link'));
      expect(await r.locator('main').innerText()).toContain('《食品安全法》第六十七条');
      await go(r, r.getByTestId('review-approve'));
      await expectFlash(r);
      await shot(r, '15-review-approved');
      await signOut(r);
    },
    STEP_TIMEOUT,
  );

  it(
    'the regulator publishes the result and the public task page shows it',
    async () => {
      const p = await newPage({ width: 1366, height: 900 });
      await signIn(p, 'xf-lead');
      await go(p, p.getByRole('link', { name: '检查结果与公示' }));
      await p.getByLabel('任务', { exact: true }).selectOption(taskId);
      await go(p, p.getByRole('button', { name: '筛选' }));
      const row = p.getByTestId('result-row').filter({ hasText: visit!.entity });
      await go(p, row.getByTestId('publish-result'));
      await expectFlash(p, '已公示');
      await shot(p, '16-published');
      // A wide screen at the bureau: the same pages at 1920 px.
      await p.setViewportSize({ width: 1920, height: 1080 });
      await p.goto(`${base}/console/tasks/${taskId}/draw`);
      await shot(p, '16-draw-1920');
      await signOut(p);

      const pub = await newPage({ width: 1366, height: 900 });
      await pub.goto(`${base}/tasks/${taskId}`);
      const results = await textOf(pub.locator('#results + *'));
      expect(await pub.locator('main').innerText()).toContain('已公示 1 项结果');
      expect(results.length).toBeGreaterThan(0);
      await shot(pub, '17-public-task');
    },
    STEP_TIMEOUT,
  );

  it('no page the journeys visited raised a script error', () => {
    expect(pageErrors).toEqual([]);
  });

});
