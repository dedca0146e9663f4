/**
 * Published results (已公示的抽查结果) in the stable open-data shape (docs/open-data.md): the
 * listing behind /api/v1/public/results, the task page and the entity page. Only results in
 * status 'published' are read; the entity's name is shown as published (operator masked), and
 * no grade or officer appears.
 */
import * as repo from '../../db/repositories/publicQueries.ts';
import * as plansRepo from '../../db/repositories/plans.ts';
import type { Executor } from '../../db/connection.ts';
import { publicEntityName } from '../../domain/publicPrivacy.ts';
import { RESULT_CODES } from '../../domain/registry.ts';
import { departmentMap, departmentsOfTask, entityTypeLabel, type Page, type Paged } from './common.ts';

/** One published result, in the stable open-data shape (docs/open-data.md). */
export interface PublicResult {
  resultId: string;
  uscc: string;
  entityName: string;
  entityType: string;
  street: string | null;
  year: number;
  tasks: { id: string; name: string }[];
  departments: { code: string; name: string }[];
  inspectedOn: string;
  method: string;
  resultCodes: string[];
  resultLabels: string[];
  followUp: string[];
  publishedAt: string | null;
}

/** Published results by inspection date, entity and id; a merged visit lists every task it belongs to. */
export async function listPublishedResults(db: Executor, filter: repo.ResultFilter, page: Page): Promise<Paged<PublicResult>> {
  const { rows, total } = await repo.listPublishedResults(db, filter, page);
  const taskIds = [...new Set(rows.flatMap((r) => r.task_ids))];
  const tasks = new Map((await plansRepo.tasksByIds(db, taskIds)).map((t) => [t.id, t]));
  const depts = await departmentMap(db, [...tasks.values()].flatMap((t) => departmentsOfTask(t.departments)));
  const items = rows.map((r) => {
    const ids = r.task_ids;
    const codes = r.codes;
    const deptCodes = [...new Set(ids.flatMap((tid) => (tasks.get(tid) ? departmentsOfTask(tasks.get(tid)!.departments) : [])))];
    return {
      resultId: r.id,
      uscc: r.uscc,
      entityName: publicEntityName(r, r.uscc),
      entityType: entityTypeLabel(r.entity_type),
      street: r.street,
      year: Number(r.year),
      tasks: ids.map((tid) => ({ id: tid, name: tasks.get(tid)?.name ?? tid })),
      departments: deptCodes.map((code) => ({ code, name: depts.get(code) ?? code })),
      inspectedOn: r.inspected_on,
      method: r.method,
      resultCodes: codes,
      resultLabels: codes.map((c) => RESULT_CODES[c] ?? c),
      followUp: r.follow_up,
      publishedAt: r.published_at,
    };
  });
  return { items, total, limit: page.limit, offset: page.offset };
}
