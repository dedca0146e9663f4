/** `/check`: an entity types (or scans) the check code of its notice and sees whether the inspection is genuine. */
import type { CheckOutcome } from '../../services/public/checkCodes.ts';
import { html, raw } from '../html.ts';
import { page } from '../layout.ts';
import { period } from '../format.ts';

export function checkPage(input: { code?: string; outcome?: CheckOutcome; qr?: string; throttled?: boolean }): string {
  const o = input.outcome;
  let result = html``;
  if (input.throttled) {
    result = html`<div class="notice error"><p><strong>查询过于频繁</strong>，请稍后再试。</p></div>`;
  } else if (o && !o.ok) {
    result = html`<div class="notice error" role="alert"><p><strong>校验码不正确：</strong>${
      o.reason === 'format' ? '校验码应为 10 位字母和数字（不含 0、1、I、O）。' : '没有与该校验码对应的检查安排。'
    }请核对检查通知书上的校验码后重试。若核对无误仍无法查到，这次“检查”可能不是本机关安排的，请拒绝并向市场监管部门核实（12315）。</p></div>`;
  } else if (o && o.ok) {
    const v = o.visit;
    result = html`<div class="notice good" role="status"><p><strong>校验通过：</strong>这是经随机抽取产生的真实检查安排。请核对检查人员出示的执法证号是否在下列名单中。</p></div>
<div class="card">
<dl class="kv">
<dt>被检查主体</dt><dd>${v.entity.name}（<span class="mono">${v.entity.uscc}</span>）</dd>
<dt>抽查任务</dt><dd>${v.tasks.map((t) => html`<div><a href="/tasks/${t.id}">${t.name}</a></div>`)}</dd>
<dt>实施部门</dt><dd>${v.departments.map((d) => d.name).join('、')}</dd>
<dt>检查事项</dt><dd>${v.matters.map((m) => html`<div>${m.name}</div>`)}</dd>
<dt>检查时间</dt><dd>${period(v.window)}</dd>
${v.noticeNumber ? html`<dt>检查通知书</dt><dd>${v.noticeNumber}</dd>` : ''}
</dl>
<h3>检查人员执法证号</h3>
<div class="scroll"><table>
<thead><tr><th class="num">序号</th><th>执法证号</th><th>所属部门</th></tr></thead>
<tbody>${v.team.map((m, i) => html`<tr><td class="num">${i + 1}</td><td class="mono">${m.certificateNo}</td><td>${m.department}</td></tr>`)}</tbody>
</table></div>
<p class="muted">检查人员不少于两人，应主动出示执法证件。检查人员与你单位有利害关系的，你单位有权申请回避。</p>
${input.qr ? html`<h3>本页二维码</h3><div class="qr">${raw(input.qr)}</div><p class="muted">扫码即可打开本核验页面。</p>` : ''}
</div>`;
  }
  return page({
    title: '检查核验',
    description: '用检查通知书上的校验码核验检查是否真实',
    body: html`<h1>检查核验</h1>
<p>收到检查通知书或有人上门检查时，请输入通知书上的 10 位校验码（或扫描通知书上的二维码），核验这次检查是否为真实的抽查安排，并核对检查人员的执法证号。</p>
<form class="inline" action="/check" method="get">
<input type="text" name="code" value="${input.code ?? ''}" placeholder="10 位校验码" maxlength="40" autocomplete="off" autocapitalize="characters" aria-label="校验码">
<button type="submit">核验</button>
</form>
${result}`,
  });
}
