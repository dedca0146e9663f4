/** Past inspections and violations (from the old platform), and the registries' change log. */
import type { Insertable, Selectable } from 'kysely';
import type { PastInspectionTable, PastViolationTable, RegistryChangeTable } from '../schema.ts';
import type { Executor } from './objects.ts';

export async function upsertPastInspection(db: Executor, row: Insertable<PastInspectionTable>): Promise<boolean> {
  const existing = await db
    .selectFrom('past_inspections')
    .select('id')
    .where('uscc', '=', row.uscc)
    .where('inspected_on', '=', row.inspected_on)
    .where('department_code', '=', row.department_code)
    .executeTakeFirst();
  if (existing) {
    await db
      .updateTable('past_inspections')
      .set({ officers: row.officers, result_codes: row.result_codes, task_ref: row.task_ref ?? null })
      .where('id', '=', existing.id)
      .execute();
    return false;
  }
  await db.insertInto('past_inspections').values(row).execute();
  return true;
}

export async function upsertPastViolation(db: Executor, row: Insertable<PastViolationTable>): Promise<boolean> {
  const existing = await db
    .selectFrom('past_violations')
    .select('id')
    .where('uscc', '=', row.uscc)
    .where('occurred_on', '=', row.occurred_on)
    .where('violation_type', '=', row.violation_type)
    .executeTakeFirst();
  if (existing) {
    await db.updateTable('past_violations').set({ decision: row.decision ?? null }).where('id', '=', existing.id).execute();
    return false;
  }
  await db.insertInto('past_violations').values(row).execute();
  return true;
}

export async function listPastInspections(db: Executor, uscc: string): Promise<Selectable<PastInspectionTable>[]> {
  return db.selectFrom('past_inspections').selectAll().where('uscc', '=', uscc).orderBy('inspected_on', 'desc').execute();
}

export async function listPastViolations(db: Executor, uscc: string): Promise<Selectable<PastViolationTable>[]> {
  return db.selectFrom('past_violations').selectAll().where('uscc', '=', uscc).orderBy('occurred_on', 'desc').execute();
}

export async function insertChange(db: Executor, row: Insertable<RegistryChangeTable>): Promise<void> {
  await db.insertInto('registry_changes').values(row).execute();
}

export async function listChanges(db: Executor, registry: 'object' | 'inspector', key: string): Promise<Selectable<RegistryChangeTable>[]> {
  return db.selectFrom('registry_changes').selectAll().where('registry', '=', registry).where('key', '=', key).orderBy('id').execute();
}
