/**
 * The one place where errors become HTTP responses. Body shape:
 *   { error: { code: 'STABLE_ENGLISH_CODE', message: '中文说明', problems: [{ path, code, message }] } }
 * AppError subclasses carry their own status and code; body-parser failures (malformed JSON,
 * oversized or non-UTF-8 bodies) are translated here; anything else is a 500 whose details go to
 * the log only — a response never contains a stack trace or an internal message.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, NotFoundError, type Problem } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';

export const BODY_LIMIT = '1mb';

export interface ErrorBody {
  error: { code: string; message: string; problems: Problem[] };
}

export function errorBody(code: string, message: string, problems: Problem[] = []): ErrorBody {
  return { error: { code, message, problems: problems.map((p) => ({ path: p.path ?? '', code: p.code, message: p.message })) } };
}

/** Errors raised by body-parser and http-errors (express's own): a `type` and/or a 4xx `status`. */
interface HttpishError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

function fromBodyParser(err: HttpishError): AppError | undefined {
  switch (err.type) {
    case 'entity.parse.failed': {
      const detail = err.message ? `（解析器提示：${err.message.slice(0, 200)}）` : '';
      const message = `请求体不是合法的 JSON${detail}；请检查引号、逗号和括号是否成对，字段名须用双引号`;
      return new AppError(400, 'MALFORMED_JSON', message, [{ path: 'body', code: 'MALFORMED_JSON', message }]);
    }
    case 'entity.too.large':
      return new AppError(
        413,
        'PAYLOAD_TOO_LARGE',
        `请求体超过 ${BODY_LIMIT.toUpperCase()} 上限；请分多次提交，或用批量导入（double-random import）处理大批数据`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'UNSUPPORTED_ENCODING', '请求体须为 UTF-8 编码的 JSON（Content-Type: application/json; charset=utf-8），不压缩');
    case 'request.aborted':
    case 'request.size.invalid': {
      const message = '请求体不完整（传输中断或长度与 Content-Length 不符）；请重新发送';
      return new AppError(400, 'BODY_INCOMPLETE', message, [{ path: 'body', code: 'BODY_INCOMPLETE', message }]);
    }
    default:
      return undefined;
  }
}

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as HttpishError;
  const parsed = fromBodyParser(e);
  if (parsed) return parsed;
  const status = e.status ?? e.statusCode;
  // Other client errors express raises itself, e.g. a path segment that is not valid percent-encoding.
  if (status && status >= 400 && status < 500 && e.expose !== false) {
    const message = '请求格式有误（如路径中含有无法解码的 % 转义）；请检查请求地址和请求头';
    return new AppError(status, 'BAD_REQUEST', message, [{ path: 'request', code: 'BAD_REQUEST', message }]);
  }
  return undefined;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const appError = toAppError(err);
    if (appError && appError.status < 500) {
      res.status(appError.status).json(errorBody(appError.code, appError.message, appError.problems));
      return;
    }
    logger.error({ err, requestId: res.getHeader('X-Request-Id'), method: req.method, url: req.originalUrl }, 'request failed');
    if (appError) {
      // A deliberate 5xx from a service (e.g. 503): its message was written for users.
      res.status(appError.status).json(errorBody(appError.code, appError.message, appError.problems));
      return;
    }
    res.status(500).json(errorBody('INTERNAL_ERROR', '服务器内部错误，请稍后重试；如果问题持续，请联系系统管理员并提供响应头中的 X-Request-Id'));
  };
}

/** Unknown paths under /api: a JSON 404 rather than express's HTML page. */
export function apiNotFound(): RequestHandler {
  return (req, _res, next) => {
    next(new NotFoundError(`没有这个接口：${req.method} ${req.originalUrl.split('?')[0]}；可用的接口见 /api/v1/openapi.json`, 'ROUTE_NOT_FOUND'));
  };
}
