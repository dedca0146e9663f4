/** Departments and the inspection-matters list (抽查事项清单). */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DepartmentTable, MatterTable } from '../schema.ts';
import type { Executor } from './objects.ts';

export type DepartmentRow = Selectable<DepartmentTable>;
export type MatterRow = Selectable<MatterTable>;

export async function listDepartments(db: Executor): Promise<DepartmentRow[]> {
  return db.selectFrom('departments').selectAll().orderBy('code').execute();
}

export async function findDepartment(db: Executor, code: string): Promise<DepartmentRow | undefined> {
  return db.selectFrom('departments').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function insertDepartment(db: Executor, row: Insertable<DepartmentTable>): Promise<void> {
  await db.insertInto('departments').values(row).execute();
}

export async function updateDepartment(db: Executor, code: string, changes: Updateable<DepartmentTable>): Promise<void> {
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

export async function insertMatter(db: Executor, row: Insertable<MatterTable>): Promise<void> {
  await db.insertInto('matters').values(row).execute();
}

export async function updateMatter(db: Executor, code: string, changes: Partial<MatterTable>): Promise<void> {
  await db.updateTable('matters').set(changes).where('code', '=', code).execute();
}
