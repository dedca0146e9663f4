/**
 * The audit trail (全过程记录) for administrators: entries newest first with filters, and the
 * "校验审计链" button whose answer is the chain head to note down outside the database, or the
 * first problem found.
 */
import type { AuditEntry, AuditVerifyResult } from '../../../services/audit.ts';
import { html, type Html } from '../../html.ts';
import { when } from '../../format.ts';
import { csrfField, pager, table, textField } from '../components.ts';

export interface AuditFilterValues {
  action: string;
  entity: string;
  entityId: string;
  actor: string;
  from: string;
  to: string;
}

const PROBLEM_LABELS: Record<string, string> = {
  ALTERED: '条目被修改',
  REMOVED: '条目被删除',
  REORDERED: '条目顺序被调换',
  BROKEN_LINK: '哈希链断开（插入或重写）',
};

function json(v: unknown): string {
  if (v === null || v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v, null, 1);
  return s.length > 4000 ? `${s.slice(0, 4000)}…` : s;
}

export function verifyResultBox(r: AuditVerifyResult, noted: string | null, formattedHead: string): Html {
  if (r.ok) {
    return html`<div class="flash" role="status" data-testid="audit-verify-result" data-ok="true">
<p><strong>审计链完整（INTACT）</strong>：共 ${r.entries} 条，哈希链逐条校验通过${noted ? '，且包含外部记录的链头' : ''}。</p>
<p>当前链头（序号:哈希）：<code data-testid="audit-head">${formattedHead}</code></p>
<p class="muted">请在数据库之外（纸质台账、公告等）记下当前链头，日后校验时填入“外部记录的链头”：只有对照外部记录的链头，才能发现末尾条目被删除或整条链被重算。</p>
</div>`;
  }
  const p = r.firstProblem!;
  return html`<div class="error" role="alert" data-testid="audit-verify-result" data-ok="false">
<p><strong>审计链已被篡改（${p.code}）：${PROBLEM_LABELS[p.code] ?? p.code}</strong></p>
<p>首个问题：第 ${p.seq} 条：${p.message}</p>
<p class="muted">日志现有 ${r.entries} 条，末条哈希 <span class="mono">${r.head}</span>。请保留现场并报告安全负责人。</p>
</div>`;
}

export function auditPage(d: {
  rows: AuditEntry[];
  total: number;
  page: number;
  hasNext: boolean;
  filters: AuditFilterValues;
  csrf: string;
  verify?: Html;
  noted?: string;
}): Html {
  const f = d.filters;
  return html`<h1>审计记录</h1>
<p class="muted">每一次数据变更都写入哈希链审计日志（谁、何时、做了什么、变更前后）。时间为北京时间。</p>
${d.verify ?? ''}
<form class="stack card" method="post" action="/console/admin/audit/verify" data-testid="audit-verify">
${csrfField(d.csrf)}
${textField('head', '外部记录的链头（可选）', d.noted ?? '', { id: 'f-head', hint: '此前记下的“序号:哈希”或哈希；填写后还能发现末尾条目被删除。', attrs: 'autocomplete="off" maxlength="100"' })}
<div class="actions"><button type="submit">校验审计链</button></div>
</form>
<form class="filters" method="get" action="/console/admin/audit" data-testid="audit-filters">
${textField('action', '操作', f.action, { id: 'q-action', hint: '如 user.create、result.approve' })}
${textField('entity', '对象类型', f.entity, { id: 'q-entity', hint: '如 user、task、inspection-result' })}
${textField('entityId', '对象标识', f.entityId, { id: 'q-entityId' })}
${textField('actor', '操作人', f.actor, { id: 'q-actor' })}
${textField('from', '起始日期', f.from, { id: 'q-from', type: 'date' })}
${textField('to', '截止日期', f.to, { id: 'q-to', type: 'date' })}
<div class="actions"><button type="submit">筛选</button><a class="button secondary" href="/console/admin/audit">清除</a></div>
</form>
${table(
  ['序号', '时间', '操作人', '操作', '对象', '说明', '变更'],
  d.rows.map(
    (e) => html`<tr data-seq="${e.seq}">
<td class="num">${e.seq}</td>
<td>${when(e.at)}</td>
<td>${e.actor}</td>
<td class="mono">${e.action}</td>
<td><span class="mono">${e.entity}</span><div class="mono muted">${e.entityId}</div></td>
<td>${e.note ?? ''}</td>
<td>${e.before === null && e.after === null ? '—' : html`<details><summary>查看</summary><div class="muted">变更前</div><pre class="mono">${json(e.before)}</pre><div class="muted">变更后</div><pre class="mono">${json(e.after)}</pre></details>`}</td>
</tr>`,
  ),
  { testid: 'audit-table', empty: '没有符合条件的审计记录。' },
)}
${pager('/console/admin/audit', { ...f }, d.page, d.hasNext, d.total)}`;
}
