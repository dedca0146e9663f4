/**
 * Published plans and tasks (抽查计划、抽查任务): the tasks the public may see — from their
 * commitment on, or once they have had a draw (a voided draw keeps its task public) — grouped by
 * plan, and one task's page: matters, scope, per-grade rates and inclusion probabilities, the
 * commitment, the public randomness, the draw and its selected entities, voided draws, the
 * published results and whether they came within the 20 working days.
 *
 * No entity's grade appears: strata are counted (src/domain/publicTask.ts), never attached to an
 * entity; selected entities are named as published (src/domain/publicPrivacy.ts).
 */
import * as repo from '../../db/repositories/publicQueries.ts';
import * as referenceRepo from '../../db/repositories/reference.ts';
import type { Executor } from '../../db/connection.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { TASK_STATUS_LABELS, type TaskStatus } from '../../domain/plans.ts';
import { MATTER_IMPORTANCE_LABELS, type MatterImportance } from '../../domain/registry.ts';
import { publicEntityName } from '../../domain/publicPrivacy.ts';
import { publicationDeadlineView, publicStrata, type DeadlineView } from '../../domain/publicTask.ts';
import { shanghaiDate } from '../../domain/time.ts';
import { departmentMap, departmentsOfTask, entityTypeLabel } from './common.ts';
import { bundleUrlOf } from './draws.ts';
import { listPublishedResults } from './results.ts';

export type { DeadlineState, DeadlineView } from '../../domain/publicTask.ts';

export interface PublicTaskSummary {
  id: string;
  name: string;
  year: number;
  status: TaskStatus;
  statusLabel: string;
  window: { start: string; end: string };
  matters: { code: string; name: string }[];
  departments: { code: string; name: string }[];
}

export interface PublicPlan {
  id: string;
  title: string;
  year: number;
  tasks: PublicTaskSummary[];
}

/** The public tasks grouped by plan, newest plan first. */
export async function listPublicPlans(db: Executor, filter: { year?: number } = {}): Promise<PublicPlan[]> {
  const rows = await repo.listPublicTasks(db, filter);
  const matters = new Map((await referenceRepo.mattersByCode(db, [...new Set(rows.flatMap((r) => r.matters))])).map((m) => [m.code, m.name]));
  const depts = await departmentMap(db, rows.flatMap((r) => departmentsOfTask(r.departments)));
  const plans = new Map<string, PublicPlan>();
  for (const r of rows) {
    const plan = plans.get(r.plan_id) ?? { id: r.plan_id, title: r.plan_title, year: Number(r.year), tasks: [] };
    plans.set(r.plan_id, plan);
    plan.tasks.push({
      id: r.id,
      name: r.name,
      year: Number(r.year),
      status: r.status,
      statusLabel: TASK_STATUS_LABELS[r.status],
      window: { start: r.window_start, end: r.window_end },
      matters: r.matters.map((code) => ({ code, name: matters.get(code) ?? code })),
      departments: departmentsOfTask(r.departments).map((code) => ({ code, name: depts.get(code) ?? code })),
    });
  }
  return [...plans.values()];
}

/** Years that have public tasks (for the year filters), newest first. */
export async function publicYears(db: Executor): Promise<number[]> {
  return repo.publicYears(db);
}

/** Whether the results were published within the 20 working days (judged today, not by the last scheduler run). */
export async function publicationDeadlineOf(db: Executor, taskId: string, today = shanghaiDate()): Promise<DeadlineView> {
  const d = await repo.publicationDeadline(db, taskId);
  return publicationDeadlineView(
    d && { startsOn: d.starts_on, dueOn: d.due_on, state: d.state, metOn: d.met_on, warnings: d.calendar_warnings ?? [] },
    today,
  );
}

/** Everything the task page shows. 404 for a task that is not public (a draft, or approved without a draw). */
export async function publicTask(db: Executor, id: string) {
  const t = await repo.findPublicTask(db, id);
  if (!t) throw new NotFoundError(`没有编号为 ${id} 的已公开抽查任务`, 'TASK_NOT_FOUND');
  const matterCodes = t.matters;
  const matterRows = new Map((await referenceRepo.mattersByCode(db, matterCodes)).map((m) => [m.code, m]));
  const deptCodes = departmentsOfTask(t.departments);
  const depts = await departmentMap(db, deptCodes);
  const filters = t.filters;
  const selection = t.selection;
  const exclusions = t.exclusions;

  const allDraws = await repo.drawsOfTask(db, id);
  const live = allDraws.find((d) => d.id === t.draw_id) ?? allDraws.find((d) => d.status !== 'voided');
  const strata = publicStrata(selection, t.exclude_strata, live?.summary?.strata ?? null);

  const selected = live && live.drawn_at ? await repo.selectionsOfDraw(db, live.id) : [];
  const results = await listPublishedResults(db, { taskId: id }, { limit: 1000, offset: 0 });
  return {
    id: t.id,
    name: t.name,
    number: t.number,
    plan: { id: t.plan_id, title: t.plan_title, year: Number(t.year) },
    status: t.status,
    statusLabel: TASK_STATUS_LABELS[t.status],
    window: { start: t.window_start, end: t.window_end },
    method: t.method,
    leadDepartment: { code: t.lead_department, name: depts.get(t.lead_department) ?? t.lead_department },
    departments: deptCodes.map((code) => ({ code, name: depts.get(code) ?? code })),
    matters: matterCodes.map((code) => {
      const m = matterRows.get(code);
      return { code, name: m?.name ?? code, importance: m ? MATTER_IMPORTANCE_LABELS[m.importance as MatterImportance] : null };
    }),
    scope: {
      directed: Boolean(filters.entityTypes?.length || filters.industryCodes?.length || filters.streets?.length || filters.tags?.length),
      entityTypes: (filters.entityTypes ?? []).map(entityTypeLabel),
      industryCodes: filters.industryCodes ?? [],
      streets: filters.streets ?? [],
      tags: filters.tags ?? [],
      yearlyCap: exclusions.yearlyCap ?? null,
      lookbackDays: exclusions.lookbackDays ?? null,
      stratifyBy: t.stratify_by as 'credit' | 'sector',
    },
    selectionMode: selection.mode,
    total: selection.mode === 'total' ? selection.total : null,
    strata,
    randomnessSource: t.randomness_source,
    draw: live
      ? {
          id: live.id,
          status: live.status,
          commitment: live.commitment,
          committedAt: live.committed_at,
          randomnessSource: live.randomness_source,
          randomness: live.randomness_typed,
          randomnessNormalized: live.randomness_normalized,
          workingSeed: live.working_seed,
          seededAt: live.seeded_at,
          drawnAt: live.drawn_at,
          resultDigest: live.result_digest,
          bundleUrl: bundleUrlOf(live),
        }
      : null,
    voidedDraws: allDraws
      .filter((d) => d.status === 'voided')
      .map((d) => ({ id: d.id, commitment: d.commitment, committedAt: d.committed_at, voidedAt: d.voided_at, reason: d.void_reason, bundleUrl: bundleUrlOf(d) })),
    selected: selected.map((s) => ({ rank: s.rank, uscc: s.uscc, name: publicEntityName(s, s.uscc) })),
    results: results.items,
    resultsTotal: results.total,
    deadline: await publicationDeadlineOf(db, id),
  };
}
export type PublicTask = Awaited<ReturnType<typeof publicTask>>;
