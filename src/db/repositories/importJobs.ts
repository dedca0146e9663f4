import type { Insertable, Selectable, Updateable } from 'kysely';
import type { ImportJobTable } from '../schema.ts';
import type { Executor } from '../connection.ts';

export type ImportJobRow = Selectable<ImportJobTable>;

export async function insertImportJob(db: Executor, row: Insertable<ImportJobTable>): Promise<void> {
  await db.insertInto('import_jobs').values(row).execute();
}

export async function updateImportJob(db: Executor, id: string, changes: Updateable<ImportJobTable>): Promise<void> {
  await db.updateTable('import_jobs').set(changes).where('id', '=', id).execute();
}

export async function findImportJob(db: Executor, id: string): Promise<ImportJobRow | undefined> {
  return db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Jobs left 'queued' or 'running' by a process that stopped. */
export async function failUnfinishedImportJobs(db: Executor, message: string, at: string): Promise<number> {
  const r = await db
    .updateTable('import_jobs')
    .set({ status: 'failed', message, finished_at: at })
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Marks one job failed unless it already finished. */
export async function failUnfinishedImportJob(db: Executor, id: string, message: string, at: string): Promise<void> {
  await db
    .updateTable('import_jobs')
    .set({ status: 'failed', message, finished_at: at })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .execute();
}

/** Finished jobs whose files are still kept and that ended before `before`. */
export async function jobsWithFilesEndedBefore(db: Executor, before: string): Promise<string[]> {
  const rows = await db
    .selectFrom('import_jobs')
    .select('id')
    .where('finished_at', 'is not', null)
    .where('finished_at', '<', before)
    .where('files_expired_at', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

export async function markFilesExpired(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('import_jobs').set({ files_expired_at: at }).where('id', '=', id).execute();
}

/** The columns a list of jobs shows (not the stored report, which can be large). */
export type ImportJobListRow = Omit<ImportJobRow, 'summary'>;

/**
 * Jobs newest first: of one owner (`ownerId`), or of everyone (`ownerId` null), optionally only
 * those in `statuses`.
 */
export async function listImportJobs(
  db: Executor,
  filter: { ownerId: string | null; statuses?: readonly ImportJobRow['status'][] },
  page: { limit: number; offset?: number },
): Promise<ImportJobListRow[]> {
  let q = db
    .selectFrom('import_jobs')
    .select(['id', 'kind', 'status', 'file_name', 'skip_invalid', 'rows_read', 'inserted', 'updated', 'rejected', 'message', 'created_at', 'finished_at', 'owner_id', 'files_expired_at']);
  if (filter.ownerId !== null) q = q.where('owner_id', '=', filter.ownerId);
  if (filter.statuses) q = q.where('status', 'in', [...filter.statuses]);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset ?? 0).execute();
}
