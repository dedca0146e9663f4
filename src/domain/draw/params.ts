/**
 * Draw parameters: what `draw commit <params.json>` reads, validated, normalised and written
 * as canonical JSON (docs/draw-algorithm.md §2–3).
 */
import { byteOrder, canonicalJson } from '../canonicalJson.ts';
import { z } from 'zod';
import { ENTITY_TYPES } from '../registry.ts';
import { isIsoDate } from '../time.ts';
import { ALGORITHM } from './seed.ts';

export const STRATA = ['A', 'B', 'C', 'D', 'U'] as const;
export type Stratum = (typeof STRATA)[number];
export const STRATUM_LABELS: Record<Stratum, string> = { A: 'A 类（信用风险低）', B: 'B 类（信用风险一般）', C: 'C 类（信用风险较高）', D: 'D 类（信用风险高）', U: '未评级' };
/** The sector (专业领域) risk grades, for draws stratified by sector rather than by credit. */
export const SECTOR_STRATUM_LABELS: Record<Stratum, string> = { A: '专业领域风险 A 类', B: '专业领域风险 B 类', C: '专业领域风险 C 类', D: '专业领域风险 D 类', U: '专业领域未分类' };

/** A stratum labelled by what the draw stratified by: credit grades or sector grades. */
export function stratumLabel(stratum: Stratum, stratifyBy: 'credit' | 'sector' = 'credit'): string {
  return (stratifyBy === 'sector' ? SECTOR_STRATUM_LABELS : STRATUM_LABELS)[stratum] ?? stratum;
}

/** A decimal with at most 6 places, given as a string or a JSON number. */
const decimal = (what: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => (typeof v === 'number' ? String(v) : v))
    .refine((s) => /^\d+(\.\d{1,6})?$/.test(s), { message: `${what}须为最多 6 位小数的非负数，如 "0.05"` })
    .transform((s) => normalizeDecimal(s));

export function normalizeDecimal(s: string): string {
  let [int, frac = ''] = s.split('.');
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

const stratumMap = (what: string) => z.partialRecord(z.enum(STRATA), decimal(what));
const isoDate = z.string().refine(isIsoDate, { message: '日期须写作 YYYY-MM-DD' });
/** Text that canonical JSON can carry the same way in every language (no lone surrogates). */
const WELL_FORMED = { message: '含有无效的 Unicode 字符（孤立的代理项）：请删除后重新输入' };
const wellFormed = (max: number) => z.string().trim().min(1).max(max).refine((s) => s.isWellFormed(), WELL_FORMED);
const code = z.string().min(1).max(64).regex(/^[^,";\r\n]+$/, { message: '不能包含逗号、引号、分号或换行' }).refine((s) => s.isWellFormed(), WELL_FORMED);

export const drawParamsInput = z
  .strictObject({
    task: wellFormed(200),
    year: z.number().int().min(2000).max(2100),
    window: z.strictObject({ start: isoDate, end: isoDate }),
    stratifyBy: z.enum(['credit', 'sector']).default('credit'),
    selection: z.discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('rates'), rates: stratumMap('抽查比例') }),
      z.strictObject({ mode: z.literal('total'), total: z.number().int().min(1), weights: stratumMap('权重') }),
    ]),
    excludeStrata: z
      .array(z.strictObject({ stratum: z.enum(STRATA), reason: z.string().trim().min(1, { message: '排除一个等级必须写明理由' }).max(500).refine((s) => s.isWellFormed(), WELL_FORMED) }))
      .default([]),
    filters: z
      .strictObject({
        entityTypes: z.array(z.enum(ENTITY_TYPES)).default([]),
        industryCodes: z.array(z.string().regex(/^[A-Ta-t]?\d{1,4}$/, { message: '行业代码前缀如 F52 或 5211' })).default([]),
        streets: z.array(wellFormed(100)).default([]),
        tags: z.array(wellFormed(100)).default([]),
      })
      .default({ entityTypes: [], industryCodes: [], streets: [], tags: [] }),
    exclusions: z
      .strictObject({
        yearlyCap: z.number().int().min(1).nullable().default(null),
        lookbackDays: z.number().int().min(1).max(3660).nullable().default(null),
      })
      .default({ yearlyCap: null, lookbackDays: null }),
    matters: z.array(code).min(1),
    departments: z.array(z.strictObject({ code, officersPerTeam: z.number().int().min(1).max(10) })).min(1),
    randomnessSource: z.string().trim().min(1, { message: '请事先写明随机数来源（如哪一期彩票、哪一次掷骰仪式）' }).max(500).refine((s) => s.isWellFormed(), WELL_FORMED),
  })
  .superRefine((p, ctx) => {
    if (p.window.start > p.window.end) ctx.addIssue({ code: 'custom', path: ['window', 'end'], message: '检查结束日期早于开始日期' });
    const teamSize = p.departments.reduce((s, d) => s + d.officersPerTeam, 0);
    if (teamSize < 2) ctx.addIssue({ code: 'custom', path: ['departments'], message: '每个检查组至少两名执法人员：请提高 officersPerTeam 或增加部门' });
    const codes = p.departments.map((d) => d.code);
    if (new Set(codes).size !== codes.length) ctx.addIssue({ code: 'custom', path: ['departments'], message: '部门重复' });
    const excluded = new Set(p.excludeStrata.map((e) => e.stratum));
    if (excluded.size !== p.excludeStrata.length) ctx.addIssue({ code: 'custom', path: ['excludeStrata'], message: '同一等级排除了两次' });
    const values = p.selection.mode === 'rates' ? p.selection.rates : p.selection.weights;
    for (const [s, v] of Object.entries(values) as [Stratum, string][]) {
      if (excluded.has(s)) ctx.addIssue({ code: 'custom', path: ['selection'], message: `${s} 已被排除，不能再给比例或权重` });
      if (v === '0') ctx.addIssue({ code: 'custom', path: ['selection', s], message: `${s} 的比例或权重为 0：不抽某一等级须放入 excludeStrata 并写明理由` });
      if (p.selection.mode === 'rates' && Number(v) > 1) ctx.addIssue({ code: 'custom', path: ['selection', s], message: '抽查比例不能超过 1（100%）' });
    }
  });

export type DrawParamsInput = z.input<typeof drawParamsInput>;

export interface DrawParams {
  algorithm: typeof ALGORITHM;
  task: string;
  /** 1 for a task's first draw, 2 for the first redraw, …: every draw has its own commitment. */
  attempt: number;
  year: number;
  window: { start: string; end: string };
  stratifyBy: 'credit' | 'sector';
  selection: { mode: 'rates'; rates: Partial<Record<Stratum, string>> } | { mode: 'total'; total: number; weights: Partial<Record<Stratum, string>> };
  excludeStrata: { stratum: Stratum; reason: string }[];
  filters: { entityTypes: string[]; industryCodes: string[]; streets: string[]; tags: string[] };
  exclusions: { yearlyCap: number | null; lookbackDays: number | null };
  matters: string[];
  departments: { code: string; officersPerTeam: number }[];
  randomnessSource: string;
}

const sortedUnique = (xs: string[]) => [...new Set(xs)].sort(byteOrder);

/** Validated input → normalised parameters (throws the zod error on bad input). */
export function normalizeParams(input: unknown, attempt = 1): DrawParams {
  const p = drawParamsInput.parse(input);
  return {
    algorithm: ALGORITHM,
    task: p.task,
    attempt,
    year: p.year,
    window: p.window,
    stratifyBy: p.stratifyBy,
    selection: p.selection.mode === 'rates' ? { mode: 'rates', rates: p.selection.rates } : { mode: 'total', total: p.selection.total, weights: p.selection.weights },
    excludeStrata: p.excludeStrata,
    filters: {
      entityTypes: sortedUnique(p.filters.entityTypes),
      industryCodes: sortedUnique(p.filters.industryCodes.map((c) => c.toUpperCase())),
      streets: sortedUnique(p.filters.streets),
      tags: sortedUnique(p.filters.tags),
    },
    exclusions: p.exclusions,
    matters: p.matters,
    departments: p.departments,
    randomnessSource: p.randomnessSource,
  };
}

/** Does an entity pass the task's directed filters? (Empty lists do not filter.) */
export function passesFilters(
  f: DrawParams['filters'],
  e: { entityType: string; industryCode: string | null; street: string | null; tags: string[] },
): boolean {
  if (f.entityTypes.length && !f.entityTypes.includes(e.entityType)) return false;
  if (f.streets.length && (!e.street || !f.streets.includes(e.street))) return false;
  if (f.tags.length && !e.tags.some((t) => f.tags.includes(t))) return false;
  if (f.industryCodes.length) {
    // The section letter is redundant (the digits determine it): compare the digits only.
    const digits = (e.industryCode ?? '').toUpperCase().replace(/^[A-T]/, '');
    if (!digits || !f.industryCodes.some((prefix) => digits.startsWith(prefix.replace(/^[A-T]/, '')))) return false;
  }
  return true;
}
