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

/** Deepest nesting of arrays and objects a JSON body may have (our deepest schema needs 5). */
export const MAX_JSON_DEPTH = 32;
/** Most object members plus array elements a JSON body may have. */
export const MAX_JSON_ITEMS = 20_000;

/**
 * Checks the shape of a JSON body's text before it is parsed, in one pass without recursion:
 * nesting depth and the number of members and elements. A body over either limit never reaches
 * JSON.parse, validation or any recursive walk (10,000 nested brackets would overflow the stack;
 * 60,000 keys cost seconds of synchronous work). Mounted as express.json's `verify`.
 */
export function checkJsonShape(buf: Buffer): void {
  let depth = 0;
  let maxDepth = 0;
  let items = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > maxDepth) maxDepth = depth;
      if (depth > MAX_JSON_DEPTH) break;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c || c === 0x3a) {
      items++;
      if (items > MAX_JSON_ITEMS) break;
    }
  }
  if (maxDepth > MAX_JSON_DEPTH) {
    const message = `请求体 JSON 嵌套过深（超过 ${MAX_JSON_DEPTH} 层）；本接口的数据不需要这么多层，请检查请求体`;
    throw new AppError(400, 'JSON_TOO_DEEP', message, [{ path: 'body', code: 'JSON_TOO_DEEP', message }]);
  }
  if (items > MAX_JSON_ITEMS) {
    const message = `请求体 JSON 的字段和数组元素过多（超过 ${MAX_JSON_ITEMS} 个）；请分多次提交，或用批量导入处理大批数据`;
    throw new AppError(400, 'JSON_TOO_MANY_ITEMS', message, [{ path: 'body', code: 'JSON_TOO_MANY_ITEMS', message }]);
  }
}

/** True when a JSON value holds a NUL character anywhere (PostgreSQL text cannot store it). Iterative: no stack to overflow. */
function hasNul(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return true;
        stack.push(x);
      }
    }
  }
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
