/**
 * The public statistics (统计图表) over published results: results per result code, per street and
 * month of inspection, and the share that found a problem per grade at the draw. Pure: the
 * service reads the published results and, for the last one, the stratum each was drawn in.
 * Aggregates only: a grade with fewer than MIN_GROUP results is left out (publicPrivacy.ts).
 */
import { STRATA, type Stratum } from './draw/params.ts';
import { RESULT_CODES } from './registry.ts';
import { RESULT_CODE_ORDER } from './results.ts';
import { MIN_GROUP, stratumLabel } from './publicPrivacy.ts';

/** Codes meaning a problem was found (A/E and the kinds under them, 8 不配合检查情节严重). */
export const PROBLEM_CODES = ['A', 'E', '2', 'B', 'C', '6', 'D', '3', '4', '5', '8'] as const;

export const hasProblem = (codes: readonly string[]) => codes.some((c) => (PROBLEM_CODES as readonly string[]).includes(c));

/** Published results per result code, in the national standard's order (a result counts once under each code it has). */
export function countByResultCode(results: readonly { codes: readonly string[] }[]) {
  const counts = new Map<string, number>();
  for (const r of results) for (const c of r.codes) counts.set(c, (counts.get(c) ?? 0) + 1);
  return {
    results: results.length,
    categories: RESULT_CODE_ORDER.filter((c) => counts.has(c)).map((code) => ({ code, label: RESULT_CODES[code], count: counts.get(code)! })),
  };
}

/** Published results per street (未知 without one) and month (YYYY-MM) of inspection, by month then street. */
export function countByStreetMonth(results: readonly { street: string | null; inspectedOn: string }[]) {
  const counts = new Map<string, number>();
  for (const r of results) {
    const key = `${r.street ?? '未知'}|${r.inspectedOn.slice(0, 7)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return {
    results: results.length,
    cells: [...counts.entries()]
      .map(([k, count]) => {
        const [street, month] = k.split('|');
        return { street, month, count };
      })
      .sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : a.street < b.street ? -1 : a.street > b.street ? 1 : 0)),
  };
}

export interface ProblemRateGroup {
  stratum: Stratum;
  label: string;
  results: number;
  withProblems: number;
  /** withProblems / results */
  rate: number;
}

/**
 * Share of results that found a problem, per stratum the entity was drawn in. A stratum with
 * fewer than MIN_GROUP results is not shown, only counted in `hidden`.
 */
export function problemRatesByStratum(results: readonly { stratum: string; codes: readonly string[] }[]): { minGroup: number; groups: ProblemRateGroup[]; hidden: number } {
  const groups = new Map<string, { results: number; withProblems: number }>();
  for (const r of results) {
    const g = groups.get(r.stratum) ?? { results: 0, withProblems: 0 };
    g.results++;
    if (hasProblem(r.codes)) g.withProblems++;
    groups.set(r.stratum, g);
  }
  const shown = STRATA.filter((s) => (groups.get(s)?.results ?? 0) >= MIN_GROUP).map((s) => {
    const g = groups.get(s)!;
    return { stratum: s, label: stratumLabel(s), results: g.results, withProblems: g.withProblems, rate: g.withProblems / g.results };
  });
  return { minGroup: MIN_GROUP, groups: shown, hidden: STRATA.filter((s) => groups.has(s) && groups.get(s)!.results < MIN_GROUP).length };
}
