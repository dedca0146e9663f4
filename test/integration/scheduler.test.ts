import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { getTasks } from 'node-cron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectRoot } from '../../src/config.ts';
import { createDb, type DbHandle } from '../../src/db/connection.ts';
import { findJobLease, jobLeaseDb } from '../../src/db/repositories/jobLeases.ts';
import { FakeClock } from '../../src/jobs/clock.ts';
import type { CronDriver } from '../../src/jobs/cronAdapter.ts';
import { parseSchedule } from '../../src/jobs/schedule.ts';
import { createScheduler, type Job, type JobLogger, type JobRunReport, type SchedulerOptions } from '../../src/jobs/scheduler.ts';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';

/** An instant given as Asia/Shanghai wall-clock time. */
const sh = (wall: string) => new Date(`${wall}+08:00`);
const iso = (wall: string) => sh(wall).toISOString();

function memoryLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  const logger: JobLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { lines, logger };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A driver that starts no timer: it records registrations, and the test fires ticks itself. */
function manualCron() {
  const registered: { name: string; expression: string; timezone: string; onTick: (at: Date) => void; stopped: boolean }[] = [];
  const driver: CronDriver = {
    register(r) {
      const reg = { ...r, stopped: false };
      registered.push(reg);
      return {
        async stop() {
          reg.stopped = true;
        },
      };
    },
  };
  return { driver, registered };
}

let seq = 0;
const jobName = (what: string) => `${what}-${++seq}`;

/** A job that records each run (which instance, which slot) in a shared array. */
function countingJob(name: string, schedule: string, runs: { by: string; slot: string; now: string }[], by = ''): Job {
  return {
    name,
    schedule,
    async run({ db, slot, now }) {
      runs.push({ by, slot: slot.toISOString(), now: now.toISOString() });
      // Touch the database, so the run yields and concurrent claims interleave with it.
      await sql`select 1`.execute(db);
    },
  };
}

function ran(reports: JobRunReport[]) {
  return reports.filter((r) => r.outcome === 'succeeded' || r.outcome === 'failed');
}

describe('slot maths in Asia/Shanghai', () => {
  it('finds the latest slot at or before an instant, and the next one after it', () => {
    const daily = parseSchedule('0 9 * * *');
    expect(daily.latestAtOrBefore(sh('2026-11-28T15:00:00'))?.toISOString()).toBe('2026-11-28T01:00:00.000Z');
    expect(daily.latestAtOrBefore(sh('2026-11-28T09:00:00'))?.toISOString()).toBe('2026-11-28T01:00:00.000Z');
    expect(daily.latestAtOrBefore(sh('2026-11-28T08:59:59.999'))?.toISOString()).toBe('2026-11-27T01:00:00.000Z');
    expect(daily.nextAfter(sh('2026-11-28T09:00:00'))?.toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(daily.nextAfter(sh('2026-11-28T08:59:59'))?.toISOString()).toBe('2026-11-28T01:00:00.000Z');
  });

  it('reads a slot near midnight in Shanghai, not in UTC', () => {
    // 00:30 in Shanghai is 16:30 UTC on the day before; a UTC reading would say 00:30Z.
    const s = parseSchedule('30 0 * * *');
    expect(s.latestAtOrBefore(new Date('2026-11-27T16:29:59Z'))?.toISOString()).toBe('2026-11-26T16:30:00.000Z');
    expect(s.latestAtOrBefore(new Date('2026-11-27T16:30:00Z'))?.toISOString()).toBe('2026-11-27T16:30:00.000Z');
    expect(s.latestAtOrBefore(new Date('2026-11-28T00:30:00Z'))?.toISOString()).toBe('2026-11-27T16:30:00.000Z');
    // The first of the month begins at 16:00 UTC on the last day of the previous month.
    const monthly = parseSchedule('0 0 1 * *');
    expect(monthly.latestAtOrBefore(new Date('2026-11-30T16:00:00Z'))?.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(monthly.latestAtOrBefore(new Date('2026-11-30T15:59:59Z'))?.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(monthly.matches(new Date('2026-11-30T16:00:00Z'))).toBe(true);
    expect(monthly.matches(new Date('2026-12-01T00:00:00Z'))).toBe(false);
  });

  it('follows node-cron: a day of month and a weekday must both hold', () => {
    // 1 June 2026 and 1 February 2027 are Mondays; cron-parser's "either" reading would give 23 November 2026.
    const s = parseSchedule('0 9 1 * 1');
    expect(s.latestAtOrBefore(sh('2026-11-28T15:00:00'))?.toISOString()).toBe(iso('2026-06-01T09:00:00'));
    expect(s.nextAfter(sh('2026-11-28T15:00:00'))?.toISOString()).toBe(iso('2027-02-01T09:00:00'));
  });

  it('agrees with a minute-by-minute scan of the matcher', () => {
    // Six days around a month end (for `L`), scanned minute by minute.
    const from = Date.parse('2026-11-27T00:00:00Z');
    const to = Date.parse('2026-12-03T00:00:00Z');
    let rnd = 12345;
    const next = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const expr of ['*/7 9-17 * * 1-5', '0 0 L * *', '15 */3 * * *', '59 23 * * 0']) {
      const s = parseSchedule(expr);
      const fires: number[] = [];
      for (let t = from; t < to; t += 60_000) if (s.matches(new Date(t))) fires.push(t);
      expect(fires.length, expr).toBeGreaterThan(0);
      for (let i = 0; i < 40; i += 1) {
        const at = Math.floor(from + 86_400_000 + next() * (to - from - 2 * 86_400_000));
        const before = fires.filter((f) => f <= at).at(-1);
        const after = fires.find((f) => f > at);
        if (before !== undefined) expect(s.latestAtOrBefore(new Date(at))?.getTime(), `${expr} @ ${new Date(at).toISOString()}`).toBe(before);
        if (after !== undefined) expect(s.nextAfter(new Date(at))?.getTime(), `${expr} @ ${new Date(at).toISOString()}`).toBe(after);
      }
    }
  });

  it('rejects a bad expression, a duplicate name, and a bad lease when the scheduler is made', () => {
    const handle = {} as DbHandle;
    const run = async () => undefined;
    expect(() => createScheduler({ handle, jobs: [{ name: 'x', schedule: '0 25 * * *', run }] })).toThrow(/SCHEDULE_INVALID.*hour/);
    expect(() => createScheduler({ handle, jobs: [{ name: 'x', schedule: 'every day', run }] })).toThrow(/SCHEDULE_INVALID/);
    const twice = [
      { name: 'x', schedule: '0 9 * * *', run },
      { name: 'x', schedule: '0 10 * * *', run },
    ];
    expect(() => createScheduler({ handle, jobs: twice })).toThrow(/registered twice/);
    expect(() => createScheduler({ handle, jobs: [], leaseMs: 0 })).toThrow(/leaseMs/);
  });
});

describe(`scheduler on ${testDialect}`, () => {
  let t: TestDb;
  /** A second, independent connection to the same database: another instance of the service. */
  let other: DbHandle;

  beforeAll(async () => {
    t = await createTestDb();
    other = createDb(t.config);
  });
  afterAll(async () => {
    await other?.close();
    await t?.destroy();
  });

  const quiet = memoryLogger().logger;
  function scheduler(options: Partial<SchedulerOptions> & Pick<SchedulerOptions, 'jobs'>) {
    return createScheduler({ handle: t, logger: quiet, cron: manualCron().driver, ...options });
  }
  const lease = (name: string) => findJobLease(jobLeaseDb(t.db), name);

  it('runs a job at its slot, not again in that slot, and again in the next slot', async () => {
    const name = jobName('hourly');
    const runs: { by: string; slot: string; now: string }[] = [];
    const s = scheduler({ jobs: [countingJob(name, '0 * * * *', runs)], instanceId: 'a' });

    const first = await s.runDue(sh('2026-11-28T09:00:00'));
    expect(first).toEqual([{ job: name, outcome: 'succeeded', slot: iso('2026-11-28T09:00:00'), durationMs: expect.any(Number) }]);
    expect(runs).toEqual([{ by: '', slot: iso('2026-11-28T09:00:00'), now: iso('2026-11-28T09:00:00') }]);

    expect(await s.runDue(sh('2026-11-28T09:00:00'))).toEqual([{ job: name, outcome: 'skipped', reason: 'already-run', slot: iso('2026-11-28T09:00:00') }]);
    expect(ran(await s.runDue(sh('2026-11-28T09:59:59')))).toEqual([]);
    expect(runs).toHaveLength(1);

    expect(ran(await s.runDue(sh('2026-11-28T10:00:05')))).toHaveLength(1);
    expect(runs.map((r) => r.slot)).toEqual([iso('2026-11-28T09:00:00'), iso('2026-11-28T10:00:00')]);

    const row = await lease(name);
    expect(row).toMatchObject({ last_slot: iso('2026-11-28T10:00:00'), owner: 'a', lease_until: null, last_error: null, last_started_at: iso('2026-11-28T10:00:05') });
    expect(row!.last_finished_at! >= row!.last_started_at!).toBe(true);

    const [status] = await s.status(sh('2026-11-28T10:30:00'));
    expect(status).toMatchObject({ name, lastSlot: iso('2026-11-28T10:00:00'), nextSlot: iso('2026-11-28T11:00:00'), lastError: null });
  });

  it('catches up a missed daily slot once, for the latest slot, in Shanghai time', async () => {
    const name = jobName('daily');
    const runs: { by: string; slot: string; now: string }[] = [];
    const s = scheduler({ jobs: [countingJob(name, '0 9 * * *', runs)] });

    await s.runDue(sh('2026-11-27T09:00:30'));
    expect((await lease(name))?.last_slot).toBe(iso('2026-11-27T09:00:00'));

    // Down overnight and all morning: back at 15:00, today's 09:00 slot runs once.
    const back = await s.runDue(sh('2026-11-28T15:00:00'));
    expect(ran(back)).toEqual([{ job: name, outcome: 'succeeded', slot: '2026-11-28T01:00:00.000Z', durationMs: expect.any(Number) }]);
    expect(ran(await s.runDue(sh('2026-11-28T15:01:00')))).toEqual([]);
    expect(runs.map((r) => r.slot)).toEqual(['2026-11-27T01:00:00.000Z', '2026-11-28T01:00:00.000Z']);
    expect((await lease(name))?.last_slot).toBe('2026-11-28T01:00:00.000Z');
  });

  it('catches up just after midnight in Shanghai (still the previous day in UTC)', async () => {
    const name = jobName('midnight');
    const runs: { by: string; slot: string; now: string }[] = [];
    const s = scheduler({ jobs: [countingJob(name, '30 0 * * *', runs)] });
    await s.runDue(new Date('2026-11-26T17:00:00Z')); // 27 Nov 01:00 in Shanghai
    // 28 Nov 00:45 in Shanghai is 27 Nov 16:45 UTC: the 00:30 slot of the 28th is due.
    await s.runDue(new Date('2026-11-27T16:45:00Z'));
    expect(runs.map((r) => r.slot)).toEqual(['2026-11-26T16:30:00.000Z', '2026-11-27T16:30:00.000Z']);
    // 27 Nov 23:00 UTC is 28 Nov 07:00 in Shanghai: nothing new is due.
    expect(ran(await s.runDue(new Date('2026-11-27T23:00:00Z')))).toEqual([]);
  });

  it('start() runs one catch-up pass for the latest missed slot, then ticks call the same path', async () => {
    const name = jobName('startup');
    const runs: { by: string; slot: string; now: string }[] = [];
    const clock = new FakeClock(sh('2026-11-25T09:10:00'));
    const cron = manualCron();
    const job = countingJob(name, '0 9 * * *', runs);
    const before = scheduler({ jobs: [job], clock, cron: cron.driver });
    await before.runDue();
    expect(runs).toHaveLength(1);

    // Three days later the service comes back at 15:00: one run, for today's 09:00.
    clock.set(sh('2026-11-28T15:00:00'));
    const cron2 = manualCron();
    const s = scheduler({ jobs: [job], clock, cron: cron2.driver });
    const catchUp = await s.start();
    expect(ran(catchUp)).toEqual([{ job: name, outcome: 'succeeded', slot: iso('2026-11-28T09:00:00'), durationMs: expect.any(Number) }]);
    expect(runs.map((r) => r.slot)).toEqual([iso('2026-11-25T09:00:00'), iso('2026-11-28T09:00:00')]);
    expect(cron2.registered.map((r) => [r.name, r.expression, r.timezone])).toEqual([[name, '0 9 * * *', 'Asia/Shanghai']]);

    // The next morning's tick claims and runs that slot; a tick fired a hair early still counts.
    clock.set(sh('2026-11-29T08:59:59.998'));
    cron2.registered[0].onTick(sh('2026-11-29T09:00:00'));
    await s.stop();
    expect(runs.map((r) => r.slot).at(-1)).toBe(iso('2026-11-29T09:00:00'));
    expect(cron2.registered[0].stopped).toBe(true);

    // After stop() a late tick does nothing.
    clock.set(sh('2026-11-30T09:00:00'));
    cron2.registered[0].onTick(sh('2026-11-30T09:00:00'));
    await s.stop();
    expect(runs).toHaveLength(3);
  });

  it('records a failing job\'s error, logs it, and still runs the other jobs', async () => {
    const boomName = jobName('boom');
    const fineName = jobName('fine');
    const runs: { by: string; slot: string; now: string }[] = [];
    let fail = true;
    const boom: Job = {
      name: boomName,
      schedule: '0 9 * * *',
      async run() {
        if (fail) throw new Error('registry file missing');
      },
    };
    const { lines, logger } = memoryLogger();
    const s = scheduler({ jobs: [boom, countingJob(fineName, '0 9 * * *', runs)], logger });

    const reports = await s.runDue(sh('2026-11-28T09:00:00'));
    expect(reports).toEqual([
      { job: boomName, outcome: 'failed', slot: iso('2026-11-28T09:00:00'), durationMs: expect.any(Number), error: 'Error: registry file missing' },
      { job: fineName, outcome: 'succeeded', slot: iso('2026-11-28T09:00:00'), durationMs: expect.any(Number) },
    ]);
    expect(runs).toHaveLength(1);
    expect(await lease(boomName)).toMatchObject({ last_slot: iso('2026-11-28T09:00:00'), last_error: 'Error: registry file missing', lease_until: null });
    expect((await lease(boomName))?.last_finished_at).not.toBeNull();
    const logged = lines.find((l) => l.level === 'error' && l.obj.job === boomName);
    expect(logged?.msg).toBe('job failed');
    expect((logged?.obj.err as Error).message).toBe('registry file missing');

    // A failed slot is not retried; the next slot runs, and success clears the error.
    expect(ran(await s.runDue(sh('2026-11-28T12:00:00')))).toEqual([]);
    fail = false;
    await s.runDue(sh('2026-11-29T09:00:00'));
    expect(await lease(boomName)).toMatchObject({ last_slot: iso('2026-11-29T09:00:00'), last_error: null });
  });

  it('two instances with their own connections run a slot once between them', async () => {
    const name = jobName('shared');
    const runs: { by: string; slot: string; now: string }[] = [];
    const a = scheduler({ handle: t, jobs: [countingJob(name, '0 9 * * *', runs, 'a')], instanceId: 'a' });
    const b = scheduler({ handle: other, jobs: [countingJob(name, '0 9 * * *', runs, 'b')], instanceId: 'b' });

    const [ra, rb] = await Promise.all([a.runDue(sh('2026-11-28T09:00:00')), b.runDue(sh('2026-11-28T09:00:00.400'))]);
    expect(runs).toHaveLength(1);
    const outcomes = [...ra, ...rb].map((r) => r.outcome).sort();
    expect(outcomes).toEqual(['skipped', 'succeeded']);
    expect([...ra, ...rb].find((r) => r.outcome === 'skipped')).toMatchObject({ reason: 'already-run' });
    expect((await lease(name))?.owner).toBe(runs[0].by);
  });

  it('two instances racing over 50 slots run each slot exactly once in total', async () => {
    const name = jobName('race');
    const runs: { by: string; slot: string; now: string }[] = [];
    const a = scheduler({ handle: t, jobs: [countingJob(name, '* * * * *', runs, 'a')], instanceId: 'a' });
    const b = scheduler({ handle: other, jobs: [countingJob(name, '* * * * *', runs, 'b')], instanceId: 'b' });
    const start = sh('2026-11-28T09:00:00').getTime();
    for (let i = 0; i < 50; i += 1) {
      const at = start + i * 60_000;
      // Alternate who asks first, and let the clocks differ by a few seconds.
      const calls = i % 2 === 0 ? [a.runDue(new Date(at)), b.runDue(new Date(at + 3_000))] : [b.runDue(new Date(at + 1_000)), a.runDue(new Date(at))];
      await Promise.all(calls);
    }
    const slots = runs.map((r) => r.slot);
    expect(slots).toHaveLength(50);
    expect(new Set(slots).size).toBe(50);
    expect(slots[0]).toBe(iso('2026-11-28T09:00:00'));
    expect(slots[49]).toBe(iso('2026-11-28T09:49:00'));
  });

  it('a run still holding its lease blocks another instance until the lease expires', async () => {
    const name = jobName('slow');
    const runs: { by: string; slot: string; now: string }[] = [];
    const started = deferred();
    const release = deferred();
    const slowJob: Job = {
      name,
      schedule: '* * * * *',
      async run({ slot }) {
        runs.push({ by: 'a', slot: slot.toISOString(), now: '' });
        started.resolve();
        await release.promise;
      },
    };
    const { lines, logger } = memoryLogger();
    const a = scheduler({ handle: t, jobs: [slowJob], instanceId: 'a', leaseMs: 5 * 60_000, logger });
    const b = scheduler({ handle: other, jobs: [countingJob(name, '* * * * *', runs, 'b')], instanceId: 'b', leaseMs: 5 * 60_000 });

    const aRun = a.runDue(sh('2026-11-28T09:00:00'));
    await started.promise;
    expect(await lease(name)).toMatchObject({ owner: 'a', last_slot: iso('2026-11-28T09:00:00'), lease_until: iso('2026-11-28T09:05:00') });

    // The same instance does not start the job twice.
    expect(await a.runDue(sh('2026-11-28T09:01:00'))).toEqual([{ job: name, outcome: 'skipped', reason: 'running-here' }]);
    // Later slots are due, but a's lease holds the job until 09:05.
    expect(await b.runDue(sh('2026-11-28T09:01:00'))).toEqual([{ job: name, outcome: 'skipped', reason: 'leased', slot: iso('2026-11-28T09:01:00') }]);
    expect((await b.runDue(sh('2026-11-28T09:05:00')))[0]).toMatchObject({ outcome: 'skipped', reason: 'leased' });
    expect(runs.map((r) => r.by)).toEqual(['a']);

    // As if a had crashed: once its lease has expired, b runs the latest slot.
    expect(ran(await b.runDue(sh('2026-11-28T09:05:01')))).toEqual([{ job: name, outcome: 'succeeded', slot: iso('2026-11-28T09:05:00'), durationMs: expect.any(Number) }]);
    expect(runs.map((r) => [r.by, r.slot])).toEqual([
      ['a', iso('2026-11-28T09:00:00')],
      ['b', iso('2026-11-28T09:05:00')],
    ]);

    // a finishes late: its end must not overwrite b's record.
    release.resolve();
    expect((await aRun)[0]).toMatchObject({ outcome: 'succeeded', slot: iso('2026-11-28T09:00:00') });
    expect(await lease(name)).toMatchObject({ owner: 'b', last_slot: iso('2026-11-28T09:05:00'), lease_until: null });
    expect(lines.some((l) => l.level === 'warn' && /lease was taken over/.test(l.msg ?? ''))).toBe(true);
  });

  it('renews the lease of a long run while it runs, and releases it at the end', async () => {
    const name = jobName('renewed');
    const release = deferred();
    const started = deferred();
    const job: Job = {
      name,
      schedule: '* * * * *',
      async run() {
        started.resolve();
        await release.promise;
      },
    };
    // A 30 ms lease is renewed every 10 ms (real time); the test waits for one renewal.
    const s = scheduler({ jobs: [job], instanceId: 'a', leaseMs: 30 });
    const pass = s.runDue(sh('2026-11-28T09:00:00'));
    await started.promise;
    const first = iso('2026-11-28T09:00:00.030');
    expect((await lease(name))?.lease_until).toBe(first);
    await vi.waitFor(async () => expect(((await lease(name))?.lease_until ?? first) > first).toBe(true), { timeout: 10_000, interval: 5 });
    release.resolve();
    expect((await pass)[0]).toMatchObject({ outcome: 'succeeded' });
    expect((await lease(name))?.lease_until).toBeNull();
  });

  it('recreates a job row that was deleted', async () => {
    const name = jobName('reset');
    const runs: { by: string; slot: string; now: string }[] = [];
    const s = scheduler({ jobs: [countingJob(name, '0 9 * * *', runs)] });
    await s.runDue(sh('2026-11-28T09:00:00'));
    await jobLeaseDb(t.db).deleteFrom('job_leases').where('name', '=', name).execute();
    // With the record gone, the slot counts as not run.
    expect(ran(await s.runDue(sh('2026-11-28T10:00:00')))).toHaveLength(1);
    expect((await lease(name))?.last_slot).toBe(iso('2026-11-28T09:00:00'));
    expect(runs).toHaveLength(2);
  });

  it('start() and stop() with node-cron leave no task behind, and the process can exit', async () => {
    const name = jobName('timers');
    const runs: { by: string; slot: string; now: string }[] = [];
    const tasksBefore = getTasks().size;
    const s = createScheduler({ handle: t, logger: quiet, jobs: [countingJob(name, '0 9 * * *', runs), countingJob(`${name}-b`, '*/5 * * * *', runs)] });
    const catchUp = s.start();
    expect([...getTasks().values()].filter((task) => task.getStatus() !== 'stopped' && task.getStatus() !== 'destroyed')).toHaveLength(2);
    expect(ran(await catchUp)).toHaveLength(2);
    await s.stop();
    expect(getTasks().size).toBe(tasksBefore);

    // The real test: a process that starts and stops a scheduler ends by itself.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-sched-'));
    const script = path.join(dir, 'child.mts');
    const src = (rel: string) => JSON.stringify(pathToFileURL(path.join(projectRoot, rel)).href);
    fs.writeFileSync(
      script,
      [
        `import { createDb } from ${src('src/db/connection.ts')};`,
        `import { createScheduler } from ${src('src/jobs/scheduler.ts')};`,
        `const handle = createDb(JSON.parse(process.env.DR_DB!));`,
        `const log = () => undefined;`,
        `const s = createScheduler({ handle, logger: { debug: log, info: log, warn: log, error: log }, jobs: [`,
        `  { name: ${JSON.stringify(`${name}-child`)}, schedule: '* * * * * *', run: async () => undefined },`,
        `] });`,
        `const reports = await s.start();`,
        `await s.stop();`,
        `await handle.close();`,
        `console.log(JSON.stringify(reports.map((r) => r.outcome)));`,
      ].join('\n'),
    );
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: projectRoot, env: { ...process.env, DR_DB: JSON.stringify(t.config) }, timeout: 30_000, encoding: 'utf8' });
      expect(out.trim()).toBe('["succeeded"]');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
