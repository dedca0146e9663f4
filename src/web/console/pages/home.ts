/** The console's home page: tasks by stage, deadlines approaching and overdue. */
import { TASK_STATUSES, TASK_STATUS_LABELS } from '../../../domain/plans.ts';
import { html } from '../../html.ts';
import { period } from '../../format.ts';
import { table, tag, taskStatusTag } from '../components.ts';
import type { ConsoleUser } from '../layout.ts';

export interface HomeTask {
  id: string;
  name: string;
  status: string;
  statusLabel: string;
  window: { start: string; end: string };
  planTitle: string;
}

export interface HomeDeadline {
  kind: string;
  subject: string;
  taskId: string | null;
  uscc: string | null;
  dueOn: string;
  state: string;
}

const KIND_LABELS: Record<string, string> = { publication: '结果公示（20 个工作日）', 'abnormal-follow-up': '列入经营异常名录' };

export function homePage(d: { who: ConsoleUser; tasks: HomeTask[]; deadlines: HomeDeadline[]; imports: { id: string; label: string; status: string; rowsRead: number }[]; today: string }) {
  const byStatus = TASK_STATUSES.map((s) => ({ s, n: d.tasks.filter((t) => t.status === s).length }));
  const open = d.tasks.filter((t) => t.status !== 'published');
  const ROLE_HINT: Record<string, string> = {
    regulator: `本部门（${d.who.department ?? ''}）参与的抽查任务、临近和逾期的期限。`,
    reviewer: '待审核的检查结果在“待审核结果”中。',
    admin: '系统管理：账号、审计记录、定时任务和导入作业。',
  };
  return html`<h1>工作台</h1>
<p class="muted">今天是 ${d.today}（北京时间）。${ROLE_HINT[d.who.role] ?? ''}</p>
${d.who.role === 'reviewer' || d.who.role === 'admin' ? html`<p><a class="button" href="/console/review">查看待审核结果</a></p>` : ''}
<h2>任务进度</h2>
<div class="grid" data-testid="task-stages">${byStatus.map((b) => html`<div class="stat"><div class="muted">${TASK_STATUS_LABELS[b.s as keyof typeof TASK_STATUS_LABELS]}</div><div class="n">${b.n}</div></div>`)}</div>
<h2>临近和逾期的期限</h2>
${table(
  ['事项', '对象', '期限', '状态'],
  d.deadlines.map(
    (x) => html`<tr><td>${KIND_LABELS[x.kind] ?? x.kind}</td><td>${x.taskId ? html`<a href="/console/tasks/${x.taskId}">${x.subject}</a>` : x.uscc ? html`<a href="/console/objects/${x.uscc}">${x.uscc}</a>` : x.subject}</td><td>${x.dueOn}</td><td>${x.state === 'overdue' ? tag('已逾期', 'red') : tag('临近', 'orange')}</td></tr>`,
  ),
  { testid: 'deadlines', empty: '没有临近或逾期的期限。' },
)}
${d.imports.length ? html`<h2>正在进行的导入</h2>${table(['文件', '状态', '已读行数'], d.imports.map((j) => html`<tr><td><a href="/console/imports/${j.id}">${j.label}</a></td><td>${j.status === 'queued' ? tag('排队中', 'gray') : tag('导入中', 'blue')}</td><td class="num">${j.rowsRead}</td></tr>`), { testid: 'running-imports' })}` : ''}
<h2>进行中的任务</h2>
${table(
  ['任务', '计划', '检查时间', '状态'],
  open.map((t) => html`<tr><td><a href="/console/tasks/${t.id}">${t.name}</a></td><td>${t.planTitle}</td><td>${period(t.window)}</td><td>${taskStatusTag(t.status, t.statusLabel)}</td></tr>`),
  { testid: 'open-tasks', empty: '暂无进行中的任务。可在“年度计划与任务”中新建计划和任务。' },
)}`;
}
