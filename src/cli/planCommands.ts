/** `double-random plan …` and `double-random task …`: thin adapters over the plans service. */
import type { Actor } from '../domain/actor.ts';
import fs from 'node:fs';
import os from 'node:os';
import { Command } from 'commander';
import type { DbHandle } from '../db/connection.ts';
import * as plans from '../services/plans.ts';
import * as accounts from '../services/accounts.ts';
import { ValidationError } from '../domain/errors.ts';
import { formatShanghai } from '../domain/time.ts';

type WithDb = <T>(fn: (h: DbHandle) => Promise<T>) => Promise<T>;
const out = (s = '') => process.stdout.write(`${s}\n`);
/**
 * Who acts: with --as, an existing, active account — its role, data scope and name (the four-eyes
 * rule compares names) apply exactly as in the API; without it, the operator at the server
 * (`cli:<os user>`), acting for the whole installation.
 */
async function actorOf(db: DbHandle['db'], opts: { as?: string }): Promise<Actor> {
  if (opts.as !== undefined) return accounts.actorOfAccount(db, opts.as);
  return { name: `cli:${os.userInfo().username}` };
}
const AS = ['--as <username>', '以该账号的名义操作（须为已有、未停用的账号；其角色和数据范围同 API）'] as const;

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ValidationError(`无法读取任务文件 ${file}：${(e as Error).message}`, [], 'INVALID_JSON');
  }
}

function printTask(t: Awaited<ReturnType<typeof plans.getTask>>): void {
  out(`${t.name}（${t.id}）`);
  out(`状态：${t.statusLabel}；检查时间：${t.window.start} 至 ${t.window.end}；方式：${t.method}`);
  out(`部门：${t.departments.map((d) => `${d.code}×${d.officersPerTeam}`).join('、')}；事项：${t.matters.join('、')}`);
  out(`起草：${t.author}${t.approvedBy ? `；审批：${t.approvedBy}` : ''}${t.drawId ? `；抽取：${t.drawId}` : ''}；已作废抽取 ${t.voidedDraws} 次`);
  for (const e of t.events) out(`  ${formatShanghai(e.at)}  ${e.from ?? '—'} → ${e.to}  ${e.actor}${e.note ? `  ${e.note}` : ''}`);
}

export function planCommands(withDb: WithDb): Command[] {
  const plan = new Command('plan').description('年度抽查计划');
  plan
    .command('create')
    .description('新建年度抽查计划')
    .requiredOption('--organization <code>', '制定计划的部门代码')
    .requiredOption('--year <year>', '年度')
    .option('--title <title>', '计划名称（默认按官方格式生成）')
    .option(...AS)
    .action(async (o: { organization: string; year: string; title?: string; as?: string }) => {
      await withDb(async (h) => {
        const p = await plans.createPlan(h.db, { organization: o.organization, year: Number(o.year), title: o.title }, await actorOf(h.db, o));
        out(p.id);
        out(p.title);
      });
    });
  plan
    .command('list')
    .option('--year <year>')
    .action(async (o: { year?: string }) => {
      await withDb(async (h) => {
        for (const p of await plans.listPlans(h.db, o.year ? Number(o.year) : undefined)) out(`${p.id}\t${p.year}\t${p.title}\t${p.tasks.length} 个任务`);
      });
    });
  plan
    .command('show')
    .argument('<planId>')
    .action(async (id: string) => {
      await withDb(async (h) => {
        const p = await plans.getPlan(h.db, id);
        out(`${p.title}（${p.id}）`);
        for (const t of p.tasks) out(`  第 ${t.number} 号  ${t.statusLabel}  ${t.window.start}–${t.window.end}  ${t.id}`);
        out(`合并检查：${p.visits.count} 次检查覆盖 ${p.visits.taskSelections} 个任务抽中，节省 ${p.visits.savedByMerging} 次上门`);
      });
    });

  plan
    .command('simulate')
    .description('审批前模拟：每个主体本年度被检查的概率、各等级预计检查次数、执法人员工作量与容量预警')
    .argument('<planId>')
    .option('--runs <n>', '蒙特卡罗次数（任务之间相互影响时使用）', '2000')
    .action(async (id: string, o: { runs: string }) => {
      const { simulatePlanById } = await import('../services/simulation.ts');
      await withDb(async (h) => {
        const r = await simulatePlanById(h.db, id, { runs: Number(o.runs) });
        out(`方法：${r.method === 'exact' ? '精确计算' : `蒙特卡罗（${r.runs} 次，种子 ${r.seed}）`}；参与模拟的任务 ${r.tasks.length} 个`);
        for (const s of r.perStratum) out(`  ${s.stratum} 类：${s.entities} 户，预计检查 ${s.expectedInspections.toFixed(1)} 次`);
        const loaded = [...r.officers].sort((a, b) => b.expectedLoad - a.expectedLoad).slice(0, 5);
        for (const o2 of loaded) out(`  ${o2.certificateNo}（${o2.department}）预计 ${o2.expectedLoad.toFixed(1)} 户 / 容量 ${o2.capacity}`);
        for (const w of r.warnings) out(`预警 (${w.code})：${w.message}`);
      });
    });

  const task = new Command('task').description('抽查任务');
  task
    .command('add')
    .description('在计划中新建任务（草拟）')
    .argument('<planId>')
    .argument('<task.json>', '任务文件：lead、partners、matters、filters、selection、excludeStrata、exclusions、window、method、randomnessSource、commitAt')
    .option(...AS)
    .action(async (planId: string, file: string, o: { as?: string }) => {
      const input = readJson(file);
      await withDb(async (h) => printTask(await plans.createTask(h.db, planId, input, await actorOf(h.db, o))));
    });
  task
    .command('show')
    .argument('<taskId>')
    .action(async (id: string) => {
      await withDb(async (h) => printTask(await plans.getTask(h.db, id)));
    });
  const simple: [string, string, (db: DbHandle['db'], id: string, a: Actor) => Promise<unknown>][] = [
    ['approve', '审批任务（须由起草人以外的人审批）', plans.approveTask],
    ['commit', '承诺任务的抽取（冻结输入，公布承诺值）', plans.commitTask],
    ['draw', '执行任务的抽取（须已录入公开随机数）', plans.drawTask],
    ['publish', '公示任务结果', plans.publishTask],
  ];
  for (const [name, description, fn] of simple) {
    task
      .command(name)
      .description(description)
      .argument('<taskId>')
      .option(...AS)
      .action(async (id: string, o: { as?: string }) => {
        await withDb(async (h) => {
          await fn(h.db, id, await actorOf(h.db, o));
          printTask(await plans.getTask(h.db, id));
        });
      });
  }
  task
    .command('void-draw')
    .description('作废任务的抽取（须写明理由）')
    .argument('<taskId>')
    .requiredOption('--reason <reason>')
    .option(...AS)
    .action(async (id: string, o: { reason: string; as?: string }) => {
      await withDb(async (h) => printTask(await plans.voidTaskDraw(h.db, id, o.reason, await actorOf(h.db, o))));
    });
  return [plan, task];
}
