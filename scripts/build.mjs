#!/usr/bin/env node
/**
 * Builds the compiled service: `tsc -p tsconfig.build.json` (src/ and migrations/ → dist/, `.ts`
 * import specifiers rewritten to `.js`). `npm run build` always builds; `npm start` runs this
 * with --if-stale first, which builds only when a source is newer than the last build, so
 * `npm install && npm start` works on a fresh clone (dist/ is not committed) and a restart after
 * no change starts at once. A type error fails the build (and so the start): the service never
 * runs code that does not type-check.
 *
 * The build goes to a folder of its own, then replaces dist/ whole: a file deleted from the
 * sources (a migration!) never lingers in dist/, and a build that fails leaves the last good one.
 *
 * Also imported by bin/double-random.js, which runs dist/ when `distIsFresh()` and the sources
 * through tsx otherwise.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(root, 'dist');
const stampFile = path.join(distDir, '.build-stamp');
/** What the build reads: a change to any of these makes dist/ stale. */
const INPUTS = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  // A directory's own mtime changes when an entry is added, removed or renamed.
  let newest = st.mtimeMs;
  for (const name of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

/** dist/ was built, completely, after the last change to its inputs. */
export function distIsFresh() {
  let stamp;
  try {
    stamp = fs.statSync(stampFile).mtimeMs;
  } catch {
    return false;
  }
  return INPUTS.every((p) => newestMtime(path.join(root, p)) <= stamp);
}

/** Builds dist/; returns tsc's exit code (0: built). */
export function build() {
  const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const out = path.join(root, `.dist-build-${process.pid}`);
  fs.rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    fs.rmSync(out, { recursive: true, force: true });
    process.stderr.write(`编译失败 (BUILD_FAILED)：tsc 退出码 ${r.status ?? r.signal}；请修正上面列出的错误后重试\n`);
    return r.status ?? 1;
  }
  // The stamp is written before the swap, with the time the build started: a source saved
  // during the build makes the result stale.
  fs.writeFileSync(path.join(out, '.build-stamp'), '');
  const t = new Date(started);
  fs.utimesSync(path.join(out, '.build-stamp'), t, t);
  fs.rmSync(distDir, { recursive: true, force: true });
  fs.renameSync(out, distDir);
  process.stderr.write(`已编译到 dist/（${((Date.now() - started) / 1000).toFixed(1)} 秒）\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (process.argv.includes('--if-stale') && distIsFresh()) process.exit(0);
  process.exit(build());
}
