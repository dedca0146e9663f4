/**
 * Registry file columns: the field each import kind reads and the headers regulators' files
 * use for it (English snake_case, or the Chinese headers of the national platform and Excel).
 * Header matching ignores case, surrounding spaces, full-width brackets' contents like （必填）
 * and a trailing '*' that marks required columns in many templates.
 */

export type ImportKind = 'objects' | 'inspectors' | 'departments' | 'matters' | 'conflicts' | 'inspections' | 'violations';
export const IMPORT_KINDS: ImportKind[] = ['objects', 'inspectors', 'departments', 'matters', 'conflicts', 'inspections', 'violations'];

export const IMPORT_KIND_LABELS: Record<ImportKind, string> = {
  objects: '检查对象名录',
  inspectors: '执法检查人员名录',
  departments: '部门',
  matters: '抽查事项清单',
  conflicts: '回避关系',
  inspections: '历史检查记录',
  violations: '历史违法记录',
};

export interface ColumnSpec {
  field: string;
  /** The header written on export (Chinese), first of the accepted Chinese headers. */
  headers: string[];
  required: boolean;
}

const col = (field: string, headers: string[], required = false): ColumnSpec => ({ field, headers, required });

export const COLUMNS: Record<ImportKind, ColumnSpec[]> = {
  objects: [
    col('uscc', ['统一社会信用代码', '社会信用代码', '信用代码'], true),
    col('name', ['名称', '企业名称', '主体名称', '市场主体名称'], true),
    col('entity_type', ['主体类型', '市场主体类型', '企业类型']),
    col('industry_code', ['行业代码', '国民经济行业代码']),
    col('street', ['所属街道', '管辖单位', '街道']),
    col('address', ['住所', '经营场所', '住所（经营场所）', '地址']),
    col('registered_on', ['成立日期', '登记日期']),
    col('legal_representative', ['法定代表人', '负责人', '经营者', '法定代表人（负责人、经营者）']),
    col('registration_status', ['登记状态', '经营状态']),
    col('credit_grade', ['信用风险分类', '信用风险等级', '信用等级']),
    col('graded_on', ['分类日期', '评级日期']),
    col('sector_grade', ['行业风险等级', '行业风险分类']),
    col('tags', ['标签', '专项名录']),
  ],
  inspectors: [
    col('certificate_no', ['执法证号', '执法证件号', '执法证编号'], true),
    col('name', ['姓名'], true),
    col('department', ['所属部门', '部门'], true),
    col('valid_from', ['有效期起', '有效期开始']),
    col('valid_to', ['有效期止', '有效期至', '有效期结束']),
    col('qualifications', ['执法类别', '执法领域', '检查事项']),
    col('kind', ['人员类别', '人员类型']),
    col('status', ['状态', '在岗状态']),
    col('yearly_capacity', ['年度检查容量', '年度容量']),
  ],
  departments: [
    col('code', ['部门代码', '部门编码'], true),
    col('name', ['部门名称', '名称'], true),
  ],
  matters: [
    col('code', ['事项编码', '事项代码'], true),
    col('department', ['部门', '所属部门', '实施部门'], true),
    col('name', ['事项名称', '抽查事项'], true),
    col('legal_basis', ['检查依据', '法律依据', '抽查依据']),
    col('importance', ['事项类别', '事项类型', '重点或一般'], true),
    col('ratio_cap', ['抽查比例上限', '比例上限']),
    col('entity_types', ['适用对象', '检查对象', '主体类型']),
    col('method', ['检查方式', '核查方式']),
  ],
  conflicts: [
    col('certificate_no', ['执法证号'], true),
    col('uscc', ['统一社会信用代码'], true),
    col('reason', ['回避原因', '原因'], true),
    col('declared_on', ['申报日期', '登记日期']),
  ],
  inspections: [
    col('uscc', ['统一社会信用代码'], true),
    col('inspected_on', ['检查日期', '检查完成日期'], true),
    col('department', ['检查部门', '实施部门', '部门'], true),
    col('officers', ['检查人员执法证号', '执法证号', '检查人员']),
    col('result_codes', ['检查结果', '结果代码']),
    col('task_ref', ['任务编号', '抽查任务']),
  ],
  violations: [
    col('uscc', ['统一社会信用代码'], true),
    col('occurred_on', ['违法日期', '处罚日期', '决定日期'], true),
    col('violation_type', ['违法类型', '违法行为类型', '事项'], true),
    col('decision', ['处理决定', '处罚决定', '处理结果']),
  ],
};

export function normalizeHeader(raw: string): string {
  return raw
    .replace(/^\uFEFF/, '')
    .trim()
    .replace(/[*＊]$/, '')
    .replace(/[（(](必填|选填)[）)]$/, '')
    .trim()
    .toLowerCase();
}

/** Map from a normalised header to its field, for one kind. */
export function headerMap(kind: ImportKind): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of COLUMNS[kind]) {
    m.set(c.field.toLowerCase(), c.field);
    for (const h of c.headers) m.set(normalizeHeader(h), c.field);
  }
  // Inspectors' and matters' department column is also accepted by its English name in snake_case.
  if (kind === 'inspectors' || kind === 'matters' || kind === 'inspections') m.set('department_code', 'department');
  return m;
}
