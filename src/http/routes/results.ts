/**
 * The inspectors' work: /api/v1/me/assignments, /api/v1/assignments/{id} with its notice,
 * result, review, publication, measure overrides and abnormal-list follow-up.
 *
 * An assignment another team's inspector (or another department's regulator) asks for answers
 * 404 ASSIGNMENT_NOT_FOUND, exactly as one that does not exist: nothing of it leaks.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { ABNORMAL_LIST_CODES, ASSIGNMENT_STATES, FOLLOW_UPS, RESULT_CODE_ORDER, RESULT_STATUSES } from '../../domain/results.ts';
import { RESULT_CODES } from '../../domain/registry.ts';
import { submitResult } from '../../services/results/entry.ts';
import { recordAbnormalListing } from '../../services/results/followUp.ts';
import { issueNotice } from '../../services/results/notices.ts';
import { approveOverride, requestOverride } from '../../services/results/overrides.ts';
import { publishResult, reviewResult } from '../../services/results/review.ts';
import { abnormalListingInput, overrideApprovalInput, overrideInput, resultInput, reviewInput } from '../../services/results/schemas.ts';
import { getAssignment, listAssignments, listMyAssignments } from '../../services/results/views.ts';
import { listViolationTypes } from '../../services/violationTypes.ts';
import { addAttachments, ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_PER_VISIT, ATTACHMENT_MEDIA_TYPES, checkMayAttach, incomingPath, readAttachment } from '../../services/results/attachments.ts';
import { renderPrintableNotice } from '../../web/notice.ts';
import { defineOperation, STAFF, type Operation } from '../operation.ts';
import { requestSchemas, responseSchemas } from '../schemas.ts';

const tag = 'assignments';
const Id = z.strictObject({ id: z.string().uuid().meta({ title: '检查编号' }) });
const IdN = z.strictObject({
  id: z.string().uuid().meta({ title: '检查编号' }),
  n: z.coerce.number().int().min(1).max(20).meta({ title: '强制措施序号（从 1 起）' }),
});
const pagination = {
  limit: z.coerce.number().int().min(1).max(500).default(50).meta({ title: '每页条数', description: '1–500，默认 50' }),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).meta({ title: '跳过条数', description: '默认 0' }),
};
const state = z
  .enum(ASSIGNMENT_STATES)
  .optional()
  .meta({ title: '状态', description: 'pending-notice 待送达通知书；notified 已通知待录入；entered 待审核；returned 已退回；approved 已审核；published 已公示' });
const MyQuery = z.strictObject({ state, ...pagination });
const StaffQuery = z.strictObject({ state, planId: z.string().uuid().optional().meta({ title: '计划编号' }), ...pagination });

requestSchemas.add(resultInput, {
  id: 'ResultInput',
  description: '检查结果：检查日期、结果代码（可多选）、核查方式、后续处置、各事项检查情况、拟采取的强制措施',
});
requestSchemas.add(reviewInput, { id: 'ReviewInput', description: '审核：approve 通过，或 return 退回（须写审核意见）' });
requestSchemas.add(overrideInput, { id: 'OverrideRequest', description: '申请对清单排除的强制措施不适用清单（须写理由，待第二人批准）' });
requestSchemas.add(overrideApprovalInput, { id: 'OverrideApproval' });
requestSchemas.add(abnormalListingInput, { id: 'AbnormalListingFollowUp', description: '据检查结果列入经营异常名录（默认今天，原因按结果代码）' });

const Entity = z.looseObject({ uscc: z.string(), name: z.string(), address: z.string().nullable(), street: z.string().nullable() });
const Summary = z.looseObject({
  id: z.string(),
  planId: z.string(),
  entity: Entity,
  matters: z.array(z.looseObject({ code: z.string(), name: z.string() })),
  team: z.array(z.looseObject({ certificateNo: z.string(), name: z.string() })),
  window: z.object({ start: z.string(), end: z.string() }),
  tasks: z.array(z.object({ id: z.string(), name: z.string() })),
  status: z.enum(ASSIGNMENT_STATES),
  statusLabel: z.string(),
  notified: z.boolean(),
  notifiedAt: z.string().nullable(),
  resultId: z.string().nullable(),
});
responseSchemas.add(Summary, { id: 'AssignmentSummary', description: '一次检查（合并后的检查任务分配）' });
const SummaryList = z.object({ items: z.array(Summary), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
responseSchemas.add(SummaryList, { id: 'AssignmentList' });

const Attachment = z.object({
  id: z.string().meta({ title: '附件编号' }),
  fileName: z.string().meta({ title: '文件名' }),
  mediaType: z.enum(ATTACHMENT_MEDIA_TYPES).meta({ title: '类型（按文件内容识别）' }),
  bytes: z.number().int().meta({ title: '字节数' }),
  sha256: z.string().meta({ title: 'SHA-256（十六进制）' }),
  uploadedBy: z.string(),
  uploadedAt: z.string(),
  url: z.string().meta({ title: '下载地址' }),
});
responseSchemas.add(Attachment, { id: 'ResultAttachment', description: '检查附件（照片、扫描的笔录或文书）' });
const AttachmentParams = z.strictObject({ id: z.string().uuid().meta({ title: '检查编号' }), attachmentId: z.string().uuid().meta({ title: '附件编号' }) });
const AttachmentQuery = z.strictObject({ filename: z.string().trim().min(1).max(200).optional().meta({ title: '原文件名', description: '如 现场照片1.jpg' }) });
const ATTACHMENT_DEFAULT_NAMES: Record<string, string> = { 'image/jpeg': '照片.jpg', 'image/png': '照片.png', 'application/pdf': '扫描件.pdf' };

const Result = z.looseObject({
  id: z.string(),
  status: z.enum(RESULT_STATUSES),
  statusLabel: z.string(),
  inspectedOn: z.string(),
  codes: z.array(z.object({ code: z.string(), label: z.string() })),
  method: z.string(),
  followUp: z.array(z.enum(FOLLOW_UPS)),
  findings: z.array(z.looseObject({ matter: z.string(), compliant: z.boolean() })),
  measures: z.array(z.looseObject({ n: z.number().int(), measure: z.string(), state: z.enum(['allowed', 'refused', 'override-requested', 'overridden']) })),
  revision: z.number().int(),
  reviewComment: z.string().nullable(),
  events: z.array(z.looseObject({ action: z.string(), from: z.string().nullable(), to: z.string(), actor: z.string(), at: z.string(), comment: z.string().nullable() })),
});
responseSchemas.add(Result, { id: 'InspectionResult', description: '检查结果，含免罚清单评估、强制措施清单比对、状态记录' });
const Detail = Summary.extend({
  departments: z.array(z.object({ code: z.string(), name: z.string() })),
  notice: z.object({ number: z.string(), issuedAt: z.string(), issuedBy: z.string() }).nullable(),
  result: Result.nullable(),
  attachments: z.array(Attachment).meta({ title: '检查附件' }),
});
responseSchemas.add(Detail, { id: 'Assignment', description: '一次检查的全部情况' });

const INSPECTOR = ['inspector'] as const;
const detail = (body: unknown) => ({ body });

const ResultCodeList = z.object({
  items: z.array(
    z.object({
      code: z.enum(RESULT_CODE_ORDER).meta({ title: '检查结果代码' }),
      label: z.string().meta({ title: '名称' }),
      abnormalList: z.boolean().meta({ title: '是否须列入经营异常名录（审核通过后 10 个工作日内）' }),
    }),
  ),
});

const ViolationTypeList = z.object({
  items: z.array(
    z.object({
      code: z.string().meta({ title: '违法行为类型代码' }),
      name: z.string().meta({ title: '名称' }),
      source: z.enum(['list', 'common']).meta({ title: '来源', description: 'list 免罚清单中的类型；common 清单以外的常见类型（data/violation-types.json）' }),
      lists: z.array(z.string()).meta({ title: '收录该类型的免罚清单版本' }),
      department: z.string().nullable().meta({ title: '通常查处的部门' }),
    }),
  ),
});

export const resultOperations: Operation[] = [
  defineOperation({
    method: 'get',
    path: '/api/v1/violation-types',
    operationId: 'listViolationTypes',
    access: ['admin', 'regulator', 'reviewer', 'inspector'],
    tag,
    summary: '违法行为类型代码表（录入不合规事项时只能从中选择：免罚清单中的类型在前，其后为清单以外的常见类型）',
    responses: { 200: { description: '全部类型', schema: ViolationTypeList } },
    async handle() {
      return { body: { items: listViolationTypes() } };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/result-codes',
    operationId: 'listResultCodes',
    access: ['admin', 'regulator', 'reviewer', 'inspector'],
    tag,
    summary: '检查结果代码（录入结果时可选的代码，按规定顺序）',
    responses: { 200: { description: '全部代码', schema: ResultCodeList } },
    async handle() {
      const abnormal: readonly string[] = ABNORMAL_LIST_CODES;
      return { body: { items: RESULT_CODE_ORDER.map((code) => ({ code, label: RESULT_CODES[code], abnormalList: abnormal.includes(code) })) } };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/me/assignments',
    operationId: 'listMyAssignments',
    access: INSPECTOR,
    tag,
    summary: '我的检查任务：本人所在检查组的检查（主体、事项、检查组、时间、状态）',
    query: MyQuery,
    responses: { 200: { description: '一页检查，按检查时间和主体排序', schema: SummaryList } },
    async handle({ db, query, user }) {
      return { body: await listMyAssignments(db, user!, { state: query.state }, { limit: query.limit, offset: query.offset }) };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/assignments',
    operationId: 'listAssignments',
    access: STAFF,
    tag,
    summary: '列出检查（审核、公示用）：监管人员只看到本部门参加的任务的检查',
    query: StaffQuery,
    responses: { 200: { description: '一页检查', schema: SummaryList } },
    async handle({ db, query, user }) {
      return { body: await listAssignments(db, user!, { state: query.state, planId: query.planId }, { limit: query.limit, offset: query.offset }) };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/assignments/{id}',
    operationId: 'getAssignment',
    access: ['admin', 'regulator', 'reviewer', 'inspector'],
    tag,
    summary: '查看一次检查：检查组成员、参加部门的监管人员、审核人员和管理员可见',
    params: Id,
    responses: { 200: { description: '检查', schema: Detail } },
    errors: [404],
    async handle({ db, params, user }) {
      return detail(await getAssignment(db, user!, params.id));
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/assignments/{id}/notice',
    operationId: 'printNotice',
    access: INSPECTOR,
    tag,
    summary: '打印检查通知书（HTML，可直接打印）；首次打印即记为已通知，检查从此固定，再次打印内容不变',
    params: Id,
    responses: { 200: { description: '检查通知书（可打印的 HTML 页面）', download: { mediaTypes: ['text/html'] } } },
    errors: [403, 404],
    async handle({ db, params, user }) {
      const n = await issueNotice(db, user!, params.id, renderPrintableNotice);
      return {
        contentType: 'text/html; charset=utf-8',
        stream: async (out) => {
          out.end(n.html);
        },
      };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/assignments/{id}/result',
    operationId: 'submitResult',
    access: INSPECTOR,
    tag,
    summary: '录入或修改检查结果（检查组成员；须已送达通知书；已录入或被退回时可修改）',
    description:
      '每个不合规事项按检查日有效的免罚清单和主体两年内的同类违法记录评估，符合条件的记为“拟不予处罚”（仍须责令改正），否则记明未满足的条件；' +
      '拟采取的查封、扣押与不予实施行政强制措施清单比对，符合清单情形的记为不予实施并记录依据。',
    params: Id,
    body: resultInput,
    responses: {
      201: { description: '已录入', schema: Detail, location: true },
      200: { description: '已修改（退回的结果修改后重新待审核）', schema: Detail },
    },
    errors: [403, 404, 409],
    async handle({ db, params, body, user }) {
      const r = await submitResult(db, user!, params.id, body);
      return r.created ? { status: 201, body: r.assignment, location: `/api/v1/assignments/${params.id}` } : { body: r.assignment };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/assignments/{id}/attachments',
    operationId: 'addAttachment',
    access: INSPECTOR,
    tag,
    summary: `上传检查附件（检查组成员；照片或扫描的笔录、文书；每个最大 10 MB，每次检查最多 ${ATTACHMENT_MAX_PER_VISIT} 个）`,
    description:
      "请求体为文件本身（不是表单），如 curl --data-binary @现场照片.jpg -H 'Content-Type: image/jpeg' '…/attachments?filename=现场照片.jpg'。" +
      '按文件内容识别类型：只接受 JPEG、PNG 和 PDF；声明的类型或扩展名与内容不符的拒绝。须已送达检查通知书，且结果尚未录入、待审核或被退回（审核通过后不能再添加）。保存文件的 SHA-256。',
    params: Id,
    query: AttachmentQuery,
    upload: {
      mediaTypes: [...ATTACHMENT_MEDIA_TYPES, 'application/octet-stream'],
      maxBytes: ATTACHMENT_MAX_BYTES,
      description: '附件文件本身：JPEG（image/jpeg）、PNG（image/png）或 PDF（application/pdf），最大 10 MB',
      what: ' JPEG、PNG 图片或 PDF ',
    },
    responses: { 201: { description: '已保存', schema: Attachment, location: true } },
    errors: [403, 404, 409],
    async handle({ db, params, query, upload, user }) {
      // Scope, team and state first: an outsider's body is never read.
      await checkMayAttach(db, user!, params.id);
      const file = incomingPath();
      await upload.saveTo(file);
      const fileName = query.filename ?? ATTACHMENT_DEFAULT_NAMES[upload.mediaType] ?? '附件';
      const [a] = await addAttachments(db, user!, params.id, [{ path: file, fileName, declaredType: upload.mediaType }]);
      return { status: 201, body: a, location: a.url };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/assignments/{id}/attachments/{attachmentId}',
    operationId: 'downloadAttachment',
    access: ['admin', 'regulator', 'reviewer', 'inspector'],
    tag,
    summary: '下载检查附件（能查看这次检查的人员均可下载）',
    params: AttachmentParams,
    responses: { 200: { description: '附件文件', download: { mediaTypes: ATTACHMENT_MEDIA_TYPES } } },
    errors: [404],
    async handle({ db, params, user }) {
      const a = await readAttachment(db, user!, params.id, params.attachmentId);
      return { contentType: a.mediaType, filename: a.fileName, stream: (out) => pipeline(fs.createReadStream(a.file), out) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/assignments/{id}/review',
    operationId: 'reviewResult',
    access: ['reviewer', 'admin'],
    tag,
    summary: '审核检查结果：通过，或写明意见退回检查组（审核人不能是检查组成员）',
    params: Id,
    body: reviewInput,
    responses: { 200: { description: '已审核', schema: Detail } },
    errors: [403, 404, 409],
    async handle({ db, params, body, user }) {
      return detail(await reviewResult(db, user!, params.id, body));
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/assignments/{id}/publish',
    operationId: 'publishResult',
    access: ['regulator', 'admin'],
    tag,
    summary: '公示检查结果（须已审核通过）',
    params: Id,
    responses: { 200: { description: '已公示', schema: Detail } },
    errors: [403, 404, 409],
    async handle({ db, params, user }) {
      return detail(await publishResult(db, user!, params.id));
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/assignments/{id}/measures/{n}/override',
    operationId: 'requestMeasureOverride',
    access: INSPECTOR,
    tag,
    summary: '申请实施被不予实施行政强制措施清单排除的措施（检查组成员写明理由，须第二人批准）',
    params: IdN,
    body: overrideInput,
    responses: { 200: { description: '已申请', schema: Detail } },
    errors: [403, 404, 409],
    async handle({ db, params, body, user }) {
      return detail(await requestOverride(db, user!, params.id, params.n, body));
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/assignments/{id}/measures/{n}/approve-override',
    operationId: 'approveMeasureOverride',
    access: ['regulator', 'reviewer', 'admin'],
    tag,
    summary: '批准不适用清单的强制措施申请（检查组以外的监管或审核人员，且不是申请人）',
    params: IdN,
    body: overrideApprovalInput,
    responses: { 200: { description: '已批准', schema: Detail } },
    errors: [403, 404, 409],
    async handle({ db, params, body, user }) {
      return detail(await approveOverride(db, user!, params.id, params.n, body));
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/assignments/{id}/abnormal-listing',
    operationId: 'listAbnormalFromResult',
    access: ['regulator', 'admin'],
    tag,
    summary: '据结果 6（住所无法联系）或 C（公示信息弄虚作假）列入经营异常名录，完成 10 个工作日的后续处置时限',
    params: Id,
    body: abnormalListingInput,
    responses: { 200: { description: '已列入（或已在名录中），时限已完成', schema: Detail } },
    errors: [403, 404, 409],
    async handle({ db, params, body, user }) {
      return detail(await recordAbnormalListing(db, user!, params.id, body));
    },
  }),
];
