/**
 * Attachments of an inspection result (photos and scanned records): one row per uploaded file of
 * a visit, the file itself kept content-addressed (by its SHA-256) in the attachments folder
 * (ATTACHMENT_DIR, default data/attachments). Table types: src/db/attachmentSchema.ts.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('result_attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('visit_id', 'text', (c) => c.notNull().references('visits.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('stored_name', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('result_attachments_visit').on('result_attachments').columns(['visit_id', 'uploaded_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('result_attachments').ifExists().execute();
}
