/**
 * One API operation = method + path + the zod schemas of its inputs and outputs + a thin handler.
 * The same declaration mounts the express route (validating params, query and body before the
 * handler runs) and produces the OpenAPI entry (openapi.ts), so the two cannot disagree.
 *
 * Most operations take and return JSON. An operation that declares `upload` takes a file as its
 * raw request body instead (streamed to disk by the handler, never buffered), and a handler may
 * answer with a `stream` reply to send a file download.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import type { DbHandle, Db } from '../db/connection.ts';
import type { WorkerPool } from '../services/workers.ts';
import type { Logger } from '../logger.ts';
import { AppError, ForbiddenError, ValidationError, type Problem } from '../domain/errors.ts';
import { isUserActor, type Actor, type Role, type UserActor } from '../domain/actor.ts';

export type Access = 'public' | readonly Role[];
export { STAFF, WRITERS } from '../domain/actor.ts';
import { bearerToken, requestActor } from './actor.ts';
import { problemsFromZod, summarize, type Location } from './problems.ts';
import { hasBody } from './middleware.ts';
import { checkUploadHeaders, receiveUpload, type Upload, type UploadSpec } from './upload.ts';

export type { Upload, UploadSpec } from './upload.ts';

type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

export interface Deps {
  handle: DbHandle;
  logger: Logger;
  /** The worker pool that runs long operations (draws, commitments, simulations, imports) off this thread. */
  workers: WorkerPool;
  /** Replaces every upload operation's declared maxBytes (tests; operators with other needs). */
  uploadLimitBytes?: number;
}

export interface HandlerInput<P, Q, B, U> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  /** The request body of an upload operation, not yet read: the handler streams it to a file. */
  upload: U extends UploadSpec ? Upload : undefined;
  db: Db;
  /** Who is writing, for the services' change log. */
  actor: Actor;
  /** The same actor when it is a signed-in account (absent on public operations called without a token). */
  user?: UserActor;
  /** The bearer token the request carried (for logout). */
  token?: string;
  deps: Deps;
}

export interface JsonReply {
  /** Defaults to 200. */
  status?: number;
  body: unknown;
  /** Sets the Location header (201 and 202 responses). */
  location?: string;
}

/** A file download: headers first, then `stream` writes the body into the response and ends it. */
export interface StreamReply {
  /** Defaults to 200. */
  status?: number;
  contentType: string;
  /** Sent as Content-Disposition: attachment with this file name (non-ASCII names per RFC 6266). */
  filename?: string;
  /** The name for clients that cannot read a non-ASCII one (default: the name with '_' for other characters). */
  asciiFilename?: string;
  /**
   * Writes the file into `out` and ends it. On a failure it must destroy `out` (the client then
   * sees an aborted download, never a short file that looks complete) and reject.
   */
  stream(out: NodeJS.WritableStream): Promise<unknown>;
}

export type Reply = JsonReply | StreamReply;

interface ResponseBase {
  description: string;
  /** True when the response carries a Location header. */
  location?: boolean;
}

/** A JSON response, documented by its schema. */
export interface JsonResponse extends ResponseBase {
  schema: Schema;
  download?: undefined;
}

/** A file download (a StreamReply), documented by its media types. */
export interface DownloadResponse extends ResponseBase {
  schema?: undefined;
  download: { mediaTypes: readonly string[] };
}

export type SuccessResponse = JsonResponse | DownloadResponse;

export type Method = 'get' | 'post' | 'patch';

export interface OperationSpec<P, Q, B, U = undefined> {
  method: Method;
  /** Full path in OpenAPI form: /api/v1/objects/{uscc}. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** Who may call it: 'public' (no account), or the roles whose users may. */
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Set when the request body is a file (CSV, XLSX) rather than JSON; excludes `body`. */
  upload?: U;
  /** Success responses by status. */
  responses: Record<number, SuccessResponse>;
  /** Error statuses besides 400 (when there is input) and 500, for the document. */
  errors?: number[];
  /**
   * Where problems reported by a service with a bare field path ('department') belong.
   * Defaults to 'body'; list operations that resolve a query parameter set 'query'.
   */
  serviceProblemsIn?: Location;
  handle(input: HandlerInput<P, Q, B, U>): Promise<Reply>;
}

/** An operation with its types erased, as routers and the document builder hold them. */
export type Operation = OperationSpec<Schema | undefined, Schema | undefined, Schema | undefined, UploadSpec | undefined>;

/** Declares an operation, inferring the handler's input types from the schemas. */
export function defineOperation<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  U extends UploadSpec | undefined = undefined,
>(spec: OperationSpec<P, Q, B, U>): Operation {
  if (spec.body && spec.upload) throw new Error(`${spec.operationId}: an operation takes either a JSON body or an upload, not both`);
  return spec as unknown as Operation;
}

/** /api/v1/objects/{uscc} → /api/v1/objects/:uscc */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}

/** An empty query parameter (?street=&grade=A, as HTML forms send) means "no filter". */
function withoutEmptyValues(query: unknown): unknown {
  if (query === null || typeof query !== 'object') return query;
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));
}

/** Validates params, query and body together so that one 400 names every problem. */
function parseRequest(op: Operation, req: Request): { params: unknown; query: unknown; body: unknown } {
  const problems: Problem[] = [];
  const parts: [Location, Schema | undefined, unknown][] = [
    ['params', op.params, req.params],
    ['query', op.query, withoutEmptyValues(req.query)],
    ['body', op.body, req.body],
  ];
  const out: Record<Location, unknown> = { params: undefined, query: undefined, body: undefined };
  for (const [location, schema, data] of parts) {
    if (!schema) continue;
    const result = schema.safeParse(data);
    if (result.success) out[location] = result.data;
    else problems.push(...problemsFromZod(result.error, location, schema, data));
  }
  if (problems.length) throw new ValidationError(summarize(problems), problems);
  return out;
}

/**
 * Services name fields bare ('ratioCap') and sometimes report a 400 without any problem;
 * give every problem a full path so that each 400 names where it went wrong.
 */
function locateServiceProblems(err: unknown, location: Location): unknown {
  if (!(err instanceof AppError) || err.status !== 400) return err;
  const problems: Problem[] = err.problems.length
    ? err.problems.map((p) => ({
        ...p,
        path: !p.path ? location : /^(body|query|params)(\.|$)/.test(p.path) ? p.path : `${location}.${p.path}`,
      }))
    : [{ path: location, code: err.code, message: err.message }];
  return new AppError(err.status, err.code, err.message, problems);
}

/** RFC 5987 encoding of a header parameter value (filename*=UTF-8''…). */
function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Content-Disposition: attachment (RFC 6266). A name outside printable ASCII goes in filename*,
 * which every current browser reads, with an ASCII filename for older clients.
 */
export function attachmentHeader(filename: string, asciiFallback?: string): string {
  const printable = /^[\x20-\x7e]*$/;
  const ascii = printable.test(filename) ? filename : asciiFallback && printable.test(asciiFallback) ? asciiFallback : filename.replace(/[^\x20-\x7e]+/g, '_');
  const quoted = `"${ascii.replace(/[\\"]/g, '\\$&')}"`;
  return ascii === filename ? `attachment; filename=${quoted}` : `attachment; filename=${quoted}; filename*=UTF-8''${rfc5987(filename)}`;
}

/** Sends a StreamReply. A failure before the first byte still becomes a JSON error; after it, the download is aborted. */
async function sendStream(reply: StreamReply, req: Request, res: Response, deps: Deps): Promise<void> {
  res.status(reply.status ?? 200);
  res.type(reply.contentType);
  if (reply.filename) res.set('Content-Disposition', attachmentHeader(reply.filename, reply.asciiFilename));
  try {
    await reply.stream(res);
  } catch (err) {
    if (!res.headersSent) {
      // Nothing sent yet: the error handler answers in JSON, not as a file.
      res.removeHeader('Content-Disposition');
      res.removeHeader('Content-Type');
      throw err;
    }
    // Too late for an error body: the client sees the download break off.
    deps.logger.error({ err, requestId: res.getHeader('X-Request-Id'), method: req.method, url: req.originalUrl }, 'download failed');
    res.destroy();
  }
}

/** 401 without a valid token, 403 for a role the operation does not admit — before any input is read. */
function checkAccess(op: Operation, req: Request): void {
  if (op.access === 'public') return;
  const actor = req.actor;
  if (!isUserActor(actor)) {
    throw req.tokenRejected
      ? new AppError(401, 'TOKEN_INVALID', '登录令牌无效、已过期或已注销，请重新登录（POST /api/v1/auth/login）')
      : new AppError(401, 'UNAUTHENTICATED', '请先登录（POST /api/v1/auth/login），并在请求头中带上 Authorization: Bearer <令牌>');
  }
  if (!op.access.includes(actor.role)) {
    throw new ForbiddenError(`当前账号（${actor.role}）无权执行此操作；允许的角色：${op.access.join('、')}`, 'FORBIDDEN_ROLE');
  }
}

function route(op: Operation, deps: Deps): RequestHandler {
  const limit = op.upload ? (deps.uploadLimitBytes ?? op.upload.maxBytes) : 0;
  return async (req, res) => {
    let reply: Reply;
    try {
      checkAccess(op, req);
      if (op.upload) checkUploadHeaders(req, op.upload, limit);
      const { params, query, body } = parseRequest(op, req);
      const upload = op.upload ? receiveUpload(req, limit, op.upload.what) : undefined;
      try {
        reply = await op.handle({ params, query, body, upload, db: deps.handle.db, actor: requestActor(req), user: isUserActor(req.actor) ? req.actor : undefined, token: bearerToken(req), deps });
      } catch (err) {
        throw locateServiceProblems(err, op.serviceProblemsIn ?? 'body');
      }
    } catch (err) {
      // An upload refused before its body was read: close the connection rather than read it all.
      if (op.upload && hasBody(req.headers) && !req.complete) res.set('Connection', 'close');
      throw err;
    }
    if ('stream' in reply) {
      await sendStream(reply, req, res, deps);
      return;
    }
    if (reply.location) res.location(reply.location);
    res.status(reply.status ?? 200).json(reply.body);
  };
}

function methodNotAllowed(methods: string[]): RequestHandler {
  const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  return (req, res, next) => {
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next(new AppError(405, 'METHOD_NOT_ALLOWED', `${req.path} 不支持 ${req.method} 方法；可用的方法：${allow}`));
  };
}

/**
 * Sort key that puts a literal segment before a parameter in the same position, so that
 * /api/v1/objects/export is routed before /api/v1/objects/{uscc} can capture it. Two paths that can
 * match the same URL have as many segments and equal literals wherever both are literal, so the key
 * orders them by the first position where one has a literal and the other a parameter.
 */
function specificity(path: string): string {
  return path
    .split('/')
    .map((segment) => (/^\{\w+\}$/.test(segment) ? '1' : '0'))
    .join('');
}

/**
 * One express router for all operations. Paths are mounted most specific first, each with its
 * methods and then its 405 for other methods, so that GET /api/v1/objects/import is a 405 of that
 * path (POST only) rather than a lookup of an object whose USCC is "import".
 */
export function buildRouter(operations: Operation[], deps: Deps): Router {
  const router = express.Router();
  const byPath = new Map<string, Operation[]>();
  for (const op of operations) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  // Array.prototype.sort is stable: paths of equal rank keep their declared order.
  const paths = [...byPath.keys()].sort((a, b) => (specificity(a) < specificity(b) ? -1 : specificity(a) > specificity(b) ? 1 : 0));
  for (const path of paths) {
    const ops = byPath.get(path)!;
    for (const op of ops) router[op.method](expressPath(path), route(op, deps));
    router.all(expressPath(path), methodNotAllowed(ops.map((op) => op.method.toUpperCase())));
  }
  return router;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A RegExp matching the request paths an OpenAPI path stands for, as express routes match them by default: case-insensitive, an optional trailing slash. */
function pathRegExp(openApiPath: string): RegExp {
  const pattern = openApiPath
    .split(/(\{\w+\})/)
    .map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${pattern}/?$`, 'i');
}

/** True for a request to an upload operation, which the JSON-only middleware must let through. */
export function uploadRouteMatcher(operations: Operation[]): (req: Request) => boolean {
  const routes = operations.filter((op) => op.upload).map((op) => ({ method: op.method.toUpperCase(), regex: pathRegExp(op.path) }));
  return (req) => routes.some((r) => r.method === req.method && r.regex.test(req.path));
}

/** True for a request to a path some operation serves (with any method). */
export function knownPathMatcher(operations: Operation[]): (req: Request) => boolean {
  const regexes = [...new Set(operations.map((op) => op.path))].map(pathRegExp);
  return (req) => regexes.some((r) => r.test(req.path));
}
