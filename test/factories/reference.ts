/** Departments and matters, inserted through the reference repository. */
import type { Insertable } from 'kysely';
import type { Executor } from '../../src/db/connection.ts';
import type { DepartmentTable } from '../../src/db/schema.ts';
import * as referenceRepo from '../../src/db/repositories/reference.ts';
import { FACTORY_NOW, nextSeq, write } from './common.ts';

export type DepartmentRow = referenceRepo.DepartmentRow;
export type MatterRow = referenceRepo.MatterRow;

export function departmentRow(overrides: Partial<DepartmentRow> = {}): DepartmentRow {
  const n = nextSeq();
  return { code: `D${n}`, name: `测试部门${n}`, yearly_cap: null, created_at: FACTORY_NOW, updated_at: FACTORY_NOW, ...overrides };
}

/** A department (`makeDepartment(db, { code: 'SCJG', name: '…' })`). */
export async function makeDepartment(db: Executor, overrides: Partial<DepartmentRow> = {}): Promise<DepartmentRow> {
  const row = departmentRow(overrides);
  await write(db, (trx) => referenceRepo.insertDepartment(trx, row satisfies Insertable<DepartmentTable>));
  return row;
}

/**
 * A matter of the inspection-matters list: key by default; a general matter gets a 5 % ratio cap
 * unless one is given (a general matter always has one, a key matter never).
 */
export function matterRow(overrides: Partial<MatterRow> & { department_code: string }): MatterRow {
  const n = nextSeq();
  const importance = overrides.importance ?? 'key';
  return {
    code: `${overrides.department_code}-${String(n).padStart(2, '0')}`,
    name: `测试事项${n}`,
    legal_basis: null,
    importance,
    ratio_cap: importance === 'general' ? 0.05 : null,
    entity_types: [],
    method: null,
    created_at: FACTORY_NOW,
    updated_at: FACTORY_NOW,
    ...overrides,
  };
}

export async function makeMatter(db: Executor, overrides: Partial<MatterRow> & { department_code: string }): Promise<MatterRow> {
  const row = matterRow(overrides);
  await write(db, (trx) => referenceRepo.insertMatter(trx, row));
  return row;
}
