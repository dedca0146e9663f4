/**
 * Turns the cells of one registry row (from CSV, XLSX or a JSON body) into a normalised patch,
 * or the list of problems with it. Blank cells are absent from the patch: on re-import they
 * leave stored values unchanged.
 */
import { checkUscc, normalizeUscc } from './uscc.ts';
import {
  parseEntityType, parseRegistrationStatus, parseGrade, parseInspectorStatus, parseInspectorKind,
  parseMatterImportance, parseIndustryCode, splitList, ENTITY_TYPES, RESULT_CODES,
  type EntityType, type RegistrationStatus, type Grade, type InspectorStatus, type InspectorKind, type MatterImportance,
} from './registry.ts';
import { parseDateText, dateFromSpreadsheetCell, isIsoDate } from './time.ts';
import type { ImportKind } from './columns.ts';

export type Cell = string | number | boolean | Date | null | undefined | string[];

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

export interface ObjectPatch {
  uscc: string;
  name?: string;
  entityType?: EntityType;
  industryCode?: string;
  street?: string;
  address?: string;
  registeredOn?: string;
  legalRepresentative?: string;
  registrationStatus?: RegistrationStatus;
  creditGrade?: Grade;
  gradedOn?: string;
  sectorGrade?: Grade;
  tags?: string[];
}

export interface InspectorPatch {
  certificateNo: string;
  name?: string;
  /** Department code or name as written; resolved against the departments list by the service. */
  department?: string;
  validFrom?: string;
  validTo?: string;
  qualifications?: string[];
  kind?: InspectorKind;
  status?: InspectorStatus;
  yearlyCapacity?: number;
}

export interface DepartmentRecord {
  code: string;
  name?: string;
}

export interface MatterPatch {
  code: string;
  department?: string;
  name?: string;
  legalBasis?: string;
  importance?: MatterImportance;
  ratioCap?: number;
  entityTypes?: EntityType[];
  method?: string;
}

export interface ConflictRecord {
  certificateNo: string;
  uscc: string;
  reason: string;
  declaredOn?: string;
}

export interface InspectionRecord {
  uscc: string;
  inspectedOn: string;
  department: string;
  officers: string[];
  resultCodes: string[];
  taskRef?: string;
}

export interface ViolationRecord {
  uscc: string;
  occurredOn: string;
  violationType: string;
  decision?: string;
}

export type RecordOf<K extends ImportKind> = K extends 'objects'
  ? ObjectPatch
  : K extends 'inspectors'
    ? InspectorPatch
    : K extends 'departments'
      ? DepartmentRecord
      : K extends 'matters'
        ? MatterPatch
        : K extends 'conflicts'
          ? ConflictRecord
          : K extends 'inspections'
            ? InspectionRecord
            : ViolationRecord;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

export function isBlank(c: Cell): boolean {
  if (c === null || c === undefined) return true;
  if (typeof c === 'string') return c.trim() === '';
  if (Array.isArray(c)) return c.length === 0;
  return false;
}

/** Text of a cell; numbers are written without exponent where they are whole. */
export function cellText(c: Cell): string {
  if (c === null || c === undefined) return '';
  if (c instanceof Date) return dateFromSpreadsheetCell(c);
  if (typeof c === 'number') return Number.isInteger(c) && Math.abs(c) < 1e15 ? String(c) : String(c).toUpperCase();
  if (Array.isArray(c)) return c.join('、');
  return String(c).trim();
}

/** Collects field problems while reading one row. */
class RowReader {
  readonly problems: FieldProblem[] = [];
  constructor(private readonly cells: Record<string, Cell>) {}

  has(field: string): boolean {
    return !isBlank(this.cells[field]);
  }

  problem(field: string, code: string, message: string): undefined {
    this.problems.push({ field, code, message });
    return undefined;
  }

  text(field: string, opts: { required?: boolean; max?: number; label: string }): string | undefined {
    if (!this.has(field)) {
      return opts.required ? this.problem(field, 'REQUIRED', `缺少必填项“${opts.label}”，请填写后重新导入`) : undefined;
    }
    const v = cellText(this.cells[field]);
    const max = opts.max ?? 500;
    if (v.length > max) return this.problem(field, 'TOO_LONG', `“${opts.label}”最长 ${max} 个字符，现为 ${v.length} 个`);
    return v;
  }

  uscc(field: string, required = true): string | undefined {
    const raw = this.cells[field];
    if (isBlank(raw)) return required ? this.problem(field, 'REQUIRED', '缺少统一社会信用代码') : undefined;
    if (typeof raw === 'number') {
      return this.problem(
        field,
        'USCC_SPREADSHEET_NUMBER',
        `统一社会信用代码被电子表格存成了数字（${String(raw).toUpperCase()}），末尾几位已丢失；请把该列设为“文本”格式并填入原始代码`,
      );
    }
    const p = checkUscc(cellText(raw));
    if (p) return this.problem(field, p.code, p.message);
    return normalizeUscc(cellText(raw));
  }

  date(field: string, label: string, required = false): string | undefined {
    const raw = this.cells[field];
    if (isBlank(raw)) return required ? this.problem(field, 'REQUIRED', `缺少必填项“${label}”`) : undefined;
    if (raw instanceof Date) return dateFromSpreadsheetCell(raw);
    const d = parseDateText(cellText(raw));
    if (!d) return this.problem(field, 'DATE', `“${label}”不是有效日期：“${cellText(raw)}”；请写成 2026-11-28 这样的格式`);
    return d;
  }

  choice<T>(field: string, label: string, parse: (s: string) => T | undefined, allowed: string, required = false): T | undefined {
    if (!this.has(field)) return required ? this.problem(field, 'REQUIRED', `缺少必填项“${label}”`) : undefined;
    const v = cellText(this.cells[field]);
    const parsed = parse(v);
    if (parsed === undefined) return this.problem(field, 'ENUM', `“${label}”的值“${v}”无法识别；可用的值：${allowed}`);
    return parsed;
  }

  grade(field: string, label: string): Grade | undefined {
    if (!this.has(field)) return undefined;
    const v = cellText(this.cells[field]);
    const g = parseGrade(v);
    if (!g) return this.problem(field, 'GRADE', `“${label}”的值“${v}”无法识别；应为 A、B、C、D 或“信用风险低/一般/较高/高”，未评级请留空`);
    return g;
  }

  list(field: string): string[] | undefined {
    const raw = this.cells[field];
    if (isBlank(raw)) return undefined;
    if (Array.isArray(raw)) return raw.map((s) => String(s).trim()).filter((s) => s.length > 0);
    return splitList(cellText(raw));
  }

  integer(field: string, label: string, min: number, max: number): number | undefined {
    if (!this.has(field)) return undefined;
    const raw = this.cells[field];
    const n = typeof raw === 'number' ? raw : Number(cellText(raw));
    if (!Number.isInteger(n) || n < min || n > max) {
      return this.problem(field, 'NUMBER', `“${label}”应为 ${min}–${max} 之间的整数，现为“${cellText(raw)}”`);
    }
    return n;
  }

  done<T>(value: T): ParseResult<T> {
    return this.problems.length ? { ok: false, problems: this.problems } : { ok: true, value };
  }
}

/** Drops keys whose value is undefined so that "absent" means "leave unchanged". */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

const ENTITY_TYPE_WORDS = '企业、个体工商户、农民专业合作社、其他';

export function parseObjectRow(cells: Record<string, Cell>): ParseResult<ObjectPatch> {
  const r = new RowReader(cells);
  const uscc = r.uscc('uscc');
  const patch: ObjectPatch = compact({
    uscc: uscc ?? '',
    name: r.text('name', { label: '名称', max: 200 }),
    entityType: r.choice('entity_type', '主体类型', parseEntityType, ENTITY_TYPE_WORDS),
    industryCode: r.has('industry_code')
      ? (parseIndustryCode(cellText(cells.industry_code)) ??
        r.problem('industry_code', 'INDUSTRY_CODE', `行业代码“${cellText(cells.industry_code)}”不符合 GB/T 4754（如 F5211 或 5211）`))
      : undefined,
    street: r.text('street', { label: '所属街道', max: 100 }),
    address: r.text('address', { label: '住所', max: 300 }),
    registeredOn: r.date('registered_on', '成立日期'),
    legalRepresentative: r.text('legal_representative', { label: '法定代表人', max: 100 }),
    registrationStatus: r.choice('registration_status', '登记状态', parseRegistrationStatus, '存续（在业）、注销、吊销、撤销、迁出'),
    creditGrade: r.grade('credit_grade', '信用风险分类'),
    gradedOn: r.date('graded_on', '分类日期'),
    sectorGrade: r.grade('sector_grade', '行业风险等级'),
    tags: r.list('tags'),
  });
  if (patch.gradedOn && !patch.creditGrade && !r.has('credit_grade')) {
    r.problem('graded_on', 'GRADE_DATE_WITHOUT_GRADE', '填写了分类日期但没有信用风险分类；请补上分类或删去日期');
  }
  return r.done(patch);
}

/** The entity type a USCC's second character announces (under authority 9). */
export function entityTypeFromUscc(uscc: string): EntityType {
  if (uscc[0] !== '9') return 'other';
  return ({ '1': 'enterprise', '2': 'individual', '3': 'cooperative' } as Record<string, EntityType>)[uscc[1]] ?? 'other';
}

export function parseInspectorRow(cells: Record<string, Cell>): ParseResult<InspectorPatch> {
  const r = new RowReader(cells);
  const certificateNo = r.text('certificate_no', { required: true, label: '执法证号', max: 64 });
  const value: InspectorPatch = compact({
    certificateNo: certificateNo ?? '',
    name: r.text('name', { label: '姓名', max: 100 }),
    department: r.text('department', { label: '所属部门', max: 100 }),
    validFrom: r.date('valid_from', '有效期起'),
    validTo: r.date('valid_to', '有效期止'),
    qualifications: r.list('qualifications'),
    kind: r.choice('kind', '人员类别', parseInspectorKind, '执法人员、辅助人员'),
    status: r.choice('status', '状态', parseInspectorStatus, '在岗、休假、离岗'),
    yearlyCapacity: r.integer('yearly_capacity', '年度检查容量', 0, 100000),
  });
  if (value.validFrom && value.validTo && value.validFrom > value.validTo) {
    r.problem('valid_to', 'DATE_RANGE', `有效期止（${value.validTo}）早于有效期起（${value.validFrom}）`);
  }
  return r.done(value);
}

export function parseDepartmentRow(cells: Record<string, Cell>): ParseResult<DepartmentRecord> {
  const r = new RowReader(cells);
  const code = r.text('code', { required: true, label: '部门代码', max: 32 });
  if (code && !/^[A-Za-z0-9_-]+$/.test(code)) r.problem('code', 'CODE', `部门代码“${code}”只能包含字母、数字、- 和 _`);
  return r.done(compact({ code: code ?? '', name: r.text('name', { label: '部门名称', max: 100 }) }));
}

export function parseRatio(raw: string): number | undefined {
  const s = raw.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*[%％]$/.exec(s);
  const n = pct ? Number(pct[1]) / 100 : Number(s);
  return Number.isFinite(n) && n > 0 && n <= 1 ? n : undefined;
}

export function parseMatterRow(cells: Record<string, Cell>): ParseResult<MatterPatch> {
  const r = new RowReader(cells);
  const code = r.text('code', { required: true, label: '事项编码', max: 64 });
  const entityTypes = r.list('entity_types')?.map((t) => {
    const e = parseEntityType(t);
    if (!e) r.problem('entity_types', 'ENUM', `适用对象“${t}”无法识别；可用的值：${ENTITY_TYPE_WORDS}`);
    return e;
  });
  const value: MatterPatch = compact({
    code: code ?? '',
    department: r.text('department', { label: '部门', max: 100 }),
    name: r.text('name', { label: '事项名称', max: 200 }),
    legalBasis: r.text('legal_basis', { label: '检查依据', max: 2000 }),
    importance: r.choice('importance', '事项类别', parseMatterImportance, '重点、一般'),
    ratioCap: r.has('ratio_cap')
      ? (parseRatio(cellText(cells.ratio_cap)) ??
        r.problem('ratio_cap', 'RATIO', `抽查比例上限“${cellText(cells.ratio_cap)}”应为 0–100% 之间，如 5% 或 0.05`))
      : undefined,
    entityTypes: entityTypes?.every((e) => e !== undefined) ? (entityTypes as EntityType[]) : undefined,
    method: r.text('method', { label: '检查方式', max: 100 }),
  });
  if (value.importance === 'key' && value.ratioCap !== undefined) {
    r.problem('ratio_cap', 'KEY_MATTER_CAP', '重点事项不设抽查比例上限；请清空该格或把事项类别改为“一般”');
  }
  return r.done(value);
}

export function parseConflictRow(cells: Record<string, Cell>): ParseResult<ConflictRecord> {
  const r = new RowReader(cells);
  return r.done(
    compact({
      certificateNo: r.text('certificate_no', { required: true, label: '执法证号', max: 64 }) ?? '',
      uscc: r.uscc('uscc') ?? '',
      reason: r.text('reason', { required: true, label: '回避原因', max: 500 }) ?? '',
      declaredOn: r.date('declared_on', '申报日期'),
    }),
  );
}

export function parseInspectionRow(cells: Record<string, Cell>): ParseResult<InspectionRecord> {
  const r = new RowReader(cells);
  const codes = r.list('result_codes') ?? [];
  for (const c of codes) {
    if (!(c.toUpperCase() in RESULT_CODES)) {
      r.problem('result_codes', 'RESULT_CODE', `检查结果代码“${c}”不在国家标准代码表中（1、A、2、B、C、6、D、3、4、5、E、F、7–12）`);
    }
  }
  return r.done(
    compact({
      uscc: r.uscc('uscc') ?? '',
      inspectedOn: r.date('inspected_on', '检查日期', true) ?? '',
      department: r.text('department', { required: true, label: '检查部门', max: 100 }) ?? '',
      officers: r.list('officers') ?? [],
      resultCodes: codes.map((c) => c.toUpperCase()),
      taskRef: r.text('task_ref', { label: '任务编号', max: 200 }),
    }),
  );
}

export function parseViolationRow(cells: Record<string, Cell>): ParseResult<ViolationRecord> {
  const r = new RowReader(cells);
  return r.done(
    compact({
      uscc: r.uscc('uscc') ?? '',
      occurredOn: r.date('occurred_on', '违法日期', true) ?? '',
      violationType: r.text('violation_type', { required: true, label: '违法类型', max: 200 }) ?? '',
      decision: r.text('decision', { label: '处理决定', max: 2000 }),
    }),
  );
}

export const ROW_PARSERS: { [K in ImportKind]: (cells: Record<string, Cell>) => ParseResult<RecordOf<K>> } = {
  objects: parseObjectRow,
  inspectors: parseInspectorRow,
  departments: parseDepartmentRow,
  matters: parseMatterRow,
  conflicts: parseConflictRow,
  inspections: parseInspectionRow,
  violations: parseViolationRow,
};

/** Key that must be unique within one file, for the duplicate check. */
export function recordKey(kind: ImportKind, rec: object): string {
  const r = rec as Record<string, unknown>;
  switch (kind) {
    case 'objects':
      return String(r.uscc);
    case 'inspectors':
      return String(r.certificateNo);
    case 'departments':
    case 'matters':
      return String(r.code);
    case 'conflicts':
      return `${r.certificateNo}|${r.uscc}`;
    case 'inspections':
      return `${r.uscc}|${r.inspectedOn}|${r.department}`;
    case 'violations':
      return `${r.uscc}|${r.occurredOn}|${r.violationType}`;
  }
}

export { ENTITY_TYPES, isIsoDate };
