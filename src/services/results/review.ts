/**
 * Review and publication of a result (审核、公示). Review is by a reviewer or administrator who
 * was neither on the team nor an author of the result; an approved result's violations become the
 * entity's record and results 6 and C open the abnormal-list follow-up deadline. Publication is
 * by a regulator of a participating department or an administrator.
 */
import * as repo from '../../db/repositories/results.ts';
import * as historyRepo from '../../db/repositories/history.ts';
import type { Executor } from '../../db/connection.ts';
import { inTransaction } from '../../db/tx.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../domain/errors.ts';
import { ENTRY_ACTIONS, assertResultMove, needsAbnormalFollowUp } from '../../domain/results.ts';
import { nowIso } from '../../domain/time.ts';
import { recordAudit } from '../audit.ts';
import { openDeadline } from '../deadlines.ts';
import { planDefaults } from '../planDefaults.ts';
import { requireAssignment, requireOutsideTeam, requireResult, requireRole, tasksOf } from './access.ts';
import type { UserActor } from '../../domain/actor.ts';
import { parseInput, reviewInput } from './schemas.ts';
import { assignmentDetail } from './views.ts';

/** Who entered or edited the result (review must be by someone else). */
async function authors(db: Executor, resultId: string): Promise<Set<string>> {
  return new Set((await repo.resultEvents(db, resultId)).filter((e) => (ENTRY_ACTIONS as readonly string[]).includes(e.action)).map((e) => e.actor));
}

/**
 * Review by a reviewer or administrator who was not on the team: 'approve' (the result can then
 * be published; results 6 and C open the abnormal-list follow-up deadline; the violations are
 * recorded for later first-violation checks) or 'return' with a comment (back to the team).
 */
export async function reviewResult(db: Executor, who: UserActor, visitId: string, input: unknown) {
  const body = parseInput(reviewInput, input, '审核意见');
  requireRole(who, ['reviewer', 'admin']);
  const v = await requireAssignment(db, who, visitId);
  requireOutsideTeam(who, v, '审核');
  const r = await requireResult(db, v);
  if ((await authors(db, r.id)).has(who.name)) throw new ForbiddenError('审核须由录入结果以外的人员进行', 'FOUR_EYES');
  const move = assertResultMove(r.status, body.decision === 'approve' ? 'approved' : 'returned');
  if (move.action === 'return' && !body.comment) {
    throw new ValidationError('退回检查结果时须写明审核意见', [{ path: 'comment', code: 'COMMENT_REQUIRED', message: '退回时须写明审核意见，检查组据此修改' }], 'COMMENT_REQUIRED');
  }
  const measures = await repo.measuresOf(db, r.id);
  const pending = measures.filter((m) => m.state === 'override-requested');
  if (move.action === 'approve' && pending.length) {
    throw new ConflictError(`第 ${pending.map((m) => m.n).join('、')} 项强制措施的不适用清单申请尚待第二人批准，批准或退回后再审核`, 'OVERRIDE_PENDING');
  }
  const at = who.now ?? new Date();
  const now = nowIso(at);
  const codes = r.codes;
  const findings = r.findings;
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateResultIf(trx, r.id, { status: r.status, revision: r.revision }, { status: move.to, reviewed_by: who.name, reviewed_at: now, review_comment: body.comment ?? null });
    if (!ok) throw new ConflictError('检查结果刚被修改或审核，请刷新后重试', 'RESULT_CHANGED');
    await repo.insertResultEvent(trx, { result_id: r.id, action: move.action, from_status: move.from, to_status: move.to, measure_n: null, actor: who.name, at: now, comment: body.comment ?? null });
    let deadline: string | null = null;
    if (move.to === 'approved') {
      // The violations found become the entity's record (the 2-year first-violation rule reads it).
      for (const f of findings) {
        if (f.compliant || !f.violationType) continue;
        const decision = f.exemption?.proposal
          ? `不予处罚（${f.exemption.proposal.listVersion} 第 ${f.exemption.proposal.itemNumber} 项）；责令改正`
          : r.follow_up.join('、');
        await historyRepo.upsertPastViolation(trx, { uscc: r.uscc, occurred_on: f.exemption?.occurredOn ?? f.occurredOn ?? r.inspected_on, violation_type: f.violationType, decision, created_at: now });
      }
      if (needsAbnormalFollowUp(codes)) {
        await openDeadline(
          trx,
          { kind: 'abnormal-follow-up', subject: r.id, taskId: tasksOf(v)[0], uscc: r.uscc, startsOn: r.inspected_on, workingDays: planDefaults().abnormalFollowUpWorkingDays },
          at,
        );
        deadline = 'abnormal-follow-up';
      }
    }
    await recordAudit(
      trx,
      {
        actor: who.name,
        action: move.to === 'approved' ? 'result.approve' : 'result.return',
        entity: 'inspection-result',
        entityId: r.id,
        before: { status: r.status, revision: r.revision },
        after: { status: move.to, revision: r.revision, reviewedBy: who.name, comment: body.comment ?? null, ...(deadline ? { deadline } : {}) },
        note: body.comment ?? null,
      },
      at,
    );
  });
  return assignmentDetail(db, v);
}

/** Publication of an approved result (regulators of a participating department, administrators). */
export async function publishResult(db: Executor, who: UserActor, visitId: string) {
  requireRole(who, ['regulator', 'admin']);
  const v = await requireAssignment(db, who, visitId);
  const r = await requireResult(db, v);
  const move = assertResultMove(r.status, 'published');
  const at = who.now ?? new Date();
  const now = nowIso(at);
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateResultIf(trx, r.id, { status: r.status }, { status: move.to, published_by: who.name, published_at: now });
    if (!ok) throw new ConflictError('检查结果的状态刚被改变，请刷新后重试', 'RESULT_CHANGED');
    await repo.insertResultEvent(trx, { result_id: r.id, action: move.action, from_status: move.from, to_status: move.to, measure_n: null, actor: who.name, at: now, comment: null });
    await recordAudit(
      trx,
      { actor: who.name, action: 'result.publish', entity: 'inspection-result', entityId: r.id, before: { status: r.status }, after: { status: move.to, publishedAt: now, uscc: r.uscc, codes: r.codes } },
      at,
    );
  });
  return assignmentDetail(db, v);
}
