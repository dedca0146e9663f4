/**
 * Console pages for plans, tasks, the draw and publication: thin handlers over services/plans.ts,
 * services/simulation.ts (in the worker pool, as the API), services/taskOutputs.ts,
 * services/results/notices.ts and services/results/review.ts. Roles as the API's plan and draw
 * operations: staff read, writers change; each service checks role and scope itself.
 */
import type { Router } from 'express';
import { STAFF, WRITERS } from '../../domain/actor.ts';
import { STRATA } from '../../domain/draw/params.ts';
import { AppError } from '../../domain/errors.ts';
import { draftStage, type DraftStage } from '../../domain/plans.ts';
import { shanghaiDate } from '../../domain/time.ts';
import { getDraw } from '../../services/draws.ts';
import * as plans from '../../services/plans.ts';
import { planDefaults } from '../../services/planDefaults.ts';
import { listDepartments, listMatters } from '../../services/registry.ts';
import { issueTaskNotices } from '../../services/results/notices.ts';
import { publishResult } from '../../services/results/review.ts';
import { listAssignments } from '../../services/results/views.ts';
import * as scope from '../../services/scope.ts';
import { drawnList, drawnListXlsx, teamsXlsx } from '../../services/taskOutputs.ts';
import { officerLoadChart } from '../../web/charts.ts';
import { html } from '../../web/html.ts';
import { pager } from '../../web/console/components.ts';
import { drawPage, noticesDocument, resultsPage, type DrawPageData } from '../../web/console/pages/draw.ts';
import { planPage, plansPage, simulationSection, taskFormPage, taskPage, type SimulationView, type TaskFormValues } from '../../web/console/pages/plans.ts';
import { renderPrintableNotice } from '../../web/notice.ts';
import { errorBox, paging, requireConfirmed, route, type ConsoleContext, type ConsoleDeps } from './kit.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The :id of the route, or 404 when it cannot be an id. */
function idParam(ctx: ConsoleContext): string {
  const id = String(ctx.req.params.id ?? '');
  if (!UUID.test(id)) throw new AppError(404, 'NOT_FOUND', '没有这个编号');
  return id.toLowerCase();
}

const canWrite = (ctx: ConsoleContext) => (WRITERS as readonly string[]).includes(ctx.user.role);

async function draftStages(ctx: ConsoleContext, taskIds: string[]): Promise<Map<string, DraftStage>> {
  const out = new Map<string, DraftStage>();
  for (const id of taskIds) out.set(id, draftStage((await plans.getTask(ctx.db, id)).events).stage);
  return out;
}

function splitList(s: string): string[] {
  return s.split(/[、,，;；\s]+/).map((x) => x.trim()).filter(Boolean);
}

/** The form's fields → the task input the API takes (the service validates it). */
export function taskInputOf(v: TaskFormValues) {
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const rates: Record<string, string> = {};
  const excludeStrata: { stratum: string; reason: string }[] = [];
  for (const s of STRATA) {
    if (v.exclude[s]?.trim()) excludeStrata.push({ stratum: s, reason: v.exclude[s].trim() });
    else if (v.rates[s]?.trim()) rates[s] = v.rates[s].trim();
  }
  return {
    lead: { code: v.lead, officersPerTeam: num(v.leadOfficers) ?? 0 },
    partners: v.partners.filter((p) => p !== v.lead).map((code) => ({ code, officersPerTeam: num(v.partnerOfficers[code] ?? '1') ?? 1 })),
    matters: v.matters,
    filters: { entityTypes: splitList(v.entityTypes), streets: splitList(v.streets), industryCodes: splitList(v.industryCodes), tags: splitList(v.tags) },
    selection: { mode: 'rates' as const, rates },
    excludeStrata,
    exclusions: { ...(num(v.yearlyCap) !== undefined ? { yearlyCap: num(v.yearlyCap) } : {}), ...(num(v.lookbackDays) !== undefined ? { lookbackDays: num(v.lookbackDays) } : {}) },
    window: { start: v.windowStart, end: v.windowEnd },
    method: v.method,
    randomnessSource: v.randomnessSource,
  };
}

function formValues(ctx: ConsoleContext): TaskFormValues {
  const partners = ctx.fields('partner', 32);
  const partnerOfficers: Record<string, string> = {};
  const body = (ctx.req.body ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(body)) if (k.startsWith('partnerOfficers_')) partnerOfficers[k.slice('partnerOfficers_'.length)] = ctx.field(k, 4);
  return {
    lead: ctx.field('lead', 32),
    leadOfficers: ctx.field('leadOfficers', 4),
    partners,
    partnerOfficers,
    matters: ctx.fields('matter', 64),
    rates: Object.fromEntries(STRATA.map((s) => [s, ctx.field(`rate_${s}`, 20)])),
    exclude: Object.fromEntries(STRATA.map((s) => [s, ctx.field(`exclude_${s}`, 500)])),
    entityTypes: ctx.fields('entityType', 20).join('、'),
    streets: ctx.field('streets', 2000),
    industryCodes: ctx.field('industryCodes', 500),
    tags: ctx.field('tags', 500),
    yearlyCap: ctx.field('yearlyCap', 6),
    lookbackDays: ctx.field('lookbackDays', 6),
    windowStart: ctx.field('windowStart', 10),
    windowEnd: ctx.field('windowEnd', 10),
    method: ctx.field('method', 20),
    randomnessSource: ctx.field('randomnessSource', 500),
  };
}

function defaultValues(ctx: ConsoleContext, year: number): TaskFormValues {
  const d = planDefaults();
  const today = shanghaiDate(new Date());
  const start = today.slice(0, 4) === String(year) ? today : `${year}-01-01`;
  return {
    lead: ctx.user.department ?? '',
    leadOfficers: '2',
    partners: [],
    partnerOfficers: {},
    matters: [],
    rates: { ...d.rates },
    exclude: {},
    entityTypes: '',
    streets: '',
    industryCodes: '',
    tags: '',
    yearlyCap: '',
    lookbackDays: '',
    windowStart: start,
    windowEnd: `${year}-12-31`,
    method: '实地检查',
    randomnessSource: '',
  };
}

function valuesOfTask(t: Awaited<ReturnType<typeof plans.getTask>>): TaskFormValues {
  const sel = t.selection as { mode: string; rates?: Record<string, string> };
  const filters = t.filters as { entityTypes: string[]; industryCodes: string[]; streets: string[]; tags: string[] };
  const exclusions = t.exclusions as { yearlyCap: number | null; lookbackDays: number | null };
  return {
    lead: t.leadDepartment,
    leadOfficers: String(t.departments.find((x) => x.code === t.leadDepartment)?.officersPerTeam ?? 1),
    partners: t.departments.filter((x) => x.code !== t.leadDepartment).map((x) => x.code),
    partnerOfficers: Object.fromEntries(t.departments.map((x) => [x.code, String(x.officersPerTeam)])),
    matters: t.matters,
    rates: sel.rates ?? {},
    exclude: Object.fromEntries((t.excludeStrata as { stratum: string; reason: string }[]).map((e) => [e.stratum, e.reason])),
    entityTypes: filters.entityTypes.join('、'),
    streets: filters.streets.join('、'),
    industryCodes: filters.industryCodes.join('、'),
    tags: filters.tags.join('、'),
    yearlyCap: exclusions.yearlyCap === null ? '' : String(exclusions.yearlyCap),
    lookbackDays: exclusions.lookbackDays === null ? '' : String(exclusions.lookbackDays),
    windowStart: t.window.start,
    windowEnd: t.window.end,
    method: t.method,
    randomnessSource: t.randomnessSource,
  };
}

async function taskForm(ctx: ConsoleContext, spec: { action: string; title: string; values: TaskFormValues; error?: AppError; submitLabel: string; crumbs: { label: string; href?: string }[] }) {
  const [departments, matters] = await Promise.all([listDepartments(ctx.db), listMatters(ctx.db)]);
  ctx.render(
    spec.title,
    taskFormPage({
      action: spec.action,
      title: spec.title,
      csrf: ctx.csrf,
      values: spec.values,
      departments: departments.map((x) => ({ code: x.code, name: x.name })),
      matters: matters.map((m) => ({ code: m.code, name: m.name, department: m.departmentCode })),
      error: spec.error ? errorBox(spec.error) : undefined,
      submitLabel: spec.submitLabel,
    }),
    { current: '/console/plans', crumbs: spec.crumbs, status: spec.error ? spec.error.status : 200 },
  );
}

async function taskOf(ctx: ConsoleContext) {
  const id = idParam(ctx);
  await scope.requireTask(ctx.db, ctx.user, id);
  return plans.getTask(ctx.db, id);
}

export function registerPlans(router: Router, deps: ConsoleDeps): void {
  const back = (req: { params: Record<string, unknown> }) => `/console/tasks/${String(req.params.id)}`;
  const drawBack = (req: { params: Record<string, unknown> }) => `/console/tasks/${String(req.params.id)}/draw`;

  route(router, deps, 'get', '/plans', STAFF, async (ctx) => {
    const all = await plans.listPlans(ctx.db, undefined, ctx.user);
    const departments = await listDepartments(ctx.db);
    const stages = await draftStages(ctx, all.flatMap((p) => p.tasks.filter((t) => t.status === 'draft').map((t) => t.id)));
    ctx.render(
      '年度计划与任务',
      plansPage({ plans: all, departments, ownDepartment: ctx.user.role === 'regulator' ? ctx.user.department : null, canWrite: canWrite(ctx), year: Number(shanghaiDate(new Date()).slice(0, 4)), csrf: ctx.csrf, stages }),
      { current: '/console/plans', crumbs: [{ label: '年度计划与任务' }] },
    );
  });

  route(
    router,
    deps,
    'post',
    '/plans',
    WRITERS,
    async (ctx) => {
      const title = ctx.field('title', 200);
      const p = await plans.createPlan(ctx.db, { organization: ctx.field('organization', 32), year: Number(ctx.field('year', 6)), ...(title ? { title } : {}) }, ctx.user);
      ctx.redirect(`/console/plans/${p.id}`, `已新建计划：${p.title}`);
    },
    { back: () => '/console/plans' },
  );

  route(router, deps, 'get', '/plans/:id', STAFF, async (ctx) => {
    const id = idParam(ctx);
    await scope.requirePlan(ctx.db, ctx.user, id);
    const plan = await plans.getPlan(ctx.db, id, ctx.user);
    const stages = await draftStages(ctx, plan.tasks.filter((t) => t.status === 'draft').map((t) => t.id));
    const visits = await plans.planVisits(ctx.db, id, ctx.user);
    ctx.render(plan.title, planPage({ plan, canWrite: canWrite(ctx), stages, visits }), { current: '/console/plans', crumbs: [{ label: '年度计划与任务', href: '/console/plans' }, { label: plan.title }] });
  });

  route(router, deps, 'get', '/plans/:id/tasks/new', WRITERS, async (ctx) => {
    const id = idParam(ctx);
    await scope.requirePlan(ctx.db, ctx.user, id);
    const plan = await plans.getPlan(ctx.db, id, ctx.user);
    await taskForm(ctx, {
      action: `/console/plans/${id}/tasks`,
      title: '新建联合抽查任务',
      values: defaultValues(ctx, plan.year),
      submitLabel: '保存草稿并查看模拟',
      crumbs: [{ label: '年度计划与任务', href: '/console/plans' }, { label: plan.title, href: `/console/plans/${id}` }, { label: '新建任务' }],
    });
  });

  route(router, deps, 'post', '/plans/:id/tasks', WRITERS, async (ctx) => {
    const id = idParam(ctx);
    const values = formValues(ctx);
    try {
      const t = await plans.createTask(ctx.db, id, taskInputOf(values), ctx.user);
      ctx.redirect(`/console/tasks/${t.id}`, `已保存任务草稿：${t.name}。请查看下方模拟结果，确认后提交审批。`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status === 404 || err.status >= 500) throw err;
      await taskForm(ctx, { action: `/console/plans/${id}/tasks`, title: '新建联合抽查任务', values, error: err, submitLabel: '保存草稿并查看模拟', crumbs: [{ label: '年度计划与任务', href: '/console/plans' }, { label: '新建任务' }] });
    }
  });

  route(router, deps, 'get', '/tasks/:id', STAFF, async (ctx) => {
    const task = await taskOf(ctx);
    const [departments, matters] = await Promise.all([listDepartments(ctx.db), listMatters(ctx.db)]);
    let simulation = html``;
    if (['draft', 'approved', 'committed'].includes(task.status)) {
      try {
        const sim = (await ctx.deps.workers.run('simulateForTask', task.id, { viewer: ctx.user })) as unknown as SimulationView;
        simulation = simulationSection(task.id, sim, null);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        simulation = simulationSection(task.id, null, `模拟未能完成：${err.message}（${err.code}）`);
      }
    }
    const plan = await plans.getPlan(ctx.db, task.planId, ctx.user);
    ctx.render(
      task.name,
      taskPage({
        task: task as never,
        stage: task.status === 'draft' ? draftStage(task.events) : null,
        matterNames: new Map(matters.map((m) => [m.code, m.name])),
        departmentNames: new Map(departments.map((x) => [x.code, x.name])),
        me: ctx.user.name,
        canWrite: canWrite(ctx),
        csrf: ctx.csrf,
        simulation,
      }),
      { current: '/console/plans', crumbs: [{ label: '年度计划与任务', href: '/console/plans' }, { label: plan.title, href: `/console/plans/${plan.id}` }, { label: task.name }] },
    );
  });

  route(router, deps, 'get', '/tasks/:id/load.svg', STAFF, async (ctx) => {
    const task = await taskOf(ctx);
    const sim = (await ctx.deps.workers.run('simulateForTask', task.id, { viewer: ctx.user })) as unknown as SimulationView;
    const svg = await officerLoadChart(sim.officers.map((o) => ({ label: `${o.certificateNo}（${o.department}）`, capacity: o.capacity, expectedLoad: o.expectedLoad })));
    ctx.res.status(200).set({ 'Content-Type': 'image/svg+xml; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" }).send(svg);
  });

  route(router, deps, 'get', '/tasks/:id/edit', WRITERS, async (ctx) => {
    const task = await taskOf(ctx);
    await taskForm(ctx, { action: `/console/tasks/${task.id}/edit`, title: `修改：${task.name}`, values: valuesOfTask(task), submitLabel: '保存修改', crumbs: [{ label: '年度计划与任务', href: '/console/plans' }, { label: task.name, href: `/console/tasks/${task.id}` }, { label: '修改' }] });
  });

  route(router, deps, 'post', '/tasks/:id/edit', WRITERS, async (ctx) => {
    const id = idParam(ctx);
    const values = formValues(ctx);
    try {
      const t = await plans.updateTask(ctx.db, id, taskInputOf(values), ctx.user);
      ctx.redirect(`/console/tasks/${t.id}`, '已保存修改。');
    } catch (err) {
      if (!(err instanceof AppError) || err.status === 404 || err.status >= 500) throw err;
      await taskForm(ctx, { action: `/console/tasks/${id}/edit`, title: '修改任务', values, error: err, submitLabel: '保存修改', crumbs: [{ label: '年度计划与任务', href: '/console/plans' }, { label: '修改任务' }] });
    }
  });

  const taskPost = (path: string, run: (ctx: ConsoleContext, id: string) => Promise<string>, backTo = back) =>
    route(router, deps, 'post', `/tasks/:id/${path}`, WRITERS, async (ctx) => {
      const id = idParam(ctx);
      const message = await run(ctx, id);
      ctx.redirect(backTo(ctx.req), message);
    }, { back: backTo });

  taskPost('submit', async (ctx, id) => {
    await plans.submitTask(ctx.db, id, ctx.user);
    return '已提交审批，等待另一名监管人员审批。';
  });
  taskPost('approve', async (ctx, id) => {
    await plans.approveTask(ctx.db, id, ctx.user);
    return '任务已审批通过。起草人可以承诺并进行抽取。';
  });
  taskPost('return', async (ctx, id) => {
    await plans.returnTask(ctx.db, id, ctx.field('comment', 1000), ctx.user);
    return '已退回起草人修改。';
  });
  taskPost(
    'commit',
    async (ctx, id) => {
      requireConfirmed(ctx);
      await ctx.deps.workers.run('commitTask', id, ctx.user);
      return '已承诺，承诺值已公布。待公开随机数产生后录入。';
    },
    drawBack,
  );
  taskPost(
    'seed',
    async (ctx, id) => {
      requireConfirmed(ctx);
      await plans.seedTaskDraw(ctx.db, id, ctx.field('randomness', 1000), ctx.user);
      return '已录入公开随机数，可以执行抽取。';
    },
    drawBack,
  );
  taskPost(
    'draw',
    async (ctx, id) => {
      await ctx.deps.workers.run('drawTask', id, ctx.user);
      return '抽取完成。';
    },
    drawBack,
  );
  taskPost(
    'void',
    async (ctx, id) => {
      requireConfirmed(ctx);
      const reason = ctx.field('reason', 1000);
      if (reason.length < 4) throw new AppError(400, 'REASON_REQUIRED', '作废须写明理由（至少 4 个字）');
      await ctx.deps.workers.run('voidTaskDraw', id, reason, ctx.user);
      return '已作废本次抽取，记录和理由已保留。任务回到“已审批”。';
    },
    drawBack,
  );

  route(router, deps, 'get', '/tasks/:id/draw', STAFF, async (ctx) => {
    const task = await taskOf(ctx);
    const draw = task.drawId ? await getDraw(ctx.db, task.drawId) : null;
    const list = draw?.status === 'drawn' ? (await drawnList(ctx.db, task.id, ctx.user)).entities : null;
    ctx.render(
      `${task.name}：抽取`,
      drawPage({
        task,
        draw: draw ? ({ ...draw, strata: draw.strata ?? null, stratifyBy: draw.params.stratifyBy } as DrawPageData['draw']) : null,
        voided: task.draws.filter((x) => x.status === 'voided').map((x) => ({ id: x.id, commitment: x.commitment, committedAt: x.committedAt, voidReason: x.voidReason })),
        list,
        canWrite: canWrite(ctx),
        csrf: ctx.csrf,
      }),
      { current: '/console/plans', crumbs: [{ label: '年度计划与任务', href: '/console/plans' }, { label: task.name, href: `/console/tasks/${task.id}` }, { label: '抽取' }] },
    );
  });

  const sendXlsx = async (ctx: ConsoleContext, kind: 'drawn' | 'teams') => {
    const id = idParam(ctx);
    const l = await drawnList(ctx.db, id, ctx.user);
    const buf = kind === 'drawn' ? await drawnListXlsx(l) : await teamsXlsx(l);
    const name = `${l.task.name}${kind === 'drawn' ? '抽查名单' : '检查组名单'}.xlsx`;
    ctx.res
      .status(200)
      .set({ 'Content-Type': XLSX, 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="${kind}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}` })
      .send(buf);
  };
  route(router, deps, 'get', '/tasks/:id/export/drawn.xlsx', STAFF, (ctx) => sendXlsx(ctx, 'drawn'));
  route(router, deps, 'get', '/tasks/:id/export/teams.xlsx', STAFF, (ctx) => sendXlsx(ctx, 'teams'));

  // Printing issues the notices not yet issued (numbered, stored, the visits marked notified):
  // a GET that writes, so it is reached from the draw page's link and asks nothing else; the
  // issue is idempotent (a second print serves the stored pages unchanged).
  route(router, deps, 'get', '/tasks/:id/notices', WRITERS, async (ctx) => {
    const id = idParam(ctx);
    const task = await plans.getTask(ctx.db, (await scope.requireTask(ctx.db, ctx.user, id)).id);
    const notices = await issueTaskNotices(ctx.db, ctx.user, id, renderPrintableNotice);
    const doc = noticesDocument(`${task.name} 检查通知书（共 ${notices.length} 份）`, notices);
    ctx.res
      .status(200)
      .set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${doc.styleHash}'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'` })
      .send(doc.html);
  });

  route(router, deps, 'get', '/results', STAFF, async (ctx) => {
    const taskId = UUID.test(ctx.query('task', 40)) ? ctx.query('task', 40).toLowerCase() : '';
    const stateQ = ctx.query('state', 20);
    const state = ['pending-notice', 'notified', 'entered', 'returned', 'approved', 'published'].includes(stateQ) ? (stateQ as 'approved') : undefined;
    const p = paging(ctx);
    const list = await listAssignments(ctx.db, ctx.user, { state, taskId: taskId || undefined }, { limit: p.limit, offset: p.offset });
    const all = await plans.listPlans(ctx.db, undefined, ctx.user);
    const tasks = all.flatMap((x) => x.tasks).filter((t) => !['draft', 'approved', 'committed'].includes(t.status)).map((t) => ({ id: t.id, name: t.name }));
    ctx.render(
      '检查结果与公示',
      resultsPage({
        rows: list.items.map((a) => ({ id: a.id, uscc: a.entity.uscc, entityName: a.entity.name, state: a.status, team: a.team.map((m) => m.name || m.certificateNo) })),
        taskId,
        state: state ?? '',
        tasks,
        canPublish: ctx.user.role === 'regulator' || ctx.user.role === 'admin',
        csrf: ctx.csrf,
        pager: pager('/console/results', { task: taskId, state: state ?? '' }, p.page, p.offset + list.items.length < list.total, list.total),
      }),
      { current: '/console/results', crumbs: [{ label: '检查结果与公示' }] },
    );
  });

  route(
    router,
    deps,
    'post',
    '/results/:id/publish',
    ['regulator', 'admin'],
    async (ctx) => {
      const id = idParam(ctx);
      const a = await publishResult(ctx.db, ctx.user, id);
      const task = ctx.field('task', 40);
      ctx.redirect(`/console/results${UUID.test(task) ? `?task=${task}` : ''}`, `已公示 ${a.entity.name} 的检查结果。`);
    },
    { back: (req) => `/console/results${typeof req.body?.task === 'string' && UUID.test(req.body.task) ? `?task=${req.body.task}` : ''}` },
  );
}
