/** Cross-cutting middleware: security headers, request ids and the access log, JSON-only bodies (uploads aside). */
import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';

/**
 * Headers for a JSON API (set by hand: a handful of fixed values does not need a dependency).
 * The CSP forbids everything: a JSON response must never be rendered as a page or framed.
 * Server-rendered pages mounted later can set a CSP of their own.
 */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    next();
  };
}

/** Registry data includes personal data (legal representatives): keep API answers out of caches. */
export function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };
}

/** Gives each request an id (echoed in X-Request-Id) and logs one line when it finishes. No bodies are logged. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = crypto.randomUUID();
    res.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ requestId, method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}

/** True when the request announces a body (a length above zero, or chunked transfer). */
export function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/**
 * A write with a body in another format (form, text) would otherwise arrive as "no body": say what
 * is wrong. `exempt` names the requests this does not apply to: those whose body is a file
 * (operations with `upload`, whose route checks the media type) and those to paths no operation
 * serves (which answer 404).
 */
export function requireJsonBody(exempt: (req: Request) => boolean = () => false): RequestHandler {
  return (req, _res, next) => {
    if (
      (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') &&
      hasBody(req.headers) &&
      !req.is(['application/json', 'application/*+json']) &&
      !exempt(req)
    ) {
      next(
        new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `请求体须为 JSON，并带上请求头 Content-Type: application/json（收到的是 ${req.headers['content-type'] ?? '未声明'}）`),
      );
      return;
    }
    next();
  };
}

/** True when a JSON value holds a NUL character anywhere (PostgreSQL text cannot store it). */
function hasNul(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (Array.isArray(v)) return v.some(hasNul);
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x));
  return false;
}

/** Refuses text with NUL characters in the body or the query: no field of ours may hold one. */
export function rejectNulCharacters(): RequestHandler {
  return (req, _res, next) => {
    if (hasNul(req.body) || hasNul(req.query) || req.path.includes('\u0000')) {
      next(new AppError(400, 'INVALID_CHARACTER', '请求中含有空字符（U+0000），这不是有效的文本；请删除后重试', [{ path: 'body', code: 'INVALID_CHARACTER', message: '含有空字符 U+0000' }]));
      return;
    }
    next();
  };
}
