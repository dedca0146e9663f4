/**
 * Benchmark (not a test): a draw over a generated 1,000,000-object registry with 2,000
 * inspectors, next to two baselines measured in the same run on the same SQLite file:
 *   - a bare scan of the columns the draw needs;
 *   - a naive `ORDER BY random() LIMIT n` per grade (not reproducible, for reference);
 *   - the full draw: commit + seed + select + teams + write.
 *
 *   npm run bench:draw              # 1,000,000 objects
 *   npm run bench:draw -- 200000    # another size
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import SQLite from 'better-sqlite3';
import { createDb } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { USCC_ALPHABET, withCheckCharacter } from '../src/domain/uscc.ts';
import { YUZHONG_STREETS } from '../src/domain/registry.ts';
import * as draws from '../src/services/draws.ts';

const n = Number(process.argv[2] ?? 1_000_000);
const dir = path.join(os.tmpdir(), 'double-random-bench');
const file = path.join(dir, `draw-${n}.sqlite`);
const RATES = { A: '0.01', B: '0.03', C: '0.1', D: '0.3', U: '0.03' } as const;

async function build(): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const handle = createDb({ dialect: 'sqlite', url: file });
  await migrateToLatest(handle.db);
  await handle.close();
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const now = new Date().toISOString();
  const rng = seedrandom('3b9d1f7a5c2e8b4d6f0a1c3e5b7d9f2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1b3d');
  db.transaction(() => {
    for (const [code, name] of [['SCJG', '市场监管局'], ['SW', '税务局'], ['XF', '消防救援支队'], ['WJ', '卫生健康委']]) {
      db.prepare('INSERT INTO departments (code, name, created_at, updated_at) VALUES (?,?,?,?)').run(code, name, now, now);
      db.prepare("INSERT INTO matters VALUES (?,?,?,NULL,'key',NULL,'[]',NULL,?,?)").run(`${code}-01`, code, `${name}检查`, now, now);
    }
    const ins = db.prepare("INSERT INTO objects VALUES (?,?,?,?,?,?,?,?,'active',?,?,NULL,NULL,?,?,?)");
    const seen = new Set<string>();
    let i = 0;
    while (i < n) {
      let body = '91500103';
      for (let k = 0; k < 9; k++) body += USCC_ALPHABET[Math.floor(rng() * 31)];
      if (seen.has(body)) continue;
      seen.add(body);
      const r = rng();
      const grade = r < 0.3 ? 'A' : r < 0.8 ? 'B' : r < 0.92 ? 'C' : r < 0.97 ? 'D' : null;
      ins.run(withCheckCharacter(body), `企业${i}`, 'enterprise', 'F5211', YUZHONG_STREETS[i % 11], `地址${i}`, '2015-01-01', null, grade, grade ? '2026-06-30' : null, i % 9 === 0 ? '["食品经营"]' : '[]', now, now);
      i++;
    }
    const insp = db.prepare("INSERT INTO inspectors VALUES (?,?,?,'2022-01-01','2028-12-31',?,'active','officer',?,?,?)");
    for (let k = 0; k < 2000; k++) {
      const dept = k < 1200 ? 'SCJG' : k < 1600 ? 'SW' : k < 1800 ? 'XF' : 'WJ';
      insp.run(`500103${String(k).padStart(6, '0')}`, `人员${k}`, dept, JSON.stringify([`${dept}-01`]), 200, now, now);
    }
  })();
  db.close();
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
}

async function main() {
  process.stdout.write(`生成 ${n} 户、2000 名执法人员的名录：${file} …\n`);
  await build();
  const raw = new SQLite(file, { readonly: true });
  // 1. Bare scan of what the draw reads.
  const [rows, bareMs] = time(() => {
    let count = 0;
    // What the draw reads for an undirected task: the key and the credit grade, in key order.
    for (const _ of raw.prepare("SELECT uscc, credit_grade FROM objects WHERE registration_status = 'active' ORDER BY uscc").raw().iterate()) count++;
    return count;
  });
  // 2. Naive per-grade ORDER BY random() LIMIT n.
  const counts = raw.prepare('SELECT credit_grade g, count(*) n FROM objects GROUP BY credit_grade').all() as { g: string | null; n: number }[];
  const [, naiveMs] = time(() => {
    for (const c of counts) {
      const rate = Number(RATES[(c.g ?? 'U') as keyof typeof RATES]);
      const sql = c.g === null ? 'SELECT uscc FROM objects WHERE credit_grade IS NULL ORDER BY random() LIMIT ?' : 'SELECT uscc FROM objects WHERE credit_grade = ? ORDER BY random() LIMIT ?';
      const args = c.g === null ? [Math.round(c.n * rate)] : [c.g, Math.round(c.n * rate)];
      raw.prepare(sql).all(...args);
    }
  });
  raw.close();
  // 3. The full draw through the services.
  const handle = createDb({ dialect: 'sqlite', url: file });
  const actor = { name: 'bench' };
  const t0 = performance.now();
  const d = await draws.commitDraw(handle.db, {
    task: '基准测试任务',
    year: 2026,
    window: { start: '2026-12-07', end: '2026-12-25' },
    selection: { mode: 'rates', rates: RATES },
    matters: ['SCJG-01', 'SW-01'],
    departments: [{ code: 'SCJG', officersPerTeam: 2 }, { code: 'SW', officersPerTeam: 1 }],
    randomnessSource: '基准测试',
  }, actor);
  const t1 = performance.now();
  await draws.seedDraw(handle.db, d.id, '12 34 56', actor);
  const t2 = performance.now();
  const drawn = await draws.runDraw(handle.db, d.id, actor);
  const t3 = performance.now();
  await handle.close();
  const fullMs = t3 - t0;
  process.stdout.write(
    [
      `bare scan of the draw's columns:   ${(bareMs / 1000).toFixed(2)} s (${rows} rows)`,
      `naive ORDER BY random() per grade: ${(naiveMs / 1000).toFixed(2)} s (not reproducible)`,
      `full draw:                         ${(fullMs / 1000).toFixed(2)} s  (commit ${((t1 - t0) / 1000).toFixed(2)} s, seed ${((t2 - t1) / 1000).toFixed(2)} s, select+teams+write ${((t3 - t2) / 1000).toFixed(2)} s; ${drawn.selectedCount} selected)`,
      `ratio full / bare scan: ${(fullMs / bareMs).toFixed(2)}×  (goal ≤ 1.5×);  full / naive: ${(fullMs / naiveMs).toFixed(2)}×  (goal ≤ 1×)`,
      `peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      '',
    ].join('\n'),
  );
}

await main();
