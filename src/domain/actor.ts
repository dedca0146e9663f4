/**
 * Who is acting — one type for the HTTP session, the CLI, scheduled jobs, the demo loader and the
 * worker threads alike. Services take it last; the change log and the audit trail record its
 * `name`; the scope rules (services/scope.ts, services/results/access.ts) read its role,
 * department and officer certificate.
 *
 * An actor without a role is the installation itself — the operator at the CLI, a scheduled
 * job, the demo loader — and acts with full authority. An HTTP request always acts for a
 * signed-in account (operation.ts refuses staff routes without one), so a role-less actor never
 * comes from the network.
 */
import { ForbiddenError } from './errors.ts';

/** 角色: administrator, regulator (监管人员, scoped to a department), reviewer (审核人员), inspector (执法检查人员). */
export const ROLES = ['admin', 'regulator', 'reviewer', 'inspector'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  /** Who, as recorded: the user name, 'cli:<os user>', 'scheduler', 'demo', 'import:<user>:<file hash>'. */
  name: string;
  /** The signed-in account (users.id); absent for the installation itself. */
  userId?: string;
  /** The account's role; absent for the installation itself (full authority). */
  role?: Role;
  /** A regulator's department (its code). */
  department?: string | null;
  /** An inspector's law-enforcement certificate number (执法证号). */
  officer?: string | null;
  /** When the action happens (tests and jobs pass it; otherwise the clock). */
  now?: Date;
  /** A bulk operation (an import, the demo load) that records one audit entry for itself. */
  bulk?: boolean;
}

/** Everyone with an account who works on the registries and plans (not inspectors). */
export const STAFF: readonly Role[] = ['admin', 'regulator', 'reviewer'];
/** Those who change the registries and plans. */
export const WRITERS: readonly Role[] = ['admin', 'regulator'];

/**
 * Refuses an account whose role may not do this (403 FORBIDDEN_ROLE); the installation itself
 * (no role) may. The HTTP layer checks the same role lists before a request reaches a service;
 * this check makes them hold for every other entry point (the CLI's --as, jobs, the console).
 */
export function assertRole(actor: Actor, roles: readonly Role[]): void {
  if (actor.role === undefined || roles.includes(actor.role)) return;
  throw new ForbiddenError(`当前账号（${actor.role}）无权执行此操作；允许的角色：${roles.join('、')}`, 'FORBIDDEN_ROLE');
}

/** An actor signed in with an account: what the assignment, result and account routes need. */
export type UserActor = Actor & { userId: string; role: Role; department: string | null; officer: string | null };

export const isUserActor = (a: Actor | undefined): a is UserActor => a?.role !== undefined && a.userId !== undefined;
