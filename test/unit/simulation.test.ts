/**
 * Plan simulation (src/domain/simulation.ts): exact inclusion probabilities of single and
 * independent tasks against the draw's own targets and hand-computed values, Monte Carlo for
 * tasks coupled by exclusion rules against values derived by hand, reproducibility for a fixed
 * seed, officer load and capacity warnings, and grades left out everywhere. Fixed seeds only.
 */
import { describe, expect, it } from 'vitest';
import { STRATA, type DrawParams, type Stratum } from '../../src/domain/draw/params.ts';
import { Rational } from '../../src/domain/draw/rational.ts';
import { applyExclusions, selectObjects, targets, type FrameEntity, type HistoryRow } from '../../src/domain/draw/select.ts';
import type { OfficerInput } from '../../src/domain/draw/teams.ts';
import { seedHash } from '../../src/domain/draw/tickets.ts';
import { simulatePlan, type SimTask, type SimulationResult } from '../../src/domain/simulation.ts';
import { REALISTIC_RATES, certOf, frameOf, ratesParams, sha256, totalParams, workingSeedOf } from '../helpers/drawFixtures.ts';

const SEED = sha256('simulation test seed 1');
const OTHER_SEED = sha256('simulation test seed 2');

function officers(counts: Record<string, number>, capacity = 100): OfficerInput[] {
  return Object.entries(counts).flatMap(([department, n]) =>
    Array.from({ length: n }, (_, i) => ({ certificateNo: certOf(department, i + 1), department, capacity })),
  );
}

const AMPLE = officers({ SCJG: 10, SW: 10 }, 1000);

function task(id: string, params: DrawParams, frame: FrameEntity[], staff: OfficerInput[] = AMPLE): SimTask {
  return { id, params, frame, officers: staff };
}

const window = (start: string, end: string) => ({ window: { start, end } });
const Q1 = window('2027-03-01', '2027-05-31');
const Q3 = window('2027-07-01', '2027-09-30');

function entity(r: SimulationResult, uscc: string) {
  return r.entities.find((e) => e.uscc === uscc)!;
}

function codes(r: SimulationResult): string[] {
  return r.warnings.map((w) => w.code);
}

describe('a single task: every entity has exactly its stratum’s inclusion probability', () => {
  it('matches the draw’s own x_S / N_S for every entity, and the hand-computed 0.05 over 40 = 1/20', () => {
    const frame = frameOf({ A: 40, B: 60, C: 30, D: 10, U: 20 });
    const params = ratesParams(REALISTIC_RATES, Q1);
    const r = simulatePlan({ year: 2027, tasks: [task('T1', params, frame)], history: [] });
    expect(r.method).toBe('exact');

    // Through the draw: selectObjects publishes π_S (any seed: it does not depend on it).
    const drawn = selectObjects(params, frame, [], seedHash(workingSeedOf(0, 'sim-single')));
    const piOf = new Map(drawn.strata.map((s) => [s.stratum, s.inclusionProbability.toString()]));
    for (const e of frame) {
      const got = entity(r, e.uscc);
      expect(got.exact).toBe(piOf.get(e.stratum));
      expect(got.expectedExact).toBe(piOf.get(e.stratum));
      expect(got.probability).toBeCloseTo(Number(REALISTIC_RATES[e.stratum]), 12);
    }
    // By hand: rate 0.05 over 40 A entities → x_A = 2, π_A = 1/20.
    const a = r.perTask[0].strata.find((s) => s.stratum === 'A')!;
    expect(a).toMatchObject({ candidates: 40, eligible: 40, target: '2', inclusionProbability: '1/20', expectedSelected: 2 });
    expect(entity(r, frame[0].uscc).exact).toBe('1/20');
    // Targets through targets() too; E[selected] = Σ x_S = 2 + 9 + 9 + 6 + 4.
    const x = targets(params, { A: 40, B: 60, C: 30, D: 10, U: 20 });
    for (const s of r.perTask[0].strata) expect(s.target).toBe(x[s.stratum].toString());
    expect(r.perTask[0].expectedSelectedExact).toBe('30');
    expect(r.perStratum.find((s) => s.stratum === 'C')).toEqual({ stratum: 'C', entities: 30, expectedInspections: 9, expectedInspected: 9 });
  });

  it('mode total: π_S from the capped proportional allocation (10 over A 40×1, D 10×4 → 1/8 and 1/2)', () => {
    const frame = frameOf({ A: 40, D: 10 });
    const params = totalParams(10, { A: '1', D: '4' }, Q1);
    const r = simulatePlan({ year: 2027, tasks: [task('T1', params, frame)], history: [] });
    const drawn = selectObjects(params, frame, [], seedHash(workingSeedOf(1, 'sim-total')));
    for (const e of frame) expect(entity(r, e.uscc).exact).toBe(drawn.strata.find((s) => s.stratum === e.stratum)!.inclusionProbability.toString());
    expect(entity(r, frame[0].uscc).exact).toBe('1/8');
    expect(entity(r, frame[45].uscc).exact).toBe('1/2');
  });

  it('uses the draw’s exclusions on today’s history: an entity at its yearly cap has probability 0, the others share x_S', () => {
    const frame = frameOf({ A: 40, D: 10 });
    const params = totalParams(10, { A: '1', D: '4' }, { ...Q1, exclusions: { yearlyCap: 1, lookbackDays: null } });
    const history: HistoryRow[] = frame.slice(0, 8).map((e) => ({ uscc: e.uscc, date: '2027-01-15', department: 'SCJG', officers: [] }));
    history.push({ uscc: frame[8].uscc, date: '2026-12-31', department: 'SCJG', officers: [] }); // last year: not counted
    const r = simulatePlan({ year: 2027, tasks: [task('T1', params, frame)], history });
    expect(applyExclusions(params, frame, history).size).toBe(8);
    for (const e of frame.slice(0, 8)) expect(entity(r, e.uscc)).toMatchObject({ probability: 0, exact: '0' });
    // 32 A × 1 + 10 D × 4 = 72: x_A = 10·32/72 = 40/9, π_A = 5/36; x_D = 50/9, π_D = 5/9.
    expect(entity(r, frame[8].uscc).exact).toBe('5/36');
    expect(entity(r, frame[45].uscc).exact).toBe('5/9');
    expect(r.perTask[0].strata.find((s) => s.stratum === 'A')).toMatchObject({ candidates: 40, eligible: 32, target: '40/9' });
  });
});

describe('independent tasks combine exactly: 1 − Π(1 − π_t)', () => {
  const frame = frameOf({ A: 40 });

  it('two tasks with rates 0.05 and 0.1 and no rule linking them: P = 1 − 0.95 × 0.9 = 29/200, E = 3/20', () => {
    const r = simulatePlan({
      year: 2027,
      tasks: [task('T1', ratesParams({ A: '0.05' }, Q1), frame), task('T2', ratesParams({ A: '0.1' }, Q3), frame)],
      history: [],
    });
    expect(r.method).toBe('exact');
    expect(r.couplings).toEqual([]);
    for (const e of r.entities) {
      expect(e.exact).toBe('29/200');
      expect(e.expectedExact).toBe('3/20');
      expect(e.probability).toBeCloseTo(0.145, 12);
    }
    expect(r.perStratum).toEqual([{ stratum: 'A', entities: 40, expectedInspections: expect.closeTo(6, 9), expectedInspected: expect.closeTo(5.8, 9) }]);
  });

  it('stays exact when a rule exists but cannot bite: yearly cap 2 with no visit yet, a look-back that does not reach the earlier task, disjoint frames', () => {
    const cap2 = { exclusions: { yearlyCap: 2, lookbackDays: null } };
    const a = simulatePlan({ year: 2027, tasks: [task('T1', ratesParams({ A: '0.05' }, { ...Q1, ...cap2 }), frame), task('T2', ratesParams({ A: '0.1' }, { ...Q3, ...cap2 }), frame)], history: [] });
    expect(a.method).toBe('exact');
    expect(a.entities[0].exact).toBe('29/200');

    // 2027-07-01 − 30 days = 2027-06-01 > 2027-03-01: T1's visits are out of T2's look-back.
    const lb30 = { exclusions: { yearlyCap: null, lookbackDays: 30 } };
    const b = simulatePlan({ year: 2027, tasks: [task('T1', ratesParams({ A: '0.05' }, { ...Q1, ...lb30 }), frame), task('T2', ratesParams({ A: '0.1' }, { ...Q3, ...lb30 }), frame)], history: [] });
    expect(b.method).toBe('exact');
    // Same window start: the draw counts only visits before the window (concurrent tasks merge).
    const lb180 = { exclusions: { yearlyCap: null, lookbackDays: 180 } };
    const same = simulatePlan({ year: 2027, tasks: [task('T1', ratesParams({ A: '0.05' }, { ...Q1, ...lb180 }), frame), task('T2', ratesParams({ A: '0.1' }, { ...Q1, ...lb180 }), frame)], history: [] });
    expect(same.method).toBe('exact');
    expect(same.entities[0].exact).toBe('29/200');

    const cap1 = { exclusions: { yearlyCap: 1, lookbackDays: null } };
    const other = frameOf({ A: 40 }, 1000);
    const c = simulatePlan({ year: 2027, tasks: [task('T1', ratesParams({ A: '0.05' }, { ...Q1, ...cap1 }), frame), task('T2', ratesParams({ A: '0.1' }, { ...Q3, ...cap1 }), other)], history: [] });
    expect(c.method).toBe('exact');
    expect(entity(c, frame[0].uscc).exact).toBe('1/20');
    expect(entity(c, other[0].uscc).exact).toBe('1/10');
  });

  it('detects the couplings that can bite: cap 2 after one visit this year, a 180-day look-back', () => {
    const cap2 = { exclusions: { yearlyCap: 2, lookbackDays: null } };
    const history: HistoryRow[] = [{ uscc: frame[0].uscc, date: '2027-01-10', department: 'SCJG', officers: [] }];
    const a = simulatePlan({ year: 2027, tasks: [task('T1', ratesParams({ A: '0.05' }, { ...Q1, ...cap2 }), frame), task('T2', ratesParams({ A: '0.1' }, { ...Q3, ...cap2 }), frame)], history }, { runs: 200, seedHex: SEED });
    expect(a.method).toBe('monte-carlo');
    expect(a.couplings).toEqual([{ from: 'T1', to: 'T2', rule: 'yearly-cap', entities: 1 }]);
    expect(a.simulatedEntities).toBe(1);
    expect(entity(a, frame[0].uscc).exact).toBeUndefined();
    expect(entity(a, frame[1].uscc).exact).toBe('29/200'); // not at risk, rate fixed: still exact

    const lb180 = { exclusions: { yearlyCap: null, lookbackDays: 180 } };
    const b = simulatePlan({ year: 2027, tasks: [task('T2', ratesParams({ A: '0.1' }, { ...Q3, ...lb180 }), frame), task('T1', ratesParams({ A: '0.05' }, { ...Q1, ...lb180 }), frame)], history: [] }, { runs: 200, seedHex: SEED });
    expect(b.couplings).toEqual([{ from: 'T1', to: 'T2', rule: 'lookback', entities: 40 }]); // drawn in window order
    expect(b.perTask.map((t) => t.id)).toEqual(['T1', 'T2']);
    expect(b.perTask[1].coupledFrom).toEqual(['T1']);
  });
});

describe('coupled plans: Monte Carlo with the draw’s own procedure', () => {
  const cap1 = { exclusions: { yearlyCap: 1, lookbackDays: null } };

  it('cap 1, two tasks of 5 over the same 20 entities: P = 5/20 + 15/20 · 5/15 = 1/2, nobody inspected twice', () => {
    const frame = frameOf({ A: 20 });
    const tasks = [task('T1', totalParams(5, { A: '1' }, { ...Q1, ...cap1 }), frame), task('T2', totalParams(5, { A: '1' }, { ...Q3, ...cap1 }), frame)];
    for (const engine of ['draw', 'fast'] as const) {
      const r = simulatePlan({ year: 2027, tasks, history: [] }, { seedHex: SEED, engine });
      expect(r).toMatchObject({ method: 'monte-carlo', runs: 2000, seed: SEED, engine, simulatedTasks: ['T1', 'T2'], simulatedEntities: 20 });
      // Tolerance 0.05 ≈ 4.5 standard errors of one entity's frequency (√(¼ / 2000) ≈ 0.011).
      for (const e of r.entities) {
        expect(e.exact).toBeUndefined();
        expect(Math.abs(e.probability - 0.5)).toBeLessThan(0.05);
        expect(e.expectedInspections).toBe(e.probability); // at most one inspection per entity
      }
      // Every simulated year inspects exactly 10 distinct entities.
      expect(r.perStratum[0].expectedInspected).toBeCloseTo(10, 9);
      expect(r.perTask[0]).toMatchObject({ exact: true, expectedSelected: 5, expectedSelectedExact: '5' });
      expect(r.perTask[1]).toMatchObject({ exact: false, expectedSelected: 5, coupledFrom: ['T1'] });
      expect(r.perTask[1].strata[0]).toMatchObject({ eligible: 20, expectedEligible: 15, expectedSelected: 5 });
    }
  });

  it('cap 1, rates 0.05 then 0.1 over 40: P = E = 0.05 + 0.95 · 0.1 = 0.145, and T2 selects 0.1 · 38 = 3.8 on average', () => {
    const frame = frameOf({ A: 40 });
    const tasks = [task('T1', ratesParams({ A: '0.05' }, { ...Q1, ...cap1 }), frame), task('T2', ratesParams({ A: '0.1' }, { ...Q3, ...cap1 }), frame)];
    const results = (['draw', 'fast'] as const).map((engine) => simulatePlan({ year: 2027, tasks, history: [] }, { seedHex: SEED, engine }));
    for (const r of results) {
      // One entity: standard error √(0.145 · 0.855 / 2000) ≈ 0.0079; tolerance 0.04.
      for (const e of r.entities) {
        expect(Math.abs(e.probability - 0.145)).toBeLessThan(0.04);
        expect(e.expectedInspections).toBe(e.probability);
      }
      // n₂ ∈ {3, 4} with P(4) = 0.8: standard error of the mean ≈ 0.009; tolerance 0.05.
      expect(Math.abs(r.perTask[1].expectedSelected - 3.8)).toBeLessThan(0.05);
      expect(r.perTask[1].strata[0].expectedEligible).toBe(38);
      // Independent tasks would give E = 0.15 per entity: the cap removes double inspections.
      expect(Math.abs(r.perStratum[0].expectedInspections - 40 * 0.145)).toBeLessThan(0.05 * 1.01);
    }
  });

  it('is reproducible for a fixed seedHex and changes with it', () => {
    const frame = frameOf({ A: 30, C: 10 });
    const tasks = [task('T1', ratesParams({ A: '0.1', C: '0.3' }, { ...Q1, ...cap1 }), frame), task('T2', ratesParams({ A: '0.1', C: '0.3' }, { ...Q3, ...cap1 }), frame)];
    for (const engine of ['draw', 'fast'] as const) {
      const a = simulatePlan({ year: 2027, tasks, history: [] }, { runs: 300, seedHex: SEED, engine });
      const b = simulatePlan({ year: 2027, tasks, history: [] }, { runs: 300, seedHex: SEED, engine });
      const c = simulatePlan({ year: 2027, tasks, history: [] }, { runs: 300, seedHex: OTHER_SEED, engine });
      expect(b).toEqual(a);
      expect(c.entities.map((e) => e.probability)).not.toEqual(a.entities.map((e) => e.probability));
    }
  });

  it('keeps exact values where it can: entities in one task only, and uncoupled tasks combined exactly', () => {
    const all = frameOf({ A: 30 });
    const t1 = all.slice(0, 20);
    const t2 = all.slice(10, 30);
    const r = simulatePlan(
      {
        year: 2027,
        tasks: [
          task('T1', ratesParams({ A: '0.05' }, { ...Q1, ...cap1 }), t1),
          task('T2', ratesParams({ A: '0.1' }, { ...Q3, ...cap1 }), t2),
          // No rule: its selections change nothing and nothing changes it.
          task('T3', ratesParams({ A: '0.2' }, window('2027-10-01', '2027-12-31')), all),
        ],
        history: [],
      },
      { seedHex: SEED },
    );
    expect(r.simulatedTasks).toEqual(['T1', 'T2']);
    expect(r.perTask.find((t) => t.id === 'T3')).toMatchObject({ exact: true, coupledFrom: [] });
    expect(r.simulatedEntities).toBe(10);
    // Only in T1 (and T3): 1 − 0.95 · 0.8 = 6/25. Only in T2 (and T3): 1 − 0.9 · 0.8 = 7/25.
    for (const e of all.slice(0, 10)) expect(entity(r, e.uscc).exact).toBe('6/25');
    for (const e of all.slice(20, 30)) expect(entity(r, e.uscc).exact).toBe('7/25');
    // In both: 1 − (1 − 0.145) · 0.8 = 0.316, by Monte Carlo (tolerance ≈ 5 standard errors).
    for (const e of all.slice(10, 20)) {
      const got = entity(r, e.uscc);
      expect(got.exact).toBeUndefined();
      expect(Math.abs(got.probability - 0.316)).toBeLessThan(0.035);
      expect(Math.abs(got.expectedInspections - (0.145 + 0.2))).toBeLessThan(0.035);
    }
  });

  it('3,000 entities × 5 tasks with cap 1: per grade, P = 1 − Π(1 − r_t) (rates mode)', () => {
    const frame = frameOf({ A: 900, B: 900, C: 600, D: 300, U: 300 });
    const rates = { A: '0.02', B: '0.05', C: '0.1', D: '0.3', U: '0.05' };
    const starts = ['2027-02-01', '2027-04-01', '2027-06-01', '2027-08-01', '2027-10-01'];
    const tasks = starts.map((start, i) => task(`T${i + 1}`, ratesParams(rates, { ...window(start, '2027-12-31'), ...cap1 }), frame));
    const r = simulatePlan({ year: 2027, tasks, history: [] }, { seedHex: SEED });
    expect(r).toMatchObject({ method: 'monte-carlo', runs: 2000, engine: 'fast', simulatedEntities: 3000 });
    // With cap 1 an entity is eligible in task t iff not yet selected, and then selected with
    // probability r_t whatever N_S is: P(never) = (1 − r)^5, and E[inspections] = P.
    for (const s of r.perStratum) {
      const n = frame.filter((e) => e.stratum === s.stratum).length;
      const p = 1 - (1 - Number(rates[s.stratum as keyof typeof rates])) ** 5;
      expect(Math.abs(s.expectedInspected - n * p) / n).toBeLessThan(0.01);
      expect(s.expectedInspections).toBeCloseTo(s.expectedInspected, 9);
    }
    expect(r.perTask[0].expectedSelectedExact).toBe('228');
  });
});

describe('officer load and capacity warnings', () => {
  const frame = frameOf({ A: 100 });
  // 100 × 0.1 = 10 selected exactly; SCJG sends 2 per team (20 slots), SW 1 (10 slots).
  const params = ratesParams({ A: '0.1' }, Q1);
  const capacityCodes = (r: SimulationResult) => codes(r).filter((c) => c !== 'STRATUM_NEVER_INSPECTED');

  it('spreads expected slots evenly and warns about nothing when officers suffice', () => {
    const r = simulatePlan({ year: 2027, tasks: [task('T1', params, frame, officers({ SCJG: 4, SW: 2 }, 10))], history: [] });
    expect(capacityCodes(r)).toEqual([]);
    expect(r.officers.map((o) => [o.department, o.expectedLoad])).toEqual([['SCJG', 5], ['SCJG', 5], ['SCJG', 5], ['SCJG', 5], ['SW', 5], ['SW', 5]]);
    expect(r.perTask[0].departments).toEqual([
      { code: 'SCJG', officersPerTeam: 2, officers: 4, expectedSlots: 20, available: 40, shortfall: 0 },
      { code: 'SW', officersPerTeam: 1, officers: 2, expectedSlots: 10, available: 20, shortfall: 0 },
    ]);
  });

  it('caps an officer at its capacity and gives the rest to the others (water-filling)', () => {
    const staff = [
      { certificateNo: certOf('SCJG', 1), department: 'SCJG', capacity: 2 },
      { certificateNo: certOf('SCJG', 2), department: 'SCJG', capacity: 30 },
      { certificateNo: certOf('SCJG', 3), department: 'SCJG', capacity: 30 },
      ...officers({ SW: 1 }, 10),
    ];
    const r = simulatePlan({ year: 2027, tasks: [task('T1', params, frame, staff)], history: [] });
    expect(capacityCodes(r)).toEqual([]);
    expect(r.officers.filter((o) => o.department === 'SCJG').map((o) => o.expectedLoad)).toEqual([2, 9, 9]);
  });

  it('warns CAPACITY_SHORT (department, task, shortfall) and OFFICER_OVERLOADED when officers are too few', () => {
    const staff = [...officers({ SCJG: 2 }, 3), ...officers({ SW: 2 }, 10)];
    const r = simulatePlan({ year: 2027, tasks: [task('第3号任务', params, frame, staff)], history: [] });
    const short = r.warnings.filter((w) => w.code === 'CAPACITY_SHORT');
    expect(short).toHaveLength(1);
    expect(short[0].message).toContain('SCJG');
    expect(short[0].message).toContain('第3号任务');
    expect(short[0].message).toContain('缺口约 14 人次'); // 20 slots, 2 × 3 available
    const over = r.warnings.filter((w) => w.code === 'OFFICER_OVERLOADED');
    expect(over.map((w) => w.message.includes(certOf('SCJG', 1)) || w.message.includes(certOf('SCJG', 2)))).toEqual([true, true]);
    expect(r.officers.find((o) => o.certificateNo === certOf('SCJG', 1))!.expectedLoad).toBe(10); // 3 + 14 / 2
    expect(r.perTask[0].departments[0]).toMatchObject({ code: 'SCJG', expectedSlots: 20, available: 6, shortfall: 14 });
  });

  it('carries load across tasks: one officer with capacity 15 for two tasks of 10 is short by 5 in the second', () => {
    const staff = [...officers({ SCJG: 4 }, 100), ...officers({ SW: 1 }, 15)];
    const r = simulatePlan({ year: 2027, tasks: [task('T1', params, frame, staff), task('T2', ratesParams({ A: '0.1' }, Q3), frame, staff)], history: [] });
    const short = r.warnings.filter((w) => w.code === 'CAPACITY_SHORT');
    expect(short).toHaveLength(1);
    expect(short[0].message).toMatch(/任务「T2」中部门 SW .*缺口约 5 人次/);
    const sw = r.officers.find((o) => o.department === 'SW')!;
    expect(sw).toMatchObject({ capacity: 15, expectedLoad: 20, byTask: [{ task: 'T1', load: 10 }, { task: 'T2', load: 10 }] });
    expect(codes(r)).toContain('OFFICER_OVERLOADED');
  });

  it('warns NO_OFFICERS when a participating department has no eligible officer', () => {
    const r = simulatePlan({ year: 2027, tasks: [task('T1', params, frame, officers({ SCJG: 4 }, 10))], history: [] });
    const none = r.warnings.filter((w) => w.code === 'NO_OFFICERS');
    expect(none).toHaveLength(1);
    expect(none[0].message).toContain('SW');
    expect(none[0].message).toContain('T1');
    expect(codes(r)).not.toContain('CAPACITY_SHORT');
  });
});

describe('a grade left out of every task', () => {
  const frame = frameOf({ A: 20, B: 20, C: 10 });
  const noA = { excludeStrata: [{ stratum: 'A' as Stratum, reason: '无事不扰：A 类主体信用风险低' }] };

  it('warns STRATUM_NEVER_INSPECTED, naming the grade and the recorded reasons', () => {
    const r = simulatePlan({
      year: 2027,
      tasks: [task('T1', ratesParams({ B: '0.1', C: '0.2' }, { ...Q1, ...noA }), frame), task('T2', ratesParams({ B: '0.1', C: '0.2' }, { ...Q3, ...noA }), frame)],
      history: [],
    });
    const w = r.warnings.filter((x) => x.code === 'STRATUM_NEVER_INSPECTED');
    expect(w).toHaveLength(1);
    expect(w[0].message).toContain('A 类');
    expect(w[0].message).toContain('20 户');
    expect(w[0].message).toContain('无事不扰');
    expect(r.perStratum.find((s) => s.stratum === 'A')).toEqual({ stratum: 'A', entities: 20, expectedInspections: 0, expectedInspected: 0 });
  });

  it('does not warn when one task includes the grade', () => {
    const r = simulatePlan({
      year: 2027,
      tasks: [task('T1', ratesParams({ B: '0.1', C: '0.2' }, { ...Q1, ...noA }), frame), task('T2', ratesParams({ A: '0.01', B: '0.1', C: '0.2' }, Q3), frame)],
      history: [],
    });
    expect(codes(r)).not.toContain('STRATUM_NEVER_INSPECTED');
  });

  it('warns when the history rules exclude every entity of a grade in every task', () => {
    const history: HistoryRow[] = frame.filter((e) => e.stratum === 'C').map((e) => ({ uscc: e.uscc, date: '2027-01-20', department: 'SCJG', officers: [] }));
    const cap1 = { exclusions: { yearlyCap: 1, lookbackDays: null } };
    const r = simulatePlan({ year: 2027, tasks: [task('T1', ratesParams({ A: '0.05', B: '0.1', C: '0.2' }, { ...Q1, ...cap1 }), frame)], history });
    const w = r.warnings.filter((x) => x.code === 'STRATUM_NEVER_INSPECTED');
    expect(w).toHaveLength(1);
    expect(w[0].message).toContain('C 类');
    expect(w[0].message).toContain('年度检查上限');
  });
});

describe('input checks', () => {
  const frame = frameOf({ A: 10 });
  it('rejects duplicate task ids, a short seed and bad run counts', () => {
    const t = task('T1', ratesParams({ A: '0.1' }, Q1), frame);
    expect(() => simulatePlan({ year: 2027, tasks: [t, t], history: [] })).toThrow(/重复/);
    expect(() => simulatePlan({ year: 2027, tasks: [t], history: [] }, { seedHex: 'abc' })).toThrow(/seedHex/);
    expect(() => simulatePlan({ year: 2027, tasks: [t], history: [] }, { runs: 0 })).toThrow(/runs/);
  });

  it('exact arithmetic: probabilities are fractions in lowest terms', () => {
    const r = simulatePlan({ year: 2027, tasks: [task('T1', ratesParams({ A: '0.333333' }, Q1), frame)], history: [] });
    expect(Rational.parse(r.entities[0].exact!).toString()).toBe('333333/1000000');
    expect(STRATA).toContain(r.entities[0].stratum);
  });
});
