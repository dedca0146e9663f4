/** Past inspections and violations (as brought from the old platform), inserted through the history repository. */
import type { Insertable } from 'kysely';
import type { Executor } from '../../src/db/connection.ts';
import type { PastViolationTable } from '../../src/db/schema.ts';
import * as historyRepo from '../../src/db/repositories/history.ts';
import { FACTORY_NOW, write } from './common.ts';

export type PastInspection = historyRepo.PastInspectionValues;

/**
 * An inspection of `uscc` on 2026-03-05 by SCJG, compliant (result code 1), unless overridden.
 * Officers are stored as the registry stores them: distinct and sorted.
 */
export async function makePastInspection(db: Executor, values: Partial<PastInspection> & { uscc: string }): Promise<PastInspection> {
  const row: PastInspection = {
    inspected_on: '2026-03-05',
    department_code: 'SCJG',
    officers: [],
    result_codes: ['1'],
    task_ref: null,
    created_at: FACTORY_NOW,
    ...values,
  };
  row.officers = [...new Set(row.officers)].sort();
  await write(db, (trx) => historyRepo.upsertPastInspection(trx, row));
  return row;
}

export type PastViolation = Insertable<PastViolationTable>;

export async function makePastViolation(db: Executor, values: Partial<PastViolation> & { uscc: string }): Promise<PastViolation> {
  const row: PastViolation = { occurred_on: '2026-01-15', violation_type: '测试违法类型', decision: null, created_at: FACTORY_NOW, ...values };
  await write(db, (trx) => historyRepo.upsertPastViolation(trx, row));
  return row;
}
