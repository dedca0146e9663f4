/**
 * The official Chinese working-day calendar (工作日历), as a pure function of its data.
 *
 * Every date is a calendar day in Asia/Shanghai written 'YYYY-MM-DD'. Arithmetic is done on
 * those strings as UTC midnights, so the machine's own time zone never matters.
 *
 * A day is a working day when
 *   - it is Monday–Friday and not an official holiday (法定节假日及调休放假), or
 *   - it is Saturday/Sunday and an official make-up working day (调休上班).
 *
 * The State Council (国务院办公厅) publishes each year's arrangement late in the previous
 * year, so the calendar knows only some years (`knownYears`). For any other year it still
 * answers with weekends only, but every answer that looked at such a year carries a
 * CALENDAR_YEAR_UNKNOWN warning: there is no way to get a value without its warnings.
 * The administrator's override file (data/calendar-overrides.json) is described by its zod
 * schema at the end of this file. See docs/calendar.md.
 */
import { z } from 'zod';
import { AppError, ValidationError } from './errors.ts';
import { isIsoDate } from './time.ts';
import { isPlainObject, show, strictShape } from '../schemas/dataFile.ts';

/** Stable code of the warning given for a date in a year the calendar does not know. */
export const CALENDAR_YEAR_UNKNOWN = 'CALENDAR_YEAR_UNKNOWN';

export interface CalendarData {
  /** Official days off (holidays and the weekdays taken off in lieu): date → festival name. */
  holidays: Record<string, string>;
  /** Official make-up working days on a weekend (调休上班): date → festival name. */
  workdays: Record<string, string>;
  /** Years whose official arrangement is fully in `holidays`/`workdays`. */
  knownYears: number[];
}

/**
 * An answer and what to know about it. `warnings` are Simplified Chinese sentences, each
 * beginning with its stable code in the project's style: '日历未收录该年度 (CALENDAR_YEAR_UNKNOWN)：…'.
 * `unknownYears` lists, ascending, the years the answer depended on that the calendar does
 * not know (empty exactly when `warnings` is empty).
 */
export interface CalendarResult<T> {
  value: T;
  warnings: string[];
  unknownYears: number[];
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup-workday';

export interface DayInfo {
  date: string;
  working: boolean;
  /** 'holiday': official day off; 'makeup-workday': weekend made a working day (调休上班). */
  kind: DayKind;
  /** 1 = Monday … 7 = Sunday. */
  isoWeekday: number;
  /** The festival's name for 'holiday' and 'makeup-workday' days, e.g. '国庆节'. */
  name?: string;
}

export interface WorkingDayCalendar {
  /** The years whose official arrangement this calendar has, ascending. */
  readonly knownYears: readonly number[];
  /** True when the calendar has the official arrangement of the date's year. */
  knows(date: string): boolean;
  /** Whether `date` is a working day. */
  isWorkingDay(date: string): CalendarResult<boolean>;
  /** What kind of day `date` is, with the festival's name. */
  dayInfo(date: string): CalendarResult<DayInfo>;
  /**
   * The date `n` working days after `date`, counting from the next day: n = 1 is the first
   * working day strictly after `date`. n = 0 returns `date` itself if it is a working day,
   * else the next working day. n must be an integer ≥ 0.
   */
  addWorkingDays(date: string, n: number): CalendarResult<string>;
  /**
   * The number of working days in (a, b]: after a, up to and including b. Zero when a = b;
   * negative (−count of (b, a]) when b is before a, e.g. how many working days overdue.
   */
  workingDaysBetween(a: string, b: string): CalendarResult<number>;
}

/** The Chinese text of the CALENDAR_YEAR_UNKNOWN warning for `year`. */
export function yearUnknownWarning(year: number): string {
  return (
    `日历未收录该年度 (${CALENDAR_YEAR_UNKNOWN})：日历尚无 ${year} 年的节假日安排` +
    `（国务院办公厅可能尚未公布 ${year} 年部分节假日安排的通知），${year} 年的日期只按周六、周日休息计算，` +
    `未计入法定节假日和调休上班，结果可能不准确。国务院公布后，管理员可在节假日覆盖文件` +
    `（data/calendar-overrides.json）中加入 ${year} 年的安排。`
  );
}

/** The most working days `addWorkingDays` will count (about 40 years): a guard against runaway loops. */
export const MAX_WORKING_DAYS = 10_000;

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 1 = Monday … 7 = Sunday, from the date string alone. */
export function isoWeekday(date: string): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/** The date `days` calendar days after `date` (negative: before). */
export function addCalendarDays(date: string, days: number): string {
  return dateOf(dayNumber(date) + days);
}

function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

function requireDate(date: string, what: string): void {
  if (typeof date !== 'string' || !isIsoDate(date)) {
    throw new ValidationError(
      `${what}必须是 YYYY-MM-DD 格式的真实日期，收到：${JSON.stringify(date)}`,
      [{ path: what, code: 'CALENDAR_DATE_INVALID', message: `不是有效日期：${JSON.stringify(date)}` }],
      'CALENDAR_DATE_INVALID',
    );
  }
}

function dataError(message: string): AppError {
  return new AppError(500, 'CALENDAR_DATA_INVALID', `节假日数据有误 (CALENDAR_DATA_INVALID)：${message}`);
}

/** Builds the calendar from its data; the data is copied and checked (bad dates, a date both off and on). */
export function createCalendar(data: CalendarData): WorkingDayCalendar {
  const holidays = new Map<string, string>();
  const workdays = new Map<string, string>();
  for (const [label, source, target] of [
    ['holidays', data.holidays, holidays],
    ['workdays', data.workdays, workdays],
  ] as const) {
    if (source === null || typeof source !== 'object') throw dataError(`${label} 必须是对象`);
    for (const [date, name] of Object.entries(source)) {
      if (!isIsoDate(date)) throw dataError(`${label} 中的 ${JSON.stringify(date)} 不是 YYYY-MM-DD 格式的真实日期`);
      if (typeof name !== 'string') throw dataError(`${label} 中 ${date} 的名称必须是字符串`);
      target.set(date, name);
    }
  }
  for (const date of workdays.keys()) {
    if (holidays.has(date)) throw dataError(`${date} 同时被列为放假日和调休上班日`);
  }
  if (!Array.isArray(data.knownYears) || !data.knownYears.every((y) => Number.isInteger(y) && y >= 1 && y <= 9999)) {
    throw dataError('knownYears 必须是年份（整数）的数组');
  }
  const known = new Set(data.knownYears);
  const knownYears = Object.freeze([...known].sort((a, b) => a - b));

  function workingOn(date: string): boolean {
    if (holidays.has(date)) return false;
    if (workdays.has(date)) return true;
    return isoWeekday(date) <= 5;
  }

  /** Wraps a value with the warnings for the unknown years among `years`. */
  function result<T>(value: T, years: Iterable<number>): CalendarResult<T> {
    const unknownYears = [...new Set(years)].filter((y) => !known.has(y)).sort((a, b) => a - b);
    return { value, warnings: unknownYears.map(yearUnknownWarning), unknownYears };
  }

  /** Every year from the year of `from` through the year of `to` (dates ascending). */
  function yearsSpanned(from: string, to: string): number[] {
    const years: number[] = [];
    for (let y = yearOf(from); y <= yearOf(to); y++) years.push(y);
    return years;
  }

  const calendar: WorkingDayCalendar = {
    knownYears,

    knows(date) {
      requireDate(date, 'date');
      return known.has(yearOf(date));
    },

    isWorkingDay(date) {
      requireDate(date, 'date');
      return result(workingOn(date), [yearOf(date)]);
    },

    dayInfo(date) {
      requireDate(date, 'date');
      const weekday = isoWeekday(date);
      const holiday = holidays.get(date);
      const workday = workdays.get(date);
      let info: DayInfo;
      if (holiday !== undefined) info = { date, working: false, kind: 'holiday', isoWeekday: weekday, name: holiday };
      else if (workday !== undefined) info = { date, working: true, kind: 'makeup-workday', isoWeekday: weekday, name: workday };
      else info = { date, working: weekday <= 5, kind: weekday <= 5 ? 'workday' : 'weekend', isoWeekday: weekday };
      return result(info, [yearOf(date)]);
    },

    addWorkingDays(date, n) {
      requireDate(date, 'date');
      if (!Number.isInteger(n) || n < 0 || n > MAX_WORKING_DAYS) {
        throw new ValidationError(
          `工作日天数必须是 0 到 ${MAX_WORKING_DAYS} 之间的整数，收到：${String(n)}`,
          [{ path: 'n', code: 'CALENDAR_DAYS_INVALID', message: `不是 0 到 ${MAX_WORKING_DAYS} 之间的整数：${String(n)}` }],
          'CALENDAR_DAYS_INVALID',
        );
      }
      let day = dayNumber(date);
      let current = date;
      if (n === 0) {
        while (!workingOn(current)) current = dateOf(++day);
      } else {
        let remaining = n;
        while (remaining > 0) {
          current = dateOf(++day);
          if (workingOn(current)) remaining--;
        }
      }
      return result(current, yearsSpanned(date, current));
    },

    workingDaysBetween(a, b) {
      requireDate(a, 'a');
      requireDate(b, 'b');
      if (a === b) return result(0, []);
      const [from, to, sign] = a < b ? [a, b, 1] : [b, a, -1];
      const last = dayNumber(to);
      let count = 0;
      for (let day = dayNumber(from) + 1; day <= last; day++) {
        if (workingOn(dateOf(day))) count++;
      }
      // The answer looked at the days after `from` up to `to`.
      return result(count === 0 ? 0 : sign * count, yearsSpanned(addCalendarDays(from, 1), to));
    },
  };
  return Object.freeze(calendar);
}

// ---------------------------------------------------------------------------------------------
// The override file's schema (zod): years announced after the bundled package's release

/** One year of the override file, as checked. */
export interface YearOverride {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** The override file, as checked: year → that year's arrangement. */
export type CalendarOverrides = Map<number, YearOverride>;

/** Dates that are official days off every year (《全国年节及纪念日放假办法》): 元旦, 劳动节, 国庆节. */
const FIXED_HOLIDAYS = ['01-01', '05-01', '10-01', '10-02', '10-03'];

const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

const dayName = z
  .string({ error: (iss) => `名称必须是非空字符串（如 "春节"），实际是${show(iss.input)}` })
  .trim()
  .min(1, { error: '名称必须是非空字符串（如 "春节"），实际是空字符串' });

const dayMap = (whenMissing?: string) =>
  z.record(z.string().refine(isIsoDate, { error: '不是 YYYY-MM-DD 格式的真实日期' }), dayName, {
    error: (iss) => (iss.input === undefined && whenMissing ? whenMissing : `必须是对象（日期 → 节日名称），实际是${show(iss.input)}`),
  });

const yearEntrySchema = strictShape(
  {
    holidays: dayMap('缺少放假日 "holidays"（日期 → 节日名称，如 "2027-01-01": "元旦"）'),
    workdays: dayMap().default({}),
  },
  { allowed: '"holidays"（放假日）、"workdays"（调休上班日）', expected: '对象 { "holidays": { … }, "workdays": { … } }' },
);

const yearKey = z
  .string()
  .regex(/^\d{4}$/, { error: '年份必须是四位数字，如 "2027"' })
  .refine((k) => Number(k) >= 1000, { error: '年份必须是四位数字，如 "2027"' });

/** The rules that need a year's own number: dates within the year, weekend make-up days, fixed holidays. */
function checkYears(years: unknown, ctx: z.RefinementCtx): void {
  if (!isPlainObject(years)) return;
  for (const [key, entry] of Object.entries(years)) {
    if (!/^\d{4}$/.test(key) || Number(key) < 1000 || !isPlainObject(entry)) continue;
    const year = Number(key);
    const first = `${year - 1}-12-01`;
    const last = `${year}-12-31`;
    const valid: Record<'holidays' | 'workdays', Set<string>> = { holidays: new Set(), workdays: new Set() };
    for (const kind of ['holidays', 'workdays'] as const) {
      const map = entry[kind];
      if (!isPlainObject(map)) continue;
      for (const [date, name] of Object.entries(map)) {
        if (!isIsoDate(date)) continue;
        if (date < first || date > last) {
          ctx.addIssue({
            code: 'custom',
            path: [key, kind, date],
            message: `不属于 ${year} 年的安排（只能是 ${year} 年内的日期，或元旦调休涉及的 ${year - 1} 年 12 月的日期）`,
          });
          continue;
        }
        if (kind === 'workdays' && isoWeekday(date) <= 5) {
          ctx.addIssue({
            code: 'custom',
            path: [key, kind, date],
            message: `调休上班日应是周六或周日，${date} 是${WEEKDAY_NAMES[isoWeekday(date)]}（工作日本来就上班，不必列出）`,
          });
          continue;
        }
        if (typeof name === 'string' && name.trim() !== '') valid[kind].add(date);
      }
    }
    for (const date of valid.workdays) {
      if (valid.holidays.has(date)) ctx.addIssue({ code: 'custom', path: [key, 'workdays', date], message: '同一天不能既是放假日又是调休上班日' });
    }
    if (isPlainObject(entry.holidays)) {
      const missing = FIXED_HOLIDAYS.map((md) => `${year}-${md}`).filter((d) => !valid.holidays.has(d));
      if (missing.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: [key, 'holidays'],
          message:
            `缺少 ${missing.join('、')}：按《全国年节及纪念日放假办法》，元旦（1月1日）、劳动节（5月1日）、国庆节（10月1日至3日）每年都放假，` +
            `一年的安排应按国务院办公厅通知完整列出全部放假日期（包括落在周末的）`,
        });
      }
    }
  }
}

/**
 * The schema of the override file (comments, i.e. keys starting with '$', removed first):
 * { "years": { "2027": { "holidays": { "2027-01-01": "元旦", … }, "workdays": { … } } } }.
 * The output is the checked arrangement per year, names trimmed.
 */
export const calendarOverridesSchema = strictShape(
  {
    years: z
      .record(yearKey, yearEntrySchema, {
        error: (iss) => (iss.input === undefined ? '缺少 "years" 对象（没有要添加的年份时写 "years": {}）' : `必须是对象，实际是${show(iss.input)}`),
      })
      .superRefine(checkYears, { when: () => true }),
  },
  { allowed: '"years"', expected: '对象 { "years": { … } }' },
).transform((doc): CalendarOverrides => {
  const out: CalendarOverrides = new Map();
  for (const key of Object.keys(doc.years).sort()) out.set(Number(key), { holidays: { ...doc.years[key].holidays }, workdays: { ...doc.years[key].workdays } });
  return out;
});
