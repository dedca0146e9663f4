/** 执法检查人员名录库: /api/v1/inspectors */
import {
  createInspector, updateInspector, getInspector, listInspectors, declareConflict, resolveDepartment,
} from '../../services/registry.ts';
import { defineOperation, STAFF, WRITERS } from '../operation.ts';
import {
  InspectorListQuery, InspectorList, InspectorCreateBody, InspectorPatchBody, InspectorDetail, CertificateParams,
  ConflictBody, ConflictReply,
} from '../schemas.ts';

const tag = 'inspectors';
const inspectorUrl = (certificateNo: string) => `/api/v1/inspectors/${encodeURIComponent(certificateNo)}`;

export const inspectorOperations = [
  defineOperation({
    method: 'get',
    path: '/api/v1/inspectors',
    operationId: 'listInspectors',
    access: STAFF,
    tag,
    summary: '列出执法检查人员（可按部门、状态、人员类别、关键词筛选）',
    query: InspectorListQuery,
    responses: { 200: { description: '一页人员，按执法证号排序', schema: InspectorList } },
    serviceProblemsIn: 'query',
    async handle({ db, query }) {
      const { department, status, kind, q, limit, offset } = query;
      const departmentCode = department === undefined ? undefined : await resolveDepartment(db, department);
      return { body: await listInspectors(db, { department: departmentCode, status, kind, q }, { limit, offset }) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/inspectors',
    operationId: 'createInspector',
    access: WRITERS,
    tag,
    summary: '新增执法检查人员',
    body: InspectorCreateBody,
    responses: { 201: { description: '已新增', schema: InspectorDetail, location: true } },
    errors: [409],
    async handle({ db, body, actor }) {
      const created = await createInspector(db, body, actor);
      return { status: 201, body: created, location: inspectorUrl(created.certificateNo) };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/inspectors/{certificateNo}',
    operationId: 'getInspector',
    access: STAFF,
    tag,
    summary: '查看一名执法检查人员（含回避记录）',
    params: CertificateParams,
    responses: { 200: { description: '人员', schema: InspectorDetail } },
    errors: [404],
    async handle({ db, params }) {
      return { body: await getInspector(db, params.certificateNo) };
    },
  }),
  defineOperation({
    method: 'patch',
    path: '/api/v1/inspectors/{certificateNo}',
    operationId: 'updateInspector',
    access: WRITERS,
    tag,
    summary: '修改执法检查人员（只改提交的字段）',
    params: CertificateParams,
    body: InspectorPatchBody,
    responses: { 200: { description: '修改后的人员', schema: InspectorDetail } },
    errors: [404],
    async handle({ db, params, body, actor }) {
      return { body: await updateInspector(db, params.certificateNo, body, actor) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/inspectors/{certificateNo}/conflicts',
    operationId: 'declareConflict',
    access: WRITERS,
    tag,
    summary: '申报回避：该人员不得检查该主体',
    params: CertificateParams,
    body: ConflictBody,
    responses: {
      201: { description: '新的回避记录', schema: ConflictReply },
      200: { description: '已有的回避记录，原因（及申报日期）已更新', schema: ConflictReply },
    },
    errors: [404],
    async handle({ db, params, body, actor }) {
      const outcome = await declareConflict(db, { ...body, certificateNo: params.certificateNo }, actor);
      const inspector = await getInspector(db, params.certificateNo);
      const conflict = inspector.conflicts.find((c) => c.uscc === body.uscc)!;
      return { status: outcome === 'created' ? 201 : 200, body: { certificateNo: inspector.certificateNo, ...conflict } };
    },
  }),
];

