/**
 * The working-day calendar against real holiday edges. Expected values come from the State
 * Council's notices on the 2025 arrangement (国办发明电〔2024〕12号, November 2024) and the 2026
 * arrangement (November 2025), counted by hand, not from the code's output.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CALENDAR_YEAR_UNKNOWN, createCalendar, yearUnknownWarning } from '../../src/domain/calendar.ts';
import { AppError, ValidationError } from '../../src/domain/errors.ts';
import {
  CalendarOverridesError,
  clearCalendarCache,
  DEFAULT_OVERRIDES_FILE,
  loadCalendar,
  packageCalendarData,
} from '../../src/services/calendar.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'calendar-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let fileNo = 0;
function writeOverrides(content: unknown): string {
  const file = path.join(tmp, `overrides-${++fileNo}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** A made-up arrangement for a year no notice covers yet: test data only, not official. */
const FICTIONAL_2031 = {
  holidays: {
    '2031-01-01': '元旦',
    '2031-05-01': '劳动节',
    '2031-05-02': '劳动节',
    '2031-10-01': '国庆节',
    '2031-10-02': '国庆节',
    '2031-10-03': '国庆节',
  },
  workdays: { '2031-01-04': '元旦' },
};

beforeEach(() => clearCalendarCache());

describe('bundled data (chinese-days)', () => {
  it('covers 2004 through 2026 completely, and no later year', () => {
    const { knownYears } = packageCalendarData().data;
    for (let y = 2004; y <= 2026; y++) expect(knownYears).toContain(y);
    expect(Math.max(...knownYears)).toBe(2026);
  });

  it('uses the shipped override file, which adds no year', () => {
    const cal = loadCalendar();
    expect(cal.source.overridesFile).toBe(DEFAULT_OVERRIDES_FILE);
    expect(cal.source.overrideYears).toEqual([]);
    expect(cal.source.package).toBe('chinese-days');
    expect(cal.source.packageVersion).toBe('1.5.7');
  });
});

describe('National Day 2025: 1–8 October off; Sun 28 Sep and Sat 11 Oct are make-up workdays', () => {
  const cal = () => loadCalendar();

  it.each([
    ['2025-09-26', true], // Friday
    ['2025-09-27', false], // Saturday
    ['2025-09-28', true], // Sunday, make-up workday
    ['2025-09-30', true],
    ['2025-10-01', false],
    ['2025-10-06', false], // 中秋, merged into the holiday
    ['2025-10-08', false], // Wednesday, last day off
    ['2025-10-09', true],
    ['2025-10-11', true], // Saturday, make-up workday
    ['2025-10-12', false], // Sunday
  ])('isWorkingDay(%s) = %s, with no warning', (date, expected) => {
    expect(cal().isWorkingDay(date)).toEqual({ value: expected, warnings: [], unknownYears: [] });
  });

  it('names the days', () => {
    expect(cal().dayInfo('2025-09-28').value).toEqual({
      date: '2025-09-28', working: true, kind: 'makeup-workday', isoWeekday: 7, name: '国庆节',
    });
    expect(cal().dayInfo('2025-10-08').value).toMatchObject({ working: false, kind: 'holiday', isoWeekday: 3, name: '国庆节' });
    expect(cal().dayInfo('2025-10-12').value).toEqual({ date: '2025-10-12', working: false, kind: 'weekend', isoWeekday: 7 });
  });

  it('addWorkingDays counts from the next day, over the holiday', () => {
    expect(cal().addWorkingDays('2025-09-26', 1).value).toBe('2025-09-28');
    expect(cal().addWorkingDays('2025-09-30', 1).value).toBe('2025-10-09');
    expect(cal().addWorkingDays('2025-10-10', 1).value).toBe('2025-10-11');
    expect(cal().addWorkingDays('2025-10-11', 1).value).toBe('2025-10-13');
  });

  it('n = 0 keeps a working day and moves a day off to the next working day', () => {
    expect(cal().addWorkingDays('2025-09-28', 0).value).toBe('2025-09-28');
    expect(cal().addWorkingDays('2025-09-30', 0).value).toBe('2025-09-30');
    expect(cal().addWorkingDays('2025-10-01', 0).value).toBe('2025-10-09');
    expect(cal().addWorkingDays('2025-09-27', 0).value).toBe('2025-09-28');
  });

  it('a 20-working-day deadline from Fri 26 Sep 2025 falls on Thu 30 Oct 2025', () => {
    // By hand: 9/28 9/29 9/30 (3), 10/9 10/10 10/11 (6), 10/13–17 (11), 10/20–24 (16),
    // 10/27 10/28 10/29 10/30 (20). Weekends alone would give Fri 24 Oct.
    const r = cal().addWorkingDays('2025-09-26', 20);
    expect(r).toEqual({ value: '2025-10-30', warnings: [], unknownYears: [] });
    expect(cal().workingDaysBetween('2025-09-26', '2025-10-30').value).toBe(20);
    expect(cal().workingDaysBetween('2025-09-26', '2025-10-29').value).toBe(19);
  });

  it('workingDaysBetween counts (a, b]', () => {
    expect(cal().workingDaysBetween('2025-09-30', '2025-10-08').value).toBe(0);
    expect(cal().workingDaysBetween('2025-09-30', '2025-10-09').value).toBe(1);
    expect(cal().workingDaysBetween('2025-09-27', '2025-10-12').value).toBe(6); // 9/28 9/29 9/30 10/9 10/10 10/11
    expect(cal().workingDaysBetween('2025-09-28', '2025-09-28').value).toBe(0);
    expect(cal().workingDaysBetween('2025-10-30', '2025-09-26').value).toBe(-20);
    expect(Object.is(cal().workingDaysBetween('2025-10-08', '2025-09-30').value, 0)).toBe(true);
  });
});

describe('Spring Festival 2025: 28 Jan–4 Feb off; Sun 26 Jan and Sat 8 Feb are make-up workdays', () => {
  it.each([
    ['2025-01-25', false], // Saturday
    ['2025-01-26', true], // Sunday, make-up workday
    ['2025-01-27', true], // Monday
    ['2025-01-28', false], // 除夕
    ['2025-02-03', false],
    ['2025-02-04', false], // Tuesday, last day off
    ['2025-02-05', true],
    ['2025-02-08', true], // Saturday, make-up workday
    ['2025-02-09', false], // Sunday
  ])('isWorkingDay(%s) = %s', (date, expected) => {
    expect(loadCalendar().isWorkingDay(date).value).toBe(expected);
  });

  it('adds and counts across the holiday', () => {
    const cal = loadCalendar();
    expect(cal.addWorkingDays('2025-01-24', 1).value).toBe('2025-01-26');
    expect(cal.addWorkingDays('2025-01-26', 1).value).toBe('2025-01-27');
    expect(cal.addWorkingDays('2025-01-27', 1).value).toBe('2025-02-05');
    expect(cal.addWorkingDays('2025-01-27', 4).value).toBe('2025-02-08');
    expect(cal.workingDaysBetween('2025-01-24', '2025-02-09').value).toBe(6); // 1/26 1/27 2/5 2/6 2/7 2/8
  });

  it('New Year 2025 is Wednesday 1 January only', () => {
    const cal = loadCalendar();
    expect(cal.isWorkingDay('2024-12-31').value).toBe(true);
    expect(cal.isWorkingDay('2025-01-01').value).toBe(false);
    expect(cal.isWorkingDay('2025-01-02').value).toBe(true);
  });
});

describe('2026 (State Council notice of November 2025)', () => {
  it('New Year: 1–3 January off, Sunday 4 January a make-up workday', () => {
    const cal = loadCalendar();
    expect(cal.isWorkingDay('2025-12-31').value).toBe(true);
    expect(cal.isWorkingDay('2026-01-01').value).toBe(false);
    expect(cal.isWorkingDay('2026-01-02').value).toBe(false); // Friday
    expect(cal.isWorkingDay('2026-01-03').value).toBe(false);
    expect(cal.isWorkingDay('2026-01-04').value).toBe(true); // Sunday
    expect(cal.addWorkingDays('2025-12-31', 1).value).toBe('2026-01-04');
    expect(cal.addWorkingDays('2025-12-31', 1).warnings).toEqual([]);
  });

  it('Spring Festival: 15–23 February off, Saturdays 14 and 28 February make-up workdays', () => {
    const cal = loadCalendar();
    expect(cal.isWorkingDay('2026-02-13').value).toBe(true);
    expect(cal.isWorkingDay('2026-02-14').value).toBe(true); // Saturday
    expect(cal.isWorkingDay('2026-02-15').value).toBe(false);
    expect(cal.isWorkingDay('2026-02-20').value).toBe(false); // Friday
    expect(cal.isWorkingDay('2026-02-23').value).toBe(false); // Monday, last day off
    expect(cal.isWorkingDay('2026-02-24').value).toBe(true);
    expect(cal.isWorkingDay('2026-02-28').value).toBe(true); // Saturday
    expect(cal.isWorkingDay('2026-03-01').value).toBe(false); // Sunday
    expect(cal.addWorkingDays('2026-02-14', 1).value).toBe('2026-02-24');
    // 2/24 2/25 2/26 2/27 2/28
    expect(cal.workingDaysBetween('2026-02-13', '2026-03-01').value).toBe(6); // + 2/14
  });
});

describe('a year the calendar does not know', () => {
  it('2031: weekends only, and every answer carries CALENDAR_YEAR_UNKNOWN naming the year', () => {
    const cal = loadCalendar();
    expect(cal.knows('2031-01-01')).toBe(false);
    expect(cal.knows('2025-06-01')).toBe(true);
    // Wednesday 1 January 2031 is surely 元旦, but the calendar cannot know: it says so.
    const r = cal.isWorkingDay('2031-01-01');
    expect(r.value).toBe(true);
    expect(r.unknownYears).toEqual([2031]);
    expect(r.warnings).toHaveLength(1);
    const w = r.warnings[0];
    expect(w).toContain(CALENDAR_YEAR_UNKNOWN);
    expect(w).toContain('2031 年');
    expect(w).toContain('国务院');
    expect(w).toContain('覆盖文件');
    expect(w).toBe(yearUnknownWarning(2031));
    expect(cal.isWorkingDay('2031-01-04').value).toBe(false); // Saturday
    expect(cal.addWorkingDays('2031-01-03', 1)).toEqual({ value: '2031-01-06', warnings: [w], unknownYears: [2031] });
    expect(cal.workingDaysBetween('2031-01-01', '2031-01-31').value).toBe(22);
  });

  it('warns for an unknown year a computation runs into, not for the known one it started in', () => {
    const cal = loadCalendar();
    const r = cal.addWorkingDays('2026-12-30', 250);
    expect(r.unknownYears).toContain(2027);
    expect(r.unknownYears).not.toContain(2026);
    expect(cal.workingDaysBetween('2026-12-01', '2027-01-05').unknownYears).toEqual([2027]);
    expect(cal.workingDaysBetween('2026-12-01', '2026-12-31').warnings).toEqual([]);
    // (a, b]: a in an unknown year is not looked at.
    expect(cal.workingDaysBetween('2026-12-31', '2027-01-01').unknownYears).toEqual([2027]);
    expect(cal.workingDaysBetween('2025-12-31', '2026-01-05').unknownYears).toEqual([]);
  });
});

describe('domain calendar from data', () => {
  const cal = createCalendar({
    holidays: { '2030-12-31': '测试假日' },
    workdays: { '2031-01-04': '测试调休' },
    knownYears: [2030],
  });

  it('crosses from a known year into an unknown one with a warning for that year only', () => {
    // Mon 30 Dec 2030 → 31st off → Wed 1 Jan 2031 (weekends only) …
    const r = cal.addWorkingDays('2030-12-30', 2);
    expect(r.value).toBe('2031-01-02');
    expect(r.unknownYears).toEqual([2031]);
    expect(cal.addWorkingDays('2030-12-27', 1)).toEqual({ value: '2030-12-30', warnings: [], unknownYears: [] });
    // Data for an unknown year is still used, with the warning.
    expect(cal.isWorkingDay('2031-01-04')).toEqual({ value: true, warnings: [yearUnknownWarning(2031)], unknownYears: [2031] });
  });

  it('workingDaysBetween(d, addWorkingDays(d, n)) = n for n ≥ 1 (real data, 2024–2026)', () => {
    const real = loadCalendar();
    for (let i = 0; i < 1096; i += 5) {
      const d = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
      for (const n of [1, 2, 7, 20]) {
        const end = real.addWorkingDays(d, n);
        if (end.value > '2026-12-31') continue;
        expect(real.workingDaysBetween(d, end.value).value).toBe(n);
        expect(real.isWorkingDay(end.value).value).toBe(true);
      }
    }
  });

  it('rejects bad input with a typed error', () => {
    expect(() => cal.isWorkingDay('2025-02-30')).toThrow(ValidationError);
    expect(() => cal.isWorkingDay('2025/10/01')).toThrow(/YYYY-MM-DD/);
    expect(() => cal.addWorkingDays('2025-10-01', -1)).toThrow(ValidationError);
    expect(() => cal.addWorkingDays('2025-10-01', 1.5)).toThrow(/整数/);
    expect(() => createCalendar({ holidays: { '2030-01-05': 'x' }, workdays: { '2030-01-05': 'y' }, knownYears: [] })).toThrow(
      /同时/,
    );
  });

  it('does not depend on the machine time zone', () => {
    const before = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'Asia/Shanghai']) {
        process.env.TZ = tz;
        const c = loadCalendar();
        expect(c.addWorkingDays('2025-09-30', 1).value).toBe('2025-10-09');
        expect(c.isWorkingDay('2025-09-28').value).toBe(true);
        expect(c.dayInfo('2025-10-12').value.isoWeekday).toBe(7);
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});

describe('override file', () => {
  it('adds a year and removes the warning', () => {
    const file = writeOverrides({ $comment: 'test', years: { '2031': FICTIONAL_2031 } });
    const cal = loadCalendar({ overridesFile: file });
    expect(cal.knows('2031-06-01')).toBe(true);
    expect(cal.source.overrideYears).toEqual([2031]);
    expect(cal.isWorkingDay('2031-01-01')).toEqual({ value: false, warnings: [], unknownYears: [] });
    expect(cal.isWorkingDay('2031-01-04')).toEqual({ value: true, warnings: [], unknownYears: [] }); // Saturday
    expect(cal.addWorkingDays('2030-12-31', 1).value).toBe('2031-01-02');
    // 2030 is still unknown.
    expect(cal.addWorkingDays('2030-12-31', 1).unknownYears).toEqual([2030]);
    // The default calendar is not affected.
    expect(loadCalendar().knows('2031-06-01')).toBe(false);
  });

  it('replaces the data of a year the package has', () => {
    const file = writeOverrides({
      years: {
        '2025': {
          holidays: {
            '2025-01-01': '元旦', '2025-05-01': '劳动节', '2025-10-01': '国庆节', '2025-10-02': '国庆节', '2025-10-03': '国庆节',
          },
        },
      },
    });
    const cal = loadCalendar({ overridesFile: file });
    expect(cal.isWorkingDay('2025-09-28').value).toBe(false); // no longer a make-up workday
    expect(cal.isWorkingDay('2025-10-08').value).toBe(true); // no longer off
    expect(cal.isWorkingDay('2026-01-04').value).toBe(true); // other years untouched
  });

  it('caches per file path', () => {
    const file = writeOverrides({ years: {} });
    const a = loadCalendar({ overridesFile: file });
    expect(loadCalendar({ overridesFile: file })).toBe(a);
    expect(loadCalendar({ overridesFile: path.relative(process.cwd(), file) })).toBe(a);
    clearCalendarCache();
    expect(loadCalendar({ overridesFile: file })).not.toBe(a);
  });

  it.each([
    ['not JSON', '{ "years": { "2031": ', /不是有效的 JSON/],
    ['no years', { holidays: {} }, /缺少 "years"/],
    ['unknown top-level key', { years: {}, yaers: {} }, /yaers：未知字段/],
    ['bad year key', { years: { '31': FICTIONAL_2031 } }, /years\.31：年份必须是四位数字/],
    [
      'impossible date',
      { years: { '2031': { ...FICTIONAL_2031, holidays: { ...FICTIONAL_2031.holidays, '2031-02-30': '春节' } } } },
      /years\.2031\.holidays\.2031-02-30：不是 YYYY-MM-DD 格式的真实日期/,
    ],
    [
      'date outside the year',
      { years: { '2031': { ...FICTIONAL_2031, holidays: { ...FICTIONAL_2031.holidays, '2032-01-01': '元旦' } } } },
      /2032-01-01：不属于 2031 年的安排/,
    ],
    [
      'make-up workday on a weekday',
      { years: { '2031': { ...FICTIONAL_2031, workdays: { '2031-01-06': '元旦' } } } },
      /2031-01-06：调休上班日应是周六或周日，2031-01-06 是周一/,
    ],
    [
      'a day both off and on',
      { years: { '2031': { ...FICTIONAL_2031, workdays: { '2031-01-04': '元旦' }, holidays: { ...FICTIONAL_2031.holidays, '2031-01-04': '元旦' } } } },
      /同一天不能既是放假日又是调休上班日/,
    ],
    ['missing fixed holidays', { years: { '2031': { holidays: { '2031-01-01': '元旦' } } } }, /缺少 2031-05-01、2031-10-01/],
    ['empty name', { years: { '2031': { ...FICTIONAL_2031, workdays: { '2031-01-04': '' } } } }, /名称必须是非空字符串/],
  ])('rejects %s with a Chinese message naming the file', (_label, content, pattern) => {
    const file = writeOverrides(content);
    let error: unknown;
    try {
      loadCalendar({ overridesFile: file });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalendarOverridesError);
    expect(error).toBeInstanceOf(AppError);
    const e = error as CalendarOverridesError;
    expect(e.code).toBe('CALENDAR_OVERRIDES_INVALID');
    expect(e.message).toContain(file);
    expect(e.message).toContain('节假日覆盖文件');
    expect(e.message).toMatch(pattern);
  });

  it('a named file that does not exist is an error; a failed load is not cached', () => {
    const file = path.join(tmp, 'later.json');
    expect(() => loadCalendar({ overridesFile: file })).toThrow(/later\.json 有误.*文件不存在/);
    fs.writeFileSync(file, JSON.stringify({ years: { '2031': FICTIONAL_2031 } }));
    expect(loadCalendar({ overridesFile: file }).knows('2031-01-01')).toBe(true);
  });
});
