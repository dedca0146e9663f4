/**
 * The express application of the HTTP API. Handlers are thin (validate → service → respond, see
 * operation.ts); errors become responses in one place (errors.ts).
 */
import express from 'express';
import type { DbHandle } from '../db/connection.ts';
import { createLogger, type Logger } from '../logger.ts';
import { actorMiddleware } from './actor.ts';
import { BODY_LIMIT, apiNotFound, errorHandler } from './errors.ts';
import { checkJsonShape, noStore, rejectNulCharacters, requestLog, requireJsonBody, securityHeaders } from './middleware.ts';
import { buildRouter, knownPathMatcher, uploadRouteMatcher } from './operation.ts';
import { operationGroups } from './routes/index.ts';
import { publicSite } from './publicSite.ts';
import { consoleSite } from './console/index.ts';
import { workerPoolFor, type WorkerPool } from '../services/workers.ts';

export interface AppDeps {
  handle: DbHandle;
  logger?: Logger;
  /** Size limit of file uploads (imports) in bytes; default: each upload operation's own (512 MB). */
  uploadLimitBytes?: number;
  /** The service's worker pool (startServer starts and closes it); default: the handle's own, started on first use. */
  workers?: WorkerPool;
}

export function createApp(deps: AppDeps): express.Express {
  const logger = deps.logger ?? createLogger();
  const routeDeps = { handle: deps.handle, logger, uploadLimitBytes: deps.uploadLimitBytes, workers: deps.workers ?? workerPoolFor(deps.handle) };
  const operations = operationGroups().flat();
  const isUpload = uploadRouteMatcher(operations);
  const isKnownPath = knownPathMatcher(operations);
  const json = express.json({ limit: BODY_LIMIT, strict: false, type: ['application/json', 'application/*+json'], verify: (_req, _res, buf) => checkJsonShape(buf) });
  const app = express();
  app.disable('x-powered-by');
  // Query strings are flat key=value pairs (no a[b]=c nesting): what the filters need, nothing more.
  app.set('query parser', 'simple');

  app.use(requestLog(logger));
  app.use(securityHeaders());
  app.use('/api', noStore());
  // Uploads take files; a path no operation serves answers 404 whatever its body (POST /api/v1/nope/import).
  app.use(requireJsonBody((req) => isUpload(req) || !isKnownPath(req)));
  // Not strict: a JSON array or string parses, and validation then says that an object is expected.
  // An upload's body is the file: its route streams it to disk, so no parser may touch it.
  app.use((req, res, next) => (isUpload(req) ? next() : json(req, res, next)));
  app.use(rejectNulCharacters());
  app.use(actorMiddleware(deps.handle));

  // One router, so that a literal path (/objects/export) is tried before a parameter (/objects/{uscc}).
  app.use(buildRouter(operations, routeDeps));
  // The console (工作台) for staff and inspectors: session cookie, forms, CSRF (console/).
  app.use('/console', consoleSite({ handle: deps.handle, logger, workers: routeDeps.workers }));
  // The public website (HTML pages, charts, check codes): no account needed.
  app.use(publicSite({ handle: deps.handle, logger }));

  app.use('/api', apiNotFound());
  app.use(errorHandler(logger));
  return app;
}
