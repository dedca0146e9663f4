/**
 * The worker pool: long-lived threads that run the service's long operations (commitments,
 * draws, simulations, HTTP imports) off the HTTP thread, each thread with its own database
 * connection opened once. The operations are the one map in workerOps.ts; `run` is typed from it.
 *
 * Lifecycle. startServer creates the pool with the service, starts its threads (`warm`) so the
 * first draw does not wait for one, and closes it with the server (in-flight operations get a
 * grace period, then the threads are terminated). Apps built without a pool (tests, scripts)
 * get one per database handle from `workerPoolFor`, whose threads start on first use. Idle
 * threads are unref'd, so a pool nobody closed never keeps a process alive; a thread is ref'd
 * only while it runs an operation.
 *
 * Two lanes of the same mechanism:
 * - `run` — draws, commitments, simulations: WORKER_THREADS threads (default min(2, cores)).
 *   On SQLite the threads' writes still serialise (one writer at a time, BEGIN IMMEDIATE with a
 *   busy timeout, see db/connection.ts); reads and computation run side by side.
 * - `runCapped` — HTTP imports: threads started with a heap cap (IMPORT_MEMORY_MB) and at most
 *   IMPORT_CONCURRENCY of them. A heap cap is a property of a thread (resourceLimits), so capped
 *   threads are a lane of their own and run one job at a time: the cap is the job's cap. A file
 *   too large kills only its thread (ERR_WORKER_OUT_OF_MEMORY → IMPORT_TOO_LARGE); the lane
 *   replaces it on the next job and the server stays up. Not so for one allocation far over the
 *   cap: a single cell of hundreds of MB (a 472 MB CSV under the default 512 MB cap, or a 50 MB
 *   cell under a 32 MB cap) makes V8 abort the whole process ("Reached heap limit", SIGABRT), as
 *   it did before the pool; cells must be bounded where the file is read. Reusing the thread
 *   between imports saves the thread start (module loading, tsx under tests) that each import
 *   used to pay; when the configured cap changes, idle threads of the old cap are let go.
 *
 * A thread that dies (out of memory, a native crash, an uncaught exception) rejects the
 * operation it was running and is replaced: at once in a warmed lane (if it had started
 * cleanly, so a thread that cannot even start does not loop), otherwise on the next operation.
 *
 * Compiled or not. When this module is dist/src/services/workers.js (`npm start`), threads start
 * on the compiled serviceWorker.js: no TypeScript loader. When it is the .ts source (vitest,
 * tsx, the CLI's fallback), threads start on workerEntry.mjs, which registers tsx once per
 * thread and imports serviceWorker.ts — paid once per thread, not once per operation.
 *
 * PostgreSQL: is the worker needed at all? The pg driver is asynchronous, but a draw is not
 * mostly waiting on the database: freezing the registry into canonical files, hashing them,
 * computing tickets and teams and a simulation's Monte Carlo runs are synchronous JavaScript.
 * Measured on the demo data (3,000 entities, 2 cores), the latency of GET /healthz probed every
 * 10 ms while a task is committed, seeded and drawn over HTTP (commit + seed + draw, 5 rounds):
 *
 *   PostgreSQL, no operation running:          healthz p99  8 ms, max  21 ms
 *   PostgreSQL, operations on the HTTP thread: healthz p99 43 ms, max 149 ms
 *   PostgreSQL, operations in the pool:        healthz p99 16 ms, max  20 ms
 *
 * (bench/worker-latency.ts, 4 repeats of the 5 rounds, server in a child process, all probes
 * sent while a commit, seed or draw ran; the "HTTP thread" case calls the same workerOps
 * functions on the HTTP thread.) With 30,000 more entities in the registry (`--extra-objects=
 * 30000`: commit ≈ 0.9 s, draw ≈ 0.5 s) the HTTP thread gives p99 182 ms, max 230 ms, a fifth
 * of all probes over 50 ms, and the pool p99 13 ms, max 33 ms (idle 6 / 11 ms). On SQLite, whose
 * driver is synchronous, the demo data gives p99 115 ms on the HTTP thread, 23 ms in the pool.
 * The operations take as long either way (PostgreSQL, demo data: commit 138 vs 124 ms, draw 156
 * vs 129 ms on the HTTP thread vs in the pool).
 *
 * Decision: the pool stays on PostgreSQL too, and there is no "inline" mode (WORKER_THREADS is at
 * least 1 on every engine). On the HTTP thread a commit or a draw holds the event loop for its
 * computation — tens of milliseconds on the demo data, hundreds with 33,000 entities, and more
 * on a real district's registry (bench/draw.ts draws from 1,000,000) — and every other request
 * (health checks, the public site, sign-ins) waits that long; in the pool the HTTP thread stays
 * near idle latency, the operations are no slower, both engines keep one code path, and the
 * heap-capped import lane needs the threads anyway. What the pool costs is two threads' memory
 * and a small connection pool per thread.
 */
import { Worker } from 'node:worker_threads';
import type { DatabaseConfig } from '../config.ts';
import { workerThreads } from '../config.ts';
import type { DbHandle } from '../db/connection.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError, type Problem } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { OperationArgs, OperationName, OperationResult } from './workerOps.ts';
import type { SerializedError, WorkerReply, WorkerRequest } from './serviceWorker.ts';

/** True when running compiled (dist/…/workers.js), false from the TypeScript sources. */
const compiled = import.meta.url.endsWith('.js');

function startThread(database: DatabaseConfig, heapMb: number | undefined): Worker {
  const resourceLimits = heapMb ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {};
  if (compiled) return new Worker(new URL('./serviceWorker.js', import.meta.url), { workerData: { database }, ...resourceLimits });
  return new Worker(new URL('./workerEntry.mjs', import.meta.url), {
    workerData: { database, __module: new URL('./serviceWorker.ts', import.meta.url).href },
    ...resourceLimits,
  });
}

const ERROR_CLASSES: Record<string, { prototype: AppError }> = { AppError, ValidationError, NotFoundError, ConflictError, ForbiddenError };

/** Rebuilds an error that crossed from a thread: domain errors as AppError (so HTTP maps them as usual). */
export function rebuildError(e: SerializedError): Error {
  let err: Error;
  if (typeof e.status === 'number' && e.code) {
    err = new AppError(e.status, e.code, e.message, (e.problems ?? []) as Problem[]);
    const cls = ERROR_CLASSES[e.name];
    if (cls) Object.setPrototypeOf(err, cls.prototype);
  } else {
    err = Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
  }
  err.name = e.name;
  if (e.extra) Object.assign(err, e.extra);
  // Where it failed is in the thread: keep that stack, then where it was called from.
  if (e.stack) err.stack = `${e.stack}\n    -- in a thread of the worker pool, called from:\n${(err.stack ?? '').split('\n').slice(1).join('\n')}`;
  return err;
}

const stopping = () => new AppError(503, 'WORKERS_STOPPING', '服务正在停止，未执行该操作；请稍后重试');

/** Resolves with `p`, or with undefined after `ms` (the timer never keeps the process alive). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface LaneStats {
  /** Threads started since the pool was created (a reused thread is not counted again). */
  threadsStarted: number;
  threadsAlive: number;
  busy: number;
  queued: number;
  /** Operations that answered (a result or a domain error). */
  completed: number;
  /** Threads that ended without the pool asking (and were, or will be, replaced). */
  crashed: number;
}

interface Job {
  op: OperationName;
  args: unknown[];
  heapMb: number | undefined;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Thread {
  worker: Worker;
  heapMb: number | undefined;
  /** It said it is ready (its modules loaded and connection opened). */
  ready: boolean;
  /** The pool let it go (shrinking, closing): its end is not a crash. */
  leaving: boolean;
  job: (Job & { id: number; settled: Promise<void>; settle: () => void }) | null;
  /** The error the thread died of, if any (e.g. ERR_WORKER_OUT_OF_MEMORY). */
  error?: Error;
  exited: Promise<void>;
}

class Lane {
  private readonly threads = new Set<Thread>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closing = false;
  /** Keep `size()` threads running (replace crashed ones at once). */
  private warm = false;
  private readonly counters = { threadsStarted: 0, completed: 0, crashed: 0 };

  constructor(
    private readonly name: string,
    private readonly database: DatabaseConfig,
    private readonly size: () => number,
    private readonly logger?: Logger,
  ) {}

  run(op: OperationName, args: unknown[], heapMb?: number): Promise<unknown> {
    if (this.closing) return Promise.reject(stopping());
    return new Promise((resolve, reject) => {
      this.queue.push({ op, args, heapMb, resolve, reject });
      this.pump();
    });
  }

  start(): void {
    this.warm = true;
    while (!this.closing && this.active().length < this.size()) this.spawn(undefined);
  }

  stats(): LaneStats {
    const threads = [...this.threads];
    return { ...this.counters, threadsAlive: threads.length, busy: threads.filter((t) => t.job).length, queued: this.queue.length };
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) job.reject(stopping());
    const deadline = Date.now() + graceMs;
    await Promise.all(
      [...this.threads].map(async (t) => {
        if (t.job) await within(t.job.settled, deadline - Date.now());
        t.leaving = true;
        if (t.job) {
          // Still running after the grace period: stop it (its transaction never commits).
          await t.worker.terminate();
          return;
        }
        t.worker.postMessage({ type: 'close' });
        if (!(await within(t.exited.then(() => true), 2000))) await t.worker.terminate();
      }),
    );
  }

  private active(): Thread[] {
    return [...this.threads].filter((t) => !t.leaving);
  }

  private pump(): void {
    while (this.queue.length && !this.closing) {
      const job = this.queue[0];
      let thread = this.active().find((t) => !t.job && t.heapMb === job.heapMb);
      if (!thread) {
        if (this.active().length >= this.size()) {
          // Full: an idle thread of another heap cap makes room; otherwise wait for one to finish.
          const other = this.active().find((t) => !t.job);
          if (!other) return;
          this.letGo(other);
        }
        thread = this.spawn(job.heapMb);
      }
      this.queue.shift();
      this.assign(thread, job);
    }
  }

  private spawn(heapMb: number | undefined): Thread {
    const worker = startThread(this.database, heapMb);
    worker.unref();
    this.counters.threadsStarted++;
    const thread: Thread = { worker, heapMb, ready: false, leaving: false, job: null, exited: new Promise((resolve) => worker.once('exit', () => resolve())) };
    this.threads.add(thread);
    worker.on('message', (m: WorkerReply) => this.onMessage(thread, m));
    worker.on('error', (e) => {
      thread.error = e;
    });
    worker.once('exit', (code) => this.onExit(thread, code));
    return thread;
  }

  private assign(thread: Thread, job: Job): void {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const id = this.nextId++;
    thread.job = { ...job, id, settled, settle };
    thread.worker.ref();
    try {
      thread.worker.postMessage({ type: 'run', id, op: job.op, args: job.args } satisfies WorkerRequest);
    } catch (e) {
      // Arguments that cannot be cloned: the caller's bug; the thread is fine.
      this.finish(thread);
      job.reject(e);
    }
  }

  private finish(thread: Thread): void {
    thread.job?.settle();
    thread.job = null;
    thread.worker.unref();
    // Shrunk meanwhile (a lower IMPORT_CONCURRENCY): let the surplus idle thread go.
    if (this.active().length > this.size() && !this.queue.length) this.letGo(thread);
    this.pump();
  }

  private letGo(thread: Thread): void {
    thread.leaving = true;
    thread.worker.postMessage({ type: 'close' });
    void within(thread.exited, 2000).then(() => thread.worker.terminate());
  }

  private onMessage(thread: Thread, m: WorkerReply): void {
    if (m.type === 'ready') {
      thread.ready = true;
      return;
    }
    const job = thread.job;
    if (!job || m.id !== job.id) return;
    this.counters.completed++;
    if (m.type === 'result') job.resolve(m.result);
    else job.reject(rebuildError(m.error));
    this.finish(thread);
  }

  private onExit(thread: Thread, code: number): void {
    this.threads.delete(thread);
    const job = thread.job;
    if (!thread.leaving && !this.closing) {
      this.counters.crashed++;
      this.logger?.error({ lane: this.name, code, err: thread.error, op: job?.op }, '工作线程意外退出，已替换 (worker thread died)');
    }
    if (job) {
      job.settle();
      job.reject(thread.error ?? Object.assign(new Error(`worker thread exited with code ${code} before answering`), { code: 'ERR_WORKER_EXITED' }));
    }
    if (this.closing) return;
    if (this.warm && thread.ready && !thread.leaving) this.start();
    this.pump();
  }
}

export interface WorkerPoolOptions {
  database: DatabaseConfig;
  /** Threads running draws, commitments and simulations; default WORKER_THREADS. */
  threads?: number;
  logger?: Logger;
}

export interface WorkerPoolStats {
  operations: LaneStats;
  capped: LaneStats;
}

export class WorkerPool {
  private readonly operations: Lane;
  private readonly capped: Lane;
  private cappedThreads = 1;
  private closed: Promise<void> | null = null;

  constructor(options: WorkerPoolOptions) {
    const threads = Math.max(1, options.threads ?? workerThreads());
    this.operations = new Lane('operations', options.database, () => threads, options.logger);
    this.capped = new Lane('capped', options.database, () => this.cappedThreads, options.logger);
  }

  /** Runs one operation of workerOps.ts in a pool thread; resolves with its result, rejects with its error. */
  run<K extends OperationName>(op: K, ...args: OperationArgs<K>): Promise<OperationResult<K>> {
    return this.operations.run(op, args) as Promise<OperationResult<K>>;
  }

  /**
   * Runs one operation in a thread whose heap is capped at `heapMb`, at most `threads` such
   * threads at once (imports: IMPORT_MEMORY_MB, IMPORT_CONCURRENCY).
   */
  runCapped<K extends OperationName>(limits: { heapMb: number; threads: number }, op: K, ...args: OperationArgs<K>): Promise<OperationResult<K>> {
    this.cappedThreads = Math.max(1, limits.threads);
    return this.capped.run(op, args, limits.heapMb) as Promise<OperationResult<K>>;
  }

  /** Starts the operation threads now, so that the first draw does not wait for one. */
  start(): this {
    this.operations.start();
    return this;
  }

  stats(): WorkerPoolStats {
    return { operations: this.operations.stats(), capped: this.capped.stats() };
  }

  /** Refuses new operations, lets running ones finish for up to `graceMs`, then ends every thread. */
  close(graceMs = 10_000): Promise<void> {
    this.closed ??= Promise.all([this.operations.close(graceMs), this.capped.close(graceMs)]).then(() => undefined);
    return this.closed;
  }
}

const defaultPools = new WeakMap<DbHandle, WorkerPool>();

/**
 * The pool of a database handle for callers that were not given one (apps built by tests,
 * startImportJob called directly): created on first use, threads started lazily and unref'd.
 */
export function workerPoolFor(handle: DbHandle): WorkerPool {
  let pool = defaultPools.get(handle);
  if (!pool) defaultPools.set(handle, (pool = new WorkerPool({ database: handle.config })));
  return pool;
}
