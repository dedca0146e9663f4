/**
 * Registry vocabulary: the codes stored in the database and the Chinese words regulators use.
 * Pure data and small pure functions; imports nothing of ours but the USCC rules.
 */

export const ENTITY_TYPES = ['enterprise', 'individual', 'cooperative', 'other'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
export const ENTITY_TYPE_LABELS: Record<EntityType, string> = {
  enterprise: '企业',
  individual: '个体工商户',
  cooperative: '农民专业合作社',
  other: '其他',
};

export const REGISTRATION_STATUSES = ['active', 'deregistered', 'revoked', 'cancelled', 'moved_out'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
export const REGISTRATION_STATUS_LABELS: Record<RegistrationStatus, string> = {
  active: '存续',
  deregistered: '注销',
  revoked: '吊销',
  cancelled: '撤销',
  moved_out: '迁出',
};

/** Credit-risk grade (信用风险分类): A low, B general, C higher, D high. Null = unrated. */
export const GRADES = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof GRADES)[number];
export const GRADE_LABELS: Record<Grade, string> = { A: '信用风险低', B: '信用风险一般', C: '信用风险较高', D: '信用风险高' };

export const INSPECTOR_STATUSES = ['active', 'on_leave', 'left'] as const;
export type InspectorStatus = (typeof INSPECTOR_STATUSES)[number];
export const INSPECTOR_STATUS_LABELS: Record<InspectorStatus, string> = { active: '在岗', on_leave: '休假', left: '离岗' };

/** 执法人员 (certified enforcement officer) or 辅助人员 (auxiliary: never drawn). */
export const INSPECTOR_KINDS = ['officer', 'auxiliary'] as const;
export type InspectorKind = (typeof INSPECTOR_KINDS)[number];
export const INSPECTOR_KIND_LABELS: Record<InspectorKind, string> = { officer: '执法人员', auxiliary: '辅助人员' };

/** 重点 (key: uncapped) or 一般 (general: ratio capped). */
export const MATTER_IMPORTANCES = ['key', 'general'] as const;
export type MatterImportance = (typeof MATTER_IMPORTANCES)[number];
export const MATTER_IMPORTANCE_LABELS: Record<MatterImportance, string> = { key: '重点', general: '一般' };

/** 核查方式 */
export const INSPECTION_METHODS = [
  '实地检查',
  '书面检查',
  '网络监测',
  '检验检测',
  '行政部门检查结果或专业意见',
  '委托专业机构辅助',
] as const;

/** Result codes of the national data standard (multi-select). */
export const RESULT_CODES: Record<string, string> = {
  '1': '未发现问题',
  A: '发现问题待后续处理',
  '2': '违反工商行政管理相关规定',
  B: '未按规定公示应当公示的信息',
  C: '公示信息隐瞒真实情况弄虚作假',
  '6': '通过登记的住所（经营场所）无法联系',
  D: '违反其他工商行政管理规定行为',
  '3': '违反食品药品管理相关规定',
  '4': '违反质量技术监督相关规定',
  '5': '违反其他部门相关规定',
  E: '发现问题经责令已改正',
  F: '未发现开展本次抽查涉及的经营活动',
  '7': '已关闭停业或正在组织清算',
  '8': '不配合检查情节严重',
  '9': '已注销',
  '10': '已吊销',
  '11': '已撤销',
  '12': '已迁出',
};

/** The 11 streets of Yuzhong district (渝中区), for demo data and filters. */
export const YUZHONG_STREETS = [
  '七星岗', '解放碑', '两路口', '上清寺', '菜园坝', '南纪门', '朝天门', '大溪沟', '大坪', '化龙桥', '石油路',
] as const;

/** Builds a lookup that accepts the code, the Chinese label and listed synonyms, case-insensitively. */
function lookup<T extends string>(labels: Record<T, string>, synonyms: Record<string, T> = {}): (raw: string) => T | undefined {
  const map = new Map<string, T>();
  for (const [code, label] of Object.entries(labels) as [T, string][]) {
    map.set(code.toLowerCase(), code);
    map.set(label, code);
  }
  for (const [word, code] of Object.entries(synonyms)) map.set(word.toLowerCase(), code);
  return (raw) => map.get(raw.trim().toLowerCase());
}

export const parseEntityType = lookup(ENTITY_TYPE_LABELS, {
  个体: 'individual',
  个体户: 'individual',
  农民合作社: 'cooperative',
  合作社: 'cooperative',
  公司: 'enterprise',
  有限责任公司: 'enterprise',
  股份有限公司: 'enterprise',
  individual_business: 'individual',
});
export const parseRegistrationStatus = lookup(REGISTRATION_STATUS_LABELS, {
  在业: 'active',
  '存续（在营、开业、在册）': 'active',
  开业: 'active',
  在营: 'active',
  已注销: 'deregistered',
  已吊销: 'revoked',
  已撤销: 'cancelled',
  已迁出: 'moved_out',
  'moved out': 'moved_out',
});
export const parseGrade = lookup(GRADE_LABELS, { 低: 'A', 一般: 'B', 较高: 'C', 高: 'D', 风险低: 'A', 风险一般: 'B', 风险较高: 'C', 风险高: 'D' });
export const parseInspectorStatus = lookup(INSPECTOR_STATUS_LABELS, { 在职: 'active', 'on leave': 'on_leave', 离职: 'left', 调离: 'left' });
export const parseInspectorKind = lookup(INSPECTOR_KIND_LABELS, {
  执法: 'officer',
  辅助: 'auxiliary',
  协管员: 'auxiliary',
  网格员: 'auxiliary',
  enforcement: 'officer',
});
export const parseMatterImportance = lookup(MATTER_IMPORTANCE_LABELS, { 重点事项: 'key', 一般事项: 'general' });

/** GB/T 4754 industry code with or without the section letter: F5211 or 5211 (2–4 digits). */
export function parseIndustryCode(raw: string): string | undefined {
  const v = raw.trim().toUpperCase();
  return /^[A-T]?\d{2,4}$/.test(v) ? v : undefined;
}

/** Splits a tags cell on ；、; or , (full- or half-width). */
export function splitList(raw: string): string[] {
  return raw
    .split(/[；;、,，]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
