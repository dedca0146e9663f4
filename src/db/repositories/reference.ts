/** Departments and the inspection-matters list (抽查事项清单). */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DepartmentTable, MatterTable } from '../schema.ts';
import type { Executor } from '../connection.ts';
import { assertTransaction } from '../tx.ts';
import { toJson } from '../json.ts';

export type DepartmentRow = Selectable<DepartmentTable>;
export type MatterRow = Selectable<MatterTable>;

export async function listDepartments(db: Executor): Promise<DepartmentRow[]> {
  return db.selectFrom('departments').selectAll().orderBy('code').execute();
}

export async function findDepartment(db: Executor, code: string): Promise<DepartmentRow | undefined> {
  return db.selectFrom('departments').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function insertDepartment(db: Executor, row: Insertable<DepartmentTable>): Promise<void> {
  assertTransaction(db, 'insertDepartment');
  await db.insertInto('departments').values(row).execute();
}

export async function updateDepartment(db: Executor, code: string, changes: Updateable<DepartmentTable>): Promise<void> {
  assertTransaction(db, 'updateDepartment');
  await db.updateTable('departments').set(changes).where('code', '=', code).execute();
}

export async function listMatters(db: Executor, department?: string): Promise<MatterRow[]> {
  let q = db.selectFrom('matters').selectAll();
  if (department) q = q.where('department_code', '=', department);
  return q.orderBy('code').execute();
}

export async function findMatter(db: Executor, code: string): Promise<MatterRow | undefined> {
  return db.selectFrom('matters').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function insertMatter(db: Executor, row: MatterRow): Promise<void> {
  assertTransaction(db, 'insertMatter');
  await db.insertInto('matters').values({ ...row, entity_types: toJson(row.entity_types) }).execute();
}

export async function updateMatter(db: Executor, code: string, changes: Partial<MatterRow>): Promise<void> {
  assertTransaction(db, 'updateMatter');
  const set: Updateable<MatterTable> = { ...changes, entity_types: changes.entity_types === undefined ? undefined : toJson(changes.entity_types) };
  await db.updateTable('matters').set(set).where('code', '=', code).execute();
}

// ------------------------------------------------------------------ lookups by key (one query each)

export async function departmentsByCode(db: Executor, codes: string[]) {
  if (codes.length === 0) return [];
  return db.selectFrom('departments').select(['code', 'name']).where('code', 'in', codes).execute();
}

export async function mattersByCode(db: Executor, codes: string[]) {
  if (codes.length === 0) return [];
  return db.selectFrom('matters').select(['code', 'name', 'department_code', 'importance', 'ratio_cap', 'legal_basis']).where('code', 'in', codes).execute();
}
