/**
 * Frame, exclusions, targets, systematic rounding and per-stratum selection
 * (docs/draw-algorithm.md §6–8). Pure: inputs in, selection out.
 */
import { Rational } from './rational.ts';
import { STRATA, type DrawParams, type Stratum } from './params.ts';
import { compareTickets, ticketKey, ticketOf } from './tickets.ts';

export type ExclusionRule = 'stratum-excluded' | 'yearly-cap' | 'lookback';
export const EXCLUSION_RULES: ExclusionRule[] = ['stratum-excluded', 'yearly-cap', 'lookback'];

export interface FrameEntity {
  uscc: string;
  stratum: Stratum;
}

export interface HistoryRow {
  uscc: string;
  date: string;
  department: string;
  officers: string[];
}

export interface StratumSummary {
  stratum: Stratum;
  candidates: number;
  excluded: Record<ExclusionRule, number>;
  /** N_S: eligible entities. */
  eligible: number;
  target: Rational;
  selected: number;
  /** π_S = x_S / N_S (0 when N_S = 0). */
  inclusionProbability: Rational;
  cutoff: string | null;
}

export interface Selected {
  uscc: string;
  stratum: Stratum;
  ticket: string;
}

export interface SelectionOutcome {
  strata: StratumSummary[];
  /** The rounding offsets' 18 digits, keyed by the identifier whose ticket gave them. */
  roundingOffsets: Record<string, string>;
  /** Selected entities in visit order (by ticket). */
  selected: Selected[];
  /** Excluded entities with the rule that excluded them. */
  excluded: { uscc: string; rule: ExclusionRule }[];
}

/** Days before a date, as YYYY-MM-DD (calendar arithmetic in UTC: dates carry no time zone). */
export function minusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** Which rule, if any, excludes each entity (§6). */
export function applyExclusions(params: DrawParams, frame: FrameEntity[], history: HistoryRow[]): Map<string, ExclusionRule> {
  const out = new Map<string, ExclusionRule>();
  const excludedStrata = new Set(params.excludeStrata.map((e) => e.stratum));
  const yearPrefix = `${params.year}-`;
  const lookbackFrom = params.exclusions.lookbackDays ? minusDays(params.window.start, params.exclusions.lookbackDays) : null;
  // Visits in the year are distinct dates: a joint visit recorded by two departments is one visit.
  const visitDates = new Map<string, Set<string>>();
  const recent = new Set<string>();
  for (const h of history) {
    if (h.date.startsWith(yearPrefix)) {
      let dates = visitDates.get(h.uscc);
      if (!dates) visitDates.set(h.uscc, (dates = new Set()));
      dates.add(h.date);
    }
    // Only visits before the window: concurrent tasks are merged into one visit, not excluded.
    if (lookbackFrom && h.date >= lookbackFrom && h.date < params.window.start) recent.add(h.uscc);
  }
  const cap = params.exclusions.yearlyCap;
  for (const e of frame) {
    if (excludedStrata.has(e.stratum)) out.set(e.uscc, 'stratum-excluded');
    else if (cap !== null && (visitDates.get(e.uscc)?.size ?? 0) >= cap) out.set(e.uscc, 'yearly-cap');
    else if (recent.has(e.uscc)) out.set(e.uscc, 'lookback');
  }
  return out;
}

/** Targets x_S (§7), exact. */
export function targets(params: DrawParams, eligible: Record<Stratum, number>): Record<Stratum, Rational> {
  const x = Object.fromEntries(STRATA.map((s) => [s, Rational.of(0)])) as Record<Stratum, Rational>;
  if (params.selection.mode === 'rates') {
    for (const s of STRATA) {
      const rate = params.selection.rates[s];
      if (rate !== undefined && eligible[s] > 0) x[s] = Rational.decimal(rate).mul(Rational.of(eligible[s]));
    }
    return x;
  }
  const weights = params.selection.weights;
  const total = STRATA.reduce((sum, s) => sum + eligible[s], 0);
  let remaining = Rational.of(Math.min(params.selection.total, total));
  let uncapped = STRATA.filter((s) => eligible[s] > 0 && weights[s] !== undefined);
  for (;;) {
    const denom = uncapped.reduce((sum, s) => sum.add(Rational.decimal(weights[s]!).mul(Rational.of(eligible[s]))), Rational.of(0));
    if (denom.isZero()) break;
    const trial = new Map(uncapped.map((s) => [s, remaining.mul(Rational.decimal(weights[s]!)).mul(Rational.of(eligible[s])).div(denom)]));
    const capped = uncapped.filter((s) => trial.get(s)!.cmp(Rational.of(eligible[s])) >= 0);
    if (capped.length === 0) {
      for (const [s, v] of trial) x[s] = v;
      break;
    }
    for (const s of capped) {
      x[s] = Rational.of(eligible[s]);
      remaining = remaining.sub(Rational.of(eligible[s]));
    }
    uncapped = uncapped.filter((s) => !capped.includes(s));
    if (uncapped.length === 0) break;
  }
  return x;
}

const SCALE = 10n ** 18n;

/** The identifiers whose tickets give the rounding offsets of a mode (§7). */
export function roundingIds(mode: DrawParams['selection']['mode']): string[] {
  return mode === 'rates' ? STRATA.map((s) => `~rounding/${s}`) : ['~rounding'];
}

/** Offset digits (first 18 digits of each identifier's ticket), keyed by identifier. */
export function roundingOffsets(mode: DrawParams['selection']['mode'], seedHashHex: string): Record<string, string> {
  return Object.fromEntries(roundingIds(mode).map((id) => [id, ticketOf(seedHashHex, id).slice(2, 20)]));
}

/**
 * n_S from x_S (§7): in mode 'rates' each stratum rounds with its own offset (a change in one
 * stratum never moves another); in mode 'total' systematic rounding keeps Σ n_S at the total.
 */
export function roundTargets(x: Record<Stratum, Rational>, mode: DrawParams['selection']['mode'], offsets: Record<string, string>): Record<Stratum, number> {
  const n = {} as Record<Stratum, number>;
  if (mode === 'rates') {
    for (const s of STRATA) {
      const f = x[s].sub(Rational.of(x[s].floor()));
      const u = new Rational(BigInt(offsets[`~rounding/${s}`]), SCALE);
      n[s] = Number(x[s].floor()) + (u.cmp(f) < 0 ? 1 : 0);
    }
    return n;
  }
  const u = new Rational(BigInt(offsets['~rounding']), SCALE);
  let before = Rational.of(0);
  for (const s of STRATA) {
    const f = x[s].sub(Rational.of(x[s].floor()));
    const after = before.add(f);
    n[s] = Number(x[s].floor() + u.add(after).floor() - u.add(before).floor());
    before = after;
  }
  return n;
}

/** Frame → strata summaries and the selection (§6–8). */
export function selectObjects(params: DrawParams, frame: FrameEntity[], history: HistoryRow[], seedHashHex: string): SelectionOutcome {
  const exclusions = applyExclusions(params, frame, history);
  const byStratum = new Map<Stratum, string[]>(STRATA.map((s) => [s, []]));
  const candidates = Object.fromEntries(STRATA.map((s) => [s, 0])) as Record<Stratum, number>;
  const excludedCounts = Object.fromEntries(STRATA.map((s) => [s, { 'stratum-excluded': 0, 'yearly-cap': 0, lookback: 0 }])) as Record<
    Stratum,
    Record<ExclusionRule, number>
  >;
  for (const e of frame) {
    candidates[e.stratum]++;
    const rule = exclusions.get(e.uscc);
    if (rule) excludedCounts[e.stratum][rule]++;
    else byStratum.get(e.stratum)!.push(e.uscc);
  }
  const eligible = Object.fromEntries(STRATA.map((s) => [s, byStratum.get(s)!.length])) as Record<Stratum, number>;
  const x = targets(params, eligible);
  const offsets = roundingOffsets(params.selection.mode, seedHashHex);
  const n = roundTargets(x, params.selection.mode, offsets);

  const strata: StratumSummary[] = [];
  const selected: Selected[] = [];
  for (const s of STRATA) {
    // One more than n_S: the first unselected ticket bounds the published cutoff from above.
    const ranked = smallestTickets(byStratum.get(s)!, n[s] + 1, seedHashHex);
    const chosen = ranked.slice(0, n[s]);
    for (const c of chosen) selected.push({ uscc: c.uscc, stratum: s, ticket: c.ticket });
    strata.push({
      stratum: s,
      candidates: candidates[s],
      excluded: excludedCounts[s],
      eligible: eligible[s],
      target: x[s],
      selected: n[s],
      inclusionProbability: eligible[s] > 0 ? x[s].div(Rational.of(eligible[s])) : Rational.of(0),
      cutoff: chosen.length ? cutoffBetween(chosen[chosen.length - 1].ticket, ranked[n[s]]?.ticket ?? null) : null,
    });
  }
  selected.sort((a, b) => compareTickets(a.ticket, b.ticket));
  return {
    strata,
    roundingOffsets: offsets,
    selected,
    excluded: [...exclusions].map(([uscc, rule]) => ({ uscc, rule })).sort((a, b) => (a.uscc < b.uscc ? -1 : 1)),
  };
}

/**
 * The published cutoff of a stratum (§8): the shortest decimal c with last ≤ c < next, where
 * `last` is the stratum's last selected ticket and `next` its first unselected one ("1" when
 * every eligible entity is selected). It is never an entity's own ticket, so it does not point
 * at the entity whose grade would otherwise be given away.
 */
export function cutoffBetween(last: string, next: string | null): string {
  if (next === null) return '1';
  let i = 0;
  while (i < last.length && last[i] === next[i]) i++;
  return next.slice(0, i + 1);
}

/**
 * The k entities with the smallest tickets, in ticket order. Orders by the 18-digit key (two
 * 9-digit halves in typed arrays, no object per entity) and settles equal keys with the full
 * ticket, so the result equals sorting by full tickets. Only the candidates under a threshold
 * on the first half are sorted: a histogram finds the smallest threshold that keeps ≥ k.
 */
export function smallestTickets(usccs: string[], k: number, seedHashHex: string): { uscc: string; ticket: string }[] {
  const total = usccs.length;
  if (k <= 0 || total === 0) return [];
  const hi = new Uint32Array(total);
  const lo = new Uint32Array(total);
  const BUCKETS = 1 << 16;
  const histogram = new Uint32Array(BUCKETS);
  const bucketOf = (a: number) => Math.floor((a / 1e9) * BUCKETS);
  for (let i = 0; i < total; i++) {
    const [a, b] = ticketKey(seedHashHex, usccs[i]);
    hi[i] = a;
    lo[i] = b;
    histogram[bucketOf(a)]++;
  }
  // The bucket in which the k-th smallest key falls; everything up to it is a candidate.
  let last = 0;
  for (let seen = 0; last < BUCKETS; last++) {
    seen += histogram[last];
    if (seen >= k) break;
  }
  const candidates: number[] = [];
  for (let i = 0; i < total; i++) if (bucketOf(hi[i]) <= last) candidates.push(i);
  candidates.sort((p, q) => hi[p] - hi[q] || lo[p] - lo[q]);
  // Extend past k while keys tie with the k-th, then order that head by full tickets.
  let end = Math.min(k, candidates.length);
  while (end < candidates.length && hi[candidates[end]] === hi[candidates[end - 1]] && lo[candidates[end]] === lo[candidates[end - 1]]) end++;
  const head = candidates.slice(0, end).map((i) => ({ uscc: usccs[i], ticket: ticketOf(seedHashHex, usccs[i]) }));
  head.sort((p, q) => compareTickets(p.ticket, q.ticket));
  return head.slice(0, k);
}
