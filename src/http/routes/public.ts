/**
 * Open data (开放数据): GET /api/v1/public/results and /api/v1/public/draws, for anyone, without
 * an account. JSON (default) with pagination, or the whole selection as CSV (UTF-8 with BOM) with
 * `format=csv`. The fields are stable and documented in docs/open-data.md. Only published results
 * and the draws of tasks appear; no credit grade and no personal data ever do.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csvWriter } from '../../services/csv.ts';
import { z } from 'zod';
import type { Db } from '../../db/connection.ts';
import type { Page } from '../../services/public/common.ts';
import * as publicResults from '../../services/public/results.ts';
import * as publicDraws from '../../services/public/draws.ts';
import { shanghaiDate } from '../../domain/time.ts';
import { defineOperation, type Operation, type StreamReply } from '../operation.ts';
import { responseSchemas } from '../schemas.ts';

const tag = 'public';
const CSV_PAGE = 1000;

const PublicQuery = z.strictObject({
  task: z.string().uuid().optional().meta({ title: '任务编号', description: '只列出这个抽查任务的（一项合并检查可属于多个任务）' }),
  year: z.coerce.number().int().min(2000).max(2100).optional().meta({ title: '年度', description: '计划年度，如 2026' }),
  format: z.enum(['json', 'csv']).default('json').meta({ title: '格式', description: 'json（默认，分页）或 csv（全部，UTF-8 带 BOM）' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ title: '每页条数', description: '1–1000，默认 100（仅 JSON）' }),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).meta({ title: '跳过条数', description: '默认 0（仅 JSON）' }),
});
type Query = z.output<typeof PublicQuery>;

const Ref = z.object({ id: z.string(), name: z.string() });
const Dept = z.object({ code: z.string(), name: z.string() });

const PublicResult = z.object({
  resultId: z.string().meta({ description: '结果编号（稳定）' }),
  uscc: z.string().meta({ description: '统一社会信用代码' }),
  entityName: z.string().meta({ description: '主体名称（个体工商户名称中的经营者姓名已遮蔽）' }),
  entityType: z.string().meta({ description: '主体类型：企业、个体工商户、农民专业合作社、其他' }),
  street: z.string().nullable().meta({ description: '所属街道' }),
  year: z.number().int().meta({ description: '计划年度' }),
  tasks: z.array(Ref).meta({ description: '所属抽查任务' }),
  departments: z.array(Dept).meta({ description: '实施检查的部门' }),
  inspectedOn: z.string().meta({ description: '检查日期 YYYY-MM-DD' }),
  method: z.string().meta({ description: '核查方式' }),
  resultCodes: z.array(z.string()).meta({ description: '检查结果代码（国家数据标准）' }),
  resultLabels: z.array(z.string()).meta({ description: '检查结果名称，与 resultCodes 一一对应' }),
  followUp: z.array(z.string()).meta({ description: '后续处置' }),
  publishedAt: z.string().nullable().meta({ description: '公示时间（ISO-8601 UTC）' }),
});
responseSchemas.add(PublicResult, { id: 'PublicResult', description: '一项已公示的抽查结果（开放数据）' });
const PublicResultList = z.object({ items: z.array(PublicResult), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
responseSchemas.add(PublicResultList, { id: 'PublicResultList' });

const PublicDraw = z.object({
  drawId: z.string(),
  taskId: z.string(),
  taskName: z.string(),
  year: z.number().int(),
  window: z.object({ start: z.string(), end: z.string() }),
  status: z.enum(['committed', 'seeded', 'drawn', 'voided']).meta({ description: 'committed 已承诺；seeded 已录入随机数；drawn 已抽取；voided 已作废' }),
  algorithm: z.string(),
  commitment: z.string().meta({ description: '承诺值（SHA-256，十六进制）' }),
  committedAt: z.string(),
  randomnessSource: z.string().meta({ description: '事先公布的公开随机数来源' }),
  randomness: z.string().nullable().meta({ description: '录入的公开随机数' }),
  randomnessNormalized: z.string().nullable(),
  workingSeed: z.string().nullable(),
  seededAt: z.string().nullable(),
  drawnAt: z.string().nullable(),
  resultDigest: z.string().nullable(),
  selectedCount: z.number().int(),
  voidedAt: z.string().nullable(),
  voidReason: z.string().nullable(),
  bundleUrl: z.string().nullable().meta({ description: '公开抽取包的下载地址（抽取后）' }),
});
responseSchemas.add(PublicDraw, { id: 'PublicDraw', description: '一次抽取（开放数据），作废的也列出' });
const PublicDrawList = z.object({ items: z.array(PublicDraw), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
responseSchemas.add(PublicDrawList, { id: 'PublicDrawList' });

/** null as an empty cell; text is guarded by the CSV writer. */
function cell(v: string | number | null): string | number {
  return v === null ? '' : v;
}

export const RESULT_COLUMNS = [
  'resultId', 'uscc', 'entityName', 'entityType', 'street', 'year', 'taskIds', 'taskNames', 'departments', 'inspectedOn', 'method',
  'resultCodes', 'resultLabels', 'followUp', 'publishedAt',
] as const;

function resultCells(r: publicResults.PublicResult): (string | number | null)[] {
  return [
    r.resultId, r.uscc, r.entityName, r.entityType, r.street, r.year, r.tasks.map((t) => t.id).join(';'), r.tasks.map((t) => t.name).join(';'),
    r.departments.map((d) => d.name).join(';'), r.inspectedOn, r.method, r.resultCodes.join(';'), r.resultLabels.join(';'), r.followUp.join(';'), r.publishedAt,
  ];
}

export const DRAW_COLUMNS = [
  'drawId', 'taskId', 'taskName', 'year', 'windowStart', 'windowEnd', 'status', 'algorithm', 'commitment', 'committedAt', 'randomnessSource',
  'randomness', 'randomnessNormalized', 'workingSeed', 'seededAt', 'drawnAt', 'resultDigest', 'selectedCount', 'voidedAt', 'voidReason', 'bundleUrl',
] as const;

function drawCells(d: publicDraws.PublicDraw): (string | number | null)[] {
  return [
    d.drawId, d.taskId, d.taskName, d.year, d.window.start, d.window.end, d.status, d.algorithm, d.commitment, d.committedAt, d.randomnessSource,
    d.randomness, d.randomnessNormalized, d.workingSeed, d.seededAt, d.drawnAt, d.resultDigest, d.selectedCount, d.voidedAt, d.voidReason, d.bundleUrl,
  ];
}

/** The whole selection as CSV, page by page (the stringifier pulls the next page when it wants more). */
function csvReply<T>(
  name: string,
  q: Query,
  columns: readonly string[],
  fetch: (page: Page) => Promise<{ items: T[] }>,
  cells: (item: T) => (string | number | null)[],
): StreamReply {
  async function* records() {
    yield [...columns];
    for (let offset = 0; ; offset += CSV_PAGE) {
      const { items } = await fetch({ limit: CSV_PAGE, offset });
      for (const item of items) yield cells(item).map(cell);
      if (items.length < CSV_PAGE) return;
    }
  }
  const suffix = [q.year, q.task ? `task-${q.task}` : null].filter(Boolean).join('-');
  return {
    contentType: 'text/csv; charset=utf-8',
    filename: `${name}${suffix ? `-${suffix}` : ''}-${shanghaiDate()}.csv`,
    stream: (out) => pipeline(Readable.from(records()), csvWriter(), out),
  };
}

function listOperation<T>(spec: {
  name: 'results' | 'draws';
  operationId: string;
  summary: string;
  description: string;
  schema: z.ZodType;
  columns: readonly string[];
  fetch: (db: Db, q: Query, page: Page) => Promise<{ items: T[]; total: number; limit: number; offset: number }>;
  cells: (item: T) => (string | number | null)[];
}): Operation {
  return defineOperation({
    method: 'get',
    path: `/api/v1/public/${spec.name}`,
    operationId: spec.operationId,
    access: 'public',
    tag,
    summary: spec.summary,
    description: `${spec.description} format=csv 时返回全部符合条件的记录（text/csv，UTF-8 带 BOM，列名与 JSON 字段相同，列表用 ; 分隔）。字段说明见 docs/open-data.md。`,
    query: PublicQuery,
    serviceProblemsIn: 'query',
    responses: { 200: { description: 'JSON 一页（format=csv 时为 CSV 文件）', schema: spec.schema } },
    async handle({ db, query }) {
      if (query.format === 'csv') return csvReply(spec.name, query, spec.columns, (page) => spec.fetch(db, query, page), spec.cells);
      return { body: await spec.fetch(db, query, { limit: query.limit, offset: query.offset }) };
    },
  });
}

export const publicOperations: Operation[] = [
  listOperation<publicResults.PublicResult>({
    name: 'results',
    operationId: 'listPublicResults',
    summary: '开放数据：已公示的抽查结果（主体名称、统一社会信用代码、检查部门、结果、日期）',
    description: '只含已公示的结果；不含信用风险分类和个人信息。按检查日期、主体排序。',
    schema: PublicResultList,
    columns: RESULT_COLUMNS,
    fetch: (db, q, page) => publicResults.listPublishedResults(db, { taskId: q.task, year: q.year }, page),
    cells: resultCells,
  }),
  listOperation<publicDraws.PublicDraw>({
    name: 'draws',
    operationId: 'listPublicDraws',
    summary: '开放数据：抽查任务的抽取记录（承诺值、随机数、抽取时间、抽中数、作废情况）',
    description: '每个抽查任务的每一次抽取，作废的也列出（附理由）。按承诺时间排序。',
    schema: PublicDrawList,
    columns: DRAW_COLUMNS,
    fetch: (db, q, page) => publicDraws.listPublicDraws(db, { taskId: q.task, year: q.year }, page),
    cells: drawCells,
  }),
];
