import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('draws')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_key', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('window_end', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('commitment', 'text', (c) => c.notNull())
    .addColumn('randomness_source', 'text', (c) => c.notNull())
    .addColumn('committed_at', 'text', (c) => c.notNull())
    .addColumn('committed_by', 'text', (c) => c.notNull())
    .addColumn('randomness_typed', 'text')
    .addColumn('randomness_normalized', 'text')
    .addColumn('working_seed', 'text')
    .addColumn('seeded_at', 'text')
    .addColumn('seeded_by', 'text')
    .addColumn('drawn_at', 'text')
    .addColumn('drawn_by', 'text')
    .addColumn('result_digest', 'text')
    .addColumn('summary', 'text')
    .addColumn('voided_at', 'text')
    .addColumn('voided_by', 'text')
    .addColumn('void_reason', 'text')
    .execute();
  // At most one live (not voided) draw per task: a redraw needs the old one voided first.
  await db.schema.createIndex('draws_one_live_per_task').on('draws').column('task_key').unique().where(sql.ref('status'), '<>', sql.lit('voided')).execute();
  await db.schema.createIndex('draws_year').on('draws').columns(['year', 'status']).execute();

  await db.schema
    .createTable('draw_files')
    .addColumn('draw_id', 'text', (c) => c.notNull().references('draws.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('draw_files_pk', ['draw_id', 'name'])
    .execute();

  await db.schema
    .createTable('draw_selections')
    .addColumn('draw_id', 'text', (c) => c.notNull().references('draws.id'))
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addColumn('stratum', 'text', (c) => c.notNull())
    .addColumn('ticket', 'text', (c) => c.notNull())
    .addColumn('team', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('draw_selections_pk', ['draw_id', 'rank'])
    .addUniqueConstraint('draw_selections_entity', ['draw_id', 'uscc'])
    .execute();
  await db.schema.createIndex('draw_selections_uscc').on('draw_selections').column('uscc').execute();

  await db.schema
    .createTable('draw_team_members')
    .addColumn('draw_id', 'text', (c) => c.notNull().references('draws.id'))
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addColumn('certificate_no', 'text', (c) => c.notNull())
    .addColumn('department_code', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('draw_team_members_pk', ['draw_id', 'rank', 'certificate_no'])
    .execute();
  await db.schema.createIndex('draw_team_members_officer').on('draw_team_members').columns(['certificate_no', 'draw_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['draw_team_members', 'draw_selections', 'draw_files', 'draws', 'settings']) await db.schema.dropTable(t).ifExists().execute();
}
