/**
 * Data scope of an account: administrators and reviewers see everything; a regulator sees and
 * acts on the tasks (and their draws) its department takes part in, and edits only its own
 * department's inspectors and matters; an inspector sees only assignments on its own teams.
 * Out-of-scope objects answer as if they did not exist, so nothing leaks.
 */
import type { Executor } from '../db/repositories/objects.ts';
import * as plansRepo from '../db/repositories/plans.ts';
import * as drawsRepo from '../db/repositories/draws.ts';
import * as inspectorsRepo from '../db/repositories/inspectors.ts';
import * as referenceRepo from '../db/repositories/reference.ts';
import { ForbiddenError, NotFoundError } from '../domain/errors.ts';
import type { AuthUser } from './accounts.ts';

const seesAll = (u: AuthUser | undefined) => !u || u.role === 'admin' || u.role === 'reviewer';

export function taskInScope(user: AuthUser | undefined, task: { departments: string }): boolean {
  if (seesAll(user)) return true;
  if (user!.role !== 'regulator') return false;
  return (JSON.parse(task.departments) as { code: string }[]).some((d) => d.code === user!.department);
}

/** The task if the user may see it; 404 otherwise. */
export async function requireTask(db: Executor, user: AuthUser | undefined, taskId: string) {
  const t = await plansRepo.findTask(db, taskId);
  if (!t || !taskInScope(user, t)) throw new NotFoundError(`没有编号为 ${taskId} 的抽查任务`, 'TASK_NOT_FOUND');
  return t;
}

export async function requirePlan(db: Executor, user: AuthUser | undefined, planId: string) {
  const p = await plansRepo.findPlan(db, planId);
  if (!p) throw new NotFoundError(`没有编号为 ${planId} 的抽查计划`, 'PLAN_NOT_FOUND');
  if (seesAll(user) || p.organization === user!.department) return p;
  const tasks = await plansRepo.listTasks(db, planId);
  if (tasks.some((t) => taskInScope(user, t))) return p;
  throw new NotFoundError(`没有编号为 ${planId} 的抽查计划`, 'PLAN_NOT_FOUND');
}

/** A draw belongs to a task (its task key) or names its departments in its parameters. */
export async function requireDraw(db: Executor, user: AuthUser | undefined, drawId: string) {
  const d = await drawsRepo.findDraw(db, drawId);
  if (!d) throw new NotFoundError(`没有编号为 ${drawId} 的抽取记录`, 'DRAW_NOT_FOUND');
  if (seesAll(user)) return d;
  const task = await plansRepo.findTask(db, d.task_key);
  const departments = task ? task.departments : JSON.stringify((JSON.parse(d.params) as { departments: { code: string }[] }).departments);
  if (!taskInScope(user, { departments })) throw new NotFoundError(`没有编号为 ${drawId} 的抽取记录`, 'DRAW_NOT_FOUND');
  return d;
}

export function drawParamsInScope(user: AuthUser | undefined, params: { departments?: { code: string }[] }): void {
  if (seesAll(user) || user!.role !== 'regulator') return;
  if (!(params.departments ?? []).some((d) => d.code === user!.department)) {
    throw new ForbiddenError(`只能为本部门（${user!.department}）参加的任务抽取`, 'OUT_OF_SCOPE');
  }
}

/** A regulator may only lead tasks of its own department. */
export function leadInScope(user: AuthUser | undefined, leadCode: string): void {
  if (seesAll(user) || user!.role !== 'regulator') return;
  if (leadCode !== user!.department) throw new ForbiddenError(`只能以本部门（${user!.department}）为牵头部门创建或修改任务`, 'OUT_OF_SCOPE');
}

export async function inspectorWriteInScope(db: Executor, user: AuthUser | undefined, certificateNo: string, newDepartment?: string): Promise<void> {
  if (seesAll(user) || user!.role !== 'regulator') return;
  const existing = await inspectorsRepo.findInspector(db, certificateNo);
  const target = newDepartment ? ((await referenceRepo.findDepartment(db, newDepartment))?.code ?? (await referenceRepo.listDepartments(db)).find((d) => d.name === newDepartment)?.code) : undefined;
  if ((existing && existing.department_code !== user!.department) || (target && target !== user!.department)) {
    throw new ForbiddenError(`只能维护本部门（${user!.department}）的执法人员`, 'OUT_OF_SCOPE');
  }
}

export async function matterWriteInScope(db: Executor, user: AuthUser | undefined, code: string, department?: string): Promise<void> {
  if (seesAll(user) || user!.role !== 'regulator') return;
  const existing = await referenceRepo.findMatter(db, code);
  if ((existing && existing.department_code !== user!.department) || (department && department !== user!.department)) {
    throw new ForbiddenError(`只能维护本部门（${user!.department}）的抽查事项`, 'OUT_OF_SCOPE');
  }
}
