/**
 * Result entry (录入检查结果) by the visit's team: the first entry of a notified visit's result,
 * and its edits while it waits for review or after review returned it (an edit of a returned
 * result sends it back for review). The result is checked against the result rules and the
 * visit's dates, its violations against the exemption lists and its measures against the
 * no-coercion lists (listChecks.ts); an override asked for or granted for an unchanged measure
 * survives the edit.
 */
import crypto from 'node:crypto';
import type { Insertable } from 'kysely';
import * as repo from '../../db/repositories/results.ts';
import type { Executor } from '../../db/connection.ts';
import type { ResultMeasureTable } from '../../db/resultSchema.ts';
import { inTransaction, isUniqueViolation } from '../../db/tx.ts';
import { toJson } from '../../db/json.ts';
import { ConflictError, ValidationError, type Problem } from '../../domain/errors.ts';
import { assertResultMove, checkResultRules, sortCodes, type MeasureState, type StoredFinding } from '../../domain/results.ts';
import { nowIso, shanghaiDate } from '../../domain/time.ts';
import { canonicalJson } from '../../domain/canonicalJson.ts';
import { recordAudit } from '../audit.ts';
import { mattersOf, requireAssignment, requireTeamMember } from './access.ts';
import type { UserActor } from '../../domain/actor.ts';
import { evaluateFinding, evaluateMeasure, measureFacts } from './listChecks.ts';
import { unknownViolationTypes } from '../../domain/violationTypes.ts';
import { knownViolationTypes } from '../violationTypes.ts';
import { parseInput, resultInput, type ParsedResult } from './schemas.ts';
import { assignmentDetail, type AssignmentDetail } from './views.ts';

function resultSnapshot(r: Pick<repo.ResultRow, 'status' | 'inspected_on' | 'codes' | 'method' | 'follow_up' | 'revision'> & { findings?: StoredFinding[] }) {
  return {
    status: r.status,
    inspectedOn: r.inspected_on,
    codes: r.codes,
    method: r.method,
    followUp: r.follow_up,
    revision: r.revision,
    ...(r.findings ? { findings: r.findings } : {}),
  };
}

/**
 * Enters the result of a notified visit, or edits it while it is 'entered' or 'returned'
 * (an edit of a returned result sends it back for review). Team members only.
 */
export async function submitResult(db: Executor, who: UserActor, visitId: string, input: unknown): Promise<{ created: boolean; assignment: AssignmentDetail }> {
  const body: ParsedResult = parseInput(resultInput, input, '检查结果');
  const v = await requireAssignment(db, who, visitId);
  requireTeamMember(who, v);
  if (!v.notified_at) {
    throw new ConflictError('尚未向被检查主体送达检查通知书（先打印通知书：GET /api/v1/assignments/{id}/notice），不能录入检查结果', 'NOT_NOTIFIED');
  }
  const existing = await repo.findResultOfVisit(db, visitId);
  const move = assertResultMove(existing?.status ?? null, 'entered');
  const problems: Problem[] = checkResultRules(body, mattersOf(v));
  // A code outside the vocabulary is refused, never read as "no list applies".
  problems.push(...unknownViolationTypes(body.findings, knownViolationTypes()));
  const today = shanghaiDate(who.now);
  const notifiedOn = shanghaiDate(new Date(v.notified_at));
  if (body.inspectedOn > today) problems.push({ path: 'inspectedOn', code: 'FUTURE_DATE', message: `检查日期 ${body.inspectedOn} 晚于今天（${today}）` });
  if (body.inspectedOn < notifiedOn) problems.push({ path: 'inspectedOn', code: 'BEFORE_NOTICE', message: `检查日期 ${body.inspectedOn} 早于送达检查通知书的日期 ${notifiedOn}` });
  if (body.inspectedOn < v.window_start || body.inspectedOn > v.window_end) {
    problems.push({ path: 'inspectedOn', code: 'OUTSIDE_WINDOW', message: `检查日期 ${body.inspectedOn} 不在本次检查的时间范围（${v.window_start} 至 ${v.window_end}）内` });
  }
  if (problems.length) {
    throw new ValidationError(`检查结果有 ${problems.length} 处问题：${problems.map((p) => p.message).join('；')}`, problems, 'INVALID_RESULT');
  }

  const prior = (await repo.pastViolationsOf(db, v.uscc)).map((p) => ({ occurredOn: p.occurred_on, violationType: p.violation_type }));
  const findings: StoredFinding[] = body.findings.map((f) => (f.compliant ? f : { ...f, exemption: evaluateFinding(f, body.inspectedOn, prior) }));
  const old = existing ? await repo.measuresOf(db, existing.id) : [];
  const at = who.now ?? new Date();
  const now = nowIso(at);
  const resultId = existing?.id ?? crypto.randomUUID();
  const measures = body.measures.map((m, i) => {
    const ev = evaluateMeasure(m, body.inspectedOn);
    const facts = measureFacts(m);
    // An override already asked for (or granted) for the very same proposal survives an edit.
    const kept = ev.state === 'refused' ? old.find((o) => o.measure === m.measure && canonicalJson(o.facts) === canonicalJson(facts) && (o.state === 'override-requested' || o.state === 'overridden')) : undefined;
    return {
      result_id: resultId,
      n: i + 1,
      measure: m.measure,
      facts: toJson(facts),
      state: (kept?.state ?? ev.state) as MeasureState,
      evaluation: toJson(ev.evaluation as Record<string, unknown>),
      basis: ev.basis,
      list_version: ev.listVersion,
      item_number: ev.itemNumber,
      override_reason: kept?.override_reason ?? null,
      override_requested_by: kept?.override_requested_by ?? null,
      override_requested_at: kept?.override_requested_at ?? null,
      override_approved_by: kept?.override_approved_by ?? null,
      override_approved_at: kept?.override_approved_at ?? null,
      override_comment: kept?.override_comment ?? null,
    } satisfies Insertable<ResultMeasureTable>;
  });
  const columns = {
    inspected_on: body.inspectedOn,
    method: body.method,
    codes: sortCodes(body.codes),
    follow_up: body.followUp as string[],
    findings,
    note: body.note ?? null,
    updated_by: who.name,
    updated_at: now,
  };
  const stored = { ...columns, codes: toJson(columns.codes), follow_up: toJson(columns.follow_up), findings: toJson(columns.findings) };
  const refusedNote = measures.filter((m) => m.state === 'refused').map((m) => `第 ${m.n} 项强制措施依清单不予实施`);
  const exemptNote = findings.filter((f) => f.exemption?.exempt).map((f) => `事项 ${f.matter} 拟不予处罚`);
  const comment = [...exemptNote, ...refusedNote].join('；') || null;

  await inTransaction(db, async (trx) => {
    if (!existing) {
      try {
        await repo.insertResult(trx, {
          id: resultId,
          visit_id: visitId,
          plan_id: v.plan_id,
          uscc: v.uscc,
          status: move.to,
          ...stored,
          entered_by: who.name,
          entered_at: now,
          revision: 1,
          reviewed_by: null,
          reviewed_at: null,
          review_comment: null,
          published_by: null,
          published_at: null,
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new ConflictError('本次检查的结果刚被检查组其他成员录入，请刷新后修改', 'RESULT_CHANGED');
        throw e;
      }
    } else {
      const ok = await repo.updateResultIf(trx, existing.id, { status: existing.status, revision: existing.revision }, { ...stored, status: move.to, revision: existing.revision + 1 });
      if (!ok) throw new ConflictError('检查结果刚被他人修改或审核，请刷新后重试', 'RESULT_CHANGED');
    }
    await repo.insertResultEvent(trx, { result_id: resultId, action: move.action, from_status: move.from, to_status: move.to, measure_n: null, actor: who.name, at: now, comment });
    await repo.replaceMeasures(trx, resultId, measures);
    await recordAudit(
      trx,
      {
        actor: who.name,
        action: existing ? 'result.edit' : 'result.enter',
        entity: 'inspection-result',
        entityId: resultId,
        before: existing ? { ...resultSnapshot(existing), measures: old.map((m) => ({ n: m.n, measure: m.measure, state: m.state })) } : null,
        after: {
          ...resultSnapshot({ ...columns, status: move.to, revision: (existing?.revision ?? 0) + 1 }),
          visit: visitId,
          uscc: v.uscc,
          measures: measures.map((m) => ({ n: m.n, measure: m.measure, state: m.state, basis: m.basis })),
        },
        note: comment,
      },
      at,
    );
  });
  return { created: !existing, assignment: await assignmentDetail(db, (await repo.findVisit(db, visitId))!) };
}
