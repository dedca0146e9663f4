/**
 * The worker pool (src/services/workers.ts) on its own: long-lived threads reused across
 * operations, domain errors crossing back as the same AppError, a thread that dies replaced,
 * and a clean close. Counters and thread ids only — no timing, no sleeps: every wait is on the
 * operation's own promise.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { DRAW_PARAMS, seedDrawRegistry, type DrawRegistry } from '../helpers/drawRegistry.ts';
import { WorkerPool } from '../../src/services/workers.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors.ts';
import { insertImportJob } from '../../src/db/repositories/importJobs.ts';
import * as draws from '../../src/services/draws.ts';
import * as plans from '../../src/services/plans.ts';
import type { UserActor } from '../../src/domain/actor.ts';

const THREADS = 2;
const alice = { name: 'alice', now: new Date('2026-11-28T01:00:00Z') };
const bob = { name: 'bob', now: new Date('2026-12-01T13:00:00Z') };
const CJK = /[\u4e00-\u9fff]/;

let t: TestDb;
let reg: DrawRegistry;
let pool: WorkerPool;
let dir: string;

beforeAll(async () => {
  t = await createTestDb();
  reg = await seedDrawRegistry(t.db);
  pool = new WorkerPool({ database: t.config, threads: THREADS });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-pool-'));
});
afterAll(async () => {
  await pool?.close();
  await t?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the operation to fail');
}

/** The AppError fields a client sees (HTTP maps them to status and body). */
const appFields = (e: unknown) => {
  const err = e as AppError;
  return { name: err.name, status: err.status, code: err.code, message: err.message, problems: err.problems };
};

describe(`worker pool on ${testDialect}`, () => {
  it('runs operations in long-lived threads: at most the configured number, each started once', async () => {
    const started = pool.start().stats().operations.threadsStarted;
    expect(started).toBe(THREADS);

    // More operations at once than threads: every thread is used, and no more are started.
    const first = await Promise.all(Array.from({ length: 12 }, () => pool.run('ping')));
    const threads = new Set(first.map((a) => a.threadId));
    expect(threads.size).toBe(THREADS);
    expect(threads.has(0)).toBe(false); // 0 is the main thread: these ran elsewhere…
    expect(new Set(first.map((a) => a.pid))).toEqual(new Set([process.pid])); // …in this process

    // One after the other: the same threads answer again.
    for (let i = 0; i < 6; i++) expect(threads).toContain((await pool.run('ping')).threadId);

    // Real operations, through the same threads: a commitment and a draw of the test registry.
    const committed = await pool.run('commitDraw', { ...DRAW_PARAMS, task: 'T-pool' }, alice);
    expect(committed).toMatchObject({ status: 'committed', committedBy: 'alice' });
    expect(committed.commitment).toMatch(/^[0-9a-f]{64}$/);
    // What crossed the thread boundary is what the service reads from the database.
    expect(committed).toEqual(await draws.getDraw(t.db, committed.id));
    await draws.seedDraw(t.db, committed.id, '03 07 15 22 28 31 + 09', bob);
    const drawn = await pool.run('runDraw', committed.id, bob);
    expect(drawn.status).toBe('drawn');
    expect(drawn.selectedCount).toBeGreaterThan(10);
    expect((await draws.drawSelections(t.db, committed.id)).every((s) => reg.usccs.includes(s.uscc))).toBe(true);

    for (let i = 0; i < 4; i++) expect(threads).toContain((await pool.run('ping')).threadId);
    expect(pool.stats().operations).toMatchObject({ threadsStarted: THREADS, threadsAlive: THREADS, crashed: 0, busy: 0, queued: 0, completed: 12 + 6 + 2 + 4 });
  });

  it('a domain error thrown in a thread comes back as the same AppError (class, status, code, Chinese message)', async () => {
    // Not found: drawing a task that does not exist.
    const missing = await rejection(pool.run('drawTask', 'no-such-task', { name: 'alice' }));
    const expected = await rejection(plans.drawTask(t.db, 'no-such-task', { name: 'alice' }));
    expect(missing).toBeInstanceOf(AppError);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(appFields(missing)).toEqual(appFields(expected));
    expect(appFields(missing)).toMatchObject({ name: 'NotFoundError', status: 404, code: 'TASK_NOT_FOUND' });
    expect(missing.message).toMatch(CJK);

    // Validation, with its problems: parameters that are not a draw's.
    const bad = { ...DRAW_PARAMS, task: '', year: 'next', selection: { mode: 'rates', rates: { A: '2' } } };
    const invalid = await rejection(pool.run('commitDraw', bad, alice));
    const invalidHere = await rejection(draws.commitDraw(t.db, bad, alice));
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(appFields(invalid)).toEqual(appFields(invalidHere));
    expect((invalid as AppError).status).toBe(400);
    expect((invalid as AppError).problems.length).toBeGreaterThan(0);
    expect(invalid.message).toMatch(CJK);

    // Conflict: running a draw whose public randomness was never entered.
    const unseeded = await pool.run('commitDraw', { ...DRAW_PARAMS, task: 'T-pool-unseeded' }, alice);
    const conflict = await rejection(pool.run('runDraw', unseeded.id, bob));
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(appFields(conflict)).toEqual(appFields(await rejection(draws.runDraw(t.db, unseeded.id, bob))));
    expect(appFields(conflict)).toMatchObject({ status: 409, code: 'DRAW_NOT_SEEDED' });
    // The stack says where it failed (the thread) and where it was called from.
    expect(conflict.stack).toContain('in a thread of the worker pool');

    // An error is an answer, not a crash: the same threads, none replaced.
    expect(pool.stats().operations).toMatchObject({ threadsStarted: THREADS, threadsAlive: THREADS, crashed: 0 });
  });

  // A strict import keeps its rows until it has seen them all: 200,000 rows cannot fit a 40 MB
  // heap, so the capped thread running it dies of ERR_WORKER_OUT_OF_MEMORY — a real crash of a
  // running thread, the one the import lane exists for (IMPORT_MEMORY_MB).
  it('a thread that dies is replaced: its operation fails alone, the next one succeeds', async () => {
    const heap = { heapMb: 40, threads: 1 };
    const before = await Promise.all(Array.from({ length: 4 }, () => pool.run('ping')));
    const cappedThread = (await pool.runCapped(heap, 'ping')).threadId;
    expect(pool.stats().capped).toMatchObject({ threadsStarted: 1, threadsAlive: 1, crashed: 0 });

    const file = path.join(dir, 'too-large.csv');
    const lines = ['统一社会信用代码,检查日期,检查部门,检查结果,任务编号'];
    for (let i = 0; i < 200_000; i++) lines.push(`${reg.usccs[i % reg.usccs.length]},2026-05-${String((i % 28) + 1).padStart(2, '0')},SCJG,1,T-${i}-${'x'.repeat(40)}`);
    fs.writeFileSync(file, lines.join('\n'));
    const jobId = crypto.randomUUID();
    await insertImportJob(t.db, { id: jobId, kind: 'inspections', status: 'queued', file_name: 'too-large.csv', skip_invalid: 0, created_at: new Date().toISOString(), owner_id: null });
    const admin: UserActor = { userId: crypto.randomUUID(), name: 'admin', role: 'admin', department: null, officer: null };

    const died = await rejection(
      pool.runCapped(heap, 'importJob', { jobId, kind: 'inspections', file, originalName: 'too-large.csv', outputDir: dir, skipInvalid: false, user: admin }),
    );
    expect((died as Error & { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(pool.stats().capped).toMatchObject({ crashed: 1, threadsAlive: 0, busy: 0 });

    // The next operation in that lane gets a new thread and succeeds.
    const next = await pool.runCapped(heap, 'ping');
    expect(next.threadId).not.toBe(cappedThread);
    expect(pool.stats().capped).toMatchObject({ threadsStarted: 2, threadsAlive: 1, crashed: 1 });
    // …and a real operation on the database still works there.
    const drawAfter = await pool.runCapped(heap, 'commitDraw', { ...DRAW_PARAMS, task: 'T-pool-after-crash' }, alice);
    expect(drawAfter.status).toBe('committed');

    // The operations lane never noticed: the same threads, still all there.
    const after = await Promise.all(Array.from({ length: 4 }, () => pool.run('ping')));
    expect(new Set(after.map((a) => a.threadId))).toEqual(new Set(before.map((a) => a.threadId)));
    expect(pool.stats().operations).toMatchObject({ threadsStarted: THREADS, threadsAlive: THREADS, crashed: 0 });
    // Nothing of the import was written.
    const written = await t.db.selectFrom('past_inspections').select((eb) => eb.fn.countAll().as('n')).where('task_ref', 'like', 'T-%').executeTakeFirstOrThrow();
    expect(Number(written.n)).toBe(0);
  }, 180_000);

  it('closes cleanly: running operations finish, queued ones are refused, later ones rejected', async () => {
    // Two threads: two operations start at once, the third waits in the queue.
    const running = [pool.run('commitDraw', { ...DRAW_PARAMS, task: 'T-pool-closing' }, alice), pool.run('ping')] as const;
    const queued = rejection(pool.run('ping'));
    expect(pool.stats().operations).toMatchObject({ busy: 2, queued: 1 });
    const closed = pool.close();
    expect(pool.close()).toBe(closed); // closing twice is the same close

    const [commit, ping] = await Promise.all(running);
    expect(commit.status).toBe('committed');
    expect(ping.pid).toBe(process.pid);
    const refused = await queued;
    expect(appFields(refused)).toMatchObject({ status: 503, code: 'WORKERS_STOPPING' });
    await expect(closed).resolves.toBeUndefined();

    const late = await rejection(pool.run('ping'));
    expect(late).toBeInstanceOf(AppError);
    expect(appFields(late)).toMatchObject({ status: 503, code: 'WORKERS_STOPPING' });
    expect(late.message).toMatch(CJK);
    await expect(pool.runCapped({ heapMb: 40, threads: 1 }, 'ping')).rejects.toMatchObject({ code: 'WORKERS_STOPPING' });
    // Every thread ended, and none of them counted as a crash.
    expect(pool.stats()).toMatchObject({
      operations: { threadsAlive: 0, busy: 0, queued: 0, crashed: 0 },
      capped: { threadsAlive: 0, busy: 0, queued: 0, crashed: 1 },
    });
  });
});
