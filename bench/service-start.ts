/**
 * Benchmark (not a test; CI never runs it): how long `npm start` takes to answer GET /healthz on
 * a fresh SQLite file with the demo data, and how long a task's commit, seed, draw and void take
 * over HTTP once it does — for a baseline checkout and the current one, measured in the same run,
 * interleaved (base, current with dist/ removed, current with dist/ fresh) so that a busy shared
 * machine slows every variant alike.
 *
 *   git -C /work/main worktree add /tmp/base 036bf21 && (cd /tmp/base && npm ci)
 *   node --import tsx bench/service-start.ts --base=/tmp/base --current=/work/main --repeats=3 --rounds=3
 *
 * `--current` has its dist/ deleted before each "first start" (a checkout's first `npm start`
 * builds it): point it at a copy of the working tree if others use that tree's dist/. Each
 * start gets its own temporary folder (DATABASE_URL=<folder>/db.sqlite, IMPORT_DIR inside it),
 * DEMO_DATA and SCHEDULER at their defaults, its own PORT; the server's whole process group is
 * stopped (SIGTERM, then SIGKILL) after its rounds, and on any failure.
 *
 * A round, as demo-regulator on the demo plan's second task (a joint SCJG + XF task drawn over
 * the whole registry, ~3,000 entities): POST /tasks/{id}/void-draw (back to approved), POST
 * /tasks/{id}/commit, POST /draws/{drawId}/seed, POST /tasks/{id}/draw — wall time of each
 * request as the client sees it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const args = new Map(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--') && a.includes('='))
    .map((a) => a.slice(2).split('=') as [string, string]),
);
const BASE = path.resolve(args.get('base') ?? '/tmp/base');
const CURRENT = path.resolve(args.get('current') ?? process.cwd());
const REPEATS = Number(args.get('repeats') ?? 3);
const ROUNDS = Number(args.get('rounds') ?? 3);
const PORT_BASE = Number(args.get('port-base') ?? 3411);
const PORT_CURRENT = Number(args.get('port-current') ?? 3412);
const START_TIMEOUT_MS = Number(args.get('start-timeout') ?? 300_000);
const PASSWORD = 'demo-password-2026';

type Variant = 'base' | 'current, first start (builds dist/)' | 'current, dist/ fresh';
const OPS = ['void', 'commit', 'seed', 'draw'] as const;
type Op = (typeof OPS)[number];

interface Sample {
  variant: Variant;
  repeat: number;
  startMs: number;
  /** When the server logged each start-up step, in ms after `npm start` was launched. */
  steps: Record<string, number>;
  ops: Record<Op, number[]>;
}

/** The server being measured (stopped on Ctrl-C). */
let live: ChildProcess | null = null;

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

async function healthy(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Resolves when the process has exited (or at once if it already had). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const done = exited(child);
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, 10_000);
  await done;
  clearTimeout(timer);
  // The group may outlive npm by a moment (node under npm): make sure nothing keeps the port.
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

async function json(res: Response): Promise<any> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function timed(fn: () => Promise<Response>): Promise<{ ms: number; body: any }> {
  const t0 = performance.now();
  const res = await fn();
  const body = await json(res);
  return { ms: performance.now() - t0, body };
}

async function rounds(base: string, n: number): Promise<Record<Op, number[]>> {
  const login = await json(
    await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo-regulator', password: PASSWORD }) }),
  );
  const headers = { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' };
  const plans = await json(await fetch(`${base}/api/v1/plans`, { headers }));
  const plan = (plans.items ?? plans)[0];
  const tasks = await json(await fetch(`${base}/api/v1/plans/${plan.id}/tasks`, { headers }));
  const task = (tasks.items ?? tasks).find((t: { number: number }) => t.number === 2);
  if (!task || task.status !== 'drawn') throw new Error(`the demo plan's task 2 is not drawn: ${JSON.stringify(task)?.slice(0, 200)}`);
  const ops: Record<Op, number[]> = { void: [], commit: [], seed: [], draw: [] };
  const post = (url: string, body?: object) => fetch(`${base}${url}`, { method: 'POST', headers, body: body ? JSON.stringify(body) : undefined });
  for (let i = 0; i < n; i++) {
    const v = await timed(() => post(`/api/v1/tasks/${task.id}/void-draw`, { reason: `基准测试第 ${i + 1} 轮：重新抽取` }));
    if (v.body.status !== 'approved') throw new Error(`void-draw: ${v.body.status}`);
    const c = await timed(() => post(`/api/v1/tasks/${task.id}/commit`));
    if (c.body.status !== 'committed') throw new Error(`commit: ${c.body.status}`);
    const s = await timed(() => post(`/api/v1/draws/${c.body.drawId}/seed`, { randomness: `03 07 15 22 28 ${31 + (i % 2)} + 0${(i % 9) + 1}` }));
    const d = await timed(() => post(`/api/v1/tasks/${task.id}/draw`));
    if (d.body.status !== 'drawn') throw new Error(`draw: ${d.body.status}`);
    ops.void.push(v.ms);
    ops.commit.push(c.ms);
    ops.seed.push(s.ms);
    ops.draw.push(d.ms);
  }
  return ops;
}

async function measure(variant: Variant, repeat: number, dir: string, port: number): Promise<Sample> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-start-bench-'));
  const log = fs.openSync(path.join(tmp, 'server.log'), 'w');
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATABASE_URL: path.join(tmp, 'db.sqlite'), IMPORT_DIR: path.join(tmp, 'imports'), NODE_OPTIONS: '' };
  delete env.DEMO_DATA;
  delete env.SCHEDULER;
  delete env.WORKER_THREADS;
  const base = `http://127.0.0.1:${port}`;
  if (await healthy(base)) throw new Error(`port ${port} already answers: stop that server first`);
  const t0 = performance.now();
  const launchedAt = Date.now();
  const child = spawn('npm', ['start'], { cwd: dir, env, detached: true, stdio: ['ignore', log, log] });
  live = child;
  try {
    let startMs = 0;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${variant}: npm start exited with ${child.exitCode}; see ${path.join(tmp, 'server.log')}`);
      if (await healthy(base)) {
        startMs = performance.now() - t0;
        break;
      }
      if (performance.now() - t0 > START_TIMEOUT_MS) throw new Error(`${variant}: no answer from /healthz after ${START_TIMEOUT_MS} ms`);
      // Probe about every 25 ms (a failed connection answers at once).
      const wait = performance.now() + 25;
      while (performance.now() < wait) await nextTick();
    }
    const ops = await rounds(base, ROUNDS);
    return { variant, repeat, startMs, ops, steps: startSteps(path.join(tmp, 'server.log'), launchedAt) };
  } finally {
    await stop(child);
    live = null;
    fs.closeSync(log);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The start-up steps the server logs (same messages before and after the change). */
const STEPS: [string, RegExp][] = [
  ['built', /^已编译到 dist/],
  ['registry', /demo data loaded/],
  ['plan', /demo plan loaded/],
  ['accounts', /已创建演示账号/],
  ['results', /demo results published/],
  ['listening', /^服务已启动/],
];

function startSteps(logFile: string, launchedAt: number): Record<string, number> {
  const steps: Record<string, number> = {};
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    let msg = line;
    let at = NaN;
    try {
      const j = JSON.parse(line) as { msg?: string; time?: string };
      msg = j.msg ?? '';
      at = Date.parse(j.time ?? '');
    } catch {
      /* a plain line (npm, the build) */
    }
    for (const [name, re] of STEPS) if (re.test(msg) && !(name in steps)) steps[name] = Number.isNaN(at) ? NaN : at - launchedAt;
  }
  return steps;
}

const stepLine = (s: Sample) =>
  STEPS.filter(([n]) => n in s.steps && !Number.isNaN(s.steps[n]))
    .map(([n]) => `${n} +${(s.steps[n] / 1000).toFixed(1)}`)
    .join(', ');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

const samples: Sample[] = [];
process.on('SIGINT', () => {
  // Interrupted: stop the server being measured before leaving.
  void (live ? stop(live) : Promise.resolve()).finally(() => process.exit(130));
});

console.log(`base: ${BASE}\ncurrent: ${CURRENT}\n${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${REPEATS} repeats × ${ROUNDS} rounds\n`);
for (let r = 1; r <= REPEATS; r++) {
  const b = await measure('base', r, BASE, PORT_BASE);
  samples.push(b);
  console.log(`#${r} base                                start ${fmt(b.startMs)} [${stepLine(b)}]  ${OPS.map((o) => `${o} ${b.ops[o].map(fmt).join('/')}`).join('  ')}`);
  fs.rmSync(path.join(CURRENT, 'dist'), { recursive: true, force: true });
  const first = await measure('current, first start (builds dist/)', r, CURRENT, PORT_CURRENT);
  samples.push(first);
  console.log(`#${r} current, first start (builds dist/) start ${fmt(first.startMs)} [${stepLine(first)}]  ${OPS.map((o) => `${o} ${first.ops[o].map(fmt).join('/')}`).join('  ')}`);
  const second = await measure('current, dist/ fresh', r, CURRENT, PORT_CURRENT);
  samples.push(second);
  console.log(`#${r} current, dist/ fresh                start ${fmt(second.startMs)} [${stepLine(second)}]  ${OPS.map((o) => `${o} ${second.ops[o].map(fmt).join('/')}`).join('  ')}`);
}

const variants: Variant[] = ['base', 'current, first start (builds dist/)', 'current, dist/ fresh'];
const of = (v: Variant) => samples.filter((s) => s.variant === v);
const baseStart = median(of('base').map((s) => s.startMs));
const baseOps = Object.fromEntries(OPS.map((o) => [o, median(of('base').flatMap((s) => s.ops[o]))])) as Record<Op, number>;
console.log('\nmedians (ratio to base in brackets)');
console.log(`${'variant'.padEnd(38)}${'start'.padEnd(22)}${OPS.map((o) => o.padEnd(20)).join('')}`);
for (const v of variants) {
  const st = median(of(v).map((s) => s.startMs));
  const cells = OPS.map((o) => {
    const m = median(of(v).flatMap((s) => s.ops[o]));
    return `${fmt(m)} (×${(m / baseOps[o]).toFixed(2)})`.padEnd(20);
  });
  console.log(`${v.padEnd(38)}${`${fmt(st)} (×${(st / baseStart).toFixed(2)})`.padEnd(22)}${cells.join('')}`);
}
console.log('\nstart-up steps, median s after launch (from the server log)');
for (const v of variants) {
  const cells = STEPS.map(([n]) => {
    const xs = of(v).map((s) => s.steps[n]).filter((x) => x !== undefined && !Number.isNaN(x));
    return xs.length ? `${n} ${(median(xs) / 1000).toFixed(1)}` : '';
  }).filter(Boolean);
  console.log(`${v.padEnd(38)}${cells.join('  ')}`);
}
console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
