/** `double-random draw …` and `double-random verify`: thin adapters over the draw service. */
import fs from 'node:fs';
import os from 'node:os';
import { Command, Option } from 'commander';
import type { DbHandle } from '../db/connection.ts';
import * as draws from '../services/draws.ts';
import type { Opening } from '../domain/draw/verify.ts';
import { printVerification } from '../domain/draw/verifyReport.ts';
import type { DrawBundle } from '../domain/draw/bundle.ts';
import { stratumLabel, type Stratum } from '../domain/draw/params.ts';
import { formatShanghai } from '../domain/time.ts';
import { ValidationError } from '../domain/errors.ts';
import type { Actor } from '../domain/actor.ts';

type WithDb = <T>(fn: (h: DbHandle) => Promise<T>) => Promise<T>;

const out = (s = '') => process.stdout.write(`${s}\n`);
const actor = (): Actor => ({ name: `cli:${os.userInfo().username}` });

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ValidationError(`找不到${what}文件：${file}`, [], 'FILE_NOT_FOUND');
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ValidationError(`${what}文件 ${file} 不是有效的 JSON：${(e as Error).message}`, [], 'INVALID_JSON');
  }
}

function printDraw(d: Awaited<ReturnType<typeof draws.getDraw>>): void {
  out(`抽取编号：${d.id}`);
  out(`任务：${d.task}（${d.window.start} 至 ${d.window.end}）`);
  out(`状态：${d.status}${d.voided ? `（${formatShanghai(d.voided.at)} 由 ${d.voided.by} 作废，理由：${d.voided.reason}）` : ''}`);
  out(`承诺值：${d.commitment}（${formatShanghai(d.committedAt)} 由 ${d.committedBy} 承诺）`);
  out(`随机数来源：${d.randomnessSource}`);
  if (d.randomness) out(`公开随机数：${d.randomness.normalized}（${formatShanghai(d.randomness.enteredAt!)} 由 ${d.randomness.enteredBy} 录入）；工作种子：${d.randomness.workingSeed}`);
  if (d.strata) {
    out(`分层（按${d.params.stratifyBy === 'sector' ? '专业领域风险分类' : '信用风险分类'}；N = 可抽数，n = 抽取数，π = 入选概率）：`);
    for (const s of d.strata as { stratum: Stratum; candidates: number; eligible: number; selected: number; inclusionProbability: string }[]) {
      out(`  ${stratumLabel(s.stratum, d.params.stratifyBy)}：候选 ${s.candidates}，N = ${s.eligible}，n = ${s.selected}，π = ${s.inclusionProbability}`);
    }
    out(`抽中 ${d.selectedCount} 户；结果摘要 ${d.resultDigest}`);
  }
  out(`本任务已作废的抽取次数：${d.voidedDrawsOfTask}`);
}

export function drawCommands(withDb: WithDb): Command[] {
  const draw = new Command('draw').description('可验证的双随机抽取：承诺 → 录入公开随机数 → 抽取 → 公开');

  draw
    .command('commit')
    .description('冻结任务参数和名录数据，计算并保存承诺值（在任何随机数产生之前公布）')
    .argument('<params.json>', '抽取参数文件，格式见 docs/draw-algorithm.md')
    .action(async (file: string) => {
      const params = readJson(file, '抽取参数');
      await withDb(async (h) => {
        const d = await draws.commitDraw(h.db, params, actor());
        out(d.id);
        out(`承诺值：${d.commitment}`);
        out(`请公布承诺值，并在事先指定的随机数（${d.randomnessSource}）产生后录入：double-random draw seed ${d.id} "<随机数>"`);
      });
    });

  draw
    .command('seed')
    .description('录入事先指定来源的公开随机数（只能录入一次）')
    .argument('<drawId>')
    .argument('<randomness>', '公开随机数，如彩票开奖号码或掷骰结果')
    .action(async (id: string, randomness: string) => {
      await withDb(async (h) => {
        const d = await draws.seedDraw(h.db, id, randomness, actor());
        out(`已录入。规范化随机数：${d.randomness!.normalized}`);
        out(`工作种子：${d.randomness!.workingSeed}`);
      });
    });

  draw
    .command('run')
    .description('执行抽取并写入结果（一个事务）')
    .argument('<drawId>')
    .action(async (id: string) => {
      await withDb(async (h) => printDraw(await draws.runDraw(h.db, id, actor())));
    });

  draw
    .command('void')
    .description('作废一次抽取（必须写明理由；记录保留并公开）')
    .argument('<drawId>')
    .requiredOption('--reason <reason>', '作废理由')
    .action(async (id: string, opts: { reason: string }) => {
      await withDb(async (h) => printDraw(await draws.voidDraw(h.db, id, opts.reason, actor())));
    });

  draw
    .command('show')
    .description('显示一次抽取')
    .argument('<drawId>')
    .option('--selection', '同时列出抽中对象和检查组')
    .action(async (id: string, opts: { selection?: boolean }) => {
      await withDb(async (h) => {
        printDraw(await draws.getDraw(h.db, id));
        if (opts.selection) for (const s of await draws.drawSelections(h.db, id)) out(`${s.rank}\t${s.uscc}\t${s.team.join('、')}\t${s.ticket}`);
      });
    });

  draw
    .command('list')
    .description('列出抽取记录')
    .option('--task <task>', '只列出某个任务的抽取')
    .action(async (opts: { task?: string }) => {
      await withDb(async (h) => {
        for (const d of await draws.listDraws(h.db, opts.task)) out(`${d.id}\t${d.status}\t${formatShanghai(d.committedAt)}\t${d.task}\t作废 ${d.voidedDrawsOfTask} 次`);
      });
    });

  draw
    .command('export')
    .description('导出抽取包（默认公开包；--level full 为含等级、回避、历史和容量的完整包，仅供审计）')
    .argument('<drawId>')
    .argument('<bundle>', '输出文件（.json）')
    .addOption(new Option('--level <level>', '公开包或完整包').choices(['public', 'full']).default('public'))
    .action(async (id: string, file: string, opts: { level: 'public' | 'full' }) => {
      await withDb(async (h) => {
        const bundle = await draws.exportBundle(h.db, id, opts.level);
        fs.writeFileSync(file, `${JSON.stringify(bundle, null, 1)}\n`);
        out(`已导出${opts.level === 'full' ? '完整包' : '公开包'}：${file}`);
        if (bundle.draw.voided) out(`注意：本次抽取已于 ${formatShanghai(bundle.draw.voided.at)} 作废（理由：${bundle.draw.voided.reason}），其结果不再有效`);
        out(`验证：double-random verify ${file} --commitment ${bundle.commitment}`);
        out('（承诺值请以抽取前公布的为准；不带 --commitment 只能证明包内部自洽）');
      });
    });

  draw
    .command('opening')
    .description('给出某一主体等级承诺的打开值（只交给该主体本身）')
    .argument('<drawId>')
    .argument('<uscc>')
    .action(async (id: string, uscc: string) => {
      await withDb(async (h) => out(JSON.stringify(await draws.gradeOpening(h.db, id, uscc.trim().toUpperCase()), null, 1)));
    });

  const verify = new Command('verify')
    .description('验证抽取包：公开包验证承诺、种子、签号和数量；完整包重算全部抽取')
    .argument('<bundle>', '抽取包文件')
    .option('--commitment <hex>', '事先公布的承诺值，包中的承诺值必须与之相同')
    .option('--opening <file>', '本主体的等级承诺打开值（JSON：uscc、stratum、salt）')
    .action((file: string, opts: { commitment?: string; opening?: string }) => {
      const bundle = readJson(file, '抽取包') as DrawBundle;
      const opening = opts.opening ? (readJson(opts.opening, '打开值') as Opening) : undefined;
      process.exitCode = printVerification(bundle, { commitment: opts.commitment, opening }, out);
    });

  return [draw, verify];
}
