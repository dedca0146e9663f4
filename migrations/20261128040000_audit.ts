/**
 * The audit trail (全过程记录): a hash-chained, append-only log and its one-row chain head
 * (see src/db/auditSchema.ts and src/services/audit.ts).
 *
 * Database triggers make the log append-only on both engines: UPDATE and DELETE of `audit_log`
 * (and TRUNCATE on PostgreSQL) fail with AUDIT_APPEND_ONLY; the head row cannot be deleted or
 * moved backwards. They stop the application and careless hands, not someone who can drop
 * triggers: against that the hash chain (and a head hash noted outside the database) is the
 * evidence.
 */
import { sql, type Kysely } from 'kysely';
import { isSqlite } from '../src/db/migrate.ts';

export const GENESIS_HASH = '0'.repeat(64);
const REFUSED = '审计日志只能追加，不能修改或删除 (AUDIT_APPEND_ONLY)';
const HEAD_REFUSED = '审计链头只能随追加前进，不能删除或回退 (AUDIT_APPEND_ONLY)';

/** Installs the append-only triggers (idempotent). */
export async function installAuditGuards(db: Kysely<any>): Promise<void> {
  if (isSqlite(db)) {
    await sql.raw(`create trigger if not exists audit_log_no_update before update on audit_log begin select raise(abort, '${REFUSED}'); end`).execute(db);
    await sql.raw(`create trigger if not exists audit_log_no_delete before delete on audit_log begin select raise(abort, '${REFUSED}'); end`).execute(db);
    await sql.raw(`create trigger if not exists audit_head_no_delete before delete on audit_head begin select raise(abort, '${HEAD_REFUSED}'); end`).execute(db);
    await sql
      .raw(`create trigger if not exists audit_head_forward_only before update on audit_head when new.seq < old.seq or new.id <> old.id begin select raise(abort, '${HEAD_REFUSED}'); end`)
      .execute(db);
    return;
  }
  await sql
    .raw(
      `create or replace function audit_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '${REFUSED}';
  return null;
end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create or replace function audit_head_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' or new.seq < old.seq or new.id <> old.id then
    raise exception '${HEAD_REFUSED}';
  end if;
  return new;
end $$`,
    )
    .execute(db);
  await sql`drop trigger if exists audit_log_append_only on audit_log`.execute(db);
  await sql`create trigger audit_log_append_only before update or delete on audit_log for each row execute function audit_refuse_change()`.execute(db);
  await sql`drop trigger if exists audit_log_no_truncate on audit_log`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_refuse_change()`.execute(db);
  await sql`drop trigger if exists audit_head_guard on audit_head`.execute(db);
  await sql`create trigger audit_head_guard before update or delete on audit_head for each row execute function audit_head_guard()`.execute(db);
  await sql`drop trigger if exists audit_head_no_truncate on audit_head`.execute(db);
  await sql`create trigger audit_head_no_truncate before truncate on audit_head for each statement execute function audit_refuse_change()`.execute(db);
}

/** Removes the append-only triggers (the down migration; and what an attacker would do first). */
export async function dropAuditGuards(db: Kysely<any>): Promise<void> {
  if (isSqlite(db)) {
    for (const t of ['audit_log_no_update', 'audit_log_no_delete', 'audit_head_no_delete', 'audit_head_forward_only']) {
      await sql.raw(`drop trigger if exists ${t}`).execute(db);
    }
    return;
  }
  await sql`drop trigger if exists audit_log_append_only on audit_log`.execute(db);
  await sql`drop trigger if exists audit_log_no_truncate on audit_log`.execute(db);
  await sql`drop trigger if exists audit_head_guard on audit_head`.execute(db);
  await sql`drop trigger if exists audit_head_no_truncate on audit_head`.execute(db);
  await sql`drop function if exists audit_head_guard()`.execute(db);
  await sql`drop function if exists audit_refuse_change()`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  const seqType = isSqlite(db) ? 'integer' : 'bigint';
  await db.schema
    .createTable('audit_log')
    // SQLite: `integer primary key` is the rowid, which only holds integers.
    .addColumn('seq', seqType, (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('note', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_entity').on('audit_log').columns(['entity', 'entity_id', 'seq']).execute();
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor', 'seq']).execute();
  // Not unique: verification must be able to read whatever is there, duplicates included.
  await db.schema.createIndex('audit_log_hash').on('audit_log').column('hash').execute();

  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', seqType, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addCheckConstraint('audit_head_single_row', sql`id = 1`)
    .execute();
  await db.insertInto('audit_head').values({ id: 1, seq: 0, hash: GENESIS_HASH }).execute();

  await installAuditGuards(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropAuditGuards(db);
  await db.schema.dropTable('audit_head').ifExists().execute();
  await db.schema.dropTable('audit_log').ifExists().execute();
}
