import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The project's root folder (where package.json, data/ and migrations/ live). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
}

export function databaseConfigFromUrl(url: string | undefined): DatabaseConfig {
  if (url && /^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
  const file = url && url.length > 0 ? url : path.join(projectRoot, 'data', 'double-random.sqlite');
  return { dialect: 'sqlite', url: file };
}

/** Reads and validates the environment once; fails fast with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
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
  });
}

/** Where the public site is reached (the check code's link on printed notices): PUBLIC_BASE_URL. */
export function publicBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.PUBLIC_BASE_URL?.replace(/\/+$/, '') || `http://localhost:${env.PORT ?? 3000}`;
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
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`配置错误 (CONFIG_INVALID)：${problems}`);
  }
  return { concurrency: parsed.data.IMPORT_CONCURRENCY, memoryMb: parsed.data.IMPORT_MEMORY_MB, filesTtlHours: parsed.data.IMPORT_FILES_TTL_HOURS };
}
