import type { Insertable, Selectable, Updateable } from 'kysely';
import type { InspectorTable, ConflictTable } from '../schema.ts';
import type { Executor } from '../connection.ts';
import { assertTransaction } from '../tx.ts';
import { toJson } from '../json.ts';

export type InspectorRow = Selectable<InspectorTable>;

export interface InspectorFilters {
  department?: string;
  status?: string;
  kind?: string;
  q?: string;
}

export async function findInspector(db: Executor, certificateNo: string): Promise<InspectorRow | undefined> {
  return db.selectFrom('inspectors').selectAll().where('certificate_no', '=', certificateNo).executeTakeFirst();
}

export async function listInspectors(
  db: Executor,
  f: InspectorFilters,
  page: { limit: number; offset: number },
): Promise<{ rows: InspectorRow[]; total: number }> {
  let q = db.selectFrom('inspectors');
  if (f.department) q = q.where('department_code', '=', f.department);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.q) {
    const like = `%${f.q.replace(/[%_\\]/g, '').toLowerCase()}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', like), eb(eb.fn('lower', ['certificate_no']), 'like', like)]));
  }
  const [{ total }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await q.selectAll().orderBy('certificate_no').limit(page.limit).offset(page.offset).execute();
  return { rows, total: Number(total) };
}

export async function insertInspector(db: Executor, row: Selectable<InspectorTable>): Promise<void> {
  assertTransaction(db, 'insertInspector');
  await db.insertInto('inspectors').values({ ...row, qualifications: toJson(row.qualifications) }).execute();
}

export async function updateInspector(db: Executor, certificateNo: string, changes: Partial<Selectable<InspectorTable>>): Promise<void> {
  assertTransaction(db, 'updateInspector');
  const set: Updateable<InspectorTable> = { ...changes, qualifications: changes.qualifications === undefined ? undefined : toJson(changes.qualifications) };
  await db.updateTable('inspectors').set(set).where('certificate_no', '=', certificateNo).execute();
}

export async function listConflictsOf(db: Executor, certificateNo: string): Promise<Selectable<ConflictTable>[]> {
  return db.selectFrom('conflicts').selectAll().where('certificate_no', '=', certificateNo).orderBy('uscc').execute();
}

/** Inserts or updates the reason of a declared conflict; returns true when it was new. */
/** Inserts or updates the reason of a declared conflict; returns true when it was new. A missing declaration date keeps the stored one (or is `today` for a new conflict). */
export async function upsertConflict(db: Executor, row: Insertable<ConflictTable>, today: string): Promise<boolean> {
  assertTransaction(db, 'upsertConflict');
  const existing = await db
    .selectFrom('conflicts')
    .select('id')
    .where('certificate_no', '=', row.certificate_no)
    .where('uscc', '=', row.uscc)
    .executeTakeFirst();
  if (existing) {
    await db
      .updateTable('conflicts')
      .set({ reason: row.reason, ...(row.declared_on ? { declared_on: row.declared_on } : {}) })
      .where('id', '=', existing.id)
      .execute();
    return false;
  }
  await db.insertInto('conflicts').values({ ...row, declared_on: row.declared_on ?? today }).execute();
  return true;
}

export async function inspectorsByCertificate(db: Executor, certs: string[]) {
  if (certs.length === 0) return [];
  return db.selectFrom('inspectors').select(['certificate_no', 'name', 'department_code']).where('certificate_no', 'in', certs).execute();
}
