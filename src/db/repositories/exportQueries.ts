/**
 * Reads for registry exports: keyset pages ordered by the registry key, so that an export of a
 * million rows holds one page in memory at a time and each page is an index range scan (no OFFSET
 * that rescans everything before it).
 */
import type { Executor } from '../connection.ts';
import type { ObjectRow } from './objects.ts';
import type { InspectorRow } from './inspectors.ts';

export const EXPORT_PAGE_SIZE = 5000;

/** Objects with uscc greater than `after` (from the start when null), in uscc order. */
export async function objectsAfter(db: Executor, after: string | null, limit: number): Promise<ObjectRow[]> {
  let q = db.selectFrom('objects').selectAll();
  if (after !== null) q = q.where('uscc', '>', after);
  return q.orderBy('uscc').limit(limit).execute();
}

/** Inspectors with certificate_no greater than `after` (from the start when null), in that order. */
export async function inspectorsAfter(db: Executor, after: string | null, limit: number): Promise<InspectorRow[]> {
  let q = db.selectFrom('inspectors').selectAll();
  if (after !== null) q = q.where('certificate_no', '>', after);
  return q.orderBy('certificate_no').limit(limit).execute();
}

/** Every object, page by page. */
export async function* objectPages(db: Executor, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<ObjectRow[]> {
  let after: string | null = null;
  for (;;) {
    const page = await objectsAfter(db, after, pageSize);
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].uscc;
  }
}

/** Every inspector, page by page. */
export async function* inspectorPages(db: Executor, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<InspectorRow[]> {
  let after: string | null = null;
  for (;;) {
    const page = await inspectorsAfter(db, after, pageSize);
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].certificate_no;
  }
}
