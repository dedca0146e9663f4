/**
 * The public site in a real browser: Debian's chromium driven through playwright-core (no browser
 * is ever downloaded), against the real service on a temporary SQLite file with the demo data.
 *
 * - home → task list → a drawn task;
 * - the search box with part of an entity's name → the entity's page;
 * - the verify section's public bundle, downloaded by the browser and checked with `double-random verify`;
 * - no page and no open-data file shows a credit grade or an individual business's legal representative;
 * - screenshots of the main pages in test-output/screenshots/ (not committed).
 *
 * Runs once per CI run: skipped on the PostgreSQL pass (TEST_DATABASE_URL set). Skipped on a
 * developer's machine without chromium; in CI (CI set) a missing chromium is a failure.
 */
import { execFile } from 'node:child_process';
import { chromiumPath, CHROMIUM_FLAGS, SCREENSHOTS, skipReason } from './support.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../src/config.ts';
import { GRADE_LABELS } from '../../src/domain/registry.ts';
import { startServer, type RunningServer } from '../../src/server.ts';

const NAV_TIMEOUT = 30_000;
const STEP_TIMEOUT = 120_000;

if (skipReason) console.warn(`[test/browser] ${skipReason}`);

/** Runs the CLI (`node --import tsx src/main.ts …`) from the project root. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', ...args],
      { cwd: projectRoot, env, timeout: 90_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
        resolve({ code, stdout, stderr: err && code === null ? `${stderr}\n${err.message}` : stderr });
      },
    );
  });
}

/** The 2–4 character part of one of the names that as few other names as possible contain. */
function pickSearchTerm(candidates: { uscc: string; name: string }[], allNames: string[]) {
  let best: { uscc: string; name: string; term: string; matches: number } | null = null;
  for (const c of candidates) {
    // What a visitor would type: part of the trade name, not the place name in front of it.
    const chars = [...c.name.replace(/^(重庆市?|渝中区)+/u, '')];
    for (const len of [3, 4, 2]) {
      for (let i = 0; i + len <= chars.length; i++) {
        const term = chars.slice(i, i + len).join('');
        if (!/^[\p{Script=Han}A-Za-z0-9]+$/u.test(term)) continue;
        let matches = 0;
        for (const n of allNames) if (n.includes(term)) matches++;
        if (!best || matches < best.matches) best = { ...c, term, matches };
        if (best.matches === 1) return best;
      }
    }
  }
  return best;
}

describe.skipIf(skipReason !== null)(
  skipReason ? `public site in chromium (skipped: ${skipReason})` : 'public site in chromium',
  () => {
    let dir: string;
    let server: RunningServer | undefined;
    let browser: Browser | undefined;
    let context: BrowserContext | undefined;
    let mobile: BrowserContext | undefined;
    let page: Page;
    let base: string;

    /** Every page visited, as the browser had it: checked for leaks at the end. */
    const visited: { url: string; html: string }[] = [];
    const pageErrors: string[] = [];

    // Demo facts read from the database.
    let selected: { uscc: string; name: string; entity_type: string }[] = [];
    let allNames: string[] = [];
    let personalNames: string[] = [];

    // Found on the way.
    let drawnTaskHref: string | undefined;

    async function visit(p: Page, urlPath: string): Promise<void> {
      const response = await p.goto(new URL(urlPath, base).toString(), { waitUntil: 'networkidle', timeout: NAV_TIMEOUT });
      expect(response, `no response for ${urlPath}`).not.toBeNull();
      expect(response!.status(), `status of ${urlPath}`).toBeLessThan(400);
      await record(p);
    }

    async function record(p: Page): Promise<void> {
      await p.waitForLoadState('networkidle', { timeout: NAV_TIMEOUT });
      visited.push({ url: p.url(), html: await p.content() });
    }

    function watchErrors(p: Page): void {
      p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`));
    }

    async function shot(p: Page, name: string): Promise<void> {
      await p.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true, timeout: NAV_TIMEOUT });
    }

    beforeAll(async () => {
      if (!chromiumPath) {
        throw new Error('chromium is not installed but CI is set: the browser tests must run in CI (.ci/run installs it with apt-get install -y chromium)');
      }
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-browser-'));
      server = await startServer({
        port: 0,
        database: { dialect: 'sqlite', url: path.join(dir, 'public.sqlite') },
        logLevel: 'silent',
        demoData: true,
        scheduler: false,
        workerThreads: 1,
      });
      base = `http://127.0.0.1:${server.port}`;
      const db = server.handle.db;

      selected = await db
        .selectFrom('draw_selections as s')
        .innerJoin('draws as d', 'd.id', 's.draw_id')
        .innerJoin('objects as o', 'o.uscc', 's.uscc')
        .select(['o.uscc', 'o.name', 'o.entity_type'])
        .where('d.status', '=', 'drawn')
        .orderBy('s.draw_id')
        .orderBy('s.rank')
        .execute();
      const objects = await db.selectFrom('objects').select(['name', 'address', 'entity_type', 'legal_representative']).execute();
      allNames = objects.map((o) => o.name);

      // Individual businesses' legal representatives: personal data, never shown unmasked. A name that
      // also occurs in text the registry publishes anyway (an entity's registered name or address, an
      // inspector's, a department's, a matter's or a task's name) cannot be told apart from that text,
      // so it is left out of the check.
      const publicText = [
        ...objects.flatMap((o) => [o.name, o.address ?? '']),
        ...(await db.selectFrom('inspectors').select('name').execute()).map((r) => r.name),
        ...(await db.selectFrom('departments').select('name').execute()).map((r) => r.name),
        ...(await db.selectFrom('matters').select('name').execute()).map((r) => r.name),
        ...(await db.selectFrom('tasks').select('name').execute()).map((r) => r.name),
        ...(await db.selectFrom('plans').select('title').execute()).map((r) => r.title),
      ].join('\n');
      const reps = new Set(
        objects.filter((o) => o.entity_type === 'individual' && o.legal_representative).map((o) => o.legal_representative!.trim()),
      );
      personalNames = [...reps].filter((n) => n.length >= 2 && !publicText.includes(n));
      console.info(`[test/browser] ${selected.length} entities selected in drawn draws; checking ${personalNames.length} of ${reps.size} legal representatives' names`);

      browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000 });
      context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
      context.setDefaultTimeout(NAV_TIMEOUT);
      context.setDefaultNavigationTimeout(NAV_TIMEOUT);
      context.on('page', watchErrors);
      page = await context.newPage();
    }, 240_000);

    afterAll(async () => {
      await mobile?.close().catch(() => {});
      await context?.close().catch(() => {});
      await browser?.close().catch(() => {});
      await server?.close().catch(() => {});
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('home lists the tasks; a drawn task opens from its link', async () => {
      await visit(page, '/');
      const links = page.locator('a[data-testid="task-link"]');
      await links.first().waitFor({ state: 'visible' });
      const count = await links.count();
      expect(count, 'task links on the home page').toBeGreaterThan(0);
      await shot(page, 'home');

      const hrefs: string[] = [];
      for (let i = 0; i < count; i++) {
        const href = await links.nth(i).getAttribute('href');
        if (href && !hrefs.includes(href)) hrefs.push(href);
      }
      for (const href of hrefs) expect(href).toMatch(/\/tasks\/[^/?#]+$/);

      // Every task page (bounded), remembering the first whose verify section offers a bundle.
      const taskPage = await context!.newPage();
      try {
        for (const href of hrefs.slice(0, 40)) {
          await visit(taskPage, href);
          const bundle = taskPage.locator('section#verify a[data-testid="bundle-download"]');
          if (!drawnTaskHref && (await bundle.count()) > 0) drawnTaskHref = href;
        }
      } finally {
        await taskPage.close();
      }
      expect(drawnTaskHref, 'a task page with section#verify and a bundle-download link (the demo has drawn tasks)').toBeDefined();

      // Open it the way a visitor does: from its link on the home page.
      await visit(page, '/');
      await page.locator(`a[data-testid="task-link"][href="${drawnTaskHref}"]`).first().click();
      await page.waitForURL((u) => u.pathname === new URL(drawnTaskHref!, base).pathname);
      await record(page);
      await page.locator('section#verify').waitFor({ state: 'attached' });
      await shot(page, 'task');

      // The home page on a phone.
      mobile = await browser!.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
      mobile.on('page', watchErrors);
      const phone = await mobile.newPage();
      await visit(phone, '/');
      await phone.locator('a[data-testid="task-link"]').first().waitFor({ state: 'visible', timeout: NAV_TIMEOUT });
      await shot(phone, 'home-mobile');
      await phone.close();
    }, STEP_TIMEOUT);

    it('finds an entity by part of its name and opens its page', async () => {
      // An entity selected in a draw (not an individual business, whose page may mask details).
      const candidates = selected.filter((s) => s.entity_type !== 'individual').slice(0, 60);
      expect(candidates.length, 'entities selected in the demo draws').toBeGreaterThan(0);
      const pick = pickSearchTerm(candidates, allNames)!;
      expect(pick).not.toBeNull();
      console.info(`[test/browser] searching "${pick.term}" for ${pick.name} (${pick.uscc}); ${pick.matches} registry name(s) contain it`);

      await visit(page, '/');
      const box = page.locator('form[action="/search"] input[name="q"]').first();
      await box.waitFor({ state: 'visible' });
      await box.click();
      await box.pressSequentially(pick.term, { delay: 20 });
      await Promise.all([page.waitForURL(/\/search\?/), box.press('Enter')]);
      await record(page);
      expect(new URL(page.url()).searchParams.get('q')).toBe(pick.term);
      const link = page.locator(`a[data-testid="entity-link"][href$="/entities/${pick.uscc}"]`).first();
      await link.waitFor({ state: 'visible' });
      await shot(page, 'search');

      await link.click();
      await page.waitForURL((u) => u.pathname === `/entities/${pick.uscc}`);
      await record(page);
      const text = (await page.locator('body').innerText()) ?? '';
      expect(text, 'the entity page names the entity').toContain(pick.name);
      await shot(page, 'entity');

      // An individual business's page too, if one was drawn: where a legal representative would leak.
      const individual = selected.find((s) => s.entity_type === 'individual');
      if (individual) {
        const other = await context!.newPage();
        try {
          await visit(other, `/entities/${individual.uscc}`);
        } finally {
          await other.close();
        }
      }
    }, STEP_TIMEOUT);

    it('downloads the public bundle from the verify section and `double-random verify` accepts it', async () => {
      expect(drawnTaskHref, 'a drawn task was found on the home page').toBeDefined();
      await visit(page, drawnTaskHref!);
      const verify = page.locator('section#verify');
      await verify.waitFor({ state: 'attached' });
      // Open the section: a link to it, or a <details> inside it, whichever the page has.
      const toVerify = page.locator('a[href="#verify"]').first();
      if ((await toVerify.count()) > 0 && (await toVerify.isVisible())) await toVerify.click();
      const closed = verify.locator('details:not([open]) > summary');
      for (let i = await closed.count(); i > 0; i--) await closed.first().click();
      await verify.scrollIntoViewIfNeeded();
      const link = verify.locator('a[data-testid="bundle-download"]').first();
      await link.waitFor({ state: 'visible' });
      expect(await link.getAttribute('href')).toMatch(/\/api\/v1\/draws\/[^/]+\/bundle/);
      await verify.screenshot({ path: path.join(SCREENSHOTS, 'task-verify.png'), timeout: NAV_TIMEOUT });

      const [download] = await Promise.all([page.waitForEvent('download', { timeout: NAV_TIMEOUT }), link.click()]);
      const file = path.join(dir, download.suggestedFilename() || 'bundle.json');
      await download.saveAs(file);
      expect(await download.failure()).toBeNull();
      const bundle = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      expect(bundle).toBeTypeOf('object');

      const r = await runCli(['verify', file], {
        ...process.env,
        // The CLI never needs the project's own database here.
        DATABASE_URL: path.join(dir, 'cli.sqlite'),
        DEMO_DATA: '0',
        SCHEDULER: '0',
        LOG_LEVEL: 'silent',
      });
      expect(r.code, `double-random verify exited ${r.code}\n${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('验证通过');
    }, STEP_TIMEOUT);

    /** Every credit-grade label, credit-grade key and checked personal name found in a text. */
    function leaksIn(url: string, text: string): string[] {
      const found: string[] = [];
      for (const label of Object.values(GRADE_LABELS)) if (text.includes(label)) found.push(`${url}: credit grade label ${label}`);
      for (const key of ['creditGrade', 'credit_grade']) if (text.includes(key)) found.push(`${url}: key ${key}`);
      for (const name of personalNames) if (text.includes(name)) found.push(`${url}: legal representative ${name}`);
      return found;
    }

    it('no page shows a credit grade or an individual legal representative', async () => {
      await visit(page, '/check');
      await page.locator('form[action="/check"] input[name="code"]').first().waitFor({ state: 'visible' });
      await shot(page, 'check');

      const pagesSeen = new Set(visited.map((v) => new URL(v.url).pathname));
      for (const p of ['/', '/search', '/check']) expect(pagesSeen, `visited ${p}`).toContain(p);
      expect([...pagesSeen].some((p) => p.startsWith('/tasks/')), 'visited a task page').toBe(true);
      expect([...pagesSeen].some((p) => p.startsWith('/entities/')), 'visited an entity page').toBe(true);

      expect(Object.values(GRADE_LABELS)).toEqual(['信用风险低', '信用风险一般', '信用风险较高', '信用风险高']);
      expect(personalNames.length, 'legal representatives to look for').toBeGreaterThan(0);
      expect(visited.flatMap((v) => leaksIn(v.url, v.html)), 'nothing private on the pages').toEqual([]);
      expect(pageErrors, 'no uncaught script errors on the pages').toEqual([]);
    }, STEP_TIMEOUT);

    it('no open-data file holds a credit grade or an individual legal representative', async () => {
      const leaks: string[] = [];
      for (const kind of ['results', 'draws']) {
        for (const format of ['csv', 'json']) {
          const url = `${base}/api/v1/public/${kind}?format=${format}`;
          const res = await fetch(url, { signal: AbortSignal.timeout(NAV_TIMEOUT) });
          const body = await res.text();
          expect(res.status, `${url}: ${body.slice(0, 300)}`).toBe(200);
          expect(body.trim().length, `${url} is not empty`).toBeGreaterThan(0);
          if (format === 'json') expect(() => JSON.parse(body), `${url} is JSON`).not.toThrow();
          leaks.push(...leaksIn(url, body));
        }
      }
      expect(leaks, 'nothing private in the open data').toEqual([]);
    }, STEP_TIMEOUT);
  },
);
