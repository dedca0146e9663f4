/**
 * The inspector's pages (phone first): my assignments grouped by when they are due, one
 * assignment with its notice, result (each finding's exemption-list outcome and each measure's
 * no-coercion outcome, in plain Chinese) and attachments, and the printable notice.
 */
import crypto from 'node:crypto';
import type { AssignmentDetail, AssignmentSummary } from '../../../services/results/views.ts';
import { html, type Html } from '../../html.ts';
import { period, when } from '../../format.ts';
import { tag, type Tone } from '../components.ts';

/** 2.4 MB, 812 KB, 95 字节 */
function size(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} 字节`;
}

const STATE_TONES: Record<string, Tone> = {
  'pending-notice': 'orange',
  notified: 'blue',
  entered: 'green',
  returned: 'red',
  approved: 'green',
  published: 'green',
};
export const stateTag = (status: string, label: string) => tag(label, STATE_TONES[status] ?? 'gray');

const DONE = new Set(['entered', 'approved', 'published']);

export type AssignmentGroup = 'current' | 'upcoming' | 'overdue' | 'done';
export const GROUP_LABELS: Record<AssignmentGroup, string> = { current: '本期', upcoming: '即将开始', overdue: '已逾期', done: '已完成' };
const GROUP_HINTS: Record<AssignmentGroup, string> = {
  current: '检查时间包含今天，尚未提交结果。',
  upcoming: '检查时间尚未开始。可以先出具检查通知书。',
  overdue: '检查时间已过，结果尚未提交（或被退回待修改）。',
  done: '结果已提交：待审核、已审核或已公示。',
};

/** Which group an assignment is in on `today` (YYYY-MM-DD, Beijing time). */
export function groupOf(a: Pick<AssignmentSummary, 'status' | 'window'>, today: string): AssignmentGroup {
  if (DONE.has(a.status)) return 'done';
  if (a.window.end < today) return 'overdue';
  if (a.window.start > today) return 'upcoming';
  return 'current';
}

function tile(a: AssignmentSummary): Html {
  const address = [a.entity.street ? `${a.entity.street}街道` : null, a.entity.address].filter(Boolean).join(' ');
  return html`<div role="listitem"><a class="tile" href="/console/assignments/${a.id}" data-testid="assignment-link">
<div class="t">${a.entity.name || a.entity.uscc}</div>
<div class="muted">${address || '（无登记地址）'}</div>
<div>检查时间：${period(a.window)}</div>
<div>检查组：${a.team.map((t) => t.name || t.certificateNo).join('、')}</div>
<div>事项：${a.matters.map((m) => m.name).join('、')}</div>
<div>${stateTag(a.status, a.statusLabel)}</div>
</a></div>`;
}

export function assignmentListPage(d: { items: AssignmentSummary[]; today: string; officer: string | null; total: number }): Html {
  const groups: AssignmentGroup[] = ['current', 'overdue', 'upcoming', 'done'];
  const by = new Map(groups.map((g) => [g, d.items.filter((a) => groupOf(a, d.today) === g)]));
  return html`<h1>我的检查任务</h1>
<p class="muted">今天是 ${d.today}（北京时间）。${d.officer ? `执法证号 ${d.officer} 所在检查组的检查，共 ${d.total} 项。` : '当前账号没有关联执法证号，请联系管理员。'}</p>
<div data-testid="assignment-list">
${groups.map((g) => {
  const list = by.get(g)!;
  return html`<section aria-labelledby="g-${g}" data-group="${g}">
<h2 id="g-${g}">${GROUP_LABELS[g]} <span class="tag ${g === 'overdue' && list.length ? 'red' : 'gray'}">${list.length}</span></h2>
<p class="muted">${GROUP_HINTS[g]}</p>
${list.length ? html`<div role="list" aria-label="${GROUP_LABELS[g]}">${list.map(tile)}</div>` : html`<p class="card muted">暂无。</p>`}
</section>`;
})}
</div>`;
}

const HARM_LABELS: Record<string, string> = { none: '没有造成危害后果', minor: '危害后果轻微', 'not-minor': '危害后果不属于轻微' };
const CORRECTION_LABELS: Record<string, string> = {
  'before-discovery': '发现前主动改正',
  'before-decision': '作出决定前改正',
  'within-deadline': '责令期限内改正',
  late: '逾期改正',
  none: '未改正',
};
export { HARM_LABELS, CORRECTION_LABELS };

type Finding = NonNullable<AssignmentDetail['result']>['findings'][number];
type Measure = NonNullable<AssignmentDetail['result']>['measures'][number];

/** One finding as the team and the reviewer read it, with the exemption list's answer explained. */
function findingCard(f: Finding, matterName: string, typeName: (code: string) => string): Html {
  const ex = f.exemption;
  return html`<div class="card" data-testid="finding-outcome" data-matter="${f.matter}">
<h3>${matterName} <span class="muted mono">${f.matter}</span> ${f.compliant ? tag('合规', 'green') : tag('不合规', 'red')}</h3>
${f.compliant
  ? ''
  : html`<dl class="kv">
<dt>违法行为类型</dt><dd>${f.violationType ? html`${typeName(f.violationType)} <span class="muted mono">${f.violationType}</span>` : '—'}</dd>
${f.violatedProvision ? html`<dt>违反的条款</dt><dd>${f.violatedProvision}</dd>` : ''}
<dt>危害后果</dt><dd>${f.harm ? HARM_LABELS[f.harm] : '—'}</dd>
<dt>改正情况</dt><dd>${f.correction ? CORRECTION_LABELS[f.correction] : '—'}</dd>
${f.occurredOn ? html`<dt>发生日期</dt><dd>${f.occurredOn}</dd>` : ''}
</dl>
${ex
  ? ex.exempt && ex.proposal
    ? html`<div class="hint"><strong>免罚清单：拟不予处罚</strong>（${ex.proposal.kind === 'first-violation' ? '首违不罚' : '轻微不罚'}）。
依《${ex.proposal.listTitle}》（${ex.proposal.listVersion}）第 ${ex.proposal.itemNumber} 项“${ex.proposal.violation}”；法律依据：${ex.proposal.basis}。
仍须责令改正（不罚≠不管）。${ex.proposal.toVerify.length ? html`<br>须由检查人员核实：${ex.proposal.toVerify.join('；')}` : ''}</div>`
    : html`<div class="warn"><strong>免罚清单：不适用</strong>，应依法处理并责令改正。
<ul>${ex.failed.map((c) => html`<li>${c.itemNumber ? `${c.listVersion} 第 ${c.itemNumber} 项：` : ''}${c.message}</li>`)}</ul>
${ex.priorViolations.length ? html`<span class="muted">同类违法记录：${ex.priorViolations.map((p) => p.occurredOn).join('、')}</span>` : ''}</div>`
  : ''}`}
${f.note ? html`<p class="muted">说明：${f.note}</p>` : ''}
</div>`;
}

function measureCard(m: Measure): Html {
  const refused = m.state === 'refused' || m.state === 'override-requested';
  const stateLabel: Record<string, string> = { allowed: '可依法实施', refused: '依清单不予实施', 'override-requested': '已申请不适用清单，待批准', overridden: '经批准实施' };
  const ev = m.evaluation as { message?: string } | null;
  return html`<div class="card" data-testid="measure-outcome">
<h3>第 ${m.n} 项：${m.measureName} ${tag(stateLabel[m.state] ?? m.state, refused ? 'orange' : 'gray')}</h3>
<p>${String((m as Record<string, unknown>).object ?? '')}</p>
${ev?.message ? html`<p class="${refused ? 'hint' : 'muted'}">不予实施行政强制措施清单：${ev.message}</p>` : ''}
${m.basis ? html`<p class="muted">依据：${m.basis}（${m.listVersion ?? ''} 第 ${m.itemNumber ?? ''} 项）</p>` : ''}
</div>`;
}

export function attachmentList(d: Pick<AssignmentDetail, 'id' | 'attachments'>): Html {
  if (!d.attachments.length) return html`<p class="muted" data-testid="attachment-list">暂无附件。</p>`;
  return html`<ul data-testid="attachment-list">${d.attachments.map(
    (a) => html`<li><a href="/console/assignments/${d.id}/attachments/${a.id}">${a.fileName}</a>
<span class="muted">（${a.mediaType === 'application/pdf' ? 'PDF' : a.mediaType === 'image/png' ? 'PNG' : 'JPEG'}，${size(a.bytes)}，${a.uploadedBy} 上传于 ${when(a.uploadedAt)}）</span>
<div class="muted mono">SHA-256：${a.sha256}</div></li>`,
  )}</ul>`;
}

/**
 * What staff and the team do after a result is in: an inspector asks to apply a measure the
 * no-coercion list refused (with a reason), a second person outside the team approves it; a
 * regulator publishes an approved result and, for results 6 or C, records the abnormal listing.
 * The services decide who may; the forms are shown to those whose role can.
 */
function followUpSection(d: DetailPageData): Html | string {
  const r = d.a.result;
  if (!r) return '';
  const csrf = html`<input type="hidden" name="_csrf" value="${d.csrf}">`;
  const parts: Html[] = [];
  for (const m of r.measures) {
    if (d.member && m.state === 'refused') {
      parts.push(html`<form method="post" action="/console/assignments/${d.a.id}/measures/${m.n}/override" class="stack card big" data-testid="override-request">${csrf}
<div class="row"><label for="override-${m.n}">第 ${m.n} 项（${m.measureName}）确须实施的理由（须另一名监管或审核人员批准）</label><textarea id="override-${m.n}" name="reason" required minlength="4" maxlength="2000"></textarea></div>
<div class="actions"><button type="submit" class="secondary">申请实施</button></div></form>`);
    }
    if (d.staff && m.state === 'override-requested') {
      parts.push(html`<form method="post" action="/console/assignments/${d.a.id}/measures/${m.n}/approve-override" class="stack card" data-testid="override-approve">${csrf}
<p>检查组申请实施第 ${m.n} 项（${m.measureName}）：${m.override?.reason ?? ''}（${m.override?.requestedBy ?? ''}）</p>
<div class="row"><label for="override-comment-${m.n}">批准意见</label><textarea id="override-comment-${m.n}" name="comment" maxlength="2000"></textarea></div>
<div class="actions"><button type="submit">批准实施</button></div></form>`);
    }
  }
  if (d.publisher && r.status === 'approved') {
    parts.push(html`<form method="post" action="/console/assignments/${d.a.id}/publish" class="actions" data-testid="publish-form">${csrf}<button type="submit" data-testid="publish-result">公示检查结果</button></form>`);
  }
  if (d.publisher && r.abnormalFollowUp && (r.status === 'approved' || r.status === 'published')) {
    parts.push(html`<form method="post" action="/console/assignments/${d.a.id}/abnormal-listing" class="stack card" data-testid="abnormal-listing-form">${csrf}
<p>结果含 6 或 C：审核通过后 10 个工作日内列入经营异常名录。</p>
<div class="row"><label for="listedOn">列入日期</label><input id="listedOn" name="listedOn" type="date"></div>
<div class="row"><label for="listReason">列入原因（可不填，按结果代码生成）</label><input id="listReason" name="reason" type="text" maxlength="500"></div>
<div class="actions"><button type="submit">列入经营异常名录</button></div></form>`);
  }
  return parts.length ? html`<h2>后续处置</h2>${parts}` : '';
}

export interface DetailPageData {
  /** Staff outside the team (regulator, reviewer, admin): may approve an override. */
  staff?: boolean;
  /** Regulators and administrators: publish results and record abnormal listings. */
  publisher?: boolean;
  a: AssignmentDetail;
  csrf: string;
  /** The signed-in inspector is on the team (may print, enter, attach). */
  member: boolean;
  /** The result can still be entered or edited by the team. */
  editable: boolean;
  typeName: (code: string) => string;
  maxAttachments: number;
}

export function assignmentDetailPage(d: DetailPageData): Html {
  const { a } = d;
  const address = [a.entity.street ? `${a.entity.street}街道` : null, a.entity.address].filter(Boolean).join(' ');
  const r = a.result;
  const matterName = (code: string) => a.matters.find((m) => m.code === code)?.name ?? code;
  return html`<h1>${a.entity.name || a.entity.uscc}</h1>
<p>${stateTag(a.status, a.statusLabel)}</p>
${r?.status === 'returned'
  ? html`<div class="error" role="alert" data-testid="review-comment"><strong>审核退回</strong>（${r.reviewedBy ?? ''}，${when(r.reviewedAt)}）：${r.reviewComment ?? '（未写意见）'}
<br>请按审核意见修改后重新提交。${d.member ? html` <a href="/console/assignments/${a.id}/result">修改检查结果</a>` : ''}</div>`
  : r?.reviewComment
    ? html`<div class="hint" data-testid="review-comment">审核意见（${r.reviewedBy ?? ''}）：${r.reviewComment}</div>`
    : ''}
<div class="card"><dl class="kv">
<dt>统一社会信用代码</dt><dd class="mono">${a.entity.uscc}</dd>
<dt>地址</dt><dd>${address || '（无登记地址）'}</dd>
<dt>检查时间</dt><dd>${period(a.window)}</dd>
<dt>检查事项</dt><dd>${a.matters.map((m) => html`<div>${m.name} <span class="muted mono">${m.code}</span></div>`)}</dd>
<dt>检查组</dt><dd>${a.team.map((t) => html`<div>${t.name || '（未登记姓名）'} <span class="muted">${t.departmentName ?? ''} · 执法证号 <span class="mono">${t.certificateNo}</span></span></div>`)}</dd>
<dt>参加部门</dt><dd>${a.departments.map((x) => x.name).join('、')}</dd>
<dt>所属任务</dt><dd>${a.tasks.map((t) => t.name).join('、')}</dd>
</dl></div>

<h2>检查通知书</h2>
${a.notice
  ? html`<p>已出具：<span class="mono">${a.notice.number}</span>（${a.notice.issuedBy}，${when(a.notice.issuedAt)}）</p>
${d.member ? html`<p class="big"><a class="button" href="/console/assignments/${a.id}/notice" data-testid="notice-print">查看并打印通知书</a></p>` : ''}`
  : d.member
    ? html`<p class="muted">尚未出具。出具后本次检查即固定（检查组和事项不再变动），通知书编号按部门年度顺序编排；再次打印内容不变。</p>
<form method="post" action="/console/assignments/${a.id}/notice" class="big">
<input type="hidden" name="_csrf" value="${d.csrf}">
<button type="submit" data-testid="notice-issue">出具检查通知书</button>
</form>`
    : html`<p class="muted">尚未出具。</p>`}

<h2>检查结果</h2>
${r
  ? html`<div class="card"><dl class="kv">
<dt>状态</dt><dd>${r.statusLabel}（第 ${r.revision} 版）</dd>
<dt>检查日期</dt><dd>${r.inspectedOn}</dd>
<dt>检查结果</dt><dd>${r.codes.map((c) => html`<div><span class="mono">${c.code}</span> ${c.label}</div>`)}</dd>
<dt>核查方式</dt><dd>${r.method}</dd>
<dt>后续处置</dt><dd>${r.followUp.join('、')}</dd>
${r.note ? html`<dt>备注</dt><dd>${r.note}</dd>` : ''}
<dt>录入</dt><dd>${r.enteredBy}，${when(r.enteredAt)}${r.updatedAt !== r.enteredAt ? `；最后修改 ${r.updatedBy}，${when(r.updatedAt)}` : ''}</dd>
</dl></div>
<h3>各事项检查情况</h3>
${r.findings.length ? r.findings.map((f) => findingCard(f, matterName(f.matter), d.typeName)) : html`<p class="muted">没有记录事项检查情况。</p>`}
${r.measures.length ? html`<h3>拟采取的行政强制措施</h3>${r.measures.map(measureCard)}` : ''}`
  : html`<p class="muted">尚未录入。</p>`}
${d.member && d.editable
  ? a.notice
    ? html`<p class="big"><a class="button" href="/console/assignments/${a.id}/result">${r ? '修改检查结果' : '录入检查结果'}</a></p>`
    : html`<p class="muted">出具检查通知书后才能录入检查结果。</p>`
  : ''}

${followUpSection(d)}
<h2>检查附件</h2>
${attachmentList(a)}
${d.member && d.editable && a.notice && a.attachments.length < d.maxAttachments
  ? html`<form method="post" action="/console/assignments/${a.id}/attachments" enctype="multipart/form-data" class="stack big" data-testid="attachment-form">
<input type="hidden" name="_csrf" value="${d.csrf}">
<div class="row"><label for="attachments-more">添加照片或扫描件</label>
<input id="attachments-more" type="file" name="attachments" multiple accept="image/jpeg,image/png,application/pdf" required>
<span class="muted">JPEG、PNG 或 PDF（按文件内容识别），每个不超过 10 MB，每次检查最多 ${d.maxAttachments} 个（已有 ${a.attachments.length} 个）。</span></div>
<div class="actions"><button type="submit" class="secondary">上传附件</button></div>
</form>`
  : ''}
<p><a href="/console/assignments">返回我的检查任务</a></p>`;
}

/** The toolbar shown above the printed notice in the browser (hidden when printing). */
const TOOLBAR_CSS = `.dr-toolbar{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;font-size:15px;background:#eff6ff;border:1px solid #bfdbfe;padding:.6rem .8rem;margin:0 0 1rem;display:flex;flex-wrap:wrap;gap:.6rem;align-items:center}
.dr-toolbar a,.dr-toolbar button{font:inherit;min-height:2.75rem;padding:.5rem 1rem;border:1px solid #0b3d91;border-radius:4px;background:#0b3d91;color:#fff;text-decoration:none;cursor:pointer;display:inline-flex;align-items:center}
.dr-toolbar a{background:#fff;color:#0b3d91}
.dr-toolbar [hidden]{display:none}
@media print{.dr-toolbar{display:none!important}}`;

const sha = (s: string) => `'sha256-${crypto.createHash('sha256').update(s).digest('base64')}'`;

/**
 * The stored notice page as the browser shows it: the notice exactly as stored, with a toolbar
 * (back, print) that the print style hides. Returns the page and the Content-Security-Policy that
 * admits its style sheets by hash and the print script from this site.
 */
export function noticeDocument(stored: { html: string; number: string }, visitId: string): { body: string; csp: string } {
  const styles = [...stored.html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
  const toolbar = `<style>${TOOLBAR_CSS}</style>
<div class="dr-toolbar" role="region" aria-label="打印">
<a href="/console/assignments/${visitId}">返回检查</a>
<button type="button" id="dr-print" data-testid="notice-print" hidden>打印通知书</button>
<span>用浏览器的“打印”功能打印（手机：分享 → 打印）；本栏不会被打印。</span>
</div>
<script src="/console/assignments/print.js" defer></script>`;
  const body = stored.html.includes('<body>') ? stored.html.replace('<body>', `<body>\n${toolbar}`) : toolbar + stored.html;
  const csp = [
    "default-src 'none'",
    `style-src ${[...styles, TOOLBAR_CSS].map(sha).join(' ')}`,
    "script-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { body, csp };
}

/** The print button's script (served from /console/assignments/print.js: no inline script under the CSP). */
export const PRINT_SCRIPT = `document.addEventListener('DOMContentLoaded',function(){var b=document.getElementById('dr-print');if(!b)return;b.hidden=false;b.addEventListener('click',function(){window.print();});});\n`;

