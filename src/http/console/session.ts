/**
 * Console sessions and CSRF protection.
 *
 * Signing in to the console is the API's login (services/accounts.ts `login`): the bearer token
 * it returns is kept in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS), so a console
 * session has exactly the API token's expiry, revocation (logout, disabling the account) and
 * login throttling. Nothing about sessions is stored twice.
 *
 * CSRF: a synchronizer token per session, HMAC-SHA256 of a fixed label under the session token
 * (which only the server and the browser's HttpOnly cookie know), so it needs no storage and dies
 * with the session. Every state-changing form carries it in `_csrf` (htmx sends it as the
 * X-CSRF-Token header); a POST without the right one gets 403 and changes nothing. The sign-in
 * form, before any session exists, uses a double-submit cookie.
 */
import crypto from 'node:crypto';
import { parse as parseCookies, serialize } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import type { DbHandle } from '../../db/connection.ts';
import type { UserActor } from '../../domain/actor.ts';
import { authenticate, TOKEN_TTL_MS } from '../../services/accounts.ts';

export const SESSION_COOKIE = 'dr_console';
export const LOGIN_COOKIE = 'dr_login';
export const FLASH_COOKIE = 'dr_flash';

declare global {
  namespace Express {
    interface Request {
      /** The signed-in console account and its session token. */
      consoleSession?: { user: UserActor; token: string; csrf: string };
      cookies?: Record<string, string | undefined>;
    }
  }
}

export function csrfTokenOf(sessionToken: string): string {
  return crypto.createHmac('sha256', sessionToken).update('double-random console csrf v1').digest('base64url');
}

function sameToken(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** Served over HTTPS (directly, or behind a proxy express trusts): the cookies get Secure. */
function secure(req: Request): boolean {
  return req.secure;
}

function setCookie(req: Request, res: Response, name: string, value: string, maxAgeSeconds: number, path = '/console'): void {
  res.append('Set-Cookie', serialize(name, value, { httpOnly: true, sameSite: 'strict', secure: secure(req), path, maxAge: maxAgeSeconds }));
}

export function startSession(req: Request, res: Response, token: string): void {
  setCookie(req, res, SESSION_COOKIE, token, Math.floor(TOKEN_TTL_MS / 1000));
  setCookie(req, res, LOGIN_COOKIE, '', 0);
}

export function endSession(req: Request, res: Response): void {
  setCookie(req, res, SESSION_COOKIE, '', 0);
}

/** A message shown once on the next page (after a POST → 303 redirect). */
export function setFlash(req: Request, res: Response, message: string): void {
  setCookie(req, res, FLASH_COOKIE, Buffer.from(message).toString('base64url'), 60);
}

export function takeFlash(req: Request, res: Response): string | null {
  const v = req.cookies?.[FLASH_COOKIE];
  if (!v) return null;
  setCookie(req, res, FLASH_COOKIE, '', 0);
  try {
    return Buffer.from(v, 'base64url').toString('utf8').slice(0, 500);
  } catch {
    return null;
  }
}

/** The sign-in form's double-submit token: the cookie's value, set when the form is shown. */
export function loginCsrf(req: Request, res: Response): string {
  const existing = req.cookies?.[LOGIN_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const t = crypto.randomBytes(32).toString('base64url');
  setCookie(req, res, LOGIN_COOKIE, t, 3600);
  return t;
}

export function loginCsrfValid(req: Request): boolean {
  const cookieValue = req.cookies?.[LOGIN_COOKIE];
  return !!cookieValue && sameToken(submittedCsrf(req), cookieValue);
}

function submittedCsrf(req: Request): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const field = body && typeof body === 'object' ? body._csrf : undefined;
  return typeof field === 'string' ? field : req.get('x-csrf-token');
}

/** Reads the cookies and, with a valid session cookie, the account (expired or revoked sessions read as signed out). */
export function consoleSessionMiddleware(handle: DbHandle): RequestHandler {
  return (req, _res, next) => {
    try {
      req.cookies = parseCookies(req.get('cookie') ?? '');
    } catch {
      req.cookies = {};
    }
    const token = req.cookies[SESSION_COOKIE];
    if (!token || !/^[A-Za-z0-9_-]{20,200}$/.test(token)) {
      next();
      return;
    }
    authenticate(handle.db, token).then((user) => {
      if (user) req.consoleSession = { user, token, csrf: csrfTokenOf(token) };
      next();
    }, next);
  };
}

/** True when a state-changing request carries its session's CSRF token. */
export function csrfValid(req: Request): boolean {
  const s = req.consoleSession;
  return !!s && sameToken(submittedCsrf(req), s.csrf);
}
