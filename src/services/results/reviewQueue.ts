/**
 * The reviewers' queue (待审核结果): the assignments whose result waits for review ('entered'),
 * as GET /api/v1/assignments?state=entered lists them for a reviewer or administrator, each with
 * its result's inspection date and author for the queue's table.
 */
import * as repo from '../../db/repositories/results.ts';
import type { Executor } from '../../db/connection.ts';
import type { UserActor } from '../../domain/actor.ts';
import { requireRole } from './access.ts';
import { listAssignments, type Page } from './views.ts';

/** Those who review results (POST /api/v1/assignments/{id}/review). */
export const REVIEWERS = ['reviewer', 'admin'] as const;

export async function listReviewQueue(db: Executor, who: UserActor, p: Page) {
  requireRole(who, [...REVIEWERS]);
  const list = await listAssignments(db, who, { state: 'entered' }, p);
  const results = await Promise.all(list.items.map((i) => repo.findResultOfVisit(db, i.id)));
  return {
    ...list,
    items: list.items.map((i, n) => {
      const r = results[n];
      return { ...i, inspectedOn: r?.inspected_on ?? null, enteredBy: r?.entered_by ?? null, enteredAt: r?.entered_at ?? null, revision: r?.revision ?? null };
    }),
  };
}
