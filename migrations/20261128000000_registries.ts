import { sql, type Kysely, type CreateTableBuilder } from 'kysely';
import { isSqlite } from '../src/db/migrate.ts';

/** An auto-increment integer primary key on either dialect. */
function withId(db: Kysely<any>, t: CreateTableBuilder<any, any>): CreateTableBuilder<any, any> {
  return isSqlite(db)
    ? t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('departments')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('matters')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('department_code', 'text', (c) => c.notNull().references('departments.code'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('legal_basis', 'text')
    .addColumn('importance', 'text', (c) => c.notNull())
    .addColumn('ratio_cap', 'real')
    .addColumn('entity_types', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('method', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('objects')
    .addColumn('uscc', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('industry_code', 'text')
    .addColumn('street', 'text')
    .addColumn('address', 'text')
    .addColumn('registered_on', 'text')
    .addColumn('legal_representative', 'text')
    .addColumn('registration_status', 'text', (c) => c.notNull())
    .addColumn('credit_grade', 'text')
    .addColumn('graded_on', 'text')
    .addColumn('sector_grade', 'text')
    .addColumn('sector_graded_on', 'text')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // SQLite: cluster the table by USCC, so reading the registry in key order (as a draw's
    // canonical frame needs) is a sequential scan rather than an index walk with a lookup per row.
    .$call((t) => (isSqlite(db) ? t.modifyEnd(sql`without rowid`) : t))
    .execute();
  await db.schema.createIndex('objects_grade').on('objects').columns(['credit_grade']).execute();
  await db.schema.createIndex('objects_street').on('objects').columns(['street']).execute();

  await withId(db, db.schema.createTable('grade_history'))
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('grade', 'text')
    .addColumn('graded_on', 'text')
    .addColumn('superseded_on', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grade_history_uscc').on('grade_history').columns(['uscc', 'kind']).execute();

  await withId(db, db.schema.createTable('registry_changes'))
    .addColumn('registry', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('before', 'text', (c) => c.notNull())
    .addColumn('after', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('registry_changes_key').on('registry_changes').columns(['registry', 'key']).execute();

  await withId(db, db.schema.createTable('abnormal_listings'))
    .addColumn('uscc', 'text', (c) => c.notNull().references('objects.uscc'))
    .addColumn('listed_on', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('removed_on', 'text')
    .addColumn('removal_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('abnormal_listings_uscc').on('abnormal_listings').columns(['uscc']).execute();

  await db.schema
    .createTable('inspectors')
    .addColumn('certificate_no', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('department_code', 'text', (c) => c.notNull().references('departments.code'))
    .addColumn('valid_from', 'text')
    .addColumn('valid_to', 'text')
    .addColumn('qualifications', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('yearly_capacity', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inspectors_department').on('inspectors').columns(['department_code']).execute();

  await withId(db, db.schema.createTable('conflicts'))
    .addColumn('certificate_no', 'text', (c) => c.notNull().references('inspectors.certificate_no'))
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('declared_on', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('conflicts_pair', ['certificate_no', 'uscc'])
    .execute();

  await withId(db, db.schema.createTable('past_inspections'))
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addColumn('inspected_on', 'text', (c) => c.notNull())
    .addColumn('department_code', 'text', (c) => c.notNull())
    .addColumn('officers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('result_codes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('task_ref', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('past_inspections_key', ['uscc', 'inspected_on', 'department_code'])
    .execute();

  await withId(db, db.schema.createTable('past_violations'))
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addColumn('occurred_on', 'text', (c) => c.notNull())
    .addColumn('violation_type', 'text', (c) => c.notNull())
    .addColumn('decision', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('past_violations_key', ['uscc', 'occurred_on', 'violation_type'])
    .execute();

  await db.schema
    .createTable('import_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('skip_invalid', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inserted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('summary', 'text')
    .addColumn('message', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'import_jobs', 'past_violations', 'past_inspections', 'conflicts', 'inspectors', 'abnormal_listings',
    'registry_changes', 'grade_history', 'objects', 'matters', 'departments',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
