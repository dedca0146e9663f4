/** 抽查事项清单: /api/v1/matters */
import { upsertMatter, listMatters, getMatter, resolveDepartment } from '../../services/registry.ts';
import { defineOperation, STAFF, WRITERS } from '../operation.ts';
import { MatterBody, MatterList, MatterListQuery, MatterParams, MatterView } from '../schemas.ts';

const tag = 'matters';
const matterUrl = (code: string) => `/api/v1/matters/${encodeURIComponent(code)}`;

export const matterOperations = [
  defineOperation({
    method: 'get',
    path: '/api/v1/matters',
    operationId: 'listMatters',
    access: STAFF,
    tag,
    summary: '列出抽查事项（可按部门筛选）',
    query: MatterListQuery,
    responses: { 200: { description: '事项，按编码排序', schema: MatterList } },
    serviceProblemsIn: 'query',
    async handle({ db, query }) {
      const department = query.department === undefined ? undefined : await resolveDepartment(db, query.department);
      return { body: { items: await listMatters(db, department) } };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/matters',
    operationId: 'upsertMatter',
    access: WRITERS,
    tag,
    summary: '新增或更新抽查事项',
    description: '一般事项（general）必须有抽查比例上限 ratioCap；重点事项（key）不设上限。',
    body: MatterBody,
    responses: {
      201: { description: '已新增', schema: MatterView, location: true },
      200: { description: '已存在：已更新或本就相同', schema: MatterView },
    },
    async handle({ db, body, actor }) {
      const outcome = await upsertMatter(db, body, actor);
      const matter = await getMatter(db, body.code);
      return outcome === 'created' ? { status: 201, body: matter, location: matterUrl(matter.code) } : { body: matter };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/matters/{code}',
    operationId: 'getMatter',
    access: STAFF,
    tag,
    summary: '查看一个抽查事项',
    params: MatterParams,
    responses: { 200: { description: '事项', schema: MatterView } },
    errors: [404],
    async handle({ db, params }) {
      return { body: await getMatter(db, params.code) };
    },
  }),
];

