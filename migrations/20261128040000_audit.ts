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

/**
 * Installs the append-only guards, replacing any older set (idempotent):
 * - an entry can only be inserted at the seq the head has just claimed, and never over an
 *   existing one (on SQLite `INSERT OR REPLACE` deletes the old row without firing DELETE
 *   triggers unless recursive_triggers is on, so the INSERT itself must refuse);
 * - entries are never updated or deleted (nor truncated on PostgreSQL);
 * - the head row exists once, is never deleted or replaced, and moves only by the append's two
 *   steps: claim (seq + 1, hash unchanged), then set the hash of the entry just written at that seq.
 */
export async function installAuditGuards(db: Kysely<any>): Promise<void> {
  await dropAuditGuards(db);
  const headMoves = (n: string, o: string) =>
    `(${n}.id = ${o}.id and ((${n}.seq = ${o}.seq + 1 and ${n}.hash = ${o}.hash) or (${n}.seq = ${o}.seq and ${n}.hash = (select l.hash from audit_log l where l.seq = ${n}.seq))))`;
  const insertAtHead = (n: string) =>
    `(${n}.seq = (select h.seq from audit_head h where h.id = 1) and not exists (select 1 from audit_log l where l.seq = ${n}.seq))`;
  if (isSqlite(db)) {
    const abort = (msg: string) => `begin select raise(abort, '${msg}'); end`;
    await sql.raw(`create trigger audit_log_insert_at_head before insert on audit_log when not ${insertAtHead('new')} ${abort(REFUSED)}`).execute(db);
    await sql.raw(`create trigger audit_log_no_update before update on audit_log ${abort(REFUSED)}`).execute(db);
    await sql.raw(`create trigger audit_log_no_delete before delete on audit_log ${abort(REFUSED)}`).execute(db);
    await sql.raw(`create trigger audit_head_single before insert on audit_head when exists (select 1 from audit_head) ${abort(HEAD_REFUSED)}`).execute(db);
    await sql.raw(`create trigger audit_head_no_delete before delete on audit_head ${abort(HEAD_REFUSED)}`).execute(db);
    await sql.raw(`create trigger audit_head_forward_only before update on audit_head when not ${headMoves('new', 'old')} ${abort(HEAD_REFUSED)}`).execute(db);
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
      `create or replace function audit_insert_guard() returns trigger language plpgsql as $$
begin
  if not ${insertAtHead('new')} then
    raise exception '${REFUSED}';
  end if;
  return new;
end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create or replace function audit_head_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' or (tg_op = 'INSERT' and exists (select 1 from audit_head)) or (tg_op = 'UPDATE' and not ${headMoves('new', 'old')}) then
    raise exception '${HEAD_REFUSED}';
  end if;
  return new;
end $$`,
    )
    .execute(db);
  await sql`create trigger audit_log_insert_at_head before insert on audit_log for each row execute function audit_insert_guard()`.execute(db);
  await sql`create trigger audit_log_append_only before update or delete on audit_log for each row execute function audit_refuse_change()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_refuse_change()`.execute(db);
  await sql`create trigger audit_head_guard before insert or update or delete on audit_head for each row execute function audit_head_guard()`.execute(db);
  await sql`create trigger audit_head_no_truncate before truncate on audit_head for each statement execute function audit_refuse_change()`.execute(db);
}

/** Removes the append-only guards (the down migration; and what an attacker would do first). */
export async function dropAuditGuards(db: Kysely<any>): Promise<void> {
  if (isSqlite(db)) {
    for (const t of ['audit_log_insert_at_head', 'audit_log_no_update', 'audit_log_no_delete', 'audit_head_single', 'audit_head_no_delete', 'audit_head_forward_only']) {
      await sql.raw(`drop trigger if exists ${t}`).execute(db);
    }
    return;
  }
  await sql`drop trigger if exists audit_log_insert_at_head on audit_log`.execute(db);
  await sql`drop trigger if exists audit_log_append_only on audit_log`.execute(db);
  await sql`drop trigger if exists audit_log_no_truncate on audit_log`.execute(db);
  await sql`drop trigger if exists audit_head_guard on audit_head`.execute(db);
  await sql`drop trigger if exists audit_head_no_truncate on audit_head`.execute(db);
  await sql`drop function if exists audit_head_guard()`.execute(db);
  await sql`drop function if exists audit_insert_guard()`.execute(db);
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
