/**
 * The queries behind the public site and the open data (一公开). Only what may be published is
 * selected here (the rules are src/domain/publicPrivacy.ts), with one exception kept inside the
 * service layer: the entity's `legal_representative` is read so that an individual business's
 * name can be masked where it contains the operator's name, and the draw stratum is read only to
 * be aggregated (never per entity). What is public:
 *
 * - tasks that are committed or later, or that have had a draw (a voided draw stays public);
 * - the draws of those tasks and their selections;
 * - inspection results in status 'published' only.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from '../schema.ts';
import type { Executor } from '../connection.ts';
import { PUBLIC_TASK_STATUSES, PUBLISHED_RESULT_STATUS } from '../../domain/publicPrivacy.ts';

/** `LIKE` pattern matching the JSON text of an array that holds `value` as one element. */
function jsonElementPattern(value: string): string {
  return `%${JSON.stringify(value).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `LIKE` pattern for a substring typed by a user (wildcards taken literally). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The task is public: frozen by its commitment, or it has (had) a draw. */
function isPublicTask(eb: ExpressionBuilder<Database, 'tasks'>): Expression<SqlBool> {
  return eb.or([
    eb('tasks.status', 'in', [...PUBLIC_TASK_STATUSES]),
    eb.exists(eb.selectFrom('draws').select('draws.id').whereRef('draws.task_key', '=', 'tasks.id')),
  ]);
}

const TASK_COLUMNS = [
  'tasks.id', 'tasks.plan_id', 'tasks.number', 'tasks.name', 'tasks.status', 'tasks.lead_department', 'tasks.departments', 'tasks.matters',
  'tasks.filters', 'tasks.selection', 'tasks.exclude_strata', 'tasks.exclusions', 'tasks.stratify_by', 'tasks.window_start', 'tasks.window_end',
  'tasks.method', 'tasks.randomness_source', 'tasks.commit_at', 'tasks.draw_id', 'tasks.updated_at',
] as const;

export async function listPublicTasks(db: Executor, filter: { year?: number } = {}) {
  let q = db
    .selectFrom('tasks')
    .innerJoin('plans', 'plans.id', 'tasks.plan_id')
    .select([...TASK_COLUMNS, 'plans.year', 'plans.organization', 'plans.title as plan_title'])
    .where(isPublicTask);
  if (filter.year) q = q.where('plans.year', '=', filter.year);
  return q.orderBy('plans.year', 'desc').orderBy('plans.organization').orderBy('tasks.number', 'desc').execute();
}
export type PublicTaskRow = Awaited<ReturnType<typeof listPublicTasks>>[number];

export async function findPublicTask(db: Executor, id: string): Promise<PublicTaskRow | undefined> {
  return db
    .selectFrom('tasks')
    .innerJoin('plans', 'plans.id', 'tasks.plan_id')
    .select([...TASK_COLUMNS, 'plans.year', 'plans.organization', 'plans.title as plan_title'])
    .where('tasks.id', '=', id)
    .where(isPublicTask)
    .executeTakeFirst();
}

/** Every draw of a task, the voided ones too, newest first. */
export async function drawsOfTask(db: Executor, taskId: string) {
  return db
    .selectFrom('draws')
    .select([
      'id', 'status', 'commitment', 'committed_at', 'randomness_source', 'randomness_typed', 'randomness_normalized', 'working_seed',
      'seeded_at', 'drawn_at', 'result_digest', 'summary', 'voided_at', 'void_reason', 'params',
    ])
    .where('task_key', '=', taskId)
    .orderBy('committed_at', 'desc')
    .orderBy('id')
    .execute();
}
export type PublicDrawRow = Awaited<ReturnType<typeof drawsOfTask>>[number];

/** The selected entities of a draw in rank order, with what is needed to show their name. */
export async function selectionsOfDraw(db: Executor, drawId: string) {
  return db
    .selectFrom('draw_selections as s')
    .leftJoin('objects as o', 'o.uscc', 's.uscc')
    .select(['s.rank', 's.uscc', 'o.name', 'o.entity_type', 'o.legal_representative'])
    .where('s.draw_id', '=', drawId)
    .orderBy('s.rank')
    .execute();
}

export interface DrawFilter {
  taskId?: string;
  year?: number;
}

function drawsQuery(db: Executor, f: DrawFilter) {
  let q = db.selectFrom('draws').innerJoin('tasks', 'tasks.id', 'draws.task_key');
  if (f.taskId) q = q.where('tasks.id', '=', f.taskId);
  if (f.year) q = q.where('draws.year', '=', f.year);
  return q;
}

/** Draws of tasks (every draw that belongs to a task is public), oldest commitment first. */
export async function listPublicDraws(db: Executor, f: DrawFilter, page: { limit: number; offset: number }) {
  const total = await drawsQuery(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await drawsQuery(db, f)
    .select([
      'draws.id', 'draws.task_key', 'tasks.name as task_name', 'draws.year', 'draws.window_start', 'draws.window_end', 'draws.status',
      'draws.algorithm', 'draws.commitment', 'draws.committed_at', 'draws.randomness_source', 'draws.randomness_typed',
      'draws.randomness_normalized', 'draws.working_seed', 'draws.seeded_at', 'draws.drawn_at', 'draws.result_digest', 'draws.voided_at',
      'draws.void_reason',
    ])
    .select((eb) => eb.selectFrom('draw_selections').select((e) => e.fn.countAll<number>().as('c')).whereRef('draw_selections.draw_id', '=', 'draws.id').as('selected'))
    .orderBy('draws.committed_at')
    .orderBy('draws.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows, total: Number(total.n) };
}

export interface ResultFilter {
  taskId?: string;
  year?: number;
  uscc?: string;
}

function publishedQuery(db: Executor, f: ResultFilter) {
  let q = db
    .selectFrom('inspection_results as r')
    .innerJoin('visits as v', 'v.id', 'r.visit_id')
    .innerJoin('plans as p', 'p.id', 'r.plan_id')
    .leftJoin('objects as o', 'o.uscc', 'r.uscc')
    .where('r.status', '=', PUBLISHED_RESULT_STATUS);
  if (f.taskId) q = q.where(sql<boolean>`v.task_ids like ${jsonElementPattern(f.taskId)} escape '\\'`);
  if (f.year) q = q.where('p.year', '=', f.year);
  if (f.uscc) q = q.where('r.uscc', '=', f.uscc);
  return q;
}

/** Published results only, by inspection date, entity and id. */
export async function listPublishedResults(db: Executor, f: ResultFilter, page: { limit: number; offset: number }) {
  const total = await publishedQuery(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await publishedQuery(db, f)
    .select([
      'r.id', 'r.visit_id', 'r.uscc', 'r.inspected_on', 'r.method', 'r.codes', 'r.follow_up', 'r.published_at', 'v.task_ids', 'p.year',
      'o.name', 'o.entity_type', 'o.legal_representative', 'o.street',
    ])
    .orderBy('r.inspected_on')
    .orderBy('r.uscc')
    .orderBy('r.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows, total: Number(total.n) };
}
export type PublishedResultRow = Awaited<ReturnType<typeof listPublishedResults>>['rows'][number];

export async function departmentNames(db: Executor, codes: string[]) {
  if (codes.length === 0) return [];
  return db.selectFrom('departments').select(['code', 'name']).where('code', 'in', codes).execute();
}

/** Entities that appear in a task's draw or in a published result: the set the public can look up. */
function publicEntities(db: Executor) {
  return db
    .selectFrom('draw_selections as s')
    .innerJoin('draws as d', 'd.id', 's.draw_id')
    .innerJoin('tasks as t', 't.id', 'd.task_key')
    .select('s.uscc')
    .union(db.selectFrom('inspection_results').select('uscc').where('status', '=', PUBLISHED_RESULT_STATUS));
}

/** Candidates for a search by part of a name or of a USCC, among the public entities. */
export async function searchPublicEntities(db: Executor, text: string, limit: number) {
  const upper = text.toUpperCase();
  return db
    .selectFrom('objects')
    .select(['uscc', 'name', 'entity_type', 'legal_representative', 'street'])
    .where((eb) => eb.or([sql<boolean>`name like ${containsPattern(text)} escape '\\'`, sql<boolean>`uscc like ${containsPattern(upper)} escape '\\'`]))
    .where('uscc', 'in', publicEntities(db))
    .orderBy('name')
    .orderBy('uscc')
    .limit(limit)
    .execute();
}

export async function findPublicEntity(db: Executor, uscc: string) {
  return db
    .selectFrom('objects')
    .select(['uscc', 'name', 'entity_type', 'legal_representative', 'street', 'registration_status'])
    .where('uscc', '=', uscc)
    .where('uscc', 'in', publicEntities(db))
    .executeTakeFirst();
}

/** The task draws an entity was selected in (voided ones too). */
export async function selectionsOfEntity(db: Executor, uscc: string) {
  return db
    .selectFrom('draw_selections as s')
    .innerJoin('draws as d', 'd.id', 's.draw_id')
    .innerJoin('tasks as t', 't.id', 'd.task_key')
    .select(['d.id as draw_id', 'd.status', 'd.drawn_at', 'd.voided_at', 't.id as task_id', 't.name as task_name', 'd.window_start', 'd.window_end'])
    .where('s.uscc', '=', uscc)
    .orderBy('d.window_start', 'desc')
    .orderBy('d.id')
    .execute();
}

/** The publication deadline of a task (20 working days), if its inspections have ended. */
export async function publicationDeadline(db: Executor, taskId: string) {
  return db.selectFrom('deadlines').select(['starts_on', 'due_on', 'state', 'met_on', 'calendar_warnings']).where('kind', '=', 'publication').where('subject', '=', taskId).executeTakeFirst();
}

// ------------------------------------------------------------------------------- aggregates

/** Every published result's codes, inspection date and street (for the charts, aggregated by the caller). */
export async function publishedResultFacts(db: Executor, year?: number) {
  let q = db
    .selectFrom('inspection_results as r')
    .innerJoin('plans as p', 'p.id', 'r.plan_id')
    .innerJoin('visits as v', 'v.id', 'r.visit_id')
    .leftJoin('objects as o', 'o.uscc', 'r.uscc')
    .select(['r.uscc', 'r.codes', 'r.inspected_on', 'o.street', 'v.task_ids'])
    .where('r.status', '=', PUBLISHED_RESULT_STATUS);
  if (year) q = q.where('p.year', '=', year);
  return q.execute();
}

/** The strata (grades at the time of the draw) of the given draws' selections: read only to be aggregated. */
export async function selectionStrata(db: Executor, drawIds: string[]) {
  const out: { draw_id: string; uscc: string; stratum: string }[] = [];
  for (let i = 0; i < drawIds.length; i += 500) {
    out.push(...(await db.selectFrom('draw_selections').select(['draw_id', 'uscc', 'stratum']).where('draw_id', 'in', drawIds.slice(i, i + 500)).execute()));
  }
  return out;
}

/** Years that have public tasks (for the year filters), newest first. */
export async function publicYears(db: Executor): Promise<number[]> {
  const rows = await db.selectFrom('tasks').innerJoin('plans', 'plans.id', 'tasks.plan_id').select('plans.year').distinct().where(isPublicTask).orderBy('plans.year', 'desc').execute();
  return rows.map((r) => Number(r.year));
}

// ------------------------------------------------------------------------------- check codes

export async function findCheckCode(db: Executor, visitId: string) {
  return db.selectFrom('check_codes').select(['visit_id', 'code', 'created_at']).where('visit_id', '=', visitId).executeTakeFirst();
}

export async function visitIdOfCode(db: Executor, code: string): Promise<string | undefined> {
  return (await db.selectFrom('check_codes').select('visit_id').where('code', '=', code).executeTakeFirst())?.visit_id;
}

/** Stores a visit's code unless the visit already has one (a concurrent caller stored the same value). */
export async function insertCheckCode(db: Executor, row: { visit_id: string; code: string; created_at: string }): Promise<void> {
  await db.insertInto('check_codes').values(row).onConflict((oc) => oc.column('visit_id').doNothing()).execute();
}

export async function noticeNumber(db: Executor, visitId: string): Promise<string | undefined> {
  return (await db.selectFrom('visit_notices').select('number').where('visit_id', '=', visitId).executeTakeFirst())?.number;
}

export async function entityOfVisit(db: Executor, uscc: string) {
  return db.selectFrom('objects').select(['uscc', 'name', 'entity_type', 'legal_representative']).where('uscc', '=', uscc).executeTakeFirst();
}

export async function getSecret(db: Executor, key: string, make: () => string, now: string): Promise<string> {
  const found = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  if (found) return found.value;
  await db.insertInto('settings').values({ key, value: make(), created_at: now }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
}
