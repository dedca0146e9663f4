/**
 * Who is calling. A bearer token (from POST /api/v1/auth/login) names the user; every write is
 * attributed to that user. Each operation states which roles may call it (operation.ts checks
 * before anything else runs), and data scoping (a regulator's department, an inspector's own
 * teams) is checked by the routes and services with `req.actor.user`.
 */
import type { Request, RequestHandler } from 'express';
import type { DbHandle } from '../db/connection.ts';
import { authenticate, type AuthUser } from '../services/accounts.ts';
import type { WriteContext } from '../services/registry.ts';

export interface Actor {
  /** Recorded as the source of every change the request makes. */
  source: string;
  user?: AuthUser;
  /** Set when a token was sent but is unknown, expired or revoked. */
  tokenRejected?: boolean;
}

declare global {
  namespace Express {
    interface Request {
      actor?: Actor;
    }
  }
}

export function bearerToken(req: Request): string | undefined {
  const h = req.get('authorization');
  const m = h ? /^Bearer\s+([A-Za-z0-9_-]{20,200})\s*$/i.exec(h) : null;
  return m?.[1];
}

export function actorMiddleware(handle: DbHandle): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req);
    if (!token) {
      req.actor = { source: 'anonymous', tokenRejected: req.get('authorization') !== undefined };
      next();
      return;
    }
    authenticate(handle.db, token).then(
      (user) => {
        req.actor = user ? { source: user.username, user } : { source: 'anonymous', tokenRejected: true };
        next();
      },
      next,
    );
  };
}

/** The services' write context for this request. */
export function writeContext(req: Request): WriteContext {
  if (!req.actor) throw new Error('actorMiddleware is not mounted before the API routes');
  return { source: req.actor.source, user: req.actor.user };
}
