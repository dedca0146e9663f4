/**
 * Security issue, hole 10: how many credit grades a PUBLIC draw bundle gives away.
 *
 * tools/grade-inference.ts infers, for every frame entity, the strata consistent with all public
 * data. These tests check that the inference is sound against the auditors' full bundle (every
 * determined grade is the true one, every true grade is a candidate) on real draws run through
 * the service, and exact on tiny frames against a brute force over every grade assignment. They
 * report how many grades are determined but do not require that number to be zero: closing the
 * hole belongs to a later issue.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { DRAW_PARAMS, seedDrawRegistry } from '../helpers/drawRegistry.ts';
import { SECRET, certOf, makeDraw, randInt, ratesParams, rngOf, totalParams, usccOf } from '../helpers/drawFixtures.ts';
import * as draws from '../../src/services/draws.ts';
import { getOrCreateSetting } from '../../src/db/repositories/draws.ts';
import { parseCanonicalFiles, type CanonicalFiles } from '../../src/domain/draw/canonical.ts';
import type { DrawBundle } from '../../src/domain/draw/bundle.ts';
import { STRATA, type DrawParams, type Stratum } from '../../src/domain/draw/params.ts';
import {
  applyExclusions, cutoffBetween, roundTargets, roundingOffsets, targets, type FrameEntity, type HistoryRow,
} from '../../src/domain/draw/select.ts';
import { seedHash, ticketOf } from '../../src/domain/draw/tickets.ts';
import { verifyBundle } from '../../src/domain/draw/verify.ts';
import { inferGrades, main, type GradeInference } from '../../tools/grade-inference.ts';

/** uscc → true stratum, read from the full bundle's strata.csv. */
function truthOf(full: DrawBundle): Map<string, Stratum> {
  return new Map(parseCanonicalFiles(full.files as CanonicalFiles, { withCommitments: false }).frame.map((e) => [e.uscc, e.stratum]));
}

/** The soundness and bookkeeping assertions shared by every draw; returns the inference. */
function checkInference(pub: DrawBundle, full: DrawBundle, label: string): GradeInference {
  expect(pub.level).toBe('public');
  expect(pub.files['strata.csv']).toBeUndefined();
  expect(verifyBundle(pub)).toMatchObject({ ok: true, level: 'public' });
  expect(verifyBundle(full)).toMatchObject({ ok: true, level: 'full' });
  const truth = truthOf(full);
  const r = inferGrades(pub);

  // Every frame entity once, in frame.csv order.
  expect(r.entities.map((e) => e.uscc)).toEqual([...truth.keys()]);
  // (b) the true grade is always a candidate; (a) every determined grade is the true one.
  const outside = r.entities.filter((e) => !e.candidates.includes(truth.get(e.uscc)!)).map((e) => `${e.uscc}: ${truth.get(e.uscc)} ∉ ${e.candidates.join('')}`);
  expect(outside).toEqual([]);
  const single = r.entities.filter((e) => e.candidates.length === 1);
  const wrong = single.filter((e) => e.candidates[0] !== truth.get(e.uscc)).map((e) => `${e.uscc}: inferred ${e.candidates[0]}, is ${truth.get(e.uscc)}`);
  expect(wrong).toEqual([]);
  // (c) the summary counts exactly the entities with a single candidate.
  expect(r.summary.entities).toBe(truth.size);
  expect(r.summary.determined).toBe(single.length);
  for (const s of STRATA) expect(r.summary.byStratum[s]).toBe(single.filter((e) => e.candidates[0] === s).length);
  expect(Object.values(r.byCandidateCount).reduce((a, b) => a + b, 0)).toBe(truth.size);
  expect(r.byCandidateCount[1] ?? 0).toBe(single.length);

  // Each further constraint only narrows the candidate sets (and all stay sound).
  const tickets = inferGrades(pub, { constraints: 'tickets' });
  const counts = inferGrades(pub, { constraints: 'counts' });
  r.entities.forEach((e, i) => {
    expect(tickets.entities[i].candidates).toEqual(expect.arrayContaining(counts.entities[i].candidates));
    expect(counts.entities[i].candidates).toEqual(expect.arrayContaining(e.candidates));
  });

  const bySt = STRATA.map((s) => `${s} ${r.summary.byStratum[s]}`).join(', ');
  console.log(
    `[grade-inference ${testDialect}] ${label}: ${r.summary.determined} of ${r.summary.entities} grades determined by the public bundle (${bySt}); ` +
      `tickets only ${tickets.summary.determined}, + counts ${counts.summary.determined}, + cutoff structure ${r.summary.determined}; all ${single.length} correct`,
  );
  return r;
}

describe(`grade inference from a public bundle on ${testDialect}`, () => {
  let t: TestDb;
  const alice = { name: 'alice', now: new Date('2026-11-28T01:00:00Z') };
  const bob = { name: 'bob', now: new Date('2026-12-01T13:00:00Z') };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-grade-inference-'));

  beforeAll(async () => {
    t = await createTestDb();
    await seedDrawRegistry(t.db, { objects: 400 });
    // A fixed grade-salt secret (otherwise random per database): with the fixed registry and
    // randomness, the commitments, working seeds and so the figures are the same on every run.
    await getOrCreateSetting(t.db, 'grade-salt-secret', () => SECRET, '2026-11-01T00:00:00.000Z');
  });
  afterAll(async () => {
    fs.rmSync(tmp, { recursive: true, force: true });
    await t?.destroy();
  });

  async function drawBundles(params: object, randomness: string) {
    const d = await draws.commitDraw(t.db, params, alice);
    await draws.seedDraw(t.db, d.id, randomness, bob);
    await draws.runDraw(t.db, d.id, bob);
    return { pub: await draws.exportBundle(t.db, d.id, 'public'), full: await draws.exportBundle(t.db, d.id, 'full') };
  }

  it('per-grade rates with history exclusions: every inferred grade is correct', async () => {
    const { pub, full } = await drawBundles({ ...DRAW_PARAMS, task: 'T-grade-inference-rates' }, '03 07 15 22 28 31 ＋ 09');
    const r = checkInference(pub, full, 'rates draw');
    // The registry's history excludes some entities by the yearly cap and the look-back rule.
    expect(r.entities.some((e) => e.status === 'yearly-cap' || e.status === 'lookback')).toBe(true);
    expect(r.entities.filter((e) => e.status === 'selected')).toHaveLength(pub.selection.length);

    // The CLI prints the same figures (in Chinese) and checks them against the full bundle.
    const pubFile = path.join(tmp, 'public.json');
    const fullFile = path.join(tmp, 'full.json');
    fs.writeFileSync(pubFile, `${JSON.stringify(pub, null, 1)}\n`);
    fs.writeFileSync(fullFile, `${JSON.stringify(full, null, 1)}\n`);
    const lines: string[] = [];
    expect(main([pubFile, '--full', fullFile], (s) => lines.push(s))).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain(`候选对象共 ${r.summary.entities} 个；仅凭公开包即可唯一确定其信用等级（分层）的有 ${r.summary.determined} 个`);
    expect(text).toContain(`唯一确定的 ${r.summary.determined} 个等级中，正确 ${r.summary.determined} 个，错误 0 个`);
    expect(text).toContain('每个对象的真实等级都在其可能等级之中');
    expect(main([fullFile, '--full', pubFile], () => {})).toBe(2); // the second file must be a full bundle
  });

  it('a total spread over the grades with grade A left out: every inferred grade is correct', async () => {
    const params = {
      ...DRAW_PARAMS,
      task: 'T-grade-inference-total',
      selection: { mode: 'total', total: 45, weights: { B: '1', C: '2', D: '4', U: '1' } },
      excludeStrata: [{ stratum: 'A', reason: '信用风险低的主体无事不扰' }],
    };
    const { pub, full } = await drawBundles(params, '11 12 19 23 27 33 + 05');
    const r = checkInference(pub, full, 'total draw, A left out');
    const truth = truthOf(full);
    // Entities of the left-out stratum are never listed one by one, and A stays possible for them.
    expect(pub.excluded.some((e) => e.rule === 'stratum-excluded')).toBe(false);
    for (const e of r.entities) if (truth.get(e.uscc) === 'A') expect(e.status).toBe('not-selected');
  });
});

// ---------------------------------------------------------------------------------------------
// Exactness on tiny frames: the candidate sets equal what a brute force over all 5^n grade
// assignments finds consistent with the public data.

/**
 * The grade-dependent part of a public bundle for one assignment of strata (indices into
 * STRATA), recomputed by §6–8: per stratum the candidates, exclusions by rule, N_S, n_S and
 * cutoff; the selection; and the history-rule exclusion of each entity.
 */
function publicOutcome(params: DrawParams, usccs: string[], history: HistoryRow[], hash: string): (assign: number[]) => string {
  const tickets = usccs.map((u) => ticketOf(hash, u));
  const offsets = roundingOffsets(params.selection.mode, hash);
  const nByCounts = new Map<string, Record<Stratum, number>>();
  return (assign) => {
    const frame: FrameEntity[] = usccs.map((uscc, i) => ({ uscc, stratum: STRATA[assign[i]] }));
    const rules = applyExclusions(params, frame, history);
    const eligible: number[][] = STRATA.map(() => []);
    const candidates = STRATA.map(() => 0);
    const excluded = STRATA.map(() => ({ 'stratum-excluded': 0, 'yearly-cap': 0, lookback: 0 }));
    frame.forEach((e, i) => {
      candidates[assign[i]]++;
      const rule = rules.get(e.uscc);
      if (rule) excluded[assign[i]][rule]++;
      else eligible[assign[i]].push(i);
    });
    const N = Object.fromEntries(STRATA.map((s, k) => [s, eligible[k].length])) as Record<Stratum, number>;
    const countsKey = STRATA.map((s) => N[s]).join();
    let n = nByCounts.get(countsKey);
    if (!n) nByCounts.set(countsKey, (n = roundTargets(targets(params, N), params.selection.mode, offsets)));
    const selected: number[] = [];
    const parts = STRATA.map((s, k) => {
      const ranked = eligible[k].sort((a, b) => (tickets[a] < tickets[b] ? -1 : 1));
      const chosen = ranked.slice(0, n[s]);
      selected.push(...chosen);
      const next = ranked[n[s]];
      const cutoff = chosen.length ? cutoffBetween(tickets[chosen[chosen.length - 1]], next === undefined ? null : tickets[next]) : null;
      return `${s}:${candidates[k]}:${JSON.stringify(excluded[k])}:${N[s]}:${n[s]}:${cutoff}`;
    });
    const listed = usccs.map((u) => rules.get(u) ?? '').map((r) => (r === 'stratum-excluded' ? '' : r));
    return `${parts.join('|')}#${selected.sort((a, b) => a - b).join()}#${listed.join()}`;
  };
}

/** The same outcome read from a public bundle. */
function outcomeOfBundle(pub: DrawBundle, usccs: string[]): string {
  const parts = pub.strata.map((s) => `${s.stratum}:${s.candidates}:${JSON.stringify(s.excluded)}:${s.eligible}:${s.selected}:${s.cutoff}`);
  const selected = pub.selection.map((r) => usccs.indexOf(r.uscc)).sort((a, b) => a - b);
  const rule = new Map(pub.excluded.map((e) => [e.uscc, e.rule]));
  return `${parts.join('|')}#${selected.join()}#${usccs.map((u) => rule.get(u) ?? '').join()}`;
}

describe('grade inference is exact on tiny frames (brute force over all assignments)', () => {
  it('candidate sets equal the brute-force sets for 24 fixed instances', () => {
    const n = 6;
    let entities = 0;
    let determined = 0;
    for (let trial = 0; trial < 24; trial++) {
      const rng = rngOf(`grade-inference-brute-${trial}`);
      const leaveOutA = trial % 4 === 1;
      const rates: Partial<Record<Stratum, string>> = {};
      for (const s of STRATA) if (!(leaveOutA && s === 'A')) rates[s] = ['0.2', '0.3', '0.4', '0.5', '0.7', '1'][randInt(rng, 0, 5)];
      const overrides = {
        exclusions: { yearlyCap: 1, lookbackDays: 90 },
        ...(leaveOutA ? { excludeStrata: [{ stratum: 'A' as Stratum, reason: '无事不扰' }] } : {}),
      };
      const params = trial % 3 === 2 ? totalParams(randInt(rng, 1, 5), rates, overrides) : ratesParams(rates, overrides);
      const frame: FrameEntity[] = [];
      for (let i = 0; i < n; i++) frame.push({ uscc: usccOf(5000 + trial * 10 + i), stratum: STRATA[randInt(rng, 0, 4)] });
      // History: a visit later in the year (yearly cap 1) or one in the look-back window.
      const history: HistoryRow[] = [];
      for (const e of frame) {
        const r = rng();
        if (r < 0.15) history.push({ uscc: e.uscc, date: '2027-06-01', department: 'SCJG', officers: [] });
        else if (r < 0.3) history.push({ uscc: e.uscc, date: '2026-12-15', department: 'SCJG', officers: [] });
      }
      const officers = [
        ...[1, 2, 3].map((i) => ({ certificateNo: certOf('SCJG', i), department: 'SCJG', capacity: 100 })),
        ...[1, 2].map((i) => ({ certificateNo: certOf('SW', i), department: 'SW', capacity: 100 })),
      ];
      const made = makeDraw({ params, frame, officers, conflicts: [], history }, `brute ${trial}`);
      const usccs = frame.map((e) => e.uscc);
      // The public does not see the history: only which entities a history rule excluded. Any
      // history giving those exclusions gives the same bundle, so use the listed entities' own.
      const listed = new Set(made.publicBundle.excluded.map((e) => e.uscc));
      const outcome = publicOutcome(params, usccs, history.filter((h) => listed.has(h.uscc)), seedHash(made.workingSeed));
      const published = outcomeOfBundle(made.publicBundle, usccs);
      expect(outcome(frame.map((e) => STRATA.indexOf(e.stratum)))).toBe(published);

      const exact = usccs.map(() => new Set<Stratum>());
      const assign = new Array<number>(n).fill(0);
      for (let code = 0; code < 5 ** n; code++) {
        for (let i = 0, c = code; i < n; i++, c = Math.floor(c / 5)) assign[i] = c % 5;
        if (outcome(assign) === published) assign.forEach((a, i) => exact[i].add(STRATA[a]));
      }
      const inferred = inferGrades(made.publicBundle);
      expect(inferred.entities.map((e) => e.candidates)).toEqual(exact.map((set) => STRATA.filter((s) => set.has(s))));
      entities += n;
      determined += inferred.summary.determined;
    }
    console.log(`[grade-inference] brute force: ${determined} of ${entities} grades determined on tiny frames, candidate sets exact`);
  });
});
