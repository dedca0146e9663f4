/**
 * The draw against vectors from the independent Python reference (test/reference/, written from
 * docs/draw-algorithm.md alone) and the reference sampler's published examples.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTickets, seedHash, ticketOf } from '../../src/domain/draw/tickets.ts';
import { deriveWorkingSeed, normalizeRandomness } from '../../src/domain/draw/seed.ts';
import { Rational } from '../../src/domain/draw/rational.ts';
import { canonicalJson } from '../../src/domain/canonicalJson.ts';
import { normalizeParams, STRATA, type DrawParams, type Stratum } from '../../src/domain/draw/params.ts';
import { cutoffBetween, roundTargets, targets } from '../../src/domain/draw/select.ts';
import { FILE_NAMES, commitmentOf, manifestOf, type CanonicalFiles } from '../../src/domain/draw/canonical.ts';
import { computeDraw } from '../../src/domain/draw/draw.ts';
import { sha256Hex } from '../../src/domain/draw/hash.ts';

const VECTORS = path.resolve(import.meta.dirname, '../vectors');
const read = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8')) as T;

describe('tickets', () => {
  const { tickets, orderings } = read<{ tickets: { seed: string; id: string; ticket: string }[]; orderings: { seed: string; ids: string[]; order: string[] }[] }>('tickets.json');

  it('include the published examples and tickets with leading zeros', () => {
    expect(tickets.some((t) => t.id === 'AB-130' && t.seed === '01382438112797316654')).toBe(true);
    expect(tickets.filter((t) => t.ticket.startsWith('0.0')).length).toBeGreaterThanOrEqual(3);
    expect(tickets.some((t) => t.ticket.startsWith('0.00'))).toBe(true);
  });

  it.each(tickets.map((t) => [t.id, t]))('ticket of %s', (_id, t) => {
    expect(ticketOf(seedHash(t.seed), t.id)).toBe(t.ticket);
  });

  it('orders ids as the reference sampler does', () => {
    for (const o of orderings) {
      const h = seedHash(o.seed);
      expect([...o.ids].sort((a, b) => compareTickets(ticketOf(h, a), ticketOf(h, b)))).toEqual(o.order);
    }
  });
});

describe('working seed', () => {
  it.each(read<{ commitment: string; randomness: string; normalised: string; workingSeed: string }[]>('seeds.json').map((s) => [JSON.stringify(s.randomness), s]))(
    'normalises %s and derives the seed',
    (_r, s) => {
      expect(normalizeRandomness(s.randomness)).toBe(s.normalised);
      expect(deriveWorkingSeed(s.commitment, s.normalised)).toBe(s.workingSeed);
    },
  );

  it('leaves nothing of white-space-only randomness', () => {
    for (const s of read<{ randomness: string }[]>('seeds_invalid.json')) expect(normalizeRandomness(s.randomness)).toBe('');
  });
});

describe('targets and rounding', () => {
  type Case = { name: string; mode: 'rates' | 'total'; rates?: Record<string, string>; total?: number; weights?: Record<string, string>; N: Record<Stratum, number>; u_digits18: Record<string, string>; expected: { x: Record<Stratum, string>; n: Record<Stratum, number> } };
  it.each(read<Case[]>('rounding.json').map((c) => [c.name, c]))('%s', (_n, c) => {
    const selection = c.mode === 'rates' ? { mode: 'rates' as const, rates: c.rates! } : { mode: 'total' as const, total: c.total!, weights: c.weights! };
    const params = { selection } as unknown as DrawParams;
    const x = targets(params, c.N);
    for (const s of STRATA) expect(x[s].toString(), `x of ${s}`).toBe(Rational.parse(c.expected.x[s] ?? '0').toString());
    expect(roundTargets(x, c.mode, c.u_digits18)).toEqual(c.expected.n);
  });
});

describe('canonical parameters', () => {
  type Case = { name: string; input: string; attempt?: number; canonical?: string; error?: string; ambiguous?: string };
  const cases = read<Case[]>('params_canonical.json');
  it.each(cases.filter((c) => c.canonical !== undefined).map((c) => [c.name, c]))('%s', (_n, c) => {
    expect(`${canonicalJson(normalizeParams(JSON.parse(c.input), c.attempt ?? 1))}\n`).toBe(c.canonical);
  });
  it.each(cases.filter((c) => c.error !== undefined && (c.attempt ?? 1) >= 1).map((c) => [c.name, c]))('rejects %s', (_n, c) => {
    expect(() => normalizeParams(JSON.parse(c.input), c.attempt ?? 1)).toThrow();
  });
});

describe('cutoffs', () => {
  it.each(read<{ last: string; next: string | null; cutoff: string; ambiguous?: string }[]>('cutoffs.json').filter((c) => !c.ambiguous).map((c) => [`${c.last} / ${c.next}`, c]))(
    '%s',
    (_n, c) => expect(cutoffBetween(c.last, c.next)).toBe(c.cutoff),
  );
});

describe('whole draws', () => {
  const dirs = fs.readdirSync(path.join(VECTORS, 'draws')).sort();
  it('cover the cases the design asks for', () => {
    expect(dirs).toEqual(expect.arrayContaining(['basic', 'joint', 'tight', 'short', 'sector', 'leading-zero', 'redraw', 'yearly-cap-dates', 'cutoff-all']));
  });

  it.each(dirs)('%s', (dir) => {
    const base = path.join(VECTORS, 'draws', dir);
    const files = Object.fromEntries(FILE_NAMES.map((n) => [n, fs.readFileSync(path.join(base, n), 'utf8')])) as CanonicalFiles;
    const randomness = fs.readFileSync(path.join(base, 'randomness.txt'), 'utf8');
    const e = JSON.parse(fs.readFileSync(path.join(base, 'expected.json'), 'utf8'));
    expect(manifestOf(files)).toBe(e.manifest);
    expect(commitmentOf(e.manifest)).toBe(e.commitment);
    expect(normalizeRandomness(randomness)).toBe(e.normalised);
    const seed = deriveWorkingSeed(e.commitment, e.normalised);
    expect(seed).toBe(e.workingSeed);
    const c = computeDraw(files, seed);
    expect(c.selection.roundingOffsets).toEqual(e.roundingOffsets);
    const strata = c.selection.strata.map((s) => ({
      stratum: s.stratum,
      candidates: s.candidates,
      excluded: s.excluded,
      N: s.eligible,
      x: s.target.toString(),
      n: s.selected,
      cutoff: s.cutoff,
    }));
    expect(strata).toEqual(e.strata.map((s: Record<string, unknown>) => ({ stratum: s.stratum, candidates: s.candidates, excluded: s.excluded, N: s.N, x: s.x, n: s.n, cutoff: s.cutoff })));
    for (const s of e.strata) if (s.N > 0) expect(c.selection.strata.find((x) => x.stratum === s.stratum)!.inclusionProbability.toString()).toBe(s.pi);
    expect(c.selection.selected.map((s) => s.uscc)).toEqual(e.selected);
    expect(c.teams.shortfalls).toEqual(e.shortfalls);
    expect(c.resultCsv).toBe(e.result_csv);
    if (e.result_csv !== null) expect(sha256Hex(c.resultCsv!)).toBe(e.result_sha256);
    expect(c.teams.repairs).toBe(e.repairs);
  });
});
