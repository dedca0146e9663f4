/**
 * Benchmark (not a test; CI never runs it): the inspector's assignment list
 * `GET /api/v1/me/assignments` under load, next to a bare express handler measured in the same
 * run, over loopback (127.0.0.1) only.
 *
 *   npm run bench:api
 *   npm run bench:api -- --connections=64 --duration=10 --warmup=2
 *
 * Data: a SQLite file under the system temporary folder with 1,000,000 objects, 2,000 inspectors,
 * one plan with four tasks and 60,000 visits whose teams are drawn from the inspectors (about 90
 * assignments per inspector on average), 10,800 of them with an inspection result. It is built
 * once (≈ 30 s on 2 cores) and reused by later runs; delete the folder to rebuild. The benchmarked
 * inspector is the one whose assignment count is closest to 80; the request is the endpoint's
 * default first page (no query string: limit 50).
 *
 * Load: autocannon in a child process (so the generator does not share the server's event loop),
 * a warm-up phase that is discarded, then a measured phase of fixed duration; each phase stops by
 * itself. The bare handler is an express app with one route that answers the same JSON document
 * as the real endpoint (captured once), so the ratio shows what authentication, middleware and
 * the query cost on top of express and serialisation.
 *
 * Goals (from the issue): ≥ 50 % of the bare handler's throughput, p99 < 20 ms at 64 connections.
 */
import crypto from 'node:crypto';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import seedrandom from 'seedrandom';
import SQLite from 'better-sqlite3';
import { createDb, type DbHandle } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { USCC_ALPHABET, withCheckCharacter } from '../src/domain/uscc.ts';
import { YUZHONG_STREETS } from '../src/domain/registry.ts';
import { createApp } from '../src/http/app.ts';
import { createLogger } from '../src/logger.ts';
import { addUser, login } from '../src/services/accounts.ts';

// ------------------------------------------------------------------------------ parameters

const args = new Map(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--') && a.includes('='))
    .map((a) => a.slice(2).split('=') as [string, string]),
);
const CONNECTIONS = Number(args.get('connections') ?? 64);
const DURATION_S = Number(args.get('duration') ?? 10);
const WARMUP_S = Number(args.get('warmup') ?? 2);

const OBJECTS = 1_000_000;
const INSPECTORS = 2_000;
const VISITS = 60_000;
const TARGET_ASSIGNMENTS = 80;
const PATH = '/api/v1/me/assignments';
const USERNAME = 'bench-inspector';
const PASSWORD = 'bench-password-2026';
const GOAL_RATIO = 0.5;
const GOAL_P99_MS = 20;

/** Bump when the generated data changes: a new file is built. */
const DATA_VERSION = 3;
const dir = path.join(os.tmpdir(), 'double-random-bench');
const file = path.join(dir, `api-v${DATA_VERSION}-${OBJECTS}-${VISITS}.sqlite`);
const readyFile = `${file}.ready.json`;

interface DataInfo {
  certificate: string;
  assignments: number;
  objects: number;
  inspectors: number;
  visits: number;
  perInspector: { min: number; median: number; max: number };
  buildSeconds: number;
}

// ---------------------------------------------------------------------------- data building

/**
 * Departments and teams. Each task's team = its lead slot + partner slots; the number of visits
 * per task is chosen so that every officer carries about the same load (90 visits):
 *   SCJG 1200 officers, SW 400, XF 200, WJ 200.
 */
const DEPARTMENTS = [
  { code: 'SCJG', name: '市场监管局', officers: 1200 },
  { code: 'SW', name: '税务局', officers: 400 },
  { code: 'XF', name: '消防救援支队', officers: 200 },
  { code: 'WJ', name: '卫生健康委', officers: 200 },
] as const;
const TASKS = [
  { number: 1, slots: [['SCJG', 1], ['SW', 2]], visits: 18_000, window: ['2026-03-02', '2026-05-29'] },
  { number: 2, slots: [['SCJG', 1], ['XF', 2]], visits: 9_000, window: ['2026-04-01', '2026-06-30'] },
  { number: 3, slots: [['SCJG', 1], ['WJ', 2]], visits: 9_000, window: ['2026-06-01', '2026-08-31'] },
  { number: 4, slots: [['SCJG', 3]], visits: 24_000, window: ['2026-09-01', '2026-11-30'] },
] as const;

async function buildData(): Promise<DataInfo> {
  const t0 = performance.now();
  fs.mkdirSync(dir, { recursive: true });
  for (const f of [readyFile, file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const handle = createDb({ dialect: 'sqlite', url: file });
  await migrateToLatest(handle.db);
  await handle.close();

  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -200000');
  const now = new Date().toISOString();
  const rng = seedrandom('double-random api bench 1');
  const pick = (n: number) => Math.floor(rng() * n);

  // Departments, matters, inspectors.
  const officers = new Map<string, string[]>();
  db.transaction(() => {
    const dep = db.prepare('INSERT INTO departments (code, name, yearly_cap, created_at, updated_at) VALUES (?,?,NULL,?,?)');
    const mat = db.prepare(
      "INSERT INTO matters (code, department_code, name, legal_basis, importance, ratio_cap, entity_types, method, created_at, updated_at) VALUES (?,?,?,NULL,'key',NULL,'[]',NULL,?,?)",
    );
    const insp = db.prepare(
      "INSERT INTO inspectors (certificate_no, name, department_code, valid_from, valid_to, qualifications, status, kind, yearly_capacity, created_at, updated_at) VALUES (?,?,?,'2022-01-01','2028-12-31',?,'active','officer',200,?,?)",
    );
    let k = 0;
    for (const d of DEPARTMENTS) {
      dep.run(d.code, d.name, now, now);
      mat.run(`${d.code}-01`, d.code, `${d.name}检查`, now, now);
      const list: string[] = [];
      for (let i = 0; i < d.officers; i++, k++) {
        const cert = `500103${String(k).padStart(6, '0')}`;
        insp.run(cert, `人员${k}`, d.code, JSON.stringify([`${d.code}-01`]), now, now);
        list.push(cert);
      }
      officers.set(d.code, list);
    }
  })();

  // 1,000,000 objects with valid USCCs (same generator as bench/draw.ts), in chunks of 100,000.
  const usccs: string[] = new Array(OBJECTS);
  {
    const ins = db.prepare(
      "INSERT INTO objects (uscc, name, entity_type, industry_code, street, address, registered_on, legal_representative, registration_status, credit_grade, graded_on, sector_grade, sector_graded_on, tags, created_at, updated_at) VALUES (?,?,'enterprise','F5211',?,?,'2015-01-01',NULL,'active',?,?,NULL,NULL,?,?,?)",
    );
    const seen = new Set<string>();
    let i = 0;
    const chunk = db.transaction((end: number) => {
      while (i < end) {
        let body = '91500103';
        for (let c = 0; c < 9; c++) body += USCC_ALPHABET[pick(31)];
        if (seen.has(body)) continue;
        seen.add(body);
        const r = rng();
        const grade = r < 0.3 ? 'A' : r < 0.8 ? 'B' : r < 0.92 ? 'C' : r < 0.97 ? 'D' : null;
        const uscc = withCheckCharacter(body);
        ins.run(uscc, `企业${i}`, YUZHONG_STREETS[i % YUZHONG_STREETS.length], `地址${i}`, grade, grade ? '2026-06-30' : null, i % 9 === 0 ? '["食品经营"]' : '[]', now, now);
        usccs[i] = uscc;
        i++;
      }
    });
    for (let end = 100_000; end <= OBJECTS; end += 100_000) {
      chunk(end);
      process.stdout.write(`\r  objects 名录: ${end.toLocaleString('en')} / ${OBJECTS.toLocaleString('en')}`);
    }
    process.stdout.write('\n');
  }

  // One plan, four tasks (drawn / in progress), 60,000 visits on distinct objects.
  const planId = crypto.randomUUID();
  const load = new Map<string, number>();
  db.transaction(() => {
    db.prepare('INSERT INTO plans (id, organization, year, title, created_at, created_by) VALUES (?,?,?,?,?,?)').run(planId, 'SCJG', 2026, '2026 年度双随机抽查计划（基准测试）', now, 'bench');
    const task = db.prepare(
      `INSERT INTO tasks (id, plan_id, number, name, status, lead_department, departments, matters, filters, selection, exclude_strata, exclusions, stratify_by,
         window_start, window_end, method, randomness_source, commit_at, draw_id, author, approved_by, approved_at, created_at, updated_at)
       VALUES (?,?,?,?,?,?,?,?,?,?,'[]',?,'credit',?,?,'实地检查','基准测试',NULL,NULL,'bench','bench',?,?,?)`,
    );
    const visit = db.prepare(
      'INSERT INTO visits (id, plan_id, uscc, window_start, window_end, task_ids, matters, team, notified_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)',
    );
    const member = db.prepare('INSERT INTO visit_officers (visit_id, certificate_no) VALUES (?,?)');
    // Results entered on part of the notified visits (task 1), at every stage of review.
    const result = db.prepare(
      `INSERT INTO inspection_results (id, visit_id, plan_id, uscc, status, inspected_on, method, codes, follow_up, findings, note,
         entered_by, entered_at, updated_by, updated_at, revision, reviewed_by, reviewed_at, review_comment, published_by, published_at)
       VALUES (?,?,?,?,?,?,'实地检查',?,?,?,NULL,?,?,?,?,1,?,?,NULL,?,?)`,
    );
    const STATUSES = ['entered', 'returned', 'approved', 'published'] as const;
    const used = new Set<number>();
    for (const t of TASKS) {
      const id = crypto.randomUUID();
      const matters = t.slots.map(([code]) => `${code}-01`);
      const departments = t.slots.map(([code, n]) => ({ code, officersPerTeam: n }));
      task.run(
        id,
        planId,
        t.number,
        `市场监管局 2026 年第 ${t.number} 次双随机抽查`,
        t.number === 4 ? 'drawn' : 'in_progress',
        t.slots[0][0],
        JSON.stringify(departments),
        JSON.stringify([...new Set(matters)]),
        JSON.stringify({ entityTypes: [], industryCodes: [], streets: [], tags: [] }),
        JSON.stringify({ mode: 'rates', rates: { A: '0.01', B: '0.03', C: '0.1', D: '0.3', U: '0.03' } }),
        JSON.stringify({ yearlyCap: null, lookbackDays: null }),
        t.window[0],
        t.window[1],
        now,
        now,
        now,
      );
      for (let v = 0; v < t.visits; v++) {
        let o = pick(OBJECTS);
        while (used.has(o)) o = pick(OBJECTS);
        used.add(o);
        const team: string[] = [];
        for (const [code, n] of t.slots) {
          const pool = officers.get(code)!;
          for (let s = 0; s < n; s++) {
            let cert = pool[pick(pool.length)];
            while (team.includes(cert)) cert = pool[pick(pool.length)];
            team.push(cert);
            load.set(cert, (load.get(cert) ?? 0) + 1);
          }
        }
        const visitId = crypto.randomUUID();
        visit.run(
          visitId,
          planId,
          usccs[o],
          t.window[0],
          t.window[1],
          JSON.stringify([id]),
          JSON.stringify([...new Set(matters)]),
          JSON.stringify(team),
          t.number === 1 ? now : null,
          now,
        );
        for (const cert of team) member.run(visitId, cert);
        if (t.number === 1 && v % 5 < 3) {
          const status = STATUSES[v % 4];
          const reviewed = status === 'approved' || status === 'published' || status === 'returned';
          const compliant = v % 7 !== 0;
          result.run(
            crypto.randomUUID(),
            visitId,
            planId,
            usccs[o],
            status,
            '2026-04-15',
            JSON.stringify(compliant ? ['1'] : ['A', '2', 'D']),
            JSON.stringify(compliant ? ['无需后续处置'] : ['责令改正']),
            JSON.stringify(matters.map((m) => ({ matter: m, compliant }))),
            team[0],
            now,
            team[0],
            now,
            reviewed ? 'bench-reviewer' : null,
            reviewed ? now : null,
            status === 'published' ? 'bench-reviewer' : null,
            status === 'published' ? now : null,
          );
        }
      }
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();

  // The benchmarked inspector: the SCJG officer whose count is closest to 80 (first on a tie).
  const counts = [...officers.values()].flat().map((c) => load.get(c) ?? 0).sort((a, b) => a - b);
  let certificate = '';
  let best = Infinity;
  for (const cert of officers.get('SCJG')!) {
    const d = Math.abs((load.get(cert) ?? 0) - TARGET_ASSIGNMENTS);
    if (d < best) [best, certificate] = [d, cert];
  }
  const info: DataInfo = {
    certificate,
    assignments: load.get(certificate) ?? 0,
    objects: OBJECTS,
    inspectors: INSPECTORS,
    visits: VISITS,
    perInspector: { min: counts[0], median: counts[counts.length >> 1], max: counts[counts.length - 1] },
    buildSeconds: Math.round((performance.now() - t0) / 100) / 10,
  };
  fs.writeFileSync(readyFile, JSON.stringify(info, null, 2));
  return info;
}

async function ensureData(): Promise<{ info: DataInfo; reused: boolean }> {
  if (fs.existsSync(readyFile) && fs.existsSync(file)) {
    return { info: JSON.parse(fs.readFileSync(readyFile, 'utf8')) as DataInfo, reused: true };
  }
  process.stdout.write(`生成数据 building data: ${OBJECTS.toLocaleString('en')} objects, ${INSPECTORS} inspectors, ${VISITS.toLocaleString('en')} visits → ${file}\n`);
  return { info: await buildData(), reused: false };
}

// ------------------------------------------------------------------------------ load child

interface LoadRequest {
  url: string;
  headers: Record<string, string>;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

interface LoadResult {
  requestsPerSecond: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
  childMaxRssMb: number;
}

/** The parts of autocannon's programmatic API this script uses (the package ships no types). */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
}) => Promise<AutocannonResult>;

async function loadChild(): Promise<void> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const req = JSON.parse(process.argv[process.argv.indexOf('--load-child') + 1]) as LoadRequest;
  const base = { url: req.url, connections: req.connections, headers: req.headers };
  if (req.warmupSeconds > 0) await autocannon({ ...base, duration: req.warmupSeconds });
  const r = await autocannon({ ...base, duration: req.durationSeconds });
  const out: LoadResult = {
    requestsPerSecond: r.requests.average,
    total: r.requests.total,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
    seconds: r.duration,
    childMaxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.send!(out, () => process.exit(0));
}

/** Runs one load phase (warm-up + measured) in a child process; samples this process meanwhile. */
async function runLoad(url: string, headers: Record<string, string>): Promise<LoadResult & { serverCpu: number; serverPeakRssMb: number }> {
  const request: LoadRequest = { url, headers, connections: CONNECTIONS, warmupSeconds: WARMUP_S, durationSeconds: DURATION_S };
  const child = fork(fileURLToPath(import.meta.url), ['--load-child', JSON.stringify(request)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let peakRss = 0;
  let cpuStart: NodeJS.CpuUsage | null = null;
  let tStart = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  // CPU of this process (the server) during the measured phase only.
  const cpuTimer = setTimeout(() => {
    cpuStart = process.cpuUsage();
    tStart = performance.now();
  }, WARMUP_S * 1000 + 300);
  // A hard stop in case the generator hangs: each phase must end by itself.
  const guard = setTimeout(() => child.kill('SIGKILL'), (WARMUP_S + DURATION_S + 60) * 1000);
  const result = await new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited with code ${code}`)));
  });
  clearInterval(sampler);
  clearTimeout(cpuTimer);
  clearTimeout(guard);
  const cpu = cpuStart ? process.cpuUsage(cpuStart) : { user: 0, system: 0 };
  const wall = (performance.now() - tStart) * 1000;
  return { ...result, serverCpu: cpuStart ? (cpu.user + cpu.system) / wall : NaN, serverPeakRssMb: peakRss / 1024 / 1024 };
}

// ---------------------------------------------------------------------------------- servers

function listen(handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (s: http.Server) => (s.address() as AddressInfo).port;
const close = (s: http.Server) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); });

interface AssignmentPage {
  items: { id: string; team: { certificateNo: string }[] }[];
  total: number;
  limit: number;
  offset: number;
}

/** Checks one response of the endpoint: a page of this inspector's assignments, all on its teams. */
function checkPage(body: unknown, info: DataInfo): AssignmentPage {
  const p = body as AssignmentPage;
  if (!p || !Array.isArray(p.items) || typeof p.total !== 'number') throw new Error(`GET ${PATH}: not a page of assignments: ${JSON.stringify(body).slice(0, 300)}`);
  if (p.total !== info.assignments) throw new Error(`GET ${PATH}: total ${p.total}, but the data has ${info.assignments} visits with ${info.certificate} on the team`);
  if (p.items.length !== Math.min(p.limit, p.total)) throw new Error(`GET ${PATH}: ${p.items.length} items on a page of ${p.limit} out of ${p.total}`);
  const foreign = p.items.filter((a) => !a.team.some((m) => m.certificateNo === info.certificate));
  if (foreign.length) throw new Error(`GET ${PATH}: ${foreign.length} assignments without ${info.certificate} on the team`);
  return p;
}

const SERIAL = 21;

/** Median time of one request with nothing else going on (ms). */
async function serialMedian(url: string, headers: Record<string, string>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SERIAL; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  }
  return times.sort((a, b) => a - b)[SERIAL >> 1];
}

async function ensureToken(handle: DbHandle, certificate: string): Promise<string> {
  const exists = await handle.db.selectFrom('users').select('id').where('username', '=', USERNAME).executeTakeFirst();
  if (!exists) await addUser(handle.db, { username: USERNAME, role: 'inspector', officer: certificate, password: PASSWORD });
  return (await login(handle.db, USERNAME, PASSWORD)).token;
}

// -------------------------------------------------------------------------------------- main

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d }) : '—');
/** Columns on a terminal: CJK characters take two. */
const width = (s: string) => [...s].reduce((w, c) => w + (c.charCodeAt(0) >= 0x2e80 ? 2 : 1), 0);
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

async function main(): Promise<void> {
  process.stdout.write(`API 基准测试 (benchmark, not a test): node ${process.version}, ${os.cpus().length} CPU, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const { info, reused } = await ensureData();
  process.stdout.write(
    `数据 data: ${reused ? 'reused 复用' : `built in ${info.buildSeconds} s 新建`} ${file}\n` +
      `  ${fmt(info.objects)} objects, ${fmt(info.inspectors)} inspectors, ${fmt(info.visits)} visits; assignments per inspector min/median/max ${info.perInspector.min}/${info.perInspector.median}/${info.perInspector.max}\n` +
      `  benchmarked inspector 被测执法人员 ${info.certificate}: ${info.assignments} assignments\n`,
  );

  const handle = createDb({ dialect: 'sqlite', url: file });
  await migrateToLatest(handle.db);
  const token = await ensureToken(handle, info.certificate);
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };

  const app = createApp({ handle, logger: createLogger('silent') });
  const real = await listen(app);
  const realUrl = `http://127.0.0.1:${portOf(real)}${PATH}`;

  // Verify one response before loading: 200, JSON, the inspector's assignments.
  const first = await fetch(realUrl, { headers });
  const text = await first.text();
  if (first.status !== 200) throw new Error(`GET ${PATH} answered ${first.status}: ${text.slice(0, 500)}`);
  const body = JSON.parse(text) as unknown;
  const page = checkPage(body, info);
  const anonymous = await fetch(realUrl);
  if (anonymous.status !== 401) throw new Error(`GET ${PATH} without a token answered ${anonymous.status}, expected 401`);
  const withResult = page.items.filter((a) => (a as unknown as { resultId: string | null }).resultId).length;
  process.stdout.write(
    `  verified 已验证: GET ${PATH} → 200, ${page.items.length} items (limit ${page.limit}) of total ${page.total}, ${withResult} with a result; ${fmt(Buffer.byteLength(text))} bytes; without a token → 401\n`,
  );

  // The bare handler: one express route answering the same document.
  const bareApp = express();
  bareApp.disable('x-powered-by');
  bareApp.get('/bare', (_req, res) => {
    res.json(body);
  });
  const bare = await listen(bareApp);
  const bareUrl = `http://127.0.0.1:${portOf(bare)}/bare`;
  const bareCheck = await fetch(bareUrl);
  const bareText = await bareCheck.text();
  if (bareCheck.status !== 200) throw new Error(`bare handler answered ${bareCheck.status}`);

  const realSerial = await serialMedian(realUrl, headers);
  const bareSerial = await serialMedian(bareUrl, {});

  process.stdout.write(`负载 load: autocannon, ${CONNECTIONS} connections, warm-up ${WARMUP_S} s (discarded) + ${DURATION_S} s measured, 127.0.0.1 only\n`);
  process.stdout.write(`  bare handler 裸 express …\n`);
  const b = await runLoad(bareUrl, {});
  process.stdout.write(`  ${PATH} …\n`);
  const r = await runLoad(realUrl, headers);

  await close(real);
  await close(bare);
  await handle.close();

  const ratio = r.requestsPerSecond / b.requestsPerSecond;
  const rows: string[][] = [
    ['endpoint 端点', 'conns 连接', 'req/s 吞吐', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors 错误 (timeouts 超时)', 'bytes 字节', '1-by-1 ms 单请求'],
    [`GET ${PATH}`, String(CONNECTIONS), fmt(r.requestsPerSecond), fmt(r.p50), fmt(r.p90), fmt(r.p99), fmt(r.max), fmt(r.non2xx), `${fmt(r.errors)} (${fmt(r.timeouts)})`, fmt(Buffer.byteLength(text)), fmt(realSerial, 1)],
    ['bare express 裸 handler', String(CONNECTIONS), fmt(b.requestsPerSecond), fmt(b.p50), fmt(b.p90), fmt(b.p99), fmt(b.max), fmt(b.non2xx), `${fmt(b.errors)} (${fmt(b.timeouts)})`, fmt(Buffer.byteLength(bareText)), fmt(bareSerial, 1)],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => width(row[i]))) + 2);
  process.stdout.write('\n' + rows.map((row) => row.map((c, i) => pad(c, widths[i])).join('')).join('\n') + '\n\n');
  const yes = (ok: boolean) => (ok ? 'MET 达标' : 'NOT MET 未达标');
  const okErrors = r.non2xx === 0 && r.errors === 0;
  process.stdout.write(
    [
      `ratio 吞吐比 endpoint / bare: ${(ratio * 100).toFixed(1)} %   goal 目标 ≥ ${GOAL_RATIO * 100} %   ${yes(ratio >= GOAL_RATIO)}`,
      `p99 of the endpoint 端点 p99: ${fmt(r.p99)} ms   goal 目标 < ${GOAL_P99_MS} ms at ${CONNECTIONS} connections   ${yes(r.p99 < GOAL_P99_MS)}`,
      `non-2xx / errors on the endpoint 端点非 2xx/错误: ${r.non2xx} / ${r.errors} (of which timeouts ${r.timeouts})   ${okErrors ? 'OK 0' : `NOT OK 不合格: status codes ${JSON.stringify(r.statusCodes)}${r.timeouts ? '; a request unanswered after 10 s counts as a timeout and is not in the latencies, so p99 is then a lower bound' : ''}`}`,
      `requests 请求总数: endpoint ${fmt(r.total)}, bare ${fmt(b.total)}; server CPU 服务进程 CPU during measurement: endpoint ${fmt(r.serverCpu * 100)} %, bare ${fmt(b.serverCpu * 100)} %`,
      `peak RSS 峰值内存: server process during load ${fmt(Math.max(r.serverPeakRssMb, b.serverPeakRssMb))} MB (process lifetime ${fmt(process.resourceUsage().maxRSS / 1024)} MB${reused ? '' : ', includes data generation'}); load generator ${fmt(Math.max(r.childMaxRssMb, b.childMaxRssMb))} MB`,
      `latencies are autocannon's (1 ms resolution, 2xx only); req/s is the mean of per-second samples; "1-by-1" is the median of ${SERIAL} sequential requests before the load. load average after 运行后负载: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      '',
    ].join('\n'),
  );
}

if (process.argv.includes('--load-child')) await loadChild();
else await main();
