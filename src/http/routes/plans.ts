/** Annual plans and tasks: /api/v1/plans, /api/v1/plans/{id}/tasks, /api/v1/tasks/{id}. */
import type { Actor } from '../../domain/actor.ts';
import { z } from 'zod';
import * as plans from '../../services/plans.ts';
import * as scope from '../../services/scope.ts';
import { defineOperation, type Operation, STAFF, WRITERS } from '../operation.ts';
import { requestSchemas, responseSchemas } from '../schemas.ts';

const tag = 'plans';
const Id = z.strictObject({ id: z.string().uuid().meta({ title: '编号' }) });
const PlanBody = z.strictObject({
  organization: z.string().min(1).max(32).meta({ title: '制定计划的部门代码' }),
  year: z.number().int().min(2000).max(2100).meta({ title: '年度' }),
  title: z.string().trim().min(1).max(200).optional().meta({ title: '计划名称（默认按官方格式生成）' }),
});
requestSchemas.add(PlanBody, { id: 'PlanCreate' });
const PlanListQuery = z.strictObject({ year: z.coerce.number().int().min(2000).max(2100).optional() });
const ReasonBody = z.strictObject({ reason: z.string().trim().min(4).max(1000).meta({ title: '理由' }) });
requestSchemas.add(ReasonBody, { id: 'Reason' });
const CommentBody = z.strictObject({ comment: z.string().trim().min(2).max(1000).meta({ title: '退回意见' }) });
requestSchemas.add(CommentBody, { id: 'ReturnComment' });
requestSchemas.add(plans.taskInput, { id: 'TaskInput', description: '任务：牵头部门、配合部门、事项、范围、比例、时间、方式、排除规则；省略的项取计划默认值' });

const Task = z.looseObject({
  id: z.string(),
  planId: z.string(),
  number: z.number().int(),
  name: z.string(),
  status: z.enum(['draft', 'approved', 'committed', 'drawn', 'in_progress', 'completed', 'published']),
  statusLabel: z.string(),
  window: z.object({ start: z.string(), end: z.string() }),
  drawId: z.string().nullable(),
  author: z.string(),
  approvedBy: z.string().nullable(),
});
const TaskDetail = Task.extend({
  events: z.array(z.object({ from: z.string().nullable(), to: z.string(), actor: z.string(), at: z.string(), note: z.string().nullable() })),
  draws: z.array(z.looseObject({ id: z.string(), status: z.string() })),
  voidedDraws: z.number().int(),
});
responseSchemas.add(TaskDetail, { id: 'Task', description: '抽查任务及其状态记录和抽取记录' });
const Plan = z.looseObject({
  id: z.string(),
  organization: z.string(),
  year: z.number().int(),
  title: z.string(),
  tasks: z.array(Task),
  visits: z.object({ count: z.number().int(), taskSelections: z.number().int(), savedByMerging: z.number().int() }),
});
responseSchemas.add(Plan, { id: 'Plan', description: '年度抽查计划，含任务和合并检查的统计' });
const PlanList = z.object({ items: z.array(Plan) });
responseSchemas.add(PlanList, { id: 'PlanList' });
const TaskList = z.object({ items: z.array(Task) });
responseSchemas.add(TaskList, { id: 'TaskList' });
const Visits = z.object({
  items: z.array(z.looseObject({ uscc: z.string(), tasks: z.array(z.string()), matters: z.array(z.string()), team: z.array(z.string()) })),
  savedByMerging: z.number().int(),
});
responseSchemas.add(Visits, { id: 'Visits', description: '合并后的检查（进一次门、查多项事）' });

const SimulationQuery = z.strictObject({
  entities: z.enum(['true', 'false']).optional().transform((v) => v === 'true').meta({ title: '是否列出每个主体' }),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  offset: z.coerce.number().int().min(0).default(0),
  runs: z.coerce.number().int().min(100).max(20000).optional().meta({ title: '蒙特卡罗次数（默认 2000）' }),
});
const Simulation = z.looseObject({
  method: z.enum(['exact', 'monte-carlo']),
  entityCount: z.number().int(),
  perStratum: z.array(z.looseObject({ stratum: z.string(), entities: z.number() })),
  perTask: z.array(z.looseObject({ id: z.string() })),
  officers: z.array(z.looseObject({ certificateNo: z.string(), capacity: z.number(), expectedLoad: z.number() })),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
});
responseSchemas.add(Simulation, { id: 'PlanSimulation', description: '计划模拟：概率、预计检查次数、工作量与容量预警' });

const taskUrl = (id: string) => `/api/v1/tasks/${id}`;

function taskAction(path: string, operationId: string, summary: string, run: (db: Parameters<typeof plans.getTask>[0], id: string, actor: Actor) => Promise<unknown>): Operation {
  return defineOperation({
    method: 'post',
    path: `/api/v1/tasks/{id}/${path}`,
    operationId,
    access: WRITERS,
    tag,
    summary,
    params: Id,
    responses: { 200: { description: '任务的新状态', schema: TaskDetail } },
    errors: [403, 404, 409, 422],
    async handle({ db, params, actor }) {
      await run(db, params.id, actor);
      return { body: await plans.getTask(db, params.id) };
    },
  });
}

export const planOperations: Operation[] = [
  defineOperation({
    method: 'get',
    path: '/api/v1/plans',
    operationId: 'listPlans',
    access: STAFF,
    tag,
    summary: '列出年度抽查计划',
    query: PlanListQuery,
    responses: { 200: { description: '计划', schema: PlanList } },
    async handle({ db, query, user }) {
      return { body: { items: await plans.listPlans(db, query.year, user) } };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/plans',
    operationId: 'createPlan',
    access: WRITERS,
    tag,
    summary: '新建年度抽查计划（每个部门每年一个）',
    body: PlanBody,
    responses: { 201: { description: '已新建', schema: Plan, location: true } },
    errors: [409],
    async handle({ db, body, actor }) {
      const p = await plans.createPlan(db, body, actor);
      return { status: 201, body: p, location: `/api/v1/plans/${p.id}` };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/plans/{id}',
    operationId: 'getPlan',
    access: STAFF,
    tag,
    summary: '查看计划、任务和合并检查统计',
    params: Id,
    responses: { 200: { description: '计划', schema: Plan } },
    errors: [404],
    async handle({ db, params, user }) {
      await scope.requirePlan(db, user, params.id);
      return { body: await plans.getPlan(db, params.id, user) };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/plans/{id}/tasks',
    operationId: 'listTasks',
    access: STAFF,
    tag,
    summary: '列出计划中的任务',
    params: Id,
    responses: { 200: { description: '任务', schema: TaskList } },
    errors: [404],
    async handle({ db, params, user }) {
      await scope.requirePlan(db, user, params.id);
      return { body: { items: (await plans.getPlan(db, params.id, user)).tasks } };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/plans/{id}/tasks',
    operationId: 'createTask',
    access: WRITERS,
    tag,
    summary: '在计划中新建任务（草拟），按官方格式编号命名',
    params: Id,
    body: plans.taskInput,
    responses: { 201: { description: '已新建', schema: TaskDetail, location: true } },
    errors: [404],
    async handle({ db, params, body, actor }) {
      const t = await plans.createTask(db, params.id, body, actor);
      return { status: 201, body: t, location: taskUrl(t.id) };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/plans/{id}/visits',
    operationId: 'planVisits',
    access: STAFF,
    tag,
    summary: '合并后的检查：同一时段多个任务抽中同一主体时合并为一次检查',
    params: Id,
    responses: { 200: { description: '检查', schema: Visits } },
    errors: [404],
    async handle({ db, params, user }) {
      await scope.requirePlan(db, user, params.id);
      const plan = await plans.getPlan(db, params.id, user);
      return { body: { items: await plans.planVisits(db, params.id, user), savedByMerging: plan.visits.savedByMerging } };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/tasks/{id}',
    operationId: 'getTask',
    access: STAFF,
    tag,
    summary: '查看任务（含全部状态变更和抽取记录）',
    params: Id,
    responses: { 200: { description: '任务', schema: TaskDetail } },
    errors: [404],
    async handle({ db, params, user }) {
      await scope.requireTask(db, user, params.id);
      return { body: await plans.getTask(db, params.id) };
    },
  }),
  defineOperation({
    method: 'patch',
    path: '/api/v1/tasks/{id}',
    operationId: 'updateTask',
    access: WRITERS,
    tag,
    summary: '修改任务（草拟或已审批的任务；已审批的改后需重新审批；承诺后不能修改）',
    params: Id,
    body: plans.taskInput,
    responses: { 200: { description: '已修改', schema: TaskDetail } },
    errors: [404, 409],
    async handle({ db, params, body, actor }) {
      return { body: await plans.updateTask(db, params.id, body, actor) };
    },
  }),
  taskAction('submit', 'submitTask', '起草人提交任务审批（任务仍为草拟，等待另一人审批或退回）', plans.submitTask),
  taskAction('approve', 'approveTask', '审批任务（须由起草人以外的人审批）', plans.approveTask),
  defineOperation({
    method: 'post',
    path: '/api/v1/tasks/{id}/return',
    operationId: 'returnTask',
    access: WRITERS,
    tag,
    summary: '退回任务给起草人修改（须由起草人以外的人，写明意见）',
    params: Id,
    body: CommentBody,
    responses: { 200: { description: '已退回', schema: TaskDetail } },
    errors: [403, 404, 409],
    async handle({ db, params, body, actor }) {
      return { body: await plans.returnTask(db, params.id, body.comment, actor) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/tasks/{id}/commit',
    operationId: 'commitTask',
    access: WRITERS,
    tag,
    summary: '承诺任务的抽取（冻结输入，公布承诺值）',
    params: Id,
    responses: { 200: { description: '已承诺', schema: TaskDetail } },
    errors: [404, 409],
    async handle({ params, actor, deps }) {
      return { body: await deps.workers.run('commitTask', params.id, actor) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/tasks/{id}/draw',
    operationId: 'drawTask',
    access: WRITERS,
    tag,
    summary: '执行任务的抽取（须已录入公开随机数：POST /api/v1/draws/{drawId}/seed），并合并本计划的检查',
    params: Id,
    responses: { 200: { description: '已抽取', schema: TaskDetail } },
    errors: [404, 409, 422],
    async handle({ params, actor, deps }) {
      return { body: await deps.workers.run('drawTask', params.id, actor) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/tasks/{id}/void-draw',
    operationId: 'voidTaskDraw',
    access: WRITERS,
    tag,
    summary: '作废任务的抽取（须写明理由；记录保留并公开），任务回到已审批',
    params: Id,
    body: ReasonBody,
    responses: { 200: { description: '已作废', schema: TaskDetail } },
    errors: [404, 409],
    async handle({ params, body, actor, deps }) {
      return { body: await deps.workers.run('voidTaskDraw', params.id, body.reason, actor) };
    },
  }),
  taskAction('publish', 'publishTask', '公示任务结果（检查结束后）', plans.publishTask),
  defineOperation({
    method: 'get',
    path: '/api/v1/tasks/{id}/simulation',
    operationId: 'simulateTask',
    access: STAFF,
    tag,
    summary: '审批前模拟：本任务所在计划中每个主体本年度被检查的概率、各等级预计检查次数、执法人员预计工作量与容量',
    description: '任务之间没有年度上限或回溯期相互影响时精确计算，否则用固定种子的蒙特卡罗模拟。默认不列出每个主体，加 ?entities=true 分页列出。',
    params: Id,
    query: SimulationQuery,
    responses: { 200: { description: '模拟结果', schema: Simulation } },
    errors: [404],
    async handle({ db, params, query, deps, user }) {
      await scope.requireTask(db, user, params.id);
      const sim = await deps.workers.run('simulateForTask', params.id, { runs: query.runs, viewer: user });
      return { body: pageEntities(sim, query) };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/plans/{id}/simulation',
    operationId: 'simulatePlan',
    access: STAFF,
    tag,
    summary: '审批前模拟整个计划（尚未抽取的任务）',
    params: Id,
    query: SimulationQuery,
    responses: { 200: { description: '模拟结果', schema: Simulation } },
    errors: [404],
    async handle({ db, params, query, deps, user }) {
      await scope.requirePlan(db, user, params.id);
      const sim = await deps.workers.run('simulatePlanById', params.id, { runs: query.runs, viewer: user });
      return { body: pageEntities(sim, query) };
    },
  }),
];

/** Entities only on request, a page at a time (a registry can hold a million). */
function pageEntities(sim: Record<string, unknown> & { entities: unknown[] }, q: { entities?: boolean; limit: number; offset: number }) {
  const { entities, ...rest } = sim;
  return { ...rest, entityCount: entities.length, ...(q.entities ? { entities: entities.slice(q.offset, q.offset + q.limit) } : {}) };
}
