/**
 * The penalty-exemption list (免罚清单: 首违不罚 / 轻微不罚) and the no-coercive-measures list
 * (不予实施行政强制措施清单), held as versioned data (data/lists/**) and evaluated here by pure
 * functions. Nothing in this file reads files, the clock or the database. See docs/lists.md.
 * The schema of a list file (zod) is at the end: the one place that says what a file may contain.
 *
 * Dates are calendar days in Asia/Shanghai written YYYY-MM-DD (plain strings compare in order).
 */
import { z } from 'zod';
import { ValidationError, type Problem } from './errors.ts';
import { isIsoDate } from './time.ts';
import { isPlainObject, jsonPath, parseDataFile, problemsText, show, strictShape } from '../schemas/dataFile.ts';

// ---------------------------------------------------------------------------------------------
// Types

export type ListKind = 'exemption' | 'no-coercion';
export const LIST_KINDS: readonly ListKind[] = ['exemption', 'no-coercion'];

/** When the party corrected the violation, for the timings a list accepts. */
export type CorrectionTiming = 'before-discovery' | 'before-decision' | 'within-deadline';
export const CORRECTION_TIMINGS: readonly CorrectionTiming[] = ['before-discovery', 'before-decision', 'within-deadline'];
/** The correction as found: one of the accepted timings, after the ordered deadline, or not at all. */
export type Correction = CorrectionTiming | 'late' | 'none';
export const CORRECTIONS: readonly Correction[] = [...CORRECTION_TIMINGS, 'late', 'none'];

/**
 * The harm caused. 'none' = 没有造成危害后果 (needed by 轻微不罚 items, 《行政处罚法》第三十三条第一款前段);
 * 'minor' = 危害后果轻微 (enough for 首违不罚 items, 第三十三条第一款后段); 'not-minor' = anything more.
 */
export type Harm = 'none' | 'minor' | 'not-minor';
export const HARMS: readonly Harm[] = ['none', 'minor', 'not-minor'];

export type ExemptionKind = 'first-violation' | 'minor';
export const EXEMPTION_KINDS: readonly ExemptionKind[] = ['first-violation', 'minor'];

export type CoerciveMeasure = 'seal-up' | 'seizure';
export const COERCIVE_MEASURES: readonly CoerciveMeasure[] = ['seal-up', 'seizure'];
export const MEASURE_NAMES: Record<CoerciveMeasure, string> = { 'seal-up': '查封', seizure: '扣押' };

export type CoercionItemKind = 'tools-usable-for-lawful-business' | 'copiable-documents' | 'daily-necessities';
export const COERCION_ITEM_KINDS: readonly CoercionItemKind[] = [
  'tools-usable-for-lawful-business',
  'copiable-documents',
  'daily-necessities',
];
export const ITEM_KIND_NAMES: Record<CoercionItemKind, string> = {
  'tools-usable-for-lawful-business': '可用于其他合法经营的工具、设备',
  'copiable-documents': '可通过复制、拍照等方式固定证据的书证',
  'daily-necessities': '当事人及其所扶养家属的生活必需品',
};

/** What every list file says about itself. */
export interface ListMeta {
  list: ListKind;
  /** Equals the file name without .json, e.g. 'national-2025'. */
  version: string;
  /**
   * Versions of one series replace each other; lists of different series apply side by side
   * (the national list and a province's). Optional in the file: defaults to the version without
   * its trailing '-YYYY…' part ('chongqing-2021' → 'chongqing').
   */
  series: string;
  issuer: string;
  title: string;
  /** First day in force. */
  effectiveFrom: string;
  /** Last day in force (inclusive), or null while in force. */
  effectiveTo: string | null;
  /** Document name and number. */
  source: string;
}

export interface ExemptionConditions {
  /** 首违: no prior violation of the same violationType within this many years before (first-violation items). */
  firstViolationWithinYears?: number;
  /** Harm must be at most minor (危害后果轻微). */
  minorHarm: boolean;
  /** Harm must be none (没有造成危害后果); stricter than minorHarm. */
  noHarm?: boolean;
  /** The correction timings that qualify (及时改正). */
  correctedBy: CorrectionTiming[];
  /** The violation may have lasted at most this many days (inclusive). */
  maxDurationDays?: number;
  /** Further requirements of the official text an officer must confirm; shown, not evaluated. */
  otherRequirements?: string[];
}

export interface ExemptionItem {
  number: string;
  category: string;
  violation: string;
  /** Stable code findings and past-violation records are matched on, e.g. 'FOOD_LICENCE_EXPIRED'. */
  violationType: string;
  violatedProvision: string;
  penaltyProvision: string;
  kind: ExemptionKind;
  conditions: ExemptionConditions;
  /** Incidents that rule the exemption out, e.g. 'food-safety-incident'. */
  exclusions: string[];
  /** Legal basis of not penalising, e.g. 《行政处罚法》第三十三条第一款. */
  basis: string;
  note?: string;
}

export interface NoCoercionConditions {
  firstViolation?: true;
  correctedInTime?: true;
  noLicenceInvolved?: true;
  maxOperatingDays?: number;
  noEvidenceDestructionRisk?: true;
  noHarmSpreadRisk?: true;
  itemKinds?: CoercionItemKind[];
}

export interface NoCoercionItem {
  number: string;
  measure: CoerciveMeasure;
  situation: string;
  /** When set, only a proposal with the same situationType matches (e.g. 'UNLICENSED_BUSINESS'). */
  situationType?: string;
  conditions: NoCoercionConditions;
  basis: string;
  note?: string;
}

export interface ExemptionList extends ListMeta {
  list: 'exemption';
  items: ExemptionItem[];
}

export interface NoCoercionList extends ListMeta {
  list: 'no-coercion';
  items: NoCoercionItem[];
}

export type AnyList = ExemptionList | NoCoercionList;

// ---------------------------------------------------------------------------------------------
// Dates

function parts(date: string): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * The same calendar date `years` years earlier; 29 February becomes 28 February in a year
 * without it. subtractYears('2026-03-15', 2) = '2024-03-15'; subtractYears('2028-02-29', 2) =
 * '2026-02-28'.
 */
export function subtractYears(date: string, years: number): string {
  const [y, m, d] = parts(date);
  const ny = y - years;
  const day = m === 2 && d === 29 && !isLeap(ny) ? 28 : d;
  return `${String(ny).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The first day of the look-back window for "no same-type violation within N years before
 * `occurredOn`": the same calendar date N years earlier, counted IN the window (inclusive).
 * A prior violation counts when firstViolationWindowStart(d, N) ≤ prior < d.
 */
export function firstViolationWindowStart(occurredOn: string, years: number): string {
  return subtractYears(occurredOn, years);
}

/** True when the list is in force on `date` (effectiveFrom ≤ date ≤ effectiveTo, both inclusive). */
export function inForce(meta: Pick<ListMeta, 'effectiveFrom' | 'effectiveTo'>, date: string): boolean {
  return meta.effectiveFrom <= date && (meta.effectiveTo === null || date <= meta.effectiveTo);
}

function requireDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new ValidationError(`${field} 必须是 YYYY-MM-DD 格式的真实日期（上海时间的日历日），实际是 ${JSON.stringify(value)}`, [
      { path: field, code: 'INVALID_DATE', message: '不是 YYYY-MM-DD 格式的真实日期' },
    ]);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Version selection

/**
 * The version in force on `date` (YYYY-MM-DD, Asia/Shanghai) among `lists`, which should be the
 * versions of one series. When several are in force (only possible with lists not checked by
 * checkOverlaps), the one that took effect last wins, then the greater version string.
 * Undefined when none is in force.
 */
export function activeVersion<T extends Pick<ListMeta, 'effectiveFrom' | 'effectiveTo' | 'version'>>(
  lists: readonly T[],
  date: string,
): T | undefined {
  requireDate(date, 'date');
  let best: T | undefined;
  for (const l of lists) {
    if (!inForce(l, date)) continue;
    if (
      !best ||
      l.effectiveFrom > best.effectiveFrom ||
      (l.effectiveFrom === best.effectiveFrom && l.version > best.version)
    ) {
      best = l;
    }
  }
  return best;
}

/** One version per series: every list that applies on `date`, ordered by series. */
export function activeVersions<T extends Pick<ListMeta, 'effectiveFrom' | 'effectiveTo' | 'version' | 'series'>>(
  lists: readonly T[],
  date: string,
): T[] {
  const bySeries = new Map<string, T[]>();
  for (const l of lists) bySeries.set(l.series, [...(bySeries.get(l.series) ?? []), l]);
  const out: T[] = [];
  for (const series of [...bySeries.keys()].sort()) {
    const v = activeVersion(bySeries.get(series)!, date);
    if (v) out.push(v);
  }
  return out;
}

/**
 * Versions of the same list kind and series whose periods overlap (so that a date would have two
 * versions in force). Returns one Chinese problem per overlapping pair.
 */
export function checkOverlaps(lists: readonly ListMeta[]): Problem[] {
  const problems: Problem[] = [];
  const groups = new Map<string, ListMeta[]>();
  for (const l of lists) {
    const key = `${l.list}|${l.series}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0));
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const a = sorted[i];
        const b = sorted[j];
        if (a.effectiveTo === null || b.effectiveFrom <= a.effectiveTo) {
          problems.push({
            path: `${a.list}/${b.version}`,
            code: 'LIST_VERSIONS_OVERLAP',
            message:
              `同一系列（${a.series}）的 ${a.version}（${a.effectiveFrom} 至 ${a.effectiveTo ?? '今'}）与 ${b.version}` +
              `（自 ${b.effectiveFrom}）有效期重叠：新版本生效时，应把旧版本的 effectiveTo 设为新版本生效日的前一天`,
          });
        }
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Exemption (免罚清单)

export interface PriorViolation {
  occurredOn: string;
  violationType: string;
}

export interface ExemptionInput {
  violationType: string;
  occurredOn: string;
  discoveredOn?: string;
  harm: Harm;
  correction: Correction;
  /** How many days the violation lasted (for items with a duration limit). */
  durationDays?: number;
  /** Incidents that happened, e.g. 'food-safety-incident', 'public-safety-incident'. */
  incidents?: string[];
  /** The entity's recorded violations (from the database); records dated on or after occurredOn are ignored. */
  priorViolations: PriorViolation[];
}

export interface FailedCondition {
  /** Which condition: 'listed', 'firstViolation', 'harm', 'correction', 'duration', 'exclusions'. */
  condition: string;
  code: string;
  /** Chinese: why the condition is not met. */
  message: string;
}

export interface ExemptionProposal {
  decision: '不予处罚';
  kind: ExemptionKind;
  itemNumber: string;
  basis: string;
  listVersion: string;
  source: string;
  violation: string;
  /** Requirements of the official text the system cannot check; the officer confirms them. */
  toVerify: string[];
}

export interface ExemptionResult {
  /** An item of the list covers this violationType. */
  matched: boolean;
  /** matched and every condition met: the proposal is present. */
  exempt: boolean;
  item?: ExemptionItem;
  proposal?: ExemptionProposal;
  failed: FailedCondition[];
  /** 不罚≠不管: the violation is ordered stopped and corrected whether or not it is penalised. */
  correctionOrderRequired: true;
}

export const CORRECTION_NAMES: Record<Correction, string> = {
  'before-discovery': '在市场监管部门发现前主动改正',
  'before-decision': '在作出处理决定前改正',
  'within-deadline': '在责令改正的期限内改正',
  late: '超过责令改正期限才改正',
  none: '未改正',
};

export const HARM_NAMES: Record<Harm, string> = { none: '没有造成危害后果', minor: '危害后果轻微', 'not-minor': '危害后果不属于轻微' };

const inputDate = (message: string) => z.string({ error: message }).refine(isIsoDate, { error: message });

/** What `evaluateExemption` accepts (the caller's own fields beyond these are ignored). */
export const exemptionInputSchema = z
  .object({
    violationType: z.string({ error: '违法行为类型代码不能为空' }).trim().min(1, { error: '违法行为类型代码不能为空' }),
    occurredOn: inputDate('违法行为发生日期必须是 YYYY-MM-DD 格式的真实日期'),
    discoveredOn: inputDate('发现日期必须是 YYYY-MM-DD 格式的真实日期').optional(),
    harm: z.enum(HARMS as [Harm, ...Harm[]], { error: `危害后果必须是 ${HARMS.join(' / ')} 之一` }),
    correction: z.enum(CORRECTIONS as [Correction, ...Correction[]], { error: `改正情况必须是 ${CORRECTIONS.join(' / ')} 之一` }),
    durationDays: z.number({ error: '持续天数必须是非负整数' }).int({ error: '持续天数必须是非负整数' }).min(0, { error: '持续天数必须是非负整数' }).optional(),
    incidents: z.array(z.string(), { error: '必须是字符串数组' }).optional(),
    priorViolations: z.array(
      z.object({
        occurredOn: inputDate('历史违法记录的日期必须是 YYYY-MM-DD 格式的真实日期'),
        violationType: z.string({ error: '历史违法记录必须有违法行为类型代码' }),
      }, { error: '历史违法记录必须是对象 { occurredOn, violationType }' }),
      { error: '必须是数组（没有历史违法记录时传 []）' },
    ),
  })
  .superRefine(
    (input: unknown, ctx) => {
      if (!isPlainObject(input)) return;
      const { occurredOn, discoveredOn } = input;
      if (typeof occurredOn === 'string' && typeof discoveredOn === 'string' && isIsoDate(occurredOn) && isIsoDate(discoveredOn) && discoveredOn < occurredOn) {
        ctx.addIssue({ code: 'custom', path: ['discoveredOn'], message: `发现日期 ${discoveredOn} 早于违法行为发生日期 ${occurredOn}` });
      }
    },
    { when: () => true },
  );

function checkExemptionInput(input: ExemptionInput): void {
  const r = exemptionInputSchema.safeParse(input);
  if (r.success) return;
  const problems = r.error.issues.map((i) => ({ path: jsonPath(i.path), code: 'INVALID_EXEMPTION_INPUT', message: i.message }));
  throw new ValidationError(`免罚评估的输入有误：${problemsText(problems, problems.length)}`, problems, 'INVALID_EXEMPTION_INPUT');
}

/**
 * Evaluates a finding against one exemption list version. Conditions are all checked (every
 * failure is reported, not only the first). The result always requires a correction order.
 *
 * First violation (首违): no recorded violation of the same violationType with
 * windowStart ≤ occurredOn(prior) < occurredOn, where windowStart is the same calendar date N
 * years earlier (29 Feb → 28 Feb), inclusive. E.g. with N = 2, for a violation on 2026-03-15 a
 * prior on 2024-03-15 counts (not a first violation), one on 2024-03-14 does not.
 */
export function evaluateExemption(input: ExemptionInput, list: ExemptionList): ExemptionResult {
  checkExemptionInput(input);
  const base = { correctionOrderRequired: true as const };
  const item = list.items.find((i) => i.violationType === input.violationType);
  if (!item) {
    return {
      ...base,
      matched: false,
      exempt: false,
      failed: [
        {
          condition: 'listed',
          code: 'NOT_LISTED',
          message: `违法行为类型 ${input.violationType} 不在《${list.title}》（${list.version}）中，不能依该清单不予处罚；仍应责令改正`,
        },
      ],
    };
  }
  const c = item.conditions;
  const failed: FailedCondition[] = [];

  if (c.firstViolationWithinYears !== undefined) {
    const years = c.firstViolationWithinYears;
    const start = firstViolationWindowStart(input.occurredOn, years);
    const earlier = input.priorViolations
      .filter((p) => p.violationType === item.violationType && p.occurredOn >= start && p.occurredOn < input.occurredOn)
      .map((p) => p.occurredOn)
      .sort();
    if (earlier.length > 0) {
      failed.push({
        condition: 'firstViolation',
        code: 'NOT_FIRST_VIOLATION',
        message:
          `不属于首次违法：${years} 年内已有同类违法（${item.violationType}）记录，日期 ${earlier.join('、')}；` +
          `本次违法发生于 ${input.occurredOn}，${years} 年期间自 ${start}（含）起算`,
      });
    }
  }

  if (c.noHarm && input.harm !== 'none') {
    failed.push({
      condition: 'harm',
      code: 'HARM_NOT_NONE',
      message: `该项要求没有造成危害后果，本案${HARM_NAMES[input.harm]}`,
    });
  } else if (c.minorHarm && input.harm === 'not-minor') {
    failed.push({ condition: 'harm', code: 'HARM_NOT_MINOR', message: '该项要求危害后果轻微，本案危害后果不属于轻微' });
  }

  if (!(c.correctedBy as Correction[]).includes(input.correction)) {
    const accepted = c.correctedBy.map((t) => CORRECTION_NAMES[t]).join('、');
    failed.push({
      condition: 'correction',
      code: input.correction === 'none' ? 'NOT_CORRECTED' : input.correction === 'late' ? 'CORRECTED_LATE' : 'CORRECTION_TIMING_NOT_ACCEPTED',
      message: `未及时改正：本案${CORRECTION_NAMES[input.correction]}；该项只认可${accepted}`,
    });
  }

  if (c.maxDurationDays !== undefined) {
    if (input.durationDays === undefined) {
      failed.push({
        condition: 'duration',
        code: 'DURATION_UNKNOWN',
        message: `该项要求违法行为持续不超过 ${c.maxDurationDays} 天，未提供持续天数，无法认定`,
      });
    } else if (input.durationDays > c.maxDurationDays) {
      failed.push({
        condition: 'duration',
        code: 'DURATION_EXCEEDED',
        message: `违法行为持续 ${input.durationDays} 天，超过该项允许的 ${c.maxDurationDays} 天`,
      });
    }
  }

  const happened = new Set(input.incidents ?? []);
  const excluded = item.exclusions.filter((e) => happened.has(e));
  if (excluded.length > 0) {
    failed.push({
      condition: 'exclusions',
      code: 'EXCLUDED_INCIDENT',
      message: `发生了排除适用的情形：${excluded.join('、')}，不适用免罚清单`,
    });
  }

  if (failed.length > 0) return { ...base, matched: true, exempt: false, item, failed };
  return {
    ...base,
    matched: true,
    exempt: true,
    item,
    failed,
    proposal: {
      decision: '不予处罚',
      kind: item.kind,
      itemNumber: item.number,
      basis: item.basis,
      listVersion: list.version,
      source: list.source,
      violation: item.violation,
      toVerify: [...(c.otherRequirements ?? [])],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// No coercion (不予实施行政强制措施清单)

/**
 * A proposed coercive measure and the facts of its situation. An unknown fact (undefined) does
 * not satisfy a condition that needs it.
 */
export interface CoercionProposal {
  measure: CoerciveMeasure;
  /** The situation code, matched against items that name one. */
  situationType?: string;
  firstViolation?: boolean;
  correctedInTime?: boolean;
  licenceInvolved?: boolean;
  operatingDays?: number;
  evidenceDestructionRisk?: boolean;
  harmSpreadRisk?: boolean;
  itemKind?: CoercionItemKind;
}

export interface CoercionResult {
  /** A list item matches: the measure must not be applied. */
  refused: boolean;
  item?: NoCoercionItem;
  basis?: string;
  listVersion?: string;
  /** Chinese: the refusal with its basis, or why no item applies. */
  message: string;
  /** The items considered (same measure, situation and item kind) that did not match, with their unmet conditions. */
  unmet: { number: string; failed: string[] }[];
}

/** The unmet conditions of one item for the proposal (Chinese), empty when it matches. */
export function unmetCoercionConditions(proposal: CoercionProposal, item: NoCoercionItem): string[] {
  const c = item.conditions;
  const out: string[] = [];
  if (c.firstViolation && proposal.firstViolation !== true) out.push(proposal.firstViolation === false ? '不是首次违法' : '未确认是否首次违法');
  if (c.correctedInTime && proposal.correctedInTime !== true) out.push(proposal.correctedInTime === false ? '未及时改正' : '未确认是否及时改正');
  if (c.noLicenceInvolved && proposal.licenceInvolved !== false) out.push(proposal.licenceInvolved === true ? '涉及须经许可的经营项目' : '未确认是否涉及许可');
  if (c.maxOperatingDays !== undefined) {
    if (proposal.operatingDays === undefined) out.push(`未提供经营天数（该项要求不超过 ${c.maxOperatingDays} 天）`);
    else if (proposal.operatingDays > c.maxOperatingDays) out.push(`已经营 ${proposal.operatingDays} 天，超过 ${c.maxOperatingDays} 天`);
  }
  if (c.noEvidenceDestructionRisk && proposal.evidenceDestructionRisk !== false) {
    out.push(proposal.evidenceDestructionRisk === true ? '有证据灭失或被转移的风险' : '未确认有无证据灭失风险');
  }
  if (c.noHarmSpreadRisk && proposal.harmSpreadRisk !== false) {
    out.push(proposal.harmSpreadRisk === true ? '有危害后果扩大的风险' : '未确认有无危害扩大风险');
  }
  if (c.itemKinds && (proposal.itemKind === undefined || !c.itemKinds.includes(proposal.itemKind))) {
    out.push(`拟${MEASURE_NAMES[item.measure]}的物品不属于：${c.itemKinds.map((k) => ITEM_KIND_NAMES[k]).join('、')}`);
  }
  return out;
}

/**
 * Checks a proposed seal-up or seizure against one no-coercion list version. The items considered
 * are those for the same measure whose situationType (when named) equals the proposal's and whose
 * itemKinds (when named) include the proposal's itemKind. The first of them (in list order) whose
 * conditions all hold refuses the measure, with its basis to be recorded; otherwise `unmet` says
 * what each considered item lacked.
 */
export function evaluateCoercion(proposal: CoercionProposal, list: NoCoercionList): CoercionResult {
  if (!COERCIVE_MEASURES.includes(proposal.measure)) {
    throw new ValidationError(`强制措施必须是 ${COERCIVE_MEASURES.join(' / ')} 之一，实际是 ${JSON.stringify(proposal.measure)}`, [
      { path: 'measure', code: 'INVALID_MEASURE', message: '未知的强制措施' },
    ]);
  }
  if (proposal.itemKind !== undefined && !COERCION_ITEM_KINDS.includes(proposal.itemKind)) {
    throw new ValidationError(`物品类别必须是 ${COERCION_ITEM_KINDS.join(' / ')} 之一`, [
      { path: 'itemKind', code: 'INVALID_ITEM_KIND', message: '未知的物品类别' },
    ]);
  }
  const name = MEASURE_NAMES[proposal.measure];
  // An item is about this proposal when it is for the same measure, its situation (if it names
  // one) is the proposal's, and its item kinds (if it names some) include the proposal's.
  const candidates = list.items.filter(
    (i) =>
      i.measure === proposal.measure &&
      (i.situationType === undefined || i.situationType === proposal.situationType) &&
      (i.conditions.itemKinds === undefined || (proposal.itemKind !== undefined && i.conditions.itemKinds.includes(proposal.itemKind))),
  );
  const unmet: { number: string; failed: string[] }[] = [];
  for (const item of candidates) {
    const failed = unmetCoercionConditions(proposal, item);
    if (failed.length === 0) {
      return {
        refused: true,
        item,
        basis: item.basis,
        listVersion: list.version,
        message:
          `依《${list.title}》第 ${item.number} 项（${item.situation}），不予实施${name}；依据：${item.basis}。` +
          `应改用说服教育、责令改正等非强制手段，并将本依据记录在案`,
        unmet,
      };
    }
    unmet.push({ number: item.number, failed });
  }
  return {
    refused: false,
    listVersion: list.version,
    message:
      candidates.length === 0
        ? `《${list.title}》中没有适用于拟${name}情形的事项；可依法实施，但应限定在所必需的范围内`
        : `《${list.title}》中的${name}事项均不适用（${unmet.map((u) => `第 ${u.number} 项：${u.failed.join('，')}`).join('；')}）；` +
          `可依法实施，但应限定在所必需的范围内`,
    unmet,
  };
}

// ---------------------------------------------------------------------------------------------
// The list file's schema (zod): one place for what a file under data/lists/ may contain

const VERSION_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const CODE_PATTERN = /^[A-Z][A-Z0-9_]*$/;
const INCIDENT_PATTERN = /^[a-z][a-z0-9-]*$/;

/** The series a version belongs to when the file does not say: 'chongqing-2021' → 'chongqing'. */
export function defaultSeries(version: string): string {
  const m = /^(.*?)-\d{4}(?:-.*)?$/.exec(version);
  return m && m[1] ? m[1] : version;
}

/** Trimmed, not blank. */
const text = () => z.string().trim().min(1);

const isoDate = (whenMissing?: string) => {
  const message = (iss: { input?: unknown }) =>
    iss.input === undefined && whenMissing ? whenMissing : `必须是 YYYY-MM-DD 格式的真实日期，实际是${show(iss.input)}`;
  return z.string({ error: message }).refine(isIsoDate, { error: message });
};

const code = (example: string) =>
  text().regex(CODE_PATTERN, { error: (iss) => `${JSON.stringify(iss.input)} 格式不对：大写字母、数字和下划线，如 ${example}` });

const positiveInt = () => z.number({ error: (iss) => `必须是正整数，实际是${show(iss.input)}` }).int({ error: (iss) => `必须是正整数，实际是${show(iss.input)}` }).positive({ error: (iss) => `必须是正整数，实际是${show(iss.input)}` });

/** A condition that is either required (true) or absent. */
const trueFlag = () => z.literal(true, { error: (iss) => `只能是 true（不需要该条件时删去此字段），实际是${show(iss.input)}` }).optional();

/** An array of distinct values. */
function distinct<T extends z.ZodType>(element: T) {
  return z.array(element).superRefine((values, ctx) => {
    if (new Set(values).size !== values.length) ctx.addIssue({ code: 'custom', message: '有重复的取值' });
  });
}

const oneOf = <T extends readonly [string, ...string[]]>(values: T, explain: string) =>
  z.enum(values, { error: (iss) => `必须是 ${explain}，实际是${show(iss.input)}` });

const exemptionConditionsSchema = strictShape({
  firstViolationWithinYears: positiveInt().optional(),
  minorHarm: z.boolean({ error: (iss) => `必须是 true 或 false，实际是${show(iss.input)}` }),
  noHarm: trueFlag(),
  correctedBy: distinct(z.enum(CORRECTION_TIMINGS as [CorrectionTiming, ...CorrectionTiming[]])).min(1, { error: '至少要有一种认可的改正时机' }),
  maxDurationDays: positiveInt().optional(),
  otherRequirements: distinct(text()).optional(),
});

const exemptionItemSchema = strictShape({
  number: text(),
  category: text(),
  violation: text(),
  violationType: code('FOOD_LICENCE_EXPIRED'),
  violatedProvision: text(),
  penaltyProvision: text(),
  kind: oneOf(EXEMPTION_KINDS as [ExemptionKind, ...ExemptionKind[]], '"first-violation"（首违不罚）或 "minor"（轻微不罚）'),
  conditions: exemptionConditionsSchema,
  exclusions: distinct(
    text().regex(INCIDENT_PATTERN, { error: (iss) => `取值 ${JSON.stringify(iss.input)} 格式不对（小写字母、数字和连字符，如 food-safety-incident）` }),
  ),
  basis: text(),
  note: text().optional(),
}).superRefine((item, ctx) => {
  const years = item.conditions.firstViolationWithinYears;
  if (item.kind === 'first-violation' && years === undefined) {
    ctx.addIssue({ code: 'custom', path: ['conditions', 'firstViolationWithinYears'], message: '首违不罚事项必须写明首次违法的认定年限（如 2）' });
  }
  if (item.kind === 'minor' && years !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['conditions', 'firstViolationWithinYears'],
      message: '轻微不罚事项不以首次违法为条件；需要首违条件时 kind 应为 "first-violation"',
    });
  }
});

const noCoercionConditionsSchema = strictShape({
  firstViolation: trueFlag(),
  correctedInTime: trueFlag(),
  noLicenceInvolved: trueFlag(),
  maxOperatingDays: positiveInt().optional(),
  noEvidenceDestructionRisk: trueFlag(),
  noHarmSpreadRisk: trueFlag(),
  itemKinds: distinct(z.enum(COERCION_ITEM_KINDS as [CoercionItemKind, ...CoercionItemKind[]]))
    .min(1, { error: '不能是空数组（不限物品类别时删去此字段）' })
    .optional(),
});

const noCoercionItemSchema = strictShape({
  number: text(),
  measure: oneOf(COERCIVE_MEASURES as [CoerciveMeasure, ...CoerciveMeasure[]], '"seal-up"（查封）或 "seizure"（扣押）'),
  situation: text(),
  situationType: code('UNLICENSED_BUSINESS').optional(),
  conditions: noCoercionConditionsSchema,
  basis: text(),
  note: text().optional(),
});

/**
 * Items of one version must differ in `number` (and, for exemption items, in `violationType`).
 * Checked even when some items have other problems, so that every problem is reported at once.
 */
function itemsSchema<T extends z.ZodType>(item: T, uniqueType: boolean) {
  return z
    .array(item)
    .min(1, { error: '清单没有任何事项' })
    .superRefine(
      (items: unknown, ctx) => {
        if (!Array.isArray(items)) return;
        for (const [key, valid] of [['number', (s: string) => s !== ''], ['violationType', (s: string) => CODE_PATTERN.test(s)]] as const) {
          if (key === 'violationType' && !uniqueType) continue;
          const seen = new Map<string, number>();
          items.forEach((raw: unknown, i) => {
            const v = isPlainObject(raw) && typeof raw[key] === 'string' ? raw[key].trim() : undefined;
            if (v === undefined || !valid(v)) return;
            const first = seen.get(v);
            if (first === undefined) seen.set(v, i);
            else {
              ctx.addIssue({
                code: 'custom',
                path: [i, key],
                message:
                  key === 'number'
                    ? `编号 "${v}" 与 items[${first}] 重复`
                    : `"${v}" 与 items[${first}] 重复：同一版本中一个违法行为类型只能对应一个事项`,
              });
            }
          });
        }
      },
      { when: () => true },
    );
}

const META_SHAPE = {
  version: text().regex(VERSION_PATTERN, { error: (iss) => `${JSON.stringify(iss.input)} 格式不对：只用小写字母、数字和连字符，如 "national-2025"` }),
  series: text().regex(VERSION_PATTERN, { error: (iss) => `${JSON.stringify(iss.input)} 格式不对：只用小写字母、数字和连字符` }).optional(),
  issuer: text(),
  title: text(),
  effectiveFrom: isoDate(),
  effectiveTo: isoDate('缺失：仍有效时写 null').nullable(),
  source: text(),
};

/** The schema of an exemption list file (data/lists/exemption/*.json), comments removed. */
export const exemptionListFileSchema = strictShape({
  list: z.literal('exemption'),
  ...META_SHAPE,
  items: itemsSchema(exemptionItemSchema, true),
});

/** The schema of a no-coercion list file (data/lists/no-coercion/*.json), comments removed. */
export const noCoercionListFileSchema = strictShape({
  list: z.literal('no-coercion'),
  ...META_SHAPE,
  items: itemsSchema(noCoercionItemSchema, false),
});

/** Compile-time: the schemas produce the documented item types. */
type Assert<T extends true> = T;
export type ListSchemasMatchTypes = Assert<
  z.output<typeof exemptionItemSchema> extends ExemptionItem ? (z.output<typeof noCoercionItemSchema> extends NoCoercionItem ? true : false) : false
>;

/** When `list` itself is wrong: the other fields are still checked, the items cannot be. */
const unknownListFileSchema = strictShape({ list: z.unknown(), ...META_SHAPE, items: z.unknown() });

/**
 * Checks a parsed list file against its schema. `expected` is what the file's place says (its
 * folder and name); every problem is returned with its field path (e.g.
 * 'items[2].conditions.correctedBy[0]') and a Chinese message. Keys starting with '$' (e.g.
 * "$comment") are allowed anywhere and ignored. `series` defaults from the version.
 */
export function validateListDocument(
  doc: unknown,
  expected: { list?: ListKind; version?: string } = {},
): { value?: AnyList; problems: Problem[] } {
  const CODE = 'LIST_DATA_INVALID';
  if (!isPlainObject(doc)) {
    return { problems: [{ code: CODE, message: `必须是对象 { "list": …, "version": …, "items": [ … ] }，实际是${show(doc)}` }] };
  }
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, code: CODE, message });
  const list = doc.list;
  if (list !== 'exemption' && list !== 'no-coercion') {
    add('list', `必须是 "exemption"（免罚清单）或 "no-coercion"（不予实施行政强制措施清单），实际是${show(list)}`);
  } else if (expected.list && list !== expected.list) {
    add('list', `是 "${list}"，但文件放在 ${expected.list}/ 文件夹下`);
  }
  const schema = list === 'exemption' ? exemptionListFileSchema : list === 'no-coercion' ? noCoercionListFileSchema : unknownListFileSchema;
  const parsed = parseDataFile(schema, doc, CODE);
  if (!parsed.ok) problems.push(...parsed.problems);
  const { version, effectiveFrom, effectiveTo } = doc;
  if (expected.version !== undefined && typeof version === 'string' && VERSION_PATTERN.test(version.trim()) && version.trim() !== expected.version) {
    add('version', `是 "${version.trim()}"，但文件名是 ${expected.version}.json：两者必须一致`);
  }
  if (typeof effectiveFrom === 'string' && typeof effectiveTo === 'string' && isIsoDate(effectiveFrom) && isIsoDate(effectiveTo) && effectiveTo < effectiveFrom) {
    add('effectiveTo', `${effectiveTo} 早于生效日期 effectiveFrom ${effectiveFrom}`);
  }
  if (!parsed.ok || problems.length > 0) return { problems };
  const v = parsed.value as z.output<typeof exemptionListFileSchema> | z.output<typeof noCoercionListFileSchema>;
  const value = { ...v, series: v.series ?? defaultSeries(v.version), effectiveTo: v.effectiveTo ?? null } as AnyList;
  return { value, problems };
}
