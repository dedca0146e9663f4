/**
 * The console (工作台) at /console/: server-rendered pages for regulators, reviewers, inspectors
 * and administrators, over the same services as the API (see docs/console.md for page → service
 * → API route). Forms post url-encoded (multipart for file uploads) and answer 303 to the next
 * page; everything works without JavaScript, and htmx (served from /console/assets/) enhances a
 * few pages. Sign-in, sessions and CSRF: session.ts; routes, roles and errors: kit.ts.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import express, { type Router } from 'express';
import { AppError } from '../../domain/errors.ts';
import { changeOwnPassword, login, logout, LoginThrottledError } from '../../services/accounts.ts';
import { loginPage, passwordForm } from '../../web/console/pages/auth.ts';
import { homeHandler } from './home.ts';
import { ANY_ROLE, type ConsoleDeps, notFoundConsolePage, route, sendConsolePage } from './kit.ts';
import { consoleSessionMiddleware, endSession, loginCsrf, loginCsrfValid, startSession, takeFlash } from './session.ts';
import { registerAdmin } from './admin.ts';
import { registerAssignments } from './assignments.ts';
import { registerPlans } from './plans.ts';
import { registerRegistry } from './registry.ts';
import { registerReview } from './review.ts';

const require = createRequire(import.meta.url);
const HTMX = path.join(path.dirname(require.resolve('htmx.org/package.json')), 'dist', 'htmx.min.js');

/** Where to go after signing in: a console path only (never another site). */
function safeNext(v: unknown): string {
  return typeof v === 'string' && /^\/console\/[^\\\s]*$/.test(v) && !v.startsWith('//') ? v.slice(0, 300) : '/console/';
}

export function consoleSite(deps: ConsoleDeps): Router {
  const router = express.Router();
  router.get('/assets/htmx.min.js', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400').type('application/javascript').sendFile(HTMX);
  });
  router.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 5000 }));
  router.use(consoleSessionMiddleware(deps.handle));

  router.get('/login', (req, res) => {
    if (req.consoleSession) {
      res.redirect(303, safeNext(req.query.next));
      return;
    }
    sendConsolePage(res, loginPage({ csrf: loginCsrf(req, res), next: safeNext(req.query.next), flash: takeFlash(req, res) }));
  });

  router.post('/login', async (req, res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.slice(0, 64) : '';
    const again = (status: number, error: { message: string; code: string }) =>
      sendConsolePage(res, loginPage({ csrf: loginCsrf(req, res), next: safeNext(body.next), username, error }), status);
    if (!loginCsrfValid(req)) {
      again(403, { message: '登录页面已过期，请重新输入用户名和密码后登录。', code: 'CSRF_INVALID' });
      return;
    }
    try {
      const r = await login(deps.handle.db, username, typeof body.password === 'string' ? body.password : '');
      startSession(req, res, r.token);
      res.redirect(303, safeNext(body.next));
    } catch (err) {
      if (err instanceof LoginThrottledError) res.set('Retry-After', String(err.retryAfterSeconds));
      if (err instanceof AppError && err.status < 500) again(err.status, { message: err.message, code: err.code });
      else next(err);
    }
  });

  route(router, deps, 'post', '/logout', ANY_ROLE, async (ctx) => {
    await logout(ctx.db, ctx.req.consoleSession!.token);
    endSession(ctx.req, ctx.res);
    ctx.res.redirect(303, '/console/login');
  });

  route(router, deps, 'get', '/password', ANY_ROLE, async (ctx) => {
    ctx.render('修改密码', passwordForm(ctx.csrf), { current: '/console/password', crumbs: [{ label: '修改密码' }] });
  });
  route(
    router,
    deps,
    'post',
    '/password',
    ANY_ROLE,
    async (ctx) => {
      const next = ctx.field('password', 300);
      if (next !== ctx.field('password2', 300)) throw new AppError(400, 'PASSWORD_MISMATCH', '两次输入的新密码不一致');
      await changeOwnPassword(ctx.db, ctx.user, ctx.field('current', 300), next);
      endSession(ctx.req, ctx.res);
      ctx.redirect('/console/login', '密码已修改，请用新密码重新登录。');
    },
    { back: () => '/console/password' },
  );

  route(router, deps, 'get', '/', ANY_ROLE, homeHandler);
  registerRegistry(router, deps);
  registerPlans(router, deps);
  registerAssignments(router, deps);
  registerReview(router, deps);
  registerAdmin(router, deps);

  router.use((req, res) => {
    if (!req.consoleSession && (req.method === 'GET' || req.method === 'HEAD')) res.redirect(303, `/console/login?next=${encodeURIComponent(req.originalUrl.slice(0, 300))}`);
    else notFoundConsolePage(req, res);
  });
  return router;
}
