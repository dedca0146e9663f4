/**
 * The task work that time triggers: committing approved tasks whose commitment time has come,
 * and moving tasks into progress and to completed as their inspection window opens and closes.
 * The scheduled jobs (src/jobs/definitions.ts) only call these and log what they return.
 */
import type { Executor } from '../db/connection.ts';
import * as plansRepo from '../db/repositories/plans.ts';
import { shanghaiDate } from '../domain/time.ts';
import { commitTask, completeTask, startTask } from './plans.ts';

/** The scheduler acting at `now` (recorded as who moved the task). */
const scheduler = (now: Date) => ({ name: 'scheduler', now });

export interface TaskOutcome {
  id: string;
  name: string;
}

/** Approved tasks whose scheduled commitment time (commit_at) has come, committed one by one. */
export async function commitDueTasks(db: Executor, now: Date): Promise<{ committed: TaskOutcome[]; failed: (TaskOutcome & { error: unknown })[] }> {
  const due = (await plansRepo.tasksInStatus(db, ['approved'])).filter((t) => t.commit_at !== null && t.commit_at <= now.toISOString());
  const committed: TaskOutcome[] = [];
  const failed: (TaskOutcome & { error: unknown })[] = [];
  for (const t of due) {
    // One task's failure (a registry that no longer fills its teams, say) does not hold up the others.
    try {
      await commitTask(db, t.id, scheduler(now));
      committed.push({ id: t.id, name: t.name });
    } catch (error) {
      failed.push({ id: t.id, name: t.name, error });
    }
  }
  return { committed, failed };
}

/** Drawn tasks whose window has opened start; tasks in progress whose window has closed complete. */
export async function advanceTaskWindows(db: Executor, now: Date): Promise<{ started: string[]; completed: string[] }> {
  const today = shanghaiDate(now);
  const started: string[] = [];
  const completed: string[] = [];
  for (const t of await plansRepo.tasksInStatus(db, ['drawn'])) {
    if (t.window_start <= today) {
      await startTask(db, t.id, scheduler(now));
      started.push(t.id);
    }
  }
  for (const t of await plansRepo.tasksInStatus(db, ['in_progress'])) {
    if (t.window_end < today) {
      await completeTask(db, t.id, scheduler(now));
      completed.push(t.id);
    }
  }
  return { started, completed };
}
