/**
 * Console pages of the reviewers (审核): the queue of results awaiting review and one result in
 * full with the review form. Same services and roles as GET /api/v1/assignments?state=entered
 * and POST /api/v1/assignments/{id}/review: the four-eyes and team rules are the service's.
 */
import type { Router } from 'express';
import { assignmentNotFound } from '../../services/results/access.ts';
import { getAssignment } from '../../services/results/views.ts';
import { reviewResult } from '../../services/results/review.ts';
import { listReviewQueue, REVIEWERS } from '../../services/results/reviewQueue.ts';
import { attachmentsOf, reviewDetailPage, reviewQueuePage } from '../../web/console/pages/review.ts';
import { csrfField, paging, route, type ConsoleDeps } from './kit.ts';

const QUEUE = '/console/review';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The assignment id of the URL; anything but a UUID answers 404 as the API's (which validates it). */
function idOf(raw: unknown): string {
  const id = String(raw ?? '');
  if (!UUID.test(id)) throw assignmentNotFound(id.slice(0, 64));
  return id;
}

export function registerReview(router: Router, deps: ConsoleDeps): void {
  route(router, deps, 'get', '/review', REVIEWERS, async (ctx) => {
    const p = paging(ctx);
    const r = await listReviewQueue(ctx.db, ctx.user, { limit: p.limit, offset: p.offset });
    ctx.render('待审核结果', reviewQueuePage({ items: r.items, total: r.total, page: p.page, hasNext: p.offset + r.items.length < r.total }), {
      current: QUEUE,
      crumbs: [{ label: '待审核结果' }],
    });
  });

  route(router, deps, 'get', '/review/:id', REVIEWERS, async (ctx) => {
    const a = await getAssignment(ctx.db, ctx.user, idOf(ctx.req.params.id));
    ctx.render(`审核：${a.entity.name || a.entity.uscc}`, reviewDetailPage({ a, attachments: attachmentsOf(a), csrfField: csrfField(ctx.csrf) }), {
      current: QUEUE,
      crumbs: [{ label: '待审核结果', href: QUEUE }, { label: a.entity.name || a.entity.uscc }],
    });
  });

  route(
    router,
    deps,
    'post',
    '/review/:id',
    REVIEWERS,
    async (ctx) => {
      const id = idOf(ctx.req.params.id);
      const decision = ctx.field('decision', 20);
      const comment = ctx.field('comment', 2000);
      const a = await reviewResult(ctx.db, ctx.user, id, { decision, ...(comment ? { comment } : {}) });
      const name = a.entity.name || a.entity.uscc;
      ctx.redirect(QUEUE, decision === 'approve' ? `已审核通过 ${name} 的检查结果。` : `已将 ${name} 的检查结果退回检查组修改。`);
    },
    { back: (req) => `${QUEUE}/${encodeURIComponent(String(req.params.id))}` },
  );
}
