/** Past inspections and violations (from the old platform), and the registries' change log. */
import type { Insertable, Selectable } from 'kysely';
import type { PastInspectionTable, PastViolationTable, RegistryChangeTable } from '../schema.ts';
import type { Executor } from '../connection.ts';
import { assertTransaction } from '../tx.ts';
import { JSON_COLUMN_NAMES, toJson } from '../json.ts';

/** A past inspection as services see it (lists, not JSON text). */
export type PastInspectionValues = Omit<Insertable<PastInspectionTable>, 'officers' | 'result_codes'> & { officers: string[]; result_codes: string[] };

export async function upsertPastInspection(db: Executor, values: PastInspectionValues): Promise<boolean> {
  assertTransaction(db, 'upsertPastInspection');
  const row: Insertable<PastInspectionTable> = { ...values, officers: toJson(values.officers), result_codes: toJson(values.result_codes) };
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
  assertTransaction(db, 'upsertPastViolation');
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

/** One change of a registry record: the changed fields only, before and after. */
export interface RegistryChange {
  registry: 'object' | 'inspector';
  key: string;
  changed_at: string;
  source: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

export async function insertChange(db: Executor, change: RegistryChange): Promise<void> {
  assertTransaction(db, 'insertChange');
  await db.insertInto('registry_changes').values({ ...change, before: JSON.stringify(change.before), after: JSON.stringify(change.after) }).execute();
}

/**
 * List fields (tags, qualifications) are recorded as lists; entries written by the bulk import's
 * SQL (and by earlier versions) hold them as JSON text inside the JSON object: read both alike.
 */
function changedFields(text: string): Record<string, unknown> {
  const fields = JSON.parse(text) as Record<string, unknown>;
  for (const [k, v] of Object.entries(fields)) {
    if (JSON_COLUMN_NAMES.has(k) && typeof v === 'string' && /^[[{]/.test(v)) fields[k] = JSON.parse(v);
  }
  return fields;
}

export async function listChanges(db: Executor, registry: 'object' | 'inspector', key: string): Promise<RegistryChange[]> {
  const rows = await db.selectFrom('registry_changes').selectAll().where('registry', '=', registry).where('key', '=', key).orderBy('id').execute();
  return rows.map((r) => ({ registry: r.registry, key: r.key, changed_at: r.changed_at, source: r.source, before: changedFields(r.before), after: changedFields(r.after) }));
}
