/**
 * One API operation = method + path + the zod schemas of its inputs and outputs + a thin handler.
 * The same declaration mounts the express route (validating params, query and body before the
 * handler runs) and produces the OpenAPI entry (openapi.ts), so the two cannot disagree.
 */
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { z } from 'zod';
import type { DbHandle, Db } from '../db/connection.ts';
import type { Logger } from '../logger.ts';
import type { WriteContext } from '../services/registry.ts';
import { AppError, ValidationError, type Problem } from '../domain/errors.ts';
import { writeContext } from './actor.ts';
import { problemsFromZod, summarize, type Location } from './problems.ts';

type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

export interface Deps {
  handle: DbHandle;
  logger: Logger;
}

export interface HandlerInput<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  db: Db;
  /** Who is writing, for the services' change log. */
  ctx: WriteContext;
  deps: Deps;
}

export interface Reply {
  /** Defaults to 200. */
  status?: number;
  body: unknown;
  /** Sets the Location header (201 responses). */
  location?: string;
}

export interface SuccessResponse {
  description: string;
  schema: Schema;
  /** True when the response carries a Location header. */
  location?: boolean;
}

export type Method = 'get' | 'post' | 'patch';

export interface OperationSpec<P, Q, B> {
  method: Method;
  /** Full path in OpenAPI form: /api/v1/objects/{uscc}. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Success responses by status. */
  responses: Record<number, SuccessResponse>;
  /** Error statuses besides 400 (when there is input) and 500, for the document. */
  errors?: number[];
  /**
   * Where problems reported by a service with a bare field path ('department') belong.
   * Defaults to 'body'; list operations that resolve a query parameter set 'query'.
   */
  serviceProblemsIn?: Location;
  handle(input: HandlerInput<P, Q, B>): Promise<Reply>;
}

/** An operation with its types erased, as routers and the document builder hold them. */
export type Operation = OperationSpec<Schema | undefined, Schema | undefined, Schema | undefined>;

/** Declares an operation, inferring the handler's input types from the schemas. */
export function defineOperation<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  spec: OperationSpec<P, Q, B>,
): Operation {
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

function route(op: Operation, deps: Deps): RequestHandler {
  return async (req, res) => {
    const { params, query, body } = parseRequest(op, req);
    let reply: Reply;
    try {
      reply = await op.handle({ params, query, body, db: deps.handle.db, ctx: writeContext(req), deps });
    } catch (err) {
      throw locateServiceProblems(err, op.serviceProblemsIn ?? 'body');
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

/** One express router for the operations of one resource; other methods on its paths get 405. */
export function buildRouter(operations: Operation[], deps: Deps): Router {
  const router = express.Router();
  const methodsByPath = new Map<string, string[]>();
  for (const op of operations) {
    router[op.method](expressPath(op.path), route(op, deps));
    methodsByPath.set(op.path, [...(methodsByPath.get(op.path) ?? []), op.method.toUpperCase()]);
  }
  for (const [path, methods] of methodsByPath) router.all(expressPath(path), methodNotAllowed(methods));
  return router;
}
