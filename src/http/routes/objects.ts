/** 检查对象名录库: /api/v1/objects */
import {
  createObject, updateObject, getObject, listObjects, addAbnormalListing, removeAbnormalListing, objectHistory,
} from '../../services/registry.ts';
import { defineOperation, STAFF, WRITERS } from '../operation.ts';
import {
  ObjectListQuery, ObjectList, ObjectCreateBody, ObjectPatchBody, ObjectDetail, UsccParams, ObjectHistory,
  AbnormalListingBody, AbnormalRemovalBody, AbnormalListingView,
} from '../schemas.ts';

const tag = 'objects';
const objectUrl = (uscc: string) => `/api/v1/objects/${encodeURIComponent(uscc)}`;

/** The listing a write just touched: only one can be open, and it is always the newest. */
function newestListing(object: Awaited<ReturnType<typeof getObject>>) {
  return object.abnormalListings.reduce((a, b) => (b.id > a.id ? b : a));
}

export const objectOperations = [
  defineOperation({
    method: 'get',
    path: '/api/v1/objects',
    operationId: 'listObjects',
    access: STAFF,
    tag,
    summary: '列出检查对象（可按分类、街道、主体类型、登记状态、行业、标签、关键词筛选）',
    query: ObjectListQuery,
    responses: { 200: { description: '一页检查对象，按统一社会信用代码排序', schema: ObjectList } },
    async handle({ db, query }) {
      const { grade, street, type, status, industry, tag: tagFilter, q, limit, offset } = query;
      return {
        body: await listObjects(db, { grade, street, entityType: type, status, industryCode: industry, tag: tagFilter, q }, { limit, offset }),
      };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/objects',
    operationId: 'createObject',
    access: WRITERS,
    tag,
    summary: '新增检查对象',
    body: ObjectCreateBody,
    responses: { 201: { description: '已新增', schema: ObjectDetail, location: true } },
    errors: [409],
    async handle({ db, body, actor }) {
      const created = await createObject(db, body, actor);
      return { status: 201, body: created, location: objectUrl(created.uscc) };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/objects/{uscc}',
    operationId: 'getObject',
    access: STAFF,
    tag,
    summary: '查看一个检查对象（含分类历史和经营异常名录记录）',
    params: UsccParams,
    responses: { 200: { description: '检查对象', schema: ObjectDetail } },
    errors: [404],
    async handle({ db, params }) {
      return { body: await getObject(db, params.uscc) };
    },
  }),
  defineOperation({
    method: 'patch',
    path: '/api/v1/objects/{uscc}',
    operationId: 'updateObject',
    access: WRITERS,
    tag,
    summary: '修改检查对象（只改提交的字段；改信用风险分类时旧分类记入历史）',
    params: UsccParams,
    body: ObjectPatchBody,
    responses: { 200: { description: '修改后的检查对象', schema: ObjectDetail } },
    errors: [404],
    async handle({ db, params, body, actor }) {
      return { body: await updateObject(db, params.uscc, body, actor) };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/objects/{uscc}/history',
    operationId: 'objectHistory',
    access: STAFF,
    tag,
    summary: '检查对象的以往检查、以往违法记录和名录修改记录',
    params: UsccParams,
    responses: { 200: { description: '历史', schema: ObjectHistory } },
    errors: [404],
    async handle({ db, params }) {
      return { body: await objectHistory(db, params.uscc) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/objects/{uscc}/abnormal-listings',
    operationId: 'addAbnormalListing',
    access: WRITERS,
    tag,
    summary: '列入经营异常名录',
    description: '经营异常名录是带日期和原因的一段记录，不是登记状态；同一时间只能有一段未移出的记录。',
    params: UsccParams,
    body: AbnormalListingBody,
    responses: { 201: { description: '已列入的记录', schema: AbnormalListingView } },
    errors: [404, 409],
    async handle({ db, params, body, actor }) {
      await addAbnormalListing(db, params.uscc, body.listedOn, body.reason, actor);
      return { status: 201, body: newestListing(await getObject(db, params.uscc)) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/objects/{uscc}/abnormal-listings/remove',
    operationId: 'removeAbnormalListing',
    access: WRITERS,
    tag,
    summary: '移出经营异常名录（信用修复）',
    params: UsccParams,
    body: AbnormalRemovalBody,
    responses: { 200: { description: '已移出的记录', schema: AbnormalListingView } },
    errors: [404],
    async handle({ db, params, body, actor }) {
      // Checked first so that an unknown USCC reads "no such object", not "not on the list".
      await getObject(db, params.uscc);
      await removeAbnormalListing(db, params.uscc, body.removedOn, body.reason, actor);
      return { body: newestListing(await getObject(db, params.uscc)) };
    },
  }),
];

