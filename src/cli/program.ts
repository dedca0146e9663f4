import { Command, Argument } from 'commander';
import { loadConfig } from '../config.ts';
import { createDb, type DbHandle } from '../db/connection.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { IMPORT_KINDS, type ImportKind } from '../domain/columns.ts';
import { runImport } from './importCommand.ts';
import { drawCommands } from './drawCommands.ts';
import { planCommands } from './planCommands.ts';
import { userCommand } from './userCommands.ts';
import { auditCommand } from './auditCommand.ts';

/** Opens the configured database, migrated, for one command. */
async function withDb<T>(fn: (h: DbHandle) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const handle = createDb(config.database);
  try {
    await migrateToLatest(handle.db);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

export function buildCli(): Command {
  const program = new Command('double-random')
    .description('双随机、一公开 信用分级分类抽查系统 (double-random)')
    .showHelpAfterError('（使用 --help 查看用法）')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('serve')
    .description('启动 HTTP 服务（PORT，默认 3000；DATABASE_URL 为 SQLite 文件或 postgres:// 地址）')
    .action(async () => {
      // Every variable and data file is checked before anything starts: a broken one stops here.
      const { loadStartupConfig } = await import('../config/startup.ts');
      const config = loadStartupConfig();
      const { startServer } = await import('../server.ts');
      await startServer(config);
    });

  program
    .command('migrate')
    .description('执行数据库迁移')
    .action(async () => {
      await withDb(async (h) => {
        const r = await migrateToLatest(h.db);
        const applied = r.results?.filter((x) => x.status === 'Success').map((x) => x.migrationName) ?? [];
        process.stdout.write(applied.length ? `已执行迁移：${applied.join('、')}\n` : '数据库已是最新结构。\n');
      });
    });

  program
    .command('import')
    .description('导入名录文件（CSV：UTF-8/带 BOM/GB18030 自动识别；XLSX）')
    .addArgument(new Argument('<kind>', '导入类型').choices(IMPORT_KINDS))
    .argument('<file>', '要导入的文件（.csv 或 .xlsx）')
    .option('--skip-invalid', '只导入有效行，无效行及原因写入输入文件旁的 .rejects.csv', false)
    .action(async (kind: ImportKind, file: string, opts: { skipInvalid: boolean }) => {
      const code = await withDb((h) => runImport(h, kind, file, opts.skipInvalid));
      process.exitCode = code;
    });

  program
    .command('export')
    .description('导出名录（格式由扩展名决定：.csv 或 .xlsx）')
    .addArgument(new Argument('<kind>', '导出类型').choices(['objects', 'inspectors']))
    .argument('<file>', '输出文件')
    .action(async (kind: 'objects' | 'inspectors', file: string) => {
      const { exportRegistry } = await import('../services/exports.ts');
      await withDb(async (h) => {
        const r = await exportRegistry(h.db, kind, file);
        process.stdout.write(`已导出 ${r.rows} 行到 ${file}\n`);
      });
    });

  for (const c of [...drawCommands(withDb), ...planCommands(withDb), userCommand(withDb), auditCommand(withDb)]) program.addCommand(c);

  const jobs = program.command('jobs').description('定时任务');
  jobs
    .command('run-due')
    .description('立即执行到期的定时任务（与服务中的定时器共用同一机制，每个时点只执行一次）')
    .action(async () => {
      const { createScheduler } = await import('../jobs/scheduler.ts');
      const { JOBS } = await import('../jobs/definitions.ts');
      await withDb(async (h) => {
        const s = createScheduler({ handle: h, jobs: JOBS });
        for (const r of await s.runDue()) process.stdout.write(`${JSON.stringify(r)}\n`);
      });
    });

  return program;
}
