/**
 * Who is calling. A bearer token (from POST /api/v1/auth/login) names the account, and the
 * request acts as that account's Actor (src/domain/actor.ts): every write is attributed to it and
 * its role, department and officer certificate decide the data scope. Each operation states
 * which roles may call it (operation.ts checks before anything else runs). A request without a
 * valid token acts as 'anonymous' and reaches only public operations.
 */
import type { Request, RequestHandler } from 'express';
import type { DbHandle } from '../db/connection.ts';
import type { Actor } from '../domain/actor.ts';
import { authenticate } from '../services/accounts.ts';

declare global {
  namespace Express {
    interface Request {
      actor?: Actor;
      /** A token was sent but is unknown, expired or revoked. */
      tokenRejected?: boolean;
    }
  }
}

const ANONYMOUS: Actor = Object.freeze({ name: 'anonymous' });

export function bearerToken(req: Request): string | undefined {
  const h = req.get('authorization');
  const m = h ? /^Bearer\s+([A-Za-z0-9_-]{20,200})\s*$/i.exec(h) : null;
  return m?.[1];
}

export function actorMiddleware(handle: DbHandle): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req);
    if (!token) {
      req.actor = ANONYMOUS;
      req.tokenRejected = req.get('authorization') !== undefined;
      next();
      return;
    }
    authenticate(handle.db, token).then(
      (user) => {
        req.actor = user ?? ANONYMOUS;
        req.tokenRejected = !user;
        next();
      },
      next,
    );
  };
}

/** The actor of this request. */
export function requestActor(req: Request): Actor {
  if (!req.actor) throw new Error('actorMiddleware is not mounted before the API routes');
  return req.actor;
}
