/**
 * The scheduled jobs (node-cron expressions, Asia/Shanghai): thin adapters over the services.
 * Each runs once per slot across all instances (see scheduler.ts), and a slot missed while the
 * service was down runs when it comes back.
 */
import type { Job, JobContext } from './scheduler.ts';
import { advanceTaskWindows as advanceWindows, commitDueTasks } from '../services/taskSchedule.ts';
import { checkDeadlines } from '../services/deadlines.ts';
import { expireImportFiles } from '../services/imports/importJobs.ts';

/** Approved tasks whose scheduled commitment time has come are committed (inputs frozen). */
export const commitScheduledTasks: Job = {
  name: 'commit-scheduled-tasks',
  schedule: '* * * * *',
  async run({ db, now, logger }: JobContext) {
    const { committed, failed } = await commitDueTasks(db, now);
    for (const t of committed) logger.info({ task: t.id }, `已按计划承诺任务：${t.name}`);
    for (const t of failed) logger.error({ task: t.id, err: t.error }, `按计划承诺任务失败：${t.name}`);
    return { committed: committed.map((t) => t.id) };
  },
};

/** Tasks move into progress when their window opens and to completed when it has closed. */
export const advanceTaskWindows: Job = {
  name: 'advance-task-windows',
  schedule: '5 0 * * *',
  async run({ db, now, logger }: JobContext) {
    const { started, completed } = await advanceWindows(db, now);
    if (started.length || completed.length) logger.info({ started, completed }, '任务检查时段已更新');
    return { started, completed };
  },
};

/** Results approaching or past the 20-working-day publication deadline, and abnormal-list follow-ups due. */
export const flagDeadlines: Job = {
  name: 'flag-deadlines',
  schedule: '0 8 * * *',
  async run({ db, now, logger }: JobContext) {
    const flags = await checkDeadlines(db, now);
    for (const f of flags) {
      const what = f.kind === 'publication' ? '检查结果公示' : '列入经营异常名录的后续处置';
      logger.warn(
        { deadline: f.id, task: f.taskId, uscc: f.uscc, dueOn: f.dueOn, workingDaysLeft: f.workingDaysLeft, warnings: f.warnings },
        f.state === 'overdue' ? `${what}已超期 ${-f.workingDaysLeft} 个工作日（期限 ${f.dueOn}）` : `${what}期限将至：还剩 ${f.workingDaysLeft} 个工作日（期限 ${f.dueOn}）`,
      );
    }
    return { approaching: flags.filter((f) => f.state === 'approaching').length, overdue: flags.filter((f) => f.state === 'overdue').length };
  },
};

/** Import reports and rejects files (registry rows, personal data included) are kept only for IMPORT_FILES_TTL_HOURS. */
export const expireImportReports: Job = {
  name: 'expire-import-files',
  schedule: '17 * * * *',
  async run({ db, now, logger }: JobContext) {
    const expired = await expireImportFiles(db, now);
    if (expired.length) logger.info({ jobs: expired }, `已按保留期限删除 ${expired.length} 个导入任务的问题报告和拒绝文件`);
    return { expired: expired.length };
  },
};

export const JOBS: Job[] = [commitScheduledTasks, advanceTaskWindows, flagDeadlines, expireImportReports];
