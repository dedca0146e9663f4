/**
 * The public statistics (统计图表) behind the charts: published results by result code, by street
 * and month of inspection, and the problem rate per credit grade at the draw. This module reads
 * the published results; the counting and the small-group rule are src/domain/publicStatistics.ts.
 */
import * as repo from '../../db/repositories/publicQueries.ts';
import * as plansRepo from '../../db/repositories/plans.ts';
import type { Executor } from '../../db/connection.ts';
import { countByResultCode, countByStreetMonth, problemRatesByStratum } from '../../domain/publicStatistics.ts';

/** Published results per result code (a result counts once under each code it has). */
export async function resultsByCategory(db: Executor, year?: number) {
  return countByResultCode(await repo.publishedResultFacts(db, year));
}

/** Published results per street and month of inspection. */
export async function inspectionsByStreetMonth(db: Executor, year?: number) {
  const facts = await repo.publishedResultFacts(db, year);
  return countByStreetMonth(facts.map((f) => ({ street: f.street, inspectedOn: f.inspected_on })));
}

/**
 * Share of published results that found a problem, per credit grade the entity was drawn in
 * (its stratum at the draw; only tasks stratified by credit grade). Aggregate only: a grade with
 * fewer than MIN_GROUP results is left out, and no entity is named. A merged visit counts under
 * the first of its tasks whose draw selected the entity.
 */
export async function problemRateByGrade(db: Executor, year?: number) {
  const facts = await repo.publishedResultFacts(db, year);
  const taskIds = [...new Set(facts.flatMap((f) => f.task_ids))];
  const tasks = (await plansRepo.tasksByIds(db, taskIds)).filter((t) => t.stratify_by === 'credit' && t.draw_id);
  const drawOf = new Map(tasks.map((t) => [t.id, t.draw_id!]));
  const strata = new Map((await repo.selectionStrata(db, [...new Set(drawOf.values())])).map((s) => [`${s.draw_id}|${s.uscc}`, s.stratum]));
  const drawn: { stratum: string; codes: readonly string[] }[] = [];
  for (const f of facts) {
    let stratum: string | undefined;
    for (const t of f.task_ids) {
      const d = drawOf.get(t);
      stratum = d ? strata.get(`${d}|${f.uscc}`) : undefined;
      if (stratum) break;
    }
    if (stratum) drawn.push({ stratum, codes: f.codes });
  }
  return problemRatesByStratum(drawn);
}
