/**
 * Console pages of the administrators (系统管理): accounts (create with a one-time password,
 * change role / department / linked officer, reset the password, disable), the audit trail with
 * its chain verification, the scheduled jobs' last runs and everyone's import jobs.
 *
 * The account services check the administrator role themselves (as for the CLI); the audit and
 * job pages are administrators' only (the route's role list). A one-time password is rendered
 * in the answer to the POST that made it (not carried in a cookie or stored readable), so it is
 * shown exactly once; the page is sent with Cache-Control: no-store.
 */
import type { Router } from 'express';
import type { Role } from '../../domain/actor.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { nowIso } from '../../domain/time.ts';
import { JOBS } from '../../jobs/definitions.ts';
import { createScheduler } from '../../jobs/scheduler.ts';
import { addUser, disableUser, listUsers, oneTimePassword, resetPassword, ROLE_LABELS, updateUserRole } from '../../services/accounts.ts';
import { formatNotedHead, listAudit, parseNotedHead, verifyAudit } from '../../services/audit.ts';
import { listImportJobs } from '../../services/imports/importJobs.ts';
import { listDepartments, listInspectors } from '../../services/registry.ts';
import { accountPage, accountsPage, oneTimePasswordPage, type Choices } from '../../web/console/pages/adminAccounts.ts';
import { auditPage, verifyResultBox, type AuditFilterValues } from '../../web/console/pages/adminAudit.ts';
import { jobsPage } from '../../web/console/pages/adminJobs.ts';
import { paging, requireConfirmed, route, type ConsoleContext, type ConsoleDeps } from './kit.ts';

const ADMIN: readonly Role[] = ['admin'];
const ACCOUNTS = '/console/admin/accounts';
const AUDIT = '/console/admin/audit';
const JOBS_PAGE = '/console/admin/jobs';

const accountsCrumb = { label: '账号管理', href: ACCOUNTS };
const accountUrl = (username: string) => `${ACCOUNTS}/${encodeURIComponent(username)}`;

/** What the role, department and officer fields offer. */
async function choices(ctx: ConsoleContext): Promise<Choices> {
  const [departments, inspectors] = await Promise.all([listDepartments(ctx.db), listInspectors(ctx.db, {}, { limit: 2000, offset: 0 })]);
  return {
    roleLabels: ROLE_LABELS,
    departments,
    officers: inspectors.items.map((i) => ({ certificateNo: i.certificateNo, name: i.name, department: i.departmentCode })),
  };
}

/** The placement fields of a form: the department only for a regulator, the officer only for an inspector. */
function placementOf(ctx: ConsoleContext): { role: string; department?: string; officer?: string } {
  const role = ctx.field('role', 20);
  const department = ctx.field('department', 64);
  const officer = ctx.field('officer', 64);
  return { role, ...(role === 'regulator' && department ? { department } : {}), ...(role === 'inspector' && officer ? { officer } : {}) };
}

async function findAccount(ctx: ConsoleContext, username: string) {
  const a = (await listUsers(ctx.db, ctx.user)).find((u) => u.username === username);
  if (!a) throw new NotFoundError(`没有账号 ${username}`, 'USER_NOT_FOUND');
  return a;
}

const AUDIT_FILTERS = ['action', 'entity', 'entityId', 'actor', 'from', 'to'] as const;

async function renderAudit(ctx: ConsoleContext, filters: AuditFilterValues, page: { page: number; limit: number; offset: number }, extra: { verify?: ReturnType<typeof verifyResultBox>; noted?: string } = {}) {
  const opt = (s: string) => (s === '' ? undefined : s);
  const r = await listAudit(ctx.db, {
    action: opt(filters.action),
    entity: opt(filters.entity),
    entityId: opt(filters.entityId),
    actor: opt(filters.actor),
    fromDate: opt(filters.from),
    toDate: opt(filters.to),
    limit: page.limit,
    offset: page.offset,
  });
  ctx.render('审计记录', auditPage({ rows: r.rows, total: r.total, page: page.page, hasNext: page.offset + r.rows.length < r.total, filters, csrf: ctx.csrf, ...extra }), {
    current: AUDIT,
    crumbs: [{ label: '审计记录' }],
  });
}

export function registerAdmin(router: Router, deps: ConsoleDeps): void {
  // ------------------------------------------------------------------ accounts
  route(router, deps, 'get', '/admin/accounts', ADMIN, async (ctx) => {
    const [accounts, c] = await Promise.all([listUsers(ctx.db, ctx.user), choices(ctx)]);
    ctx.render('账号管理', accountsPage({ accounts, choices: c, csrf: ctx.csrf, self: ctx.user.name }), { current: ACCOUNTS, crumbs: [{ label: '账号管理' }] });
  });

  route(
    router,
    deps,
    'post',
    '/admin/accounts',
    ADMIN,
    async (ctx) => {
      const password = oneTimePassword();
      const u = await addUser(ctx.db, { username: ctx.field('username', 64), ...placementOf(ctx), password }, ctx.user);
      ctx.render('已新建账号', oneTimePasswordPage({ username: u.name, password, created: true }), { current: ACCOUNTS, crumbs: [accountsCrumb, { label: u.name }] });
    },
    { back: () => ACCOUNTS },
  );

  route(router, deps, 'get', '/admin/accounts/:username', ADMIN, async (ctx) => {
    const [account, c] = await Promise.all([findAccount(ctx, String(ctx.req.params.username)), choices(ctx)]);
    ctx.render(`账号：${account.username}`, accountPage({ account, choices: c, csrf: ctx.csrf, self: account.username === ctx.user.name }), {
      current: ACCOUNTS,
      crumbs: [accountsCrumb, { label: account.username }],
    });
  });

  const back = { back: (req: { params: Record<string, unknown> }) => accountUrl(String(req.params.username)) };

  route(
    router,
    deps,
    'post',
    '/admin/accounts/:username/role',
    ADMIN,
    async (ctx) => {
      const u = await updateUserRole(ctx.db, String(ctx.req.params.username), placementOf(ctx), ctx.user);
      ctx.redirect(accountUrl(u.name), `已将 ${u.name} 的角色设为${ROLE_LABELS[u.role]}${u.department ? `（${u.department}）` : ''}${u.officer ? `，关联执法证号 ${u.officer}` : ''}。`);
    },
    back,
  );

  route(
    router,
    deps,
    'post',
    '/admin/accounts/:username/reset',
    ADMIN,
    async (ctx) => {
      const username = String(ctx.req.params.username);
      requireConfirmed(ctx);
      const password = oneTimePassword();
      await resetPassword(ctx.db, username, password, ctx.user);
      ctx.render('已重设密码', oneTimePasswordPage({ username, password, created: false }), { current: ACCOUNTS, crumbs: [accountsCrumb, { label: username, href: accountUrl(username) }] });
    },
    back,
  );

  route(
    router,
    deps,
    'post',
    '/admin/accounts/:username/disable',
    ADMIN,
    async (ctx) => {
      const username = String(ctx.req.params.username);
      requireConfirmed(ctx);
      await disableUser(ctx.db, username, ctx.user);
      ctx.redirect(accountUrl(username), `已停用 ${username}，其所有登录会话已结束。`);
    },
    back,
  );

  // ------------------------------------------------------------------ audit
  route(router, deps, 'get', '/admin/audit', ADMIN, async (ctx) => {
    const filters = Object.fromEntries(AUDIT_FILTERS.map((k) => [k, ctx.query(k, 200)])) as unknown as AuditFilterValues;
    await renderAudit(ctx, filters, paging(ctx));
  });

  route(
    router,
    deps,
    'post',
    '/admin/audit/verify',
    ADMIN,
    async (ctx) => {
      const noted = ctx.field('head', 200);
      const expectedHead = noted ? parseNotedHead(noted) : undefined;
      const r = await verifyAudit(ctx.db, { expectedHead });
      const box = verifyResultBox(r, noted || null, formatNotedHead({ seq: r.headSeq, hash: r.head }));
      const empty = Object.fromEntries(AUDIT_FILTERS.map((k) => [k, ''])) as unknown as AuditFilterValues;
      await renderAudit(ctx, empty, { page: 1, limit: 50, offset: 0 }, { verify: box, noted });
    },
    { back: () => AUDIT },
  );

  // ------------------------------------------------------------------ jobs
  route(router, deps, 'get', '/admin/jobs', ADMIN, async (ctx) => {
    const scheduler = createScheduler({ handle: ctx.deps.handle, jobs: JOBS, logger: ctx.deps.logger });
    const now = new Date();
    const [jobs, imports] = await Promise.all([scheduler.status(now), listImportJobs(ctx.db, ctx.user, { limit: 50 })]);
    ctx.render('定时任务和导入作业', jobsPage({ jobs, imports, now: nowIso(now) }), { current: JOBS_PAGE, crumbs: [{ label: '定时任务和导入作业' }] });
  });

}
