/**
 * Entities on the public site (主体查询): the search among entities that appear in a task's draw
 * or in a published result, and an entity's public record — the draws it was selected in (voided
 * ones marked) and its published results. No grade, no personal data: names are shown as
 * published (src/domain/publicPrivacy.ts) and the legal representative is never returned.
 */
import * as repo from '../../db/repositories/publicQueries.ts';
import type { Executor } from '../../db/connection.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { publicEntityName } from '../../domain/publicPrivacy.ts';
import { REGISTRATION_STATUS_LABELS, type RegistrationStatus } from '../../domain/registry.ts';
import { entityTypeLabel } from './common.ts';
import { listPublishedResults } from './results.ts';

export interface EntityHit {
  uscc: string;
  name: string;
  entityType: string;
  street: string | null;
}

/**
 * Entities that appear in a task's draw or in a published result, by part of the name (as
 * published: a masked operator's name cannot be searched for) or of the USCC.
 */
export async function searchEntities(db: Executor, q: string, limit = 50): Promise<EntityHit[]> {
  const text = q.trim();
  if (!text) return [];
  const upper = text.toUpperCase();
  const hits: EntityHit[] = [];
  // The query matches the stored name, which may hold the operator's name: candidates are
  // over-fetched and kept only if the published name (or the USCC) still matches.
  for (const o of await repo.searchPublicEntities(db, text, limit * 4)) {
    const name = publicEntityName(o, o.uscc);
    if (!name.includes(text) && !o.uscc.includes(upper)) continue;
    hits.push({ uscc: o.uscc, name, entityType: entityTypeLabel(o.entity_type), street: o.street });
    if (hits.length >= limit) break;
  }
  return hits;
}

/** An entity's public record: draws it was selected in, published results. 404 for an entity the public cannot look up. */
export async function publicEntity(db: Executor, uscc: string) {
  const o = await repo.findPublicEntity(db, uscc);
  if (!o) throw new NotFoundError(`没有统一社会信用代码为 ${uscc} 的公开抽查记录`, 'ENTITY_NOT_FOUND');
  const selections = await repo.selectionsOfEntity(db, uscc);
  const results = await listPublishedResults(db, { uscc }, { limit: 500, offset: 0 });
  return {
    uscc: o.uscc,
    name: publicEntityName(o, o.uscc),
    entityType: entityTypeLabel(o.entity_type),
    street: o.street,
    registrationStatus: REGISTRATION_STATUS_LABELS[o.registration_status as RegistrationStatus] ?? o.registration_status,
    selections: selections.map((s) => ({
      drawId: s.draw_id,
      taskId: s.task_id,
      taskName: s.task_name,
      window: { start: s.window_start, end: s.window_end },
      drawnAt: s.drawn_at,
      voided: s.status === 'voided',
      voidedAt: s.voided_at,
    })),
    results: results.items,
  };
}
export type PublicEntity = Awaited<ReturnType<typeof publicEntity>>;
