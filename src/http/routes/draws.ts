/** Draws: /api/v1/draws — commit, seed, run, void, bundles. Long steps run in the worker pool (services/workers.ts). */
import * as draws from '../../services/draws.ts';
import { ForbiddenError } from '../../domain/errors.ts';
import * as scope from '../../services/scope.ts';
import { defineOperation, type Operation, type StreamReply, STAFF, WRITERS } from '../operation.ts';
import { BundleQuery, DrawIdParams, DrawList, DrawListQuery, DrawParamsBody, DrawView, SeedBody, SelectionList, VoidBody } from '../drawSchemas.ts';

const tag = 'draws';
const drawUrl = (id: string) => `/api/v1/draws/${encodeURIComponent(id)}`;

export const drawOperations: Operation[] = [
  defineOperation({
    method: 'get',
    path: '/api/v1/draws',
    operationId: 'listDraws',
    access: STAFF,
    tag,
    summary: '列出抽取记录（含作废的），可按任务筛选',
    query: DrawListQuery,
    responses: { 200: { description: '抽取记录，新的在前', schema: DrawList } },
    async handle({ db, query, user }) {
      const items = [];
      for (const d of await draws.listDraws(db, query.task)) {
        if (await scope.requireDraw(db, user, d.id).then(() => true, () => false)) items.push(d);
      }
      return { body: { items } };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/draws',
    operationId: 'commitDraw',
    access: WRITERS,
    tag,
    summary: '承诺：冻结参数和名录数据，计算承诺值（在随机数产生之前公布）',
    description: '同一任务同时只能有一次未作废的抽取；重抽须先作废原抽取并写明理由。',
    body: DrawParamsBody,
    responses: { 201: { description: '已承诺', schema: DrawView, location: true } },
    errors: [409],
    async handle({ body, actor, deps, user }) {
      scope.drawParamsInScope(user, body);
      const d = await deps.workers.run('commitDraw', body, actor);
      return { status: 201, body: d, location: drawUrl(d.id) };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/draws/{id}',
    operationId: 'getDraw',
    access: STAFF,
    tag,
    summary: '查看一次抽取',
    params: DrawIdParams,
    responses: { 200: { description: '抽取记录', schema: DrawView } },
    errors: [404],
    async handle({ db, params, user }) {
      await scope.requireDraw(db, user, params.id);
      return { body: await draws.getDraw(db, params.id) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/draws/{id}/seed',
    operationId: 'seedDraw',
    access: WRITERS,
    tag,
    summary: '录入事先指定来源的公开随机数（只能录入一次）',
    params: DrawIdParams,
    body: SeedBody,
    responses: { 200: { description: '已录入，工作种子已导出', schema: DrawView } },
    errors: [404, 409],
    async handle({ db, params, body, actor, user }) {
      await scope.requireDraw(db, user, params.id);
      return { body: await draws.seedDraw(db, params.id, body.randomness, actor) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/draws/{id}/run',
    operationId: 'runDraw',
    access: WRITERS,
    tag,
    summary: '执行抽取（一个事务写入；检查组无法配齐时不写入并说明哪个部门缺多少人次）',
    params: DrawIdParams,
    responses: { 200: { description: '已抽取', schema: DrawView } },
    errors: [404, 409, 422],
    async handle({ db, params, actor, deps, user }) {
      await scope.requireDraw(db, user, params.id);
      return { body: await deps.workers.run('runDraw', params.id, actor) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/draws/{id}/void',
    operationId: 'voidDraw',
    access: WRITERS,
    tag,
    summary: '作废一次抽取（必须写明理由；记录保留并公开，计入该任务的作废次数）',
    params: DrawIdParams,
    body: VoidBody,
    responses: { 200: { description: '已作废', schema: DrawView } },
    errors: [404, 409],
    async handle({ db, params, body, actor, deps, user }) {
      await scope.requireDraw(db, user, params.id);
      return { body: await deps.workers.run('voidDraw', params.id, body.reason, actor) };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/draws/{id}/selections',
    operationId: 'drawSelections',
    access: STAFF,
    tag,
    summary: '抽中对象（按签号顺序）及检查组（执法证号）',
    params: DrawIdParams,
    responses: { 200: { description: '抽中对象', schema: SelectionList } },
    errors: [404],
    async handle({ db, params, user }) {
      await scope.requireDraw(db, user, params.id);
      return { body: { items: await draws.drawSelections(db, params.id) } };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/draws/{id}/bundle',
    operationId: 'drawBundle',
    access: 'public',
    tag,
    summary: '下载抽取包（公开包：不含信用等级；可用 double-random verify 验证）',
    description: '公开包任何人可下载。完整包含信用等级、回避关系、检查历史和容量，仅供审计人员（reviewer）和管理员登录后下载，或通过 CLI（double-random draw export --level full）导出。',
    params: DrawIdParams,
    query: BundleQuery,
    responses: { 200: { description: '抽取包（JSON 文件）', download: { mediaTypes: ['application/json'] } } },
    errors: [403, 404, 409],
    async handle({ db, params, query, user }): Promise<StreamReply> {
      if (query.level === 'full' && !(user && (user.role === 'admin' || user.role === 'reviewer'))) {
        throw new ForbiddenError('完整包含信用等级等内部信息，仅供审计人员和管理员登录后下载（或用 CLI：double-random draw export <抽取编号> <文件> --level full）', 'FULL_BUNDLE_RESTRICTED');
      }
      const bundle = await draws.exportBundle(db, params.id, query.level);
      return {
        contentType: 'application/json; charset=utf-8',
        filename: `draw-${params.id}-${query.level}.json`,
        stream: async (out) => {
          await new Promise<void>((resolve, reject) => out.end(`${JSON.stringify(bundle, null, 1)}\n`, (e?: Error | null) => (e ? reject(e) : resolve())));
        },
      };
    },
  }),
];
