/**
 * What the public may see (一公开): which tasks and results are public, and how entities and
 * grades read on the public site and in the open data (docs/open-data.md). Pure: no database,
 * no clock.
 *
 * Never published:
 * - an entity's credit grade (or sector grade): a stratum appears only as its letter in a draw's
 *   per-grade rates and counts, and in an aggregate problem rate per grade over at least
 *   MIN_GROUP results, which identify nobody;
 * - personal data: legal representatives are never returned; an individual business whose name
 *   contains its operator's name is shown with that name masked (张*);
 * - results that are not published (entered, returned, approved);
 * - officers' names (a check code shows the team's certificate numbers, as the officers show
 *   their certificates at the door).
 */
import type { TaskStatus } from './plans.ts';
import type { ResultStatus } from './results.ts';

/** Task statuses whose commitment has been published (the inputs are frozen). A task that has had a draw is public too. */
export const PUBLIC_TASK_STATUSES = ['committed', 'drawn', 'in_progress', 'completed', 'published'] as const satisfies readonly TaskStatus[];

/** The only result status the public sees. */
export const PUBLISHED_RESULT_STATUS = 'published' as const satisfies ResultStatus;

/** A grade with fewer published results than this is left out of an aggregate (it could point at an entity). */
export const MIN_GROUP = 5;

/** 张三 → 张*, 欧阳小明 → 欧***: the family name's first character and one star per other character. */
export function maskPersonName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** What publicEntityName needs to know of an entity; the legal representative is read only to be masked. */
export interface EntityNameFacts {
  name: string | null;
  entity_type: string | null;
  legal_representative: string | null;
}

/**
 * The name of an entity as published. An individual business (个体工商户) is often named after
 * its operator (渝中区张伟小吃店): the operator's name inside it is masked (渝中区张*小吃店). A
 * one-character "name" is not masked (it would mask that character wherever it occurs).
 * Without a name (an entity no longer in the registry), `fallback` (the USCC, where callers have it).
 */
export function publicEntityName(o: EntityNameFacts | undefined, fallback = ''): string {
  if (!o?.name) return fallback;
  const person = o.legal_representative?.trim();
  if (o.entity_type === 'individual' && person && [...person].length >= 2 && o.name.includes(person)) return o.name.split(person).join(maskPersonName(person));
  return o.name;
}

/** A stratum as published: the grade letter only ("A 类"), never a label describing an entity. */
export function stratumLabel(s: string): string {
  return s === 'U' ? '未分类' : `${s} 类`;
}
