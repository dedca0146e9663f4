/**
 * What the public views (一公开) share: department names for the codes a task or visit lists, the
 * entity type as a label, and the page of an open-data listing.
 */
import * as repo from '../../db/repositories/publicQueries.ts';
import type { Executor } from '../../db/connection.ts';
import { ENTITY_TYPE_LABELS, type EntityType } from '../../domain/registry.ts';

/** A page of an open-data listing. */
export interface Page {
  limit: number;
  offset: number;
}

/** One page of a listing and how many rows match in all. */
export interface Paged<T> extends Page {
  items: T[];
  total: number;
}

/** Department names by code (a code without a department row is shown as itself by the callers). */
export async function departmentMap(db: Executor, codes: string[]): Promise<Map<string, string>> {
  return new Map((await repo.departmentNames(db, [...new Set(codes)])).map((d) => [d.code, d.name]));
}

export const departmentsOfTask = (departments: readonly { code: string }[]) => departments.map((d) => d.code);

/** 企业, 个体工商户, …; an unknown type as itself, none as ''. */
export const entityTypeLabel = (t: string | null) => (t ? (ENTITY_TYPE_LABELS[t as EntityType] ?? t) : '');
