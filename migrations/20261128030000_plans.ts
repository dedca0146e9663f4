import type { Kysely } from 'kysely';
import { isSqlite } from '../src/db/migrate.ts';

export async function up(db: Kysely<any>): Promise<void> {
  // A department's published cap on how often one enterprise may be inspected per year.
  await db.schema.alterTable('departments').addColumn('yearly_cap', 'integer').execute();

  await db.schema
    .createTable('plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization', 'text', (c) => c.notNull().references('departments.code'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('plans_org_year', ['organization', 'year'])
    .execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lead_department', 'text', (c) => c.notNull())
    /** JSON: [{code, officersPerTeam}] — lead first, then partners. */
    .addColumn('departments', 'text', (c) => c.notNull())
    .addColumn('matters', 'text', (c) => c.notNull())
    .addColumn('filters', 'text', (c) => c.notNull())
    .addColumn('selection', 'text', (c) => c.notNull())
    .addColumn('exclude_strata', 'text', (c) => c.notNull())
    .addColumn('exclusions', 'text', (c) => c.notNull())
    .addColumn('stratify_by', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('window_end', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('randomness_source', 'text', (c) => c.notNull())
    .addColumn('commit_at', 'text')
    .addColumn('draw_id', 'text')
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('tasks_plan_number', ['plan_id', 'number'])
    .execute();
  await db.schema.createIndex('tasks_status').on('tasks').columns(['status']).execute();

  await db.schema
    .createTable('task_events')
    .addColumn('id', 'integer', (c) => (isSqlite(db) ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity()))
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('task_events_task').on('task_events').columns(['task_id', 'at']).execute();

  // One visit to one entity covering every matter of the plan's tasks drawn for the same period.
  await db.schema
    .createTable('visits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id'))
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('window_end', 'text', (c) => c.notNull())
    /** JSON: task ids, matters, team (certificate numbers, union of the tasks' drawn teams). */
    .addColumn('task_ids', 'text', (c) => c.notNull())
    .addColumn('matters', 'text', (c) => c.notNull())
    .addColumn('team', 'text', (c) => c.notNull())
    .addColumn('notified_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('visits_plan_uscc').on('visits').columns(['plan_id', 'uscc']).execute();

  // Deadlines the scheduler watches: result publication (20 working days) and abnormal-list
  // follow-ups (10 working days).
  await db.schema
    .createTable('deadlines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text')
    .addColumn('uscc', 'text')
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('met_on', 'text')
    .addColumn('flagged_at', 'text')
    .addColumn('calendar_warnings', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('deadlines_kind_subject', ['kind', 'subject'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['deadlines', 'visits', 'task_events', 'tasks', 'plans']) await db.schema.dropTable(t).ifExists().execute();
  await db.schema.alterTable('departments').dropColumn('yearly_cap').execute();
}
