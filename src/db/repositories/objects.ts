import { sql } from 'kysely';
import type { Executor } from '../connection.ts';
import { assertTransaction } from '../tx.ts';
import { toJson } from '../json.ts';
import type { ObjectTable, GradeHistoryTable, AbnormalListingTable } from '../schema.ts';
import type { Insertable, Selectable, Updateable } from 'kysely';

export type ObjectRow = Selectable<ObjectTable>;

export interface ObjectFilters {
  grade?: string; // 'A'..'D' or 'unrated'
  street?: string;
  entityType?: string;
  status?: string;
  industryCode?: string;
  tag?: string;
  q?: string; // part of the name or USCC
}

export async function findObject(db: Executor, uscc: string): Promise<ObjectRow | undefined> {
  return db.selectFrom('objects').selectAll().where('uscc', '=', uscc).executeTakeFirst();
}

export async function listObjects(
  db: Executor,
  f: ObjectFilters,
  page: { limit: number; offset: number },
): Promise<{ rows: ObjectRow[]; total: number }> {
  let q = db.selectFrom('objects');
  if (f.grade === 'unrated') q = q.where('credit_grade', 'is', null);
  else if (f.grade) q = q.where('credit_grade', '=', f.grade);
  if (f.street) q = q.where('street', '=', f.street);
  if (f.entityType) q = q.where('entity_type', '=', f.entityType);
  if (f.status) q = q.where('registration_status', '=', f.status);
  if (f.industryCode) q = q.where('industry_code', '=', f.industryCode);
  // Tags are a JSON array of strings: match the quoted element.
  if (f.tag) q = q.where(sql<string>`tags`, 'like', `%${JSON.stringify(f.tag).replace(/[%_]/g, '')}%`);
  if (f.q) {
    // lower() on both sides: LIKE ignores case on SQLite but not on PostgreSQL.
    const like = `%${f.q.replace(/[%_\\]/g, '').toLowerCase()}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', like), eb('uscc', 'like', like.toUpperCase())]));
  }
  const [{ total }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await q.selectAll().orderBy('uscc').limit(page.limit).offset(page.offset).execute();
  return { rows, total: Number(total) };
}

export async function insertObject(db: Executor, row: ObjectRow): Promise<void> {
  assertTransaction(db, 'insertObject');
  await db.insertInto('objects').values({ ...row, tags: toJson(row.tags) }).execute();
}

export async function updateObject(db: Executor, uscc: string, changes: Partial<ObjectRow>): Promise<void> {
  assertTransaction(db, 'updateObject');
  const set: Updateable<ObjectTable> = { ...changes, tags: changes.tags === undefined ? undefined : toJson(changes.tags) };
  await db.updateTable('objects').set(set).where('uscc', '=', uscc).execute();
}

export async function insertGradeHistory(db: Executor, row: Insertable<GradeHistoryTable>): Promise<void> {
  assertTransaction(db, 'insertGradeHistory');
  await db.insertInto('grade_history').values(row).execute();
}

export async function listGradeHistory(db: Executor, uscc: string): Promise<Selectable<GradeHistoryTable>[]> {
  return db.selectFrom('grade_history').selectAll().where('uscc', '=', uscc).orderBy('id').execute();
}

export async function listAbnormalListings(db: Executor, uscc: string): Promise<Selectable<AbnormalListingTable>[]> {
  return db.selectFrom('abnormal_listings').selectAll().where('uscc', '=', uscc).orderBy('listed_on').orderBy('id').execute();
}

export async function insertAbnormalListing(db: Executor, row: Insertable<AbnormalListingTable>): Promise<number> {
  assertTransaction(db, 'insertAbnormalListing');
  const r = await db.insertInto('abnormal_listings').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function closeAbnormalListing(
  db: Executor,
  id: number,
  removedOn: string,
  removalReason: string,
): Promise<number> {
  assertTransaction(db, 'closeAbnormalListing');
  const r = await db
    .updateTable('abnormal_listings')
    .set({ removed_on: removedOn, removal_reason: removalReason })
    .where('id', '=', id)
    .where('removed_on', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function countObjects(db: Executor): Promise<number> {
  const r = await db.selectFrom('objects').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function objectsByUscc(db: Executor, usccs: string[]) {
  if (usccs.length === 0) return [];
  return db.selectFrom('objects').select(['uscc', 'name', 'address', 'street', 'entity_type', 'registration_status']).where('uscc', 'in', usccs).execute();
}
