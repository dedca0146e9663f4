/**
 * Building blocks for the draw's property tests: domain objects built directly (no database),
 * fixed seeds everywhere, and small independent re-implementations (tickets, brute-force team
 * search) that the tests compare the code under test against.
 */
import crypto from 'node:crypto';
import seedrandom from 'seedrandom';
import { withCheckCharacter } from '../../src/domain/uscc.ts';
import { normalizeParams, STRATA, type DrawParams, type DrawParamsInput, type Stratum } from '../../src/domain/draw/params.ts';
import type { FrameEntity, HistoryRow } from '../../src/domain/draw/select.ts';
import type { OfficerInput } from '../../src/domain/draw/teams.ts';
import {
  buildCanonicalFiles, commitmentOf, manifestOf, type CanonicalFiles, type CommitInputs,
} from '../../src/domain/draw/canonical.ts';
import { computeDraw, type DrawComputation } from '../../src/domain/draw/draw.ts';
import { buildBundle, bundleResultOf, type DrawBundle } from '../../src/domain/draw/bundle.ts';
import { deriveWorkingSeed, normalizeRandomness } from '../../src/domain/draw/seed.ts';

export type Rng = () => number;

export function sha256(s: string): string {
  return crypto.createHash('sha256').update(s, 'utf8').digest('hex');
}

/** The working seed of the i-th run of a "many seeds" loop: sha256 hex of a counter string. */
export function workingSeedOf(i: number, label = 'seed'): string {
  return sha256(`${label}-${i}`);
}

/** A local seedrandom stream, seeded with a long hex digest (never the global Math.random). */
export function rngOf(label: string): Rng {
  return seedrandom(sha256(label));
}

export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A valid USCC (correct check character) for a counter; distinct counters give distinct codes. */
export function usccOf(n: number, area = '500103'): string {
  return withCheckCharacter(`91${area}${String(n).padStart(9, '0')}`);
}

export function certOf(department: string, n: number): string {
  return `${department}-50010320${String(n).padStart(4, '0')}`;
}

/** A frame with the given number of entities per stratum, numbered from `start`. */
export function frameOf(counts: Partial<Record<Stratum, number>>, start = 1): FrameEntity[] {
  const out: FrameEntity[] = [];
  let n = start;
  for (const s of STRATA) for (let i = 0; i < (counts[s] ?? 0); i++) out.push({ uscc: usccOf(n++), stratum: s });
  return out;
}

export const BASE_PARAMS: DrawParamsInput = {
  task: '渝中区市场监督管理局2027年度第3号抽查任务',
  year: 2027,
  window: { start: '2027-03-01', end: '2027-05-31' },
  selection: { mode: 'rates', rates: { A: '0.01', B: '0.03', C: '0.1', D: '0.3', U: '0.03' } },
  matters: ['SCJG-001', 'SW-001'],
  departments: [
    { code: 'SCJG', officersPerTeam: 2 },
    { code: 'SW', officersPerTeam: 1 },
  ],
  randomnessSource: '2027年3月1日 中国福利彩票双色球第2027023期开奖号码（红球在前，蓝球在后）',
};

/** Parameters: BASE_PARAMS with top-level keys replaced. */
export function paramsWith(overrides: Partial<DrawParamsInput> = {}): DrawParams {
  return normalizeParams({ ...structuredClone(BASE_PARAMS), ...structuredClone(overrides) });
}

export function ratesParams(rates: Partial<Record<Stratum, string>>, overrides: Partial<DrawParamsInput> = {}): DrawParams {
  return paramsWith({ selection: { mode: 'rates', rates }, ...overrides });
}

export function totalParams(total: number, weights: Partial<Record<Stratum, string>>, overrides: Partial<DrawParamsInput> = {}): DrawParams {
  return paramsWith({ selection: { mode: 'total', total, weights }, ...overrides });
}

// ------------------------------------------------------------------ independent tickets

/**
 * The consistent sampler's first-generation ticket, written again from docs §5 (digit by digit
 * from the hash integer, without the code under test): "0." + reversed decimal digits of
 * SHA-256(sha256_hex(seed) + id), padded to at least 64 digits.
 */
export function refTicket(workingSeed: string, id: string): string {
  let x = BigInt(`0x${sha256(sha256(workingSeed) + id)}`);
  const digits: string[] = [];
  while (x > 0n) {
    digits.push(String(x % 10n)); // least significant first = already reversed
    x /= 10n;
  }
  while (digits.length < 64) digits.push('0');
  return `0.${digits.join('')}`;
}

/** The reference sampler's sampler(ids, seed, take=k) without replacement: k smallest tickets. */
export function refSample(workingSeed: string, ids: string[], k: number): string[] {
  return ids
    .map((id) => ({ id, t: refTicket(workingSeed, id) }))
    .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0))
    .slice(0, k)
    .map((p) => p.id);
}

// ------------------------------------------------------------------ realistic instance

export interface Instance extends CommitInputs {}

/** Rates of the realistic instance: 60×0.05 + 60×0.15 + 40×0.3 + 20×0.6 + 20×0.2 = 40 selections. */
export const REALISTIC_RATES: Partial<Record<Stratum, string>> = { A: '0.05', B: '0.15', C: '0.3', D: '0.6', U: '0.2' };

/**
 * A realistic joint task: SCJG sends 2 officers, SW 1. ~200 candidates whose rates give ~40
 * selections, officers with varied capacities, some conflicts and some prior visits (dated long
 * enough ago that no exclusion rule applies, but naming the "last officers").
 */
export function realisticInstance(label = 'realistic', opts: { conflicts?: boolean; history?: boolean; ample?: boolean } = {}): Instance {
  const { conflicts: withConflicts = true, history: withHistory = true, ample = false } = opts;
  const rng = rngOf(label);
  const params = ratesParams(REALISTIC_RATES, { exclusions: { yearlyCap: 2, lookbackDays: 90 } });
  const frame = frameOf({ A: 60, B: 60, C: 40, D: 20, U: 20 });
  const officers: OfficerInput[] = [];
  for (let i = 1; i <= 12; i++) officers.push({ certificateNo: certOf('SCJG', i), department: 'SCJG', capacity: ample ? 100 : randInt(rng, 6, 14) });
  for (let i = 1; i <= 6; i++) officers.push({ certificateNo: certOf('SW', i), department: 'SW', capacity: ample ? 100 : randInt(rng, 8, 14) });
  const conflicts: CommitInputs['conflicts'] = [];
  const history: HistoryRow[] = [];
  if (withConflicts) {
    const seen = new Set<string>();
    while (conflicts.length < 40) {
      const o = officers[randInt(rng, 0, officers.length - 1)];
      const e = frame[randInt(rng, 0, frame.length - 1)];
      const key = `${o.certificateNo}|${e.uscc}`;
      if (seen.has(key)) continue;
      seen.add(key);
      conflicts.push({ certificateNo: o.certificateNo, uscc: e.uscc });
    }
  }
  if (withHistory) {
    // Two visits each for a quarter of the frame, both in 2025: the later one names the officers
    // who must not go again; the earlier one names others (who may).
    for (let i = 0; i < frame.length; i += 4) {
      const scjg = shuffled(officers.filter((o) => o.department === 'SCJG'), rng);
      const sw = officers.filter((o) => o.department === 'SW');
      history.push({ uscc: frame[i].uscc, date: '2025-04-10', department: 'SCJG', officers: [scjg[0].certificateNo, scjg[1].certificateNo] });
      history.push({ uscc: frame[i].uscc, date: '2025-04-10', department: 'SW', officers: [sw[randInt(rng, 0, sw.length - 1)].certificateNo] });
      history.push({ uscc: frame[i].uscc, date: '2024-06-01', department: 'SCJG', officers: [scjg[2].certificateNo] });
    }
  }
  return { params, frame, officers, conflicts, history };
}

// ------------------------------------------------------------------ bundles

export const SECRET = 'grade-salt-secret-for-tests-3f9a1c7e5b2d4068a1c3e5f7092b4d6f';
export const RANDOMNESS_TYPED = '03 07 11 19 24 31 ＋ 09';

export interface Made {
  files: CanonicalFiles;
  manifest: string;
  commitment: string;
  normalized: string;
  workingSeed: string;
  computation: DrawComputation;
  publicBundle: DrawBundle;
  fullBundle: DrawBundle;
}

export function metaOf(files: CanonicalFiles, typed: string) {
  const manifest = manifestOf(files);
  const commitment = commitmentOf(manifest);
  const normalized = normalizeRandomness(typed);
  const workingSeed = deriveWorkingSeed(commitment, normalized);
  return {
    id: 'draw-0001',
    status: 'drawn',
    committedAt: '2027-02-20T09:00:00+08:00',
    seededAt: '2027-03-01T21:40:00+08:00',
    seededBy: '张三',
    drawnAt: '2027-03-01T21:41:00+08:00',
    voided: null,
    randomnessTyped: typed,
    randomnessNormalized: normalized,
    workingSeed,
    manifest,
    commitment,
  };
}

/** Commit → seed → draw → both bundles, the honest way. */
export function makeDraw(inputs: CommitInputs, typed = RANDOMNESS_TYPED): Made {
  const files = buildCanonicalFiles(inputs, SECRET);
  return makeDrawFromFiles(files, typed);
}

export function makeDrawFromFiles(files: CanonicalFiles, typed = RANDOMNESS_TYPED): Made {
  const meta = metaOf(files, typed);
  const computation = computeDraw(files, meta.workingSeed);
  const result = bundleResultOf(computation);
  return {
    files,
    manifest: meta.manifest,
    commitment: meta.commitment,
    normalized: meta.randomnessNormalized,
    workingSeed: meta.workingSeed,
    computation,
    publicBundle: buildBundle('public', files, result, meta),
    fullBundle: buildBundle('full', files, result, meta),
  };
}

/** Data lines of a canonical CSV (without header). */
export function dataLines(csv: string): string[] {
  return csv.split('\n').slice(1, -1);
}

// ------------------------------------------------------------------ brute force for teams

export interface SmallDept {
  code: string;
  k: number;
  /** capacity per officer index */
  capacity: number[];
  /** eligible[e][o]: officer o may go to entity e (no conflict, not a last officer). */
  eligible: boolean[][];
}

/**
 * The largest number of officer-slots of one department that any assignment can fill: each
 * entity gets at most k distinct eligible officers, no officer above capacity. Exhaustive
 * search over every entity's choice of officer subset, memoised on the remaining capacities.
 */
export function bruteForceMax(d: SmallDept): number {
  const nE = d.eligible.length;
  const nO = d.capacity.length;
  const memo = new Map<string, number>();
  const subsetsOf = (e: number): number[][] => {
    const out: number[][] = [[]];
    const elig = [...Array(nO).keys()].filter((o) => d.eligible[e][o]);
    const rec = (start: number, cur: number[]) => {
      for (let i = start; i < elig.length; i++) {
        const next = [...cur, elig[i]];
        out.push(next);
        if (next.length < d.k) rec(i + 1, next);
      }
    };
    if (d.k > 0) rec(0, []);
    return out;
  };
  const subsets = [...Array(nE).keys()].map(subsetsOf);
  const best = (e: number, caps: number[]): number => {
    if (e === nE) return 0;
    const key = `${e}|${caps.join(',')}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let m = 0;
    for (const s of subsets[e]) {
      if (s.some((o) => caps[o] <= 0)) continue;
      const next = [...caps];
      for (const o of s) next[o]--;
      m = Math.max(m, s.length + best(e + 1, next));
      if (m === (nE - e) * d.k) break;
    }
    memo.set(key, m);
    return m;
  };
  return best(0, [...d.capacity]);
}

/**
 * The greedy pass of §9 alone (no repair), written from the document: per slot the eligible
 * officer not yet on the team with spare capacity and the smallest (load, officer ticket).
 * Returns how many slots it leaves empty and the officer indices it gives each entity.
 */
export function greedyOnly(d: SmallDept, officerTickets: string[]): { unfilled: number; teams: number[][] } {
  const load = d.capacity.map(() => 0);
  let unfilled = 0;
  const teams: number[][] = [];
  for (let e = 0; e < d.eligible.length; e++) {
    const team: number[] = [];
    for (let slot = 0; slot < d.k; slot++) {
      let pick = -1;
      for (let o = 0; o < d.capacity.length; o++) {
        if (!d.eligible[e][o] || team.includes(o) || load[o] >= d.capacity[o]) continue;
        if (pick < 0 || load[o] < load[pick] || (load[o] === load[pick] && officerTickets[o] < officerTickets[pick])) pick = o;
      }
      if (pick < 0) unfilled++;
      else {
        team.push(pick);
        load[pick]++;
      }
    }
    teams.push(team);
  }
  return { unfilled, teams };
}
