/**
 * Plan simulation: before a regulator approves its annual plan of random-inspection tasks, show
 * each entity's probability of being inspected this year, the expected inspections per stratum
 * (credit grade) and each officer's expected load against capacity, with warnings.
 *
 * Pure: no database, no clock, no I/O. Everything is computed with the draw's own functions
 * (docs/draw-algorithm.md §6–8): `applyExclusions`, `targets`, `roundingOffsets`/`roundTargets`
 * and, for Monte Carlo, `selectObjects`.
 *
 * ## Probabilities
 *
 * Within one task an eligible entity of stratum S is selected with probability π_S = x_S / N_S
 * (§7), whatever the seed does to the rounding. Tasks are drawn with independent working seeds, so
 * when no exclusion rule couples them, an entity's selections in different tasks are independent:
 * P(inspected at least once) = 1 − Π_t (1 − π_t(e)) and E[inspections] = Σ_t π_t(e), exactly
 * (Rational; reported as 'p/q' and as a float).
 *
 * ## Coupling
 *
 * Tasks are drawn in order of window start (ties: input order), and every selection is recorded as
 * an inspection dated on its task's window start (§3, history.csv). A task u is coupled to an
 * earlier task t when t's selection can change u's exclusions (§6):
 * - yearly cap: e is eligible in u today, e can be selected in t (eligible there with π > 0), t's
 *   window starts in u's `year` on a date e has not been visited yet, and e's visits this year plus
 *   the distinct new dates that earlier tasks could add reach u's cap. (Conservative: every earlier
 *   task that could contribute a date is coupled, even if the cap needs several of them.)
 * - look-back: e is eligible in u today, can be selected in t, and t's window start lies on or after
 *   u's window start − lookbackDays and before u's window start (the draw counts only visits before
 *   the window; tasks starting on the same day are merged into one visit, not excluded).
 * Such an e is "at risk" in u. Exclusions only grow with history, so an entity eligible today is
 * the only kind whose status can change, and an entity not at risk keeps its status in every
 * simulated year.
 *
 * Tasks with no coupling at all stay exact. The coupled tasks are simulated together, `runs`
 * simulated years (default 2,000), each task with a working seed
 * sha256_hex("double-random-simulation/1\n" + seedHex + "\n" + run + "\n" + task id), its
 * selection added to the history (date = window start, department `draw:` + 16 hex of that seed)
 * before the next task. An entity keeps an exact value even inside coupled tasks when in each of
 * them it is excluded today, or not at risk and its π is fixed (mode `rates`, where π = rate for any
 * N_S > 0, or a task that nothing earlier can influence): its selections are then independent
 * Bernoulli(π_t) across tasks, because each task's seed is fresh. Otherwise its value is the Monte
 * Carlo frequency over its coupled tasks, combined with its uncoupled tasks exactly.
 *
 * Two engines run a simulated task, both the real procedure up to the ticket source:
 * - `draw`: the draw's own `selectObjects` on the task's whole frame and the accumulated history —
 *   tickets from SHA-256 of the working seed, exactly as a real draw with that seed would select.
 * - `fast`: the draw's `applyExclusions` (re-run each simulated year only on the task's entities
 *   whose history changed that year, its verdicts cached per entity and set of earlier simulated
 *   tasks that selected it; the others keep today's status), `targets`, `roundingOffsets` from the
 *   same working seed and `roundTargets`, so N_S and n_S are exactly what the draw would compute
 *   for that seed; then a uniform n_S-subset of the N_S
 *   eligible entities from a seedrandom stream seeded with that working seed (Floyd's algorithm).
 *   "The n_S smallest of N_S i.i.d. uniform tickets" is exactly a uniform n_S-subset, so the
 *   distribution is the draw's (it is what makes π_S = x_S / N_S true); only the per-entity hashing
 *   (the cost: ~2.5 µs per entity per task per run) is saved.
 * `auto` (default) uses `draw` when runs × (entities in the simulated tasks' frames) ≤ 1,000,000,
 * else `fast`.
 *
 * ## Officer load
 *
 * For each task in window order and each participating department d (k_d officers per team), the
 * expected officer-slots E[selected] × k_d are spread over d's officers listed for that task like
 * the draw levels workloads: an even split ("water-filling"), each officer capped by its remaining
 * capacity (its capacity minus what earlier tasks of the plan are expected to take) and by
 * E[selected] (an officer is at most once on a team), the excess of the capped ones redistributed to
 * the others. Slots that do not fit are the department's shortfall in that task (CAPACITY_SHORT;
 * the real draw would fail); they are still spread evenly over d's officers of the task, so those
 * officers show an expected load above capacity (OFFICER_OVERLOADED). An officer listed in several
 * tasks has one capacity, the largest listed. Conflicts (回避) and "not the same officer as last
 * time" are not modelled: they can only make a department tighter than shown here.
 */
import seedrandom from 'seedrandom';
import { sha256Hex } from './draw/hash.ts';
import { byteOrder } from './canonicalJson.ts';
import { STRATA, STRATUM_LABELS, type DrawParams, type Stratum } from './draw/params.ts';
import { Rational } from './draw/rational.ts';
import {
  applyExclusions, minusDays, roundingOffsets, roundTargets, selectObjects, targets, type ExclusionRule, type FrameEntity, type HistoryRow,
} from './draw/select.ts';
import type { OfficerInput } from './draw/teams.ts';
import { seedHash } from './draw/tickets.ts';

export const SIMULATION_ALGORITHM = 'double-random-simulation/1';
/** The default Monte Carlo seed: sha256_hex('double-random-simulation/1 default seed'). */
export const DEFAULT_SIMULATION_SEED = sha256Hex(`${SIMULATION_ALGORITHM} default seed`);
export const DEFAULT_RUNS = 2000;
/** `auto` uses the `draw` engine up to this many entity-tickets (runs × simulated frame sizes). */
export const DRAW_ENGINE_BUDGET = 1_000_000;

export interface SimTask {
  id: string;
  /** As for a draw (window, year, selection, excludeStrata, exclusions, departments, …). */
  params: DrawParams;
  /** Candidates of this task after its filters, with their stratum for this task. */
  frame: FrameEntity[];
  /** Eligible officers with remaining capacity (as inspectors.csv). */
  officers: OfficerInput[];
}

export interface SimulationInput {
  year: number;
  tasks: SimTask[];
  /** Visits already made this year and earlier (as history.csv, any superset is fine). */
  history: HistoryRow[];
}

export type SimulationEngine = 'draw' | 'fast';

export interface SimulationOptions {
  runs?: number;
  seedHex?: string;
  engine?: SimulationEngine | 'auto';
}

export interface SimulationWarning {
  code: 'CAPACITY_SHORT' | 'OFFICER_OVERLOADED' | 'NO_OFFICERS' | 'STRATUM_NEVER_INSPECTED' | 'TASK_YEAR_MISMATCH' | 'INCONSISTENT_STRATUM';
  /** Simplified Chinese. */
  message: string;
}

export interface EntityResult {
  uscc: string;
  /** The stratum used for perStratum: from the first credit-stratified task listing it, else the first task. */
  stratum: Stratum;
  probability: number;
  /** 'p/q' when exact. */
  exact?: string;
  expectedInspections: number;
  /** 'p/q' when exact. */
  expectedExact?: string;
}

export interface StratumResult {
  stratum: Stratum;
  entities: number;
  /** Σ E[inspections]. */
  expectedInspections: number;
  /** Σ P(inspected at least once): expected number of distinct entities inspected. */
  expectedInspected: number;
}

export interface TaskStratumResult {
  stratum: Stratum;
  candidates: number;
  /** N_S against today's history (what the draw would publish if drawn now). */
  eligible: number;
  /** x_S, exact 'p/q', against today's history. */
  target: string;
  /** π_S = x_S / N_S, exact 'p/q', against today's history. */
  inclusionProbability: string;
  /** E[n_S]: x_S when the task is exact, else the Monte Carlo mean. */
  expectedSelected: number;
  /** Monte Carlo mean of N_S (simulated tasks only). */
  expectedEligible?: number;
}

export interface TaskDepartmentResult {
  code: string;
  officersPerTeam: number;
  /** Officers of the department listed for the task. */
  officers: number;
  /** E[selected] × k_d. */
  expectedSlots: number;
  /** Slots the officers can take: Σ min(remaining capacity, E[selected]). */
  available: number;
  shortfall: number;
}

export interface TaskResult {
  id: string;
  windowStart: string;
  /** True when the task's figures are exact (no earlier task can change its frame). */
  exact: boolean;
  /** Earlier tasks whose selections can change this task's frame. */
  coupledFrom: string[];
  strata: TaskStratumResult[];
  expectedSelected: number;
  /** Σ x_S, 'p/q', when exact. */
  expectedSelectedExact?: string;
  departments: TaskDepartmentResult[];
}

export interface Coupling {
  from: string;
  to: string;
  rule: Extract<ExclusionRule, 'yearly-cap' | 'lookback'>;
  /** Entities of `to` whose eligibility `from`'s selection can change through this rule. */
  entities: number;
}

export interface OfficerResult {
  certificateNo: string;
  department: string;
  capacity: number;
  expectedLoad: number;
  byTask: { task: string; load: number }[];
}

export interface SimulationResult {
  method: 'exact' | 'monte-carlo';
  runs?: number;
  seed?: string;
  engine?: SimulationEngine;
  /** Tasks simulated by Monte Carlo (in draw order). */
  simulatedTasks?: string[];
  /** Entities whose values are Monte Carlo estimates (standard error ≤ 0.5 / √runs each). */
  simulatedEntities?: number;
  couplings: Coupling[];
  entities: EntityResult[];
  perStratum: StratumResult[];
  perTask: TaskResult[];
  officers: OfficerResult[];
  warnings: SimulationWarning[];
}

const ZERO = Rational.of(0);
const ONE = Rational.of(1);
const EPS = 1e-9;

/** A float for people and comparisons (exact values stay in Rational). */
function toFloat(r: Rational): number {
  return Number((r.num * 10n ** 18n) / r.den) / 1e18;
}

function fmt(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) < 0.01) return x.toPrecision(2);
  return String(Math.round(x * 100) / 100);
}

const taskLabel = (id: string) => `任务「${id}」`;

interface TaskInfo {
  task: SimTask;
  /** Position in draw order. */
  pos: number;
  start: string;
  excluded: Map<string, ExclusionRule>;
  candidates: Record<Stratum, number>;
  eligible: Record<Stratum, number>;
  x: Record<Stratum, Rational>;
  pi: Record<Stratum, Rational>;
  stratumOf: Map<string, Stratum>;
  /** Eligible today with π > 0: can be selected in some simulated year. */
  possible: Set<string>;
  atRisk: Set<string>;
  incoming: Set<number>;
  outgoing: Set<number>;
}

function perStratum<T>(f: (s: Stratum) => T): Record<Stratum, T> {
  return Object.fromEntries(STRATA.map((s) => [s, f(s)])) as Record<Stratum, T>;
}

function validate(input: SimulationInput, opts: SimulationOptions): { runs: number; seedHex: string } {
  const ids = new Set<string>();
  for (const t of input.tasks) {
    if (!t.id) throw new Error('每个任务都需要 id');
    if (ids.has(t.id)) throw new Error(`任务 id 重复：${t.id}`);
    ids.add(t.id);
    const seen = new Set<string>();
    for (const e of t.frame) {
      if (seen.has(e.uscc)) throw new Error(`${taskLabel(t.id)}的抽查对象名录中 ${e.uscc} 出现两次`);
      seen.add(e.uscc);
    }
  }
  const runs = opts.runs ?? DEFAULT_RUNS;
  if (!Number.isInteger(runs) || runs < 1 || runs > 1_000_000) throw new Error('runs 须为 1 至 1000000 之间的整数');
  const seedHex = (opts.seedHex ?? DEFAULT_SIMULATION_SEED).toLowerCase();
  if (!/^[0-9a-f]{32,}$/.test(seedHex)) throw new Error('seedHex 须为至少 32 位的十六进制字符串');
  return { runs, seedHex };
}

/** Per-task figures against today's history (what the draw would publish if drawn now). */
function analyseTask(task: SimTask, pos: number, history: HistoryRow[]): TaskInfo {
  const excluded = applyExclusions(task.params, task.frame, history);
  const candidates = perStratum(() => 0);
  const eligible = perStratum(() => 0);
  const stratumOf = new Map<string, Stratum>();
  for (const e of task.frame) {
    stratumOf.set(e.uscc, e.stratum);
    candidates[e.stratum]++;
    if (!excluded.has(e.uscc)) eligible[e.stratum]++;
  }
  const x = targets(task.params, eligible);
  const pi = perStratum((s) => (eligible[s] > 0 ? x[s].div(Rational.of(eligible[s])) : ZERO));
  const possible = new Set<string>();
  for (const e of task.frame) if (!excluded.has(e.uscc) && !pi[e.stratum].isZero()) possible.add(e.uscc);
  return {
    task, pos, start: task.params.window.start, excluded, candidates, eligible, x, pi, stratumOf, possible,
    atRisk: new Set(), incoming: new Set(), outgoing: new Set(),
  };
}

/** Marks at-risk entities and coupling edges (see the module comment); returns the edges. */
function detectCoupling(infos: TaskInfo[], history: HistoryRow[]): Coupling[] {
  const inFrames = new Set(infos.flatMap((i) => i.task.frame.map((e) => e.uscc)));
  const dates = new Map<string, Set<string>>();
  for (const h of history) {
    if (!inFrames.has(h.uscc)) continue;
    let d = dates.get(h.uscc);
    if (!d) dates.set(h.uscc, (d = new Set()));
    d.add(h.date);
  }
  const edges = new Map<string, Coupling>();
  const edge = (t: TaskInfo, u: TaskInfo, rule: Coupling['rule'], uscc: string, counted: Set<string>) => {
    const key = `${t.pos}|${u.pos}|${rule}`;
    let c = edges.get(key);
    if (!c) edges.set(key, (c = { from: t.task.id, to: u.task.id, rule, entities: 0 }));
    if (!counted.has(`${key}|${uscc}`)) {
      counted.add(`${key}|${uscc}`);
      c.entities++;
    }
    t.outgoing.add(u.pos);
    u.incoming.add(t.pos);
  };
  const counted = new Set<string>();
  for (const u of infos) {
    const { yearlyCap: cap, lookbackDays } = u.task.params.exclusions;
    if (cap === null && lookbackDays === null) continue;
    const prefix = `${u.task.params.year}-`;
    const lookbackFrom = lookbackDays ? minusDays(u.start, lookbackDays) : null;
    const earlier = infos.slice(0, u.pos);
    for (const e of u.task.frame) {
      if (u.excluded.has(e.uscc)) continue;
      const known = dates.get(e.uscc);
      if (cap !== null) {
        const visited = known ? [...known].filter((d) => d.startsWith(prefix)).length : 0;
        const newDates = new Map<string, TaskInfo[]>();
        for (const t of earlier) {
          if (!t.possible.has(e.uscc) || !t.start.startsWith(prefix) || known?.has(t.start)) continue;
          const list = newDates.get(t.start);
          if (list) list.push(t);
          else newDates.set(t.start, [t]);
        }
        if (newDates.size > 0 && visited + newDates.size >= cap) {
          u.atRisk.add(e.uscc);
          for (const ts of newDates.values()) for (const t of ts) edge(t, u, 'yearly-cap', e.uscc, counted);
        }
      }
      if (lookbackFrom !== null) {
        for (const t of earlier) {
          // The draw counts only visits before the window (§6): a task with the same start merges instead.
          if (!t.possible.has(e.uscc) || t.start < lookbackFrom || t.start >= u.start) continue;
          u.atRisk.add(e.uscc);
          edge(t, u, 'lookback', e.uscc, counted);
        }
      }
    }
  }
  return [...edges.values()];
}

/** Uniform n-subset of {0, …, N−1} (Floyd's algorithm). */
function sampleIndices(N: number, n: number, rand: () => number): number[] {
  if (n >= N) return Array.from({ length: N }, (_, i) => i);
  const chosen = new Set<number>();
  for (let j = N - n; j < N; j++) {
    const t = Math.floor(rand() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen];
}

interface McTaskState {
  info: TaskInfo;
  /** `draw`: given history rows that a rule of this task can read (frame entities only). */
  history: HistoryRow[];
  /** `fast`: entity indices eligible today, per stratum. */
  eligibleToday: Record<Stratum, Int32Array>;
  /** `fast`: 1 for the entity indices eligible today. */
  eligibleMark: Uint8Array;
  /**
   * `fast`: applyExclusions' verdict per (entity, earlier simulated tasks that selected it), as
   * entity × 2^k + bit mask (k = the task's place among the simulated ones): -1 not yet known,
   * 0 eligible, 1 excluded. An entity's status depends on its own history rows only, and its
   * simulated rows are determined by that mask. Null when the table would be too large.
   */
  verdicts: Int8Array | null;
  stride: number;
  selectedSum: number;
  eligibleSum: Record<Stratum, number>;
  nSum: Record<Stratum, number>;
}

/**
 * History rows a task's rules can read (a superset): its frame's entities, dated in its year or on or
 * after the start of its look-back. Dropping the others changes no exclusion (§6).
 */
function relevantHistory(info: TaskInfo, history: HistoryRow[], only: Set<string>): HistoryRow[] {
  const { year, exclusions, window } = info.task.params;
  const prefix = `${year}-`;
  const from = exclusions.lookbackDays ? minusDays(window.start, exclusions.lookbackDays) : null;
  return history.filter(
    (h) => only.has(h.uscc) && ((exclusions.yearlyCap !== null && h.date.startsWith(prefix)) || (from !== null && h.date >= from)),
  );
}

interface McOutcome {
  engine: SimulationEngine;
  hits: Int32Array;
  totals: Int32Array;
  tasks: McTaskState[];
}

/**
 * The simulated years. `fast` re-runs `applyExclusions` each year only on the task's entities whose
 * history changed in that year (those selected by an earlier simulated task): the others see the
 * same history rows as today, so they keep today's status — the same outcome as running it on the
 * whole frame with the whole history, which `draw` does.
 */
function monteCarlo(
  mcInfos: TaskInfo[],
  history: HistoryRow[],
  usccs: string[],
  index: Map<string, number>,
  runs: number,
  seedHex: string,
  engineOpt: SimulationOptions['engine'],
): McOutcome {
  const work = runs * mcInfos.reduce((s, i) => s + i.task.frame.length, 0);
  const engine: SimulationEngine = engineOpt === 'draw' || engineOpt === 'fast' ? engineOpt : work <= DRAW_ENGINE_BUDGET ? 'draw' : 'fast';
  const nEntities = usccs.length;
  const tasks: McTaskState[] = mcInfos.map((info, k) => {
    const eligibleMark = new Uint8Array(engine === 'fast' ? nEntities : 0);
    const lists = perStratum<number[]>(() => []);
    if (engine === 'fast') {
      for (const e of info.task.frame) {
        if (info.excluded.has(e.uscc)) continue;
        const i = index.get(e.uscc)!;
        eligibleMark[i] = 1;
        lists[e.stratum].push(i);
      }
    }
    return {
      info,
      history: engine === 'draw' ? relevantHistory(info, history, new Set(info.task.frame.map((e) => e.uscc))) : [],
      eligibleToday: perStratum((s) => Int32Array.from(lists[s])),
      eligibleMark,
      verdicts: engine === 'fast' && k <= 20 && nEntities * 2 ** k <= 1 << 24 ? new Int8Array(nEntities * 2 ** k).fill(-1) : null,
      stride: 2 ** k,
      selectedSum: 0,
      eligibleSum: perStratum(() => 0),
      nSum: perStratum(() => 0),
    };
  });
  // Today's history rows per entity (fast engine: only entities whose history changes need them).
  const givenRows: HistoryRow[][] = Array.from({ length: engine === 'fast' ? nEntities : 0 }, () => []);
  if (engine === 'fast') for (const h of history) {
    const i = index.get(h.uscc);
    if (i !== undefined) givenRows[i].push(h);
  }

  const hits = new Int32Array(nEntities);
  const totals = new Int32Array(nEntities);
  const counts = new Int32Array(nEntities);
  const excludedMark = new Uint8Array(nEntities);
  // fast: per entity, the simulated tasks (places k) that selected it in the current run, and as a bit mask.
  const selectedBy: number[][] = engine === 'fast' ? Array.from({ length: nEntities }, () => []) : [];
  const masks = new Int32Array(engine === 'fast' ? nEntities : 0);
  const departments: string[] = tasks.map(() => '');

  for (let run = 0; run < runs; run++) {
    const simulated: HistoryRow[] = [];
    const touched: number[] = [];
    for (let k = 0; k < tasks.length; k++) {
      const st = tasks[k];
      const { params, id, frame } = st.info.task;
      const workingSeed = sha256Hex(`${SIMULATION_ALGORITHM}\n${seedHex}\n${run}\n${id}`);
      const hash = seedHash(workingSeed);
      const selected: number[] = [];
      if (engine === 'draw') {
        const out = selectObjects(params, frame, st.history.concat(simulated), hash);
        for (const s of out.selected) selected.push(index.get(s.uscc)!);
        for (const s of out.strata) {
          st.eligibleSum[s.stratum] += s.eligible;
          st.nSum[s.stratum] += s.selected;
        }
      } else {
        // Entities of this task eligible today whose history changed this year.
        const changed: number[] = [];
        for (const i of touched) if (st.eligibleMark[i] === 1) changed.push(i);
        const excludedNow: number[] = [];
        const unknown: number[] = [];
        for (const i of changed) {
          const verdict = st.verdicts ? st.verdicts[i * st.stride + masks[i]] : -1;
          if (verdict === 1) excludedNow.push(i);
          else if (verdict === -1) unknown.push(i);
        }
        if (unknown.length) {
          const unknownFrame = unknown.map((i) => ({ uscc: usccs[i], stratum: st.info.stratumOf.get(usccs[i])! }));
          const rows = unknown.flatMap((i) => [
            ...givenRows[i],
            ...selectedBy[i].map((q) => ({ uscc: usccs[i], date: tasks[q].info.start, department: departments[q], officers: [] })),
          ]);
          const excluded = applyExclusions(params, unknownFrame, rows);
          for (const i of unknown) {
            const verdict = excluded.has(usccs[i]) ? 1 : 0;
            if (st.verdicts) st.verdicts[i * st.stride + masks[i]] = verdict;
            if (verdict) excludedNow.push(i);
          }
        }
        for (const i of excludedNow) excludedMark[i] = 1;
        const pool = excludedNow.length ? perStratum((s) => withoutMarked(st.eligibleToday[s], excludedMark)) : st.eligibleToday;
        for (const i of excludedNow) excludedMark[i] = 0;
        const eligible = perStratum((s) => pool[s].length);
        const n = roundTargets(targets(params, eligible), params.selection.mode, roundingOffsets(params.selection.mode, hash));
        const prng = seedrandom(workingSeed);
        const rand = () => prng.double();
        for (const s of STRATA) {
          st.eligibleSum[s] += eligible[s];
          st.nSum[s] += n[s];
          if (n[s] > 0) for (const j of sampleIndices(eligible[s], n[s], rand)) selected.push(pool[s][j]);
        }
      }
      st.selectedSum += selected.length;
      const department = (departments[k] = `draw:${workingSeed.slice(0, 16)}`);
      for (const i of selected) {
        if (counts[i]++ === 0) touched.push(i);
        if (engine === 'draw') simulated.push({ uscc: usccs[i], date: params.window.start, department, officers: [] });
        else {
          selectedBy[i].push(k);
          if (k < 31) masks[i] |= 1 << k;
        }
      }
    }
    for (const i of touched) {
      hits[i]++;
      totals[i] += counts[i];
      counts[i] = 0;
      if (engine === 'fast') {
        selectedBy[i] = [];
        masks[i] = 0;
      }
    }
  }
  return { engine, hits, totals, tasks };
}

function withoutMarked(xs: Int32Array, marked: Uint8Array): Int32Array {
  const out = new Int32Array(xs.length);
  let n = 0;
  for (let k = 0; k < xs.length; k++) if (marked[xs[k]] === 0) out[n++] = xs[k];
  return out.subarray(0, n);
}

/** Even split capped per officer, excess of the capped redistributed (water-filling). */
function waterFill(demand: number, caps: number[]): { alloc: number[]; shortfall: number } {
  const total = caps.reduce((a, b) => a + b, 0);
  if (demand >= total - EPS) return { alloc: [...caps], shortfall: Math.max(0, demand - total) };
  const order = caps.map((c, i) => i).sort((a, b) => caps[a] - caps[b]);
  const alloc = caps.map(() => 0);
  let remaining = demand;
  for (let k = 0; k < order.length; k++) {
    const level = remaining / (order.length - k);
    const i = order[k];
    if (caps[i] <= level) {
      alloc[i] = caps[i];
      remaining -= caps[i];
    } else {
      for (let j = k; j < order.length; j++) alloc[order[j]] = level;
      break;
    }
  }
  return { alloc, shortfall: 0 };
}

export function simulatePlan(input: SimulationInput, opts: SimulationOptions = {}): SimulationResult {
  const { runs, seedHex } = validate(input, opts);
  const warnings: SimulationWarning[] = [];
  const ordered = input.tasks.map((t, i) => ({ t, i })).sort((a, b) => byteOrder(a.t.params.window.start, b.t.params.window.start) || a.i - b.i);
  const infos = ordered.map(({ t }, pos) => analyseTask(t, pos, input.history));

  for (const info of infos) {
    if (info.task.params.year !== input.year) {
      warnings.push({
        code: 'TASK_YEAR_MISMATCH',
        message: `${taskLabel(info.task.id)}的年度为 ${info.task.params.year}，与计划年度 ${input.year} 不一致：年度检查上限与执法人员能力按任务自身的年度计算。`,
      });
    }
  }

  // Entities: the union of the frames, with the stratum used for perStratum.
  const entityStratum = new Map<string, Stratum>();
  const creditStratum = new Map<string, Stratum>();
  const inconsistent = new Set<string>();
  for (const info of infos) {
    const credit = info.task.params.stratifyBy === 'credit';
    for (const e of info.task.frame) {
      if (credit) {
        const prev = creditStratum.get(e.uscc);
        if (prev === undefined) creditStratum.set(e.uscc, e.stratum);
        else if (prev !== e.stratum) inconsistent.add(e.uscc);
      }
      if (!entityStratum.has(e.uscc)) entityStratum.set(e.uscc, e.stratum);
    }
  }
  for (const [u, s] of creditStratum) entityStratum.set(u, s);
  if (inconsistent.size) {
    const sample = [...inconsistent].sort(byteOrder).slice(0, 5).join('、');
    warnings.push({
      code: 'INCONSISTENT_STRATUM',
      message: `${inconsistent.size} 户主体在不同的按信用分层任务中信用等级不一致（如 ${sample}），请核对各任务的名录；统计按其在第一个按信用分层的任务中的等级。`,
    });
  }
  const usccs = [...entityStratum.keys()].sort(byteOrder);
  const index = new Map(usccs.map((u, i) => [u, i]));

  const couplings = detectCoupling(infos, input.history);
  const mcInfos = infos.filter((i) => i.incoming.size > 0 || i.outgoing.size > 0);
  const mcPos = new Set(mcInfos.map((i) => i.pos));

  // Entities that need the simulation: not deterministic in some simulated task.
  const simulatedEntity = new Uint8Array(usccs.length);
  for (const info of mcInfos) {
    const fixedPi = info.task.params.selection.mode === 'rates' || info.incoming.size === 0;
    for (const e of info.task.frame) {
      const deterministic = info.excluded.has(e.uscc) || (!info.atRisk.has(e.uscc) && fixedPi);
      if (!deterministic) simulatedEntity[index.get(e.uscc)!] = 1;
    }
  }

  const mc = mcInfos.length ? monteCarlo(mcInfos, input.history, usccs, index, runs, seedHex, opts.engine) : null;

  // Per entity: the tasks listing it.
  const tasksOf = new Map<string, TaskInfo[]>();
  for (const info of infos) for (const e of info.task.frame) {
    const list = tasksOf.get(e.uscc);
    if (list) list.push(info);
    else tasksOf.set(e.uscc, [info]);
  }
  const piOf = (info: TaskInfo, uscc: string): Rational => (info.excluded.has(uscc) ? ZERO : info.pi[info.stratumOf.get(uscc)!]);

  const memo = new Map<string, { p: Rational; e: Rational }>();
  const entities: EntityResult[] = usccs.map((uscc, i) => {
    const simulated = simulatedEntity[i] === 1;
    const exactTasks = tasksOf.get(uscc)!.filter((t) => !simulated || !mcPos.has(t.pos));
    const pis = exactTasks.map((t) => piOf(t, uscc));
    const key = pis.map((p) => p.toString()).join(',');
    let exact = memo.get(key);
    if (!exact) {
      let miss = ONE;
      let sum = ZERO;
      for (const p of pis) {
        miss = miss.mul(ONE.sub(p));
        sum = sum.add(p);
      }
      memo.set(key, (exact = { p: ONE.sub(miss), e: sum }));
    }
    if (!simulated) {
      return { uscc, stratum: entityStratum.get(uscc)!, probability: toFloat(exact.p), exact: exact.p.toString(), expectedInspections: toFloat(exact.e), expectedExact: exact.e.toString() };
    }
    const pHit = mc!.hits[i] / runs;
    const pExact = toFloat(exact.p);
    const probability = pExact + (1 - pExact) * pHit; // = 1 − (1 − P_exact)(1 − P_simulated)
    return { uscc, stratum: entityStratum.get(uscc)!, probability, expectedInspections: toFloat(exact.e) + mc!.totals[i] / runs };
  });

  const strataResult: StratumResult[] = STRATA.map((stratum) => {
    const mine = entities.filter((e) => e.stratum === stratum);
    return {
      stratum,
      entities: mine.length,
      expectedInspections: mine.reduce((s, e) => s + e.expectedInspections, 0),
      expectedInspected: mine.reduce((s, e) => s + e.probability, 0),
    };
  }).filter((s) => s.entities > 0);

  // Per task, then officers in draw order.
  const mcState = new Map(mc?.tasks.map((st) => [st.info.pos, st]) ?? []);
  const officerCapacity = new Map<string, { department: string; capacity: number }>();
  for (const info of infos) for (const o of info.task.officers) {
    const cur = officerCapacity.get(o.certificateNo);
    if (!cur) officerCapacity.set(o.certificateNo, { department: o.department, capacity: Math.max(0, o.capacity) });
    else cur.capacity = Math.max(cur.capacity, o.capacity);
  }
  const load = new Map<string, number>();
  const byTask = new Map<string, { task: string; load: number }[]>();

  const perTask: TaskResult[] = infos.map((info) => {
    const st = mcState.get(info.pos);
    const exact = info.incoming.size === 0;
    const sumX = STRATA.reduce((s, x) => s.add(info.x[x]), ZERO);
    const expectedSelected = exact ? toFloat(sumX) : st!.selectedSum / runs;
    const strata: TaskStratumResult[] = STRATA.map((s) => ({
      stratum: s,
      candidates: info.candidates[s],
      eligible: info.eligible[s],
      target: info.x[s].toString(),
      inclusionProbability: info.pi[s].toString(),
      expectedSelected: exact ? toFloat(info.x[s]) : st!.nSum[s] / runs,
      ...(st ? { expectedEligible: st.eligibleSum[s] / runs } : {}),
    }));

    const departments: TaskDepartmentResult[] = info.task.params.departments.map((d) => {
      const officers = info.task.officers.filter((o) => o.department === d.code);
      const demand = expectedSelected * d.officersPerTeam;
      if (officers.length === 0) {
        warnings.push({
          code: 'NO_OFFICERS',
          message: `${taskLabel(info.task.id)}的参与部门 ${d.code} 没有符合条件的执法人员（每组需 ${d.officersPerTeam} 人，预计 ${fmt(demand)} 人次），该任务无法组成检查组。`,
        });
        return { code: d.code, officersPerTeam: d.officersPerTeam, officers: 0, expectedSlots: demand, available: 0, shortfall: demand };
      }
      const caps = officers.map((o) => Math.min(Math.max(0, officerCapacity.get(o.certificateNo)!.capacity - (load.get(o.certificateNo) ?? 0)), expectedSelected));
      const { alloc, shortfall } = waterFill(demand, caps);
      const available = caps.reduce((a, b) => a + b, 0);
      officers.forEach((o, k) => {
        const add = alloc[k] + shortfall / officers.length;
        load.set(o.certificateNo, (load.get(o.certificateNo) ?? 0) + add);
        const list = byTask.get(o.certificateNo) ?? [];
        list.push({ task: info.task.id, load: add });
        byTask.set(o.certificateNo, list);
      });
      if (shortfall > EPS) {
        const few = officers.length < d.officersPerTeam ? `；每组需 ${d.officersPerTeam} 人，而仅有 ${officers.length} 名符合条件的执法人员` : '';
        warnings.push({
          code: 'CAPACITY_SHORT',
          message: `${taskLabel(info.task.id)}中部门 ${d.code} 预计需要 ${fmt(demand)} 人次（预计抽中 ${fmt(expectedSelected)} 户 × 每组 ${d.officersPerTeam} 人），${officers.length} 名执法人员剩余可承担约 ${fmt(available)} 人次，缺口约 ${fmt(shortfall)} 人次${few}。`,
        });
      }
      return { code: d.code, officersPerTeam: d.officersPerTeam, officers: officers.length, expectedSlots: demand, available, shortfall };
    });

    return {
      id: info.task.id,
      windowStart: info.start,
      exact,
      coupledFrom: [...info.incoming].sort((a, b) => a - b).map((p) => infos[p].task.id),
      strata,
      expectedSelected,
      ...(exact ? { expectedSelectedExact: sumX.toString() } : {}),
      departments,
    };
  });

  const officers: OfficerResult[] = [...officerCapacity]
    .map(([certificateNo, o]) => ({ certificateNo, department: o.department, capacity: o.capacity, expectedLoad: load.get(certificateNo) ?? 0, byTask: byTask.get(certificateNo) ?? [] }))
    .sort((a, b) => byteOrder(a.department, b.department) || byteOrder(a.certificateNo, b.certificateNo));
  for (const o of officers) {
    if (o.expectedLoad > o.capacity + EPS) {
      warnings.push({
        code: 'OFFICER_OVERLOADED',
        message: `执法人员 ${o.certificateNo}（${o.department}）本年度预计承担 ${fmt(o.expectedLoad)} 次检查，超过剩余可用能力 ${o.capacity} 次，超出约 ${fmt(o.expectedLoad - o.capacity)} 次。`,
      });
    }
  }

  warnings.push(...neverInspected(infos));

  return {
    method: mc ? 'monte-carlo' : 'exact',
    ...(mc ? { runs, seed: seedHex, engine: mc.engine, simulatedTasks: mcInfos.map((i) => i.task.id), simulatedEntities: simulatedEntity.reduce((a, b) => a + b, 0) } : {}),
    couplings,
    entities,
    perStratum: strataResult,
    perTask,
    officers,
    warnings,
  };
}

/**
 * STRATUM_NEVER_INSPECTED: a stratum with candidates whose π is 0 in every task listing it
 * (today's history; per stratification basis, credit and sector grades being different things).
 * No grade is exempt unless a reason is recorded: the message gives each task's reason.
 */
function neverInspected(infos: TaskInfo[]): SimulationWarning[] {
  const out: SimulationWarning[] = [];
  for (const basis of ['credit', 'sector'] as const) {
    const mine = infos.filter((i) => i.task.params.stratifyBy === basis);
    for (const s of STRATA) {
      const listing = mine.filter((i) => i.candidates[s] > 0);
      if (listing.length === 0 || listing.some((i) => !i.pi[s].isZero())) continue;
      const entities = new Set(listing.flatMap((i) => i.task.frame.filter((e) => e.stratum === s).map((e) => e.uscc))).size;
      const reasons = listing.map((i) => {
        const ex = i.task.params.excludeStrata.find((x) => x.stratum === s);
        let why: string;
        if (ex) why = `整类排除，理由：${ex.reason}`;
        else if (i.eligible[s] === 0) why = `${i.candidates[s]} 户均因年度检查上限或回溯期被排除`;
        else why = '未设抽查比例或权重';
        return `${taskLabel(i.task.id)}：${why}`;
      });
      const label = basis === 'credit' ? `信用等级 ${STRATUM_LABELS[s]}` : `行业风险等级 ${s}`;
      out.push({
        code: 'STRATUM_NEVER_INSPECTED',
        message: `${label}有 ${entities} 户主体，但在列有该等级的全部 ${listing.length} 个任务中被抽中的概率均为 0（${reasons.join('；')}）。除非记录了理由，任何等级都不得免于抽查。`,
      });
    }
  }
  return out;
}
