/** `double-random audit verify|list`: thin adapters over the audit service. */
import { Command } from 'commander';
import type { DbHandle } from '../db/connection.ts';
import * as audit from '../services/audit.ts';
import { ValidationError } from '../domain/errors.ts';
import { formatShanghai } from '../domain/time.ts';

type WithDb = <T>(fn: (h: DbHandle) => Promise<T>) => Promise<T>;

const out = (s = '') => process.stdout.write(`${s}\n`);

const CODE_LABELS: Record<audit.AuditProblemCode, string> = {
  ALTERED: '条目被修改',
  REMOVED: '条目被删除',
  REORDERED: '条目顺序被调换',
  BROKEN_LINK: '哈希链断开（插入或重写）',
};

function positiveInt(what: string, v: string, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < 1 || n > max) {
    throw new ValidationError(`${what}须为 1 到 ${max} 之间的整数：${v}`, [], 'INVALID_OPTION');
  }
  return n;
}

/** A stored instant in Asia/Shanghai time (as stored when it is not a valid instant). */
function when(iso: string): string {
  return Number.isNaN(Date.parse(iso)) ? iso : formatShanghai(iso);
}

function oneLine(v: unknown): string {
  if (v === null || v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** `audit` with `verify` (exit 0 when intact, 1 otherwise) and `list`. */
export function auditCommand(withDb: WithDb): Command {
  const cmd = new Command('audit').description('全过程记录（哈希链审计日志）');

  cmd
    .command('verify')
    .description('逐条校验审计日志的哈希链；完整时退出码为 0，发现篡改时为 1')
    .option('--head <head>', '此前在数据库之外记下的链头（<序号>:<哈希> 或只写哈希），用于发现末尾条目被删除或整条链被重算')
    .option('--json', '以 JSON 输出结果', false)
    .action(async (o: { head?: string; json: boolean }) => {
      const expectedHead = o.head === undefined ? undefined : audit.parseNotedHead(o.head);
      const r = await withDb((h) => audit.verifyAudit(h.db, { expectedHead }));
      if (o.json) {
        out(JSON.stringify(r, null, 2));
      } else if (r.ok) {
        out(`审计日志完整 (INTACT)：共 ${r.entries} 条，哈希链逐条校验通过${expectedHead ? '，且包含外部记录的链头' : ''}。`);
        out(`当前链头：${audit.formatNotedHead({ seq: r.headSeq, hash: r.head })}`);
        out('请在数据库之外（如纸质台账、公告）记下当前链头，日后用 --head 校验：只有对照外部记录的链头，才能发现末尾条目被删除。');
      } else {
        const p = r.firstProblem!;
        out(`审计日志已被篡改 (${p.code})：${CODE_LABELS[p.code]}`);
        out(`首个问题：第 ${p.seq} 条：${p.message}`);
        out(`日志现有 ${r.entries} 条，末条哈希 ${r.head}`);
      }
      process.exitCode = r.ok ? 0 : 1;
    });

  cmd
    .command('list')
    .description('列出审计记录（新的在前）')
    .option('--entity <kind>', '对象类型，如 object、draw、task')
    .option('--id <entityId>', '对象标识')
    .option('--actor <name>', '操作人')
    .option('--action <action>', '操作，如 draw.void')
    .option('--limit <n>', '最多列出几条（1–1000）', '50')
    .option('--offset <n>', '跳过前几条', '0')
    .option('--json', '以 JSON 输出', false)
    .action(async (o: { entity?: string; id?: string; actor?: string; action?: string; limit: string; offset: string; json: boolean }) => {
      const limit = positiveInt('--limit ', o.limit, 1000);
      const offset = o.offset === '0' ? 0 : positiveInt('--offset ', o.offset, Number.MAX_SAFE_INTEGER);
      const r = await withDb((h) => audit.listAudit(h.db, { entity: o.entity, entityId: o.id, actor: o.actor, action: o.action, limit, offset }));
      if (o.json) {
        out(JSON.stringify(r, null, 2));
        return;
      }
      out(`共 ${r.total} 条${r.total > r.rows.length ? `，显示第 ${offset + 1}–${offset + r.rows.length} 条` : ''}`);
      for (const e of r.rows) {
        out(`#${e.seq}\t${when(e.at)}\t${e.actor}\t${e.action}\t${e.entity}/${e.entityId}${e.note ? `\t${e.note}` : ''}`);
        if (e.before !== null) out(`\t前：${oneLine(e.before)}`);
        if (e.after !== null) out(`\t后：${oneLine(e.after)}`);
      }
    });

  return cmd;
}
