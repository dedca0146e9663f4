/**
 * The express application of the HTTP API. Handlers are thin (validate → service → respond, see
 * operation.ts); errors become responses in one place (errors.ts).
 */
import express from 'express';
import type { DbHandle } from '../db/connection.ts';
import { createLogger, type Logger } from '../logger.ts';
import { actorMiddleware } from './actor.ts';
import { BODY_LIMIT, apiNotFound, errorHandler } from './errors.ts';
import { noStore, requestLog, requireJsonBody, securityHeaders } from './middleware.ts';
import { buildRouter } from './operation.ts';
import { operationGroups } from './routes/index.ts';

export interface AppDeps {
  handle: DbHandle;
  logger?: Logger;
}

export function createApp(deps: AppDeps): express.Express {
  const logger = deps.logger ?? createLogger();
  const routeDeps = { handle: deps.handle, logger };
  const app = express();
  app.disable('x-powered-by');
  // Query strings are flat key=value pairs (no a[b]=c nesting): what the filters need, nothing more.
  app.set('query parser', 'simple');

  app.use(requestLog(logger));
  app.use(securityHeaders());
  app.use('/api', noStore());
  app.use(requireJsonBody());
  // Not strict: a JSON array or string parses, and validation then says that an object is expected.
  app.use(express.json({ limit: BODY_LIMIT, strict: false, type: ['application/json', 'application/*+json'] }));
  app.use(actorMiddleware());

  for (const operations of operationGroups()) app.use(buildRouter(operations, routeDeps));

  app.use('/api', apiNotFound());
  app.use(errorHandler(logger));
  return app;
}
