/**
 * Benchmark (not a test; CI never runs it): does the worker pool matter on PostgreSQL, whose
 * driver is asynchronous? The latency of GET /healthz, probed every 10 ms, while a demo task is
 * committed, seeded and drawn over HTTP — with the long operations in the pool (as the service
 * runs them) and with the same operations run on the HTTP thread — next to the same probes on an
 * idle server, all measured in the same run.
 *
 *   node --import tsx bench/worker-latency.ts                       # PostgreSQL at TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test
 *   node --import tsx bench/worker-latency.ts --engine=sqlite       # the same on a SQLite file
 *   node --import tsx bench/worker-latency.ts --rounds=5 --repeats=2 --threads=2
 *
 * Data: a database of its own (PostgreSQL: `dr_bench_<pid>` created next to the URL's database
 * and dropped at the end; SQLite: a temporary file) with the demo data the service loads on
 * first start (Yuzhong registry, ~3,000 entities, the demo plan and accounts).
 *
 * The server runs in a child process (this file with --serve=pool|inline), so that the prober
 * and the client are never stalled by the server's own event loop: the app of createApp with
 * either a started WorkerPool (threads warmed before the measurement) or an object with the
 * pool's `run` that calls the operation of workerOps.ts on the HTTP thread — the same functions
 * the threads call, so the only difference is which thread runs them.
 *
 * A round, as demo-regulator on the demo plan's second task (a joint SCJG + XF task over the
 * whole registry): void-draw (back to approved; on the HTTP thread in both modes), commit (pool
 * operation), seed (HTTP thread in both), draw (pool operation). The prober sends GET /healthz
 * every 10 ms from the first request of the first round to the end of the last one, without
 * waiting for earlier answers (a keep-alive agent), and records each answer's latency.
 *
 * Modes run interleaved (idle, pool, inline, pool, inline…) so that load from elsewhere on a
 * shared machine falls on both.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { DatabaseConfig } from '../src/config.ts';

const args = new Map(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--') && a.includes('='))
    .map((a) => [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] as [string, string]),
);
const ENGINE = (args.get('engine') ?? 'postgres') as 'postgres' | 'sqlite';
const PG_URL = args.get('database') ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = Number(args.get('rounds') ?? 5);
const REPEATS = Number(args.get('repeats') ?? 2);
const THREADS = Number(args.get('threads') ?? 2);
const PROBE_MS = Number(args.get('probe-ms') ?? 10);
const IDLE_MS = Number(args.get('idle-ms') ?? 3000);
const LOG_LEVEL = args.get('log-level') ?? 'warn';
/** Synthetic active entities added to the demo registry (grade A, no filters: all in task 2's frame), with officers to staff them. */
const EXTRA_OBJECTS = Number(args.get('extra-objects') ?? 0);
const PASSWORD = 'demo-password-2026';

type Mode = 'pool' | 'inline';

// ------------------------------------------------------------------------ the server (child)

async function serve(mode: Mode, database: DatabaseConfig): Promise<void> {
  const { createDb } = await import('../src/db/connection.ts');
  const { createApp } = await import('../src/http/app.ts');
  const { createLogger } = await import('../src/logger.ts');
  const { WorkerPool } = await import('../src/services/workers.ts');
  const handle = createDb(database);
  let workers: InstanceType<typeof WorkerPool>;
  let pool: InstanceType<typeof WorkerPool> | null = null;
  if (mode === 'pool') {
    pool = new WorkerPool({ database, threads: THREADS }).start();
    // Every thread loaded and connected before anything is measured (as a started service's are).
    const answers = await Promise.all(Array.from({ length: THREADS * 2 }, () => pool!.run('ping')));
    if (new Set(answers.map((a) => a.threadId)).size !== THREADS) throw new Error('not every pool thread answered');
    workers = pool;
  } else {
    const { workerOps } = await import('../src/services/workerOps.ts');
    const ops = workerOps as unknown as Record<string, (h: typeof handle, ...a: unknown[]) => Promise<unknown>>;
    // The pool's interface, run on this (the HTTP) thread: the functions a pool thread would call.
    const inline = {
      run: (op: string, ...a: unknown[]) => ops[op](handle, ...a),
      runCapped: (_limits: unknown, op: string, ...a: unknown[]) => ops[op](handle, ...a),
      start: () => inline,
      close: async () => undefined,
    };
    workers = inline as unknown as InstanceType<typeof WorkerPool>;
  }
  const app = createApp({ handle, logger: createLogger(LOG_LEVEL), workers });
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send!({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stop') return;
    server.closeAllConnections();
    server.close(() => void Promise.resolve(pool?.close()).then(() => handle.close()).then(() => process.exit(0)));
  });
}

// ---------------------------------------------------------------------------- the bench (parent)

interface Probe {
  sentAt: number;
  ms: number;
  status: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function probeOnce(port: number): Promise<Probe> {
  const sentAt = performance.now();
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ sentAt, ms: performance.now() - sentAt, status: res.statusCode ?? 0 }));
    });
    req.on('error', () => resolve({ sentAt, ms: performance.now() - sentAt, status: 0 }));
  });
}

/** Probes every PROBE_MS until `stop()`; resolves with every answer once the last one is in. */
function prober(port: number): { stop: () => Promise<Probe[]> } {
  const pending: Promise<Probe>[] = [];
  const timer = setInterval(() => pending.push(probeOnce(port)), PROBE_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      return Promise.all(pending);
    },
  };
}

/** When each operation of a round ran (parent's clock), to tell which probes it overlapped. */
interface Span {
  op: 'void' | 'commit' | 'seed' | 'draw';
  start: number;
  end: number;
}

async function call(port: number, method: string, url: string, token?: string, body?: object): Promise<{ ms: number; start: number; end: number; body: any }> {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  const end = performance.now();
  return { ms: end - t0, start: t0, end, body: JSON.parse(text) };
}

interface Run {
  mode: Mode | 'idle';
  /** Probes sent while a commit, seed or draw was running (the measured window; all of them when idle). */
  probes: Probe[];
  /** Probes sent while a void-draw (the reset between rounds, on the HTTP thread in both modes) ran. */
  voidProbes: Probe[];
  ops: Record<'void' | 'commit' | 'seed' | 'draw', number[]>;
  wallMs: number;
}

function startServer(mode: Mode, database: DatabaseConfig): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), [`--serve=${mode}`, `--database-config=${JSON.stringify(database)}`, `--threads=${THREADS}`, `--log-level=${LOG_LEVEL}`], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server (${mode}) exited with ${code} before it was ready`)));
    child.once('message', (m: { type: string; port: number }) => resolve({ child, port: m.port }));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ type: 'stop' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function measure(mode: Mode, database: DatabaseConfig, withOps: boolean): Promise<Run> {
  const { child, port } = await startServer(mode, database);
  try {
    const login = await call(port, 'POST', '/api/v1/auth/login', undefined, { username: 'demo-regulator', password: PASSWORD });
    const token = login.body.token as string;
    const plans = await call(port, 'GET', '/api/v1/plans', token);
    const plan = (plans.body.items ?? plans.body)[0];
    const tasks = await call(port, 'GET', `/api/v1/plans/${plan.id}/tasks`, token);
    const task = (tasks.body.items ?? tasks.body).find((t: { number: number }) => t.number === 2);
    // Warm the HTTP path and the prober's connections.
    await Promise.all(Array.from({ length: 20 }, () => probeOnce(port)));
    const ops: Run['ops'] = { void: [], commit: [], seed: [], draw: [] };
    const spans: Span[] = [];
    const t0 = performance.now();
    const p = prober(port);
    if (!withOps) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    } else {
      for (let i = 0; i < ROUNDS; i++) {
        if (task.status !== 'approved') {
          const v = await call(port, 'POST', `/api/v1/tasks/${task.id}/void-draw`, token, { reason: `基准测试第 ${i + 1} 轮：重新抽取` });
          ops.void.push(v.ms);
          spans.push({ op: 'void', start: v.start, end: v.end });
          task.status = v.body.status;
        }
        const c = await call(port, 'POST', `/api/v1/tasks/${task.id}/commit`, token);
        const s = await call(port, 'POST', `/api/v1/draws/${c.body.drawId}/seed`, token, { randomness: `03 07 15 22 28 ${31 + (i % 2)} + 0${(i % 9) + 1}` });
        const d = await call(port, 'POST', `/api/v1/tasks/${task.id}/draw`, token);
        if (d.body.status !== 'drawn') throw new Error(`draw: ${d.body.status}`);
        task.status = d.body.status;
        ops.commit.push(c.ms);
        ops.seed.push(s.ms);
        ops.draw.push(d.ms);
        spans.push({ op: 'commit', start: c.start, end: c.end }, { op: 'seed', start: s.start, end: s.end }, { op: 'draw', start: d.start, end: d.end });
      }
    }
    const all = await p.stop();
    const during = (pr: Probe, ops: Span['op'][]) => spans.some((sp) => ops.includes(sp.op) && pr.sentAt >= sp.start && pr.sentAt <= sp.end);
    const probes = withOps ? all.filter((pr) => during(pr, ['commit', 'seed', 'draw'])) : all;
    const voidProbes = all.filter((pr) => during(pr, ['void']));
    return { mode: withOps ? mode : 'idle', probes, voidProbes, ops, wallMs: performance.now() - t0 };
  } finally {
    await stopServer(child);
  }
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function summary(probes: Probe[]) {
  const ms = probes.filter((p) => p.status === 200).map((p) => p.ms).sort((a, b) => a - b);
  return {
    n: probes.length,
    failed: probes.filter((p) => p.status !== 200).length,
    p50: quantile(ms, 0.5),
    p90: quantile(ms, 0.9),
    p99: quantile(ms, 0.99),
    max: ms[ms.length - 1],
    over50: ms.filter((x) => x > 50).length,
  };
}

/**
 * A larger registry: `n` grade-A active entities (task 2 draws 3 % of them) and enough SCJG and
 * XF officers (qualified for task 2's matters, capacity 200) to staff their visits.
 */
async function addObjects(db: import('../src/db/connection.ts').Db, n: number): Promise<void> {
  const { toJson } = await import('../src/db/json.ts');
  const { withCheckCharacter } = await import('../src/domain/uscc.ts');
  const { YUZHONG_STREETS } = await import('../src/domain/registry.ts');
  const now = new Date().toISOString();
  const rows = Array.from({ length: n }, (_, i) => ({
    uscc: withCheckCharacter(`92500103X${String(i).padStart(8, '0')}`),
    name: `基准测试个体户${i}`,
    entity_type: 'individual',
    industry_code: 'F5211',
    street: YUZHONG_STREETS[i % YUZHONG_STREETS.length],
    address: null,
    registered_on: '2015-01-01',
    legal_representative: null,
    registration_status: 'active',
    credit_grade: 'A',
    graded_on: '2026-06-30',
    sector_grade: null,
    sector_graded_on: null,
    tags: toJson<string[]>([]),
    created_at: now,
    updated_at: now,
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('objects').values(rows.slice(i, i + 500)).execute();
  const officers = (dept: string, matter: string, count: number, offset: number) =>
    Array.from({ length: count }, (_, k) => ({
      certificate_no: `5001039${String(offset + k).padStart(5, '0')}`,
      name: `基准${dept}${k}`,
      department_code: dept,
      valid_from: '2022-01-01',
      valid_to: '2030-12-31',
      qualifications: toJson([matter]),
      status: 'active',
      kind: 'officer',
      yearly_capacity: 200,
      created_at: now,
      updated_at: now,
    }));
  const staff = [...officers('SCJG', 'SCJG-01', Math.ceil(n / 100), 0), ...officers('XF', 'XF-01', Math.ceil(n / 200), 50_000)];
  for (let i = 0; i < staff.length; i += 500) await db.insertInto('inspectors').values(staff.slice(i, i + 500)).execute();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : NaN;
};
const f = (x: number) => (Number.isNaN(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

async function main(): Promise<void> {
  const { createDb } = await import('../src/db/connection.ts');
  const { migrateToLatest } = await import('../src/db/migrate.ts');
  const { loadDemoData } = await import('../src/demo/loadRegistry.ts');
  const { loadDemoPlan } = await import('../src/demo/loadPlan.ts');
  const { loadDemoUsers } = await import('../src/demo/loadUsers.ts');

  let database: DatabaseConfig;
  let drop: () => Promise<void>;
  if (ENGINE === 'postgres') {
    const name = `dr_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = `/${name}`;
    database = { dialect: 'postgres', url: u.toString() };
    drop = async () => {
      const a = new pg.Client({ connectionString: PG_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-latency-'));
    database = { dialect: 'sqlite', url: path.join(dir, 'db.sqlite') };
    drop = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  try {
    const t0 = performance.now();
    const handle = createDb(database);
    await migrateToLatest(handle.db);
    await loadDemoData(handle.db);
    await loadDemoPlan(handle.db);
    await loadDemoUsers(handle.db);
    if (EXTRA_OBJECTS > 0) await addObjects(handle.db, EXTRA_OBJECTS);
    await handle.close();
    console.log(`${ENGINE}: demo data${EXTRA_OBJECTS ? ` + ${EXTRA_OBJECTS} extra entities` : ''} loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`probe every ${PROBE_MS} ms; ${REPEATS} repeats × ${ROUNDS} rounds (void-draw, commit, seed, draw); pool of ${THREADS} threads\n`);

    const runs: Run[] = [];
    for (let r = 1; r <= REPEATS; r++) {
      for (const [mode, withOps] of [['pool', false], ['pool', true], ['inline', true]] as const) {
        const run = await measure(mode, database, withOps);
        runs.push(run);
        const s = summary(run.probes);
        const label = run.mode === 'idle' ? 'idle (no operations)' : run.mode === 'pool' ? 'operations in the pool' : 'operations on the HTTP thread';
        console.log(
          `#${r} ${label.padEnd(30)} probes ${String(s.n).padStart(4)} (failed ${s.failed})  healthz p50 ${f(s.p50)} p90 ${f(s.p90)} p99 ${f(s.p99)} max ${f(s.max)} ms, >50 ms: ${s.over50}` +
            (run.mode === 'idle' ? '' : `  | commit ${run.ops.commit.map(f).join('/')} draw ${run.ops.draw.map(f).join('/')} ms; during void-draw: max ${f(summary(run.voidProbes).max)} ms`),
        );
      }
    }

    console.log('\nall repeats together: healthz latency (ms) of the probes sent while a commit, seed or draw ran; operations: median wall time (ms)');
    for (const mode of ['idle', 'pool', 'inline'] as const) {
      const rs = runs.filter((r) => r.mode === mode);
      const s = summary(rs.flatMap((r) => r.probes));
      const label = mode === 'idle' ? 'idle (no operations)' : mode === 'pool' ? 'PostgreSQL/SQLite, in the pool' : 'on the HTTP thread';
      const ops = mode === 'idle' ? '' : `  commit ${f(median(rs.flatMap((r) => r.ops.commit)))}  seed ${f(median(rs.flatMap((r) => r.ops.seed)))}  draw ${f(median(rs.flatMap((r) => r.ops.draw)))}  void ${f(median(rs.flatMap((r) => r.ops.void)))}`;
      // One slow moment on a shared machine moves a pooled p99: the median of each repeat's own figures too.
      const per = rs.map((r) => summary(r.probes));
      const perRepeat = `  | per repeat, median: p99 ${f(median(per.map((x) => x.p99)))} max ${f(median(per.map((x) => x.max)))}`;
      console.log(`${ENGINE} ${label.replace('PostgreSQL/SQLite, ', '').padEnd(22)} n ${String(s.n).padStart(5)}  p50 ${f(s.p50).padStart(5)}  p90 ${f(s.p90).padStart(5)}  p99 ${f(s.p99).padStart(5)}  max ${f(s.max).padStart(5)}  >50 ms ${s.over50}${ops}${perRepeat}`);
      if (mode !== 'idle') {
        const v = summary(rs.flatMap((r) => r.voidProbes));
        console.log(`${''.padEnd(ENGINE.length + 1)}${'  (during void-draw)'.padEnd(22)} n ${String(v.n).padStart(5)}  p50 ${f(v.p50).padStart(5)}  p90 ${f(v.p90).padStart(5)}  p99 ${f(v.p99).padStart(5)}  max ${f(v.max).padStart(5)}  >50 ms ${v.over50}`);
      }
    }
    console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await drop();
    agent.destroy();
  }
}

const serveMode = args.get('serve') as Mode | undefined;
if (serveMode) await serve(serveMode, JSON.parse(args.get('database-config')!) as DatabaseConfig);
else await main();
