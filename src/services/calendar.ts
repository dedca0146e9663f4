/**
 * Loads the working-day calendar: the official holidays and make-up workdays bundled in the
 * npm package `chinese-days` (read from its JSON data file, offline), merged with the
 * administrator's override file data/calendar-overrides.json for years announced after the
 * package's release. See docs/calendar.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { projectRoot } from '../config.ts';
import { createCalendar, isoWeekday, type CalendarData, type WorkingDayCalendar } from '../domain/calendar.ts';
import { AppError, type Problem } from '../domain/errors.ts';
import { isIsoDate } from '../domain/time.ts';

/** Where the administrator's override file lives unless `loadCalendar` is told otherwise. */
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

/** One year of the override file, as checked. */
export interface YearOverride {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** The override file, as checked: year → that year's arrangement. */
export type CalendarOverrides = Map<number, YearOverride>;

/** A malformed override file. The message names the file and every problem found (Chinese). */
export class CalendarOverridesError extends AppError {
  constructor(
    readonly file: string,
    problems: Problem[],
  ) {
    const shown = problems.slice(0, 10).map((p) => (p.path ? `${p.path}：${p.message}` : p.message));
    const more = problems.length > 10 ? `；另有 ${problems.length - 10} 处问题` : '';
    super(
      500,
      'CALENDAR_OVERRIDES_INVALID',
      `节假日覆盖文件 ${file} 有误 (CALENDAR_OVERRIDES_INVALID)：${shown.join('；')}${more}。` +
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
  const holidays: Record<string, string> = {};
  const workdays: Record<string, string> = {};
  const obj = raw as { holidays?: unknown; workdays?: unknown } | null;
  for (const [key, target] of [['holidays', holidays], ['workdays', workdays]] as const) {
    const source = obj?.[key];
    if (source === null || typeof source !== 'object' || Array.isArray(source)) {
      throw new AppError(500, 'CALENDAR_DATA_INVALID', `节假日数据包 ${PACKAGE_NAME} 的格式与预期不符 (CALENDAR_DATA_INVALID)：缺少 ${key}`);
    }
    for (const [date, value] of Object.entries(source as Record<string, unknown>)) {
      if (typeof value !== 'string') {
        throw new AppError(500, 'CALENDAR_DATA_INVALID', `节假日数据包 ${PACKAGE_NAME} 的格式与预期不符 (CALENDAR_DATA_INVALID)：${key}.${date}`);
      }
      target[date] = chineseName(value);
    }
  }
  const years = new Set(Object.keys(holidays).map((d) => Number(d.slice(0, 4))));
  const knownYears = [...years].filter((y) => `${y}-01-01` in holidays && `${y}-10-01` in holidays).sort((a, b) => a - b);
  packageCache = { data: { holidays, workdays, knownYears }, version: typeof version === 'string' ? version : 'unknown' };
  return packageCache;
}

// ---------------------------------------------------------------------------------------------
// The override file

/** Dates that are official days off every year (《全国年节及纪念日放假办法》): 元旦, 劳动节, 国庆节. */
const FIXED_HOLIDAYS = ['01-01', '05-01', '10-01', '10-02', '10-03'];

const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return '数组';
  return typeof v === 'string' ? `字符串 ${JSON.stringify(v)}` : `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Checks the override file's text. `file` is only used in messages.
 * Throws CalendarOverridesError listing every problem.
 */
export function parseCalendarOverrides(text: string, file: string): CalendarOverrides {
  const problems: Problem[] = [];
  const add = (p: string, message: string) => problems.push({ path: p, code: 'CALENDAR_OVERRIDES_INVALID', message });
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new CalendarOverridesError(file, [
      { code: 'CALENDAR_OVERRIDES_INVALID', message: `不是有效的 JSON（${(e as Error).message}）` },
    ]);
  }
  if (!isPlainObject(doc)) {
    throw new CalendarOverridesError(file, [
      { code: 'CALENDAR_OVERRIDES_INVALID', message: `顶层必须是对象 { "years": { … } }，实际是${describe(doc)}` },
    ]);
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'years' && !key.startsWith('$')) add(key, `未知字段（只允许 "years" 和以 $ 开头的注释字段，如 "$comment"）`);
  }
  const result: CalendarOverrides = new Map();
  const years = doc.years;
  if (!isPlainObject(years)) {
    add('years', years === undefined ? '缺少 "years" 对象（没有要添加的年份时写 "years": {}）' : `必须是对象，实际是${describe(years)}`);
    throw new CalendarOverridesError(file, problems);
  }
  for (const [yearKey, entry] of Object.entries(years)) {
    const at = `years.${yearKey}`;
    if (yearKey.startsWith('$')) continue;
    if (!/^\d{4}$/.test(yearKey) || Number(yearKey) < 1000) {
      add(at, '年份必须是四位数字，如 "2027"');
      continue;
    }
    const year = Number(yearKey);
    if (!isPlainObject(entry)) {
      add(at, `必须是对象 { "holidays": { … }, "workdays": { … } }，实际是${describe(entry)}`);
      continue;
    }
    for (const key of Object.keys(entry)) {
      if (key !== 'holidays' && key !== 'workdays' && !key.startsWith('$')) {
        add(`${at}.${key}`, '未知字段（只允许 "holidays"（放假日）、"workdays"（调休上班日）和 "$comment"）');
      }
    }
    const parsed: YearOverride = { holidays: {}, workdays: {} };
    const first = `${year - 1}-12-01`;
    const lastDay = `${year}-12-31`;
    for (const kind of ['holidays', 'workdays'] as const) {
      const map = entry[kind];
      if (map === undefined && kind === 'workdays') continue;
      if (map === undefined) {
        add(`${at}.holidays`, `缺少放假日 "holidays"（日期 → 节日名称，如 "${year}-01-01": "元旦"）`);
        continue;
      }
      if (!isPlainObject(map)) {
        add(`${at}.${kind}`, `必须是对象（日期 → 节日名称），实际是${describe(map)}`);
        continue;
      }
      for (const [date, name] of Object.entries(map)) {
        if (date.startsWith('$')) continue;
        const p = `${at}.${kind}.${date}`;
        if (!isIsoDate(date)) {
          add(p, '不是 YYYY-MM-DD 格式的真实日期');
          continue;
        }
        if (date < first || date > lastDay) {
          add(p, `不属于 ${year} 年的安排（只能是 ${year} 年内的日期，或元旦调休涉及的 ${year - 1} 年 12 月的日期）`);
          continue;
        }
        if (typeof name !== 'string' || name.trim() === '') {
          add(p, `名称必须是非空字符串（如 "春节"），实际是${describe(name)}`);
          continue;
        }
        if (kind === 'workdays' && isoWeekday(date) <= 5) {
          add(p, `调休上班日应是周六或周日，${date} 是${WEEKDAY_NAMES[isoWeekday(date)]}（工作日本来就上班，不必列出）`);
          continue;
        }
        parsed[kind][date] = name.trim();
      }
    }
    for (const date of Object.keys(parsed.workdays)) {
      if (date in parsed.holidays) add(`${at}.workdays.${date}`, '同一天不能既是放假日又是调休上班日');
    }
    if (isPlainObject(entry.holidays)) {
      const missing = FIXED_HOLIDAYS.map((md) => `${year}-${md}`).filter((d) => !(d in parsed.holidays));
      if (missing.length > 0) {
        add(
          `${at}.holidays`,
          `缺少 ${missing.join('、')}：按《全国年节及纪念日放假办法》，元旦（1月1日）、劳动节（5月1日）、国庆节（10月1日至3日）每年都放假，` +
            `一年的安排应按国务院办公厅通知完整列出全部放假日期（包括落在周末的）`,
        );
      }
    }
    result.set(year, parsed);
  }
  if (problems.length > 0) throw new CalendarOverridesError(file, problems);
  return result;
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
 * data/calendar-overrides.json under the project root). Cached per absolute file path; a
 * failed load is not cached. A missing default file means no overrides; a missing file that
 * was named explicitly is an error.
 */
export function loadCalendar(opts: { overridesFile?: string } = {}): LoadedCalendar {
  const explicit = opts.overridesFile !== undefined;
  const file = path.resolve(opts.overridesFile ?? DEFAULT_OVERRIDES_FILE);
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
