/** `/search?q=` and `/entities/{uscc}`: entities in published draws or results, and their public record. */
import type { EntityHit, PublicEntity } from '../../services/public/entities.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { period, when } from '../format.ts';
import { resultsTable } from './task.ts';

export function searchPage(q: string, hits: EntityHit[]): string {
  const body = html`<h1>主体查询</h1>
<p>查询被抽取或已公示抽查结果的市场主体：输入名称中的字词或统一社会信用代码的一部分。</p>
<form class="inline" action="/search" method="get" role="search">
<input type="search" name="q" value="${q}" placeholder="主体名称或统一社会信用代码" maxlength="100" aria-label="主体名称或统一社会信用代码">
<button type="submit">查询</button>
</form>
${
  !q
    ? ''
    : hits.length
      ? html`<p class="muted">找到 ${hits.length} 个主体${hits.length >= 50 ? '（仅显示前 50 个，请输入更完整的名称）' : ''}。</p>
<ul class="hits">
${hits.map(
  (h) => html`<li><div class="name"><a data-testid="entity-link" href="/entities/${h.uscc}">${h.name}</a></div><div class="muted"><span class="mono">${h.uscc}</span> · ${h.entityType}${h.street ? ` · ${h.street}街道` : ''}</div></li>`,
)}
</ul>`
      : html`<p class="card">没有找到与“${q}”相符的主体。只有被抽取或已公示抽查结果的主体可以在此查询。</p>`
}`;
  return page({ title: q ? `查询：${q}` : '主体查询', body });
}

export function entityPage(e: PublicEntity): string {
  return page({
    title: e.name,
    description: `${e.name} 的抽查记录`,
    body: html`<p class="muted"><a href="/search">主体查询</a></p>
<h1>${e.name}</h1>
<dl class="kv">
<dt>统一社会信用代码</dt><dd class="mono">${e.uscc}</dd>
<dt>主体类型</dt><dd>${e.entityType}</dd>
${e.street ? html`<dt>所属街道</dt><dd>${e.street}</dd>` : ''}
<dt>登记状态</dt><dd>${e.registrationStatus}</dd>
</dl>

<h2>被抽中的抽查任务</h2>
${
  e.selections.length
    ? html`<div class="scroll"><table>
<thead><tr><th>抽查任务</th><th>检查时间</th><th>抽取时间</th><th>状态</th></tr></thead>
<tbody>${e.selections.map(
        (s) => html`<tr><td><a href="/tasks/${s.taskId}">${s.taskName}</a></td><td>${period(s.window)}</td><td>${when(s.drawnAt)}</td><td>${s.voided ? html`<span class="muted">该次抽取已作废（${when(s.voidedAt)}）</span>` : '有效'}</td></tr>`,
      )}</tbody>
</table></div>`
    : html`<p>没有被抽中的记录。</p>`
}

<h2>已公示的抽查结果</h2>
${e.results.length ? resultsTable(e.results, { showTask: true, showEntity: false }) : html`<p>暂无已公示的抽查结果。</p>`}`,
  });
}
