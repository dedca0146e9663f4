import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The project's root folder (where package.json, data/ and migrations/ live). This module is
 * src/config.ts when run from source (tsx, vitest) and dist/src/config.js when run compiled
 * (`npm start`): one level up from the former, two from the latter.
 */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), import.meta.url.endsWith('.js') ? '../..' : '..');

export const TIME_ZONE = 'Asia/Shanghai';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO_DATA: z.enum(['0', '1']).default('1'),
  SCHEDULER: z.enum(['0', '1']).default('1'),
});

export interface DatabaseConfig {
  dialect: 'sqlite' | 'postgres';
  /** SQLite file path, or PostgreSQL connection URL. */
  url: string;
}

export interface Config {
  port: number;
  database: DatabaseConfig;
  logLevel: string;
  /** Load the synthetic Yuzhong demo registry into an empty database on start-up. */
  demoData: boolean;
  /** Run the scheduled jobs in this instance. */
  scheduler: boolean;
  /** Threads of the worker pool (WORKER_THREADS). */
  workerThreads: number;
}

export function databaseConfigFromUrl(url: string | undefined): DatabaseConfig {
  if (url && /^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
  const file = url && url.length > 0 ? url : path.join(projectRoot, 'data', 'double-random.sqlite');
  return { dialect: 'sqlite', url: file };
}

/**
 * Reads and validates the environment once; fails fast with a message naming the variable.
 * Every variable the service reads is checked here (see `checkEnvironment`), not only those in
 * the returned object; the data files are checked at start by src/config/startup.ts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  checkEnvironment(env);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`配置错误 (CONFIG_INVALID)：${problems}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    database: databaseConfigFromUrl(e.DATABASE_URL),
    logLevel: e.LOG_LEVEL,
    demoData: e.DEMO_DATA === '1',
    scheduler: e.SCHEDULER === '1',
    workerThreads: workerThreads(env),
  });
}

/**
 * Where the public site is reached: PUBLIC_BASE_URL (default http://localhost:$PORT), without a
 * trailing slash. The one source of the address printed with the check code on notices and
 * encoded in the check page's QR code. Throws ConfigError when the variable is malformed.
 */
export function publicBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const parsed = publicBaseUrlSchema.safeParse({ PUBLIC_BASE_URL: env.PUBLIC_BASE_URL, PORT: env.PORT });
  if (!parsed.success) throw environmentError(parsed.error.issues, env);
  return parsed.data.PUBLIC_BASE_URL ?? `http://localhost:${parsed.data.PORT}`;
}

export interface ImportLimits {
  /** Imports that run at once in this instance; later uploads wait in the queue. */
  concurrency: number;
  /** Heap of one import's worker thread (MB): a file that needs more fails alone, the server stays up. */
  memoryMb: number;
  /** Hours an import's report and rejects files are kept after the job ends. */
  filesTtlHours: number;
}

const importLimitsSchema = z.object({
  IMPORT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  IMPORT_MEMORY_MB: z.coerce.number().int().min(64).max(16384).default(512),
  IMPORT_FILES_TTL_HOURS: z.coerce.number().min(0).max(24 * 366).default(72),
});

/** IMPORT_CONCURRENCY, IMPORT_MEMORY_MB, IMPORT_FILES_TTL_HOURS (validated; fails naming the variable). */
export function importLimits(env: NodeJS.ProcessEnv = process.env): ImportLimits {
  const parsed = importLimitsSchema.safeParse(env);
  if (!parsed.success) throw environmentError(parsed.error.issues, env);
  return { concurrency: parsed.data.IMPORT_CONCURRENCY, memoryMb: parsed.data.IMPORT_MEMORY_MB, filesTtlHours: parsed.data.IMPORT_FILES_TTL_HOURS };
}

const workerThreadsSchema = z.object({
  WORKER_THREADS: z.coerce.number().int().min(1).max(64).optional(),
});

/**
 * WORKER_THREADS: threads of the worker pool that runs draws, commitments and simulations
 * (validated; fails naming the variable). Default: min(2, available parallelism), at least 1.
 */
export function workerThreads(env: NodeJS.ProcessEnv = process.env): number {
  const parsed = workerThreadsSchema.safeParse(env);
  if (!parsed.success) throw environmentError(parsed.error.issues, env);
  return parsed.data.WORKER_THREADS ?? Math.max(1, Math.min(2, os.availableParallelism()));
}

// ---------------------------------------------------------------------------------------------
// Every environment variable, checked at once; the data files' paths; the configuration error

/** An empty variable counts as unset (`PUBLIC_BASE_URL=` in a shell or a compose file). */
const unsetWhenEmpty = (v: unknown) => (v === '' ? undefined : v);

const publicBaseUrlSchema = z.object({
  PUBLIC_BASE_URL: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .refine((s) => {
        try {
          const u = new URL(s);
          return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash && !u.username && !u.password;
        } catch {
          return false;
        }
      })
      .transform((s) => s.replace(/\/+$/, ''))
      .optional(),
  ),
  PORT: envSchema.shape.PORT,
});

const pathsSchema = z.object({
  DATA_DIR: z.preprocess(unsetWhenEmpty, z.string().optional()),
  IMPORT_DIR: z.preprocess(unsetWhenEmpty, z.string().optional()),
  ATTACHMENT_DIR: z.preprocess(unsetWhenEmpty, z.string().optional()),
});

/** Every variable the service reads (tests' own variables, such as TEST_DATABASE_URL, aside). */
const environmentSchema = z.object({
  ...envSchema.shape,
  ...importLimitsSchema.shape,
  ...workerThreadsSchema.shape,
  ...publicBaseUrlSchema.shape,
  ...pathsSchema.shape,
});

/** How to fix each variable, in the message that stops the start. */
const VARIABLE_HINTS: Record<string, string> = {
  PORT: '应为 0–65535 的整数，如 3000',
  DATABASE_URL: '应为 postgres:// 地址或 SQLite 文件路径，不能为空（不设则用 data/double-random.sqlite）',
  LOG_LEVEL: '应为 fatal、error、warn、info、debug、trace、silent 之一',
  DEMO_DATA: '应为 0 或 1',
  SCHEDULER: '应为 0 或 1',
  PUBLIC_BASE_URL: '应为以 http:// 或 https:// 开头的网址，不带查询参数、锚点和账号，如 https://sjs.example.gov.cn',
  IMPORT_CONCURRENCY: '应为 1–16 的整数',
  IMPORT_MEMORY_MB: '应为 64–16384 的整数（MB）',
  IMPORT_FILES_TTL_HOURS: '应为 0–8784 之间的数（小时）',
  WORKER_THREADS: '应为 1–64 的整数',
};

/**
 * A configuration that cannot work: a malformed environment variable or data file. The message
 * (Chinese, with the stable code CONFIG_INVALID) names the variable or the file, the field and
 * how to fix it; `problems` lists them one by one. It has no HTTP status: it stops the start.
 */
export class ConfigError extends Error {
  readonly reason = 'CONFIG_INVALID';
  constructor(
    message: string,
    readonly problems: { path?: string; code: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

function environmentError(issues: readonly z.core.$ZodIssue[], env: NodeJS.ProcessEnv): ConfigError {
  const problems = issues.map((i) => {
    const name = String(i.path[0] ?? '');
    const hint = VARIABLE_HINTS[name] ?? i.message;
    return { path: name, code: 'CONFIG_INVALID', message: `环境变量 ${name}=${JSON.stringify(env[name] ?? '')} 无效：${hint}` };
  });
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.path === p.path) === i);
  return new ConfigError(`配置错误 (CONFIG_INVALID)：${unique.map((p) => p.message).join('；')}。请修正环境变量后重新启动`, unique);
}

/** Validates every environment variable the service reads, all at once. Throws ConfigError. */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) throw environmentError(parsed.error.issues, env);
}

/** Where the data files are read from: DATA_DIR (default data/ under the project root). */
export interface DataPaths {
  /** The folder (absolute). */
  dir: string;
  /** DATA_DIR was set: the folder must exist. */
  explicit: boolean;
  /** The exemption and no-coercion lists: <dir>/lists/exemption/*.json, <dir>/lists/no-coercion/*.json. */
  lists: string;
  /** The holiday calendar's overrides: <dir>/calendar-overrides.json (optional). */
  calendarOverrides: string;
  /** The defaults of new inspection tasks: <dir>/plan-defaults.json (required). */
  planDefaults: string;
}

/** The data files' paths, from DATA_DIR (relative to the working directory) or the project's data/. */
export function dataPaths(env: NodeJS.ProcessEnv = process.env): DataPaths {
  const set = unsetWhenEmpty(env.DATA_DIR) as string | undefined;
  const dir = set ? path.resolve(set) : path.join(projectRoot, 'data');
  return {
    dir,
    explicit: set !== undefined,
    lists: path.join(dir, 'lists'),
    calendarOverrides: path.join(dir, 'calendar-overrides.json'),
    planDefaults: path.join(dir, 'plan-defaults.json'),
  };
}

/** Where uploaded files, import reports and rejects files are kept: IMPORT_DIR (default data/imports). */
export function importDir(env: NodeJS.ProcessEnv = process.env): string {
  const set = unsetWhenEmpty(env.IMPORT_DIR) as string | undefined;
  return set ? path.resolve(set) : path.join(projectRoot, 'data', 'imports');
}

/** Where the attachments of inspection results (photos, scanned records) are kept: ATTACHMENT_DIR (default data/attachments). */
export function attachmentDir(env: NodeJS.ProcessEnv = process.env): string {
  const set = unsetWhenEmpty(env.ATTACHMENT_DIR) as string | undefined;
  return set ? path.resolve(set) : path.join(projectRoot, 'data', 'attachments');
}

/** A path for messages: relative to the project root when under it, else as given. */
export function displayPath(file: string): string {
  const rel = path.relative(projectRoot, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
