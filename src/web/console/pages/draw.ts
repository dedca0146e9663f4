/** The draw page of a task (commit, randomness, draw, result, void) and the results/publication page. */
import { stratumLabel, type Stratum } from '../../../domain/draw/params.ts';
import crypto from 'node:crypto';
import { escapeHtml, html, type Html } from '../../html.ts';
import { period, when } from '../../format.ts';
import { confirmBox, csrfField, table, tag } from '../components.ts';

export interface DrawPageData {
  task: { id: string; name: string; status: string; statusLabel: string; randomnessSource: string; window: { start: string; end: string }; drawId: string | null };
  draw: {
    id: string;
    status: string;
    commitment: string;
    committedAt: string;
    committedBy: string;
    randomnessSource: string;
    randomness: { typed: string; normalized: string; workingSeed: string; enteredAt: string; enteredBy: string } | null;
    drawnAt: string | null;
    resultDigest: string | null;
    strata: { stratum: string; eligible?: number; target?: string; selected?: number }[] | null;
    stratifyBy?: 'credit' | 'sector';
  } | null;
  voided: { id: string; commitment: string; committedAt: string; voidReason: string | null }[];
  list: { rank: number; uscc: string; name: string; street: string | null; address: string | null; team: { name: string; departmentName: string; certificateNo: string }[] }[] | null;
  canWrite: boolean;
  csrf: string;
}

export function drawPage(d: DrawPageData): Html {
  const t = d.task;
  const dr = d.draw;
  const steps: Html[] = [];
  if (t.status === 'approved') {
    steps.push(html`<section class="card" data-testid="commit-step"><h2>第一步：承诺</h2>
<p>承诺会冻结任务参数和名录数据并计算承诺值。承诺值须在公开随机数产生<strong>之前</strong>公布；之后任何人都能用承诺值和随机数复核抽取结果。</p>
<p>事先指定的随机数来源：<strong>${t.randomnessSource}</strong></p>
${d.canWrite ? html`<form class="stack" method="post" action="/console/tasks/${t.id}/commit">${csrfField(d.csrf)}${confirmBox('我已核对任务参数，确认承诺（承诺后任务不能再修改）')}<div class="actions"><button type="submit" data-testid="commit">承诺并公布承诺值</button></div></form>` : ''}
</section>`);
  }
  if (dr) {
    steps.push(html`<section class="card" data-testid="commitment"><h2>承诺</h2>
<dl class="kv"><dt>承诺值</dt><dd class="mono" data-testid="commitment-value">${dr.commitment}</dd><dt>承诺时间</dt><dd>${when(dr.committedAt)}（北京时间）</dd><dt>承诺人</dt><dd>${dr.committedBy}</dd><dt>随机数来源</dt><dd>${dr.randomnessSource}</dd><dt>抽取编号</dt><dd class="mono">${dr.id}</dd></dl>
</section>`);
    if (dr.status === 'committed' && d.canWrite) {
      steps.push(html`<section class="card" data-testid="seed-step"><h2>第二步：录入公开随机数</h2>
<p>待“${dr.randomnessSource}”产生后，照公布的原样录入（只能录入一次，录入后不可更改）。</p>
<form class="stack" method="post" action="/console/tasks/${t.id}/seed">${csrfField(d.csrf)}
<div class="row"><label for="randomness">公开随机数</label><input id="randomness" name="randomness" type="text" required maxlength="1000" autocomplete="off"></div>
${confirmBox('我已核对随机数与公布的一致')}
<div class="actions"><button type="submit" data-testid="seed">录入随机数</button></div></form></section>`);
    }
    if (dr.randomness) {
      steps.push(html`<section class="card" data-testid="randomness"><h2>公开随机数</h2><dl class="kv"><dt>录入的随机数</dt><dd class="mono">${dr.randomness.typed}</dd><dt>规范化后</dt><dd class="mono">${dr.randomness.normalized}</dd><dt>工作种子</dt><dd class="mono">${dr.randomness.workingSeed}</dd><dt>录入时间</dt><dd>${when(dr.randomness.enteredAt)} · ${dr.randomness.enteredBy}</dd></dl></section>`);
    }
    if (dr.status === 'seeded' && t.status === 'committed' && d.canWrite) {
      steps.push(html`<section class="card" data-testid="run-step"><h2>第三步：执行抽取</h2><p>抽取结果完全由承诺的数据和随机数决定，执行后生成抽查名单和检查组。</p>
<form method="post" action="/console/tasks/${t.id}/draw">${csrfField(d.csrf)}<div class="actions"><button type="submit" data-testid="run-draw">执行抽取</button></div></form></section>`);
    }
    if (dr.status === 'drawn') {
      steps.push(html`<section data-testid="draw-result"><h2>抽取结果</h2>
<p>抽取时间 ${when(dr.drawnAt)}（北京时间）；结果摘要 <span class="mono">${dr.resultDigest ?? ''}</span>。公众可在<a href="/tasks/${t.id}" target="_blank" rel="noopener">公示网站的任务页</a>下载抽取包自行验证。</p>
${dr.strata ? table(['等级', '可抽', '抽中'], dr.strata.map((s) => html`<tr><td>${stratumLabel(s.stratum as Stratum, dr.stratifyBy)}</td><td class="num">${s.eligible ?? ''}</td><td class="num">${s.selected ?? ''}</td></tr>`)) : ''}
<div class="actions">
<a class="button" href="/console/tasks/${t.id}/export/drawn.xlsx" data-testid="export-drawn" download>导出抽查名单（XLSX）</a>
<a class="button" href="/console/tasks/${t.id}/export/teams.xlsx" data-testid="export-teams" download>导出检查组名单（XLSX）</a>
${d.canWrite ? html`<a class="button secondary" href="/console/tasks/${t.id}/notices" data-testid="print-notices" target="_blank" rel="noopener">打印全部检查通知书</a>` : ''}
<a class="button secondary" href="/api/v1/draws/${dr.id}/bundle" download>下载公开抽取包（JSON）</a>
</div>
${table(
  ['序号', '主体名称', '统一社会信用代码', '地址', '检查组'],
  (d.list ?? []).map(
    (e) => html`<tr><td class="num">${e.rank}</td><td><a href="/console/objects/${e.uscc}">${e.name}</a></td><td class="mono">${e.uscc}</td><td>${[e.street, e.address].filter(Boolean).join(' ')}</td><td>${e.team.map((m) => html`<div>${m.name}（${m.departmentName}）</div>`)}</td></tr>`,
  ),
  { testid: 'drawn-list', empty: '没有抽中任何主体。' },
)}
</section>`);
    }
    if ((dr.status === 'committed' || dr.status === 'seeded' || dr.status === 'drawn') && ['committed', 'drawn'].includes(t.status) && d.canWrite) {
      steps.push(html`<details class="card"><summary>作废本次抽取</summary>
<p class="warn">作废不会删除任何记录：本次承诺、随机数和结果连同作废理由都会保留并公示。作废后任务回到“已审批”，可以重新承诺。</p>
<form class="stack" method="post" action="/console/tasks/${t.id}/void">${csrfField(d.csrf)}
<div class="row"><label for="void-reason">作废理由（至少 4 个字，将公示）</label><textarea id="void-reason" name="reason" required minlength="4" maxlength="1000"></textarea></div>
${confirmBox('我确认作废本次抽取')}
<div class="actions"><button type="submit" class="danger" data-testid="void">作废抽取</button></div></form></details>`);
    }
  }
  return html`<h1>${t.name}：抽取</h1>
<p>状态：<span data-testid="task-status">${t.statusLabel}</span> · 检查时间 ${period(t.window)}</p>
${steps}
${d.voided.length ? html`<h2>已作废的抽取</h2>${table(['承诺时间', '承诺值', '作废理由'], d.voided.map((v) => html`<tr><td>${when(v.committedAt)}</td><td class="mono">${v.commitment}</td><td>${v.voidReason ?? ''}</td></tr>`))}` : ''}`;
}

const STATE_LABELS: Record<string, [string, 'gray' | 'blue' | 'orange' | 'green' | 'red']> = {
  'pending-notice': ['待送达通知书', 'gray'],
  notified: ['已通知，待录入', 'blue'],
  entered: ['待审核', 'orange'],
  returned: ['已退回', 'red'],
  approved: ['已审核，待公示', 'blue'],
  published: ['已公示', 'green'],
};

export function resultStateTag(state: string): Html {
  const [label, tone] = STATE_LABELS[state] ?? [state, 'gray'];
  return tag(label, tone);
}

export interface ResultsRow {
  id: string;
  uscc: string;
  entityName: string;
  state: string;
  inspectedOn?: string | null;
  team: string[];
}

export function resultsPage(d: { rows: ResultsRow[]; taskId: string; state: string; tasks: { id: string; name: string }[]; canPublish: boolean; csrf: string; pager: Html }): Html {
  return html`<h1>检查结果与公示</h1>
<form class="filters" method="get" action="/console/results">
<div class="row"><label for="f-task">任务</label><select id="f-task" name="task"><option value="">全部任务</option>${d.tasks.map((t) => html`<option value="${t.id}"${t.id === d.taskId ? html` selected` : ''}>${t.name}</option>`)}</select></div>
<div class="row"><label for="f-state">状态</label><select id="f-state" name="state"><option value="">全部</option>${Object.entries(STATE_LABELS).map(([k, [l]]) => html`<option value="${k}"${k === d.state ? html` selected` : ''}>${l}</option>`)}</select></div>
<button type="submit">筛选</button></form>
<p class="muted">审核通过的结果由监管人员公示；公示后在公示网站的任务页和主体页可见（自结果产生之日起 20 个工作日内公示）。</p>
${table(
  ['主体', '检查组', '状态', '操作'],
  d.rows.map(
    (r) => html`<tr data-testid="result-row"><td>${r.entityName}<div class="muted mono">${r.uscc}</div></td><td>${r.team.join('、')}</td><td>${resultStateTag(r.state)}</td><td>${
      d.canPublish && r.state === 'approved'
        ? html`<form method="post" action="/console/results/${r.id}/publish">${csrfField(d.csrf)}<input type="hidden" name="task" value="${d.taskId}"><button type="submit" data-testid="publish-result">公示</button></form>`
        : ''
    }</td></tr>`,
  ),
  { testid: 'results-table', empty: '没有符合条件的检查。' },
)}
${d.pager}`;
}

/**
 * All notices of a task in one printable document: each stored notice's body on its own page,
 * under the notices' own style sheet (the same for all). Returns the page and its style sheet's
 * SHA-256 (base64), which the Content-Security-Policy allows by hash, as every other page.
 */
export function noticesDocument(title: string, notices: { html: string }[]): { html: string; styleHash: string } {
  const style = `${/<style>([\s\S]*?)<\/style>/.exec(notices[0]?.html ?? '')?.[1] ?? ''}
.notice-page{break-after:page;page-break-after:always}
.notice-page:last-child{break-after:auto;page-break-after:auto}
@media screen{.notice-page{border-bottom:2px dashed #999;padding-bottom:2em;margin-bottom:2em}}
`;
  const bodies = notices.map((n) => /<body[^>]*>([\s\S]*)<\/body>/.exec(n.html)?.[1] ?? '');
  const html = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style></head><body>
${bodies.map((b) => `<section class="notice-page">${b}</section>`).join('\n')}
</body></html>`;
  return { html, styleHash: crypto.createHash('sha256').update(style).digest('base64') };
}
