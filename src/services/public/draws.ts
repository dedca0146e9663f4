/**
 * The draws of tasks (抽取记录) in the stable open-data shape (docs/open-data.md): the listing
 * behind /api/v1/public/draws. Every draw that belongs to a task is public, voided ones too with
 * their reason; the selection itself is counted here and listed on the task page.
 */
import * as repo from '../../db/repositories/publicQueries.ts';
import type { Executor } from '../../db/connection.ts';
import type { Page, Paged } from './common.ts';

/** One draw of a task, in the stable open-data shape (docs/open-data.md). */
export interface PublicDraw {
  drawId: string;
  taskId: string;
  taskName: string;
  year: number;
  window: { start: string; end: string };
  status: string;
  algorithm: string;
  commitment: string;
  committedAt: string;
  randomnessSource: string;
  randomness: string | null;
  randomnessNormalized: string | null;
  workingSeed: string | null;
  seededAt: string | null;
  drawnAt: string | null;
  resultDigest: string | null;
  selectedCount: number;
  voidedAt: string | null;
  voidReason: string | null;
  bundleUrl: string | null;
}

/** The public bundle of a draw, once it has been drawn. */
export const bundleUrlOf = (d: { id: string; drawn_at: string | null }): string | null => (d.drawn_at ? `/api/v1/draws/${d.id}/bundle` : null);

/** Draws of tasks, oldest commitment first. */
export async function listPublicDraws(db: Executor, filter: repo.DrawFilter, page: Page): Promise<Paged<PublicDraw>> {
  const { rows, total } = await repo.listPublicDraws(db, filter, page);
  const items = rows.map((d) => ({
    drawId: d.id,
    taskId: d.task_key,
    taskName: d.task_name,
    year: Number(d.year),
    window: { start: d.window_start, end: d.window_end },
    status: d.status,
    algorithm: d.algorithm,
    commitment: d.commitment,
    committedAt: d.committed_at,
    randomnessSource: d.randomness_source,
    randomness: d.randomness_typed,
    randomnessNormalized: d.randomness_normalized,
    workingSeed: d.working_seed,
    seededAt: d.seeded_at,
    drawnAt: d.drawn_at,
    resultDigest: d.result_digest,
    selectedCount: Number(d.selected ?? 0),
    voidedAt: d.voided_at,
    voidReason: d.void_reason,
    bundleUrl: bundleUrlOf(d),
  }));
  return { items, total, limit: page.limit, offset: page.offset };
}
