/**
 * The audit trail (全过程记录) on a real database: appends form one hash chain; tampering done
 * directly in the database (triggers dropped or disabled first, as an attacker with database
 * access would) is caught by verifyAudit; concurrent appends from two connections and from two
 * processes never fork the chain; a rolled-back transaction leaves neither an entry nor a gap.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { createDb, type DbHandle } from '../../src/db/connection.ts';
import { inTransaction } from '../../src/db/tx.ts';
import { projectRoot } from '../../src/config.ts';
import { dropAuditGuards, installAuditGuards } from '../../migrations/20261128040000_audit.ts';
import {
  GENESIS_HASH,
  auditHead,
  formatNotedHead,
  listAudit,
  recordAudit,
  recordImportAudit,
  verifyAudit,
  type AuditExecutor,
} from '../../src/services/audit.ts';
import { canonicalJson } from '../../src/domain/canonicalJson.ts';
import { auditCommand } from '../../src/cli/auditCommand.ts';

/** An entry appended in a transaction of its own (recordAudit only ever runs inside the caller's). */
const append = (db: Kysely<any>, input: Parameters<typeof recordAudit>[1], now?: Date) => inTransaction(db as never, (trx) => recordAudit(trx, input, now));

let t: TestDb;
/** The test database without the application's table types (the attacker's view). */
let raw: Kysely<any>;
let dir: string;
const T0 = Date.parse('2026-11-28T02:00:00.000Z');

beforeAll(async () => {
  t = await createTestDb();
  raw = t.db as Kysely<any>;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-audit-'));
});
afterAll(async () => {
  await t?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Row {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  before: string | null;
  after: string | null;
  note: string | null;
  prev_hash: string;
  hash: string;
}

/** The specification of the hash, written out independently of the service. */
function specHash(r: Omit<Row, 'hash'>): string {
  const text = JSON.stringify([r.seq, r.at, r.actor, r.action, r.entity, r.entity_id, r.before, r.after, r.note, r.prev_hash]);
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

async function rows(): Promise<Row[]> {
  return (await raw.selectFrom('audit_log').selectAll().orderBy('seq').execute()).map((r) => ({ ...r, seq: Number(r.seq) })) as Row[];
}

/** Works directly in the database with the append-only triggers out of the way, then restores them. */
async function asAttacker(fn: () => Promise<void>): Promise<void> {
  if (testDialect === 'postgres') {
    await sql`alter table audit_log disable trigger user`.execute(raw);
    await sql`alter table audit_head disable trigger user`.execute(raw);
    try {
      await fn();
    } finally {
      await sql`alter table audit_log enable trigger user`.execute(raw);
      await sql`alter table audit_head enable trigger user`.execute(raw);
    }
  } else {
    await dropAuditGuards(raw);
    try {
      await fn();
    } finally {
      await installAuditGuards(raw);
    }
  }
}

/** Moves entry `from` to seq `to` (seq is the primary key: update it). */
const moveSeq = (from: number, to: number) => raw.updateTable('audit_log').set({ seq: to }).where('seq', '=', from).execute();

async function resetLog(): Promise<void> {
  await asAttacker(async () => {
    await raw.deleteFrom('audit_log').execute();
    await raw.updateTable('audit_head').set({ seq: 0, hash: GENESIS_HASH }).where('id', '=', 1).execute();
  });
}

function entry(i: number, actor = 'zhang') {
  return {
    actor,
    action: 'object.update',
    entity: 'object',
    entityId: `91500103MA5U${String(i).padStart(6, '0')}`,
    before: { credit_grade: 'B', name: `企业${i}`, tags: [] },
    after: { credit_grade: 'A', name: `企业${i}`, tags: ['重点'] },
    note: i % 2 ? `第 ${i} 次修改` : undefined,
  };
}

async function appendMany(n: number, db: AuditExecutor = t.db): Promise<void> {
  for (let i = 1; i <= n; i++) await append(db, entry(i), new Date(T0 + i * 1000));
}

describe(`audit trail on ${testDialect}`, () => {
  beforeEach(resetLog);

  it('appends entries as one hash chain that verifies', async () => {
    const first = await append(t.db, entry(1), new Date(T0));
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, actor: 'zhang', entity: 'object', note: '第 1 次修改' });
    await append(t.db, { ...entry(2), action: 'object.create', before: null }, new Date(T0 + 1000));
    await append(t.db, { ...entry(3), action: 'object.delete', after: null }, new Date(T0 + 2000));
    await appendMany(2);

    const rs = await rows();
    expect(rs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rs[0].at).toBe('2026-11-28T02:00:00.000Z');
    // Canonical JSON: keys sorted, no white space; absent states are SQL NULL.
    expect(rs[0].before).toBe('{"credit_grade":"B","name":"企业1","tags":[]}');
    expect(rs[1].before).toBeNull();
    expect(rs[2].after).toBeNull();
    expect(rs[1].note).toBeNull();
    // Each hash follows the written specification, and each entry points at the one before.
    rs.forEach((r, i) => {
      expect(r.hash).toBe(specHash(r));
      expect(r.prev_hash).toBe(i === 0 ? GENESIS_HASH : rs[i - 1].hash);
    });

    const v = await verifyAudit(t.db);
    expect(v).toEqual({ ok: true, entries: 5, head: rs[4].hash, headSeq: 5 });
    expect(await auditHead(t.db)).toEqual({ seq: 5, hash: rs[4].hash });
    // The same head noted outside the database, in either form, still verifies after more appends.
    const noted = formatNotedHead({ seq: 5, hash: rs[4].hash });
    await appendMany(2);
    expect((await verifyAudit(t.db, { expectedHead: noted })).ok).toBe(true);
    expect((await verifyAudit(t.db, { expectedHead: rs[4].hash })).ok).toBe(true);
    expect((await verifyAudit(t.db, { pageSize: 2 })).entries).toBe(7);
  });

  it('verifies an empty log', async () => {
    expect(await verifyAudit(t.db)).toEqual({ ok: true, entries: 0, head: GENESIS_HASH, headSeq: 0 });
  });

  it('stores canonical JSON whatever the key order, and refuses what it cannot store faithfully', async () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined, 'x'], c: null }, e: undefined })).toBe('{"a":{"c":null,"d":[1,null,"x"]},"b":1}');
    expect(canonicalJson({ at: new Date('2026-11-28T00:00:00Z') })).toBe('{"at":"2026-11-28T00:00:00.000Z"}');
    const a = await append(t.db, { ...entry(1), after: { z: 1, a: 2 } });
    const b = await append(t.db, { ...entry(1), after: { a: 2, z: 1 } });
    expect(a.after).toEqual(b.after);
    expect((await rows()).map((r) => r.after)).toEqual(['{"a":2,"z":1}', '{"a":2,"z":1}']);
    await expect(append(t.db, { ...entry(1), after: { n: Number.NaN } })).rejects.toMatchObject({ code: 'INVALID_AUDIT_ENTRY' });
    await expect(append(t.db, { ...entry(1), after: new Map() })).rejects.toMatchObject({ code: 'INVALID_AUDIT_ENTRY' });
    await expect(append(t.db, { ...entry(1), actor: '' })).rejects.toMatchObject({ code: 'INVALID_AUDIT_ENTRY' });
    await expect(append(t.db, { ...entry(1), entityId: 'a\u0000b' })).rejects.toMatchObject({ code: 'INVALID_AUDIT_ENTRY' });
    await expect(append(t.db, { ...entry(1), note: 'bad \ud800' })).rejects.toMatchObject({ code: 'INVALID_AUDIT_ENTRY' });
    // Refused entries took no seq.
    expect(await auditHead(t.db)).toMatchObject({ seq: 2 });
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('records a bulk import as one entry', async () => {
    const sha = crypto.createHash('sha256').update('file').digest('hex');
    const e = await inTransaction(t.db, (trx) => recordImportAudit(trx, {
      actor: 'li',
      kind: 'objects',
      jobId: 'job-1',
      fileName: '名录.csv',
      fileSha256: sha,
      counts: { rowsRead: 1000, inserted: 990, updated: 5, rejected: 5 },
    }));
    expect(e).toMatchObject({
      seq: 1,
      action: 'import.objects',
      entity: 'import',
      entityId: 'job-1',
      before: null,
      after: { fileSha256: sha, fileName: '名录.csv', counts: { rowsRead: 1000, inserted: 990, updated: 5, rejected: 5 } },
    });
    expect((await rows()).length).toBe(1);
  });

  it('lists entries by entity, id and actor, newest first', async () => {
    await appendMany(3);
    await append(t.db, { actor: 'li', action: 'draw.void', entity: 'draw', entityId: 'D-1', before: { status: 'drawn' }, after: { status: 'voided' }, note: '参数有误' });
    await append(t.db, { ...entry(2), actor: 'wang' });
    const all = await listAudit(t.db, { limit: 10, offset: 0 });
    expect(all.total).toBe(5);
    expect(all.rows.map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
    const draw = await listAudit(t.db, { entity: 'draw', limit: 10 });
    expect(draw.rows).toHaveLength(1);
    expect(draw.rows[0]).toMatchObject({ action: 'draw.void', entityId: 'D-1', before: { status: 'drawn' }, after: { status: 'voided' }, note: '参数有误' });
    const one = await listAudit(t.db, { entity: 'object', entityId: entry(2).entityId, limit: 10 });
    expect(one.rows.map((r) => [r.seq, r.actor])).toEqual([[5, 'wang'], [2, 'zhang']]);
    expect((await listAudit(t.db, { actor: 'zhang', limit: 10 })).total).toBe(3);
    const page = await listAudit(t.db, { limit: 2, offset: 2 });
    expect(page).toMatchObject({ total: 5 });
    expect(page.rows.map((r) => r.seq)).toEqual([3, 2]);
    await expect(listAudit(t.db, { limit: 0 })).rejects.toMatchObject({ code: 'INVALID_LIMIT' });
  });

  it('database triggers refuse UPDATE and DELETE of entries (and moving the head back)', async () => {
    await appendMany(3);
    await expect(raw.updateTable('audit_log').set({ actor: 'x' }).where('seq', '=', 2).execute()).rejects.toThrow(/AUDIT_APPEND_ONLY/);
    await expect(raw.deleteFrom('audit_log').where('seq', '=', 3).execute()).rejects.toThrow(/AUDIT_APPEND_ONLY/);
    await expect(raw.deleteFrom('audit_log').execute()).rejects.toThrow(/AUDIT_APPEND_ONLY/);
    await expect(raw.updateTable('audit_head').set({ seq: 1 }).where('id', '=', 1).execute()).rejects.toThrow(/AUDIT_APPEND_ONLY/);
    await expect(raw.deleteFrom('audit_head').execute()).rejects.toThrow(/AUDIT_APPEND_ONLY/);
    if (testDialect === 'postgres') await expect(sql`truncate audit_log`.execute(raw)).rejects.toThrow(/AUDIT_APPEND_ONLY/);
    expect(await verifyAudit(t.db)).toMatchObject({ ok: true, entries: 3 });
  });

  describe('tampering in the database', () => {
    it('an altered field: ALTERED at that entry', async () => {
      await appendMany(5);
      await asAttacker(async () => {
        await raw.updateTable('audit_log').set({ actor: 'someone-else' }).where('seq', '=', 3).execute();
      });
      const v = await verifyAudit(t.db);
      expect(v).toMatchObject({ ok: false, entries: 5, firstProblem: { seq: 3, code: 'ALTERED' } });
      expect(v.firstProblem!.message).toContain('第 3 条');
    });

    it('altered before/after JSON or time: ALTERED', async () => {
      await appendMany(4);
      await asAttacker(async () => {
        await raw.updateTable('audit_log').set({ after: '{"credit_grade":"D"}' }).where('seq', '=', 2).execute();
      });
      expect((await verifyAudit(t.db)).firstProblem).toMatchObject({ seq: 2, code: 'ALTERED' });
      await resetLog();
      await appendMany(4);
      await asAttacker(async () => {
        await raw.updateTable('audit_log').set({ at: '2026-11-27T00:00:00.000Z' }).where('seq', '=', 4).execute();
      });
      expect((await verifyAudit(t.db)).firstProblem).toMatchObject({ seq: 4, code: 'ALTERED' });
    });

    it('an altered entry with its hash recomputed: the next link breaks (BROKEN_LINK)', async () => {
      await appendMany(5);
      const [r2] = (await rows()).filter((r) => r.seq === 2);
      const forged = { ...r2, actor: 'someone-else' };
      await asAttacker(async () => {
        await raw.updateTable('audit_log').set({ actor: forged.actor, hash: specHash(forged) }).where('seq', '=', 2).execute();
      });
      expect((await verifyAudit(t.db)).firstProblem).toMatchObject({ seq: 3, code: 'BROKEN_LINK' });
    });

    it('a deleted middle entry: REMOVED at its seq', async () => {
      await appendMany(5);
      await asAttacker(async () => {
        await raw.deleteFrom('audit_log').where('seq', '=', 3).execute();
      });
      const v = await verifyAudit(t.db);
      expect(v).toMatchObject({ ok: false, entries: 4, firstProblem: { seq: 3, code: 'REMOVED' } });
      expect(v.firstProblem!.message).toContain('第 3 条缺失');
    });

    it('a deleted middle entry with the later ones renumbered: REMOVED', async () => {
      await appendMany(5);
      await asAttacker(async () => {
        await raw.deleteFrom('audit_log').where('seq', '=', 3).execute();
        await moveSeq(4, 3);
        await moveSeq(5, 4);
        const last = (await rows()).at(-1)!;
        await raw.updateTable('audit_head').set({ seq: 4, hash: last.hash }).where('id', '=', 1).execute();
      });
      expect((await verifyAudit(t.db)).firstProblem).toMatchObject({ seq: 3, code: 'REMOVED' });
    });

    it('a deleted last entry: caught by the head row; with the head row rewound too, only by an externally noted head', async () => {
      await appendMany(5);
      const noted = await auditHead(t.db); // noted outside the database, e.g. printed and filed
      await asAttacker(async () => {
        await raw.deleteFrom('audit_log').where('seq', '=', 5).execute();
      });
      // A careless attacker: the head row still says 5.
      expect((await verifyAudit(t.db)).firstProblem).toMatchObject({ seq: 5, code: 'REMOVED' });

      // A careful one rewinds the head row as well: the chain 1–4 is consistent in itself.
      const four = (await rows()).at(-1)!;
      await asAttacker(async () => {
        await raw.updateTable('audit_head').set({ seq: 4, hash: four.hash }).where('id', '=', 1).execute();
      });
      expect(await verifyAudit(t.db)).toEqual({ ok: true, entries: 4, head: four.hash, headSeq: 4 });
      // Only the noted head shows the removal.
      const v = await verifyAudit(t.db, { expectedHead: noted });
      expect(v).toMatchObject({ ok: false, entries: 4, firstProblem: { seq: 5, code: 'REMOVED' } });
      expect(v.firstProblem!.message).toContain('外部记录的链头');
      expect((await verifyAudit(t.db, { expectedHead: noted.hash })).firstProblem).toMatchObject({ code: 'REMOVED' });

      // Appending after the cut does not hide it: the noted seq now holds another hash.
      await append(t.db, entry(9));
      expect((await verifyAudit(t.db)).ok).toBe(true);
      expect((await verifyAudit(t.db, { expectedHead: formatNotedHead(noted) })).firstProblem).toMatchObject({ seq: 5, code: 'ALTERED' });
      expect((await verifyAudit(t.db, { expectedHead: noted.hash })).firstProblem).toMatchObject({ code: 'REMOVED' });
    });

    it('swapped order: REORDERED', async () => {
      await appendMany(5);
      await asAttacker(async () => {
        await moveSeq(2, -2);
        await moveSeq(3, 2);
        await moveSeq(-2, 3);
      });
      const v = await verifyAudit(t.db);
      expect(v).toMatchObject({ ok: false, entries: 5, firstProblem: { seq: 2, code: 'REORDERED' } });
      expect(v.firstProblem!.message).toContain('原为第 3 条');
    });

    it('swapped order with the hashes recomputed for the new positions: BROKEN_LINK', async () => {
      await appendMany(5);
      await asAttacker(async () => {
        await moveSeq(2, -2);
        await moveSeq(3, 2);
        await moveSeq(-2, 3);
        for (const r of (await rows()).filter((x) => x.seq === 2 || x.seq === 3)) {
          await raw.updateTable('audit_log').set({ hash: specHash(r) }).where('seq', '=', r.seq).execute();
        }
      });
      expect((await verifyAudit(t.db)).firstProblem).toMatchObject({ seq: 2, code: 'BROKEN_LINK' });
    });

    it('a forged entry inserted in the middle (later entries shifted, the forgery hashed and linked): BROKEN_LINK at the forgery', async () => {
      await appendMany(5);
      const rs = await rows();
      await asAttacker(async () => {
        for (const s of [5, 4, 3]) await moveSeq(s, s + 1);
        const forged = {
          seq: 3,
          at: rs[2].at,
          actor: 'zhang',
          action: 'object.update',
          entity: 'object',
          entity_id: 'FORGED',
          before: null,
          after: '{"credit_grade":"A"}',
          note: null,
          prev_hash: rs[1].hash,
        };
        await raw.insertInto('audit_log').values({ ...forged, hash: specHash(forged) }).execute();
        await raw.updateTable('audit_head').set({ seq: 6 }).where('id', '=', 1).execute();
      });
      const v = await verifyAudit(t.db);
      expect(v).toMatchObject({ ok: false, entries: 6, firstProblem: { seq: 3, code: 'BROKEN_LINK' } });
      expect(v.firstProblem!.message).toContain('插入的伪造条目');
    });

    it('a forged entry appended at the end: BROKEN_LINK (wrong link, or not in the head row)', async () => {
      await appendMany(3);
      const rs = await rows();
      const forge = (prev: string) => {
        const f = { seq: 4, at: rs[2].at, actor: 'x', action: 'draw.void', entity: 'draw', entity_id: 'D', before: null, after: null, note: null, prev_hash: prev };
        return { ...f, hash: specHash(f) };
      };
      await asAttacker(async () => {
        await raw.insertInto('audit_log').values(forge(GENESIS_HASH)).execute();
      });
      expect((await verifyAudit(t.db)).firstProblem).toMatchObject({ seq: 4, code: 'BROKEN_LINK' });

      await asAttacker(async () => {
        await raw.deleteFrom('audit_log').where('seq', '=', 4).execute();
        await raw.insertInto('audit_log').values(forge(rs[2].hash)).execute();
      });
      // Correctly linked, but the head row was not moved: not written by the application.
      expect((await verifyAudit(t.db)).firstProblem).toMatchObject({ seq: 4, code: 'BROKEN_LINK' });

      // With the head row moved as well it is indistinguishable from a real append (documented limit:
      // the chain makes later rewriting evident, it cannot stop a database writer from appending).
      await asAttacker(async () => {
        await raw.updateTable('audit_head').set({ seq: 4, hash: forge(rs[2].hash).hash }).where('id', '=', 1).execute();
      });
      expect((await verifyAudit(t.db)).ok).toBe(true);
    });

    it('a forged entry with an invalid seq: BROKEN_LINK', async () => {
      await appendMany(2);
      await asAttacker(async () => {
        const f = { seq: 0, at: new Date(T0).toISOString(), actor: 'x', action: 'a.b', entity: 'e', entity_id: 'i', before: null, after: null, note: null, prev_hash: GENESIS_HASH };
        await raw.insertInto('audit_log').values({ ...f, hash: specHash(f) }).execute();
      });
      expect((await verifyAudit(t.db)).firstProblem).toMatchObject({ seq: 0, code: 'BROKEN_LINK' });
    });

    it('a chain recomputed wholesale after an alteration: only the noted head shows it', async () => {
      await appendMany(4);
      const noted = await auditHead(t.db);
      await asAttacker(async () => {
        let prev = GENESIS_HASH;
        for (const r of await rows()) {
          const changed = { ...r, prev_hash: prev, actor: r.seq === 2 ? 'someone-else' : r.actor };
          const hash = specHash(changed);
          await raw.updateTable('audit_log').set({ actor: changed.actor, prev_hash: prev, hash }).where('seq', '=', r.seq).execute();
          prev = hash;
        }
        await raw.updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
      });
      expect((await verifyAudit(t.db)).ok).toBe(true);
      expect((await verifyAudit(t.db, { expectedHead: noted })).firstProblem).toMatchObject({ seq: 4, code: 'ALTERED' });
    });
  });

  it('an entry written in a transaction that rolls back leaves no entry and no gap', async () => {
    await appendMany(2);
    const head = await auditHead(t.db);
    await expect(
      t.db.transaction().execute(async (trx) => {
        await trx.insertInto('settings').values({ key: 'audit-rollback', value: '1', created_at: new Date().toISOString() }).execute();
        const e = await recordAudit(trx, { actor: 'zhang', action: 'setting.create', entity: 'setting', entityId: 'audit-rollback', before: null, after: { value: '1' } });
        expect(e.seq).toBe(3);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await auditHead(t.db)).toEqual(head);
    expect((await rows()).length).toBe(2);
    expect(await t.db.selectFrom('settings').selectAll().where('key', '=', 'audit-rollback').executeTakeFirst()).toBeUndefined();

    // Committed with the change it records; the next seq follows on with no gap.
    await t.db.transaction().execute(async (trx) => {
      await trx.insertInto('settings').values({ key: 'audit-commit', value: '1', created_at: new Date().toISOString() }).execute();
      await recordAudit(trx, { actor: 'zhang', action: 'setting.create', entity: 'setting', entityId: 'audit-commit', before: null, after: { value: '1' } });
    });
    expect((await rows()).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(await verifyAudit(t.db)).toMatchObject({ ok: true, entries: 3 });
  });

  it('refuses to append outside a transaction: an entry never commits apart from its change', async () => {
    await expect(recordAudit(t.db, entry(1))).rejects.toThrow(/must run inside the use case's transaction/);
    expect(await rows()).toHaveLength(0);
  });

  // better-sqlite3 waits for a lock by blocking its thread, so two connections to one file in one
  // thread would wait for each other; on SQLite the two-process test below covers concurrency.
  it.skipIf(testDialect === 'sqlite')('concurrent appends from two connections form one chain with no gaps', async () => {
    const a = createDb(t.config);
    const b = createDb(t.config);
    try {
      const n = 60;
      await Promise.all(
        Array.from({ length: n }, (_, i) => [
          append(a.db, entry(i, 'conn-a')),
          append(b.db, entry(i, 'conn-b')),
        ]).flat(),
      );
      const rs = await rows();
      expect(rs.map((r) => r.seq)).toEqual(Array.from({ length: 2 * n }, (_, i) => i + 1));
      expect(rs.filter((r) => r.actor === 'conn-a')).toHaveLength(n);
      expect(rs.filter((r) => r.actor === 'conn-b')).toHaveLength(n);
      expect(new Set(rs.map((r) => r.prev_hash)).size).toBe(2 * n);
      expect(await verifyAudit(a.db)).toMatchObject({ ok: true, entries: 2 * n });
      expect(await verifyAudit(b.db)).toMatchObject({ ok: true, entries: 2 * n, head: rs.at(-1)!.hash });
    } finally {
      await a.close();
      await b.close();
    }
  });

  if (testDialect === 'postgres') {
    it('concurrent appends inside callers’ transactions (PostgreSQL, two pools), some rolling back, form one chain', async () => {
      const a = createDb(t.config, { poolSize: 8 });
      const b = createDb(t.config, { poolSize: 8 });
      try {
        const one = (h: typeof a, who: string, i: number) =>
          h.db
            .transaction()
            .execute(async (trx) => {
              await trx.insertInto('settings').values({ key: `audit-${who}-${i}`, value: String(i), created_at: new Date().toISOString() }).execute();
              await recordAudit(trx, { ...entry(i, who), entity: 'setting', entityId: `audit-${who}-${i}` });
              if (i % 5 === 0) throw new Error('rolled back');
            })
            .catch((e: Error) => {
              if (e.message !== 'rolled back') throw e;
            });
        await Promise.all(Array.from({ length: 40 }, (_, i) => [one(a, 'pa', i + 1), one(b, 'pb', i + 1)]).flat());
        const rs = await rows();
        expect(rs).toHaveLength(64); // 2 × 32 committed
        expect(rs.map((r) => r.seq)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
        expect(rs.some((r) => Number(r.entity_id.split('-').at(-1)) % 5 === 0)).toBe(false);
        expect(await verifyAudit(t.db)).toMatchObject({ ok: true, entries: 64 });
      } finally {
        await a.close();
        await b.close();
      }
    });
  }

  it('concurrent appends from two processes form one chain with no gaps', async () => {
    const worker = path.join(dir, 'audit-worker.mts');
    const go = path.join(dir, 'go');
    fs.rmSync(go, { force: true });
    const url = (p: string) => JSON.stringify(pathToFileURL(path.join(projectRoot, p)).href);
    fs.writeFileSync(
      worker,
      `import fs from 'node:fs';
const { createDb } = await import(${url('src/db/connection.ts')});
const { recordAudit } = await import(${url('src/services/audit.ts')});
const [dialect, dbUrl, who, count, go] = process.argv.slice(2);
const h = createDb({ dialect, url: dbUrl });
process.stdout.write('ready\\n');
while (!fs.existsSync(go)) await new Promise((r) => setTimeout(r, 5));
const one = (i) => {
  const input = { actor: who, action: 'setting.create', entity: 'setting', entityId: who + '-' + i, before: null, after: { i } };
  // Half in a transaction of their own, half inside a caller's transaction with the change they record.
  if (i % 2) return h.db.transaction().execute((trx) => recordAudit(trx, input));
  return h.db.transaction().execute(async (trx) => {
    await trx.insertInto('settings').values({ key: who + '-' + i, value: String(i), created_at: new Date().toISOString() }).execute();
    await recordAudit(trx, input);
  });
};
const ps = [];
for (let i = 1; i <= Number(count); i++) ps.push(one(i));
await Promise.all(ps);
await h.close();
process.stdout.write('done\\n');
`,
    );
    const n = 60;
    const run = (who: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', worker, t.config.dialect, t.config.url, who, String(n), go], { cwd: projectRoot });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => {
          stdout += d;
          if (stdout.includes('ready')) ready.get(who)!();
        });
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => {
          if (!stdout.includes('ready')) reject(new Error(`worker ${who} exited before starting: ${stderr}`));
          resolve({ code, stderr });
        });
      });
    const ready = new Map<string, () => void>();
    const readies = ['p1', 'p2'].map((who) => new Promise<void>((r) => ready.set(who, r)));
    const done = Promise.all([run('p1'), run('p2')]);
    await Promise.race([Promise.all(readies), done]);
    fs.writeFileSync(go, '');
    const results = await done;
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });

    const rs = await rows();
    expect(rs.map((r) => r.seq)).toEqual(Array.from({ length: 2 * n }, (_, i) => i + 1));
    expect(rs.filter((r) => r.actor === 'p1')).toHaveLength(n);
    expect(await verifyAudit(t.db)).toMatchObject({ ok: true, entries: 2 * n });
  });

  describe('command line', () => {
    const withDb = <T>(fn: (h: DbHandle) => Promise<T>) => fn(t);

    async function cli(args: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
      let stdout = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
        stdout += String(s);
        return true;
      });
      const saved = process.exitCode;
      process.exitCode = undefined;
      try {
        await auditCommand(withDb).exitOverride().parseAsync(args, { from: 'user' });
        return { stdout, exitCode: process.exitCode === undefined ? undefined : Number(process.exitCode) };
      } finally {
        spy.mockRestore();
        process.exitCode = saved;
      }
    }

    it('`audit verify`: exit 0 with the head when intact, 1 with the code and the first problem otherwise', async () => {
      await appendMany(4);
      const head = await auditHead(t.db);
      const ok = await cli(['verify']);
      expect(ok.exitCode).toBe(0);
      expect(ok.stdout).toContain('审计日志完整 (INTACT)：共 4 条');
      expect(ok.stdout).toContain(formatNotedHead(head));
      expect((await cli(['verify', '--head', formatNotedHead(head)])).exitCode).toBe(0);

      await asAttacker(async () => {
        await raw.deleteFrom('audit_log').where('seq', '=', 2).execute();
      });
      const bad = await cli(['verify']);
      expect(bad.exitCode).toBe(1);
      expect(bad.stdout).toContain('审计日志已被篡改 (REMOVED)');
      expect(bad.stdout).toContain('第 2 条');
      const json = JSON.parse((await cli(['verify', '--json'])).stdout) as { ok: boolean; firstProblem: { code: string } };
      expect(json).toMatchObject({ ok: false, firstProblem: { code: 'REMOVED' } });
    });

    it('`audit verify --head` catches a cut tail the database alone cannot show', async () => {
      await appendMany(3);
      const noted = formatNotedHead(await auditHead(t.db));
      await asAttacker(async () => {
        await raw.deleteFrom('audit_log').where('seq', '=', 3).execute();
        const last = (await rows()).at(-1)!;
        await raw.updateTable('audit_head').set({ seq: 2, hash: last.hash }).where('id', '=', 1).execute();
      });
      expect((await cli(['verify'])).exitCode).toBe(0);
      const r = await cli(['verify', '--head', noted]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain('(REMOVED)');
      await expect(cli(['verify', '--head', 'nonsense'])).rejects.toMatchObject({ code: 'INVALID_HEAD' });
    });

    it('`audit list` filters by entity and id', async () => {
      await appendMany(3);
      await append(t.db, { actor: 'li', action: 'draw.void', entity: 'draw', entityId: 'D-7', before: { status: 'drawn' }, after: { status: 'voided' }, note: '重新抽取' });
      const r = await cli(['list', '--entity', 'draw', '--id', 'D-7']);
      expect(r.stdout).toContain('共 1 条');
      expect(r.stdout).toMatch(/#4\t\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\tli\tdraw\.void\tdraw\/D-7\t重新抽取/);
      expect(r.stdout).toContain('前：{"status":"drawn"}');
      const all = await cli(['list', '--limit', '2']);
      expect(all.stdout).toContain('共 4 条，显示第 1–2 条');
      expect(all.stdout).not.toContain('#2\t');
    });
  });
});
