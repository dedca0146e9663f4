/**
 * The two-person override of a coercive measure the no-coercion list refuses
 * (不予实施行政强制措施清单): a team member asks for it with a reason, and it takes effect only
 * when a second person — a regulator, reviewer or administrator who is neither on the team nor
 * the one who asked — approves it. Only while the result can still be edited; review waits for
 * pending requests.
 */
import * as repo from '../../db/repositories/results.ts';
import type { Executor } from '../../db/connection.ts';
import { inTransaction } from '../../db/tx.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../domain/errors.ts';
import { assertMeasureMove, assertResultEditable } from '../../domain/results.ts';
import { nowIso } from '../../domain/time.ts';
import { recordAudit } from '../audit.ts';
import { requireAssignment, requireOutsideTeam, requireResult, requireRole, requireTeamMember } from './access.ts';
import type { UserActor } from '../../domain/actor.ts';
import { overrideApprovalInput, overrideInput, parseInput } from './schemas.ts';
import { assignmentDetail } from './views.ts';

async function requireMeasure(db: Executor, r: repo.ResultRow, n: number): Promise<repo.MeasureRow> {
  const m = (await repo.measuresOf(db, r.id)).find((x) => x.n === n);
  if (!m) throw new NotFoundError(`检查结果中没有第 ${n} 项强制措施`, 'MEASURE_NOT_FOUND');
  return m;
}

/**
 * A team member asks to apply a measure the no-coercion list refuses, with a reason. It takes
 * effect only when a second person (a regulator or reviewer not on the team) approves.
 */
export async function requestOverride(db: Executor, who: UserActor, visitId: string, n: number, input: unknown) {
  const body = parseInput(overrideInput, input, '申请');
  const v = await requireAssignment(db, who, visitId);
  requireTeamMember(who, v);
  const r = await requireResult(db, v);
  assertResultEditable(r.status, '申请');
  const m = await requireMeasure(db, r, n);
  const move = assertMeasureMove(n, m.state, 'override-requested');
  const at = who.now ?? new Date();
  const now = nowIso(at);
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateMeasureIf(trx, r.id, n, move.from, { state: move.to, override_reason: body.reason, override_requested_by: who.name, override_requested_at: now });
    if (!ok) throw new ConflictError('该强制措施的状态刚被改变，请刷新后重试', 'MEASURE_CHANGED');
    await repo.insertResultEvent(trx, { result_id: r.id, action: move.action, from_status: move.from, to_status: move.to, measure_n: n, actor: who.name, at: now, comment: body.reason });
    await recordAudit(
      trx,
      {
        actor: who.name,
        action: 'result.measure-override-request',
        entity: 'inspection-result',
        entityId: r.id,
        before: { measure: n, state: move.from, basis: m.basis },
        after: { measure: n, state: move.to, reason: body.reason },
        note: body.reason,
      },
      at,
    );
  });
  return assignmentDetail(db, v);
}

/** The second person's approval of a requested override: the measure may then be applied. */
export async function approveOverride(db: Executor, who: UserActor, visitId: string, n: number, input: unknown) {
  const body = parseInput(overrideApprovalInput, input ?? {}, '批准意见');
  requireRole(who, ['regulator', 'reviewer', 'admin']);
  const v = await requireAssignment(db, who, visitId);
  requireOutsideTeam(who, v, '批准不适用清单的强制措施');
  const r = await requireResult(db, v);
  assertResultEditable(r.status, '批准');
  const m = await requireMeasure(db, r, n);
  const move = assertMeasureMove(n, m.state, 'overridden');
  if (m.override_requested_by === who.name) throw new ForbiddenError('申请人不能批准自己的申请（须由第二人批准）', 'FOUR_EYES');
  const at = who.now ?? new Date();
  const now = nowIso(at);
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateMeasureIf(trx, r.id, n, move.from, { state: move.to, override_approved_by: who.name, override_approved_at: now, override_comment: body.comment ?? null });
    if (!ok) throw new ConflictError('该强制措施的状态刚被改变，请刷新后重试', 'MEASURE_CHANGED');
    await repo.insertResultEvent(trx, { result_id: r.id, action: move.action, from_status: move.from, to_status: move.to, measure_n: n, actor: who.name, at: now, comment: body.comment ?? null });
    await recordAudit(
      trx,
      {
        actor: who.name,
        action: 'result.measure-override-approve',
        entity: 'inspection-result',
        entityId: r.id,
        before: { measure: n, state: move.from, requestedBy: m.override_requested_by, reason: m.override_reason },
        after: { measure: n, state: move.to, approvedBy: who.name },
        note: body.comment ?? null,
      },
      at,
    );
  });
  return assignmentDetail(db, v);
}
