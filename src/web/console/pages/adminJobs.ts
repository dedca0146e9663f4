/**
 * Scheduled jobs (定时任务) and their last runs, and everyone's recent import jobs (导入作业),
 * for administrators.
 */
import { IMPORT_KIND_LABELS } from '../../../domain/columns.ts';
import { html, type Html } from '../../html.ts';
import { when } from '../../format.ts';
import { table, tag } from '../components.ts';

export interface JobRow {
  name: string;
  schedule: string;
  lastSlot: string | null;
  leaseUntil: string | null;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastError: string | null;
  nextSlot: string | null;
}

export interface ImportRow {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  fileName: string;
  rowsRead: number;
  inserted: number;
  updated: number;
  rejected: number;
  createdAt: string;
  finishedAt: string | null;
}

const JOB_LABELS: Record<string, string> = {
  'commit-scheduled-tasks': '按计划时间承诺已批准的任务',
  'advance-task-windows': '按检查时段推进任务状态（开始检查、检查结束）',
  'flag-deadlines': '标记临近和逾期的期限（结果公示、经营异常名录后续处置）',
  'expire-import-files': '按保留期限删除导入问题报告和拒绝文件',
};

const SCHEDULE_LABELS: Record<string, string> = {
  '* * * * *': '每分钟',
  '5 0 * * *': '每天 00:05',
  '0 8 * * *': '每天 08:00',
  '17 * * * *': '每小时第 17 分',
};


const IMPORT_STATUS: Record<ImportRow['status'], Html> = {
  queued: tag('排队中', 'gray'),
  running: tag('导入中', 'blue'),
  succeeded: tag('已完成', 'green'),
  failed: tag('失败', 'red'),
};

function outcome(j: JobRow, now: string): Html {
  if (!j.lastStartedAt) return tag('尚未运行', 'gray');
  if (j.leaseUntil && j.leaseUntil > now && (!j.lastFinishedAt || j.lastFinishedAt < j.lastStartedAt)) return tag('运行中', 'blue');
  if (!j.lastFinishedAt || j.lastFinishedAt < j.lastStartedAt) return tag('未正常结束', 'orange');
  return j.lastError ? tag('失败', 'red') : tag('成功', 'green');
}

export function jobsPage(d: { jobs: JobRow[]; imports: ImportRow[]; now: string }): Html {
  return html`<h1>定时任务和导入作业</h1>
<p class="muted">定时任务按北京时间运行，多台服务器共用数据库时每个时点只运行一次；错过的时点在服务恢复后补运行一次。</p>
<h2>定时任务</h2>
${table(
  ['任务', '运行时间', '最近时点', '最近开始', '最近结束', '结果', '下次运行'],
  d.jobs.map(
    (j) => html`<tr data-job="${j.name}">
<td>${JOB_LABELS[j.name] ?? j.name}<div class="muted mono">${j.name}</div></td>
<td>${SCHEDULE_LABELS[j.schedule] ?? ''}<div class="muted mono">${j.schedule}</div></td>
<td>${when(j.lastSlot)}</td>
<td>${when(j.lastStartedAt)}</td>
<td>${when(j.lastFinishedAt)}</td>
<td>${outcome(j, d.now)}${j.lastError ? html`<div class="muted mono">${j.lastError}</div>` : ''}</td>
<td>${when(j.nextSlot)}</td>
</tr>`,
  ),
  { testid: 'jobs-table', empty: '没有定时任务。' },
)}
<h2>最近的导入作业（所有人）</h2>
${table(
  ['文件', '类型', '状态', '读取', '新增', '更新', '拒绝', '上传时间', '结束时间'],
  d.imports.map(
    (i) => html`<tr>
<td><a href="/console/imports/${i.id}">${i.fileName}</a></td>
<td>${IMPORT_KIND_LABELS[i.kind as keyof typeof IMPORT_KIND_LABELS] ?? i.kind}</td>
<td>${IMPORT_STATUS[i.status] ?? tag(i.status)}</td>
<td class="num">${i.rowsRead}</td>
<td class="num">${i.inserted}</td>
<td class="num">${i.updated}</td>
<td class="num">${i.rejected}</td>
<td>${when(i.createdAt)}</td>
<td>${when(i.finishedAt)}</td>
</tr>`,
  ),
  { testid: 'import-jobs-table', empty: '还没有导入作业。' },
)}`;
}
