/**
 * Test data factories (as immich's test/factories): rows with sensible defaults, any column
 * overridden, written through the repositories (src/db/repositories) in one transaction — for
 * tests that need rows to exist, not the use case that creates them. A test about a use case
 * (an import, a registry change and its audit entry) still goes through the service.
 *
 *   await makeObject(db, { credit_grade: 'D' });
 *   await makeInspector(db, { department_code: 'SW', status: 'on_leave' });
 *   await write(db, async (trx) => { for (…) await makeObject(trx, …); });   // many rows, one transaction
 */
export { FACTORY_NOW, FACTORY_TODAY, write } from './common.ts';
export { usccOf, randomUscc, certificateOf } from './ids.ts';
export { makeDepartment, makeMatter, departmentRow, matterRow, type DepartmentRow, type MatterRow } from './reference.ts';
export { makeObject, makeObjects, objectRow, type ObjectRow } from './objects.ts';
export { makeInspector, makeConflict, inspectorRow, type InspectorRow } from './inspectors.ts';
export { makePastInspection, makePastViolation } from './history.ts';
export { makeUser, makeSession, TEST_PASSWORD, type UserRow } from './users.ts';
