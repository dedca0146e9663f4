/**
 * Drawing the teams (docs/draw-algorithm.md §9; draw-design.md "Drawing the teams"): every
 * team satisfies every rule for every seed tried, loads are level when nothing constrains
 * them, and on small instances the draw fills every slot exactly when a brute-force search
 * says an assignment exists (and otherwise reports exactly the unfillable slots).
 */
import { describe, expect, it } from 'vitest';
import { buildCanonicalFiles } from '../../src/domain/draw/canonical.ts';
import { computeDraw } from '../../src/domain/draw/draw.ts';
import { assignTeams, type OfficerInput } from '../../src/domain/draw/teams.ts';
import type { HistoryRow } from '../../src/domain/draw/select.ts';
import { seedHash } from '../../src/domain/draw/tickets.ts';
import {
  SECRET, bruteForceMax, certOf, dataLines, greedyOnly, randInt, realisticInstance, refTicket, rngOf, usccOf, workingSeedOf,
  type Instance, type SmallDept,
} from '../helpers/drawFixtures.ts';

const K: Record<string, number> = { SCJG: 2, SW: 1 };

/** Officers of each entity's latest inspection, computed here from the history rows. */
function lastVisitOfficers(history: HistoryRow[]): Map<string, Set<string>> {
  const latestDate = new Map<string, string>();
  for (const h of history) if (!latestDate.has(h.uscc) || h.date > latestDate.get(h.uscc)!) latestDate.set(h.uscc, h.date);
  const out = new Map<string, Set<string>>();
  for (const h of history) {
    if (h.date !== latestDate.get(h.uscc)) continue;
    if (!out.has(h.uscc)) out.set(h.uscc, new Set());
    for (const o of h.officers) out.get(h.uscc)!.add(o);
  }
  return out;
}

/** Runs the draw on the canonical files for many seeds and checks every team rule independently. */
function checkAllRules(inst: Instance, seeds: number, label: string) {
  const files = buildCanonicalFiles(inst, SECRET);
  // the officers the draw may use are exactly the lines of inspectors.csv
  const roster = new Map(
    dataLines(files['inspectors.csv']).map((l) => {
      const [cert, department, capacity] = l.split(',');
      return [cert, { department, capacity: Number(capacity) }];
    }),
  );
  const conflicts = new Set(inst.conflicts.map((c) => `${c.certificateNo}|${c.uscc}`));
  const last = lastVisitOfficers(inst.history);
  const stats = { entities: 0, lastVisitedSelected: 0, conflictedSelected: 0 };
  for (let i = 0; i < seeds; i++) {
    const c = computeDraw(files, workingSeedOf(i, label));
    expect(c.teams.shortfalls).toEqual({});
    expect(c.resultCsv).not.toBeNull();
    const load = new Map<string, number>();
    c.selection.selected.forEach((sel, e) => {
      const team = c.teams.teams[e];
      stats.entities++;
      if (last.has(sel.uscc)) stats.lastVisitedSelected++;
      if (inst.conflicts.some((x) => x.uscc === sel.uscc)) stats.conflictedSelected++;
      expect(new Set(team).size).toBe(team.length);
      for (const [dept, k] of Object.entries(K)) {
        const mine = team.filter((cert) => roster.get(cert)?.department === dept);
        expect(mine, `${sel.uscc} ${dept}`).toHaveLength(k);
      }
      expect(team).toHaveLength(3);
      // listed by department in the order of `departments`, then by certificate number
      const depts = team.map((cert) => roster.get(cert)!.department);
      expect(depts).toEqual(['SCJG', 'SCJG', 'SW']);
      expect(team[0] < team[1]).toBe(true);
      for (const cert of team) {
        expect(roster.has(cert), cert).toBe(true);
        expect(conflicts.has(`${cert}|${sel.uscc}`), `${cert} conflicted with ${sel.uscc}`).toBe(false);
        expect(last.get(sel.uscc)?.has(cert) ?? false, `${cert} inspected ${sel.uscc} last time`).toBe(false);
        load.set(cert, (load.get(cert) ?? 0) + 1);
      }
    });
    for (const [cert, n] of load) expect(n, cert).toBeLessThanOrEqual(roster.get(cert)!.capacity);
    expect(c.teams.loads).toEqual(Object.fromEntries(load));
  }
  return stats;
}

describe('every team satisfies every rule (realistic joint task, 200 seeds)', () => {
  it('right number of distinct officers per department, from inspectors.csv, no conflict, not last time’s officer, within capacity', () => {
    const inst = realisticInstance('teams-realistic');
    const stats = checkAllRules(inst, 200, 'teams-realistic');
    expect(stats.entities / 200).toBeGreaterThan(35);
    // the rules were actually exercised
    expect(stats.lastVisitedSelected).toBeGreaterThan(500);
    expect(stats.conflictedSelected).toBeGreaterThan(500);
  });

  it('keeps loads level within each department when nothing constrains them (max − min ≤ 1)', () => {
    const inst = realisticInstance('teams-level', { conflicts: false, history: false, ample: true });
    const files = buildCanonicalFiles(inst, SECRET);
    for (let i = 0; i < 200; i++) {
      const c = computeDraw(files, workingSeedOf(i, 'teams-level'));
      expect(c.teams.shortfalls).toEqual({});
      for (const dept of ['SCJG', 'SW']) {
        const loads = inst.officers.filter((o) => o.department === dept).map((o) => c.teams.loads[o.certificateNo] ?? 0);
        const demand = c.selection.selected.length * K[dept];
        expect(loads.reduce((a, b) => a + b, 0)).toBe(demand);
        expect(Math.max(...loads) - Math.min(...loads), `${dept} loads ${loads}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('reports a department that is short, and by how many officer-slots', () => {
    // 5 entities, SW's only two officers can take 2 each, one is conflicted with the first entity
    const entities = [1, 2, 3, 4, 5].map((n) => usccOf(40_000 + n));
    const officers: OfficerInput[] = [
      ...[1, 2, 3].map((n) => ({ certificateNo: certOf('SCJG', n), department: 'SCJG', capacity: 10 })),
      { certificateNo: certOf('SW', 1), department: 'SW', capacity: 2 },
      { certificateNo: certOf('SW', 2), department: 'SW', capacity: 2 },
    ];
    const out = assignTeams(
      entities,
      { departments: [{ code: 'SCJG', officersPerTeam: 2 }, { code: 'SW', officersPerTeam: 1 }], officers, conflicts: [], history: [] },
      seedHash(workingSeedOf(0, 'short')),
    );
    expect(out.shortfalls).toEqual({ SW: 1 });
  });
});

// ----------------------------------------------------------------------------- exactness

interface SmallInstance {
  entities: string[];
  officers: OfficerInput[];
  conflicts: { certificateNo: string; uscc: string }[];
  history: HistoryRow[];
  departments: { code: string; officersPerTeam: number }[];
}

function smallInstance(i: number): SmallInstance {
  const rng = rngOf(`small-teams-${i}`);
  const nE = randInt(rng, 2, 6);
  const entities = Array.from({ length: nE }, (_, e) => usccOf(10_000 * (i + 1) + e));
  const departments = [
    { code: 'SCJG', officersPerTeam: randInt(rng, 1, 2) },
    { code: 'SW', officersPerTeam: randInt(rng, 1, 2) },
  ];
  const officers: OfficerInput[] = [];
  for (const d of departments) {
    const nO = randInt(rng, 2, 6);
    for (let o = 1; o <= nO; o++) officers.push({ certificateNo: certOf(d.code, o), department: d.code, capacity: randInt(rng, 0, 3) });
  }
  const conflictRate = rng() * 0.3;
  const conflicts = [];
  for (const e of entities) for (const o of officers) if (rng() < conflictRate) conflicts.push({ certificateNo: o.certificateNo, uscc: e });
  const history: HistoryRow[] = [];
  for (const e of entities) {
    if (rng() < 0.5) {
      // latest visit: one or two officers (any department), possibly split over two lines of the same day
      const a = officers[randInt(rng, 0, officers.length - 1)].certificateNo;
      const b = officers[randInt(rng, 0, officers.length - 1)].certificateNo;
      if (rng() < 0.5) history.push({ uscc: e, date: '2026-05-10', department: 'SCJG', officers: [a, b] });
      else history.push({ uscc: e, date: '2026-05-10', department: 'SCJG', officers: [a] }, { uscc: e, date: '2026-05-10', department: 'SW', officers: [b] });
      // an older visit by someone else does not bar that officer
      if (rng() < 0.5) history.push({ uscc: e, date: '2025-01-10', department: 'SCJG', officers: [officers[randInt(rng, 0, officers.length - 1)].certificateNo] });
    }
  }
  return { entities, officers, conflicts, history, departments };
}

function deptView(inst: SmallInstance, code: string): { d: SmallDept; certs: string[] } {
  const mine = inst.officers.filter((o) => o.department === code);
  const conflicts = new Set(inst.conflicts.map((c) => `${c.certificateNo}|${c.uscc}`));
  const last = lastVisitOfficers(inst.history);
  return {
    certs: mine.map((o) => o.certificateNo),
    d: {
      code,
      k: inst.departments.find((x) => x.code === code)!.officersPerTeam,
      capacity: mine.map((o) => o.capacity),
      eligible: inst.entities.map((e) => mine.map((o) => !conflicts.has(`${o.certificateNo}|${e}`) && !(last.get(e)?.has(o.certificateNo) ?? false))),
    },
  };
}

describe('the draw finds an assignment exactly when one exists (1,000 small instances, brute force)', () => {
  it('reports no shortfall iff brute force fills every slot, and otherwise exactly the slots no assignment can fill', () => {
    let feasible = 0;
    let infeasible = 0;
    let rescuedByRepair = 0;
    let shortDespiteRepair = 0;
    for (let i = 0; i < 1000; i++) {
      const inst = smallInstance(i);
      const ws = workingSeedOf(i, 'small-teams');
      const out = assignTeams(inst.entities, { departments: inst.departments, officers: inst.officers, conflicts: inst.conflicts, history: inst.history }, seedHash(ws));
      let greedyFailed = false; // the greedy pass alone fills fewer slots than possible
      let greedyPerfect = true; // the greedy pass alone fills every slot
      let allFilled = true;
      const greedyTeams: string[][] = inst.entities.map(() => []);
      for (const dept of [...inst.departments].sort((a, b) => (a.code < b.code ? -1 : 1))) {
        const { d, certs } = deptView(inst, dept.code);
        const demand = inst.entities.length * d.k;
        const best = bruteForceMax(d);
        const short = out.shortfalls[dept.code] ?? 0;
        expect(short, `instance ${i} ${dept.code}: demand ${demand}, brute-force max ${best}`).toBe(demand - best);
        if (best < demand) allFilled = false;
        // the slots it did fill obey every rule
        const load = certs.map(() => 0);
        inst.entities.forEach((_, e) => {
          const mine = out.teams[e].filter((c) => certs.includes(c));
          expect(new Set(mine).size).toBe(mine.length);
          expect(mine.length).toBeLessThanOrEqual(d.k);
          for (const cert of mine) {
            const o = certs.indexOf(cert);
            expect(d.eligible[e][o], `instance ${i}: ${cert} not eligible for entity ${e}`).toBe(true);
            load[o]++;
          }
        });
        load.forEach((l, o) => expect(l).toBeLessThanOrEqual(d.capacity[o]));
        expect(load.reduce((a, b) => a + b, 0)).toBe(best);
        // the greedy pass alone (no repair), from the document
        const tickets = certs.map((c) => refTicket(ws, `~officer/${c}`));
        const greedy = greedyOnly(d, tickets);
        const greedyUnfilled = greedy.unfilled;
        greedy.teams.forEach((t, e) => greedyTeams[e].push(...t.map((o) => certs[o]).sort()));
        expect(greedyUnfilled).toBeGreaterThanOrEqual(demand - best);
        if (greedyUnfilled > demand - best) greedyFailed = true;
        if (greedyUnfilled > 0) greedyPerfect = false;
      }
      if (allFilled) feasible++;
      else infeasible++;
      // the repair runs only where the greedy pass dead-ends, and it is what closes the gap
      if (greedyPerfect) {
        expect(out.repairs, `instance ${i}: greedy alone suffices`).toBe(0);
        // and then the teams are exactly the greedy pass's (departments in the order given)
        expect(out.teams).toEqual(greedyTeams);
      }
      if (greedyFailed) expect(out.repairs, `instance ${i}: greedy alone falls short of the maximum`).toBeGreaterThan(0);
      if (greedyFailed && allFilled) {
        expect(out.repairs, `instance ${i}: greedy alone fails but an assignment exists`).toBeGreaterThan(0);
        expect(out.shortfalls).toEqual({});
        rescuedByRepair++;
      }
      if (greedyFailed && !allFilled) shortDespiteRepair++;
    }
    // the sample covers all the interesting cases
    expect(feasible).toBeGreaterThan(50);
    expect(infeasible).toBeGreaterThan(50);
    expect(rescuedByRepair).toBeGreaterThan(15);
    expect(shortDespiteRepair + rescuedByRepair).toBeGreaterThan(10);
  });

  it('needs the repair on a hand-made tight instance and then fills every slot', () => {
    // Two entities, one slot each. o1 may go to both, o2 only to e1 (conflict with e2); both
    // have capacity 1. Whichever of o1/o2 the greedy gives e1, a complete assignment exists
    // (e1←o2, e2←o1); when the greedy gives e1 o1, only an augmenting path rescues e2.
    const e1 = usccOf(51);
    const e2 = usccOf(52);
    const officers = [
      { certificateNo: certOf('SW', 1), department: 'SW', capacity: 1 },
      { certificateNo: certOf('SW', 2), department: 'SW', capacity: 1 },
    ];
    let repaired = 0;
    for (let i = 0; i < 40; i++) {
      const out = assignTeams(
        [e1, e2],
        { departments: [{ code: 'SW', officersPerTeam: 1 }], officers, conflicts: [{ certificateNo: certOf('SW', 2), uscc: e2 }], history: [] },
        seedHash(workingSeedOf(i, 'tight')),
      );
      expect(out.shortfalls).toEqual({});
      expect(out.teams).toEqual([[certOf('SW', 2)], [certOf('SW', 1)]]);
      if (out.repairs > 0) repaired++;
    }
    expect(repaired).toBeGreaterThan(5);
    expect(repaired).toBeLessThan(35);
  });
});
