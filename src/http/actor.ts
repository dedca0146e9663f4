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

/**
 * Until accounts exist, a caller may name itself with the `X-Actor` header (e.g. the user name
 * of the regulator at the desk), so that the four-eyes rule on plan approval has two names to
 * compare. It is a label, not an authentication: the accounts issue replaces it with login.
 */
export function actorMiddleware(): RequestHandler {
  return (req, _res, next) => {
    const named = req.get('x-actor');
    const clean = named && /^[\p{L}\p{N}_.@-]{1,64}$/u.test(named.trim()) ? named.trim() : undefined;
    req.actor = { source: clean ? `api:${clean}` : 'api' };
    next();
  };
}

/** The services' write context for this request. */
export function writeContext(req: Request): WriteContext {
  if (!req.actor) throw new Error('actorMiddleware is not mounted before the API routes');
  return { source: req.actor.source };
}
