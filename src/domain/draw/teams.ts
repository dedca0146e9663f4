/**
 * Drawing the teams (docs/draw-algorithm.md §9): per department, entities in visit order, each
 * slot given to the least-loaded eligible officer (ties by the officer's ticket); when that
 * dead-ends, a breadth-first augmenting path re-routes earlier assignments. This computes a
 * maximum flow, so a department is reported short only when no assignment exists.
 */
import { byteOrder } from '../canonicalJson.ts';
import type { DrawParams } from './params.ts';
import type { HistoryRow } from './select.ts';
import { compareTickets, ticketOf } from './tickets.ts';

export interface OfficerInput {
  certificateNo: string;
  department: string;
  /** Remaining capacity for the year. */
  capacity: number;
}

export interface TeamInputs {
  departments: DrawParams['departments'];
  officers: OfficerInput[];
  conflicts: { certificateNo: string; uscc: string }[];
  history: HistoryRow[];
}

export interface TeamOutcome {
  /** Per selected entity (visit order): certificate numbers by department order, then byte order. */
  teams: string[][];
  /** Department code → officer-slots that could not be filled. Empty when the draw succeeds. */
  shortfalls: Record<string, number>;
  /** How many slots needed an augmenting path (for tests and the record). */
  repairs: number;
  /** Officer → entities assigned in this draw. */
  loads: Record<string, number>;
}

/** Officers of each entity's latest inspection (the union over lines with the greatest date). */
export function lastOfficers(history: HistoryRow[]): Map<string, Set<string>> {
  const latest = new Map<string, { date: string; officers: Set<string> }>();
  for (const h of history) {
    const cur = latest.get(h.uscc);
    if (!cur || h.date > cur.date) latest.set(h.uscc, { date: h.date, officers: new Set(h.officers) });
    else if (h.date === cur.date) for (const o of h.officers) cur.officers.add(o);
  }
  return new Map([...latest].map(([u, v]) => [u, v.officers]));
}

interface Officer {
  cert: string;
  capacity: number;
  ticket: string;
  load: number;
  /** Entity indices (visit order) that have this officer. */
  entities: Set<number>;
}

function byLoadThenTicket(a: Officer, b: Officer): number {
  return a.load - b.load || compareTickets(a.ticket, b.ticket);
}

export function assignTeams(visitOrder: string[], inputs: TeamInputs, seedHashHex: string): TeamOutcome {
  const conflicts = new Set(inputs.conflicts.map((c) => `${c.certificateNo}|${c.uscc}`));
  const last = lastOfficers(inputs.history);
  const shortfalls: Record<string, number> = {};
  const loads: Record<string, number> = {};
  // team[d][e] = officers of department d on entity e
  const perDept = new Map<string, Officer[][]>();
  let repairs = 0;

  const departments = [...inputs.departments].sort((a, b) => byteOrder(a.code, b.code));
  for (const dept of departments) {
    const officers: Officer[] = inputs.officers
      .filter((o) => o.department === dept.code)
      .map((o) => ({ cert: o.certificateNo, capacity: o.capacity, ticket: ticketOf(seedHashHex, `~officer/${o.certificateNo}`), load: 0, entities: new Set<number>() }));
    const team: Officer[][] = visitOrder.map(() => []);
    perDept.set(dept.code, team);
    const eligible = (o: Officer, e: number) => {
      const uscc = visitOrder[e];
      return !conflicts.has(`${o.cert}|${uscc}`) && !(last.get(uscc)?.has(o.cert) ?? false);
    };
    // Officers with spare capacity, kept sorted by (load, ticket).
    const open = officers.filter((o) => o.capacity > 0).sort(byLoadThenTicket);
    const reposition = (o: Officer) => {
      const i = open.indexOf(o);
      if (i >= 0) open.splice(i, 1);
      if (o.load >= o.capacity) return;
      let lo = 0;
      let hi = open.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (byLoadThenTicket(open[mid], o) < 0) lo = mid + 1;
        else hi = mid;
      }
      open.splice(lo, 0, o);
    };
    const give = (o: Officer, e: number) => {
      team[e].push(o);
      o.entities.add(e);
    };

    for (let e = 0; e < visitOrder.length; e++) {
      for (let slot = 0; slot < dept.officersPerTeam; slot++) {
        const pick = open.find((o) => eligible(o, e) && !team[e].includes(o));
        if (pick) {
          give(pick, e);
          pick.load++;
          reposition(pick);
          continue;
        }
        if (augment(e, officers, team, eligible)) {
          repairs++;
          continue;
        }
        shortfalls[dept.code] = (shortfalls[dept.code] ?? 0) + 1;
      }
    }

    /** BFS for an augmenting path from entity e (§9 step 2); applies it and returns true if found. */
    function augment(e: number, all: Officer[], t: Officer[][], ok: (o: Officer, e: number) => boolean): boolean {
      const sorted = [...all].sort(byLoadThenTicket);
      const visited = new Set<Officer>();
      const reachedFrom = new Map<Officer, { from: Officer; entity: number }>();
      const queue: Officer[] = [];
      for (const o of sorted) {
        if (ok(o, e) && !t[e].includes(o)) {
          visited.add(o);
          queue.push(o);
        }
      }
      for (let qi = 0; qi < queue.length; qi++) {
        const o = queue[qi];
        for (const e2 of [...o.entities].sort((a, b) => a - b)) {
          for (const o2 of sorted) {
            if (visited.has(o2) || !ok(o2, e2) || t[e2].includes(o2)) continue;
            visited.add(o2);
            reachedFrom.set(o2, { from: o, entity: e2 });
            if (o2.load < o2.capacity) {
              // Walk back: each entity on the path swaps the officer it had for the next one.
              let cur = o2;
              while (reachedFrom.has(cur)) {
                const { from, entity } = reachedFrom.get(cur)!;
                t[entity][t[entity].indexOf(from)] = cur;
                from.entities.delete(entity);
                cur.entities.add(entity);
                cur = from;
              }
              give(cur, e);
              o2.load++;
              reposition(o2);
              return true;
            }
            queue.push(o2);
          }
        }
      }
      return false;
    }
    for (const o of officers) if (o.load) loads[o.cert] = o.load;
  }

  const teams = visitOrder.map((_, e) =>
    inputs.departments.flatMap((d) => (perDept.get(d.code)?.[e] ?? []).map((o) => o.cert).sort(byteOrder)),
  );
  return { teams, shortfalls, repairs, loads };
}
