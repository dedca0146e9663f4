/**
 * Queries of the inspectors' work: assignments (visits whose team holds an officer), notices,
 * results, proposed measures and result events. The result tables are typed by ResultDatabase
 * (src/db/resultSchema.ts) through `withTables` until they are merged into `Database`.
 */
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { VisitTable } from '../schema.ts';
import type {
  InspectionResultTable, ResultDatabase, ResultEventTable, ResultMeasureTable, ResultStatus, VisitNoticeTable,
} from '../resultSchema.ts';
import type { Executor } from '../connection.ts';
import { assertTransaction } from '../tx.ts';

export type VisitRow = Selectable<VisitTable>;
export type NoticeRow = Selectable<VisitNoticeTable>;
export type ResultRow = Selectable<InspectionResultTable>;
export type MeasureRow = Selectable<ResultMeasureTable>;
export type ResultEventRow = Selectable<ResultEventTable>;

/** ResultDatabase as a type alias (withTables needs an index-signature-compatible type). */
type ResultTables = { [K in keyof ResultDatabase]: ResultDatabase[K] };
const q = (db: Executor) => db.withTables<ResultTables>();

// ------------------------------------------------------------------------------------ visits

export async function findVisit(db: Executor, id: string): Promise<VisitRow | undefined> {
  return db.selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks a visit notified unless it already is; true when this call did it. */
export async function markNotified(db: Executor, id: string, at: string): Promise<boolean> {
  assertTransaction(db, 'markNotified');
  const r = await db.updateTable('visits').set({ notified_at: at }).where('id', '=', id).where('notified_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** `LIKE` pattern matching the JSON text of an array that holds `value` as one element. */
function jsonElementPattern(value: string): string {
  return `%${JSON.stringify(value).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface VisitFilter {
  /** Only visits whose team holds this certificate number. */
  officer?: string;
  /** Only visits of tasks in which one of these departments takes part. */
  taskIds?: string[];
  planId?: string;
  state?: 'pending-notice' | 'notified' | ResultStatus;
}

export interface VisitListRow extends VisitRow {
  result_id: string | null;
  result_status: ResultStatus | null;
}

/** A page of visits with their result status, ordered by window then entity. */
export async function listVisits(db: Executor, f: VisitFilter, page: { limit: number; offset: number }): Promise<{ rows: VisitListRow[]; total: number }> {
  let base = q(db).selectFrom('visits').leftJoin('inspection_results as r', 'r.visit_id', 'visits.id');
  // Team membership through the officer index (visit_officers), not a scan of the team JSON.
  if (f.officer !== undefined) {
    const officer = f.officer;
    base = base.where('visits.id', 'in', (eb) => eb.selectFrom('visit_officers').select('visit_id').where('certificate_no', '=', officer));
  }
  if (f.taskIds !== undefined) {
    if (f.taskIds.length === 0) return { rows: [], total: 0 };
    const ids = f.taskIds;
    base = base.where((eb) => eb.or(ids.map((id) => sql<boolean>`visits.task_ids like ${jsonElementPattern(id)} escape '\\'`)));
  }
  if (f.planId) base = base.where('visits.plan_id', '=', f.planId);
  if (f.state === 'pending-notice') base = base.where('visits.notified_at', 'is', null);
  else if (f.state === 'notified') base = base.where('visits.notified_at', 'is not', null).where('r.id', 'is', null);
  else if (f.state) base = base.where('r.status', '=', f.state);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll('visits')
    .select(['r.id as result_id', 'r.status as result_status'])
    .orderBy('visits.window_start')
    .orderBy('visits.uscc')
    .orderBy('visits.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows: rows as VisitListRow[], total: Number(total.n) };
}

/** Task ids in which a department takes part (its JSON `departments` names it). */
export async function taskIdsOfDepartment(db: Executor, department: string): Promise<string[]> {
  const rows = await db
    .selectFrom('tasks')
    .select('id')
    .where(sql<boolean>`departments like ${`%"code":${jsonElementPattern(department).slice(1)}`} escape '\\'`)
    .execute();
  return rows.map((r) => r.id);
}

/** The deadlines about one subject (a result id) of one kind. */
export async function deadlinesOf(db: Executor, kind: string, subject: string) {
  return db.selectFrom('deadlines').selectAll().where('kind', '=', kind).where('subject', '=', subject).orderBy('due_on').execute();
}

export async function pastViolationsOf(db: Executor, uscc: string) {
  return db.selectFrom('past_violations').select(['occurred_on', 'violation_type']).where('uscc', '=', uscc).orderBy('occurred_on').execute();
}

// ------------------------------------------------------------------------------------ notices

export async function findNotice(db: Executor, visitId: string): Promise<NoticeRow | undefined> {
  return q(db).selectFrom('visit_notices').selectAll().where('visit_id', '=', visitId).executeTakeFirst();
}

export async function nextNoticeSeq(db: Executor, issuer: string, year: number): Promise<number> {
  const r = await q(db)
    .selectFrom('visit_notices')
    .select(sql<number>`coalesce(max(seq), 0)`.as('n'))
    .where('issuer_code', '=', issuer)
    .where('year', '=', year)
    .executeTakeFirstOrThrow();
  return Number(r.n) + 1;
}

export async function insertNotice(db: Executor, row: Insertable<VisitNoticeTable>): Promise<void> {
  assertTransaction(db, 'insertNotice');
  await q(db).insertInto('visit_notices').values(row).execute();
}

// ------------------------------------------------------------------------------------ results

export async function findResultOfVisit(db: Executor, visitId: string): Promise<ResultRow | undefined> {
  return q(db).selectFrom('inspection_results').selectAll().where('visit_id', '=', visitId).executeTakeFirst();
}

export async function insertResult(db: Executor, row: Insertable<InspectionResultTable>): Promise<void> {
  assertTransaction(db, 'insertResult');
  await q(db).insertInto('inspection_results').values(row).execute();
}

/** Updates a result only if it is still in the status (and revision) the caller saw. */
export async function updateResultIf(
  db: Executor,
  id: string,
  expected: { status: ResultStatus; revision?: number },
  changes: Updateable<InspectionResultTable>,
): Promise<boolean> {
  assertTransaction(db, 'updateResultIf');
  let u = q(db).updateTable('inspection_results').set(changes).where('id', '=', id).where('status', '=', expected.status);
  if (expected.revision !== undefined) u = u.where('revision', '=', expected.revision);
  const r = await u.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function measuresOf(db: Executor, resultId: string): Promise<MeasureRow[]> {
  return q(db).selectFrom('result_measures').selectAll().where('result_id', '=', resultId).orderBy('n').execute();
}

export async function replaceMeasures(db: Executor, resultId: string, rows: Insertable<ResultMeasureTable>[]): Promise<void> {
  assertTransaction(db, 'replaceMeasures');
  await q(db).deleteFrom('result_measures').where('result_id', '=', resultId).execute();
  if (rows.length) await q(db).insertInto('result_measures').values(rows).execute();
}

export async function updateMeasureIf(
  db: Executor,
  resultId: string,
  n: number,
  state: ResultMeasureTable['state'],
  changes: Updateable<ResultMeasureTable>,
): Promise<boolean> {
  assertTransaction(db, 'updateMeasureIf');
  const r = await q(db).updateTable('result_measures').set(changes).where('result_id', '=', resultId).where('n', '=', n).where('state', '=', state).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertResultEvent(db: Executor, row: Insertable<ResultEventTable>): Promise<void> {
  assertTransaction(db, 'insertResultEvent');
  await q(db).insertInto('result_events').values(row).execute();
}

export async function resultEvents(db: Executor, resultId: string): Promise<ResultEventRow[]> {
  return q(db).selectFrom('result_events').selectAll().where('result_id', '=', resultId).orderBy('id').execute();
}
