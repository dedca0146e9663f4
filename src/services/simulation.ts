/**
 * Plan simulation before approval: every entity's chance of being inspected this year, expected
 * inspections per grade, and officers' expected load against capacity, for the plan's tasks that
 * are not drawn yet (drawn ones are already visits in the history). Exact where the tasks do not
 * interact; Monte Carlo with a fixed seed where a yearly cap or look-back couples them.
 */
import crypto from 'node:crypto';
import type { Executor } from '../db/connection.ts';
import * as repo from '../db/repositories/plans.ts';
import { NotFoundError } from '../domain/errors.ts';
import { simulatePlan, type SimTask } from '../domain/simulation.ts';
import type { HistoryRow } from '../domain/draw/select.ts';
import { gatherDrawInputs } from './draws.ts';
import { drawParamsOf } from './plans.ts';
import type { Actor } from '../domain/actor.ts';
import * as scope from './scope.ts';

export interface SimulationRequest {
  runs?: number;
  seedHex?: string;
  /**
   * Who asks: a regulator's simulation covers only the tasks its department takes part in (the
   * plan as that department sees it), so no figure of another department's task reaches it.
   */
  viewer?: Actor;
}

export async function simulatePlanById(db: Executor, planId: string, opts: SimulationRequest = {}) {
  const plan = await repo.findPlan(db, planId);
  if (!plan) throw new NotFoundError(`没有编号为 ${planId} 的抽查计划`, 'PLAN_NOT_FOUND');
  const tasks = (await repo.listTasks(db, planId)).filter((t) => ['draft', 'approved', 'committed'].includes(t.status) && scope.taskInScope(opts.viewer, t));
  const simTasks: SimTask[] = [];
  const history = new Map<string, HistoryRow>();
  for (const t of tasks) {
    const params = drawParamsOf(t);
    const inputs = await gatherDrawInputs(db, params);
    simTasks.push({ id: t.id, params, frame: inputs.frame, officers: inputs.officers });
    for (const h of inputs.history) history.set(`${h.uscc}|${h.date}|${h.department}`, h);
  }
  // A fixed seed per plan and day: the same question gets the same answer.
  const seedHex = opts.seedHex ?? crypto.createHash('sha256').update(`simulation|${planId}|${new Date().toISOString().slice(0, 10)}`).digest('hex');
  const result = simulatePlan({ year: plan.year, tasks: simTasks, history: [...history.values()] }, { runs: opts.runs, seedHex });
  return { planId, year: plan.year, tasks: tasks.map((t) => ({ id: t.id, name: t.name, status: t.status })), ...result };
}

/** The plan's simulation, with the given task's own figures first. */
export async function simulateForTask(db: Executor, taskId: string, opts: SimulationRequest = {}) {
  const task = await repo.findTask(db, taskId);
  if (!task) throw new NotFoundError(`没有编号为 ${taskId} 的抽查任务`, 'TASK_NOT_FOUND');
  const sim = await simulatePlanById(db, task.plan_id, opts);
  return { task: sim.perTask.find((p) => p.id === taskId) ?? null, ...sim };
}
