/**
 * The inspectors' work on a visit (an "assignment": a merged visit whose team holds the
 * officer): the notice served on the entity (notices.ts), the result with its findings, the
 * exemption list (免罚清单) proposals for each violation and the no-coercion list
 * (不予实施行政强制措施清单) check of each proposed seal-up or seizure (entry.ts, listChecks.ts),
 * the two-person override of a refused measure (overrides.ts), review by someone who was not on
 * the team and publication (review.ts), and the abnormal-list follow-up of results 6 and C
 * (followUp.ts). What users read is built in views.ts; input schemas are in schemas.ts.
 *
 * This module decides who may touch an assignment. Visibility: an inspector sees only the
 * visits on its own teams; a regulator those of the tasks its department takes part in;
 * reviewers and administrators all. Anything else answers as if it did not exist (404), so
 * nothing of another team's assignment leaks.
 *
 * Every status change goes through the lifecycle in src/domain/results.ts (assertResultMove,
 * assertMeasureMove) and writes a result event and an audit entry in the same transaction.
 */
import * as repo from '../../db/repositories/results.ts';
import * as plansRepo from '../../db/repositories/plans.ts';
import type { Executor } from '../../db/connection.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../domain/errors.ts';
import type { Role, UserActor } from '../../domain/actor.ts';


/** The officers' certificates of the visit's team. */
export const teamOf = (v: repo.VisitRow) => v.team;
/** The tasks merged into the visit. */
export const tasksOf = (v: repo.VisitRow) => v.task_ids;
/** The matters the visit checks. */
export const mattersOf = (v: repo.VisitRow) => v.matters;

export const onTeam = (who: UserActor, v: repo.VisitRow) => !!who.officer && teamOf(v).includes(who.officer);

async function participatingDepartments(db: Executor, v: repo.VisitRow): Promise<string[]> {
  const tasks = await plansRepo.tasksByIds(db, tasksOf(v));
  return [...new Set(tasks.flatMap((t) => t.departments.map((d) => d.code)))];
}

export const assignmentNotFound = (id: string) => new NotFoundError(`没有编号为 ${id} 的检查（或不在你的职责范围内）`, 'ASSIGNMENT_NOT_FOUND');

/** The visit if the user may see it; 404 otherwise (the same answer whether or not it exists). */
export async function requireAssignment(db: Executor, who: UserActor, id: string): Promise<repo.VisitRow> {
  const v = await repo.findVisit(db, id);
  if (!v) throw assignmentNotFound(id);
  if (who.role === 'admin' || who.role === 'reviewer') return v;
  if (onTeam(who, v)) return v;
  if (who.role === 'regulator' && who.department && (await participatingDepartments(db, v)).includes(who.department)) return v;
  throw assignmentNotFound(id);
}

export function requireTeamMember(who: UserActor, v: repo.VisitRow): void {
  if (!onTeam(who, v)) throw new ForbiddenError('只有本检查组的执法人员可以执行此操作', 'NOT_ON_TEAM');
}

export function requireRole(who: UserActor, roles: Role[]): void {
  if (!roles.includes(who.role)) throw new ForbiddenError(`当前账号（${who.role}）无权执行此操作；允许的角色：${roles.join('、')}`, 'FORBIDDEN_ROLE');
}

/** Four eyes: `what` (审核, 批准…) is done by someone outside the visit's team. */
export function requireOutsideTeam(who: UserActor, v: repo.VisitRow, what: string): void {
  if (onTeam(who, v)) {
    throw new ForbiddenError(`${what}须由检查组以外的人员进行：你（执法证号 ${who.officer}）是本检查组成员`, 'FOUR_EYES');
  }
}

/** The visit's result; 409 NO_RESULT while none has been entered. */
export async function requireResult(db: Executor, v: repo.VisitRow): Promise<repo.ResultRow> {
  const r = await repo.findResultOfVisit(db, v.id);
  if (!r) throw new ConflictError('本次检查尚未录入检查结果', 'NO_RESULT');
  return r;
}
