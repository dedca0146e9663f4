/** Plans, tasks, their events, merged visits and watched deadlines. */
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DeadlineTable, PlanTable, TaskEventTable, TaskTable, VisitTable } from '../schema.ts';
import type { Executor } from '../connection.ts';
import { assertTransaction } from '../tx.ts';

export type PlanRow = Selectable<PlanTable>;
export type TaskRow = Selectable<TaskTable>;

export async function insertPlan(db: Executor, row: Insertable<PlanTable>): Promise<void> {
  assertTransaction(db, 'insertPlan');
  await db.insertInto('plans').values(row).execute();
}

export async function findPlan(db: Executor, id: string): Promise<PlanRow | undefined> {
  return db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listPlans(db: Executor, year?: number): Promise<PlanRow[]> {
  let q = db.selectFrom('plans').selectAll();
  if (year) q = q.where('year', '=', year);
  return q.orderBy('year', 'desc').orderBy('organization').execute();
}

export async function nextTaskNumber(db: Executor, planId: string): Promise<number> {
  const r = await db.selectFrom('tasks').select(sql<number>`coalesce(max(number), 0)`.as('n')).where('plan_id', '=', planId).executeTakeFirstOrThrow();
  return Number(r.n) + 1;
}

export async function insertTask(db: Executor, row: Insertable<TaskTable>): Promise<void> {
  assertTransaction(db, 'insertTask');
  await db.insertInto('tasks').values(row).execute();
}

export async function findTask(db: Executor, id: string): Promise<TaskRow | undefined> {
  return db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listTasks(db: Executor, planId: string): Promise<TaskRow[]> {
  return db.selectFrom('tasks').selectAll().where('plan_id', '=', planId).orderBy('number').execute();
}

export async function tasksInStatus(db: Executor, statuses: TaskTable['status'][]): Promise<TaskRow[]> {
  return db.selectFrom('tasks').selectAll().where('status', 'in', statuses).orderBy('window_start').orderBy('id').execute();
}

/** Updates a task only if it is still in the status the caller saw; returns whether it did. */
export async function updateTaskIf(db: Executor, id: string, status: TaskTable['status'], changes: Updateable<TaskTable>): Promise<boolean> {
  assertTransaction(db, 'updateTaskIf');
  const r = await db.updateTable('tasks').set(changes).where('id', '=', id).where('status', '=', status).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertTaskEvent(db: Executor, row: Insertable<TaskEventTable>): Promise<void> {
  assertTransaction(db, 'insertTaskEvent');
  await db.insertInto('task_events').values(row).execute();
}

export async function taskEvents(db: Executor, taskId: string) {
  return db.selectFrom('task_events').selectAll().where('task_id', '=', taskId).orderBy('id').execute();
}

export async function replaceUnnotifiedVisits(db: Executor, planId: string, rows: Insertable<VisitTable>[]): Promise<void> {
  assertTransaction(db, 'replaceUnnotifiedVisits');
  const stale = db.selectFrom('visits').select('id').where('plan_id', '=', planId).where('notified_at', 'is', null);
  await db.deleteFrom('visit_officers').where('visit_id', 'in', stale).execute();
  await db.deleteFrom('visits').where('plan_id', '=', planId).where('notified_at', 'is', null).execute();
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('visits').values(rows.slice(i, i + 200)).execute();
  const members = rows.flatMap((r) => (JSON.parse(r.team) as string[]).map((c) => ({ visit_id: r.id, certificate_no: c })));
  for (let i = 0; i < members.length; i += 300) await db.insertInto('visit_officers').values(members.slice(i, i + 300)).execute();
}

export async function visitsOf(db: Executor, planId: string) {
  return db.selectFrom('visits').selectAll().where('plan_id', '=', planId).orderBy('window_start').orderBy('uscc').execute();
}

export async function upsertDeadline(db: Executor, row: Insertable<DeadlineTable>): Promise<void> {
  assertTransaction(db, 'upsertDeadline');
  await db
    .insertInto('deadlines')
    .values(row)
    .onConflict((oc) => oc.columns(['kind', 'subject']).doNothing())
    .execute();
}

export async function openDeadlines(db: Executor) {
  return db.selectFrom('deadlines').selectAll().where('state', 'in', ['open', 'approaching', 'overdue']).orderBy('due_on').execute();
}

export async function listDeadlines(db: Executor, filter: { taskId?: string; kind?: string } = {}) {
  let q = db.selectFrom('deadlines').selectAll();
  if (filter.taskId) q = q.where('task_id', '=', filter.taskId);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  return q.orderBy('due_on').execute();
}

export async function updateDeadline(db: Executor, id: string, changes: Updateable<DeadlineTable>): Promise<void> {
  assertTransaction(db, 'updateDeadline');
  await db.updateTable('deadlines').set(changes).where('id', '=', id).execute();
}

export async function drawSelectionsOfTasks(db: Executor, drawIds: string[]) {
  if (drawIds.length === 0) return [];
  return db.selectFrom('draw_selections').select(['draw_id', 'uscc', 'team']).where('draw_id', 'in', drawIds).execute();
}

/** Entity types of the given entities (for the enterprise-disclosure minimum). */
export async function entityTypesOf(db: Executor, usccs: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < usccs.length; i += 900) {
    const rows = await db.selectFrom('objects').select(['uscc', 'entity_type']).where('uscc', 'in', usccs.slice(i, i + 900)).execute();
    for (const r of rows) out.set(r.uscc, r.entity_type);
  }
  return out;
}

/** Tasks by id: what views of visits, results and statistics need (not the draw parameters). */
export async function tasksByIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('tasks')
    .select(['id', 'name', 'number', 'plan_id', 'lead_department', 'departments', 'matters', 'method', 'window_start', 'window_end', 'draw_id', 'stratify_by'])
    .where('id', 'in', ids)
    .execute();
}

/** The team of the earliest visit (by window, then USCC): the demo inspector is its first officer. */
export async function firstVisitTeam(db: Executor): Promise<string[] | undefined> {
  return (await db.selectFrom('visits').select('team').orderBy('window_start').orderBy('uscc').executeTakeFirst())?.team;
}
