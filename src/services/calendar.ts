/**
 * Loads the working-day calendar: the official holidays and make-up workdays bundled in the
 * npm package `chinese-days` (read from its JSON data file, offline), merged with the
 * administrator's override file <DATA_DIR>/calendar-overrides.json (default
 * data/calendar-overrides.json) for years announced after the package's release. The file is
 * checked against its zod schema (src/domain/calendar.ts); the server checks it at start
 * (src/config/startup.ts), the first call loads it otherwise. See docs/calendar.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { dataPaths, projectRoot } from '../config.ts';
import {
  calendarOverridesSchema, createCalendar, type CalendarData, type CalendarOverrides, type WorkingDayCalendar,
} from '../domain/calendar.ts';
import { AppError, type Problem } from '../domain/errors.ts';
import { parseDataFile, parseJsonText, problemsText } from '../schemas/dataFile.ts';

export type { CalendarOverrides, YearOverride } from '../domain/calendar.ts';

/** Where the administrator's override file lives when neither DATA_DIR nor a file is given. */
export const DEFAULT_OVERRIDES_FILE = path.join(projectRoot, 'data', 'calendar-overrides.json');

const PACKAGE_NAME = 'chinese-days';

export interface CalendarSource {
  /** The npm package the bundled data comes from, and its exact version. */
  package: string;
  packageVersion: string;
  /** The years the package's data covers completely. */
  packageYears: number[];
  /** The override file read (absolute path), or null when the default file is absent. */
  overridesFile: string | null;
  /** The years the override file sets (each replaces the package's data for that year). */
  overrideYears: number[];
}

export type LoadedCalendar = WorkingDayCalendar & { readonly source: CalendarSource };

/** A malformed override file. The message names the file and every problem found (Chinese). */
export class CalendarOverridesError extends AppError {
  constructor(
    readonly file: string,
    problems: Problem[],
  ) {
    super(
      500,
      'CALENDAR_OVERRIDES_INVALID',
      `节假日覆盖文件 ${file} 有误 (CALENDAR_OVERRIDES_INVALID)：${problemsText(problems)}。` +
        `格式见 docs/calendar.md：{ "years": { "2027": { "holidays": { "2027-01-01": "元旦", … }, "workdays": { … } } } }`,
      problems,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The package's bundled data

interface PackageData {
  data: CalendarData;
  version: string;
}

let packageCache: PackageData | undefined;

/** The package's data file: date → 'English,中文,N' for holidays and make-up workdays. */
const packageDataSchema = z.object({
  holidays: z.record(z.string(), z.string().transform(chineseName)),
  workdays: z.record(z.string(), z.string().transform(chineseName)),
});

/** Festival name from the package's 'English,中文,N' value: the Chinese part. */
function chineseName(value: string): string {
  const parts = value.split(',');
  return (parts.length >= 2 ? parts[1] : value).trim() || value;
}

/**
 * The official holidays and make-up workdays bundled in `chinese-days` (its
 * dist/chinese-days.json; nothing is fetched). A year counts as known when the data has both
 * its 1 January and its 1 October holidays, i.e. that year's whole notice is in.
 */
export function packageCalendarData(): PackageData {
  if (packageCache) return packageCache;
  const require = createRequire(import.meta.url);
  let raw: unknown;
  let version: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(require.resolve(`${PACKAGE_NAME}/dist/chinese-days.json`), 'utf8'));
    version = (JSON.parse(fs.readFileSync(require.resolve(`${PACKAGE_NAME}/package.json`), 'utf8')) as { version?: unknown }).version;
  } catch (e) {
    throw new AppError(
      500,
      'CALENDAR_DATA_INVALID',
      `无法读取节假日数据包 ${PACKAGE_NAME} (CALENDAR_DATA_INVALID)：${(e as Error).message}。请运行 npm ci 安装依赖。`,
    );
  }
  const checked = packageDataSchema.safeParse(raw);
  if (!checked.success) {
    const where = checked.error.issues.map((i) => i.path.join('.') || '(顶层)').slice(0, 3).join('、');
    throw new AppError(500, 'CALENDAR_DATA_INVALID', `节假日数据包 ${PACKAGE_NAME} 的格式与预期不符 (CALENDAR_DATA_INVALID)：${where}。请运行 npm ci 重新安装依赖。`);
  }
  const { holidays, workdays } = checked.data;
  const years = new Set(Object.keys(holidays).map((d) => Number(d.slice(0, 4))));
  const knownYears = [...years].filter((y) => `${y}-01-01` in holidays && `${y}-10-01` in holidays).sort((a, b) => a - b);
  packageCache = { data: { holidays, workdays, knownYears }, version: typeof version === 'string' ? version : 'unknown' };
  return packageCache;
}

// ---------------------------------------------------------------------------------------------
// The override file

/**
 * Checks the override file's text against its schema (src/domain/calendar.ts). `file` is only
 * used in messages. Throws CalendarOverridesError listing every problem.
 */
export function parseCalendarOverrides(text: string, file: string): CalendarOverrides {
  let doc: unknown;
  try {
    doc = parseJsonText(text);
  } catch (e) {
    throw new CalendarOverridesError(file, [{ code: 'CALENDAR_OVERRIDES_INVALID', message: (e as Error).message }]);
  }
  const parsed = parseDataFile(calendarOverridesSchema, doc, 'CALENDAR_OVERRIDES_INVALID');
  if (!parsed.ok) throw new CalendarOverridesError(file, parsed.problems);
  return parsed.value;
}

/**
 * The package's data with the overrides applied. Overriding a year first removes every
 * package entry dated in that year, then adds the override's entries (which may include
 * December of the year before, for 元旦), and marks the year known.
 */
export function mergeCalendarData(base: CalendarData, overrides: CalendarOverrides): CalendarData {
  const years = [...overrides.keys()].sort((a, b) => a - b);
  const replaced = new Set(years);
  const keep = (rec: Record<string, string>) =>
    Object.fromEntries(Object.entries(rec).filter(([d]) => !replaced.has(Number(d.slice(0, 4)))));
  const holidays = keep(base.holidays);
  const workdays = keep(base.workdays);
  for (const year of years) {
    const o = overrides.get(year)!;
    for (const [d, name] of Object.entries(o.holidays)) {
      delete workdays[d];
      holidays[d] = name;
    }
    for (const [d, name] of Object.entries(o.workdays)) {
      delete holidays[d];
      workdays[d] = name;
    }
  }
  const knownYears = [...new Set([...base.knownYears, ...years])].sort((a, b) => a - b);
  return { holidays, workdays, knownYears };
}

// ---------------------------------------------------------------------------------------------
// Loading, cached per override file

const cache = new Map<string, LoadedCalendar>();

/**
 * The working-day calendar: package data merged with the override file (default
 * <DATA_DIR>/calendar-overrides.json, i.e. data/calendar-overrides.json). Cached per absolute file path; a
 * failed load is not cached. A missing default file means no overrides; a missing file that
 * was named explicitly is an error.
 */
export function loadCalendar(opts: { overridesFile?: string } = {}): LoadedCalendar {
  const explicit = opts.overridesFile !== undefined;
  const file = path.resolve(opts.overridesFile ?? dataPaths().calendarOverrides);
  const cached = cache.get(file);
  if (cached) return cached;

  const pkg = packageCalendarData();
  let overrides: CalendarOverrides = new Map();
  let overridesFile: string | null = file;
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) {
      overridesFile = null;
    } else {
      const why = code === 'ENOENT' ? '文件不存在' : code === 'EISDIR' ? '这是一个文件夹，不是文件' : `无法读取（${(e as Error).message}）`;
      throw new CalendarOverridesError(file, [{ code: 'CALENDAR_OVERRIDES_INVALID', message: why }]);
    }
  }
  if (text !== undefined) overrides = parseCalendarOverrides(text, file);

  const calendar = createCalendar(mergeCalendarData(pkg.data, overrides));
  const loaded: LoadedCalendar = Object.freeze({
    ...calendar,
    source: Object.freeze({
      package: PACKAGE_NAME,
      packageVersion: pkg.version,
      packageYears: [...pkg.data.knownYears],
      overridesFile,
      overrideYears: [...overrides.keys()].sort((a, b) => a - b),
    }),
  });
  cache.set(file, loaded);
  return loaded;
}

/** Forgets loaded calendars, so the next loadCalendar reads the override file again (e.g. after an administrator edits it). */
export function clearCalendarCache(): void {
  cache.clear();
}
