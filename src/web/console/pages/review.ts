/**
 * The reviewer's pages: the queue of results awaiting review (待审核结果) and one result in full
 * with the review form (approve, or return to the team with a comment).
 */
import { CORRECTION_NAMES, HARM_NAMES } from '../../../domain/lists.ts';
import type { AssignmentDetail } from '../../../services/results/views.ts';
import { html, type Html } from '../../html.ts';
import { period, when } from '../../format.ts';
import { pager, table, tag, type Tone } from '../components.ts';

export interface QueueItem {
  id: string;
  entity: { uscc: string; name: string; address: string | null };
  team: { certificateNo: string; name: string }[];
  tasks: { id: string; name: string }[];
  window: { start: string; end: string };
  inspectedOn: string | null;
  enteredBy: string | null;
  enteredAt: string | null;
  revision: number | null;
}

const teamNames = (team: readonly { certificateNo: string; name: string }[]) => team.map((t) => t.name || t.certificateNo).join('、');

export function reviewQueuePage(d: { items: QueueItem[]; total: number; page: number; hasNext: boolean }): Html {
  return html`<h1>待审核结果</h1>
<p class="muted">检查组录入并提交、等待审核的检查结果。审核人员不能审核自己参与检查或录入的结果（由系统检查）。</p>
${table(
  ['被检查主体', '检查组', '抽查任务', '检查日期', '录入', '操作'],
  d.items.map(
    (i) => html`<tr>
<td><strong>${i.entity.name || i.entity.uscc}</strong><div class="muted mono">${i.entity.uscc}</div>${i.entity.address ? html`<div class="muted">${i.entity.address}</div>` : ''}</td>
<td>${teamNames(i.team)}</td>
<td>${i.tasks.map((t) => html`<div>${t.name}</div>`)}<div class="muted">检查时间 ${period(i.window)}</div></td>
<td>${i.inspectedOn ?? '—'}</td>
<td>${i.enteredBy ?? '—'}<div class="muted">${when(i.enteredAt)}${i.revision && i.revision > 1 ? `（第 ${i.revision} 版）` : ''}</div></td>
<td><a class="button" href="/console/review/${i.id}" data-testid="review-link">审核</a></td>
</tr>`,
  ),
  { testid: 'review-queue', empty: '目前没有待审核的检查结果。' },
)}
${d.total > 0 || d.page > 1 ? pager('/console/review', {}, d.page, d.hasNext, d.total) : ''}`;
}

/** An attachment as the assignment detail may carry it (read defensively: the field is new). */
export interface AttachmentView {
  id: string;
  fileName: string;
  size: number | null;
  sha256: string | null;
  mediaType: string | null;
}

/** The assignment's attachments, if its detail carries them, whatever their exact field names. */
export function attachmentsOf(detail: unknown): AttachmentView[] | null {
  const list = (detail as { attachments?: unknown }).attachments;
  if (!Array.isArray(list)) return null;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return list.flatMap((a: Record<string, unknown>) => {
    const id = str(a?.id);
    if (!id) return [];
    return [
      {
        id,
        fileName: str(a.fileName) ?? str(a.filename) ?? str(a.name) ?? str(a.originalName) ?? id,
        size: num(a.size) ?? num(a.sizeBytes) ?? num(a.bytes),
        sha256: str(a.sha256) ?? str(a.hash),
        mediaType: str(a.mediaType) ?? str(a.contentType) ?? str(a.type),
      },
    ];
  });
}

function bytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024) return `${n} 字节`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

type Result = NonNullable<AssignmentDetail['result']>;
type Finding = Result['findings'][number];
type Measure = Result['measures'][number];

const STATUS_TONES: Record<string, Tone> = { entered: 'orange', returned: 'red', approved: 'blue', published: 'green' };

function findingBlock(f: Finding, matterName: string): Html {
  const head = html`<h3>${matterName} <span class="muted mono">${f.matter}</span> ${f.compliant ? tag('合规', 'green') : tag('发现问题', 'red')}</h3>`;
  if (f.compliant) return html`<div class="card" data-testid="finding">${head}${f.note ? html`<p>${f.note}</p>` : ''}</div>`;
  const ex = f.exemption;
  const facts = html`<dl class="kv">
<dt>违法行为类型</dt><dd><span class="mono">${f.violationType ?? '—'}</span>${ex?.proposal ? html` ${ex.proposal.violation}` : ''}</dd>
${f.violatedProvision ? html`<dt>违反的条款</dt><dd>${f.violatedProvision}</dd>` : ''}
${f.harm ? html`<dt>危害后果</dt><dd>${HARM_NAMES[f.harm] ?? f.harm}</dd>` : ''}
${f.correction ? html`<dt>改正情况</dt><dd>${CORRECTION_NAMES[f.correction] ?? f.correction}</dd>` : ''}
${f.occurredOn ? html`<dt>违法行为发生日期</dt><dd>${f.occurredOn}</dd>` : ''}
${f.durationDays !== undefined ? html`<dt>持续天数</dt><dd>${f.durationDays} 天</dd>` : ''}
${f.note ? html`<dt>说明</dt><dd>${f.note}</dd>` : ''}
</dl>`;
  let outcome: Html | string = '';
  if (ex) {
    outcome = ex.exempt && ex.proposal
      ? html`<div class="hint" data-testid="exemption-outcome"><strong>免罚清单：拟不予处罚</strong>（仍须责令改正）
<dl class="kv"><dt>清单</dt><dd>《${ex.proposal.listTitle}》（${ex.proposal.listVersion}）</dd><dt>条目</dt><dd>第 ${ex.proposal.itemNumber} 项：${ex.proposal.violation}</dd><dt>依据</dt><dd>${ex.proposal.basis}</dd>
${ex.proposal.toVerify.length ? html`<dt>须检查人员确认</dt><dd><ul>${ex.proposal.toVerify.map((t) => html`<li>${t}</li>`)}</ul></dd>` : ''}</dl></div>`
      : html`<div class="warn" data-testid="exemption-outcome"><strong>免罚清单：不适用</strong>，应依法处理并责令改正。
${ex.failed.length ? html`<ul>${ex.failed.map((c) => html`<li>${c.itemNumber ? `第 ${c.itemNumber} 项：` : ''}${c.message} <span class="muted mono">${c.code}</span></li>`)}</ul>` : html`<p>${ex.message}</p>`}
${ex.priorViolations.length ? html`<p class="muted">两年内同类违法记录：${ex.priorViolations.map((p) => p.occurredOn).join('、')}</p>` : ''}</div>`;
  }
  return html`<div class="card" data-testid="finding">${head}${facts}${outcome}</div>`;
}

const MEASURE_STATE: Record<string, [string, Tone]> = {
  allowed: ['可以实施', 'blue'],
  refused: ['依清单不予实施', 'orange'],
  'override-requested': ['已申请不适用清单，待第二人批准', 'red'],
  overridden: ['经批准不适用清单，可以实施', 'gray'],
};

function measureBlock(m: Measure): Html {
  const [label, tone] = MEASURE_STATE[m.state] ?? [m.state, 'gray' as Tone];
  const facts = m as unknown as { object?: string; reason?: string };
  const ev = m.evaluation as { message?: string } | null;
  const o = m.override;
  return html`<div class="card" data-testid="measure"><h3>第 ${m.n} 项：${m.measureName} ${tag(label, tone)}</h3>
<dl class="kv">
${facts.object ? html`<dt>拟${m.measureName}的对象</dt><dd>${facts.object}</dd>` : ''}
${facts.reason ? html`<dt>理由和事实</dt><dd>${facts.reason}</dd>` : ''}
${m.itemNumber ? html`<dt>不予实施清单</dt><dd>${m.listVersion ?? ''} 第 ${m.itemNumber} 项</dd>` : ''}
${m.basis ? html`<dt>依据</dt><dd>${m.basis}</dd>` : ''}
${ev?.message ? html`<dt>清单比对</dt><dd>${ev.message}</dd>` : ''}
${o ? html`<dt>不适用清单的申请</dt><dd>${o.reason ?? ''}（${o.requestedBy ?? ''}，${when(o.requestedAt)}）${o.approvedBy ? html`<br>已由 ${o.approvedBy} 于 ${when(o.approvedAt)} 批准${o.comment ? `：${o.comment}` : ''}` : ''}</dd>` : ''}
</dl></div>`;
}

const EVENT_LABELS: Record<string, string> = {
  enter: '录入',
  edit: '修改',
  're-enter': '退回后重新提交',
  approve: '审核通过',
  return: '退回',
  publish: '公示',
  'override-request': '申请不适用清单',
  'override-approve': '批准不适用清单',
};

export function reviewDetailPage(d: { a: AssignmentDetail; attachments: AttachmentView[] | null; csrfField: Html }): Html {
  const { a } = d;
  const r = a.result;
  const matterName = (code: string) => a.matters.find((m) => m.code === code)?.name ?? code;
  const head = html`<h1>审核检查结果：${a.entity.name || a.entity.uscc}</h1>
<div class="card"><dl class="kv">
<dt>被检查主体</dt><dd><strong>${a.entity.name}</strong> <span class="mono">${a.entity.uscc}</span>${a.entity.address ? html`<br><span class="muted">${a.entity.address}</span>` : ''}</dd>
<dt>抽查任务</dt><dd>${a.tasks.map((t) => t.name).join('、')}</dd>
<dt>参加部门</dt><dd>${a.departments.map((x) => x.name).join('、')}</dd>
<dt>检查时间</dt><dd>${period(a.window)}</dd>
<dt>检查组</dt><dd data-testid="review-team">${a.team.map((t) => html`<div>${t.name || t.certificateNo} <span class="muted">执法证号 <span class="mono">${t.certificateNo}</span>${t.departmentName ? `，${t.departmentName}` : ''}</span></div>`)}</dd>
<dt>检查事项</dt><dd>${a.matters.map((m) => html`<div>${m.name} <span class="muted mono">${m.code}</span></div>`)}</dd>
<dt>检查通知书</dt><dd>${a.notice ? html`${a.notice.number}（${when(a.notice.issuedAt)} 送达）` : '—'}</dd>
</dl></div>`;
  if (!r) return html`${head}<p class="card muted">本次检查尚未录入检查结果。</p>`;
  const attachments =
    d.attachments === null
      ? ''
      : html`<h2>附件</h2>${table(
          ['文件', '大小', 'SHA-256'],
          d.attachments.map(
            (x) => html`<tr><td><a href="/console/assignments/${a.id}/attachments/${x.id}">${x.fileName}</a>${x.mediaType ? html`<div class="muted">${x.mediaType}</div>` : ''}</td><td class="num">${bytes(x.size)}</td><td class="mono">${x.sha256 ?? '—'}</td></tr>`,
          ),
          { testid: 'review-attachments', empty: '没有附件。' },
        )}`;
  const form =
    r.status === 'entered'
      ? html`<h2>审核</h2>
<form class="stack card" method="post" action="/console/review/${a.id}" data-testid="review-form">
${d.csrfField}
<div class="row"><label for="f-comment">审核意见（退回时必填，检查组据此修改）</label><textarea id="f-comment" name="comment" maxlength="2000" data-testid="review-comment-input"></textarea></div>
<div class="actions"><button type="submit" name="decision" value="approve" data-testid="review-approve">审核通过</button><button type="submit" class="danger" name="decision" value="return" data-testid="review-return">退回检查组</button></div>
<p class="muted">审核须由检查组以外、且未录入该结果的人员进行；有待批准的强制措施申请时不能通过。</p>
</form>`
      : html`<p class="hint">该结果${r.statusLabel}，不在待审核状态，无需审核。</p>`;
  return html`${head}
<h2>检查结果 ${tag(r.statusLabel, STATUS_TONES[r.status] ?? 'gray')}</h2>
<div class="card"><dl class="kv" data-testid="review-result">
<dt>检查日期</dt><dd>${r.inspectedOn}</dd>
<dt>检查结果</dt><dd>${r.codes.map((c) => html`<div><span class="mono">${c.code}</span> ${c.label}</div>`)}</dd>
<dt>核查方式</dt><dd>${r.method}</dd>
<dt>后续处置</dt><dd>${r.followUp.join('、')}</dd>
${r.abnormalFollowUp ? html`<dt>经营异常名录</dt><dd>${tag('审核通过后须在 10 个工作日内列入经营异常名录', 'orange')}</dd>` : ''}
<dt>备注</dt><dd>${r.note ?? '—'}</dd>
<dt>录入</dt><dd>${r.enteredBy}（${when(r.enteredAt)}）${r.revision > 1 ? `；第 ${r.revision} 版，最后由 ${r.updatedBy} 于 ${when(r.updatedAt)} 修改` : ''}</dd>
${r.reviewComment ? html`<dt>上次审核意见</dt><dd data-testid="review-last-comment">${r.reviewComment}（${r.reviewedBy ?? ''}，${when(r.reviewedAt)}）</dd>` : ''}
</dl></div>
<h2>各事项检查情况</h2>
${r.findings.length ? r.findings.map((f) => findingBlock(f, matterName(f.matter))) : html`<p class="card muted">没有逐项记录。</p>`}
<h2>拟采取的行政强制措施</h2>
${r.measures.length ? r.measures.map(measureBlock) : html`<p class="card muted">没有拟采取的强制措施。</p>`}
${attachments}
${form}
<h2>处理记录</h2>
${table(
  ['时间', '操作', '操作人', '意见或说明'],
  r.events.map((e) => html`<tr><td>${when(e.at)}</td><td>${EVENT_LABELS[e.action] ?? e.action}${e.measure ? `（第 ${e.measure} 项措施）` : ''}</td><td>${e.actor}</td><td>${e.comment ?? ''}</td></tr>`),
  { testid: 'review-events' },
)}`;
}
