/**
 * Rules of inspection results (抽查检查结果): which result codes go together, which follow-ups
 * they need, what findings must say, the result lifecycle (a state machine: RESULT_LIFECYCLE) and
 * the override of refused measures, and what an entity is asked to prepare for the visit. Pure:
 * no files, no clock, no database.
 *
 * Codes follow the national data standard (RESULT_CODES in registry.ts); the result is
 * multi-select:
 *   1 未发现问题 — alone;
 *   A 发现问题待后续处理 / E 发现问题经责令已改正 — each needs the kind of violation:
 *     2 违反工商行政管理相关规定 (→ B 未按规定公示, C 公示信息弄虚作假, 6 住所无法联系, D 其他),
 *     3 食品药品, 4 质量技术监督, 5 其他部门;
 *   8 不配合检查情节严重, F 未发现开展本次抽查涉及的经营活动, 7 已关闭停业或正在组织清算;
 *   9 已注销, 10 已吊销, 11 已撤销, 12 已迁出 — the entity is gone: alone.
 */
import { ConflictError, type Problem } from './errors.ts';
import type { ExemptionProposal, PriorViolation } from './lists.ts';
import { RESULT_CODES } from './registry.ts';

/** The codes in the order the national standard lists them (object keys would put digits first). */
export const RESULT_CODE_ORDER = ['1', 'A', '2', 'B', 'C', '6', 'D', '3', '4', '5', 'E', 'F', '7', '8', '9', '10', '11', '12'] as const;
if (RESULT_CODE_ORDER.length !== Object.keys(RESULT_CODES).length || RESULT_CODE_ORDER.some((c) => !(c in RESULT_CODES))) {
  throw new Error('RESULT_CODE_ORDER does not match RESULT_CODES');
}

/** 后续处置 */
export const FOLLOW_UPS = ['无需后续处置', '责令改正', '移送办案机构', '反馈日常监管部门', '抄告相关部门'] as const;
export type FollowUp = (typeof FOLLOW_UPS)[number];
export const NO_FOLLOW_UP: FollowUp = '无需后续处置';
export const CORRECTION_ORDER: FollowUp = '责令改正';

export const RESULT_STATUSES = ['entered', 'returned', 'approved', 'published'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];
export const RESULT_STATUS_LABELS: Record<ResultStatus, string> = {
  entered: '已录入待审核',
  returned: '已退回待修改',
  approved: '已审核待公示',
  published: '已公示',
};

/** Where an assignment stands, from the inspector's point of view. */
export const ASSIGNMENT_STATES = ['pending-notice', 'notified', ...RESULT_STATUSES] as const;
export type AssignmentState = (typeof ASSIGNMENT_STATES)[number];
export const ASSIGNMENT_STATE_LABELS: Record<AssignmentState, string> = {
  'pending-notice': '待送达检查通知书',
  notified: '已通知待录入结果',
  ...RESULT_STATUS_LABELS,
};

export function assignmentState(notifiedAt: string | null, resultStatus: ResultStatus | null | undefined): AssignmentState {
  if (resultStatus) return resultStatus;
  return notifiedAt ? 'notified' : 'pending-notice';
}

// ------------------------------------------------------------------------------------------
// The result lifecycle (检查结果流程)
//
// A result is entered by the team (录入), may be edited while it waits for review (修改), is
// approved (审核通过) or returned to the team with a comment (退回) by someone not on the team, is
// entered again after a return (退回后修改, back to review), and once approved is published (公示).
// An approved or published result is final: nothing moves it back.
//
// Every status change of a result goes through `assertResultMove` (which also names the event to
// record), and what may still be edited or counts as approved is derived from the same table: the
// table below is the whole lifecycle, and services do not check a result's status on their own.

/** The event a status change records (result_events.action). */
export const RESULT_ACTIONS = ['enter', 'edit', 're-enter', 'approve', 'return', 'publish'] as const;
export type ResultAction = (typeof RESULT_ACTIONS)[number];

/** One allowed status change; `from: null` is the visit before any result was entered. */
export interface ResultMove {
  readonly from: ResultStatus | null;
  readonly to: ResultStatus;
  readonly action: ResultAction;
}

/** Every status change a result may make. Anything not listed is refused. */
export const RESULT_LIFECYCLE: readonly ResultMove[] = [
  { from: null, to: 'entered', action: 'enter' }, // 录入
  { from: 'entered', to: 'entered', action: 'edit' }, // 待审核时修改
  { from: 'returned', to: 'entered', action: 're-enter' }, // 退回后修改，重新待审核
  { from: 'entered', to: 'approved', action: 'approve' }, // 审核通过
  { from: 'entered', to: 'returned', action: 'return' }, // 审核退回
  { from: 'approved', to: 'published', action: 'publish' }, // 公示
];

/** The allowed move from `from` to `to`, or undefined when the lifecycle refuses it. */
export function resultMove(from: ResultStatus | null, to: ResultStatus): ResultMove | undefined {
  return RESULT_LIFECYCLE.find((m) => m.from === from && m.to === to);
}

export function canMoveResult(from: ResultStatus | null, to: ResultStatus): boolean {
  return resultMove(from, to) !== undefined;
}

/** A result may be (re-)entered, and its measures' overrides asked for and granted, only while it can still move to 'entered'. */
export const EDITABLE: readonly ResultStatus[] = RESULT_STATUSES.filter((s) => canMoveResult(s, 'entered'));

/** Statuses a result reaches by approval (approved and everything after it): its findings are final. */
export const APPROVED: readonly ResultStatus[] = reachableFrom('approved');

function reachableFrom(start: ResultStatus): ResultStatus[] {
  const seen: ResultStatus[] = [start];
  for (let i = 0; i < seen.length; i++) {
    for (const m of RESULT_LIFECYCLE) if (m.from === seen[i] && !seen.includes(m.to)) seen.push(m.to);
  }
  return seen;
}

/** The actions that write a result's content (whoever did one of them may not review it). */
export const ENTRY_ACTIONS: readonly ResultAction[] = RESULT_LIFECYCLE.filter((m) => m.to === 'entered').map((m) => m.action);

/** 'RESULT_LOCKED' for a result that can no longer change: `what` is what the user tried (修改, 申请, 批准). */
function locked(status: ResultStatus, what: string): ConflictError {
  return new ConflictError(`检查结果${RESULT_STATUS_LABELS[status]}，不能再${what}`, 'RESULT_LOCKED');
}

/** Throws 409 RESULT_LOCKED unless the result can still be edited (EDITABLE); `what` names what was tried (申请, 批准). */
export function assertResultEditable(status: ResultStatus, what: string): void {
  if (!EDITABLE.includes(status)) throw locked(status, what);
}

/** Why a move the lifecycle does not allow is refused, by the status asked for: a stable code and a message that says what must happen first. */
function refusal(from: ResultStatus | null, to: ResultStatus): ConflictError {
  if (from === null) return new ConflictError('本次检查尚未录入检查结果', 'NO_RESULT');
  const label = RESULT_STATUS_LABELS[from];
  switch (to) {
    case 'entered':
      return locked(from, '修改');
    case 'approved':
    case 'returned':
      return new ConflictError(`检查结果${label}，只有已录入待审核的结果可以审核`, from === 'returned' ? 'RESULT_RETURNED' : 'RESULT_ALREADY_REVIEWED');
    case 'published':
      return from === 'published'
        ? new ConflictError('检查结果已公示', 'RESULT_ALREADY_PUBLISHED')
        : new ConflictError(`检查结果${label}，须经审核通过后才能公示`, 'RESULT_NOT_APPROVED');
  }
}

/** The move from `from` to `to` (with the event to record), or a ConflictError (409) saying why not. */
export function assertResultMove(from: ResultStatus | null, to: ResultStatus): ResultMove {
  const move = resultMove(from, to);
  if (!move) throw refusal(from, to);
  return move;
}

// ------------------------------------------------------------------------------------------
// The override of a refused coercive measure (不予实施行政强制措施清单的第二人批准)
//
// A proposed seal-up or seizure is 'allowed' or 'refused' by the no-coercion list when the result
// is entered. A refused one may be asked for anyway by a team member with a reason
// (override-requested), and applies only once a second person approves it (overridden).

export const MEASURE_STATES = ['allowed', 'refused', 'override-requested', 'overridden'] as const;
export type MeasureState = (typeof MEASURE_STATES)[number];

export const MEASURE_ACTIONS = ['override-request', 'override-approve'] as const;
export type MeasureAction = (typeof MEASURE_ACTIONS)[number];

export interface MeasureMove {
  readonly from: MeasureState;
  readonly to: MeasureState;
  readonly action: MeasureAction;
}

/** Every state change of a measure after entry. Anything not listed is refused. */
export const MEASURE_LIFECYCLE: readonly MeasureMove[] = [
  { from: 'refused', to: 'override-requested', action: 'override-request' }, // 申请不适用清单
  { from: 'override-requested', to: 'overridden', action: 'override-approve' }, // 第二人批准
];

export function canMoveMeasure(from: MeasureState, to: MeasureState): boolean {
  return MEASURE_LIFECYCLE.some((m) => m.from === from && m.to === to);
}

const NOT_REFUSED_BECAUSE: Record<MeasureState, string> = {
  allowed: '该措施未被清单排除，无需申请',
  refused: '',
  'override-requested': '已申请，待第二人批准',
  overridden: '已批准',
};

/** The move of measure `n` from `from` to `to`, or a ConflictError (409) saying why not. */
export function assertMeasureMove(n: number, from: MeasureState, to: MeasureState): MeasureMove {
  const move = MEASURE_LIFECYCLE.find((m) => m.from === from && m.to === to);
  if (move) return move;
  if (to === 'overridden') throw new ConflictError(`第 ${n} 项强制措施没有待批准的申请`, 'OVERRIDE_NOT_REQUESTED');
  if (to === 'override-requested') throw new ConflictError(`第 ${n} 项强制措施${NOT_REFUSED_BECAUSE[from]}`, 'MEASURE_NOT_REFUSED');
  throw new ConflictError(`第 ${n} 项强制措施不能从“${from}”改为“${to}”`, 'MEASURE_STATE');
}

/** Kinds of violation under A / E. */
const CATEGORY_CODES = ['2', '3', '4', '5'];
/** Sub-kinds of 2 (违反工商行政管理相关规定). */
const UNDER_2 = ['B', 'C', '6', 'D'];
/** The entity no longer exists where it was registered. */
const ENTITY_GONE = ['9', '10', '11', '12'];
/** Codes under which the matters could not (all) be checked, so findings may be incomplete. */
const NOT_INSPECTABLE = ['6', '7', '8', 'F', ...ENTITY_GONE];

/** Codes that send the entity to the abnormal-operation list (经营异常名录) within 10 working days. */
export const ABNORMAL_LIST_CODES = ['6', 'C'] as const;
export const ABNORMAL_LIST_REASONS: Record<(typeof ABNORMAL_LIST_CODES)[number], string> = {
  '6': '通过登记的住所或者经营场所无法联系',
  C: '公示企业信息隐瞒真实情况、弄虚作假',
};

export function needsAbnormalFollowUp(codes: readonly string[]): boolean {
  return codes.some((c) => (ABNORMAL_LIST_CODES as readonly string[]).includes(c));
}

export const codeLabel = (code: string) => `${code} ${RESULT_CODES[code] ?? '未知代码'}`;

/** Codes in the standard's order, without duplicates. */
export function sortCodes(codes: readonly string[]): string[] {
  const order: readonly string[] = RESULT_CODE_ORDER;
  return [...new Set(codes)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

export type HarmLevel = 'none' | 'minor' | 'not-minor';
export type CorrectionState = 'before-discovery' | 'before-decision' | 'within-deadline' | 'late' | 'none';
const TIMELY: CorrectionState[] = ['before-discovery', 'before-decision', 'within-deadline'];

export interface FindingInput {
  matter: string;
  compliant: boolean;
  violationType?: string;
  violatedProvision?: string;
  harm?: HarmLevel;
  correction?: CorrectionState;
  occurredOn?: string;
  durationDays?: number;
  incidents?: string[];
  note?: string;
}

export interface ResultRulesInput {
  inspectedOn: string;
  codes: string[];
  method: string;
  followUp: string[];
  findings: FindingInput[];
  measures: { matter?: string }[];
}

const VIOLATION_FIELDS = ['violationType', 'violatedProvision', 'harm', 'correction', 'occurredOn', 'durationDays', 'incidents'] as const;

/**
 * Every inconsistency of a result, each with its path in the request body ('codes',
 * 'findings.2.harm') and a Chinese message. `matters` are the visit's matter codes.
 */
export function checkResultRules(r: ResultRulesInput, matters: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, code: string, message: string) => problems.push({ path, code, message });
  const codes = new Set(r.codes);
  const has = (c: string) => codes.has(c);

  // ---------------------------------------------------------------- codes
  if (codes.size !== r.codes.length) add('codes', 'DUPLICATE_CODE', '检查结果代码有重复');
  if (has('1') && codes.size > 1) {
    add('codes', 'CODE_1_EXCLUSIVE', `“1 未发现问题”不能与其他结果同时选择（同时选了：${[...codes].filter((c) => c !== '1').map(codeLabel).join('、')}）`);
  }
  const gone = [...codes].filter((c) => ENTITY_GONE.includes(c));
  if (gone.length && codes.size > 1) {
    add('codes', 'ENTITY_GONE_EXCLUSIVE', `“${gone.map(codeLabel).join('、')}”表示主体已不存续，只能单独选择一项`);
  }
  for (const c of UNDER_2) {
    if (has(c) && !has('2')) add('codes', 'CODE_PARENT_MISSING', `选择“${codeLabel(c)}”时须同时选择“${codeLabel('2')}”`);
  }
  const categories = CATEGORY_CODES.filter(has);
  if (categories.length && !has('A') && !has('E')) {
    add('codes', 'CATEGORY_NEEDS_OUTCOME', `选择了违法类别（${categories.map(codeLabel).join('、')}）时，须注明“A 发现问题待后续处理”或“E 发现问题经责令已改正”`);
  }
  for (const c of ['A', 'E']) {
    if (has(c) && !categories.length) add('codes', 'OUTCOME_NEEDS_CATEGORY', `选择“${codeLabel(c)}”时须同时选择违法类别（2、3、4 或 5）`);
  }
  if (has('6') && r.method !== '实地检查') {
    add('method', 'METHOD_MISMATCH', `“${codeLabel('6')}”须经实地检查确认，核查方式应为“实地检查”（当前为“${r.method}”）`);
  }

  // ---------------------------------------------------------------- follow-up
  const follow = new Set(r.followUp);
  if (follow.size !== r.followUp.length) add('followUp', 'DUPLICATE_FOLLOW_UP', '后续处置有重复');
  if (follow.has(NO_FOLLOW_UP) && follow.size > 1) add('followUp', 'FOLLOW_UP_EXCLUSIVE', '“无需后续处置”不能与其他后续处置同时选择');
  if (has('1') && !(follow.size === 1 && follow.has(NO_FOLLOW_UP))) {
    add('followUp', 'FOLLOW_UP_NOT_NEEDED', '结果为“1 未发现问题”时，后续处置应为“无需后续处置”');
  }
  if (has('A') && follow.has(NO_FOLLOW_UP)) add('followUp', 'FOLLOW_UP_REQUIRED', '结果为“A 发现问题待后续处理”，后续处置不能是“无需后续处置”');
  for (const c of ABNORMAL_LIST_CODES) {
    if (has(c) && follow.has(NO_FOLLOW_UP)) add('followUp', 'FOLLOW_UP_REQUIRED', `结果含“${codeLabel(c)}”，须在 10 个工作日内列入经营异常名录，后续处置不能是“无需后续处置”`);
  }

  // ---------------------------------------------------------------- findings
  const seen = new Map<string, number>();
  let violations = 0;
  let timelyCorrections = 0;
  r.findings.forEach((f, i) => {
    const at = `findings.${i}`;
    if (!matters.includes(f.matter)) add(`${at}.matter`, 'UNKNOWN_MATTER', `事项 ${f.matter} 不是本次检查的事项（本次检查：${matters.join('、')}）`);
    if (seen.has(f.matter)) add(`${at}.matter`, 'DUPLICATE_MATTER', `事项 ${f.matter} 与第 ${seen.get(f.matter)! + 1} 条检查情况重复`);
    else seen.set(f.matter, i);
    if (f.compliant) {
      for (const k of VIOLATION_FIELDS) {
        if (f[k] !== undefined) add(`${at}.${k}`, 'FINDING_CONTRADICTS', '该事项记为合规，不应填写违法情况');
      }
      return;
    }
    violations++;
    if (!f.violationType) add(`${at}.violationType`, 'FINDING_INCOMPLETE', '不合规的事项须填写违法行为类型代码（如 FOOD_LICENCE_EXPIRED），用于首违认定和免罚清单比对');
    if (!f.harm) add(`${at}.harm`, 'FINDING_INCOMPLETE', '不合规的事项须填写危害后果（none 没有危害后果、minor 轻微、not-minor 不属于轻微）');
    if (!f.correction) add(`${at}.correction`, 'FINDING_INCOMPLETE', '不合规的事项须填写改正情况');
    if (f.correction && TIMELY.includes(f.correction)) timelyCorrections++;
    if (f.occurredOn && f.occurredOn > r.inspectedOn) add(`${at}.occurredOn`, 'DATE_AFTER_INSPECTION', `违法行为发生日期 ${f.occurredOn} 晚于检查日期 ${r.inspectedOn}`);
  });
  if (violations > 0) {
    if (has('1')) add('codes', 'CODE_1_WITH_VIOLATION', `有 ${violations} 个事项不合规，结果不能是“1 未发现问题”`);
    else if (!has('A') && !has('E')) add('codes', 'VIOLATION_WITHOUT_CODE', `有 ${violations} 个事项不合规，结果须含“A 发现问题待后续处理”或“E 发现问题经责令已改正”`);
    // 不罚≠不管: a violation is ordered corrected whether or not it is penalised.
    if (!follow.has(CORRECTION_ORDER)) add('followUp', 'CORRECTION_ORDER_REQUIRED', '发现违法行为时，无论是否予以处罚，后续处置都须包含“责令改正”（不罚≠不管）');
  }
  if (has('E') && timelyCorrections === 0) {
    add('codes', 'CORRECTED_WITHOUT_CORRECTION', '选择了“E 发现问题经责令已改正”，但没有一个不合规事项记为已及时改正');
  }
  if (!r.codes.some((c) => NOT_INSPECTABLE.includes(c))) {
    const missing = matters.filter((m) => !seen.has(m));
    if (missing.length) add('findings', 'MATTER_NOT_CHECKED', `以下检查事项没有检查情况：${missing.join('、')}（每个事项都须记录是否合规）`);
  }

  // ---------------------------------------------------------------- measures
  if (r.measures.length > 0 && violations === 0) {
    add('measures', 'MEASURE_WITHOUT_VIOLATION', '没有不合规的事项，不能提出查封、扣押等行政强制措施');
  }
  const violated = new Set(r.findings.filter((f) => !f.compliant).map((f) => f.matter));
  r.measures.forEach((m, i) => {
    if (m.matter !== undefined && !violated.has(m.matter)) {
      add(`measures.${i}.matter`, 'MEASURE_MATTER', `事项 ${m.matter} 没有记为不合规，不能据此提出强制措施`);
    }
  });
  return problems;
}

// ------------------------------------------------------------------------------------------
// What the entity prepares for the visit

/** Materials asked for by keyword of the matter's name (and legal basis). */
const MATERIAL_RULES: { keywords: RegExp; materials: string[] }[] = [
  {
    keywords: /公示|年报|年度报告|信息/,
    materials: ['年度报告及公示信息所依据的材料（资产负债表、利润表、股东出资凭证等）', '住所（经营场所）使用证明', '社会保险缴纳记录'],
  },
  {
    keywords: /食品|餐饮|食用农产品/,
    materials: ['食品经营许可证（或备案凭证）', '从业人员健康证明', '进货查验记录及供货者许可证、产品合格证明、票据', '食品安全管理制度及自查记录'],
  },
  { keywords: /药品/, materials: ['药品经营许可证', '药品购进、验收、储存记录及票据'] },
  { keywords: /医疗器械/, materials: ['医疗器械经营许可证或备案凭证', '医疗器械进货查验记录及票据'] },
  { keywords: /化妆品/, materials: ['化妆品进货查验记录及供货者资质证明'] },
  { keywords: /特种设备|电梯|锅炉|压力容器|起重/, materials: ['特种设备使用登记证', '定期检验报告', '特种设备作业人员证', '维护保养记录'] },
  { keywords: /计量|衡器|加油机|电子秤/, materials: ['计量器具清单及检定（校准）证书'] },
  { keywords: /产品质量|质量|标准|认证|3C|CCC/, materials: ['产品合格证明、检验检测报告或认证证书', '进货凭证'] },
  { keywords: /价格|收费|明码标价/, materials: ['价目表及明码标价资料', '收费依据文件'] },
  { keywords: /广告/, materials: ['广告发布记录及广告证明材料'] },
  { keywords: /合同|格式条款/, materials: ['格式合同文本'] },
  { keywords: /发票|税/, materials: ['发票领用存记录及已开具发票存根', '账簿及记账凭证'] },
  { keywords: /消防/, materials: ['消防安全管理制度', '消防设施维护保养和检测记录'] },
  { keywords: /环境|排污|环保/, materials: ['排污许可证', '环境监测报告'] },
  { keywords: /卫生|公共场所/, materials: ['卫生许可证', '从业人员健康合格证明'] },
  { keywords: /许可/, materials: ['与经营项目有关的行政许可证件'] },
];

/**
 * The materials the entity is asked to prepare: the business licence and the identity of the
 * person who receives the inspectors always, then per matter by what it concerns. In order,
 * without repetition.
 */
export function noticeMaterials(matters: readonly { name: string; legalBasis?: string | null }[]): string[] {
  const out = ['营业执照（副本）原件', '法定代表人（负责人、经营者）身份证明；委托他人接受检查的，另附授权委托书及受托人身份证明'];
  for (const m of matters) {
    const text = `${m.name} ${m.legalBasis ?? ''}`;
    let any = false;
    for (const rule of MATERIAL_RULES) {
      if (rule.keywords.test(text)) {
        any = true;
        out.push(...rule.materials);
      }
    }
    if (!any) out.push(`与“${m.name}”有关的台账、记录、票据等材料`);
  }
  return [...new Set(out)];
}

/** '2026-12-08' → '2026年12月8日' */
export function chineseDate(date: string): string {
  return `${Number(date.slice(0, 4))}年${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
}

export interface ExemptionOutcome {
  evaluatedOn: string;
  occurredOn: string;
  exempt: boolean;
  /** "不予处罚" with the item and its basis, when every condition of an item in force is met. */
  proposal: (ExemptionProposal & { listTitle: string }) | null;
  /** Why not (the conditions the matching items failed, or that no list covers the violation). */
  failed: { listVersion: string; itemNumber: string | null; condition: string; code: string; message: string }[];
  lists: { version: string; matched: boolean; exempt: boolean; itemNumber: string | null }[];
  /** Same-type violations on record before this one. */
  priorViolations: PriorViolation[];
  /** 不罚≠不管 */
  correctionOrderRequired: true;
  message: string;
}

/** A finding as stored with its result: the inspector's input and, for a violation, the exemption list's answer. */
export type StoredFinding = FindingInput & { exemption?: ExemptionOutcome };
