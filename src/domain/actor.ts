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

/** An actor signed in with an account: what the assignment, result and account routes need. */
export type UserActor = Actor & { userId: string; role: Role; department: string | null; officer: string | null };

export const isUserActor = (a: Actor | undefined): a is UserActor => a?.role !== undefined && a.userId !== undefined;
