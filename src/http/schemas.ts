/**
 * Zod schemas of the HTTP API: request bodies, query strings and path parameters (which validate
 * every request), and the response shapes (which document the views of src/services/views.ts and
 * let the tests check that the views and the document agree).
 *
 * The OpenAPI document is generated from these same schemas (see openapi.ts), so validation and
 * documentation cannot drift apart. `title` metadata is the Chinese field label: it appears in the
 * document and in the validation messages (see problems.ts).
 *
 * Domain rules are reused, not re-implemented: enum codes from domain/registry.ts, the USCC check
 * from domain/uscc.ts, calendar dates from domain/time.ts, length limits as in domain/records.ts.
 */
import { z } from 'zod';
import { checkUscc, normalizeUscc } from '../domain/uscc.ts';
import { isIsoDate } from '../domain/time.ts';
import { IMPORT_KINDS } from '../domain/columns.ts';
import {
  ENTITY_TYPES, ENTITY_TYPE_LABELS, REGISTRATION_STATUSES, REGISTRATION_STATUS_LABELS, GRADES, GRADE_LABELS,
  INSPECTOR_STATUSES, INSPECTOR_STATUS_LABELS, INSPECTOR_KINDS, INSPECTOR_KIND_LABELS,
  MATTER_IMPORTANCES, MATTER_IMPORTANCE_LABELS, parseIndustryCode,
} from '../domain/registry.ts';

/** Metadata that goes into the OpenAPI document. */
export interface ApiMeta {
  id: string;
  description?: string;
}

/** Named schemas that become components of the OpenAPI document. */
export class ComponentSet {
  readonly registry = z.registry<ApiMeta>();
  readonly entries: (ApiMeta & { schema: z.ZodType })[] = [];

  add(schema: z.ZodType, meta: ApiMeta): void {
    this.registry.add(schema, meta);
    this.entries.push({ ...meta, schema });
  }

  idOf(schema: z.ZodType): string | undefined {
    return this.registry.get(schema)?.id;
  }
}

/** Request side: documented as what a client may send (zod's input shape). */
export const requestSchemas = new ComponentSet();
/** Response side: documented as what the server returns (zod's output shape). */
export const responseSchemas = new ComponentSet();

function codesWithLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([code, label]) => `${code}（${label}）`)
    .join('、');
}

// ------------------------------------------------------------------------------ building blocks

/** Free text: trimmed, not blank, at most `max` characters. */
function text(title: string, max: number, description?: string) {
  return z.string().trim().min(1).max(max).meta({ title, ...(description ? { description } : {}) });
}

/** A real calendar date written YYYY-MM-DD (domain/time.ts isIsoDate). */
function isoDate(title: string) {
  return z
    .string()
    .refine(isIsoDate, { message: `“${title}”应为 YYYY-MM-DD 格式的真实日期，如 2026-11-28`, params: { code: 'DATE' } })
    .meta({ title, format: 'date', examples: ['2026-11-28'] });
}

/** 统一社会信用代码, validated by its check character (GB 32100-2015) and normalised to upper case. */
export const Uscc = z
  .string()
  .superRefine((value, ctx) => {
    const problem = checkUscc(value);
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        message: problem.message,
        params: problem.code === 'USCC_CHECK' ? { code: problem.code, expected: problem.expected } : { code: problem.code },
      });
    }
  })
  .transform(normalizeUscc)
  .meta({
    title: '统一社会信用代码',
    description: '18 位统一社会信用代码（GB 32100-2015），第 18 位为校验位；不含 I、O、S、V、Z',
    minLength: 18,
    maxLength: 18,
    examples: ['91350100M000100Y43'],
  });

/** GB/T 4754 industry code with or without the section letter (F5211 or 5211), normalised. */
const IndustryCode = z
  .string()
  .refine((v) => parseIndustryCode(v) !== undefined, {
    message: '“行业代码”不符合 GB/T 4754（如 F5211 或 5211：可带门类字母，2–4 位数字）',
    params: { code: 'INDUSTRY_CODE' },
  })
  .transform((v) => parseIndustryCode(v)!)
  .meta({ title: '行业代码', description: 'GB/T 4754 国民经济行业代码，可带门类字母，如 F5211 或 5211', examples: ['F5211'] });

const EntityType = z.enum(ENTITY_TYPES).meta({ title: '主体类型', description: codesWithLabels(ENTITY_TYPE_LABELS) });
const RegistrationStatus = z
  .enum(REGISTRATION_STATUSES)
  .meta({ title: '登记状态', description: codesWithLabels(REGISTRATION_STATUS_LABELS) });
const CreditGrade = z.enum(GRADES).meta({ title: '信用风险分类', description: codesWithLabels(GRADE_LABELS) });
const SectorGrade = z.enum(GRADES).meta({ title: '行业风险等级', description: '行业（如食品安全）自己的 A–D 风险等级，与信用风险分类分开' });
const InspectorStatus = z.enum(INSPECTOR_STATUSES).meta({ title: '状态', description: codesWithLabels(INSPECTOR_STATUS_LABELS) });
const InspectorKind = z
  .enum(INSPECTOR_KINDS)
  .meta({ title: '人员类别', description: `${codesWithLabels(INSPECTOR_KIND_LABELS)}；辅助人员永远不会被抽中` });
const MatterImportance = z
  .enum(MATTER_IMPORTANCES)
  .meta({ title: '事项类别', description: `${codesWithLabels(MATTER_IMPORTANCE_LABELS)}；一般事项必须设抽查比例上限，重点事项不设` });
const DepartmentRef = text('所属部门', 100, '部门代码或部门名称');

// ------------------------------------------------------------------------------ objects (检查对象名录库)

const objectFields = {
  name: text('名称', 200),
  entityType: EntityType,
  industryCode: IndustryCode,
  street: text('所属街道', 100),
  address: text('住所', 300),
  registeredOn: isoDate('成立日期'),
  legalRepresentative: text('法定代表人', 100, '个体工商户经营者的姓名属个人信息，公开时会遮蔽'),
  registrationStatus: RegistrationStatus,
  creditGrade: CreditGrade,
  gradedOn: isoDate('分类日期'),
  sectorGrade: SectorGrade,
  tags: z.array(text('标签', 50)).max(50).meta({ title: '标签', description: '专项名录标签' }),
};

/** A grading date without a grade would be silently ignored by the service: say so instead. */
function gradeDateNeedsGrade(value: { creditGrade?: unknown; gradedOn?: unknown }, ctx: z.RefinementCtx) {
  if (value.gradedOn !== undefined && value.creditGrade === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['gradedOn'],
      message: '填写了“分类日期”（gradedOn）但没有“信用风险分类”（creditGrade）；请同时提交分类，或删去日期',
      params: { code: 'GRADE_DATE_WITHOUT_GRADE' },
    });
  }
}

const objectPatchShape = z.strictObject(objectFields).partial();

export const ObjectPatchBody = objectPatchShape.superRefine(gradeDateNeedsGrade);
export const ObjectCreateBody = objectPatchShape.extend({ uscc: Uscc, name: objectFields.name }).superRefine(gradeDateNeedsGrade);
requestSchemas.add(ObjectCreateBody, {
  id: 'ObjectCreate',
  description: '新增检查对象。未填主体类型时按统一社会信用代码第 2 位推定；填了信用风险分类而未填分类日期时取当天',
});
requestSchemas.add(ObjectPatchBody, {
  id: 'ObjectPatch',
  description: '部分修改：省略的字段保持不变。修改信用风险分类时，旧分类连同其日期记入分类历史',
});

export const AbnormalListingBody = z.strictObject({ listedOn: isoDate('列入日期'), reason: text('列入原因', 500) });
requestSchemas.add(AbnormalListingBody, { id: 'AbnormalListingCreate', description: '列入经营异常名录' });

export const AbnormalRemovalBody = z.strictObject({ removedOn: isoDate('移出日期'), reason: text('移出原因', 500) });
requestSchemas.add(AbnormalRemovalBody, { id: 'AbnormalListingRemoval', description: '移出经营异常名录（信用修复等）' });

// ------------------------------------------------------------------------------ inspectors (执法检查人员名录库)

const inspectorFields = {
  name: text('姓名', 100),
  department: DepartmentRef,
  validFrom: isoDate('有效期起'),
  validTo: isoDate('有效期止'),
  qualifications: z.array(text('执法类别', 100)).max(200).meta({ title: '执法类别', description: '可检查的事项编码或类别' }),
  kind: InspectorKind,
  status: InspectorStatus,
  yearlyCapacity: z.number().int().min(0).max(100000).meta({ title: '年度检查容量' }),
};

function validityInOrder(value: { validFrom?: string; validTo?: string }, ctx: z.RefinementCtx) {
  if (value.validFrom && value.validTo && value.validFrom > value.validTo) {
    ctx.addIssue({
      code: 'custom',
      path: ['validTo'],
      message: `“有效期止”（${value.validTo}）早于“有效期起”（${value.validFrom}）`,
      params: { code: 'DATE_RANGE' },
    });
  }
}

const inspectorPatchShape = z.strictObject(inspectorFields).partial();

export const InspectorPatchBody = inspectorPatchShape.superRefine(validityInOrder);
export const InspectorCreateBody = inspectorPatchShape
  .extend({ certificateNo: text('执法证号', 64), name: inspectorFields.name, department: inspectorFields.department })
  .superRefine(validityInOrder);
requestSchemas.add(InspectorCreateBody, {
  id: 'InspectorCreate',
  description: '新增执法检查人员。人员类别默认 officer（执法人员），状态默认 active（在岗）',
});
requestSchemas.add(InspectorPatchBody, { id: 'InspectorPatch', description: '部分修改：省略的字段保持不变' });

export const ConflictBody = z.strictObject({
  uscc: Uscc,
  reason: text('回避原因', 500),
  declaredOn: isoDate('申报日期').optional(),
});
requestSchemas.add(ConflictBody, {
  id: 'ConflictDeclaration',
  description: '申报回避：该人员不得检查该主体。同一人员与主体再次申报时更新原因。未填申报日期时取当天',
});

// ------------------------------------------------------------------------------ departments, matters

export const DepartmentBody = z.strictObject({
  code: z
    .string()
    .trim()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9_-]+$/, { message: '“部门代码”只能包含字母、数字、- 和 _' })
    .meta({ title: '部门代码', examples: ['SCJGJ'] }),
  name: text('部门名称', 100),
});
requestSchemas.add(DepartmentBody, { id: 'DepartmentUpsert', description: '新增部门，或按部门代码修改名称' });

export const MatterBody = z
  .strictObject({
    code: text('事项编码', 64),
    department: DepartmentRef,
    name: text('事项名称', 200),
    importance: MatterImportance,
    ratioCap: z
      .number()
      .gt(0)
      .max(1)
      .meta({ title: '抽查比例上限', description: '一般事项的抽查比例上限，0–1 之间的小数（0.05 即 5%）；重点事项不填' }),
    legalBasis: text('检查依据', 2000),
    entityTypes: z.array(EntityType).max(ENTITY_TYPES.length).meta({ title: '适用对象', description: '空数组或省略 = 全部主体类型' }),
    method: text('检查方式', 100),
  })
  .partial({ ratioCap: true, legalBasis: true, entityTypes: true, method: true })
  .superRefine((value, ctx) => {
    if (value.importance === 'key' && value.ratioCap !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['ratioCap'],
        message: '重点事项不设“抽查比例上限”（ratioCap）；请删去该字段，或把事项类别改为 general（一般）',
        params: { code: 'KEY_MATTER_CAP' },
      });
    }
  });
requestSchemas.add(MatterBody, {
  id: 'MatterUpsert',
  description: '新增或更新抽查事项。更新一般事项时省略 ratioCap 则保留原上限；省略的可选字段保持不变',
});

// ------------------------------------------------------------------------------ path parameters

export const UsccParams = z.strictObject({ uscc: Uscc });
export const CertificateParams = z.strictObject({ certificateNo: text('执法证号', 64) });
export const MatterParams = z.strictObject({ code: text('事项编码', 64) });

// ------------------------------------------------------------------------------ query strings

const pagination = {
  limit: z.coerce.number().int().min(1).max(500).default(50).meta({ title: '每页条数', description: '1–500，默认 50' }),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).meta({ title: '跳过条数', description: '默认 0' }),
};

export const ObjectListQuery = z.strictObject({
  grade: z
    .enum([...GRADES, 'unrated'])
    .optional()
    .meta({ title: '信用风险分类', description: 'A、B、C、D，或 unrated（尚未分类）' }),
  street: text('所属街道', 100).optional(),
  type: EntityType.optional(),
  status: RegistrationStatus.optional(),
  industry: IndustryCode.optional(),
  tag: text('标签', 50).optional(),
  q: text('关键词', 100, '名称或统一社会信用代码的一部分').optional(),
  ...pagination,
});

export const InspectorListQuery = z.strictObject({
  department: DepartmentRef.optional(),
  status: InspectorStatus.optional(),
  kind: InspectorKind.optional(),
  q: text('关键词', 100, '姓名或执法证号的一部分').optional(),
  ...pagination,
});

export const MatterListQuery = z.strictObject({ department: DepartmentRef.optional() });

export const ImportQuery = z.strictObject({
  skipInvalid: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .meta({
      title: '跳过无效行',
      description: 'false（默认，严格）：只要有一行有误就不写入任何数据；true：写入有效行，无效行连同原因写入拒绝文件（rejects）',
    }),
  filename: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((v) => /\.(csv|xlsx)$/i.test(v), {
      message: '“原文件名”须以 .csv 或 .xlsx 结尾（.xls 文件请先在 Excel 中另存为 .xlsx）',
      params: { code: 'FILE_TYPE' },
    })
    .optional()
    .meta({
      title: '原文件名',
      description: '上传文件原来的名称，如 名录.xlsx；按扩展名 .csv 或 .xlsx 识别格式，并用于问题报告和拒绝文件的名称。不填时按 Content-Type 识别（text/csv 或 XLSX 的类型）',
      examples: ['渝中区市场主体名录.xlsx'],
    }),
});

export const ExportQuery = z.strictObject({
  format: z
    .enum(['csv', 'xlsx'])
    .default('xlsx')
    .meta({
      title: '文件格式',
      description: 'xlsx（默认）：代码为文本单元格、日期为日期单元格，适合用 Excel 编辑；csv：UTF-8 带 BOM。导出的文件可原样再导入',
    }),
});

export const ImportJobParams = z.strictObject({ id: text('任务编号', 64) });

// ------------------------------------------------------------------------------ responses

const nullableDate = (title: string) => z.string().nullable().meta({ title, format: 'date' });
const instant = (title: string) => z.string().meta({ title, format: 'date-time' });

export const ObjectView = z.strictObject({
  uscc: z.string().meta({ title: '统一社会信用代码' }),
  name: z.string().meta({ title: '名称' }),
  entityType: EntityType,
  industryCode: z.string().nullable().meta({ title: '行业代码' }),
  street: z.string().nullable().meta({ title: '所属街道' }),
  address: z.string().nullable().meta({ title: '住所' }),
  registeredOn: nullableDate('成立日期'),
  legalRepresentative: z.string().nullable().meta({ title: '法定代表人' }),
  registrationStatus: RegistrationStatus,
  creditGrade: CreditGrade.nullable().meta({ title: '信用风险分类', description: 'null = 尚未分类（unrated）' }),
  gradedOn: nullableDate('分类日期'),
  sectorGrade: SectorGrade.nullable(),
  sectorGradedOn: nullableDate('行业风险等级日期'),
  tags: z.array(z.string()).meta({ title: '标签' }),
  createdAt: instant('创建时间'),
  updatedAt: instant('修改时间'),
});
responseSchemas.add(ObjectView, { id: 'Object', description: '检查对象' });

export const GradePeriod = z.strictObject({
  kind: z.enum(['credit', 'sector']).meta({ title: '分类种类', description: 'credit 信用风险分类；sector 行业风险等级' }),
  grade: z.enum(GRADES).nullable().meta({ title: '当时的分类', description: 'null = 当时尚未分类' }),
  gradedOn: nullableDate('分类日期'),
  supersededOn: z.string().meta({ title: '被取代日期', format: 'date' }),
});
responseSchemas.add(GradePeriod, { id: 'GradePeriod', description: '已被取代的一段分类（当前分类在检查对象本身）' });

export const AbnormalListingView = z.strictObject({
  id: z.number().int(),
  listedOn: z.string().meta({ title: '列入日期', format: 'date' }),
  reason: z.string().meta({ title: '列入原因' }),
  removedOn: nullableDate('移出日期'),
  removalReason: z.string().nullable().meta({ title: '移出原因' }),
});
responseSchemas.add(AbnormalListingView, { id: 'AbnormalListing', description: '经营异常名录的一次列入（及移出）' });

export const ObjectDetail = ObjectView.extend({
  gradeHistory: z.array(GradePeriod),
  abnormalListings: z.array(AbnormalListingView),
});
responseSchemas.add(ObjectDetail, { id: 'ObjectDetail', description: '检查对象，连同分类历史和经营异常名录记录' });

export const ObjectList = z.strictObject({
  items: z.array(ObjectView),
  total: z.number().int().meta({ title: '符合条件的总数' }),
  limit: z.number().int(),
  offset: z.number().int(),
});
responseSchemas.add(ObjectList, { id: 'ObjectList' });

export const ObjectHistory = z.strictObject({
  inspections: z.array(
    z.strictObject({
      inspectedOn: z.string().meta({ format: 'date' }),
      departmentCode: z.string(),
      officers: z.array(z.string()),
      resultCodes: z.array(z.string()),
      taskRef: z.string().nullable(),
    }),
  ),
  violations: z.array(
    z.strictObject({ occurredOn: z.string().meta({ format: 'date' }), violationType: z.string(), decision: z.string().nullable() }),
  ),
  changes: z.array(
    z.strictObject({
      changedAt: instant('修改时间'),
      source: z.string().meta({ title: '修改来源', description: 'api、import:<文件摘要>、demo 等' }),
      before: z.record(z.string(), z.unknown()),
      after: z.record(z.string(), z.unknown()),
    }),
  ),
});
responseSchemas.add(ObjectHistory, { id: 'ObjectHistory', description: '以往检查、以往违法记录和名录修改记录' });

export const InspectorView = z.strictObject({
  certificateNo: z.string().meta({ title: '执法证号' }),
  name: z.string().meta({ title: '姓名' }),
  departmentCode: z.string().meta({ title: '部门代码' }),
  validFrom: nullableDate('有效期起'),
  validTo: nullableDate('有效期止'),
  qualifications: z.array(z.string()),
  status: InspectorStatus,
  kind: InspectorKind,
  yearlyCapacity: z.number().int(),
  createdAt: instant('创建时间'),
  updatedAt: instant('修改时间'),
});
responseSchemas.add(InspectorView, { id: 'Inspector', description: '执法检查人员' });

export const ConflictView = z.strictObject({
  uscc: z.string(),
  reason: z.string(),
  declaredOn: nullableDate('申报日期'),
});
responseSchemas.add(ConflictView, { id: 'Conflict', description: '回避记录' });

export const InspectorDetail = InspectorView.extend({ conflicts: z.array(ConflictView) });
responseSchemas.add(InspectorDetail, { id: 'InspectorDetail', description: '执法检查人员，连同回避记录' });

export const InspectorList = z.strictObject({
  items: z.array(InspectorView),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
responseSchemas.add(InspectorList, { id: 'InspectorList' });

export const ConflictReply = ConflictView.extend({ certificateNo: z.string() });
responseSchemas.add(ConflictReply, { id: 'ConflictReply', description: '申报后的回避记录' });

export const DepartmentView = z.strictObject({ code: z.string(), name: z.string() });
responseSchemas.add(DepartmentView, { id: 'Department', description: '部门' });
export const DepartmentList = z.strictObject({ items: z.array(DepartmentView) });
responseSchemas.add(DepartmentList, { id: 'DepartmentList' });

export const MatterView = z.strictObject({
  code: z.string(),
  departmentCode: z.string(),
  name: z.string(),
  legalBasis: z.string().nullable(),
  importance: MatterImportance,
  ratioCap: z.number().nullable().meta({ title: '抽查比例上限', description: '0–1 的小数；重点事项为 null' }),
  entityTypes: z.array(EntityType),
  method: z.string().nullable(),
});
responseSchemas.add(MatterView, { id: 'Matter', description: '抽查事项' });
export const MatterList = z.strictObject({ items: z.array(MatterView) });
responseSchemas.add(MatterList, { id: 'MatterList' });

export const Health = z.strictObject({
  status: z.literal('ok'),
  database: z.enum(['sqlite', 'postgres']),
});
responseSchemas.add(Health, { id: 'Health' });

export const ProblemView = z.strictObject({
  path: z.string().meta({
    description: '出错的位置：body.<字段>、query.<参数>、params.<路径参数>；数组元素用下标，如 body.tags.0',
    examples: ['body.creditGrade'],
  }),
  code: z.string().meta({ description: '稳定的英文代码，如 REQUIRED、ENUM、USCC_CHECK', examples: ['ENUM'] }),
  message: z.string().meta({ description: '中文说明：哪里不对、怎样改' }),
});
responseSchemas.add(ProblemView, { id: 'Problem', description: '一处具体问题' });

export const ErrorBody = z.strictObject({
  error: z.strictObject({
    code: z.string().meta({
      description: '稳定的英文错误代码，如 VALIDATION_FAILED、MALFORMED_JSON、OBJECT_NOT_FOUND、OBJECT_EXISTS、PAYLOAD_TOO_LARGE、INTERNAL_ERROR',
      examples: ['VALIDATION_FAILED'],
    }),
    message: z.string().meta({ description: '中文说明：哪里不对、怎样改' }),
    problems: z.array(ProblemView).meta({ description: '每一处问题；400 响应至少有一项' }),
  }),
});
responseSchemas.add(ErrorBody, { id: 'Error', description: '所有错误响应的格式' });

export const HealthFailure = z.strictObject({
  status: z.literal('unavailable'),
  database: z.enum(['sqlite', 'postgres']),
  error: ErrorBody.shape.error,
});
responseSchemas.add(HealthFailure, { id: 'HealthFailure' });

// ------------------------------------------------------------------------------ imports (jobs)

const count = (title: string) => z.number().int().min(0).meta({ title });

export const ImportAccepted = z.strictObject({
  id: z.string().meta({ title: '任务编号' }),
  status: z.literal('queued').meta({ title: '任务状态' }),
  statusUrl: z.string().meta({ title: '查询进度的地址', format: 'uri-reference', examples: ['/api/v1/imports/0b7c…'] }),
});
responseSchemas.add(ImportAccepted, { id: 'ImportAccepted', description: '已收下文件并排队导入；按 statusUrl 查询进度和结果' });

export const ImportProblemView = z.strictObject({
  row: z.number().int().meta({ title: '行号', description: '电子表格中的行号：没有标题行时表头为第 1 行' }),
  column: z.string().meta({ title: '列', description: '文件中该列的表头；整行的问题为空' }),
  code: z.string().meta({ description: '稳定的英文代码，如 USCC_CHECK、REQUIRED、ENUM、DUPLICATE_KEY', examples: ['USCC_CHECK'] }),
  message: z.string().meta({ description: '中文说明：哪里不对、怎样改' }),
});
responseSchemas.add(ImportProblemView, { id: 'ImportProblem', description: '文件中的一处问题' });

export const ImportReportView = z.strictObject({
  mode: z.enum(['strict', 'skip-invalid']).meta({ title: '模式', description: 'strict 严格；skip-invalid 跳过无效行' }),
  written: z.boolean().meta({ title: '是否已写入', description: '严格模式下有任何问题即为 false，未写入任何数据' }),
  fileSha256: z.string().meta({ title: '文件的 SHA-256' }),
  headerRow: z.number().int().meta({ title: '表头所在行' }),
  ignoredColumns: z.array(z.string()).meta({ title: '未识别、已忽略的列' }),
  rowsRead: count('读取的行数'),
  inserted: count('新增'),
  updated: count('更新'),
  unchanged: count('未变'),
  rejectedRows: count('拒绝的行数'),
  problemCount: count('问题总数'),
  problemCounts: z.record(z.string(), z.number().int()).meta({ title: '各类问题的个数', description: '按问题代码计数，如 {"USCC_CHECK": 1}' }),
  problems: z.array(ImportProblemView).meta({ title: '问题', description: '前 100 个问题，按行号排序；全部问题见 reportUrl' }),
  reportUrl: z.string().nullable().meta({ title: '问题报告', description: '全部问题的 CSV 文件；没有问题时为 null', format: 'uri-reference' }),
  rejectsUrl: z
    .string()
    .nullable()
    .meta({ title: '拒绝文件', description: '被拒绝的行（原样）连同拒绝原因的 CSV 文件，仅跳过无效行模式下有；没有时为 null', format: 'uri-reference' }),
});
responseSchemas.add(ImportReportView, { id: 'ImportReport', description: '导入结果' });

export const IMPORT_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export const IMPORT_JOB_PHASES = ['queued', 'reading', 'checking', 'writing', 'done', 'rejected', 'failed'] as const;

export const ImportJobView = z.strictObject({
  id: z.string().meta({ title: '任务编号' }),
  kind: z.enum(IMPORT_KINDS).meta({ title: '导入的名录' }),
  status: z.enum(IMPORT_JOB_STATUSES).meta({
    title: '任务状态',
    description: 'queued 排队中；running 导入中；succeeded 已写入；failed 未写入任何数据（文件有问题、文件无法读取或导入中断）',
  }),
  phase: z.enum(IMPORT_JOB_PHASES).meta({
    title: '阶段',
    description: 'queued 排队；reading 读取；checking 校验；writing 写入；done 完成；rejected 严格模式下发现问题、未写入；failed 出错',
  }),
  fileName: z.string().meta({ title: '上传的文件名' }),
  skipInvalid: z.boolean().meta({ title: '跳过无效行' }),
  rowsRead: count('已读取的行数'),
  inserted: count('新增'),
  updated: count('更新'),
  rejected: count('拒绝的行数'),
  createdAt: instant('提交时间'),
  finishedAt: z.string().nullable().meta({ title: '结束时间', format: 'date-time' }),
  filesExpiredAt: z.string().nullable().meta({ title: '问题报告和拒绝文件的删除时间', description: '结束后按保留期限（IMPORT_FILES_TTL_HOURS）删除；删除前为 null', format: 'date-time' }),
  report: ImportReportView.nullable().meta({ description: '结束后的导入结果；文件无法读取等情况下为 null' }),
  error: ErrorBody.shape.error.nullable().meta({ description: '失败时的原因（code 为稳定的英文代码）；其他情况为 null' }),
});
responseSchemas.add(ImportJobView, { id: 'ImportJob', description: '导入任务：状态、进度，结束后有导入结果' });

export const OpenApiDocument = z.record(z.string(), z.unknown());
