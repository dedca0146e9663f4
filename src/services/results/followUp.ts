/**
 * The abnormal-list follow-up (经营异常名录) of an approved result 6 (住所无法联系) or C
 * (公示信息弄虚作假): the entity is listed and the 10-working-day deadline opened at approval is
 * met. The result's status does not change; the follow-up is recorded as a result event.
 */
import * as repo from '../../db/repositories/results.ts';
import * as objectsRepo from '../../db/repositories/objects.ts';
import type { Executor } from '../../db/connection.ts';
import { inTransaction } from '../../db/tx.ts';
import { ConflictError, ValidationError, type Problem } from '../../domain/errors.ts';
import { ABNORMAL_LIST_REASONS, APPROVED, needsAbnormalFollowUp } from '../../domain/results.ts';
import { nowIso, shanghaiDate } from '../../domain/time.ts';
import { recordAudit } from '../audit.ts';
import { meetDeadline } from '../deadlines.ts';
import { requireAssignment, requireResult, requireRole } from './access.ts';
import type { UserActor } from '../../domain/actor.ts';
import { abnormalListingInput, parseInput } from './schemas.ts';
import { assignmentDetail } from './views.ts';

/**
 * The follow-up of an approved result 6 or C: the entity goes on the abnormal-operation list
 * (经营异常名录) and the 10-working-day deadline is met. An entity already on the list is not
 * listed twice; the deadline is met all the same.
 */
export async function recordAbnormalListing(db: Executor, who: UserActor, visitId: string, input: unknown) {
  const body = parseInput(abnormalListingInput, input ?? {}, '列入信息');
  requireRole(who, ['regulator', 'admin']);
  const v = await requireAssignment(db, who, visitId);
  const r = await requireResult(db, v);
  const codes = r.codes;
  if (!needsAbnormalFollowUp(codes)) throw new ConflictError('检查结果不含 6 或 C，不需要列入经营异常名录', 'NO_ABNORMAL_FOLLOW_UP');
  if (!APPROVED.includes(r.status)) throw new ConflictError('检查结果须经审核通过后才能据此列入经营异常名录', 'RESULT_NOT_APPROVED');
  const at = who.now ?? new Date();
  const today = shanghaiDate(at);
  const listedOn = body.listedOn ?? today;
  const problems: Problem[] = [];
  if (listedOn > today) problems.push({ path: 'listedOn', code: 'FUTURE_DATE', message: `列入日期 ${listedOn} 晚于今天（${today}）` });
  if (listedOn < r.inspected_on) problems.push({ path: 'listedOn', code: 'DATE_RANGE', message: `列入日期 ${listedOn} 早于检查日期 ${r.inspected_on}` });
  if (problems.length) throw new ValidationError(problems.map((p) => p.message).join('；'), problems, 'INVALID_DATE');
  const reason = body.reason ?? codes.filter((c): c is '6' | 'C' => c === '6' || c === 'C').map((c) => ABNORMAL_LIST_REASONS[c]).join('；');
  const now = nowIso(at);
  await inTransaction(db, async (trx) => {
    await repo.insertResultEvent(trx, { result_id: r.id, action: 'abnormal-listing', from_status: r.status, to_status: r.status, measure_n: null, actor: who.name, at: now, comment: `${listedOn} ${reason}` });
    const open = (await objectsRepo.listAbnormalListings(trx, r.uscc)).find((a) => a.removed_on === null);
    const listingId = open ? open.id : await objectsRepo.insertAbnormalListing(trx, { uscc: r.uscc, listed_on: listedOn, reason, removed_on: null, removal_reason: null, created_at: now });
    await meetDeadline(trx, 'abnormal-follow-up', r.id, at);
    await recordAudit(
      trx,
      {
        actor: who.name,
        action: 'result.abnormal-listing',
        entity: 'inspection-result',
        entityId: r.id,
        before: { onAbnormalList: !!open },
        after: { onAbnormalList: true, listingId, listedOn: open?.listed_on ?? listedOn, reason: open?.reason ?? reason, deadline: 'met' },
        note: open ? `已在经营异常名录中（自 ${open.listed_on}）` : reason,
      },
      at,
    );
  });
  return assignmentDetail(db, v);
}
