/**
 * Reads and the one append of the audit log (src/services/audit.ts builds and checks entries).
 * Nothing here updates or deletes an entry: only the chain head row moves.
 *
 * Executors are typed `Kysely<any>` so the caller's `Db` or `Transaction<Database>` can be
 * passed whatever `Database` holds; the queries themselves are typed by `AuditDatabase`.
 */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { AuditDatabase, AuditHeadTable, AuditLogTable } from '../auditSchema.ts';
import { assertTransaction } from '../tx.ts';

/** A `Db` or a `Transaction<Database>` (any Kysely whose database has the audit tables). */
export type AuditExecutor = Kysely<any>;
export type AuditRow = Selectable<AuditLogTable>;
export type AuditHeadRow = Selectable<AuditHeadTable>;

const q = (db: AuditExecutor) => db as Kysely<AuditDatabase>;
const num = (v: unknown) => Number(v);
const normalize = (r: AuditRow): AuditRow => ({ ...r, seq: num(r.seq) });

/**
 * Moves the head one step forward and returns the new seq with the previous hash. The UPDATE
 * is the append's first statement: on PostgreSQL it takes the head row's lock until the caller's
 * transaction ends (a concurrent append waits, then reads the committed head); on SQLite it takes
 * the database write lock. Either way no two appends can see the same head.
 */
export async function claimNextSeq(db: AuditExecutor): Promise<{ seq: number; prevHash: string }> {
  assertTransaction(db, 'claimNextSeq');
  const row = await q(db)
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirst();
  if (!row) throw new Error('审计链头记录（audit_head）缺失，无法追加审计记录 (AUDIT_HEAD_MISSING)');
  return { seq: num(row.seq), prevHash: row.hash };
}

export async function insertAuditRow(db: AuditExecutor, row: Insertable<AuditLogTable>): Promise<void> {
  assertTransaction(db, 'insertAuditRow');
  await q(db).insertInto('audit_log').values(row).execute();
}

export async function setHeadHash(db: AuditExecutor, seq: number, hash: string): Promise<void> {
  assertTransaction(db, 'setHeadHash');
  await q(db).updateTable('audit_head').set({ hash }).where('id', '=', 1).where('seq', '=', seq).execute();
}

export async function readHead(db: AuditExecutor): Promise<AuditHeadRow | undefined> {
  const r = await q(db).selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirst();
  return r && { ...r, seq: num(r.seq) };
}

/** Entries with seq > afterSeq, in seq order. */
export async function auditPage(db: AuditExecutor, afterSeq: number | null, limit: number): Promise<AuditRow[]> {
  let query = q(db).selectFrom('audit_log').selectAll();
  if (afterSeq !== null) query = query.where('seq', '>', afterSeq);
  return (await query.orderBy('seq').limit(limit).execute()).map(normalize);
}

/** Entries whose stored hash is `hash` (normally zero or one). */
export async function findByHash(db: AuditExecutor, hash: string): Promise<AuditRow[]> {
  return (await q(db).selectFrom('audit_log').selectAll().where('hash', '=', hash).orderBy('seq').limit(10).execute()).map(normalize);
}

export async function countAuditRows(db: AuditExecutor): Promise<number> {
  const r = await q(db).selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return num(r.n);
}

export interface AuditFilters {
  entity?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  /** Entries at or after this instant (ISO UTC). */
  from?: string;
  /** Entries before this instant (ISO UTC). */
  before?: string;
}

/** Newest first. */
export async function listAuditRows(
  db: AuditExecutor,
  f: AuditFilters,
  page: { limit: number; offset: number },
): Promise<{ rows: AuditRow[]; total: number }> {
  let query = q(db).selectFrom('audit_log');
  if (f.entity !== undefined) query = query.where('entity', '=', f.entity);
  if (f.entityId !== undefined) query = query.where('entity_id', '=', f.entityId);
  if (f.actor !== undefined) query = query.where('actor', '=', f.actor);
  if (f.action !== undefined) query = query.where('action', '=', f.action);
  if (f.from !== undefined) query = query.where('at', '>=', f.from);
  if (f.before !== undefined) query = query.where('at', '<', f.before);
  const [{ total }] = await query.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await query.selectAll().orderBy('seq', 'desc').limit(page.limit).offset(page.offset).execute();
  return { rows: rows.map(normalize), total: num(total) };
}

/** The path of the SQLite main database file ('' for an in-memory one). */
export async function sqliteFile(db: AuditExecutor): Promise<string> {
  const { rows } = await sql<{ name: string; file: string }>`pragma database_list`.execute(db);
  return rows.find((r) => r.name === 'main')?.file ?? '';
}

/**
 * The value of a stored before/after (canonical JSON text, kept as text because the hash covers
 * it byte for byte). Text that does not parse is not ours (tampered): it is shown as it is.
 */
export function storedJsonValue(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
