/** Inspection objects (检查对象), inserted through the objects repository. */
import type { Executor } from '../../src/db/connection.ts';
import * as objectsRepo from '../../src/db/repositories/objects.ts';
import { entityTypeFromUscc } from '../../src/domain/records.ts';
import { FACTORY_NOW, nextSeq, write } from './common.ts';
import { usccOf } from './ids.ts';

export type ObjectRow = objectsRepo.ObjectRow;

/**
 * An active enterprise on 解放碑 street, unrated, with a valid USCC; any column can be
 * overridden (`objectRow({ credit_grade: 'D' })`). The entity type follows the USCC unless given,
 * and a credit grade without a date is dated 2026-06-30, as the registry requires.
 */
export function objectRow(overrides: Partial<ObjectRow> = {}): ObjectRow {
  const n = nextSeq();
  const uscc = overrides.uscc ?? usccOf(800_000 + n);
  const grade = overrides.credit_grade ?? null;
  return {
    uscc,
    name: `测试主体${n}`,
    entity_type: entityTypeFromUscc(uscc),
    industry_code: null,
    street: '解放碑',
    address: null,
    registered_on: null,
    legal_representative: null,
    registration_status: 'active',
    credit_grade: grade,
    graded_on: grade ? '2026-06-30' : null,
    sector_grade: null,
    sector_graded_on: null,
    tags: [],
    created_at: FACTORY_NOW,
    updated_at: FACTORY_NOW,
    ...overrides,
  };
}

export async function makeObject(db: Executor, overrides: Partial<ObjectRow> = {}): Promise<ObjectRow> {
  const row = objectRow(overrides);
  await write(db, (trx) => objectsRepo.insertObject(trx, row));
  return row;
}

/** Several objects in one transaction. */
export async function makeObjects(db: Executor, overrides: Partial<ObjectRow>[]): Promise<ObjectRow[]> {
  const rows = overrides.map(objectRow);
  await write(db, async (trx) => {
    for (const row of rows) await objectsRepo.insertObject(trx, row);
  });
  return rows;
}
