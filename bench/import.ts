/**
 * Benchmark (not a test): import a generated 1,000,000-object CSV and compare, in the same run,
 * with a bare better-sqlite3 prepared-insert loop over the same rows. Each side runs in its
 * own child process so its peak memory (max RSS) is its own.
 *
 *   npm run bench:import            # 1,000,000 rows
 *   npm run bench:import -- 200000  # another size
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import SQLite from 'better-sqlite3';
import { parse } from 'csv-parse';
import { withCheckCharacter, USCC_ALPHABET } from '../src/domain/uscc.ts';
import { YUZHONG_STREETS } from '../src/domain/registry.ts';
import { createDb } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { importFile } from '../src/services/imports/importFile.ts';

const self = fileURLToPath(import.meta.url);
const workDir = path.join(os.tmpdir(), 'double-random-bench');

async function generate(file: string, n: number): Promise<void> {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const rng = seedrandom('5f1c0e6a3b8d4e7f9a2b1c0d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f');
  const out = fs.createWriteStream(file);
  out.write('\uFEFF统一社会信用代码,企业名称,主体类型,行业代码,所属街道,住所,成立日期,法定代表人,登记状态,信用风险分类,分类日期,标签\n');
  const seen = new Set<string>();
  let i = 0;
  while (i < n) {
    let body = '91500103';
    for (let k = 0; k < 9; k++) body += USCC_ALPHABET[Math.floor(rng() * 31)];
    if (seen.has(body)) continue;
    seen.add(body);
    const street = YUZHONG_STREETS[Math.floor(rng() * YUZHONG_STREETS.length)];
    const r = rng();
    const grade = r < 0.3 ? 'A' : r < 0.8 ? 'B' : r < 0.92 ? 'C' : r < 0.97 ? 'D' : '';
    const line = `${withCheckCharacter(body)},重庆渝中测试${i}商贸有限公司,企业,F5211,${street},渝中区民族路${i % 500}号,20${String(10 + (i % 16)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10},张${i % 100},存续,${grade},${grade ? '2026-06-01' : ''},${i % 7 === 0 ? '食品经营' : ''}\n`;
    if (!out.write(line)) await new Promise<void>((r2) => out.once('drain', () => r2()));
    i++;
  }
  await new Promise<void>((r2) => out.end(() => r2()));
}

/**
 * Bare baseline: stream-parse the same CSV and insert with one prepared statement into the
 * same, migrated `objects` table the import writes to (so both pay for the same schema).
 */
async function bare(file: string, dbFile: string): Promise<number> {
  const handle = createDb({ dialect: 'sqlite', url: dbFile });
  await migrateToLatest(handle.db);
  await handle.close();
  const db = new SQLite(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const ins = db.prepare('INSERT INTO objects (uscc, name, entity_type, industry_code, street, address, registered_on, legal_representative, registration_status, credit_grade, graded_on, tags, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)');
  const now = new Date().toISOString();
  let n = 0;
  const start = performance.now();
  const parser = fs.createReadStream(file).pipe(parse({ bom: true, from_line: 2 }));
  let batch: string[][] = [];
  const flush = db.transaction((rows: string[][]) => {
    for (const c of rows) ins.run(c[0], c[1], 'enterprise', c[3], c[4], c[5], c[6], c[7], 'active', c[9] || null, c[10] || null, '[]', now, now);
  });
  for await (const rec of parser as AsyncIterable<string[]>) {
    batch.push(rec);
    n++;
    if (batch.length === 10000) {
      flush(batch);
      batch = [];
    }
  }
  flush(batch);
  const ms = performance.now() - start;
  db.close();
  if (n === 0) throw new Error('no rows');
  return ms;
}

async function full(file: string, dbFile: string): Promise<number> {
  const handle = createDb({ dialect: 'sqlite', url: dbFile });
  await migrateToLatest(handle.db);
  const start = performance.now();
  const r = await importFile(handle, { kind: 'objects', file, outputDir: path.dirname(dbFile) });
  const ms = performance.now() - start;
  await handle.close();
  if (!r.written || r.inserted === 0) throw new Error(`import failed: ${JSON.stringify(r.problems.slice(0, 3))}`);
  return ms;
}

async function child(mode: string, file: string, dbFile: string) {
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
  const ms = mode === 'bare' ? await bare(file, dbFile) : await full(file, dbFile);
  process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

async function main() {
  const [mode, file, dbFile] = process.argv.slice(2);
  if (mode === 'bare' || mode === 'full') return child(mode, file, dbFile);
  const n = Number(mode ?? 1_000_000);
  const csv = path.join(workDir, `objects-${n}.csv`);
  process.stdout.write(`生成 ${n} 行测试文件 ${csv} …\n`);
  await generate(csv, n);
  const run = (m: string) => {
    const r = spawnSync(process.execPath, [...process.execArgv, self, m, csv, path.join(workDir, `${m}.sqlite`)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${m} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { ms: number; maxRssMb: number };
  };
  const b = run('bare');
  const f = run('full');
  const rate = (ms: number) => Math.round(n / (ms / 1000));
  process.stdout.write(
    [
      `bare better-sqlite3 prepared insert: ${(b.ms / 1000).toFixed(1)} s, ${rate(b.ms)} rows/s, peak RSS ${b.maxRssMb.toFixed(0)} MB`,
      `double-random import objects:        ${(f.ms / 1000).toFixed(1)} s, ${rate(f.ms)} rows/s, peak RSS ${f.maxRssMb.toFixed(0)} MB`,
      `ratio (import / bare): ${(f.ms / b.ms).toFixed(2)}×   goal: ≤ 2×, peak memory < 300 MB`,
      '',
    ].join('\n'),
  );
}

await main();
