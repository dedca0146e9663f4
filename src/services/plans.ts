/**
 * Annual plans and their tasks: create, edit while a draft, approve (four eyes), commit and draw
 * through the verifiable draw, follow the inspection window, and merge visits of tasks drawn for
 * the same period into one visit per entity ("进一次门、查多项事").
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Insertable } from 'kysely';
import type { VisitTable } from '../db/schema.ts';
import * as repo from '../db/repositories/plans.ts';
import * as referenceRepo from '../db/repositories/reference.ts';
import * as drawsRepo from '../db/repositories/draws.ts';
import type { Executor } from '../db/connection.ts';
import { toJson } from '../db/json.ts';
import { inTransaction, isUniqueViolation } from '../db/tx.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type Problem } from '../domain/errors.ts';
import {
  DRAFT_NOTES, FROZEN, TASK_STATUS_LABELS, canMove, checkRatios, officialPlanTitle, officialTaskName, type PlanDefaults, type TaskStatus,
} from '../domain/plans.ts';
import { normalizeParams, drawParamsInput, STRATA, type DrawParams, type Stratum } from '../domain/draw/params.ts';
import { applyExclusions, targets } from '../domain/draw/select.ts';
import { Rational } from '../domain/draw/rational.ts';
import { INSPECTION_METHODS } from '../domain/registry.ts';
import { isIsoDate, nowIso } from '../domain/time.ts';
import * as draws from './draws.ts';
import { audit } from './auditTrail.ts';
import { listDeadlines, meetDeadline, openPublicationDeadline } from './deadlines.ts';
import { assertRole, WRITERS, type Actor } from '../domain/actor.ts';
import * as scope from './scope.ts';
import { planDefaults } from './planDefaults.ts';



// ----------------------------------------------------------------------------------- input

const isoDate = z.string().refine(isIsoDate, { message: '日期须写作 YYYY-MM-DD' });
const departmentSlot = z.strictObject({ code: z.string().min(1).max(32), officersPerTeam: z.number().int().min(1).max(10) });

/** What a regulator writes for a task; omitted fields take the plan defaults. */
export const taskInput = z.strictObject({
  lead: departmentSlot,
  partners: z.array(departmentSlot).default([]),
  matters: z.array(z.string().min(1).max(64)).min(1),
  filters: drawParamsInput.shape.filters,
  selection: z
    .union([
      z.strictObject({ mode: z.literal('rates'), rates: z.record(z.string(), z.union([z.string(), z.number()])) }),
      z.strictObject({ mode: z.literal('total'), total: z.number().int().min(1), weights: z.record(z.string(), z.union([z.string(), z.number()])) }),
    ])
    .optional(),
  excludeStrata: drawParamsInput.shape.excludeStrata,
  exclusions: z.strictObject({ yearlyCap: z.number().int().min(1).nullable().optional(), lookbackDays: z.number().int().min(1).max(3660).nullable().optional() }).default({}),
  stratifyBy: z.enum(['credit', 'sector']).default('credit'),
  window: z.strictObject({ start: isoDate, end: isoDate }),
  method: z.enum(INSPECTION_METHODS).default('实地检查'),
  randomnessSource: drawParamsInput.shape.randomnessSource,
  /** When the scheduler commits the task (ISO-8601 instant); absent: committed by hand. */
  commitAt: z.iso.datetime({ offset: true }).optional(),
});
export type TaskInput = z.input<typeof taskInput>;

function problemsOf(e: unknown, prefix = ''): Problem[] {
  const issues = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
  return issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), code: 'INVALID_TASK', message: i.message }));
}

function parseTaskInput(input: unknown): z.output<typeof taskInput> {
  const r = taskInput.safeParse(input);
  if (!r.success) {
    const problems = problemsOf(r.error);
    throw new ValidationError(`任务参数有误：${problems.map((p) => `${p.path}：${p.message}`).join('；')}`, problems, 'INVALID_TASK');
  }
  return r.data;
}

// ----------------------------------------------------------------------------------- views

function taskView(t: repo.TaskRow) {
  return {
    id: t.id,
    planId: t.plan_id,
    number: t.number,
    name: t.name,
    status: t.status,
    statusLabel: TASK_STATUS_LABELS[t.status],
    departments: t.departments,
    leadDepartment: t.lead_department,
    matters: t.matters,
    filters: t.filters,
    selection: t.selection,
    excludeStrata: t.exclude_strata,
    exclusions: t.exclusions,
    stratifyBy: t.stratify_by,
    window: { start: t.window_start, end: t.window_end },
    method: t.method,
    randomnessSource: t.randomness_source,
    commitAt: t.commit_at,
    drawId: t.draw_id,
    author: t.author,
    approvedBy: t.approved_by,
    approvedAt: t.approved_at,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}
export type TaskView = ReturnType<typeof taskView>;

// ----------------------------------------------------------------------------------- plans

export async function createPlan(db: Executor, input: { organization: string; year: number; title?: string }, actor: Actor) {
  assertRole(actor, WRITERS);
  scope.planOrganizationInScope(actor, input.organization);
  const org = await referenceRepo.findDepartment(db, input.organization);
  if (!org) throw new ValidationError(`部门 ${input.organization} 不存在`, [{ path: 'organization', code: 'UNKNOWN_DEPARTMENT', message: '部门不存在' }], 'UNKNOWN_DEPARTMENT');
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) throw new ValidationError('年度须为 2000–2100 之间的整数', [{ path: 'year', code: 'INVALID_YEAR', message: '年度无效' }]);
  const id = crypto.randomUUID();
  try {
    await inTransaction(db, async (trx) => {
      await repo.insertPlan(trx, {
        id,
        organization: org.code,
        year: input.year,
        title: input.title?.trim() || officialPlanTitle(org.name, input.year),
        created_at: nowIso(actor.now),
        created_by: actor.name,
      });
      await audit(trx, actor, 'plan.create', 'plan', id, null, { organization: org.code, year: input.year });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`${org.name} 已有 ${input.year} 年度抽查计划`, 'PLAN_EXISTS');
    throw e;
  }
  return getPlan(db, id);
}

/**
 * A plan as `viewer` may see it: a regulator sees only the tasks its department takes part in,
 * and merged visits only for those tasks (see visitsFor). Without a viewer (CLI, jobs, services
 * acting for the installation), or for administrators and reviewers, everything.
 */
export async function getPlan(db: Executor, id: string, viewer?: Actor) {
  const p = await repo.findPlan(db, id);
  if (!p) throw new NotFoundError(`没有编号为 ${id} 的抽查计划`, 'PLAN_NOT_FOUND');
  const tasks = (await repo.listTasks(db, id)).filter((t) => scope.taskInScope(viewer, t));
  const visits = await visitsFor(db, id, viewer);
  const selections = visits.reduce((a, v) => a + v.tasks.length, 0);
  return {
    id: p.id,
    organization: p.organization,
    year: p.year,
    title: p.title,
    createdAt: p.created_at,
    createdBy: p.created_by,
    tasks: tasks.map(taskView),
    visits: { count: visits.length, taskSelections: selections, savedByMerging: selections - visits.length },
  };
}

/** Plans of a year; a regulator sees its own department's plans and those with a task it takes part in. */
export async function listPlans(db: Executor, year?: number, viewer?: Actor) {
  const all = await Promise.all((await repo.listPlans(db, year)).map((p) => getPlan(db, p.id, viewer)));
  return all.filter((p) => !viewer || viewer.role !== 'regulator' || p.organization === viewer.department || p.tasks.length > 0);
}

// ----------------------------------------------------------------------------------- tasks

async function mustTask(db: Executor, id: string) {
  const t = await repo.findTask(db, id);
  if (!t) throw new NotFoundError(`没有编号为 ${id} 的抽查任务`, 'TASK_NOT_FOUND');
  return t;
}

/**
 * The task an actor changes: its role must be one that changes plans, and the task must be in its
 * scope (404 otherwise, as if it did not exist) — the same rules whichever way the change comes
 * (API, CLI with --as, console, jobs; the installation itself passes both).
 */
async function taskToChange(db: Executor, id: string, actor: Actor) {
  assertRole(actor, WRITERS);
  return scope.requireTask(db, actor, id);
}

/** Checks a task's references against the registry: departments, matters, who owns which matter. */
async function checkReferences(db: Executor, t: z.output<typeof taskInput>): Promise<void> {
  const problems: Problem[] = [];
  const codes = [t.lead.code, ...t.partners.map((p) => p.code)];
  if (new Set(codes).size !== codes.length) problems.push({ path: 'partners', code: 'DUPLICATE_DEPARTMENT', message: '同一部门出现了两次' });
  for (const c of codes) if (!(await referenceRepo.findDepartment(db, c))) problems.push({ path: 'departments', code: 'UNKNOWN_DEPARTMENT', message: `部门 ${c} 不存在` });
  for (const m of t.matters) {
    const matter = await referenceRepo.findMatter(db, m);
    if (!matter) problems.push({ path: 'matters', code: 'UNKNOWN_MATTER', message: `事项 ${m} 不在已公布的抽查事项清单中` });
    else if (!codes.includes(matter.department_code)) problems.push({ path: 'matters', code: 'MATTER_DEPARTMENT_ABSENT', message: `事项 ${m} 属于部门 ${matter.department_code}，但该部门未参加本任务` });
  }
  if (t.window.start > t.window.end) problems.push({ path: 'window.end', code: 'DATE_RANGE', message: '检查结束日期早于开始日期' });
  if (codes.length && t.lead.officersPerTeam + t.partners.reduce((a, p) => a + p.officersPerTeam, 0) < 2) {
    problems.push({ path: 'lead.officersPerTeam', code: 'TEAM_TOO_SMALL', message: '每个检查组至少两名执法人员' });
  }
  if (problems.length) throw new ValidationError(`任务与名录不符：${problems.map((p) => p.message).join('；')}`, problems, 'INVALID_TASK');
}

/** The task's columns from its input, with the plan's defaults filled in. */
async function taskColumns(db: Executor, t: z.output<typeof taskInput>) {
  const d = planDefaults();
  const lead = await referenceRepo.findDepartment(db, t.lead.code);
  const selection = t.selection ?? { mode: 'rates', rates: d.rates };
  return {
    lead_department: t.lead.code,
    departments: toJson([t.lead, ...t.partners]),
    matters: toJson(t.matters),
    filters: toJson(t.filters),
    selection: toJson(selection),
    exclude_strata: toJson(t.excludeStrata),
    exclusions: toJson({
      // The lead department's published yearly cap per enterprise, else the plan default.
      yearlyCap: t.exclusions.yearlyCap !== undefined ? t.exclusions.yearlyCap : (lead?.yearly_cap ?? d.yearlyCap),
      lookbackDays: t.exclusions.lookbackDays !== undefined ? t.exclusions.lookbackDays : d.lookbackDays,
    }),
    stratify_by: t.stratifyBy,
    window_start: t.window.start,
    window_end: t.window.end,
    method: t.method,
    randomness_source: t.randomnessSource,
    commit_at: t.commitAt ? new Date(t.commitAt).toISOString() : null,
  };
}

async function recordEvent(db: Executor, taskId: string, from: TaskStatus | null, to: TaskStatus, actor: Actor, note?: string) {
  await audit(db, actor, from === null ? 'task.create' : `task.${to}`, 'task', taskId, from === null ? null : { status: from }, { status: to }, note);
  await repo.insertTaskEvent(db, { task_id: taskId, from_status: from, to_status: to, actor: actor.name, at: nowIso(actor.now), note: note ?? null });
}

export async function createTask(db: Executor, planId: string, input: unknown, actor: Actor) {
  assertRole(actor, WRITERS);
  const plan = await scope.requirePlan(db, actor, planId);
  const t = parseTaskInput(input);
  scope.leadInScope(actor, t.lead.code);
  await checkReferences(db, t);
  if (!t.window.start.startsWith(`${plan.year}-`)) {
    throw new ValidationError(`任务的检查开始日期 ${t.window.start} 不在计划年度 ${plan.year} 内`, [{ path: 'window.start', code: 'OUTSIDE_PLAN_YEAR', message: '不在计划年度内' }], 'OUTSIDE_PLAN_YEAR');
  }
  const org = (await referenceRepo.findDepartment(db, plan.organization))!;
  const id = crypto.randomUUID();
  const now = nowIso(actor.now);
  const columns = await taskColumns(db, t);
  await inTransaction(db, async (trx) => {
    const number = await repo.nextTaskNumber(trx, planId);
    await repo.insertTask(trx, {
      id,
      plan_id: planId,
      number,
      name: officialTaskName(org.name, plan.year, number),
      status: 'draft',
      ...columns,
      draw_id: null,
      author: actor.name,
      approved_by: null,
      approved_at: null,
      created_at: now,
      updated_at: now,
    });
    await recordEvent(trx, id, null, 'draft', actor, '新建任务');
  });
  return getTask(db, id);
}

/** Edits a task; an approved task goes back to draft (it needs approving again); a committed one cannot change. */
export async function updateTask(db: Executor, id: string, input: unknown, actor: Actor) {
  const task = await taskToChange(db, id, actor);
  if ((FROZEN as string[]).includes(task.status)) {
    throw new ConflictError(`任务“${task.name}”已承诺（状态：${TASK_STATUS_LABELS[task.status]}），其参数已冻结，不能修改`, 'TASK_FROZEN');
  }
  const t = parseTaskInput(input);
  scope.leadInScope(actor, t.lead.code);
  await checkReferences(db, t);
  const columns = await taskColumns(db, t);
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateTaskIf(trx, id, task.status, { ...columns, status: 'draft', approved_by: null, approved_at: null, updated_at: nowIso(actor.now) });
    if (!ok) throw new ConflictError('任务刚被他人修改，请刷新后重试', 'TASK_CHANGED');
    await recordEvent(trx, id, task.status, 'draft', actor, task.status === 'approved' ? '审批后修改，需重新审批' : '修改任务');
  });
  return getTask(db, id);
}

/** The draw parameters file of a task, as a user would write it (docs/draw-algorithm.md §2). */
export function drawInputOf(task: repo.TaskRow) {
  return {
    task: task.name,
    year: Number(task.window_start.slice(0, 4)),
    window: { start: task.window_start, end: task.window_end },
    stratifyBy: task.stratify_by,
    selection: task.selection,
    excludeStrata: task.exclude_strata,
    filters: task.filters,
    exclusions: task.exclusions,
    matters: task.matters,
    departments: task.departments,
    randomnessSource: task.randomness_source,
  };
}

/** The normalised DrawParams of a task (what its draw commits to). */
export function drawParamsOf(task: repo.TaskRow): DrawParams {
  return normalizeParams(drawInputOf(task));
}

/** Caps and minimums checked on the registry as it is now (again at commitment, on the frozen inputs). */
export async function checkTaskRatios(db: Executor, task: repo.TaskRow, inputs?: Awaited<ReturnType<typeof draws.gatherDrawInputs>>) {
  const params = drawParamsOf(task);
  const gathered = inputs ?? (await draws.gatherDrawInputs(db, params));
  const excluded = applyExclusions(params, gathered.frame, gathered.history);
  const eligible = Object.fromEntries(STRATA.map((s) => [s, 0])) as Record<Stratum, number>;
  for (const e of gathered.frame) if (!excluded.has(e.uscc)) eligible[e.stratum]++;
  const x = targets(params, eligible);
  const types = await repo.entityTypesOf(db, gathered.frame.filter((e) => !excluded.has(e.uscc)).map((e) => e.uscc));
  let enterprises = 0;
  let expected = Rational.of(0);
  for (const e of gathered.frame) {
    if (excluded.has(e.uscc) || types.get(e.uscc) !== 'enterprise') continue;
    enterprises++;
    expected = expected.add(x[e.stratum].div(Rational.of(eligible[e.stratum])));
  }
  const matters = [];
  for (const code of params.matters) {
    const m = (await referenceRepo.findMatter(db, code))!;
    matters.push({ code: m.code, name: m.name, importance: m.importance, ratioCap: m.ratio_cap });
  }
  return checkRatios({
    matters,
    strata: STRATA.map((s) => ({ stratum: s, eligible: eligible[s], target: x[s] })),
    enterprises: { eligible: enterprises, expected },
    defaults: planDefaults(),
  });
}

/** Four eyes: a task is approved by someone other than its author. */
export async function approveTask(db: Executor, id: string, actor: Actor) {
  const task = await taskToChange(db, id, actor);
  if (task.status !== 'draft') throw new ConflictError(`任务当前状态为“${TASK_STATUS_LABELS[task.status]}”，只有草拟中的任务可以审批`, 'TASK_NOT_DRAFT');
  if (task.author === actor.name) {
    throw new ForbiddenError(`任务由 ${task.author} 起草，须由另一人审批（双人审批）`, 'FOUR_EYES');
  }
  const problems = await checkTaskRatios(db, task);
  if (problems.length) throw new ValidationError(`任务不符合抽查比例要求：${problems.map((p) => p.message).join('；')}`, problems, problems[0].code);
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateTaskIf(trx, id, 'draft', { status: 'approved', approved_by: actor.name, approved_at: nowIso(actor.now), updated_at: nowIso(actor.now) });
    if (!ok) throw new ConflictError('任务刚被他人修改，请刷新后重试', 'TASK_CHANGED');
    await recordEvent(trx, id, 'draft', 'approved', actor);
  });
  return getTask(db, id);
}

/**
 * A draft's author submits it for approval (提交审批): recorded as an event and in the audit
 * trail; the task stays a draft until a second person approves it or returns it.
 */
export async function submitTask(db: Executor, id: string, actor: Actor) {
  const task = await taskToChange(db, id, actor);
  if (task.status !== 'draft') throw new ConflictError(`任务当前状态为“${TASK_STATUS_LABELS[task.status]}”，只有草拟中的任务可以提交审批`, 'TASK_NOT_DRAFT');
  const problems = await checkTaskRatios(db, task);
  if (problems.length) throw new ValidationError(`任务不符合抽查比例要求，请先修改：${problems.map((p) => p.message).join('；')}`, problems, problems[0].code);
  await inTransaction(db, async (trx) => {
    await audit(trx, actor, 'task.submit', 'task', id, { status: 'draft' }, { status: 'draft', submitted: true });
    await repo.insertTaskEvent(trx, { task_id: id, from_status: 'draft', to_status: 'draft', actor: actor.name, at: nowIso(actor.now), note: DRAFT_NOTES.submitted });
  });
  return getTask(db, id);
}

/** A second person returns a draft to its author with a comment (退回), instead of approving it. */
export async function returnTask(db: Executor, id: string, comment: string, actor: Actor) {
  const task = await taskToChange(db, id, actor);
  if (task.status !== 'draft') throw new ConflictError(`任务当前状态为“${TASK_STATUS_LABELS[task.status]}”，只有待审批的任务可以退回`, 'TASK_NOT_DRAFT');
  if (task.author === actor.name) throw new ForbiddenError(`任务由 ${task.author} 起草，须由另一人审批或退回（双人审批）`, 'FOUR_EYES');
  const why = (comment ?? '').trim();
  if (why.length < 2 || why.length > 1000) {
    throw new ValidationError('退回须写明意见（2–1000 字）', [{ path: 'comment', code: 'COMMENT_REQUIRED', message: '请写明退回意见' }], 'COMMENT_REQUIRED');
  }
  await inTransaction(db, async (trx) => {
    await audit(trx, actor, 'task.return', 'task', id, { status: 'draft' }, { status: 'draft', returned: true }, why);
    await repo.insertTaskEvent(trx, { task_id: id, from_status: 'draft', to_status: 'draft', actor: actor.name, at: nowIso(actor.now), note: `${DRAFT_NOTES.returned}${why}` });
  });
  return getTask(db, id);
}

/** Enters the public randomness of the task's committed draw (role and scope of the task). */
export async function seedTaskDraw(db: Executor, id: string, typed: string, actor: Actor) {
  const task = await taskToChange(db, id, actor);
  if (task.status !== 'committed' || !task.draw_id) throw new ConflictError(`任务“${task.name}”当前状态为“${TASK_STATUS_LABELS[task.status]}”，须先承诺才能录入随机数`, 'TASK_NOT_COMMITTED');
  await draws.seedDraw(db, task.draw_id, typed, actor);
  return getTask(db, id);
}

/** Moves a task to `to` with its event and audit entry: inside the caller's transaction when there is one. */
async function move(db: Executor, task: repo.TaskRow, to: TaskStatus, actor: Actor, changes: Parameters<typeof repo.updateTaskIf>[3] = {}, note?: string) {
  if (!canMove(task.status, to)) {
    throw new ConflictError(`任务“${task.name}”不能从“${TASK_STATUS_LABELS[task.status]}”变为“${TASK_STATUS_LABELS[to]}”`, 'TASK_TRANSITION');
  }
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateTaskIf(trx, task.id, task.status, { ...changes, status: to, updated_at: nowIso(actor.now) });
    if (!ok) throw new ConflictError(`任务“${task.name}”的状态刚被改变，请刷新后重试`, 'TASK_CHANGED');
    await recordEvent(trx, task.id, task.status, to, actor, note);
  });
}

/**
 * Commits the task's draw: freezes its inputs and publishes the commitment. Only after approval.
 * The inputs are gathered and hashed first (reads only); the draw, its audit entry and the
 * task's move are then written in one transaction.
 */
export async function commitTask(db: Executor, id: string, actor: Actor) {
  const task = await taskToChange(db, id, actor);
  if (task.status === 'draft') throw new ConflictError(`任务“${task.name}”尚未审批，不能抽取`, 'TASK_NOT_APPROVED');
  if (task.status !== 'approved') throw new ConflictError(`任务“${task.name}”已${TASK_STATUS_LABELS[task.status]}`, 'TASK_TRANSITION');
  const problems = await checkTaskRatios(db, task);
  if (problems.length) throw new ValidationError(`任务不符合抽查比例要求：${problems.map((p) => p.message).join('；')}`, problems, problems[0].code);
  const prepared = await draws.prepareCommit(db, drawInputOf(task), actor, { taskKey: task.id });
  await inTransaction(db, async (trx) => {
    await draws.writeCommit(trx, prepared, actor);
    await move(trx, task, 'committed', actor, { draw_id: prepared.id }, `承诺值 ${prepared.commitment}`);
  });
  return getTask(db, id);
}

/** Runs the task's draw (its public randomness must have been entered) and merges the plan's visits, in one transaction. */
export async function drawTask(db: Executor, id: string, actor: Actor) {
  const task = await taskToChange(db, id, actor);
  if (task.status !== 'committed' || !task.draw_id) throw new ConflictError(`任务“${task.name}”当前状态为“${TASK_STATUS_LABELS[task.status]}”，不能抽取`, task.status === 'draft' ? 'TASK_NOT_APPROVED' : 'TASK_TRANSITION');
  const d = await draws.getDraw(db, task.draw_id);
  const prepared = d.status === 'drawn' ? null : await draws.prepareRun(db, task.draw_id);
  await inTransaction(db, async (trx) => {
    if (prepared) await draws.writeRun(trx, prepared, actor);
    await move(trx, task, 'drawn', actor);
    await mergeVisits(trx, task.plan_id, actor);
  });
  return getTask(db, id);
}

/** Voids the task's draw with a reason: the draw stays visible; the task can be committed again. */
export async function voidTaskDraw(db: Executor, id: string, reason: string, actor: Actor) {
  const task = await taskToChange(db, id, actor);
  if (!task.draw_id || !['committed', 'drawn'].includes(task.status)) throw new ConflictError('任务没有可作废的抽取', 'NO_DRAW');
  await inTransaction(db, async (trx) => {
    await draws.voidDraw(trx, task.draw_id!, reason, actor);
    await move(trx, task, 'approved', actor, { draw_id: null }, `作废抽取 ${task.draw_id}：${reason}`);
    await mergeVisits(trx, task.plan_id, actor);
  });
  return getTask(db, id);
}

export async function startTask(db: Executor, id: string, actor: Actor) {
  return move(db, await taskToChange(db, id, actor), 'in_progress', actor);
}

/** The inspections are over: the 20-working-day publication deadline starts. */
export async function completeTask(db: Executor, id: string, actor: Actor) {
  const task = await taskToChange(db, id, actor);
  await inTransaction(db, async (trx) => {
    await move(trx, task, 'completed', actor);
    await openPublicationDeadline(trx, task, actor.now);
  });
}

export async function publishTask(db: Executor, id: string, actor: Actor) {
  const task = await taskToChange(db, id, actor);
  await inTransaction(db, async (trx) => {
    await move(trx, task, 'published', actor);
    await meetDeadline(trx, 'publication', id, actor.now);
  });
  return getTask(db, id);
}

export async function getTask(db: Executor, id: string) {
  const t = await mustTask(db, id);
  const events = await repo.taskEvents(db, id);
  const allDraws = await drawsRepo.listDraws(db, id);
  return {
    ...taskView(t),
    events: events.map((e) => ({ from: e.from_status, to: e.to_status, actor: e.actor, at: e.at, note: e.note })),
    draws: allDraws.map((d) => ({ id: d.id, status: d.status, commitment: d.commitment, committedAt: d.committed_at, voidReason: d.void_reason })),
    voidedDraws: allDraws.filter((d) => d.status === 'voided').length,
    deadlines: await listDeadlines(db, { taskId: id }),
  };
}

// ----------------------------------------------------------------------------------- merging

/**
 * One visit per entity for the plan's tasks drawn for overlapping periods: the matters are
 * united and the team is the union of the teams already drawn (nothing is redrawn). Visits
 * already notified to the entity are kept as they are.
 */
export async function mergeVisits(db: Executor, planId: string, actor: Actor) {
  return inTransaction(db, (trx) => mergeVisitsIn(trx, planId, actor));
}

async function mergeVisitsIn(db: Executor, planId: string, actor: Actor) {
  const tasks = (await repo.listTasks(db, planId)).filter((t) => t.draw_id && ['drawn', 'in_progress', 'completed', 'published'].includes(t.status));
  const byDraw = new Map(tasks.map((t) => [t.draw_id!, t]));
  const selections = await repo.drawSelectionsOfTasks(db, [...byDraw.keys()]);
  const notified = (await repo.visitsOf(db, planId)).filter((v) => v.notified_at);
  const alreadyNotified = new Set(notified.flatMap((v) => v.task_ids.map((t) => `${t}|${v.uscc}`)));
  const perEntity = new Map<string, { task: repo.TaskRow; team: string[] }[]>();
  for (const s of selections) {
    const task = byDraw.get(s.draw_id)!;
    if (alreadyNotified.has(`${task.id}|${s.uscc}`)) continue;
    perEntity.set(s.uscc, [...(perEntity.get(s.uscc) ?? []), { task, team: s.team }]);
  }
  const rows: Insertable<VisitTable>[] = [];
  const now = nowIso(actor.now);
  for (const [uscc, items] of perEntity) {
    // Group tasks whose windows overlap (sorted by start; a group's window is their intersection).
    items.sort((a, b) => (a.task.window_start < b.task.window_start ? -1 : a.task.window_start > b.task.window_start ? 1 : a.task.number - b.task.number));
    let group: typeof items = [];
    let start = '';
    let end = '';
    const flush = () => {
      if (!group.length) return;
      rows.push({
        id: crypto.randomUUID(),
        plan_id: planId,
        uscc,
        window_start: start,
        window_end: end,
        task_ids: toJson(group.map((g) => g.task.id)),
        matters: toJson([...new Set(group.flatMap((g) => g.task.matters))]),
        team: toJson([...new Set(group.flatMap((g) => g.team))]),
        notified_at: null,
        created_at: now,
      });
    };
    for (const item of items) {
      if (group.length && item.task.window_start <= end) {
        start = item.task.window_start > start ? item.task.window_start : start;
        end = item.task.window_end < end ? item.task.window_end : end;
        group.push(item);
      } else {
        flush();
        group = [item];
        start = item.task.window_start;
        end = item.task.window_end;
      }
    }
    flush();
  }
  await repo.replaceUnnotifiedVisits(db, planId, rows);
  const total = selections.length;
  return { visits: rows.length + notified.length, taskSelections: total, savedByMerging: total - rows.length - notified.length };
}

/**
 * The plan's merged visits as `viewer` may see them. A merged visit can join tasks of several
 * departments; a regulator sees a visit only when one of its department's tasks is in it, and
 * then only those tasks, their matters and the officers drawn for them — never what another
 * department's task brought to the visit.
 */
async function visitsFor(db: Executor, planId: string, viewer?: Actor) {
  const visits = (await repo.visitsOf(db, planId)).map((v) => ({
    uscc: v.uscc,
    window: { start: v.window_start, end: v.window_end },
    tasks: v.task_ids,
    matters: v.matters,
    team: v.team,
    notifiedAt: v.notified_at,
  }));
  if (scope.seesAll(viewer)) return visits;
  const visible = (await repo.listTasks(db, planId)).filter((t) => t.draw_id && scope.taskInScope(viewer, t));
  const byId = new Map(visible.map((t) => [t.id, t]));
  const teams = new Map<string, string[]>();
  for (const s of await repo.drawSelectionsOfTasks(db, visible.map((t) => t.draw_id!))) {
    teams.set(`${s.draw_id}|${s.uscc}`, s.team);
  }
  const out: typeof visits = [];
  for (const v of visits) {
    const mine = v.tasks.filter((id) => byId.has(id));
    if (!mine.length) continue;
    const matters = new Set(mine.flatMap((id) => byId.get(id)!.matters));
    const team = new Set(mine.flatMap((id) => teams.get(`${byId.get(id)!.draw_id}|${v.uscc}`) ?? []));
    out.push({ ...v, tasks: mine, matters: v.matters.filter((m) => matters.has(m)), team: v.team.filter((c) => team.has(c)) });
  }
  return out;
}

export async function planVisits(db: Executor, planId: string, viewer?: Actor) {
  return visitsFor(db, planId, viewer);
}
