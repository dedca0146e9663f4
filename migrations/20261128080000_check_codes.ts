/**
 * Inspection check codes (检查核验码): one per visit, unique. No foreign key to visits: a visit
 * that was never notified can be rebuilt by the merge of visits (with a new id), and its code then
 * simply stops matching anything. Table types: src/db/checkSchema.ts.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('check_codes')
    .addColumn('visit_id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('check_codes').ifExists().execute();
}
