/**
 * Selecting objects (docs/draw-algorithm.md §3, §6–8; draw-design.md "What must hold"):
 * canonical files independent of row order, commitment sensitive to every input, exact
 * inclusion probabilities over many seeds, stability when one entity is added or removed,
 * nesting, and the exclusion rules. Domain objects are built directly; no database.
 */
import { describe, expect, it } from 'vitest';
import { buildCanonicalFiles, commitmentOf, manifestOf, type CommitInputs } from '../../src/domain/draw/canonical.ts';
import { computeDraw } from '../../src/domain/draw/draw.ts';
import { normalizeParams, STRATA, type DrawParams, type Stratum } from '../../src/domain/draw/params.ts';
import { minusDays, selectObjects, type FrameEntity, type HistoryRow, type SelectionOutcome } from '../../src/domain/draw/select.ts';
import { deriveWorkingSeed } from '../../src/domain/draw/seed.ts';
import { seedHash } from '../../src/domain/draw/tickets.ts';
import {
  BASE_PARAMS, REALISTIC_RATES, SECRET, frameOf, paramsWith, ratesParams, realisticInstance, refSample, refTicket, rngOf, shuffled, totalParams, usccOf,
  workingSeedOf,
} from '../helpers/drawFixtures.ts';

/** Selected USCCs of one stratum, in ticket order. */
function ofStratum(out: SelectionOutcome, s: Stratum): string[] {
  return out.selected.filter((x) => x.stratum === s).map((x) => x.uscc);
}

function summary(out: SelectionOutcome, s: Stratum) {
  return out.strata.find((x) => x.stratum === s)!;
}

const commitmentOfInputs = (inputs: CommitInputs) => commitmentOf(manifestOf(buildCanonicalFiles(inputs, SECRET)));

describe('canonical files do not depend on the order of the input rows', () => {
  const base = realisticInstance('order-invariance');
  // Filters only shape the frame upstream, but they are committed in params.json.
  const filters = { entityTypes: ['individual', 'enterprise'] as ('individual' | 'enterprise')[], streets: ['解放碑', '七星岗', '大坪'], industryCodes: ['f52', 'F51', '5211'], tags: [] as string[] };

  it('gives byte-identical files, commitment and draw result for shuffled frame, officers, conflicts, history and filter lists', () => {
    const rng = rngOf('shuffle-rows-9c1e2f');
    const selection = { mode: 'rates' as const, rates: REALISTIC_RATES };
    const reference = { ...base, params: paramsWith({ selection, filters, exclusions: { yearlyCap: 2, lookbackDays: 90 } }) };
    const refFiles = buildCanonicalFiles(reference, SECRET);
    const refCommitment = commitmentOf(manifestOf(refFiles));
    const ws = deriveWorkingSeed(refCommitment, '0307111924319');
    const refDraw = computeDraw(refFiles, ws);
    expect(refDraw.resultCsv).not.toBeNull();
    expect(refDraw.selection.selected.length).toBeGreaterThan(20);

    for (let round = 0; round < 8; round++) {
      const shuffledFilters = {
        entityTypes: shuffled(filters.entityTypes, rng),
        // duplicates and case differences in industry codes normalise away too
        streets: shuffled([...filters.streets, filters.streets[round % 3]], rng),
        industryCodes: shuffled(['F52', 'f51', '5211'], rng),
        tags: [],
      };
      // Parameter keys in another order, too.
      const paramsInput = Object.fromEntries(shuffled(Object.entries({ ...structuredClone(BASE_PARAMS), selection, filters: shuffledFilters, exclusions: { lookbackDays: 90, yearlyCap: 2 } }), rng));
      const inputs: CommitInputs = {
        params: normalizeParams(paramsInput),
        frame: shuffled(base.frame, rng),
        officers: shuffled(base.officers, rng),
        conflicts: shuffled(base.conflicts, rng),
        history: shuffled(base.history, rng).map((h) => ({ ...h, officers: shuffled(h.officers, rng) })),
      };
      const files = buildCanonicalFiles(inputs, SECRET);
      expect(files).toEqual(refFiles);
      for (const name of Object.keys(refFiles) as (keyof typeof refFiles)[]) expect(Buffer.from(files[name]).equals(Buffer.from(refFiles[name]))).toBe(true);
      const commitment = commitmentOf(manifestOf(files));
      expect(commitment).toBe(refCommitment);
      const draw = computeDraw(files, deriveWorkingSeed(commitment, '0307111924319'));
      expect(draw.resultCsv).toBe(refDraw.resultCsv);
      expect(draw.resultDigest).toBe(refDraw.resultDigest);
    }
  });

  it('writes canonical CSV: header, LF after every line, data lines in byte order without duplicates', () => {
    const files = buildCanonicalFiles({ ...base, history: [...base.history, ...base.history] }, SECRET);
    for (const name of ['frame.csv', 'strata.csv', 'inspectors.csv', 'conflicts.csv', 'history.csv'] as const) {
      const content = files[name];
      expect(content.endsWith('\n')).toBe(true);
      expect(content).not.toContain('\r');
      const lines = content.split('\n').slice(1, -1);
      const sorted = [...lines].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(lines).toEqual(sorted);
      expect(new Set(lines).size).toBe(lines.length);
    }
    expect(files['frame.csv'].split('\n').length - 2).toBe(base.frame.length);
    expect(files['params.json'].endsWith('}\n')).toBe(true);
  });
});

describe('changing any single parameter or input row changes the commitment', () => {
  const base = realisticInstance('commitment-sensitivity');
  const baseParams = { ...structuredClone(BASE_PARAMS), exclusions: { yearlyCap: 2, lookbackDays: 90 } };
  const withParams = (change: (p: typeof baseParams) => void): CommitInputs => {
    const p = structuredClone(baseParams);
    change(p);
    return { ...base, params: normalizeParams(p) };
  };
  const scjg = base.officers.find((o) => o.department === 'SCJG')!;

  const variants: [string, CommitInputs][] = [
    ['base', { ...base, params: normalizeParams(baseParams) }],
    ['rate of C', withParams((p) => (p.selection = { mode: 'rates', rates: { A: '0.01', B: '0.03', C: '0.11', D: '0.3', U: '0.03' } }))],
    ['rate of U (last decimal)', withParams((p) => (p.selection = { mode: 'rates', rates: { A: '0.01', B: '0.03', C: '0.1', D: '0.3', U: '0.030001' } }))],
    ['mode total', withParams((p) => (p.selection = { mode: 'total', total: 40, weights: { A: '1', B: '1', C: '1', D: '1', U: '1' } }))],
    ['window start', withParams((p) => (p.window = { start: '2027-03-02', end: '2027-05-31' }))],
    ['window end', withParams((p) => (p.window = { start: '2027-03-01', end: '2027-05-30' }))],
    ['year', withParams((p) => (p.year = 2028))],
    ['yearlyCap', withParams((p) => (p.exclusions = { yearlyCap: 3, lookbackDays: 90 }))],
    ['lookbackDays', withParams((p) => (p.exclusions = { yearlyCap: 2, lookbackDays: 91 }))],
    ['SW officersPerTeam', withParams((p) => (p.departments = [{ code: 'SCJG', officersPerTeam: 2 }, { code: 'SW', officersPerTeam: 2 }]))],
    ['lead department', withParams((p) => (p.departments = [{ code: 'SW', officersPerTeam: 1 }, { code: 'SCJG', officersPerTeam: 2 }]))],
    ['randomnessSource', withParams((p) => (p.randomnessSource = `${p.randomnessSource}。`))],
    ['task', withParams((p) => (p.task = '渝中区市场监督管理局2027年度第4号抽查任务'))],
    ['matters', withParams((p) => (p.matters = ['SCJG-001', 'SW-002']))],
    ['stratifyBy', withParams((p) => (p.stratifyBy = 'sector'))],
    ['a street filter', withParams((p) => (p.filters = { streets: ['解放碑'] }))],
    ['excluded stratum', withParams((p) => {
      p.selection = { mode: 'rates', rates: { B: '0.03', C: '0.1', D: '0.3', U: '0.03' } };
      p.excludeStrata = [{ stratum: 'A', reason: '无事不扰：A 类不主动检查' }];
    })],
    ['one entity’s stratum', { ...base, params: normalizeParams(baseParams), frame: base.frame.map((e, i) => (i === 7 ? { ...e, stratum: e.stratum === 'B' ? 'C' : 'B' } : e)) }],
    ['one entity removed', { ...base, params: normalizeParams(baseParams), frame: base.frame.slice(1) }],
    ['one entity added', { ...base, params: normalizeParams(baseParams), frame: [...base.frame, { uscc: usccOf(99999), stratum: 'U' }] }],
    ['one officer’s capacity', { ...base, params: normalizeParams(baseParams), officers: base.officers.map((o) => (o === scjg ? { ...o, capacity: o.capacity + 1 } : o)) }],
    ['one officer removed', { ...base, params: normalizeParams(baseParams), officers: base.officers.filter((o) => o !== scjg) }],
    ['one conflict removed', { ...base, params: normalizeParams(baseParams), conflicts: base.conflicts.slice(1) }],
    ['one conflict’s entity', { ...base, params: normalizeParams(baseParams), conflicts: base.conflicts.map((c, i) => (i === 0 ? { ...c, uscc: base.frame.find((e) => e.uscc !== c.uscc && !base.conflicts.some((d) => d.certificateNo === c.certificateNo && d.uscc === e.uscc))!.uscc } : c)) }],
    ['one history date', { ...base, params: normalizeParams(baseParams), history: base.history.map((h, i) => (i === 0 ? { ...h, date: '2025-04-11' } : h)) }],
    ['one history officer', { ...base, params: normalizeParams(baseParams), history: base.history.map((h, i) => (i === 0 ? { ...h, officers: h.officers.slice(1) } : h)) }],
    ['one history line added', { ...base, params: normalizeParams(baseParams), history: [...base.history, { uscc: base.frame[3].uscc, date: '2023-02-02', department: 'SCJG', officers: [] }] }],
  ];

  it('gives every variant its own commitment', () => {
    const commitments = variants.map(([name, inputs]) => [name, commitmentOfInputs(inputs)] as const);
    const baseCommitment = commitments[0][1];
    for (const [name, c] of commitments.slice(1)) expect(c, name).not.toBe(baseCommitment);
    expect(new Set(commitments.map(([, c]) => c)).size).toBe(variants.length);
  });
});

// ----------------------------------------------------------------------------- frequencies

const T = 10_000;
/**
 * Threshold for max |z| over ~140 entities: under the null each z is ≈ N(0,1), P(|z| > 4.5) ≈
 * 6.8e-6, so the chance that any of 140 exceeds it is ≈ 1e-3 (Bonferroni). A real bias such as
 * weighted sampling's 0.400 instead of 0.427 gives z ≈ 5.5 at T = 10,000.
 */
const Z_MAX = 4.5;

interface Tally {
  perEntity: Map<string, number>;
  perStratum: Record<Stratum, number[]>;
  totals: number[];
}

function tally(params: DrawParams, frame: FrameEntity[], label: string): Tally {
  const perEntity = new Map(frame.map((e) => [e.uscc, 0]));
  const perStratum = Object.fromEntries(STRATA.map((s) => [s, [] as number[]])) as Record<Stratum, number[]>;
  const totals: number[] = [];
  let summaryMismatches = 0;
  for (let i = 0; i < T; i++) {
    const out = selectObjects(params, frame, [], seedHash(workingSeedOf(i, label)));
    for (const s of out.selected) perEntity.set(s.uscc, perEntity.get(s.uscc)! + 1);
    const counts = Object.fromEntries(STRATA.map((s) => [s, 0])) as Record<Stratum, number>;
    for (const s of out.selected) counts[s.stratum]++;
    for (const s of STRATA) {
      // the summary's n_S is the number actually selected in the stratum
      if (summary(out, s).selected !== counts[s]) summaryMismatches++;
      perStratum[s].push(counts[s]);
    }
    totals.push(out.selected.length);
  }
  expect(summaryMismatches).toBe(0);
  return { perEntity, perStratum, totals };
}

/** Checks each entity's count against Binomial(T, π) and each n_S against {⌊x⌋, ⌈x⌉} with mean x. */
function checkTally(t: Tally, frame: FrameEntity[], pi: Record<Stratum, number>, x: Record<Stratum, number>) {
  let maxZ = 0;
  for (const e of frame) {
    const p = pi[e.stratum];
    const c = t.perEntity.get(e.uscc)!;
    if (p === 1 || p === 0) {
      expect(c, `${e.uscc} (${e.stratum}) has probability ${p}`).toBe(p * T);
      continue;
    }
    const z = (c - T * p) / Math.sqrt(T * p * (1 - p));
    maxZ = Math.max(maxZ, Math.abs(z));
  }
  expect(maxZ).toBeLessThan(Z_MAX);
  for (const s of STRATA) {
    const lo = Math.floor(x[s]);
    const f = x[s] - lo;
    const values = new Set(t.perStratum[s]);
    if (f === 0) {
      expect([...values], `n_${s}`).toEqual([lo]);
      continue;
    }
    for (const v of values) expect([lo, lo + 1], `n_${s}`).toContain(v);
    const mean = t.perStratum[s].reduce((a, b) => a + b, 0) / T;
    const se = Math.sqrt((f * (1 - f)) / T);
    expect(Math.abs(mean - x[s]) / se, `mean n_${s} = ${mean}, x = ${x[s]}`).toBeLessThan(Z_MAX);
  }
  return maxZ;
}

// 10,000 draws per test: CPU-bound, and the machine is shared, so these get a longer limit than the
// default minute (a limit against a hang, not a speed requirement: nothing here asserts on time).
describe('every entity is drawn with its published probability (10,000 seeds)', { timeout: 300_000 }, () => {
  it('mode rates: π = rate in every stratum, n_S ∈ {⌊x_S⌋, ⌈x_S⌉} with mean x_S', () => {
    // Hand-computed targets: A 30×0.01 = 0.3, B 40×0.03 = 1.2, C 35×0.123457 = 4.320995,
    // D 20×0.3 = 6 (whole), U 15×0.05 = 0.75.
    const frame = frameOf({ A: 30, B: 40, C: 35, D: 20, U: 15 });
    const params = ratesParams({ A: '0.01', B: '0.03', C: '0.123457', D: '0.3', U: '0.05' });
    const pi = { A: 0.01, B: 0.03, C: 0.123457, D: 0.3, U: 0.05 };
    const x = { A: 0.3, B: 1.2, C: 4.320995, D: 6, U: 0.75 };
    const once = selectObjects(params, frame, [], seedHash(workingSeedOf(0, 'rates-freq')));
    expect(Object.fromEntries(once.strata.map((s) => [s.stratum, s.target.toString()]))).toEqual({ A: '3/10', B: '6/5', C: '864199/200000', D: '6', U: '3/4' });
    expect(Object.fromEntries(once.strata.map((s) => [s.stratum, s.inclusionProbability.toString()]))).toEqual({ A: '1/100', B: '3/100', C: '123457/1000000', D: '3/10', U: '1/20' });

    const t = tally(params, frame, 'rates-freq');
    checkTally(t, frame, pi, x);
  });

  it('mode total with a capped stratum: Σ n_S = total every time, π_S = x_S / N_S', () => {
    // total 30 over A 40×w1, B 40×w2, C 30×w4, D 10×w20, U 20×w1 (Σ N·w = 460). D's share
    // 30·200/460 ≈ 13 exceeds its 10 entities, so D is capped at 10 and the other 20 are spread
    // over Σ N·w = 260: x = A 40/13, B 80/13, C 120/13, U 20/13; π = 1/13, 2/13, 4/13, 1, 1/13.
    const frame = frameOf({ A: 40, B: 40, C: 30, D: 10, U: 20 });
    const params = totalParams(30, { A: '1', B: '2', C: '4', D: '20', U: '1' });
    const pi = { A: 1 / 13, B: 2 / 13, C: 4 / 13, D: 1, U: 1 / 13 };
    const x = { A: 40 / 13, B: 80 / 13, C: 120 / 13, D: 10, U: 20 / 13 };
    const once = selectObjects(params, frame, [], seedHash(workingSeedOf(0, 'total-freq')));
    expect(Object.fromEntries(once.strata.map((s) => [s.stratum, s.target.toString()]))).toEqual({ A: '40/13', B: '80/13', C: '120/13', D: '10', U: '20/13' });
    expect(Object.fromEntries(once.strata.map((s) => [s.stratum, s.inclusionProbability.toString()]))).toEqual({ A: '1/13', B: '2/13', C: '4/13', D: '1', U: '1/13' });

    const t = tally(params, frame, 'total-freq');
    expect(new Set(t.totals)).toEqual(new Set([30]));
    checkTally(t, frame, pi, x);
  });

  it('mode total asking for more than the frame holds selects everyone', () => {
    const frame = frameOf({ B: 3, C: 4 });
    const params = totalParams(50, { B: '1', C: '3' });
    for (let i = 0; i < 20; i++) {
      const out = selectObjects(params, frame, [], seedHash(workingSeedOf(i, 'total-all')));
      expect(out.selected.map((s) => s.uscc).sort()).toEqual(frame.map((e) => e.uscc).sort());
    }
  });
});

// ----------------------------------------------------------------------------- stability

describe('adding or removing one entity (mode rates)', { timeout: 300_000 }, () => {
  const frame = frameOf({ A: 30, B: 40, C: 35, D: 20, U: 15 });
  const params = ratesParams({ A: '0.01', B: '0.03', C: '0.123457', D: '0.3', U: '0.05' });
  const SEEDS = 300;

  it('adding one entity changes at most one selection in and one out, only in its own stratum', () => {
    let changed = 0;
    let newcomerSelected = 0;
    for (const s of STRATA) {
      const added: FrameEntity = { uscc: usccOf(900_000 + STRATA.indexOf(s)), stratum: s };
      const bigger = [...frame.slice(0, 50), added, ...frame.slice(50)];
      for (let i = 0; i < SEEDS; i++) {
        const h = seedHash(workingSeedOf(i, 'add-one'));
        const before = selectObjects(params, frame, [], h);
        const after = selectObjects(params, bigger, [], h);
        for (const other of STRATA.filter((o) => o !== s)) expect(ofStratum(after, other)).toEqual(ofStratum(before, other));
        const oldList = ofStratum(before, s);
        const b = new Set(oldList);
        const a = new Set(ofStratum(after, s));
        const gained = [...a].filter((u) => !b.has(u));
        const lost = [...b].filter((u) => !a.has(u));
        expect(gained.length).toBeLessThanOrEqual(1);
        expect(lost.length).toBeLessThanOrEqual(1);
        // n_S grows by at most one (x_S grows by the rate); only the old last can drop out
        const nBefore = summary(before, s).selected;
        expect([nBefore, nBefore + 1]).toContain(summary(after, s).selected);
        if (lost.length) expect(lost).toEqual([oldList.at(-1)]);
        // an entity already there that was not selected can only come in when n_S grows
        if (gained.length && gained[0] !== added.uscc) expect(summary(after, s).selected).toBe(nBefore + 1);
        if (gained.length || lost.length) changed++;
        if (a.has(added.uscc)) newcomerSelected++;
      }
    }
    // not vacuous: the newcomer does get drawn, and selections do move
    expect(newcomerSelected).toBeGreaterThan(20);
    expect(changed).toBeGreaterThan(20);
  });

  it('removing an unselected entity changes nothing, or drops only its stratum’s last selection when n_S falls', () => {
    const rng = rngOf('remove-unselected-7d3b');
    let unchanged = 0;
    let shrunk = 0;
    for (const s of STRATA) {
      for (let i = 0; i < SEEDS; i++) {
        const h = seedHash(workingSeedOf(i, 'remove-one'));
        const before = selectObjects(params, frame, [], h);
        const chosen = new Set(before.selected.map((x) => x.uscc));
        const candidates = frame.filter((e) => e.stratum === s && !chosen.has(e.uscc));
        const victim = candidates[Math.floor(rng() * candidates.length)];
        const after = selectObjects(params, frame.filter((e) => e !== victim), [], h);
        for (const other of STRATA.filter((o) => o !== s)) expect(ofStratum(after, other)).toEqual(ofStratum(before, other));
        const b = ofStratum(before, s);
        const a = ofStratum(after, s);
        if (summary(after, s).selected === summary(before, s).selected) {
          expect(a).toEqual(b);
          unchanged++;
        } else {
          expect(summary(after, s).selected).toBe(summary(before, s).selected - 1);
          expect(a).toEqual(b.slice(0, -1));
          shrunk++;
        }
      }
    }
    expect(unchanged).toBeGreaterThan(100);
    expect(shrunk).toBeGreaterThan(10);
  });

  it('with a fixed n (mode total, one stratum) removing an unselected entity changes nothing at all', () => {
    const rng = rngOf('remove-fixed-n-41af');
    const one = frameOf({ C: 60 });
    const p = totalParams(12, { C: '1' });
    for (let i = 0; i < SEEDS; i++) {
      const h = seedHash(workingSeedOf(i, 'remove-fixed'));
      const before = selectObjects(p, one, [], h);
      expect(before.selected).toHaveLength(12);
      const chosen = new Set(before.selected.map((x) => x.uscc));
      const unselected = one.filter((e) => !chosen.has(e.uscc));
      const victim = unselected[Math.floor(rng() * unselected.length)];
      const after = selectObjects(p, one.filter((e) => e !== victim), [], h);
      expect(after.selected).toEqual(before.selected);
    }
  });
});

describe('nesting and the reference sampler', () => {
  const frame = frameOf({ A: 25, B: 30, C: 40, D: 15, U: 10 });
  const otherRates = { A: '0.02', B: '0.05', D: '0.4', U: '0.1' };
  const cRates = ['0.01', '0.05', '0.1', '0.123457', '0.2', '0.5', '0.9', '1'];

  it('raising a stratum’s rate only appends to its selection, and each selection is the first n_S by full ticket', () => {
    const cIds = frame.filter((e) => e.stratum === 'C').map((e) => e.uscc);
    let grew = 0;
    for (let i = 0; i < 200; i++) {
      const ws = workingSeedOf(i, 'nesting');
      const h = seedHash(ws);
      // the reference sampler's order of the whole stratum, from tickets computed independently
      const refOrder = refSample(ws, cIds, cIds.length);
      let prev: string[] = [];
      let prevOthers: Record<string, string[]> | null = null;
      for (const r of cRates) {
        const out = selectObjects(ratesParams({ ...otherRates, C: r }), frame, [], h);
        const c = ofStratum(out, 'C');
        const nC = summary(out, 'C').selected;
        const x = Number(r) * 40;
        expect([Math.floor(x), Math.ceil(x)]).toContain(nC);
        expect(c).toEqual(refOrder.slice(0, nC));
        expect(c.slice(0, prev.length)).toEqual(prev);
        if (r === '1') expect(summary(out, 'C').cutoff).toBe('1');
        if (c.length > prev.length) grew++;
        prev = c;
        const others = Object.fromEntries(['A', 'B', 'D', 'U'].map((s) => [s, ofStratum(out, s as Stratum)]));
        if (prevOthers) expect(others).toEqual(prevOthers);
        prevOthers = others;
      }
      expect(prev).toHaveLength(40); // rate 1 takes the whole stratum
    }
    expect(grew).toBeGreaterThan(1000);
  });

  it('every stratum’s selection equals sampler(ids, seed, take=n_S); tickets and visit order match the reference', () => {
    const params = ratesParams({ A: '0.1', B: '0.2', C: '0.3', D: '0.5', U: '0.25' });
    for (let i = 0; i < 100; i++) {
      const ws = workingSeedOf(i, 'reference-sampler');
      const out = selectObjects(params, frame, [], seedHash(ws));
      for (const s of STRATA) {
        const ids = frame.filter((e) => e.stratum === s).map((e) => e.uscc);
        const n = summary(out, s).selected;
        expect(ofStratum(out, s)).toEqual(refSample(ws, ids, n));
        // §8: an eligible entity of S is selected if and only if its ticket ≤ the cutoff
        const cutoff = summary(out, s).cutoff;
        if (n === 0) expect(cutoff).toBeNull();
        else {
          const chosen = new Set(refSample(ws, ids, n));
          for (const id of ids) expect(refTicket(ws, id) <= cutoff!, `${id} in ${s}`).toBe(chosen.has(id));
          const ordered = refSample(ws, ids, ids.length).map((id) => refTicket(ws, id));
          if (n === ids.length) expect(cutoff).toBe('1');
          else {
            // a value between the last selected and the first unselected ticket, the shortest such
            // decimal, and never an entity's own ticket (it would point at that entity)
            const last = ordered[n - 1];
            const next = ordered[n];
            expect(last <= cutoff! && cutoff! < next).toBe(true);
            expect(cutoff!.slice(0, -1) < last).toBe(true);
            expect(ordered).not.toContain(cutoff);
          }
        }
      }
      for (const sel of out.selected) expect(sel.ticket).toBe(refTicket(ws, sel.uscc));
      const tickets = out.selected.map((x) => x.ticket);
      expect(tickets).toEqual([...tickets].sort());
    }
  });
});

// ----------------------------------------------------------------------------- exclusions

describe('exclusion rules', () => {
  // year 2027, window from 2027-03-01, lookback 30 days → inspections on/after 2027-01-30 count.
  const params = ratesParams(
    { C: '1', D: '0.5' },
    { excludeStrata: [{ stratum: 'A', reason: '无事不扰：A 类主体不主动抽查' }], exclusions: { yearlyCap: 2, lookbackDays: 30 } },
  );
  const u = (n: number) => usccOf(70_000 + n);
  const frame: FrameEntity[] = [
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => ({ uscc: u(n), stratum: 'C' as Stratum })),
    { uscc: u(20), stratum: 'A' },
    { uscc: u(21), stratum: 'A' },
    ...[30, 31, 32, 33, 34, 35, 36, 37, 38, 39].map((n) => ({ uscc: u(n), stratum: 'D' as Stratum })),
  ];
  const line = (n: number, date: string, department = 'SCJG'): HistoryRow => ({ uscc: u(n), date, department, officers: [] });
  const history: HistoryRow[] = [
    line(1, '2027-01-05'), line(1, '2027-01-10'), // 2 in 2027, none recent → yearly-cap
    line(2, '2027-01-05'), line(2, '2027-02-15'), // 2 in 2027 and recent → yearly-cap (first rule wins)
    line(3, '2027-01-10'), // one in 2027, not recent → eligible
    line(4, '2027-01-30'), // first day of the look-back → lookback
    line(5, '2027-01-29'), // the day before → eligible
    line(6, '2026-11-01'), line(6, '2026-12-01'), // two, but in 2026 → eligible
    line(7, '2026-12-31'), line(7, '2027-01-02'), // only one in 2027 → eligible
    line(8, '2027-03-01', 'draw:1a2b3c4d'), // a draw for the same period (dated on the window's first day): merged, not excluded → eligible
    // 9 and 10: no history → eligible
    line(11, '2027-01-05'), line(11, '2027-01-05', 'SW'), // one joint visit recorded by two departments: one visit day → eligible
    line(20, '2027-01-01'), line(20, '2027-01-02'), line(20, '2027-02-20'), // stratum A: excluded as a stratum first
    line(30, '2027-02-01'), line(31, '2027-02-27', 'SW'), line(32, '2027-01-01'), line(32, '2027-01-03'), line(33, '2027-01-30'),
    line(34, '2026-09-01'), // D: 30, 31, 33 lookback, 32 yearly-cap; 34–39 eligible
    { uscc: usccOf(123_456), date: '2027-02-20', department: 'SCJG', officers: [] }, // not in the frame: ignored
  ];
  const expected = new Map<string, string>([
    [u(1), 'yearly-cap'], [u(2), 'yearly-cap'], [u(4), 'lookback'],
    [u(20), 'stratum-excluded'], [u(21), 'stratum-excluded'],
    [u(30), 'lookback'], [u(31), 'lookback'], [u(32), 'yearly-cap'], [u(33), 'lookback'],
  ]);

  it('computes the look-back start by calendar days', () => {
    expect(minusDays('2027-03-01', 30)).toBe('2027-01-30');
    expect(minusDays('2027-03-01', 180)).toBe('2026-09-02');
    expect(minusDays('2028-03-01', 1)).toBe('2028-02-29');
  });

  it('excludes exactly the entities the rules name, before the rates apply', () => {
    for (let i = 0; i < 50; i++) {
      const out = selectObjects(params, shuffled(frame, rngOf(`excl-${i}`)), shuffled(history, rngOf(`excl-h-${i}`)), seedHash(workingSeedOf(i, 'exclusions')));
      expect(new Map(out.excluded.map((e) => [e.uscc, e.rule]))).toEqual(expected);
      const c = summary(out, 'C');
      expect(c.candidates).toBe(11);
      expect(c.excluded).toEqual({ 'stratum-excluded': 0, 'yearly-cap': 2, lookback: 1 });
      expect(c.eligible).toBe(8);
      // rate 1 on the 8 eligible: exactly them
      expect(ofStratum(out, 'C').sort()).toEqual([3, 5, 6, 7, 8, 9, 10, 11].map(u).sort());
      const d = summary(out, 'D');
      expect(d.excluded).toEqual({ 'stratum-excluded': 0, 'yearly-cap': 1, lookback: 3 });
      expect(d.eligible).toBe(6);
      expect(d.target.toString()).toBe('3'); // 0.5 × 6 eligible, not 0.5 × 10 candidates
      expect(d.inclusionProbability.toString()).toBe('1/2');
      expect(ofStratum(out, 'D')).toHaveLength(3);
      for (const x of out.selected) expect(expected.has(x.uscc)).toBe(false);
      const a = summary(out, 'A');
      expect(a.excluded['stratum-excluded']).toBe(2);
      expect(a.eligible).toBe(0);
      expect(a.inclusionProbability.toString()).toBe('0');
    }
  });

  it('an excluded stratum needs a reason, and a rate of 0 is refused', () => {
    const rates = { B: '0.03', C: '0.1' };
    expect(() => normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates: { ...rates, A: '0' } } })).toThrow();
    expect(() => normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates: { ...rates, A: 0 } } })).toThrow();
    expect(() => normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates: { ...rates, A: '0.000' } } })).toThrow();
    expect(() => normalizeParams({ ...BASE_PARAMS, selection: { mode: 'total', total: 10, weights: { ...rates, A: '0' } } })).toThrow();
    expect(() => normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates }, excludeStrata: [{ stratum: 'A' }] })).toThrow();
    expect(() => normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates }, excludeStrata: [{ stratum: 'A', reason: '' }] })).toThrow();
    expect(() => normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates }, excludeStrata: [{ stratum: 'A', reason: '   ' }] })).toThrow();
    // a stratum cannot be both excluded and given a rate, nor excluded twice
    expect(() => normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates: { ...rates, A: '0.01' } }, excludeStrata: [{ stratum: 'A', reason: '无事不扰' }] })).toThrow();
    expect(() =>
      normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates }, excludeStrata: [{ stratum: 'A', reason: '无事不扰' }, { stratum: 'A', reason: '无事不扰' }] }),
    ).toThrow();
    // rates above 1 and more than 6 decimals are refused
    expect(() => normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates: { C: '1.5' } } })).toThrow();
    expect(() => normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates: { C: '0.1234567' } } })).toThrow();
    // with a reason it is accepted, and the reason is committed
    const ok = normalizeParams({ ...BASE_PARAMS, selection: { mode: 'rates', rates }, excludeStrata: [{ stratum: 'A', reason: '无事不扰' }] });
    expect(ok.excludeStrata).toEqual([{ stratum: 'A', reason: '无事不扰' }]);
    expect(buildCanonicalFiles({ params: ok, frame: [], officers: [], conflicts: [], history: [] }, SECRET)['params.json']).toContain('无事不扰');
  });
});
