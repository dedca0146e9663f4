/**
 * Scheduled jobs (定时任务): thin adapters over services, run at cron slots in Asia/Shanghai,
 * each slot at most once across every instance that shares the database.
 *
 * How a slot runs:
 * 1. The slot is the latest fire time at or before "now" (schedule.ts). Nothing is queued per
 *    fire time: an instance that was down for three days runs the job once, for the latest
 *    slot, when it comes back (catch-up on start()).
 * 2. The instance claims the slot with one conditional UPDATE of the job's job_leases row:
 *    it succeeds only if that row's last_slot is earlier and no lease is held. Exactly one
 *    instance wins; the others skip.
 * 3. The winner runs the job while holding a lease (renewed every leaseMs / 3), then records
 *    the end and releases the lease. A crashed instance stops renewing, so its lease expires
 *    after leaseMs and another instance may run a later slot; the crashed slot is not rerun.
 *
 * A slot whose run failed is not retried (at most once): last_error says why, and the next
 * slot runs as usual. Instances should keep their clocks in step (NTP): lease expiry compares
 * one instance's clock with another's.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { TIME_ZONE } from '../config.ts';
import type { Db, DbHandle } from '../db/connection.ts';
import {
  claimJobSlot,
  ensureJobLease,
  findJobLease,
  finishJobSlot,
  jobLeaseDb,
  listJobLeases,
  renewJobLease,
  type JobLeaseDb,
} from '../db/repositories/jobLeases.ts';
import { createLogger } from '../logger.ts';
import { systemClock, type Clock } from './clock.ts';
import { nodeCronDriver, type CronDriver, type CronRegistration } from './cronAdapter.ts';
import { parseSchedule, type CronSchedule } from './schedule.ts';

/** The logging the framework needs; a pino Logger fits. */
export interface JobLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobContext {
  db: Db;
  /** The time of this pass (the clock's, or the instant given to runDue). */
  now: Date;
  /** The scheduled time of the slot being run: use it, not `now`, to decide what period the run covers. */
  slot: Date;
  /** Logs with the job's name and slot attached. */
  logger: JobLogger;
}

export interface Job {
  /** Unique among the jobs; the key of its job_leases row, so renaming a job starts it afresh. */
  name: string;
  /** node-cron 4 expression (5 fields, or 6 with seconds first), read in Asia/Shanghai. */
  schedule: string;
  run(ctx: JobContext): Promise<unknown>;
}

export type SkipReason =
  /** The schedule has no fire time at or before now. */
  | 'no-slot'
  /** This slot (or a later one) was already claimed, here or by another instance. */
  | 'already-run'
  /** A run of the job (an earlier slot) still holds its lease. */
  | 'leased'
  /** This instance is running the job right now. */
  | 'running-here';

export type JobRunReport =
  | { job: string; outcome: 'succeeded'; slot: string; durationMs: number }
  | { job: string; outcome: 'failed'; slot: string; durationMs: number; error: string }
  | { job: string; outcome: 'skipped'; reason: SkipReason; slot?: string }
  /** The framework could not reach the database to claim a slot; nothing ran. */
  | { job: string; outcome: 'error'; error: string };

export interface JobStatus {
  name: string;
  schedule: string;
  lastSlot: string | null;
  owner: string | null;
  leaseUntil: string | null;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastError: string | null;
  nextSlot: string | null;
}

export interface SchedulerOptions {
  handle: DbHandle;
  jobs: readonly Job[];
  clock?: Clock;
  logger?: JobLogger;
  /** Names this instance in job_leases.owner; default host:pid:random. */
  instanceId?: string;
  /** How long a claim holds the job without renewal; default 10 minutes. */
  leaseMs?: number;
  /** Timer source; default node-cron. */
  cron?: CronDriver;
}

export interface Scheduler {
  readonly instanceId: string;
  /**
   * Registers a node-cron task per job, then runs one catch-up pass (runDue) for slots missed
   * while the service was down. Resolves when that pass ends; a server need not wait for it.
   */
  start(): Promise<JobRunReport[]>;
  /** Stops the timers and waits for runs in progress; leaves no timer behind. Call it before closing the database handle. */
  stop(): Promise<void>;
  /** Runs every job whose latest slot at or before `now` has not been claimed yet. Never rejects. */
  runDue(now?: Date): Promise<JobRunReport[]>;
  /** What job_leases says about each job, with its next slot. */
  status(now?: Date): Promise<JobStatus[]>;
}

export const DEFAULT_LEASE_MS = 10 * 60_000;
const MAX_ERROR_LENGTH = 2000;

function errorMessage(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function withFields(logger: JobLogger, fields: object): JobLogger {
  return {
    debug: (obj, msg) => logger.debug({ ...fields, ...obj }, msg),
    info: (obj, msg) => logger.info({ ...fields, ...obj }, msg),
    warn: (obj, msg) => logger.warn({ ...fields, ...obj }, msg),
    error: (obj, msg) => logger.error({ ...fields, ...obj }, msg),
  };
}

interface ScheduledJob {
  job: Job;
  schedule: CronSchedule;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { handle } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger();
  const cronDriver = options.cron ?? nodeCronDriver;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const instanceId = options.instanceId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  if (!Number.isFinite(leaseMs) || leaseMs < 1) throw new Error(`leaseMs must be a positive number of milliseconds, got ${leaseMs}`);

  // Fail fast on a bad job list: at construction, not at the first fire time.
  const jobs: ScheduledJob[] = [];
  const names = new Set<string>();
  for (const job of options.jobs) {
    if (!job.name) throw new Error('定时任务缺少名称 (JOB_INVALID)：every job needs a non-empty name');
    if (names.has(job.name)) throw new Error(`定时任务重名 (JOB_INVALID)："${job.name}" is registered twice; job names must be unique`);
    names.add(job.name);
    jobs.push({ job, schedule: parseSchedule(job.schedule) });
  }

  const leaseDb: JobLeaseDb = jobLeaseDb(handle.db);
  const ensured = new Set<string>();
  /** Jobs this instance is running, so a second tick does not even try to claim. */
  const runningHere = new Set<string>();
  /** Passes in progress, awaited by stop(). */
  const passes = new Set<Promise<unknown>>();
  let registrations: CronRegistration[] = [];
  let started = false;

  function track<T>(p: Promise<T>): Promise<T> {
    passes.add(p);
    p.finally(() => passes.delete(p)).catch(() => undefined);
    return p;
  }

  async function runOne({ job, schedule }: ScheduledJob, now: Date): Promise<JobRunReport> {
    const slot = schedule.latestAtOrBefore(now);
    if (!slot) return { job: job.name, outcome: 'skipped', reason: 'no-slot' };
    const slotIso = slot.toISOString();
    const log = withFields(logger, { job: job.name, slot: slotIso, instance: instanceId });

    try {
      const claim = () =>
        claimJobSlot(leaseDb, {
          name: job.name,
          slot: slotIso,
          owner: instanceId,
          now: now.toISOString(),
          leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
        });
      if (!ensured.has(job.name)) {
        await ensureJobLease(leaseDb, job.name);
        ensured.add(job.name);
      }
      if (!(await claim())) {
        const row = await findJobLease(leaseDb, job.name);
        if (!row) {
          // The row was deleted behind our back (an operator resetting the job): recreate it.
          await ensureJobLease(leaseDb, job.name);
          if (!(await claim())) return { job: job.name, outcome: 'skipped', reason: 'already-run', slot: slotIso };
        } else {
          const reason: SkipReason = row.last_slot != null && row.last_slot >= slotIso ? 'already-run' : 'leased';
          if (reason === 'leased') log.debug({ holder: row.owner, leaseUntil: row.lease_until }, 'job slot due but another run holds the lease');
          return { job: job.name, outcome: 'skipped', reason, slot: slotIso };
        }
      }
    } catch (err) {
      log.error({ err }, 'could not claim a job slot');
      return { job: job.name, outcome: 'error', error: errorMessage(err) };
    }

    // Times recorded for the run follow the pass's `now`, advanced by the real time elapsed,
    // so a test's fake instants stay consistent with each other.
    const t0 = performance.now();
    const elapsedNow = () => new Date(now.getTime() + Math.round(performance.now() - t0));
    let renewing: Promise<unknown> | undefined;
    const heartbeat = setInterval(() => {
      if (renewing) return;
      renewing = renewJobLease(leaseDb, { name: job.name, slot: slotIso, owner: instanceId, leaseUntil: new Date(elapsedNow().getTime() + leaseMs).toISOString() })
        .then((ok) => {
          if (!ok) log.warn({}, 'job lease lost while running: another instance may run the next slot');
        })
        .catch((err: unknown) => log.warn({ err }, 'could not renew a job lease'))
        .finally(() => {
          renewing = undefined;
        });
    }, Math.max(1, Math.floor(leaseMs / 3)));
    heartbeat.unref();

    log.info({}, 'job started');
    let error: string | null = null;
    try {
      await job.run({ db: handle.db, now, slot, logger: log });
    } catch (err) {
      error = errorMessage(err);
      log.error({ err }, 'job failed');
    } finally {
      clearInterval(heartbeat);
      // Let a renewal in flight land first, so the release below is the last write of this run.
      await renewing;
    }
    const durationMs = Math.round(performance.now() - t0);

    try {
      const recorded = await finishJobSlot(leaseDb, { name: job.name, slot: slotIso, owner: instanceId, finishedAt: elapsedNow().toISOString(), error });
      if (!recorded) log.warn({ durationMs }, 'job ended after its lease was taken over; its end was not recorded');
    } catch (err) {
      log.error({ err }, 'could not record the end of a job run; its lease will expire');
    }
    if (error === null) {
      log.info({ durationMs }, 'job succeeded');
      return { job: job.name, outcome: 'succeeded', slot: slotIso, durationMs };
    }
    return { job: job.name, outcome: 'failed', slot: slotIso, durationMs, error };
  }

  function runJobs(selected: readonly ScheduledJob[], now: Date): Promise<JobRunReport[]> {
    return track(
      Promise.all(
        selected.map(async (sj): Promise<JobRunReport> => {
          if (runningHere.has(sj.job.name)) return { job: sj.job.name, outcome: 'skipped', reason: 'running-here' };
          runningHere.add(sj.job.name);
          try {
            return await runOne(sj, now);
          } catch (err) {
            // runOne handles job and database errors; this is a last guard so a pass never rejects.
            logger.error({ err, job: sj.job.name }, 'scheduler error');
            return { job: sj.job.name, outcome: 'error', error: errorMessage(err) };
          } finally {
            runningHere.delete(sj.job.name);
          }
        }),
      ),
    );
  }

  function onTick(sj: ScheduledJob, scheduledAt: Date): void {
    if (!started) return;
    // A timer may fire a hair before the slot's instant; never look earlier than the slot.
    const clockNow = clock.now();
    const now = clockNow.getTime() < scheduledAt.getTime() ? scheduledAt : clockNow;
    void runJobs([sj], now);
  }

  return {
    instanceId,

    start() {
      if (started) throw new Error('scheduler already started');
      started = true;
      registrations = jobs.map((sj) =>
        cronDriver.register({ name: sj.job.name, expression: sj.job.schedule, timezone: TIME_ZONE, onTick: (at) => onTick(sj, at) }),
      );
      logger.info({ instance: instanceId, jobs: jobs.map((sj) => sj.job.name) }, 'scheduler started');
      return runJobs(jobs, clock.now());
    },

    async stop() {
      started = false;
      const regs = registrations;
      registrations = [];
      await Promise.all(regs.map((r) => r.stop()));
      await Promise.allSettled([...passes]);
    },

    runDue(now?: Date) {
      return runJobs(jobs, now ?? clock.now());
    },

    async status(now?: Date) {
      const at = now ?? clock.now();
      const rows = new Map((await listJobLeases(leaseDb, jobs.map((sj) => sj.job.name))).map((r) => [r.name, r]));
      return jobs.map(({ job, schedule }) => {
        const r = rows.get(job.name);
        return {
          name: job.name,
          schedule: job.schedule,
          lastSlot: r?.last_slot ?? null,
          owner: r?.owner ?? null,
          leaseUntil: r?.lease_until ?? null,
          lastStartedAt: r?.last_started_at ?? null,
          lastFinishedAt: r?.last_finished_at ?? null,
          lastError: r?.last_error ?? null,
          nextSlot: schedule.nextAfter(at)?.toISOString() ?? null,
        };
      });
    },
  };
}
