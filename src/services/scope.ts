/**
 * Data scope of an account: administrators and reviewers see everything; a regulator sees and
 * acts on the tasks (and their draws) its department takes part in, and edits only its own
 * department's inspectors and matters; an inspector sees only assignments on its own teams.
 * Out-of-scope objects answer as if they did not exist, so nothing leaks.
 */
import type { Executor } from '../db/connection.ts';
import * as plansRepo from '../db/repositories/plans.ts';
import * as drawsRepo from '../db/repositories/draws.ts';
import { ForbiddenError, NotFoundError } from '../domain/errors.ts';
import type { Actor } from '../domain/actor.ts';

/** Administrators, reviewers and the installation itself (no user: CLI, jobs) see everything. */
export const seesAll = (a: Actor | undefined): boolean => !a?.role || a.role === 'admin' || a.role === 'reviewer';

export function taskInScope(user: Actor | undefined, task: { departments: readonly { code: string }[] }): boolean {
  if (seesAll(user)) return true;
  if (user!.role !== 'regulator') return false;
  return task.departments.some((d) => d.code === user!.department);
}

/** The task if the user may see it; 404 otherwise. */
export async function requireTask(db: Executor, user: Actor | undefined, taskId: string) {
  const t = await plansRepo.findTask(db, taskId);
  if (!t || !taskInScope(user, t)) throw new NotFoundError(`没有编号为 ${taskId} 的抽查任务`, 'TASK_NOT_FOUND');
  return t;
}

export async function requirePlan(db: Executor, user: Actor | undefined, planId: string) {
  const p = await plansRepo.findPlan(db, planId);
  if (!p) throw new NotFoundError(`没有编号为 ${planId} 的抽查计划`, 'PLAN_NOT_FOUND');
  if (seesAll(user) || p.organization === user!.department) return p;
  const tasks = await plansRepo.listTasks(db, planId);
  if (tasks.some((t) => taskInScope(user, t))) return p;
  throw new NotFoundError(`没有编号为 ${planId} 的抽查计划`, 'PLAN_NOT_FOUND');
}

/** A draw belongs to a task (its task key) or names its departments in its parameters. */
export async function requireDraw(db: Executor, user: Actor | undefined, drawId: string) {
  const d = await drawsRepo.findDraw(db, drawId);
  if (!d) throw new NotFoundError(`没有编号为 ${drawId} 的抽取记录`, 'DRAW_NOT_FOUND');
  if (seesAll(user)) return d;
  const task = await plansRepo.findTask(db, d.task_key);
  const departments = task ? task.departments : drawsRepo.paramsOf(d).departments;
  if (!taskInScope(user, { departments })) throw new NotFoundError(`没有编号为 ${drawId} 的抽取记录`, 'DRAW_NOT_FOUND');
  return d;
}

export function drawParamsInScope(user: Actor | undefined, params: { departments?: { code: string }[] }): void {
  if (seesAll(user) || user!.role !== 'regulator') return;
  if (!(params.departments ?? []).some((d) => d.code === user!.department)) {
    throw new ForbiddenError(`只能为本部门（${user!.department}）参加的任务抽取`, 'OUT_OF_SCOPE');
  }
}

/** A regulator makes plans only for its own department. */
export function planOrganizationInScope(user: Actor | undefined, organization: string): void {
  if (seesAll(user) || user!.role !== 'regulator') return;
  if (organization !== user!.department) throw new ForbiddenError(`只能为本部门（${user!.department}）制定计划`, 'OUT_OF_SCOPE');
}

/** A regulator may only lead tasks of its own department. */
export function leadInScope(user: Actor | undefined, leadCode: string): void {
  if (seesAll(user) || user!.role !== 'regulator') return;
  if (leadCode !== user!.department) throw new ForbiddenError(`只能以本部门（${user!.department}）为牵头部门创建或修改任务`, 'OUT_OF_SCOPE');
}

/**
 * Registry writes (one record through the API, or one row of an imported file: the same rule for
 * both, checked inside the registry service). An actor without a role: the operator's CLI, the
 * demo loader and scheduled jobs, which act for the whole installation.
 */
function outOfScope(message: string, path: string): ForbiddenError {
  return new ForbiddenError(message, 'OUT_OF_SCOPE', [{ path, code: 'OUT_OF_SCOPE', message }]);
}

function adminOnly(user: Actor | undefined, what: string, path: string): void {
  if (!user?.role || user.role === 'admin') return;
  const message = `${what}只能由管理员维护（当前账号角色：${user.role}）`;
  throw new ForbiddenError(message, 'FORBIDDEN_ROLE', [{ path, code: 'FORBIDDEN_ROLE', message }]);
}

/** A regulator maintains only its own department's inspectors (both the stored and the new department). */
export function assertInspectorWrite(user: Actor | undefined, storedDepartment: string | undefined, newDepartment: string | undefined): void {
  if (seesAll(user) || user!.role !== 'regulator') return;
  if (storedDepartment !== undefined && storedDepartment !== user!.department) {
    throw outOfScope(`只能维护本部门（${user!.department}）的执法人员；该人员属于 ${storedDepartment}`, 'certificate_no');
  }
  if (newDepartment !== undefined && newDepartment !== user!.department) {
    throw outOfScope(`只能维护本部门（${user!.department}）的执法人员，不能把人员放到 ${newDepartment}`, 'department');
  }
}

/** A regulator maintains only its own department's matters. */
export function assertMatterWrite(user: Actor | undefined, storedDepartment: string | undefined, newDepartment: string | undefined): void {
  if (seesAll(user) || user!.role !== 'regulator') return;
  if (storedDepartment !== undefined && storedDepartment !== user!.department) {
    throw outOfScope(`只能维护本部门（${user!.department}）的抽查事项；该事项属于 ${storedDepartment}`, 'code');
  }
  if (newDepartment !== undefined && newDepartment !== user!.department) {
    throw outOfScope(`只能维护本部门（${user!.department}）的抽查事项，不能把事项归到 ${newDepartment}`, 'department');
  }
}

/** Departments are the installation's structure: administrators only. */
export function assertDepartmentWrite(user: Actor | undefined): void {
  adminOnly(user, '部门', 'code');
}

/** A past inspection is recorded by the department that made it. */
export function assertPastInspectionWrite(user: Actor | undefined, department: string): void {
  if (seesAll(user) || user!.role !== 'regulator') return;
  if (department !== user!.department) throw outOfScope(`只能导入本部门（${user!.department}）的检查记录；该行的检查部门是 ${department}`, 'department');
}

/**
 * Past violations decide every department's first-violation exemptions (首违不罚), and a record
 * names no department to scope it by: administrators only.
 */
export function assertPastViolationWrite(user: Actor | undefined): void {
  adminOnly(user, '历史违法记录', 'uscc');
}
