/**
 * Benchmark (not a test; CI never runs it): how long `npm start` takes to answer GET /healthz on
 * an empty database (DEMO_DATA=0), for two checkouts alternately, 3 times each.
 *
 *   node bench/empty-start.mjs --base=/tmp/base --current=/tmp/copy
 *
 * Both checkouts need `npm ci` and, for the compiled start, a built dist/ (one `npm start` first).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
const arg = (k, d) => process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d;
const trees = { base: arg('base', '/tmp/base'), current: arg('current', process.cwd()) };
const out = {};
async function once(name, dir, port) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'es-'));
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], { cwd: dir, detached: true, stdio: 'ignore', env: { ...process.env, PORT: String(port), DEMO_DATA: '0', SCHEDULER: '0', DATABASE_URL: path.join(tmp, 'db.sqlite'), IMPORT_DIR: path.join(tmp, 'imports') } });
  for (;;) {
    try { const r = await fetch(`http://127.0.0.1:${port}/healthz`); if (r.status === 200) break; } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  const ms = performance.now() - t0;
  process.kill(-child.pid, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  try { process.kill(-child.pid, 'SIGKILL'); } catch {}
  fs.rmSync(tmp, { recursive: true, force: true });
  (out[name] ??= []).push(ms);
}
for (let i = 0; i < 3; i++) for (const [name, dir] of Object.entries(trees)) await once(name, dir, 3420 + i);
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [k, v] of Object.entries(out)) console.log(k, v.map((x) => (x / 1000).toFixed(2)).join(' '), 'median', (med(v) / 1000).toFixed(2), 's');
console.log('ratio current/base', (med(out.current) / med(out.base)).toFixed(2), 'load', os.loadavg().map((x) => x.toFixed(2)).join(' '));
