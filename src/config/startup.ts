/**
 * The configuration the service starts with, validated once, before anything else happens:
 * every environment variable (src/config.ts) and every data file under DATA_DIR (default data/):
 *
 *   lists/exemption/*.json, lists/no-coercion/*.json   schema in src/domain/lists.ts
 *   calendar-overrides.json                            schema in src/domain/calendar.ts
 *   plan-defaults.json                                 schema in src/schemas/planDefaults.ts
 *   violation-types.json                               schema in src/schemas/violationTypes.ts
 *
 * A problem anywhere stops the start with one ConfigError (CONFIG_INVALID) that names, for each
 * problem, the variable or the file, the JSON path of the field, what is expected and how to fix
 * it. The files are loaded through the same cached loaders the services call later
 * (loadLists, loadCalendar, planDefaults), so what was checked is what is used; tests and CLI
 * commands that do not start the server still load them on first use.
 */
import {
  checkEnvironment, ConfigError, dataPaths, displayPath, importDir, importLimits, loadConfig, publicBaseUrl, workerThreads,
  type Config, type DataPaths, type ImportLimits,
} from '../config.ts';
import type { Problem } from '../domain/errors.ts';
import type { PlanDefaults } from '../domain/plans.ts';
import { CalendarOverridesError, loadCalendar, type LoadedCalendar } from '../services/calendar.ts';
import { ListDataError, loadLists, type LoadedLists } from '../services/lists.ts';
import { planDefaults, PlanDefaultsError } from '../services/planDefaults.ts';
import { loadViolationTypesFile, ViolationTypesError } from '../services/violationTypes.ts';
import type { ViolationTypesFile } from '../schemas/violationTypes.ts';

/** Everything the service is configured with, checked, in one frozen object. */
export interface StartupConfig extends Config {
  /** PUBLIC_BASE_URL: the one address printed with check codes and encoded in QR codes. */
  publicBaseUrl: string;
  /** IMPORT_DIR and the IMPORT_* limits. */
  imports: Readonly<ImportLimits & { dir: string }>;
  /** WORKER_THREADS (or its default). */
  workerThreads: number;
  /** Where the data files were read (DATA_DIR). */
  dataPaths: Readonly<DataPaths>;
  /** The data files, as checked. */
  data: Readonly<{ lists: LoadedLists; calendar: LoadedCalendar; planDefaults: Readonly<PlanDefaults>; violationTypes: ViolationTypesFile }>;
}

/** How to fix each kind of data file, after its problems. */
const FIX: Record<string, string> = {
  LIST_DATA_INVALID: '请修正该文件后重新启动（格式见 docs/lists.md）',
  CALENDAR_OVERRIDES_INVALID: '请修正该文件后重新启动（格式见 docs/calendar.md）',
  PLAN_DEFAULTS_INVALID: '请修正该文件后重新启动（各字段的含义见该文件的 "$comment" 和 README 的配置一节）',
  VIOLATION_TYPES_INVALID: '请修正该文件后重新启动（各字段的含义见该文件的 "$comment"）',
};

/** One sentence per file: '<file> 第 items[3].number 项：…；第 … 项：…。请修正该文件后重新启动（…）'. */
function fileSentence(file: string, code: string, problems: readonly Problem[]): string {
  const shown = problems.slice(0, 10).map((p) =>
    // A path that names a field (not the overlap check's 'exemption/national-2026', which names a version).
    p.path && p.code === code ? `第 ${p.path} 项：${p.message}` : p.message,
  );
  const more = problems.length > 10 ? `；另有 ${problems.length - 10} 处问题` : '';
  const separator = shown[0]?.startsWith('第 ') ? ' ' : '：';
  return `${file}${separator}${shown.join('；')}${more}。${FIX[code] ?? '请修正该文件后重新启动'}`;
}

/** A data file's loading error as the sentence of a ConfigError, or undefined for anything else. */
export function describeDataFileError(e: unknown): { sentence: string; problems: Problem[] } | undefined {
  if (e instanceof ListDataError || e instanceof CalendarOverridesError || e instanceof PlanDefaultsError || e instanceof ViolationTypesError) {
    const file = e instanceof CalendarOverridesError ? displayPath(e.file) : e.file;
    const sentence = fileSentence(file, e.code, e.problems);
    return { sentence, problems: e.problems.map((p) => ({ ...p, path: p.path ? `${file} ${p.path}` : file })) };
  }
  return undefined;
}

/**
 * Validates the environment and every data file, all of them (every problem is reported, not
 * only the first), and returns the configuration frozen. Throws ConfigError.
 */
export function loadStartupConfig(env: NodeJS.ProcessEnv = process.env): Readonly<StartupConfig> {
  const sentences: string[] = [];
  const problems: Problem[] = [];
  try {
    checkEnvironment(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    sentences.push(e.message.replace(/^配置错误 \(CONFIG_INVALID\)：/, ''));
    problems.push(...e.problems);
  }
  // The loaders read their files from process.env's DATA_DIR: the same files the services use later.
  const paths = dataPaths(process.env);
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (e) {
      const described = describeDataFileError(e);
      if (!described) throw e;
      sentences.push(described.sentence);
      problems.push(...described.problems);
      return undefined;
    }
  };
  const lists = attempt(() => loadLists());
  const calendar = attempt(() => loadCalendar());
  const defaults = attempt(() => planDefaults());
  const violationTypes = attempt(() => loadViolationTypesFile());
  if (sentences.length > 0 || !lists || !calendar || !defaults || !violationTypes) {
    const head = '配置错误 (CONFIG_INVALID)：';
    const message = sentences.length === 1 ? head + sentences[0] : `${head}发现 ${sentences.length} 处配置问题：\n  ${sentences.join('\n  ')}`;
    throw new ConfigError(message, problems);
  }
  const base = loadConfig(env);
  return Object.freeze({
    ...base,
    publicBaseUrl: publicBaseUrl(env),
    imports: Object.freeze({ ...importLimits(env), dir: importDir(env) }),
    workerThreads: workerThreads(env),
    dataPaths: Object.freeze(paths),
    data: Object.freeze({ lists, calendar, planDefaults: defaults, violationTypes }),
  });
}
