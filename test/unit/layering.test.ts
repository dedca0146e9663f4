/**
 * The direction of dependencies (docs/architecture.md), checked on the sources: the domain is
 * pure, services never reach into the web or HTTP adapters, and only src/db builds queries.
 * Import cycles are checked by `npm run check:cycles` (part of `npm test`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.ts';

const SRC = path.join(projectRoot, 'src');

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourcesUnder(p) : /\.(ts|mts|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** Every module a file imports (static and dynamic), resolved to a path under src/ when relative. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => (s.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), s)) : s));
}

const rel = (f: string) => path.relative(SRC, f);

function offending(folder: string, bad: (spec: string) => boolean): string[] {
  return sourcesUnder(path.join(SRC, folder)).flatMap((f) => importsOf(f).filter(bad).map((s) => `${rel(f)} → ${s}`));
}

describe('the direction of dependencies', () => {
  it('finds the imports it checks (the scan is not vacuous)', () => {
    expect(importsOf(path.join(SRC, 'services', 'plans.ts'))).toContain(path.join('db', 'repositories', 'plans.ts'));
    expect(importsOf(path.join(SRC, 'domain', 'draw', 'params.ts'))).toContain('zod');
  });

  it('src/domain is pure: no database, web framework, services or adapters', () => {
    const bad = (s: string) => /^(kysely|express|better-sqlite3|pg|node-cron)$/.test(s) || /^(db|services|http|web|cli|jobs|demo)\//.test(s);
    expect(offending('domain', bad)).toEqual([]);
  });

  it('src/services never import the web or HTTP adapters (nor the CLI, jobs or demo loaders)', () => {
    expect(offending('services', (s) => /^(http|web|cli|jobs|demo)\//.test(s))).toEqual([]);
  });

  it('only src/db builds queries', () => {
    const query = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql`/;
    const outside = sourcesUnder(SRC)
      .filter((f) => !rel(f).startsWith(`db${path.sep}`))
      .filter((f) => query.test(fs.readFileSync(f, 'utf8')))
      .map(rel);
    expect(outside).toEqual([]);
  });
});
