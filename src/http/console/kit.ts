/**
 * The console's thin-adapter kit: every console route is declared with the roles that may use it
 * (the same role lists as the API's operations) and a handler that calls services and renders a
 * page. The kit signs people in (a GET without a session goes to the sign-in page), checks the
 * role, checks the CSRF token of every POST before anything runs (403, nothing changed), and
 * turns errors into pages: 404 for what does not exist or is out of the account's scope (as the
 * API), 403 for what the role may not do, and for a refused form the service's message (with its
 * English code) carried back to the form.
 */
import fs from 'node:fs';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { DbHandle, Executor } from '../../db/connection.ts';
import type { Role, UserActor } from '../../domain/actor.ts';
import { AppError, type Problem } from '../../domain/errors.ts';
import type { Logger } from '../../logger.ts';
import { ROLE_LABELS } from '../../services/accounts.ts';
import type { WorkerPool } from '../../services/workers.ts';
import { html, type Html } from '../../web/html.ts';
import { CONSOLE_CSP, consolePage, type ConsoleUser, type Crumb } from '../../web/console/layout.ts';
import { receiveMultipart, type ReceivedFile } from './multipart.ts';
import { csrfValid, setFlash, takeFlash } from './session.ts';

export interface ConsoleDeps {
  handle: DbHandle;
  logger: Logger;
  workers: WorkerPool;
}

export interface PageOptions {
  crumbs?: Crumb[];
  /** The navigation entry to mark (its href). */
  current?: string;
  status?: number;
}

export interface ConsoleContext {
  req: Request;
  res: Response;
  db: Executor;
  deps: ConsoleDeps;
  user: UserActor;
  csrf: string;
  /** The account as the layout shows it. */
  who: ConsoleUser;
  /** Sends a console page. */
  render(title: string, body: Html, opts?: PageOptions): void;
  /** 303 to a page, with a message shown there once. */
  redirect(to: string, message?: string): void;
  /** One form field as trimmed text ('' when absent). */
  field(name: string, max?: number): string;
  /** All values of a repeated form field (checkboxes, multi-selects). */
  fields(name: string, max?: number): string[];
  /** One query parameter as trimmed text. */
  query(name: string, max?: number): string;
  /** Files of a multipart form (RouteOptions.upload), already on disk; the handler moves or deletes them. */
  files: ReceivedFile[];
}

export type ConsoleHandler = (ctx: ConsoleContext) => Promise<void>;

export const ANY_ROLE: readonly Role[] = ['admin', 'regulator', 'reviewer', 'inspector'];

export function consoleUserOf(u: UserActor): ConsoleUser {
  return { username: u.name, role: u.role, roleLabel: ROLE_LABELS[u.role], department: u.department, officer: u.officer };
}

export function sendConsolePage(res: Response, body: string, status = 200): void {
  res.status(status).set({ 'Content-Security-Policy': CONSOLE_CSP, 'Cache-Control': 'no-store', 'Content-Type': 'text/html; charset=utf-8' }).send(body);
}

export { csrfField } from '../../web/console/components.ts';

/** Problems of a refused form, as a list under the message. */
export function problemList(problems: readonly Problem[]): Html | string {
  if (!problems.length) return '';
  return html`<ul>${problems.slice(0, 50).map((p) => html`<li>${p.path ? html`<span class="mono">${p.path}</span>：` : ''}${p.message} <span class="muted mono">${p.code}</span></li>`)}</ul>`;
}

export function errorBox(err: AppError): Html {
  return html`<div class="error" role="alert" data-testid="form-error"><strong>${err.message}</strong> <span class="muted mono">${err.code}</span>${problemList(err.problems)}</div>`;
}

const ERROR_FLASH = 'E|';

function textOf(v: unknown, max: number): string {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim().slice(0, max) : '';
}

function makeContext(req: Request, res: Response, deps: ConsoleDeps): Omit<ConsoleContext, 'files'> {
  const session = req.consoleSession!;
  const who = consoleUserOf(session.user);
  let flash: string | null | undefined;
  const takeOnce = () => (flash === undefined ? (flash = takeFlash(req, res)) : flash);
  return {
    req,
    res,
    db: deps.handle.db,
    deps,
    user: session.user,
    csrf: session.csrf,
    who,
    render(title, body, opts = {}) {
      const f = takeOnce();
      const errorFlash = f?.startsWith(ERROR_FLASH) ? f.slice(ERROR_FLASH.length) : null;
      const content = errorFlash ? html`<div class="error" role="alert" data-testid="form-error">${errorFlash}</div>${body}` : body;
      sendConsolePage(res, consolePage({ title, user: who, csrf: session.csrf, current: opts.current, crumbs: opts.crumbs, flash: errorFlash ? null : f, body: content }), opts.status ?? 200);
    },
    redirect(to, message) {
      if (message) setFlash(req, res, message);
      res.redirect(303, to);
    },
    field(name, max = 2000) {
      return textOf((req.body as Record<string, unknown> | undefined)?.[name], max);
    },
    fields(name, max = 200) {
      const v = (req.body as Record<string, unknown> | undefined)?.[name];
      const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
      return list.filter((x): x is string => typeof x === 'string').map((x) => x.trim().slice(0, max)).filter((x) => x.length > 0);
    },
    query(name, max = 200) {
      return textOf(req.query[name], max);
    },
  };
}

function statusPage(res: Response, req: Request, status: number, title: string, message: string, code?: string): void {
  const s = req.consoleSession;
  sendConsolePage(
    res,
    consolePage({
      title,
      user: s ? consoleUserOf(s.user) : undefined,
      csrf: s?.csrf,
      body: html`<h1>${title}</h1><div class="error" role="alert">${message}${code ? html` <span class="muted mono">${code}</span>` : ''}</div><p><a href="/console/">返回工作台首页</a></p>`,
    }),
    status,
  );
}

export const notFoundConsolePage = (req: Request, res: Response, message = '没有找到这个页面，或它不在你的职责范围内。', code = 'NOT_FOUND') =>
  statusPage(res, req, 404, '未找到', message, code);

export interface RouteOptions {
  /** For POST: where to go back to with the error when a service refuses the form. */
  back?: (req: Request) => string;
  /**
   * For POST: the form is multipart/form-data with files (multipart.ts). The body is read first
   * (files to disk), then the CSRF token among its fields is checked: without it the files are
   * deleted and the answer is 403. The handler gets the files in `ctx.files` and must move or
   * delete them.
   */
  upload?: { fileField: string; maxBytes: number; maxFiles?: number; target: (index: number) => string };
}

/**
 * Declares a console route: `roles` may use it (others get 403), a POST must carry the session's
 * CSRF token (else 403 before anything runs). Without a session, a GET goes to the sign-in page
 * and a POST gets 403.
 */
export function route(router: Router, deps: ConsoleDeps, method: 'get' | 'post', path: string, roles: readonly Role[], handler: ConsoleHandler, opts: RouteOptions = {}): void {
  const h: RequestHandler = async (req, res) => {
    const s = req.consoleSession;
    if (!s) {
      if (method === 'get') res.redirect(303, `/console/login?next=${encodeURIComponent(req.originalUrl.slice(0, 300))}`);
      else statusPage(res, req, 403, '请先登录', '登录已过期或尚未登录，请重新登录后再提交。', 'NOT_SIGNED_IN');
      return;
    }
    let files: ReceivedFile[] = [];
    if (method === 'post' && opts.upload) {
      try {
        const r = await receiveMultipart(req, opts.upload);
        req.body = r.fields;
        files = r.files;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (opts.back && csrfValid(req)) {
          setFlash(req, res, `${ERROR_FLASH}${err.message}（${err.code}）`);
          res.redirect(303, opts.back(req));
        } else statusPage(res, req, err.status, '上传未完成', err.message, err.code);
        return;
      }
    }
    if (method === 'post' && !csrfValid(req)) {
      for (const f of files) fs.rmSync(f.path, { force: true });
      statusPage(res, req, 403, '请求无效', '表单已过期或来源不明（缺少有效的 CSRF 令牌），未做任何修改。请返回刷新页面后重新提交。', 'CSRF_INVALID');
      return;
    }
    if (!roles.includes(s.user.role)) {
      statusPage(res, req, 403, '无权访问', `当前账号（${ROLE_LABELS[s.user.role]}）无权使用此功能。`, 'FORBIDDEN_ROLE');
      return;
    }
    try {
      await handler({ ...makeContext(req, res, deps), files });
    } catch (err) {
      // A refused upload leaves nothing behind (a handler that kept a file has moved it already).
      for (const f of files) fs.rmSync(f.path, { force: true });
      if (res.headersSent) {
        deps.logger.error({ err, url: req.originalUrl }, 'console page failed after headers');
        res.destroy();
        return;
      }
      if (err instanceof AppError && err.status === 404) {
        notFoundConsolePage(req, res, err.message, err.code);
        return;
      }
      if (err instanceof AppError && err.status < 500) {
        if (method === 'post' && opts.back) {
          const detail = err.problems.length ? `：${err.problems.slice(0, 5).map((p) => p.message).join('；')}` : '';
          setFlash(req, res, `${ERROR_FLASH}${err.message}${detail}（${err.code}）`);
          res.redirect(303, opts.back(req));
          return;
        }
        statusPage(res, req, err.status, err.status === 403 ? '无权操作' : '操作未完成', err.message, err.code);
        return;
      }
      deps.logger.error({ err, url: req.originalUrl }, 'console page failed');
      statusPage(res, req, 500, '出错了', '服务器暂时无法处理这个请求，请稍后再试。');
    }
  };
  router[method](path, h);
}

/** Page numbers from ?page= (1-based) with a fixed page size. */
export function paging(ctx: ConsoleContext, size = 50): { page: number; limit: number; offset: number } {
  const n = Number(ctx.query('page', 6));
  const page = Number.isInteger(n) && n >= 1 && n <= 100000 ? n : 1;
  return { page, limit: size, offset: (page - 1) * size };
}

/** An irreversible step needs its confirmation box ticked (the browser checks it too). */
export function requireConfirmed(ctx: ConsoleContext): void {
  if (ctx.field('confirm') !== 'yes') {
    throw new AppError(400, 'CONFIRM_REQUIRED', '请勾选确认框后再提交（此操作不可撤销）');
  }
}
