/**
 * The schema of data/plan-defaults.json: what a new inspection task takes when its author leaves
 * a field out (rates per credit grade, exclusion rules, the 3% disclosure minimum, the working-day
 * deadlines). Values must be ones a task could carry: a default that a task would reject (a rate
 * of 0 or above 1, a non-decimal string) is rejected here, at start, naming the field.
 */
import { z } from 'zod';
import { STRATA, type Stratum } from '../domain/draw/params.ts';
import type { PlanDefaults } from '../domain/plans.ts';
import { show, strictShape } from './dataFile.ts';

/** A decimal string with at most 6 places, as draw parameters take it ("0.05"). */
const DECIMAL = /^\d+(\.\d{1,6})?$/;

function rate(what: string, allowZero: boolean) {
  const expected = `${what}必须是 ${allowZero ? '0' : '大于 0'} 到 1 之间、最多 6 位小数的字符串，如 "0.05"`;
  return z
    .string({ error: (iss) => `${expected}，实际是${show(iss.input)}` })
    .refine((s) => DECIMAL.test(s) && Number(s) <= 1 && (allowZero || Number(s) > 0), {
      error: (iss) => `${expected}，实际是${show(iss.input)}${!allowZero && typeof iss.input === 'string' && Number(iss.input) === 0 ? '（任何等级都不能免于抽查）' : ''}`,
    });
}

const positiveInt = (what: string) =>
  z.number({ error: (iss) => `${what}必须是正整数，实际是${show(iss.input)}` }).int({ error: (iss) => `${what}必须是正整数，实际是${show(iss.input)}` }).min(1, {
    error: (iss) => `${what}必须是正整数，实际是${show(iss.input)}`,
  });

const ratesShape = Object.fromEntries(STRATA.map((s) => [s, rate(`${s === 'U' ? '未评级' : `${s} 类`}的默认抽查比例`, false).optional()])) as Record<
  Stratum,
  z.ZodOptional<ReturnType<typeof rate>>
>;

export const planDefaultsSchema = strictShape(
  {
    rates: strictShape(ratesShape, { allowed: `${STRATA.join('、')}（U = 未评级）` }).refine((r) => Object.values(r).some((v) => v !== undefined), {
      error: '至少要为一个信用等级写默认抽查比例',
    }),
    yearlyCap: positiveInt('每个主体一年内最多被抽中的次数').nullable(),
    lookbackDays: positiveInt('近期已检查主体的回避天数').max(3660, { error: '回避天数最多 3660 天' }).nullable(),
    disclosureMinimumRate: rate('企业公示信息抽查的最低比例', true),
    disclosureMatterPattern: z.string().trim().min(1),
    publicationWorkingDays: positiveInt('结果公示期限（工作日）'),
    abnormalFollowUpWorkingDays: positiveInt('列入经营异常名录的跟进期限（工作日）'),
    approachingWorkingDays: positiveInt('临近期限提醒（工作日）'),
  },
  { expected: '对象 { "rates": { … }, "yearlyCap": …, … }' },
);

/** Compile-time: the schema produces the domain's PlanDefaults. */
type Assert<T extends true> = T;
export type PlanDefaultsSchemaMatches = Assert<z.output<typeof planDefaultsSchema> extends PlanDefaults ? true : false>;
