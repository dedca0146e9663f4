/**
 * Console pages of registry imports: the upload form with the account's recent jobs, and one job
 * with its progress (refreshed without JavaScript by a <noscript> meta refresh, and with htmx by
 * polling only the progress block), its result in plain Chinese, the row-numbered problems and
 * the downloads of the full problem report and the rejected rows.
 */
import { COLUMNS, IMPORT_KIND_LABELS, type ImportKind } from '../../../domain/columns.ts';
import type { ImportJob, ImportJobSummary } from '../../../services/imports/importJobs.ts';
import { html, raw, type Html } from '../../html.ts';
import { when } from '../../format.ts';
import { table, tag, type Tone } from '../components.ts';

/** Problems shown on the page; the rest are in the downloadable report. */
export const PROBLEMS_INLINE = 50;

const STATUS: Record<string, { label: string; tone: Tone }> = {
  queued: { label: '排队中', tone: 'gray' },
  running: { label: '导入中', tone: 'blue' },
  succeeded: { label: '已完成', tone: 'green' },
  failed: { label: '未导入', tone: 'red' },
};

export function importStatusTag(status: string): Html {
  const s = STATUS[status] ?? { label: status, tone: 'gray' as Tone };
  return tag(s.label, s.tone);
}

/** The steps a running import goes through, for the progress bar. */
const STEPS = ['queued', 'reading', 'checking', 'writing'] as const;
const STEP_LABELS: Record<string, string> = {
  queued: '排队等待',
  reading: '读取文件',
  checking: '逐行检查',
  writing: '写入名录',
  done: '已完成',
  rejected: '发现问题，未写入',
};

export const finished = (status: string) => status === 'succeeded' || status === 'failed';

export function importsPage(d: { kinds: ImportKind[]; jobs: ImportJobSummary[]; csrf: string; maxSize: string }): Html {
  return html`<h1>导入名录</h1>
<p class="muted">上传 CSV（UTF-8 或 Excel 另存的 GB18030/GBK）或 XLSX 文件；表头可用中文或英文，XLSX 可在表头上方有标题行。按统一社会信用代码、执法证号等重复导入时更新已有记录，空单元格不改动已有的值。每一行都按你的角色和部门范围检查，与逐条修改相同。</p>
<form class="stack card" method="post" action="/console/imports" enctype="multipart/form-data" data-testid="import-form">
<input type="hidden" name="_csrf" value="${d.csrf}">
<div class="row"><label for="import-kind">导入内容</label><select id="import-kind" name="kind" required data-testid="import-kind">${d.kinds.map((k) => html`<option value="${k}">${IMPORT_KIND_LABELS[k]}</option>`)}</select></div>
<div class="row"><label for="import-file">文件（.csv 或 .xlsx，最大 ${d.maxSize}）</label><input id="import-file" name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required></div>
<div class="choices"><label for="import-skip"><input id="import-skip" type="checkbox" name="skipInvalid" value="true"> 跳过无效行：只导入检查通过的行，被拒绝的行可下载修改后再导入</label></div>
<p class="muted">不勾选时为严格模式：只要有一行有误，就不写入任何数据，并逐行列出问题。</p>
<div class="actions"><button type="submit">上传并导入</button></div>
</form>
<details class="card"><summary>各类文件的表头（带 * 的为必填列）</summary>
${d.kinds.map((k) => html`<h3>${IMPORT_KIND_LABELS[k]}</h3><p class="mono">${COLUMNS[k].map((c) => `${c.headers[0]}${c.required ? '*' : ''}`).join('，')}</p>`)}
</details>
<h2>我的导入任务</h2>
${table(
  ['上传时间', '导入内容', '文件', '状态', '读取', '新增', '更新', '拒绝'],
  d.jobs.map(
    (j) => html`<tr><td><a href="/console/imports/${j.id}">${when(j.createdAt)}</a></td><td>${IMPORT_KIND_LABELS[j.kind] ?? j.kind}</td><td>${j.fileName}</td><td>${importStatusTag(j.status)}</td><td class="num">${j.rowsRead}</td><td class="num">${j.inserted}</td><td class="num">${j.updated}</td><td class="num">${j.rejected}</td></tr>`,
  ),
  { testid: 'import-jobs', empty: '还没有导入任务。' },
)}`;
}

/** The progress block: polled by htmx every second while the job runs, and replaced by the finished state. */
export function progressBlock(job: ImportJob): Html {
  const url = `/console/imports/${job.id}/progress`;
  const done = finished(job.status);
  const step = job.status === 'queued' ? 0 : Math.max(0, STEPS.indexOf((job.phase ?? 'reading') as (typeof STEPS)[number]));
  const phase = job.status === 'queued' ? 'queued' : job.phase && STEP_LABELS[job.phase] ? job.phase : job.status === 'running' ? 'reading' : '';
  const bar = done
    ? html`<progress max="1" value="1" aria-label="导入进度">已结束</progress>`
    : html`<progress max="${STEPS.length}" value="${step}" aria-label="导入进度">第 ${step + 1} 步，共 ${STEPS.length} 步</progress>`;
  const poll = done ? raw('') : raw(` hx-get="${url}" hx-trigger="every 1s" hx-swap="outerHTML"`);
  return html`<section id="import-progress" class="card" data-testid="import-progress" aria-live="polite"${poll}>
<p><span data-testid="import-status">${importStatusTag(job.status)}</span> ${phase ? html`<span class="muted" data-testid="import-phase">${done ? '' : '当前步骤：'}${STEP_LABELS[phase] ?? ''}</span>` : ''}</p>
${bar}
<div class="grid" data-testid="import-counts">
<div class="stat"><div class="muted">已读取</div><div class="n" data-testid="rows-read">${job.rowsRead}</div></div>
<div class="stat"><div class="muted">新增</div><div class="n" data-testid="rows-inserted">${job.inserted}</div></div>
<div class="stat"><div class="muted">更新</div><div class="n" data-testid="rows-updated">${job.updated}</div></div>
<div class="stat"><div class="muted">拒绝</div><div class="n" data-testid="rows-rejected">${job.rejected}</div></div>
</div>
${done ? html`<p><a href="/console/imports/${job.id}">查看导入结果</a></p>` : html`<p class="muted">页面会自动刷新，导入在后台进行，可以离开本页稍后再回来查看。</p>`}
</section>`;
}

/** The job's outcome in plain words. */
function resultBox(job: ImportJob): Html {
  const r = job.report;
  if (job.status === 'succeeded' && r) {
    const rejected = r.rejectedRows > 0 ? `另有 ${r.rejectedRows} 行有误，已跳过（可下载拒绝文件，修改后再导入）。` : '';
    return html`<div class="flash" role="status" data-testid="import-result">导入完成：共读取 ${r.rowsRead} 行，新增 ${r.inserted} 条，更新 ${r.updated} 条，${r.unchanged} 条与名录相同未改动。${rejected}</div>`;
  }
  const f = job.failure;
  if (!f) return html``;
  return html`<div class="error" role="alert" data-testid="import-result"><strong>${f.message}</strong> <span class="muted mono">${f.code}</span>${
    f.problems.length ? html`<ul>${f.problems.slice(0, PROBLEMS_INLINE).map((p) => html`<li>${p.path ? html`<span class="mono">${p.path}</span>：` : ''}${p.message} <span class="muted mono">${p.code}</span></li>`)}</ul>` : ''
  }</div>`;
}

export function importJobPage(job: ImportJob): Html {
  const done = finished(job.status);
  const r = job.report;
  const expired = job.filesExpiredAt !== null;
  const downloads: Html[] = [];
  if (r?.reportFile && !expired) downloads.push(html`<a class="button secondary" href="/console/imports/${job.id}/report" data-testid="import-report-link">下载完整问题报告（CSV）</a>`);
  if (r?.rejectsFile && !expired) downloads.push(html`<a class="button secondary" href="/console/imports/${job.id}/rejects" data-testid="import-rejects-link">下载被拒绝的行（CSV，可修改后再导入）</a>`);
  const problems = r?.problems ?? [];
  return html`<h1>导入任务：${job.fileName}</h1>
${done ? '' : raw('<noscript><meta http-equiv="refresh" content="2"></noscript>')}
<div class="card"><dl class="kv">
<dt>导入内容</dt><dd>${IMPORT_KIND_LABELS[job.kind] ?? job.kind}</dd>
<dt>文件</dt><dd>${job.fileName}</dd>
<dt>模式</dt><dd>${job.skipInvalid ? '跳过无效行（只导入检查通过的行）' : '严格（有任何一行有误则不写入）'}</dd>
<dt>上传时间</dt><dd>${when(job.createdAt)}</dd>
<dt>结束时间</dt><dd>${when(job.finishedAt)}</dd>
${r ? html`<dt>表头所在行</dt><dd>第 ${r.headerRow} 行</dd>` : ''}
${r?.ignoredColumns.length ? html`<dt>未识别的列（已忽略）</dt><dd>${r.ignoredColumns.join('、')}</dd>` : ''}
<dt>任务编号</dt><dd class="mono">${job.id}</dd>
</dl></div>
${progressBlock(job)}
${done ? resultBox(job) : ''}
${downloads.length ? html`<div class="actions">${downloads}</div>` : ''}
${expired && (r?.reportFile || r?.rejectsFile) ? html`<p class="warn">问题报告和拒绝文件已按保留期限于 ${when(job.filesExpiredAt)} 删除；如仍需要，请重新上传文件。</p>` : ''}
${done && r && r.problemCount > 0
  ? html`<h2>问题清单</h2>
<p class="muted">共 ${r.problemCount} 处问题${r.problemCount > Math.min(problems.length, PROBLEMS_INLINE) ? `，此处列出前 ${Math.min(problems.length, PROBLEMS_INLINE)} 处，全部问题见问题报告` : ''}。行号为文件中的行号（第 1 行为文件第一行）。</p>
<p>${Object.entries(r.problemCounts).map(([code, n]) => tag(`${code}：${n}`, 'orange'))}</p>
${table(
  ['行号', '列', '问题', '代码'],
  problems.slice(0, PROBLEMS_INLINE).map((p) => html`<tr><td class="num">${p.row}</td><td>${p.column}</td><td>${p.message}</td><td class="mono">${p.code}</td></tr>`),
  { testid: 'import-problems' },
)}`
  : ''}
<p><a href="/console/imports">返回导入名录</a></p>`;
}
