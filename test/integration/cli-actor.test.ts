/**
 * The CLI's --as acts as a person, not as a free-form name: the account must exist and be active,
 * and its role, data scope and the four-eyes rule apply exactly as they do through the API (the
 * same service checks). Without --as the operator at the server acts for the installation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { seedDrawRegistry, singleDepartmentTask } from '../helpers/drawRegistry.ts';
import { makeDepartment, write } from '../factories/index.ts';
import * as plans from '../../src/services/plans.ts';
import { addUser, disableUser } from '../../src/services/accounts.ts';
import { listAudit } from '../../src/services/audit.ts';
import type { UserActor } from '../../src/domain/actor.ts';

let t: TestDb;
let taskId: string;
let author: UserActor;
const PASSWORD = 'a long password 1';

const cli = (args: string[]) => runCli(t.config.url, args);

const status = async () => (await plans.getTask(t.db, taskId)).status;

beforeAll(async () => {
  t = await createTestDb();
  await seedDrawRegistry(t.db, { objects: 60 });
  await write(t.db, (trx) => makeDepartment(trx, { code: 'WJ', name: '渝中区卫生健康委员会' }));
  author = await addUser(t.db, { username: 'author-zhang', role: 'regulator', department: 'SCJG', password: PASSWORD });
  await addUser(t.db, { username: 'approver-li', role: 'regulator', department: 'SCJG', password: PASSWORD });
  await addUser(t.db, { username: 'other-dept-wang', role: 'regulator', department: 'WJ', password: PASSWORD });
  await addUser(t.db, { username: 'reviewer-wu', role: 'reviewer', password: PASSWORD });
  await addUser(t.db, { username: 'left-zhao', role: 'regulator', department: 'SCJG', password: PASSWORD });
  await disableUser(t.db, 'left-zhao');
  const plan = await plans.createPlan(t.db, { organization: 'SCJG', year: 2026 }, author);
  const task = await plans.createTask(
    t.db,
    plan.id,
    singleDepartmentTask('SCJG'),
    author,
  );
  taskId = task.id;
});
afterAll(async () => {
  await t?.destroy();
});

// Each case spawns the CLI (TypeScript through tsx): seconds each on a busy machine.
describe(`task approve --as on ${testDialect}`, { timeout: 240_000 }, () => {
  it.each([
    ['an account that does not exist', 'nobody-exists', 'ACCOUNT_NOT_FOUND'],
    ['a disabled account', 'left-zhao', 'ACCOUNT_DISABLED'],
    ['a role that does not change plans (reviewer)', 'reviewer-wu', 'FORBIDDEN_ROLE'],
    ['a regulator of a department outside the task (answered as if the task did not exist)', 'other-dept-wang', 'TASK_NOT_FOUND'],
    ['the task’s own author (four eyes)', 'author-zhang', 'FOUR_EYES'],
  ])('refuses %s, exits non-zero, and changes nothing', async (_what, as, code) => {
    const r = await cli(['task', 'approve', taskId, '--as', as]);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toContain(code);
    expect(await status()).toBe('draft');
  });

  it('refuses a plan for another department to a regulator, as the API does', async () => {
    const r = await cli(['plan', 'create', '--organization', 'SW', '--year', '2027', '--as', 'approver-li']);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toContain('OUT_OF_SCOPE');
    expect(await plans.listPlans(t.db, 2027)).toHaveLength(0);
  });

  it('approves as a second regulator of the department, recorded under that account', async () => {
    const r = await cli(['task', 'approve', taskId, '--as', 'approver-li']);
    expect(r.code, r.stderr).toBe(0);
    const task = await plans.getTask(t.db, taskId);
    expect(task.status).toBe('approved');
    expect(task.approvedBy).toBe('approver-li');
    const entry = (await listAudit(t.db, { action: 'task.approved', limit: 5 })).rows;
    expect(entry.map((e) => e.actor)).toEqual(['approver-li']);
  });
});
