/** `double-random user add|disable|reset|list`: accounts, passwords read from standard input. */
import os from 'node:os';
import { Command, Option } from 'commander';
import type { DbHandle } from '../db/connection.ts';
import * as accounts from '../services/accounts.ts';
import { ValidationError } from '../domain/errors.ts';
import type { Actor } from '../domain/actor.ts';

type WithDb = <T>(fn: (h: DbHandle) => Promise<T>) => Promise<T>;
const out = (s = '') => process.stdout.write(`${s}\n`);
/** The operator at the server's shell acts for the installation (as the other commands without --as). */
const operator = (): Actor => ({ name: `cli:${os.userInfo().username}` });

/** The first line of standard input (the password is never an argument: it would show in `ps`). */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('请输入密码后按回车：');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!line) throw new ValidationError('没有从标准输入读到密码：请用 --password-stdin 并通过管道或输入提供密码', [], 'PASSWORD_REQUIRED');
  return line;
}

export function userCommand(withDb: WithDb): Command {
  const user = new Command('user').description('账号管理');
  user
    .command('add')
    .description('新增账号')
    .requiredOption('--username <username>')
    .addOption(new Option('--role <role>', '角色').choices(accounts.ROLES).makeOptionMandatory())
    .option('--department <code>', '监管人员所属部门')
    .option('--officer <certificateNo>', '执法检查人员对应的执法证号')
    .requiredOption('--password-stdin', '从标准输入读取密码')
    .action(async (o: { username: string; role: string; department?: string; officer?: string }) => {
      const password = await readPassword();
      await withDb(async (h) => {
        const u = await accounts.addUser(h.db, { username: o.username, role: o.role, department: o.department, officer: o.officer, password }, operator());
        out(`已新增账号 ${u.name}（${accounts.ROLE_LABELS[u.role]}${u.department ? `，${u.department}` : ''}${u.officer ? `，执法证号 ${u.officer}` : ''}）`);
      });
    });
  user
    .command('disable')
    .description('停用账号（并注销其全部令牌）')
    .argument('<username>')
    .action(async (username: string) => {
      await withDb(async (h) => {
        await accounts.disableUser(h.db, username, operator());
        out(`已停用 ${username}`);
      });
    });
  user
    .command('reset')
    .description('重设密码（并注销其全部令牌）')
    .argument('<username>')
    .requiredOption('--password-stdin', '从标准输入读取新密码')
    .action(async (username: string) => {
      const password = await readPassword();
      await withDb(async (h) => {
        await accounts.resetPassword(h.db, username, password, operator());
        out(`已重设 ${username} 的密码`);
      });
    });
  user
    .command('role')
    .description('更改账号的角色、所属部门（监管人员）或关联的执法证号（执法检查人员）')
    .argument('<username>')
    .addOption(new Option('--role <role>', '角色').choices(accounts.ROLES).makeOptionMandatory())
    .option('--department <code>', '监管人员所属部门')
    .option('--officer <certificateNo>', '执法检查人员对应的执法证号')
    .action(async (username: string, o: { role: string; department?: string; officer?: string }) => {
      await withDb(async (h) => {
        const u = await accounts.updateUserRole(h.db, username, { role: o.role, department: o.department, officer: o.officer }, operator());
        out(`已将 ${u.name} 的角色设为${accounts.ROLE_LABELS[u.role]}${u.department ? `（${u.department}）` : ''}${u.officer ? `，执法证号 ${u.officer}` : ''}`);
      });
    });
  user
    .command('list')
    .action(async () => {
      await withDb(async (h) => {
        for (const u of await accounts.listUsers(h.db, operator())) out(`${u.username}\t${u.role}\t${u.department ?? ''}\t${u.officer ?? ''}\t${u.disabled ? '已停用' : ''}`);
      });
    });
  return user;
}
