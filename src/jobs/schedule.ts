/**
 * Slot maths: which scheduled fire times ("slots") a cron expression has before or after an
 * instant, in Asia/Shanghai.
 *
 * node-cron decides when a task fires; it has no "previous fire time", which missed-run
 * catch-up needs. Rather than bring in a second cron library (cron-parser treats a day-of-month
 * plus a day-of-week as "either", node-cron 4 as "both", so the two would disagree on
 * expressions such as `0 9 1 * 1`), the slots are enumerated here and every candidate is
 * checked with node-cron's own matcher. The ticks and the slots therefore follow one reading
 * of the expression.
 *
 * Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so each wall-clock time is
 * exactly one instant; node-cron's matcher (Intl, real zone data) confirms every candidate.
 */
import cron from 'node-cron';
import { TIME_ZONE } from '../config.ts';

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
/** Furthest search, in days: a 29 February that is also a given weekday recurs within 28 years. */
const MAX_DAYS = 366 * 29;

export class InvalidScheduleError extends Error {
  constructor(expression: string, reason: string) {
    super(`无效的定时表达式 (SCHEDULE_INVALID)："${expression}"：${reason}。Use 5 fields (minute hour day month weekday) or 6 with seconds first, e.g. "0 9 * * *" for 09:00 Asia/Shanghai daily.`);
    this.name = 'InvalidScheduleError';
  }
}

export interface CronSchedule {
  readonly expression: string;
  /** True when `at` (to the second) is a fire time. */
  matches(at: Date): boolean;
  /** The latest slot at or before `at`, or undefined when there is none within 29 years. */
  latestAtOrBefore(at: Date): Date | undefined;
  /** The earliest slot strictly after `at`, or undefined when there is none within 29 years. */
  nextAfter(at: Date): Date | undefined;
}

const cache = new Map<string, CronSchedule>();

/** Parses and validates a cron expression (node-cron 4 syntax) read in Asia/Shanghai. */
export function parseSchedule(expression: string): CronSchedule {
  const cached = cache.get(expression);
  if (cached) return cached;
  const detail = cron.validateDetailed(expression);
  if (!detail.valid) throw new InvalidScheduleError(expression, detail.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'not a cron expression');
  const fields = cron.parse(expression);
  // A task made only for its matcher: never started (no timer), and destroyed at once so it is
  // not left in node-cron's global registry. match() only reads the parsed expression.
  const task = cron.createTask(expression, () => undefined, { timezone: TIME_ZONE });
  void task.destroy();
  const asc = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
  const times = { hours: asc(fields.hour), minutes: asc(fields.minute), seconds: asc(fields.second) };
  const first = (times.hours[0] * 60 + times.minutes[0]) * 60 + times.seconds[0];

  /** Walks day by day from the Shanghai day holding `at`; `forward` picks the direction. */
  function search(at: Date, forward: boolean): Date | undefined {
    const t = at.getTime();
    // Slots are whole seconds; "after" means after the second that holds `at`.
    const limit = forward ? Math.floor(t / 1000) * 1000 : t;
    let dayStart = Math.floor((t + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
    const hours = forward ? times.hours : [...times.hours].reverse();
    const minutes = forward ? times.minutes : [...times.minutes].reverse();
    const seconds = forward ? times.seconds : [...times.seconds].reverse();
    const fits = (ms: number) => (forward ? ms > limit : ms <= limit);
    for (let i = 0; i < MAX_DAYS; i += 1, dayStart += forward ? DAY_MS : -DAY_MS) {
      // Hours, minutes and seconds do not depend on the day, so the day matches iff its
      // first fire time does.
      if (!task.match(new Date(dayStart + first * 1000))) continue;
      for (const h of hours) {
        const hourStart = dayStart + h * 3600_000;
        // Skip whole hours and minutes that lie entirely on the wrong side of the limit.
        if (forward ? hourStart + 3600_000 <= limit : hourStart > limit) continue;
        for (const m of minutes) {
          const minuteStart = hourStart + m * 60_000;
          if (forward ? minuteStart + 60_000 <= limit : minuteStart > limit) continue;
          for (const s of seconds) {
            const candidate = minuteStart + s * 1000;
            if (fits(candidate)) return new Date(candidate);
          }
        }
      }
    }
    return undefined;
  }

  const schedule: CronSchedule = {
    expression,
    matches: (at) => task.match(at),
    latestAtOrBefore: (at) => search(at, false),
    nextAfter: (at) => search(at, true),
  };
  cache.set(expression, schedule);
  return schedule;
}
