/**
 * Security fixes of the first probe:
 * - import jobs belong to the user who uploaded the file (shown only to that user and to
 *   administrators), and their report and rejects files expire;
 * - the audit trail's append-only guards also refuse `INSERT OR REPLACE` on SQLite and a
 *   chain head that changes without a matching entry (see installAuditGuards).
 */
import type { Kysely } from 'kysely';
import { installAuditGuards } from './20261128040000_audit.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_jobs').addColumn('owner_id', 'text').execute();
  await db.schema.alterTable('import_jobs').addColumn('files_expired_at', 'text').execute();
  await db.schema.createIndex('import_jobs_created').on('import_jobs').column('created_at').execute();
  // installAuditGuards drops and recreates every guard, so an older set is replaced.
  await installAuditGuards(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // The guards stay the stricter ones: they hold on the older schema too.
  await db.schema.dropIndex('import_jobs_created').ifExists().execute();
  await db.schema.alterTable('import_jobs').dropColumn('files_expired_at').execute();
  await db.schema.alterTable('import_jobs').dropColumn('owner_id').execute();
}
