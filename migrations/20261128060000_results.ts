/**
 * The inspectors' work: notices served on entities, inspection results, proposed coercive
 * measures (with their no-coercion checks and two-person overrides) and result events.
 * Table types: src/db/resultSchema.ts.
 */
import type { Kysely } from 'kysely';
import { isSqlite } from '../src/db/migrate.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('visit_notices')
    .addColumn('visit_id', 'text', (c) => c.primaryKey().references('visits.id'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('issuer_code', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addUniqueConstraint('visit_notices_issuer_year_seq', ['issuer_code', 'year', 'seq'])
    .execute();

  await db.schema
    .createTable('inspection_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('visit_id', 'text', (c) => c.notNull().unique().references('visits.id'))
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id'))
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('inspected_on', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('codes', 'text', (c) => c.notNull())
    .addColumn('follow_up', 'text', (c) => c.notNull())
    .addColumn('findings', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('entered_by', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('review_comment', 'text')
    .addColumn('published_by', 'text')
    .addColumn('published_at', 'text')
    .execute();
  await db.schema.createIndex('inspection_results_status').on('inspection_results').columns(['status']).execute();
  await db.schema.createIndex('inspection_results_uscc').on('inspection_results').columns(['uscc', 'inspected_on']).execute();

  await db.schema
    .createTable('result_measures')
    .addColumn('result_id', 'text', (c) => c.notNull().references('inspection_results.id'))
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('measure', 'text', (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('evaluation', 'text', (c) => c.notNull())
    .addColumn('basis', 'text')
    .addColumn('list_version', 'text')
    .addColumn('item_number', 'text')
    .addColumn('override_reason', 'text')
    .addColumn('override_requested_by', 'text')
    .addColumn('override_requested_at', 'text')
    .addColumn('override_approved_by', 'text')
    .addColumn('override_approved_at', 'text')
    .addColumn('override_comment', 'text')
    .addPrimaryKeyConstraint('result_measures_pk', ['result_id', 'n'])
    .execute();

  await db.schema
    .createTable('result_events')
    .addColumn('id', 'integer', (c) => (isSqlite(db) ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity()))
    .addColumn('result_id', 'text', (c) => c.notNull().references('inspection_results.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('measure_n', 'integer')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .execute();
  await db.schema.createIndex('result_events_result').on('result_events').columns(['result_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['result_events', 'result_measures', 'inspection_results', 'visit_notices']) await db.schema.dropTable(t).ifExists().execute();
}
