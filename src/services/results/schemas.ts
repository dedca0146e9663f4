/**
 * The request bodies of the inspectors' work (zod): a result with its findings and proposed
 * measures, a review, an override request and its approval, an abnormal-list follow-up. The
 * HTTP routes publish them in the OpenAPI document; the services parse with `parseInput`, so a
 * caller other than HTTP (the demo loader, tests) gets the same checks and messages.
 */
import { z } from 'zod';
import { ValidationError } from '../../domain/errors.ts';
import { INSPECTION_METHODS, RESULT_CODES } from '../../domain/registry.ts';
import { COERCION_ITEM_KINDS, COERCIVE_MEASURES, CORRECTIONS, HARMS } from '../../domain/lists.ts';
import { FOLLOW_UPS, RESULT_CODE_ORDER } from '../../domain/results.ts';
import { isIsoDate } from '../../domain/time.ts';

const isoDate = (title: string) => z.string().refine(isIsoDate, { message: `“${title}”应为 YYYY-MM-DD 格式的真实日期` }).meta({ title, format: 'date' });
const typeCode = (title: string) =>
  z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: `“${title}”应为大写字母、数字和下划线组成的代码，如 FOOD_LICENCE_EXPIRED` }).max(64).meta({ title });
const text = (title: string, max: number) => z.string().trim().min(1).max(max).meta({ title });

export const findingInput = z.strictObject({
  matter: text('检查事项编码', 64),
  compliant: z.boolean().meta({ title: '是否合规' }),
  violationType: typeCode('违法行为类型代码').optional(),
  violatedProvision: text('违反的条款', 500).optional(),
  harm: z.enum(HARMS).optional().meta({ title: '危害后果', description: 'none 没有造成危害后果；minor 危害后果轻微；not-minor 不属于轻微' }),
  correction: z
    .enum(CORRECTIONS)
    .optional()
    .meta({ title: '改正情况', description: 'before-discovery 发现前主动改正；before-decision 作出决定前改正；within-deadline 责令期限内改正；late 逾期改正；none 未改正' }),
  occurredOn: isoDate('违法行为发生日期').optional(),
  durationDays: z.number().int().min(0).max(36500).optional().meta({ title: '违法行为持续天数' }),
  incidents: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/).max(64)).max(10).optional().meta({ title: '发生的事故或后果', description: '如 food-safety-incident' }),
  note: z.string().trim().max(2000).optional().meta({ title: '说明' }),
});

export const measureInput = z.strictObject({
  measure: z.enum(COERCIVE_MEASURES).meta({ title: '强制措施', description: 'seal-up 查封；seizure 扣押' }),
  object: text('拟查封、扣押的场所、设施或财物', 500),
  reason: text('理由和事实', 2000),
  matter: text('所涉检查事项编码', 64).optional(),
  situationType: typeCode('情形代码').optional(),
  firstViolation: z.boolean().optional().meta({ title: '是否首次违法' }),
  correctedInTime: z.boolean().optional().meta({ title: '是否及时改正' }),
  licenceInvolved: z.boolean().optional().meta({ title: '是否涉及须经许可的经营项目' }),
  operatingDays: z.number().int().min(0).max(36500).optional().meta({ title: '已经营天数' }),
  evidenceDestructionRisk: z.boolean().optional().meta({ title: '是否有证据灭失风险' }),
  harmSpreadRisk: z.boolean().optional().meta({ title: '是否有危害扩大风险' }),
  itemKind: z.enum(COERCION_ITEM_KINDS).optional().meta({ title: '物品类别' }),
});

const resultCode = z.enum(RESULT_CODE_ORDER).meta({ title: '检查结果代码', description: RESULT_CODE_ORDER.map((c) => `${c} ${RESULT_CODES[c]}`).join('；') });
const followUp = z.enum(FOLLOW_UPS).meta({ title: '后续处置' });

export const resultInput = z.strictObject({
  inspectedOn: isoDate('检查日期'),
  codes: z.array(resultCode).min(1).max(18).meta({ title: '检查结果（可多选）' }),
  method: z.enum(INSPECTION_METHODS).meta({ title: '核查方式' }),
  followUp: z
    .union([followUp, z.array(followUp).min(1).max(5)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .meta({ title: '后续处置（一项或多项）' }),
  findings: z.array(findingInput).max(100).default([]).meta({ title: '各事项检查情况' }),
  measures: z.array(measureInput).max(20).default([]).meta({ title: '拟采取的行政强制措施' }),
  note: z.string().trim().max(4000).optional().meta({ title: '备注' }),
});
export type ResultInput = z.input<typeof resultInput>;
export type ParsedResult = z.output<typeof resultInput>;
export type ParsedFinding = z.output<typeof findingInput>;
export type ParsedMeasure = z.output<typeof measureInput>;

export const reviewInput = z.strictObject({
  decision: z.enum(['approve', 'return']).meta({ title: '审核结论', description: 'approve 通过；return 退回检查组修改' }),
  comment: z.string().trim().max(2000).optional().meta({ title: '审核意见（退回时必填）' }),
});
export const overrideInput = z.strictObject({ reason: text('理由', 2000).refine((s) => s.length >= 4, { message: '理由至少 4 个字' }) });
export const overrideApprovalInput = z.strictObject({ comment: z.string().trim().max(2000).optional().meta({ title: '意见' }) });
export const abnormalListingInput = z.strictObject({
  listedOn: isoDate('列入日期').optional(),
  reason: text('列入原因', 500).optional(),
});

/** The parsed body, or a 400 INVALID_INPUT listing every problem; `what` names the body in the message (检查结果, 审核意见…). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), code: 'INVALID_FIELD', message: i.message }));
  throw new ValidationError(`${what}有误：${problems.map((p) => `${p.path || '（整体）'}：${p.message}`).join('；')}`, problems, 'INVALID_INPUT');
}
