/**
 * Working-day deadlines the scheduler watches: results published within 20 working days after a
 * task's inspections end, and abnormal-list follow-ups within 10 working days. Every date is an
 * Asia/Shanghai calendar day; a date outside the years the calendar knows is recorded with its
 * warning, never guessed silently.
 */
import crypto from 'node:crypto';
import type { Executor } from '../db/connection.ts';
import { toJson } from '../db/json.ts';
import * as repo from '../db/repositories/plans.ts';
import { inTransaction } from '../db/tx.ts';
import { nowIso, shanghaiDate } from '../domain/time.ts';
import { loadCalendar } from './calendar.ts';
import { planDefaults } from './planDefaults.ts';

export type DeadlineKind = 'publication' | 'abnormal-follow-up';

export async function openDeadline(
  db: Executor,
  d: { kind: DeadlineKind; subject: string; taskId?: string; uscc?: string; startsOn: string; workingDays: number },
  now = new Date(),
): Promise<void> {
  const due = loadCalendar().addWorkingDays(d.startsOn, d.workingDays);
  await repo.upsertDeadline(db, {
    id: crypto.randomUUID(),
    kind: d.kind,
    subject: d.subject,
    task_id: d.taskId ?? null,
    uscc: d.uscc ?? null,
    starts_on: d.startsOn,
    due_on: due.value,
    state: 'open',
    met_on: null,
    flagged_at: null,
    calendar_warnings: due.warnings.length ? toJson(due.warnings) : null,
    created_at: nowIso(now),
  });
}

/** The results of a finished task must be published within N working days of its last day. */
export async function openPublicationDeadline(db: Executor, task: { id: string; window_end: string }, now = new Date()) {
  await openDeadline(db, { kind: 'publication', subject: task.id, taskId: task.id, startsOn: task.window_end, workingDays: planDefaults().publicationWorkingDays }, now);
}

export async function meetDeadline(db: Executor, kind: DeadlineKind, subject: string, now = new Date()): Promise<void> {
  const found = (await repo.listDeadlines(db, { kind })).find((d) => d.subject === subject);
  if (found && found.state !== 'met') await repo.updateDeadline(db, found.id, { state: 'met', met_on: shanghaiDate(now) });
}

export interface DeadlineFlag {
  id: string;
  kind: string;
  subject: string;
  taskId: string | null;
  uscc: string | null;
  dueOn: string;
  state: 'approaching' | 'overdue';
  /** Working days left (negative: working days overdue). */
  workingDaysLeft: number;
  warnings: string[];
}

/** Re-evaluates every open deadline for `now`; returns those approaching or past due. */
export async function checkDeadlines(db: Executor, now = new Date()): Promise<DeadlineFlag[]> {
  const today = shanghaiDate(now);
  const calendar = loadCalendar();
  const approaching = planDefaults().approachingWorkingDays;
  const flags: DeadlineFlag[] = [];
  await inTransaction(db, async (trx) => {
    for (const d of await repo.openDeadlines(trx)) {
      const left = calendar.workingDaysBetween(today, d.due_on);
      const state = d.due_on < today ? 'overdue' : left.value <= approaching ? 'approaching' : 'open';
      if (state !== d.state) await repo.updateDeadline(trx, d.id, { state, flagged_at: state === 'open' ? null : nowIso(now) });
      if (state !== 'open') {
        flags.push({
          id: d.id,
          kind: d.kind,
          subject: d.subject,
          taskId: d.task_id,
          uscc: d.uscc,
          dueOn: d.due_on,
          state,
          workingDaysLeft: left.value,
          warnings: [...(d.calendar_warnings ?? []), ...left.warnings],
        });
      }
    }
  });
  return flags;
}

export async function listDeadlines(db: Executor, filter: { taskId?: string; kind?: string } = {}) {
  return (await repo.listDeadlines(db, filter)).map(deadlineView);
}

/** The API shape of a stored deadline. */
export function deadlineView(d: Awaited<ReturnType<typeof repo.listDeadlines>>[number]) {
  return {
    id: d.id,
    kind: d.kind,
    subject: d.subject,
    taskId: d.task_id,
    uscc: d.uscc,
    startsOn: d.starts_on,
    dueOn: d.due_on,
    state: d.state,
    metOn: d.met_on,
    warnings: d.calendar_warnings ?? [],
  };
}
