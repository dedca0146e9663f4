import type { Kysely } from 'kysely';

/** Who is on which visit's team, indexed by officer: an inspector's assignments without scanning JSON. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('visit_officers')
    .addColumn('visit_id', 'text', (c) => c.notNull().references('visits.id'))
    .addColumn('certificate_no', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('visit_officers_pk', ['visit_id', 'certificate_no'])
    .execute();
  await db.schema.createIndex('visit_officers_officer').on('visit_officers').columns(['certificate_no', 'visit_id']).execute();
  // Visits that exist already.
  const visits = await db.selectFrom('visits').select(['id', 'team']).execute();
  for (const v of visits) {
    const team = JSON.parse(v.team as string) as string[];
    if (team.length) await db.insertInto('visit_officers').values(team.map((c) => ({ visit_id: v.id, certificate_no: c }))).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('visit_officers').ifExists().execute();
}
