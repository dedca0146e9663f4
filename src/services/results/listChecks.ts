/**
 * A result's findings and measures against the lists in force on the inspection date: each
 * violation against the exemption lists (免罚清单: first-violation and minor-violation items, with
 * the entity's same-type violations on record), each proposed seal-up or seizure against the
 * no-coercion lists (不予实施行政强制措施清单). The answers are stored with the result, so a
 * later change of the lists never rewrites what was proposed.
 */
import { evaluateCoercion, evaluateExemption, type CoercionProposal, type PriorViolation } from '../../domain/lists.ts';
import type { ExemptionOutcome } from '../../domain/results.ts';
import { exemptionListOn, noCoercionListOn } from '../lists.ts';
import type { ParsedFinding, ParsedMeasure } from './schemas.ts';

/** The exemption lists' answer for a non-compliant finding (its violation type, harm and correction are present: the result rules require them). */
export function evaluateFinding(f: ParsedFinding, inspectedOn: string, prior: PriorViolation[]): ExemptionOutcome {
  const occurredOn = f.occurredOn ?? inspectedOn;
  const type = f.violationType!;
  const lists = exemptionListOn(inspectedOn);
  const input = {
    violationType: type,
    occurredOn,
    discoveredOn: inspectedOn,
    harm: f.harm!,
    correction: f.correction!,
    durationDays: f.durationDays,
    incidents: f.incidents ?? [],
    priorViolations: prior,
  };
  const evaluated = lists.map((list) => ({ list, r: evaluateExemption(input, list) }));
  const exempt = evaluated.find((x) => x.r.exempt);
  const matched = evaluated.filter((x) => x.r.matched);
  const failed = exempt
    ? []
    : (matched.length ? matched : evaluated).flatMap((x) =>
        x.r.failed.map((c) => ({ listVersion: x.list.version, itemNumber: x.r.item?.number ?? null, condition: c.condition, code: c.code, message: c.message })),
      );
  if (!lists.length) {
    failed.push({ listVersion: '', itemNumber: null, condition: 'listed', code: 'NO_LIST_IN_FORCE', message: `检查日 ${inspectedOn} 没有有效的免罚清单` });
  }
  const proposal = exempt ? { ...exempt.r.proposal!, listTitle: exempt.list.title } : null;
  return {
    evaluatedOn: inspectedOn,
    occurredOn,
    exempt: !!exempt,
    proposal,
    failed,
    lists: evaluated.map((x) => ({ version: x.list.version, matched: x.r.matched, exempt: x.r.exempt, itemNumber: x.r.item?.number ?? null })),
    priorViolations: prior.filter((p) => p.violationType === type && p.occurredOn < occurredOn),
    correctionOrderRequired: true,
    message: proposal
      ? `拟不予处罚：依《${proposal.listTitle}》第 ${proposal.itemNumber} 项（${proposal.violation}），依据${proposal.basis}；仍须责令改正`
      : `不适用免罚清单：${failed.map((c) => c.message).join('；')}；应依法处理并责令改正`,
  };
}

export interface MeasureEvaluation {
  state: 'allowed' | 'refused';
  basis: string | null;
  listVersion: string | null;
  itemNumber: string | null;
  evaluation: { evaluatedOn: string; refused: boolean; message: string; lists: { version: string; refused: boolean; itemNumber: string | null; unmet: { number: string; failed: string[] }[] }[] };
}

/** The no-coercion lists' answer for a proposed measure: 'refused' (with the item and basis) or 'allowed'. */
export function evaluateMeasure(m: ParsedMeasure, inspectedOn: string): MeasureEvaluation {
  const proposal: CoercionProposal = {
    measure: m.measure,
    situationType: m.situationType,
    firstViolation: m.firstViolation,
    correctedInTime: m.correctedInTime,
    licenceInvolved: m.licenceInvolved,
    operatingDays: m.operatingDays,
    evidenceDestructionRisk: m.evidenceDestructionRisk,
    harmSpreadRisk: m.harmSpreadRisk,
    itemKind: m.itemKind,
  };
  const evaluated = noCoercionListOn(inspectedOn).map((list) => ({ list, r: evaluateCoercion(proposal, list) }));
  const refusing = evaluated.find((x) => x.r.refused);
  return {
    state: refusing ? 'refused' : 'allowed',
    basis: refusing?.r.basis ?? null,
    listVersion: refusing?.r.listVersion ?? null,
    itemNumber: refusing?.r.item?.number ?? null,
    evaluation: {
      evaluatedOn: inspectedOn,
      refused: !!refusing,
      message: refusing
        ? refusing.r.message
        : evaluated.length
          ? evaluated.map((x) => x.r.message).join('；')
          : `检查日 ${inspectedOn} 没有有效的不予实施行政强制措施清单；可依法实施，但应限定在所必需的范围内`,
      lists: evaluated.map((x) => ({ version: x.list.version, refused: x.r.refused, itemNumber: x.r.item?.number ?? null, unmet: x.r.unmet })),
    },
  };
}

/** What a measure proposal says besides its kind (stored as the measure's facts; an override survives an edit only if they are unchanged). */
export function measureFacts(m: ParsedMeasure): Record<string, unknown> {
  const { measure: _measure, ...facts } = m;
  return facts;
}
