/**
 * The audit trail (全过程记录): every state change appends one entry to a hash-chained log.
 *
 * Entry n is (seq, at, actor, action, entity, entity_id, before, after, note, prev_hash, hash):
 * - seq: 1, 2, 3, … with no gaps (the chain head row hands out the next one under a lock);
 * - before / after: canonical JSON text (keys sorted by code point at every level, no white
 *   space) or null;
 * - prev_hash: the previous entry's hash, 64 zeros for seq 1;
 * - hash: SHA-256 (lowercase hex) of the UTF-8 bytes of the JSON array
 *   `[seq, at, actor, action, entity, entity_id, before, after, note, prev_hash]`
 *   (`JSON.stringify`: every field is a JSON string, number or null, so the encoding is
 *   unambiguous — no separator or field boundary can be forged).
 *
 * Appends happen inside the caller's transaction, so an entry exists exactly when the change
 * it records was committed; a rolled-back transaction leaves neither an entry nor a gap.
 *
 * What verification can and cannot tell: the chain proves that no entry was altered, removed,
 * reordered or inserted *between* entries. Entries cut off the end (and the head row rewound),
 * or the whole chain recomputed from some point on, leave a chain that is consistent in itself:
 * only a head hash noted outside the database (printed by `audit verify`, published or
 * countersigned regularly) shows that. Likewise, an attacker who can write the database can
 * append entries that look genuine; the hash chain makes later rewriting evident, not
 * impersonation impossible.
 */
import type { AuditLogTable } from '../db/auditSchema.ts';
import crypto from 'node:crypto';
import { CanonicalJsonError, canonicalJson, type CanonicalJsonProblem } from '../domain/canonicalJson.ts';
import { assertTransaction, readSnapshot } from '../db/tx.ts';
import { failpoint } from './failpoints.ts';
import {
  auditPage,
  claimNextSeq,
  findByHash,
  insertAuditRow,
  listAuditRows,
  readHead,
  setHeadHash,
  storedJsonValue,
  type AuditExecutor,
  type AuditRow,
} from '../db/repositories/audit.ts';
import { ValidationError } from '../domain/errors.ts';
import { isIsoDate } from '../domain/time.ts';

export type { AuditExecutor } from '../db/repositories/audit.ts';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  /** Who made the change. */
  actor: string;
  /** What was done: 'object.update', 'draw.void', 'import.objects', … */
  action: string;
  /** Kind of the thing changed: 'object', 'inspector', 'draw', 'task', 'plan', 'account', … */
  entity: string;
  entityId: string;
  /** State before the change (null: it did not exist). Stored as canonical JSON. */
  before: unknown | null;
  /** State after the change (null: it no longer exists). Stored as canonical JSON. */
  after: unknown | null;
  note?: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  /** Parsed `before` (null when absent). */
  before: unknown | null;
  /** Parsed `after` (null when absent). */
  after: unknown | null;
  note: string | null;
  prevHash: string;
  hash: string;
}

export type AuditProblemCode = 'ALTERED' | 'REMOVED' | 'REORDERED' | 'BROKEN_LINK';

export interface AuditProblem {
  seq: number;
  code: AuditProblemCode;
  /** Simplified Chinese. */
  message: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  /** Entries in the log. */
  entries: number;
  /** Hash of the last entry (64 zeros when the log is empty). */
  head: string;
  /** seq of the last entry (0 when the log is empty). */
  headSeq: number;
  firstProblem?: AuditProblem;
}

/** A head noted outside the database: `{ seq, hash }`, or just its hash. */
export interface NotedHead {
  seq?: number;
  hash: string;
}

// ---------------------------------------------------------------------------------------------
// Canonical form and hash

function invalid(message: string, path: string): ValidationError {
  return new ValidationError(message, [{ path, code: 'INVALID_AUDIT_ENTRY', message }], 'INVALID_AUDIT_ENTRY');
}

const PROBLEM_TEXT: Record<CanonicalJsonProblem, string> = {
  'not-finite': '不是有限数值',
  cycle: '含有循环引用',
  'not-plain-object': '不是普通对象',
  'unsupported-type': '的类型无法表示为 JSON',
};

/** Canonical JSON of a before/after value (src/domain/canonicalJson.ts), refused with INVALID_AUDIT_ENTRY. */
function canonicalAuditJson(value: unknown): string {
  try {
    return canonicalJson(value);
  } catch (e) {
    if (!(e instanceof CanonicalJsonError)) throw e;
    throw invalid(`${e.path} ${PROBLEM_TEXT[e.problem]}（${e.found}），无法记入审计日志`, e.path);
  }
}

/** The fields an entry's hash covers, as stored: every column but the hash itself. */
export type HashedFields = Omit<AuditLogTable, 'hash'>;

/** SHA-256 (hex) of `[seq, at, actor, action, entity, entity_id, before, after, note, prev_hash]` as JSON. */
export function hashEntry(e: HashedFields): string {
  const text = JSON.stringify([e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.before, e.after, e.note, e.prev_hash]);
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

function field(name: string, v: unknown, max: number): string {
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`审计记录的 ${name} 不能为空`, name);
  if (v.length > max) throw invalid(`审计记录的 ${name} 过长（最多 ${max} 个字符）`, name);
  // Both engines must store the text byte for byte, or the hash would not verify: PostgreSQL
  // refuses NUL and cannot store a lone surrogate.
  if (!v.isWellFormed() || v.includes('\u0000')) throw invalid(`审计记录的 ${name} 含有无效字符`, name);
  return v;
}

function prepare(input: AuditInput, now: Date): Omit<HashedFields, 'seq' | 'prev_hash'> {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw invalid('审计记录的时间无效', 'at');
  const note = input.note === undefined || input.note === null ? null : input.note;
  return {
    at: now.toISOString(),
    actor: field('actor', input.actor, 200),
    action: field('action', input.action, 200),
    entity: field('entity', input.entity, 200),
    entity_id: field('entityId', input.entityId, 1000),
    before: input.before === undefined || input.before === null ? null : canonicalAuditJson(input.before),
    after: input.after === undefined || input.after === null ? null : canonicalAuditJson(input.after),
    note: note === null ? null : field('note', note, 10_000),
  };
}


function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    before: storedJsonValue(r.before),
    after: storedJsonValue(r.after),
    note: r.note,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

// ---------------------------------------------------------------------------------------------
// Append

async function append(trx: AuditExecutor, f: Omit<HashedFields, 'seq' | 'prev_hash'>): Promise<AuditEntry> {
  const { seq, prevHash } = await claimNextSeq(trx);
  const row: HashedFields = { seq, ...f, prev_hash: prevHash };
  const hash = hashEntry(row);
  await insertAuditRow(trx, { ...row, hash });
  await setHeadHash(trx, seq, hash);
  return toEntry({ ...row, hash });
}

/**
 * Appends one entry, inside `db` when it is a transaction (the caller's: the entry commits or
 * rolls back with the change it records), otherwise in a transaction of its own.
 *
 * On SQLite make sure the caller's transaction has already written (or that this is its first
 * statement): a deferred transaction that only read cannot take the write lock once another
 * connection has committed (SQLITE_BUSY), as for any other write. On PostgreSQL the append waits
 * for the head row lock; under REPEATABLE READ or SERIALIZABLE a concurrent append makes it fail
 * with a serialisation error (retry the transaction); READ COMMITTED (the default) just waits.
 */
export async function recordAudit(db: AuditExecutor, input: AuditInput, now: Date = new Date()): Promise<AuditEntry> {
  const fields = prepare(input, now);
  // Appended inside the caller's transaction, never in one of its own: the entry commits or
  // rolls back with the change it records.
  assertTransaction(db, `recordAudit(${input.action})`);
  const entry = await append(db, fields);
  // Crash tests: killed here, the change and its entry must both be gone (one transaction).
  failpoint('audit:appended');
  failpoint(`audit:appended:${input.action}`);
  return entry;
}

export interface ImportAuditInput {
  actor: string;
  /** The import kind ('objects', 'inspectors', …): the action is `import.<kind>`. */
  kind: string;
  /** The import job's id (the entry's entity_id; entity is 'import'). */
  jobId: string;
  fileName: string;
  fileSha256: string;
  /** Rows read, inserted, updated, rejected, … */
  counts: Record<string, number>;
  note?: string | null;
}

/** A bulk import as ONE entry: its row-level changes are in the registries' history tables. */
export async function recordImportAudit(db: AuditExecutor, input: ImportAuditInput, now: Date = new Date()): Promise<AuditEntry> {
  if (!/^[0-9a-f]{64}$/.test(input.fileSha256)) throw invalid('fileSha256 须为 64 位小写十六进制 SHA-256', 'fileSha256');
  return recordAudit(
    db,
    {
      actor: input.actor,
      action: `import.${input.kind}`,
      entity: 'import',
      entityId: input.jobId,
      before: null,
      after: { fileSha256: input.fileSha256, fileName: input.fileName, counts: input.counts },
      note: input.note,
    },
    now,
  );
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface AuditListOptions {
  entity?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  /** From this day on (YYYY-MM-DD, Asia/Shanghai). */
  fromDate?: string;
  /** Up to and including this day (YYYY-MM-DD, Asia/Shanghai). */
  toDate?: string;
  limit: number;
  offset?: number;
}

/** The instant a Shanghai calendar day starts, `days` days after `date` (ISO UTC). */
function shanghaiDayStart(date: string, what: string, days = 0): string {
  if (!isIsoDate(date)) throw new ValidationError(`${what}须为 YYYY-MM-DD 格式的日期：${date}`, [{ path: what, code: 'INVALID_DATE', message: '日期无效' }], 'INVALID_DATE');
  return new Date(Date.parse(`${date}T00:00:00+08:00`) + days * 86_400_000).toISOString();
}

/** Entries newest first, with the number matching the filters. */
export async function listAudit(db: AuditExecutor, o: AuditListOptions): Promise<{ rows: AuditEntry[]; total: number }> {
  const offset = o.offset ?? 0;
  if (!Number.isInteger(o.limit) || o.limit < 1 || o.limit > 1000) throw new ValidationError('limit 须为 1 到 1000 之间的整数', [], 'INVALID_LIMIT');
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset 须为非负整数', [], 'INVALID_OFFSET');
  const from = o.fromDate ? shanghaiDayStart(o.fromDate, '起始日期') : undefined;
  const before = o.toDate ? shanghaiDayStart(o.toDate, '截止日期', 1) : undefined;
  const r = await listAuditRows(db, { entity: o.entity, entityId: o.entityId, actor: o.actor, action: o.action, from, before }, { limit: o.limit, offset });
  return { rows: r.rows.map(toEntry), total: r.total };
}

/** The current chain head, to note outside the database (`<seq>:<hash>`, see formatNotedHead). */
export async function auditHead(db: AuditExecutor): Promise<{ seq: number; hash: string }> {
  const h = await readHead(db);
  if (!h) throw new Error('审计链头记录（audit_head）缺失 (AUDIT_HEAD_MISSING)');
  return { seq: h.seq, hash: h.hash };
}

export function formatNotedHead(h: { seq: number; hash: string }): string {
  return `${h.seq}:${h.hash}`;
}

/** Parses a noted head: `<seq>:<hash>` or just `<hash>` (64 hex digits). */
export function parseNotedHead(text: string): NotedHead {
  const m = /^\s*(?:(\d+)\s*:\s*)?([0-9a-fA-F]{64})\s*$/.exec(text);
  if (!m) throw new ValidationError(`无法识别的链头：${text}（应写作 <序号>:<64 位十六进制哈希> 或只写哈希）`, [], 'INVALID_HEAD');
  return { seq: m[1] === undefined ? undefined : Number(m[1]), hash: m[2].toLowerCase() };
}

// ---------------------------------------------------------------------------------------------
// Verification

const short = (h: string) => `${h.slice(0, 12)}…`;
/** How far from its place an intact entry is looked for (a swap, a shift by a few). */
const DISPLACEMENT_WINDOW = 16;

function hashesAt(r: AuditRow, seq: number): boolean {
  return hashEntry({ ...r, seq }) === r.hash;
}

async function predecessorOf(db: AuditExecutor, r: AuditRow): Promise<AuditRow | undefined> {
  return (await findByHash(db, r.prev_hash)).find((x) => x.seq !== r.seq);
}

/** Entry at position p does not hash as itself: altered, or an intact entry moved here? */
async function explainMismatch(db: AuditExecutor, r: AuditRow): Promise<AuditProblem> {
  const p = r.seq;
  const pred = r.prev_hash === GENESIS_HASH ? undefined : await predecessorOf(db, r);
  const candidates: number[] = [];
  if (r.prev_hash === GENESIS_HASH) candidates.push(1);
  else if (pred && hashesAt(pred, pred.seq)) candidates.push(pred.seq + 1);
  for (let d = 1; d <= DISPLACEMENT_WINDOW; d++) candidates.push(p - d, p + d);
  const o = candidates.find((c) => c >= 1 && c !== p && hashesAt(r, c));
  if (o === undefined) {
    return { seq: p, code: 'ALTERED', message: `第 ${p} 条的内容与其哈希不符：该条在写入后被修改（或是伪造的条目）` };
  }
  if (r.prev_hash !== GENESIS_HASH && !pred) {
    return {
      seq: p,
      code: 'REMOVED',
      message: `第 ${p} 条原为第 ${o} 条，而它写入时的前一条已不在日志中：有条目被删除，其后的条目被重新编号`,
    };
  }
  const q = pred ? pred.seq : 0;
  if (o < p && q === o - 1) {
    return {
      seq: o,
      code: 'BROKEN_LINK',
      message:
        o === p - 1
          ? `第 ${o} 条不在原链中：原第 ${o} 条（现为第 ${p} 条）写入时紧接第 ${q} 条，第 ${o} 条是插入的伪造条目`
          : `第 ${o}–${p - 1} 条不在原链中：原第 ${o} 条（现为第 ${p} 条）写入时紧接第 ${q} 条，其间的条目是插入的伪造条目`,
    };
  }
  return { seq: p, code: 'REORDERED', message: `第 ${p} 条位置上的条目原为第 ${o} 条：条目的顺序被调换` };
}

/** Entry at position p hashes as itself but does not point at entry p-1. */
async function explainLink(db: AuditExecutor, r: AuditRow, expectedPrev: string): Promise<AuditProblem> {
  const p = r.seq;
  if (r.prev_hash === GENESIS_HASH) {
    return { seq: p, code: 'BROKEN_LINK', message: `第 ${p} 条自称是链的第一条（前一条哈希全为 0），但它前面已有条目：它是伪造的条目` };
  }
  const pred = await predecessorOf(db, r);
  if (pred && pred.seq < p - 1) {
    const from = pred.seq + 1;
    return {
      seq: from,
      code: 'BROKEN_LINK',
      message:
        from === p - 1
          ? `第 ${from} 条不在原链中：第 ${p} 条写入时紧接第 ${pred.seq} 条，第 ${from} 条是插入的伪造条目`
          : `第 ${from}–${p - 1} 条不在原链中：第 ${p} 条写入时紧接第 ${pred.seq} 条，其间的条目是插入的伪造条目`,
    };
  }
  if (pred) {
    return { seq: p, code: 'REORDERED', message: `第 ${p} 条写入时接在第 ${pred.seq} 条之后，而不是第 ${p - 1} 条之后：条目的顺序被调换` };
  }
  return {
    seq: p,
    code: 'BROKEN_LINK',
    message: `第 ${p} 条记录的前一条哈希（${short(r.prev_hash)}）与第 ${p - 1} 条的哈希（${short(expectedPrev)}）不符：链在此断开——第 ${p - 1} 条被改写并重算了哈希，或第 ${p} 条是伪造的`,
  };
}

async function checkRow(db: AuditExecutor, r: AuditRow, expectedSeq: number, expectedPrev: string): Promise<AuditProblem | undefined> {
  if (r.seq > expectedSeq) {
    const range = r.seq - 1 === expectedSeq ? `第 ${expectedSeq} 条` : `第 ${expectedSeq}–${r.seq - 1} 条`;
    return { seq: expectedSeq, code: 'REMOVED', message: `${range}缺失（序号从 ${expectedSeq - 1} 直接跳到 ${r.seq}）：条目被删除` };
  }
  if (r.seq < expectedSeq) {
    return { seq: r.seq, code: 'BROKEN_LINK', message: `序号 ${r.seq} 无效（序号应从 1 开始连续编号）：它是插入的伪造条目` };
  }
  if (hashEntry(r) !== r.hash) return explainMismatch(db, r);
  if (r.prev_hash !== expectedPrev) return explainLink(db, r, expectedPrev);
  return undefined;
}

function notedOf(v: NotedHead | string | undefined): NotedHead | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return parseNotedHead(v);
  const n = parseNotedHead(v.hash);
  if (v.seq !== undefined && (!Number.isInteger(v.seq) || v.seq < 0)) throw new ValidationError('链头序号须为非负整数', [], 'INVALID_HEAD');
  return { seq: v.seq, hash: n.hash };
}

async function walk(db: AuditExecutor, noted: NotedHead | undefined, pageSize: number): Promise<AuditVerifyResult> {
  let after: number | null = null;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  let problem: AuditProblem | undefined;
  let notedRow: AuditRow | undefined;
  for (;;) {
    const rows = await auditPage(db, after, pageSize);
    for (const r of rows) {
      entries++;
      if (noted && !notedRow && (noted.seq === undefined ? r.hash === noted.hash : r.seq === noted.seq)) notedRow = r;
      problem ??= await checkRow(db, r, expectedSeq, prevHash);
      expectedSeq = r.seq + 1;
      prevHash = r.hash;
    }
    if (rows.length < pageSize) break;
    after = rows[rows.length - 1].seq;
  }
  const lastSeq = expectedSeq - 1;
  const result = (p?: AuditProblem): AuditVerifyResult => ({ ok: !p, entries, head: prevHash, headSeq: lastSeq, ...(p ? { firstProblem: p } : {}) });
  if (problem) return result(problem);

  // The head row the application moves with every append.
  const head = await readHead(db);
  if (!head) return result({ seq: lastSeq + 1, code: 'REMOVED', message: '审计链头记录（audit_head）被删除' });
  if (head.seq > lastSeq) {
    const n = head.seq - lastSeq;
    return result({ seq: lastSeq + 1, code: 'REMOVED', message: `链头记录显示共有 ${head.seq} 条，而日志只到第 ${lastSeq} 条：末尾的 ${n} 条被删除` });
  }
  if (head.seq < lastSeq) {
    return result({
      seq: head.seq + 1,
      code: 'BROKEN_LINK',
      message: `链头记录只到第 ${head.seq} 条，第 ${head.seq + 1} 条起的条目不是经由本系统写入的：它们是伪造的追加条目`,
    });
  }
  if (head.hash !== prevHash) {
    return result({ seq: lastSeq, code: 'ALTERED', message: `最后一条（第 ${lastSeq} 条）的哈希与链头记录不符：该条被改写并重算了哈希` });
  }

  // A head noted outside the database.
  if (noted) {
    if (noted.seq === 0) {
      if (noted.hash !== GENESIS_HASH) return result({ seq: 0, code: 'BROKEN_LINK', message: '外部记录的链头（第 0 条）哈希应为 64 个 0' });
    } else if (noted.seq !== undefined) {
      if (noted.seq > lastSeq) {
        return result({
          seq: lastSeq + 1,
          code: 'REMOVED',
          message: `外部记录的链头是第 ${noted.seq} 条，而日志只到第 ${lastSeq} 条：末尾的 ${noted.seq - lastSeq} 条被删除（链头记录也被回退）`,
        });
      }
      if (notedRow && notedRow.hash !== noted.hash) {
        return result({
          seq: noted.seq,
          code: 'ALTERED',
          message: `第 ${noted.seq} 条的哈希（${short(notedRow.hash)}）与外部记录的链头（${short(noted.hash)}）不符：该条或它之前的条目被改写，其后的哈希链被整体重算`,
        });
      }
    } else if (!notedRow) {
      return result({
        seq: lastSeq + 1,
        code: 'REMOVED',
        message: `外部记录的链头哈希 ${short(noted.hash)} 不在日志中：末尾的条目被删除，或哈希链被改写后整体重算`,
      });
    }
  }
  return result();
}

/**
 * Walks the whole log in seq order (on one snapshot) and reports the first problem:
 * - ALTERED: an entry no longer matches its hash (a field was changed);
 * - REMOVED: a seq is missing, the log ends before the head row or the noted head;
 * - REORDERED: an intact entry sits at another position than the one it was written at;
 * - BROKEN_LINK: an entry does not point at its predecessor (an entry was inserted, or the one
 *   before it rewritten with a recomputed hash).
 * `expectedHead` (a head noted earlier outside the database) also catches entries cut off the
 * end and chains recomputed wholesale; without it those are undetectable.
 */
export async function verifyAudit(
  db: AuditExecutor,
  options: { expectedHead?: NotedHead | string; pageSize?: number } = {},
): Promise<AuditVerifyResult> {
  const noted = notedOf(options.expectedHead);
  const pageSize = options.pageSize ?? 1000;
  if (db.isTransaction) return walk(db, noted, pageSize);
  // One snapshot: appends committed while walking must not look like a mismatch with the head.
  return readSnapshot(db, (snapshot) => walk(snapshot, noted, pageSize));
}
