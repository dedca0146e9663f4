/**
 * The console's sweep, on the access-control fixture of the API's sweep (test/helpers/sweepFixtures.ts:
 * an owner department SCJG with tasks, draws, visits, an import; another department SW in one
 * joint task; a reviewer; an inspector of SW).
 *
 * 1. Crawl: the owner's identities (an SCJG regulator, the inspector on an SCJG-only team, the
 *    reviewer, an administrator) follow every console link from the home page, as a person
 *    clicking through would, and collect every page and every state-changing form.
 * 2. CSRF: every form is submitted without its CSRF token → 403, and with the session of another
 *    role (with that session's valid token) → 403 or 404; after each, nothing in the database
 *    changed (row counts of every table, the audit log).
 * 3. IDOR: every page the owner's identities reached is requested with another department's
 *    regulator's session and another inspector's session → 403/404, or a page that holds none of
 *    the owner's secrets (registry records are shared by all staff, as in the API).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { startApi, type Api } from './support.ts';
import { consoleAs, signInConsole, type ConsoleAgent } from './consoleSupport.ts';
import { buildSweepFixture, leaksIn, type Secret, type SweepFixture } from '../helpers/sweepFixtures.ts';
import { uploadsFolder } from '../../src/services/imports/importJobs.ts';
import path from 'node:path';

interface FoundForm {
  page: string;
  action: string;
  multipart: boolean;
  fields: [string, string][];
  owner: string;
}

const TABLES = [
  'audit_log', 'plans', 'tasks', 'task_events', 'draws', 'draw_selections', 'visits', 'visit_notices', 'inspection_results', 'result_events',
  'result_measures', 'result_attachments', 'users', 'objects', 'grade_history', 'registry_changes', 'abnormal_listings', 'inspectors', 'conflicts',
  'import_jobs', 'departments', 'matters', 'deadlines', 'check_codes',
] as const;

let api: Api;
let f: SweepFixture;
const agents = new Map<string, ConsoleAgent>();
const pages = new Map<string, string>(); // url → the identity that reached it
const forms: FoundForm[] = [];

/** All the text of an XLSX download (every cell of every sheet). */
async function xlsxText(url: string, agent: ConsoleAgent): Promise<string> {
  const res = await agent.get(url).buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as never);
  const out: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => void out.push(String(c.value)))));
  return out.join('\n');
}

/** Row counts of every table a console form could write, and the users' last change. */
async function snapshot(): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const t of TABLES) {
    const r = await api.db.db.selectFrom(t as 'tasks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  for (const t of ['objects', 'inspectors', 'tasks', 'users'] as const) {
    const r = await sql<{ m: string | null }>`select max(updated_at) as m from ${sql.table(t)}`.execute(api.db.db);
    out[`${t}.updated_at`] = r.rows[0]?.m ?? null;
  }
  return JSON.stringify(out);
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}
const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The POST forms of a page with the fields a browser would send (first option of a select, typed text left empty). */
function formsOf(pageUrl: string, html: string, owner: string): FoundForm[] {
  const out: FoundForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const tag = m[1];
    if ((attr(tag, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const action = unescape(attr(tag, 'action') ?? pageUrl);
    const fields: [string, string][] = [];
    for (const i of m[2].matchAll(/<input\b([^>]*)>/g)) {
      const name = attr(i[1], 'name');
      const type = attr(i[1], 'type') ?? 'text';
      if (!name || name === '_csrf' || type === 'file') continue;
      if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/.test(i[1]) && name !== 'confirm') continue;
      fields.push([name, unescape(attr(i[1], 'value') ?? (type === 'checkbox' ? 'on' : ''))]);
    }
    for (const s of m[2].matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attr(s[1], 'name');
      const opt = /<option\b[^>]*\sselected\b[^>]*>/.exec(s[2])?.[0] ?? /<option\b[^>]*value="[^"]+"[^>]*>/.exec(s[2])?.[0];
      if (name) fields.push([name, unescape(opt ? (attr(opt, 'value') ?? '') : '')]);
    }
    for (const t of m[2].matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const name = attr(t[1], 'name');
      if (name) fields.push([name, unescape(t[2]) || '横扫测试']);
    }
    out.push({ page: pageUrl, action, multipart: /multipart\/form-data/.test(tag), fields, owner });
  }
  return out;
}

const SKIP = [/^\/console\/assets\//, /^\/console\/assignments\/print\.js$/, /\/login$/];
/** Links followed: console pages; the query string only where it names a task (the results page). */
function normalise(href: string): string | null {
  if (!href.startsWith('/console/')) return null;
  const u = new URL(href, 'http://x');
  const task = u.searchParams.get('task');
  const url = u.pathname + (task && u.pathname === '/console/results' ? `?task=${task}` : '');
  return SKIP.some((r) => r.test(u.pathname)) ? null : url;
}

async function crawl(identity: string, agent: ConsoleAgent, start: string, limit: number): Promise<void> {
  const queue = [start];
  const seen = new Set<string>();
  while (queue.length && seen.size < limit) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const res = await agent.get(url);
    expect(res.status, `${identity} GET ${url}`).toBeLessThan(500);
    if (res.status !== 200) continue;
    if (!pages.has(url)) pages.set(url, identity);
    if (!/text\/html/.test(String(res.headers['content-type']))) continue;
    forms.push(...formsOf(url, res.text, identity));
    // Registry lists link every record: a few of each kind are enough to cover the page types.
    const links = [...res.text.matchAll(/href="([^"]+)"/g)].map((m) => normalise(unescape(m[1]))).filter((x): x is string => !!x);
    const perPrefix = new Map<string, number>();
    for (const l of links) {
      const prefix = l.split('/').slice(0, 3).join('/');
      const n = (perPrefix.get(prefix) ?? 0) + 1;
      perPrefix.set(prefix, n);
      if (/^\/console\/(objects|inspectors)\/[^/]+$/.test(l) && n > 6 && !l.includes(f.scjgVisit.uscc)) continue;
      if (!seen.has(l)) queue.push(l);
    }
  }
}

/**
 * The sessions that must not be able to submit a form the owner reached: roles the API refuses
 * for that action (a regulator of SW may legitimately write the shared registry, as in the API;
 * only the administration forms are refused to it as well).
 */
function intruders(form: FoundForm): string[] {
  if (form.owner === 'scjg-inspector') return ['sweep-sw', 'sweep-reviewer', 'sweep-inspector'];
  if (form.owner === 'reviewer') return ['sweep-inspector', 'sweep-sw'];
  if (form.owner === 'admin' && form.action.startsWith('/console/admin/')) return ['sweep-sw', 'sweep-reviewer', 'sweep-inspector'];
  return ['sweep-inspector', 'sweep-reviewer'];
}
/** Forms every signed-in person may use on their own account. */
const OWN_ACCOUNT = ['/console/logout', '/console/password'];

beforeAll(async () => {
  api = await startApi();
  f = await buildSweepFixture(api);
  agents.set('scjg', await signInConsole(api.app, 'sweep-scjg-zhang'));
  agents.set('scjg-inspector', await consoleAs(api.app, api.db, 'sweep-scjg-officer', 'inspector', { officer: f.scjgVisit.team[0] }));
  agents.set('reviewer', await signInConsole(api.app, f.usernames.reviewer));
  agents.set('admin', await consoleAs(api.app, api.db, 'sweep-console-admin', 'admin'));
  for (const u of ['sweep-sw', 'sweep-inspector', 'sweep-reviewer']) agents.set(u, await signInConsole(api.app, u === 'sweep-sw' ? f.usernames.otherRegulator : u === 'sweep-inspector' ? f.usernames.inspector : f.usernames.reviewer));
  // The SCJG-team inspector issues the notice, so that the result form and the notice page exist.
  const scjgInspector = agents.get('scjg-inspector')!;
  const page = await scjgInspector.get(`/console/assignments/${f.scjgVisit.id}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  expect((await scjgInspector.post(`/console/assignments/${f.scjgVisit.id}/notice`).type('form').send({ _csrf: csrf })).status).toBe(303);

  await crawl('scjg', agents.get('scjg')!, '/console/', 250);
  await crawl('scjg', agents.get('scjg')!, `/console/tasks/${f.scjgDraft.id}`, 20);
  await crawl('scjg-inspector', scjgInspector, '/console/assignments', 60);
  await crawl('reviewer', agents.get('reviewer')!, '/console/', 120);
  await crawl('admin', agents.get('admin')!, '/console/admin/accounts', 120);
}, 600_000);

afterAll(async () => {
  for (const id of f?.importJobIds ?? []) for (const ext of ['', '.report.csv', '.rejects.csv']) fs.rmSync(path.join(uploadsFolder, id + ext), { force: true, recursive: true });
  await api?.db.destroy();
});

describe('console sweep', () => {
  it('reached the pages and forms of every role', () => {
    const urls = [...pages.keys()];
    for (const expected of [
      `/console/tasks/${f.scjgTask.id}`,
      `/console/tasks/${f.scjgTask.id}/draw`,
      `/console/tasks/${f.scjgDraft.id}`,
      `/console/assignments/${f.scjgVisit.id}`,
      `/console/assignments/${f.scjgVisit.id}/result`,
      `/console/imports/${f.importJobId}`,
      '/console/admin/accounts',
      '/console/admin/audit',
      '/console/review',
    ]) {
      expect(urls, expected).toContain(expected);
    }
    const actions = new Set(forms.map((x) => x.action.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')));
    for (const a of ['/console/tasks/:id/approve', '/console/tasks/:id/edit', '/console/assignments/:id/result', '/console/plans', '/console/admin/accounts', '/console/admin/audit/verify', '/console/logout']) {
      expect([...actions], a).toContain(a);
    }
    expect(forms.length).toBeGreaterThan(20);
  });

  it('refuses every state-changing form without its CSRF token, and with another role’s session; nothing changes', async () => {
    const before = await snapshot();
    const tried = new Set<string>();
    for (const form of forms) {
      const key = `${form.owner} ${form.action}`;
      if (tried.has(key)) continue;
      tried.add(key);
      const send = (agent: ConsoleAgent, csrf?: string) => {
        const fields: [string, string][] = csrf ? [['_csrf', csrf], ...form.fields] : form.fields;
        if (form.multipart) {
          let req = agent.post(form.action);
          for (const [k, v] of fields) req = req.field(k, v);
          return req.attach(form.action.includes('import') ? 'file' : 'attachments', Buffer.from('统一社会信用代码,名称\n'), 'sweep.csv');
        }
        return agent.post(form.action).type('form').send(new URLSearchParams(fields).toString());
      };
      const owner = agents.get(form.owner)!;
      const noToken = await send(owner);
      expect(noToken.status, `${form.owner} POST ${form.action} without _csrf`).toBe(403);
      expect(noToken.text).toContain('CSRF_INVALID');
      if (OWN_ACCOUNT.includes(form.action)) continue;
      for (const intruder of intruders(form)) {
        const other = agents.get(intruder)!;
        const home = await other.get('/console/password');
        const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1];
        const res = await send(other, csrf);
        expect([403, 404], `${intruder} POST ${form.action} (a form of ${form.owner}): ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
      }
    }
    expect(await snapshot()).toBe(before);
    console.info(`[console sweep] ${tried.size} forms (by owner and action) refused without CSRF and to other roles`);
    expect(tried.size).toBeGreaterThan(20);
  });

  it('shows another department’s regulator and another inspector nothing of the owner’s', async () => {
    // Registry records are shared by all staff (as GET /api/v1/objects/{uscc} and /inspectors/{no}):
    // on those pages the record's own USCC or certificate number is not a leak.
    const recordSecret = (s: Secret) => /USCC|certificate/.test(s.label);
    const checked: string[] = [];
    for (const [url] of pages) {
      if (!/[0-9a-f]{8}-[0-9a-f]{4}-|\/console\/(objects|inspectors)\/[^/]+$|\/console\/(plans|results|review|imports|assignments)$/.test(url)) continue;
      for (const who of ['sweep-sw', 'sweep-inspector']) {
        const res = await agents.get(who)!.get(url);
        checked.push(`${who} ${url} ${res.status}`);
        expect(res.status, `${who} GET ${url}`).not.toBe(500);
        if (res.status === 403 || res.status === 404 || res.status === 303) continue;
        expect(res.status, `${who} GET ${url}`).toBe(200);
        const registry = /^\/console\/(objects|inspectors)\//.test(url);
        const type = String(res.headers['content-type']);
        const text = /spreadsheetml/.test(type) ? await xlsxText(url, agents.get(who)!) : /text\/|json|svg/.test(type) ? res.text : '';
        expect(text.length > 0, `${who} GET ${url}: a ${type} response the sweep cannot read`).toBe(true);
        const secrets = registry ? f.ownerSecrets.filter((s) => !recordSecret(s)) : f.ownerSecrets;
        expect(leaksIn(text, secrets), `${who} GET ${url}`).toEqual([]);
      }
    }
    // The owner's own task, draw, assignment and import pages are among them, and are refused.
    for (const url of [`/console/tasks/${f.scjgTask.id}`, `/console/tasks/${f.scjgDraft.id}`, `/console/assignments/${f.scjgVisit.id}`, `/console/imports/${f.importJobId}`]) {
      expect(checked.filter((c) => c.includes(` ${url} `)).every((c) => / (403|404)$/.test(c)), url).toBe(true);
    }
    console.info(`[console sweep] ${checked.length} page requests by another department's regulator and another inspector`);
    expect(checked.length).toBeGreaterThan(20);
  });
});
