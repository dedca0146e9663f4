/** Inspectors (执法检查人员) and their declared conflicts, inserted through the inspectors repository. */
import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../src/db/connection.ts';
import type { ConflictTable } from '../../src/db/schema.ts';
import * as inspectorsRepo from '../../src/db/repositories/inspectors.ts';
import { FACTORY_NOW, FACTORY_TODAY, nextSeq, write } from './common.ts';
import { certificateOf } from './ids.ts';

export type InspectorRow = inspectorsRepo.InspectorRow;

/**
 * An active officer (not an auxiliary) of `department_code`, certified 2022–2027, capacity 40.
 * `inspectorRow({ department_code: 'SW', status: 'on_leave' })`.
 */
export function inspectorRow(overrides: Partial<InspectorRow> & { department_code: string }): InspectorRow {
  const n = nextSeq();
  return {
    certificate_no: certificateOf(n, '09'),
    name: `检查员${n}`,
    valid_from: '2022-01-01',
    valid_to: '2027-12-31',
    qualifications: [],
    status: 'active',
    kind: 'officer',
    yearly_capacity: 40,
    created_at: FACTORY_NOW,
    updated_at: FACTORY_NOW,
    ...overrides,
  };
}

export async function makeInspector(db: Executor, overrides: Partial<InspectorRow> & { department_code: string }): Promise<InspectorRow> {
  const row = inspectorRow(overrides);
  await write(db, (trx) => inspectorsRepo.insertInspector(trx, row));
  return row;
}

export type ConflictValues = Omit<Selectable<ConflictTable>, 'id'>;

/** A declared conflict (回避) between an officer and an entity. */
export async function makeConflict(
  db: Executor,
  values: Partial<ConflictValues> & { certificate_no: string; uscc: string },
): Promise<ConflictValues> {
  const row: ConflictValues = { reason: '亲属关系', declared_on: FACTORY_TODAY, created_at: FACTORY_NOW, ...values };
  await write(db, (trx) => inspectorsRepo.upsertConflict(trx, row satisfies Insertable<ConflictTable>, FACTORY_TODAY));
  return row;
}
