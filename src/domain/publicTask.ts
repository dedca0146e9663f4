/**
 * How a task reads on its public page (一公开), the pure part: rates and inclusion probabilities
 * as exact percentages, the per-grade table of a draw (aggregates only: no entity's grade), and
 * whether the results were published within the 20 working days (公示时限).
 */
import { Rational } from './draw/rational.ts';
import { STRATA, type DrawParams, type Stratum } from './draw/params.ts';
import { stratumLabel } from './publicPrivacy.ts';

/** '0.03' → '3%', '1/3' → '33.3333%': exact (no floating point), to `digits` decimals. */
export function percentOf(decimalOrFraction: string, digits = 4): string {
  const r = decimalOrFraction.includes('/') ? Rational.parse(decimalOrFraction) : Rational.decimal(decimalOrFraction);
  return `${r.mul(Rational.of(100)).toDecimal(digits)}%`;
}

/** What a draw recorded of one stratum (the draw's summary): counts and the exact π_S as 'p/q'. */
export interface DrawnStratum {
  stratum: string;
  candidates: number;
  excluded: Record<string, number>;
  eligible: number;
  selected: number;
  inclusionProbability: string;
}

export interface PublicStratum {
  stratum: Stratum;
  label: string;
  /** The rate set for the grade, as a percentage (rates mode). */
  rate: string | null;
  /** The weight set for the grade (total mode). */
  weight: string | null;
  excludedReason: string | null;
  candidates: number | null;
  excludedCount: number | null;
  eligible: number | null;
  selected: number | null;
  inclusionProbability: string | null;
  inclusionProbabilityExact: string | null;
}

/**
 * One row per grade the task sets a rate or weight for, excludes, or had candidates in: the
 * settings, and once drawn the counts and the inclusion probability. Counts come from the draw
 * (`drawn`, null before a draw) and are per grade, never per entity.
 */
export function publicStrata(
  selection: DrawParams['selection'],
  excludeStrata: readonly { stratum: Stratum; reason: string }[],
  drawn: readonly DrawnStratum[] | null,
): PublicStratum[] {
  return STRATA.map((s) => {
    const setting = selection.mode === 'rates' ? selection.rates[s] : selection.weights[s];
    const excluded = excludeStrata.find((e) => e.stratum === s);
    const st = drawn?.find((x) => x.stratum === s);
    return {
      stratum: s,
      label: stratumLabel(s),
      rate: selection.mode === 'rates' && setting !== undefined ? percentOf(String(setting)) : null,
      weight: selection.mode === 'total' && setting !== undefined ? String(setting) : null,
      excludedReason: excluded?.reason ?? null,
      candidates: st?.candidates ?? null,
      excludedCount: st ? Object.values(st.excluded).reduce((a, b) => a + b, 0) : null,
      eligible: st?.eligible ?? null,
      selected: st?.selected ?? null,
      inclusionProbability: st ? percentOf(st.inclusionProbability) : null,
      inclusionProbabilityExact: st?.inclusionProbability ?? null,
    };
  }).filter((s) => s.rate !== null || s.weight !== null || s.excludedReason !== null || (s.candidates ?? 0) > 0);
}

export type DeadlineState = 'met' | 'met-late' | 'open' | 'overdue' | 'not-started';

export interface DeadlineView {
  state: DeadlineState;
  label: string;
  startsOn: string | null;
  dueOn: string | null;
  metOn: string | null;
  warnings: string[];
}

/** A task's publication deadline as the scheduler stored it (dates YYYY-MM-DD, Asia/Shanghai). */
export interface PublicationDeadline {
  startsOn: string;
  dueOn: string;
  /** The scheduler's state: 'open', 'approaching', 'overdue' or 'met'. */
  state: string;
  metOn: string | null;
  /** Calendar gaps the working-day count ran into (docs/calendar.md). */
  warnings: string[];
}

/**
 * Whether the results were published within the 20 working days, judged on `today` (not by the
 * scheduler's last run): met on time, met late, overdue, or still open. No deadline yet (the
 * inspections have not ended): not started.
 */
export function publicationDeadlineView(d: PublicationDeadline | undefined, today: string): DeadlineView {
  if (!d) return { state: 'not-started', label: '检查尚未结束，公示时限尚未起算', startsOn: null, dueOn: null, metOn: null, warnings: [] };
  const base = { startsOn: d.startsOn, dueOn: d.dueOn, metOn: d.metOn, warnings: d.warnings };
  if (d.state === 'met' && d.metOn) {
    return d.metOn <= d.dueOn
      ? { ...base, state: 'met', label: `已按时公示（${d.metOn}，时限 ${d.dueOn}）` }
      : { ...base, state: 'met-late', label: `逾期公示（${d.metOn}，时限 ${d.dueOn}）` };
  }
  if (d.dueOn < today) return { ...base, state: 'overdue', label: `已超过公示时限（${d.dueOn}），结果尚未全部公示` };
  return { ...base, state: 'open', label: `公示时限 ${d.dueOn}（检查结束后 20 个工作日内）` };
}
