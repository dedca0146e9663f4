/**
 * Table types of the audit trail (全过程记录, src/services/audit.ts). Same conventions as
 * schema.ts: instants are ISO-8601 UTC text, JSON is text.
 *
 * The log is a hash chain: entry n carries the hash of entry n-1 (`prev_hash`; 64 zeros for the
 * first) and its own `hash` = SHA-256 over the JSON array
 * `[seq, at, actor, action, entity, entity_id, before, after, note, prev_hash]`.
 * Rows are never updated or deleted (database triggers refuse it, see
 * migrations/20261128040000_audit.ts).
 */

/** One audit entry. */
export interface AuditLogTable {
  /** 1, 2, 3, … with no gaps: the position in the chain. */
  seq: number;
  /** When (ISO UTC, `Date.toISOString()`). */
  at: string;
  /** Who: a user name, `cli:<os user>`, `scheduler`, … */
  actor: string;
  /** What: `<entity>.<verb>` such as 'object.update', 'draw.void', 'import.objects'. */
  action: string;
  /** Kind of the thing changed ('object', 'inspector', 'draw', 'task', 'plan', 'import', …). */
  entity: string;
  entity_id: string;
  /** Canonical JSON of the state before the change; null when it did not exist. */
  before: string | null;
  /** Canonical JSON of the state after the change; null when it no longer exists. */
  after: string | null;
  note: string | null;
  /** Hash of the previous entry (64 zeros for seq 1). */
  prev_hash: string;
  /** SHA-256 (lowercase hex) of this entry's canonical serialisation. */
  hash: string;
}

/**
 * The chain head: exactly one row (id = 1) holding the last seq and hash. Appends lock it
 * (an UPDATE … RETURNING as their first statement), so two writers can never fork the chain.
 */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

/** Merge into `Database` (src/db/schema.ts): `export interface Database extends JobDatabase, AuditDatabase`. */
export interface AuditDatabase {
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
}
