/**
 * The seam for access control. Every request gets an `actor` before any route runs; writes are
 * attributed to it. Today the actor is always the API itself ('api'); when accounts arrive, this
 * middleware authenticates the caller and a route-level check can refuse with ForbiddenError,
 * without touching the handlers.
 */
import type { Request, RequestHandler } from 'express';
import type { WriteContext } from '../services/registry.ts';

export interface Actor {
  /** Recorded as the source of every change the request makes. */
  source: string;
}

declare global {
  namespace Express {
    interface Request {
      actor?: Actor;
    }
  }
}

export function actorMiddleware(): RequestHandler {
  return (req, _res, next) => {
    req.actor = { source: 'api' };
    next();
  };
}

/** The services' write context for this request. */
export function writeContext(req: Request): WriteContext {
  if (!req.actor) throw new Error('actorMiddleware is not mounted before the API routes');
  return { source: req.actor.source };
}
