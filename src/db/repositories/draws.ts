/** Draw records, their canonical files and results; and the registry reads a commitment needs. */
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DrawParams } from '../../domain/draw/params.ts';
import type { ObjectTable, DrawFileTable, DrawSelectionTable, DrawTable, DrawTeamMemberTable } from '../schema.ts';
import type { Executor } from '../connection.ts';
import { assertTransaction } from '../tx.ts';
import { isSqlite } from '../migrate.ts';

export type DrawRow = Selectable<DrawTable>;

export async function getOrCreateSetting(db: Executor, key: string, make: () => string, now: string): Promise<string> {
  const found = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  if (found) return found.value;
  await db.insertInto('settings').values({ key, value: make(), created_at: now }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
}

export type FrameColumn = 'credit_grade' | 'sector_grade' | 'entity_type' | 'industry_code' | 'street' | 'tags';

/**
 * Active entities with only the columns the frame and the task's filters need (a million rows:
 * every column not read is memory and time saved).
 */
/** The registry's active entities with the columns a frame needs (the others come back undefined). */
export async function scanActiveObjects(db: Executor, columns: FrameColumn[]): Promise<(Pick<Selectable<ObjectTable>, 'uscc'> & Partial<Pick<Selectable<ObjectTable>, FrameColumn>>)[]> {
  return db
    .selectFrom('objects')
    .select(['uscc', ...columns])
    .where('registration_status', '=', 'active')
    // Key order (byte order for ASCII codes on both engines) so the canonical file needs no sort.
    .orderBy(isSqlite(db) ? sql`uscc` : sql`uscc COLLATE "C"`)
    .execute();
}

/** Certified, active officers of the departments whose certificate covers the whole window. */
export async function officersCovering(db: Executor, departments: string[], start: string, end: string) {
  if (departments.length === 0) return [];
  return db
    .selectFrom('inspectors')
    .select(['certificate_no', 'department_code', 'qualifications', 'yearly_capacity'])
    .where('department_code', 'in', departments)
    .where('kind', '=', 'officer')
    .where('status', '=', 'active')
    .where('valid_from', 'is not', null)
    .where('valid_from', '<=', start)
    .where('valid_to', '>=', end)
    .execute();
}

/** Officer-entity assignments already made by live (drawn, not voided) draws of a year. */
export async function capacityUsed(db: Executor, year: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('draw_team_members as m')
    .innerJoin('draws as d', 'd.id', 'm.draw_id')
    .select(['m.certificate_no', sql<number>`count(*)`.as('n')])
    .where('d.year', '=', year)
    .where('d.status', '=', 'drawn')
    .groupBy('m.certificate_no')
    .execute();
  return new Map(rows.map((r) => [r.certificate_no, Number(r.n)]));
}

export async function conflictsOf(db: Executor, certificates: string[]) {
  const out: { certificate_no: string; uscc: string }[] = [];
  for (let i = 0; i < certificates.length; i += 500) {
    out.push(...(await db.selectFrom('conflicts').select(['certificate_no', 'uscc']).where('certificate_no', 'in', certificates.slice(i, i + 500)).execute()));
  }
  return out;
}

export async function allPastInspections(db: Executor) {
  return db.selectFrom('past_inspections').select(['uscc', 'inspected_on', 'department_code', 'officers']).execute();
}

/** Selections of live draws, as visits planned on their window's first day. */
export async function liveDrawVisits(db: Executor) {
  return db
    .selectFrom('draw_selections as s')
    .innerJoin('draws as d', 'd.id', 's.draw_id')
    .select(['s.uscc', 'd.window_start', 'd.commitment', 's.team'])
    .where('d.status', '=', 'drawn')
    .execute();
}

export async function insertDraw(db: Executor, row: Insertable<DrawTable>): Promise<void> {
  assertTransaction(db, 'insertDraw');
  await db.insertInto('draws').values(row).execute();
}

export async function insertDrawFiles(db: Executor, rows: Insertable<DrawFileTable>[]): Promise<void> {
  assertTransaction(db, 'insertDrawFiles');
  for (const r of rows) await db.insertInto('draw_files').values(r).execute();
}

export async function findDraw(db: Executor, id: string): Promise<DrawRow | undefined> {
  return db.selectFrom('draws').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listDraws(db: Executor, taskKey?: string): Promise<DrawRow[]> {
  let q = db.selectFrom('draws').selectAll();
  if (taskKey) q = q.where('task_key', '=', taskKey);
  return q.orderBy('committed_at', 'desc').orderBy('id').execute();
}

export async function countVoided(db: Executor, taskKey: string): Promise<number> {
  const r = await db.selectFrom('draws').select(sql<number>`count(*)`.as('n')).where('task_key', '=', taskKey).where('status', '=', 'voided').executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function drawFiles(db: Executor, id: string): Promise<Record<string, string>> {
  const rows = await db.selectFrom('draw_files').select(['name', 'content']).where('draw_id', '=', id).execute();
  return Object.fromEntries(rows.map((r) => [r.name, r.content]));
}

/** Moves a draw from one status to another only if it is still in the first; returns whether it did. */
export async function transition(db: Executor, id: string, from: DrawTable['status'], changes: Updateable<DrawTable>): Promise<boolean> {
  assertTransaction(db, 'transition');
  const r = await db.updateTable('draws').set(changes).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const SELECTION_BATCH = 500;

export async function insertSelections(db: Executor, rows: Insertable<DrawSelectionTable>[]): Promise<void> {
  assertTransaction(db, 'insertSelections');
  for (let i = 0; i < rows.length; i += SELECTION_BATCH) await db.insertInto('draw_selections').values(rows.slice(i, i + SELECTION_BATCH)).execute();
}

export async function insertTeamMembers(db: Executor, rows: Insertable<DrawTeamMemberTable>[]): Promise<void> {
  assertTransaction(db, 'insertTeamMembers');
  for (let i = 0; i < rows.length; i += SELECTION_BATCH) await db.insertInto('draw_team_members').values(rows.slice(i, i + SELECTION_BATCH)).execute();
}

export async function selectionsOf(db: Executor, id: string) {
  return db.selectFrom('draw_selections').selectAll().where('draw_id', '=', id).orderBy('rank').execute();
}

export async function countSelections(db: Executor, id: string): Promise<number> {
  const r = await db.selectFrom('draw_selections').select(sql<number>`count(*)`.as('n')).where('draw_id', '=', id).executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * The draw's parameters. The column keeps the canonical params.json text byte for byte (it is
 * hashed into the commitment), so it is not a JSON column; this is the one place it is parsed.
 */
export function paramsOf(d: Pick<DrawRow, 'params'>): DrawParams {
  return JSON.parse(d.params) as DrawParams;
}
