/**
 * `/tasks/{id}`: one task as published — matters, scope, per-grade rates and inclusion
 * probabilities, the commitment, the public randomness, the draw and the selected entities, the
 * voided draws, how to verify the draw oneself, the published results and the publication
 * deadline. No entity's grade appears: strata are counted, never attached to an entity.
 */
import type { PublicTask } from '../../services/public/plans.ts';
import type { PublicResult } from '../../services/public/results.ts';
import { html, type Html } from '../html.ts';
import { page } from '../layout.ts';
import { codeList, period, tags, when } from '../format.ts';

export function resultsTable(results: PublicResult[], opts: { showTask?: boolean; showEntity?: boolean } = {}): Html {
  const showEntity = opts.showEntity ?? true;
  return html`<div class="scroll"><table>
<thead><tr>${showEntity ? html`<th>主体名称</th><th>统一社会信用代码</th>` : ''}${opts.showTask ? html`<th>抽查任务</th>` : ''}<th>检查部门</th><th>检查日期</th><th>检查结果</th><th>后续处置</th><th>公示日期</th></tr></thead>
<tbody>
${results.map(
  (r) => html`<tr>
${showEntity ? html`<td>${r.entityName}</td><td><a class="mono" href="/entities/${r.uscc}">${r.uscc}</a></td>` : ''}
${opts.showTask ? html`<td>${r.tasks.map((t) => html`<div><a href="/tasks/${t.id}">${t.name}</a></div>`)}</td>` : ''}
<td>${r.departments.map((d) => d.name).join('、')}</td>
<td>${r.inspectedOn}</td>
<td>${codeList(r.resultCodes, r.resultLabels)}</td>
<td>${r.followUp.join('、')}</td>
<td>${r.publishedAt ? when(r.publishedAt).slice(0, 10) : '—'}</td>
</tr>`,
)}
</tbody>
</table></div>`;
}

function scopeOf(t: PublicTask): Html {
  const s = t.scope;
  const parts: Html[] = [];
  if (s.entityTypes.length) parts.push(html`<dt>主体类型</dt><dd>${tags(s.entityTypes)}</dd>`);
  if (s.industryCodes.length) parts.push(html`<dt>行业代码</dt><dd>${tags(s.industryCodes)}</dd>`);
  if (s.streets.length) parts.push(html`<dt>所属街道</dt><dd>${tags(s.streets)}</dd>`);
  if (s.tags.length) parts.push(html`<dt>专项名录</dt><dd>${tags(s.tags)}</dd>`);
  return html`<p>${s.directed ? '定向抽查：在下列范围内的存续主体中抽取。' : '不定向抽查：在全部存续主体中抽取。'}</p>
${parts.length ? html`<dl class="kv">${parts}</dl>` : ''}
<dl class="kv">
<dt>分层依据</dt><dd>${s.stratifyBy === 'credit' ? '企业信用风险分类（按类别设定不同比例）' : '行业（专业）风险分类（按类别设定不同比例）'}</dd>
<dt>年度检查次数上限</dt><dd>${s.yearlyCap === null ? '不限' : `同一主体每年至多 ${s.yearlyCap} 次`}</dd>
<dt>近期已查不再抽</dt><dd>${s.lookbackDays === null ? '不适用' : `检查开始前 ${s.lookbackDays} 天内已检查过的主体不再抽取`}</dd>
</dl>`;
}

function strataTable(t: PublicTask): Html {
  const byRate = t.selectionMode === 'rates';
  return html`<p>${byRate ? '每一类按设定比例抽取；' : `共抽取 ${t.total} 户，按各类权重分配；`}每类中的每一个主体入选的概率相同，并在抽取包中以精确分数公布。主体的具体分类不予公开。</p>
<div class="scroll"><table>
<thead><tr><th>分类</th><th class="num">${byRate ? '设定比例' : '权重'}</th><th class="num">候选主体</th><th class="num">规则排除</th><th class="num">参与抽取</th><th class="num">抽中</th><th class="num">入选概率</th></tr></thead>
<tbody>
${t.strata.map(
  (s) => html`<tr>
<td>${s.label}</td>
<td class="num">${s.excludedReason ? html`不抽取<div class="muted">${s.excludedReason}</div>` : byRate ? s.rate : s.weight}</td>
<td class="num">${s.candidates ?? '—'}</td>
<td class="num">${s.excludedCount ?? '—'}</td>
<td class="num">${s.eligible ?? '—'}</td>
<td class="num">${s.selected ?? '—'}</td>
<td class="num">${s.inclusionProbability ?? '—'}${s.inclusionProbabilityExact ? html`<div class="muted mono">${s.inclusionProbabilityExact}</div>` : ''}</td>
</tr>`,
)}
</tbody>
</table></div>
${t.draw?.drawnAt ? '' : html`<p class="muted">候选数、抽中数和入选概率在抽取完成后公布。</p>`}`;
}

function drawSection(t: PublicTask): Html {
  const d = t.draw;
  if (!d) return html`<p>本任务当前没有有效的抽取${t.voidedDraws.length ? '（原抽取已作废，见下）' : ''}。</p>`;
  return html`<dl class="kv">
<dt>承诺值</dt><dd class="mono">${d.commitment}</dd>
<dt>承诺公布时间</dt><dd>${when(d.committedAt)}</dd>
<dt>公开随机数来源</dt><dd>${d.randomnessSource}</dd>
<dt>录入的随机数</dt><dd>${d.randomness ?? '尚未产生（在承诺公布之后才产生）'}</dd>
${d.randomnessNormalized ? html`<dt>规范化随机数</dt><dd class="mono">${d.randomnessNormalized}</dd>` : ''}
${d.workingSeed ? html`<dt>工作种子</dt><dd class="mono">${d.workingSeed}</dd>` : ''}
<dt>随机数录入时间</dt><dd>${when(d.seededAt)}</dd>
<dt>抽取时间</dt><dd>${when(d.drawnAt)}</dd>
${d.resultDigest ? html`<dt>结果摘要</dt><dd class="mono">${d.resultDigest}</dd>` : ''}
<dt>作废的抽取</dt><dd>${t.voidedDraws.length} 次</dd>
</dl>`;
}

function voidedSection(t: PublicTask): Html {
  if (!t.voidedDraws.length) return html``;
  return html`<h3>作废的抽取（记录保留，不删除）</h3>
<div class="scroll"><table>
<thead><tr><th>承诺时间</th><th>作废时间</th><th>作废理由</th><th>承诺值</th><th>抽取包</th></tr></thead>
<tbody>
${t.voidedDraws.map(
  (v) => html`<tr><td>${when(v.committedAt)}</td><td>${when(v.voidedAt)}</td><td>${v.reason ?? ''}</td><td class="mono">${v.commitment}</td><td>${v.bundleUrl ? html`<a href="${v.bundleUrl}">下载</a>` : '未执行'}</td></tr>`,
)}
</tbody>
</table></div>`;
}

function verifySection(t: PublicTask): Html {
  const d = t.draw;
  const file = d ? `draw-${d.id}-public.json` : '<文件>';
  return html`<section id="verify">
<h2>亲自验证本次抽取</h2>
${
  d?.bundleUrl
    ? html`<p>不必相信本网站：下载公开包，用开源的 double-random 工具在自己的电脑上重新计算一遍。</p>
<ol>
<li>下载公开抽取包：<a data-testid="bundle-download" href="${d.bundleUrl}" download="${file}">${file}</a>（JSON 文件，不含任何主体的信用风险分类）</li>
<li>下载验证程序：<a data-testid="verifier-download" href="/verify/double-random-verify.mjs" download="double-random-verify.mjs">double-random-verify.mjs</a>（单个文件，无需安装任何软件包，源代码即文件本身，可直接阅读）</li>
<li>在两个文件所在的文件夹运行一条命令（只需安装 Node.js 18 或更新版本）：
<pre data-testid="verify-command">node double-random-verify.mjs ${file} --commitment ${d.commitment}</pre>
<span class="muted">承诺值请以抽取前公布的为准（本页“抽取过程”所列，亦可与当时的公告核对）。不带 --commitment 只能证明抽取包内部自洽。已安装本项目的，也可运行 <code>double-random verify ${file} --commitment ${d.commitment}</code>，结果相同。</span></li>
<li>输出“验证通过 (VERIFIED)”即说明一致；否则会指出第一处不一致。</li>
</ol>`
    : html`<p>抽取完成后，可在此下载公开抽取包和验证程序，运行 <code>node double-random-verify.mjs &lt;文件&gt; --commitment &lt;承诺值&gt;</code> 独立验证。${
        d ? html`本次承诺值：<span class="mono">${d.commitment}</span>` : ''
      }</p>`
}
<h3>公开包能证明什么</h3>
<ul>
<li>参数和候选名单（每个主体的分类以加盐承诺代替）在随机数产生之前就已固定：文件与承诺值一一对应，事后无法改动。</li>
<li>随机数来自事先公布的来源；工作种子由承诺值和随机数算出，任何人可复算。</li>
<li>每个抽中主体的签号、抽中顺序、各类的抽取数和入选概率都按公开的算法算出；检查组人数和成员不重复。</li>
<li>被抽查主体可向组织部门申请本主体的“开启值”，用 <code>--opening</code> 核验自己的分类承诺，以及自己是否按规则被抽中或未被抽中。</li>
</ul>
<h3>只有审计人员的完整包才能证明什么</h3>
<ul>
<li>每个主体所在的分类与当时名录库中的信用风险分类一致（分类不公开，完整包只提供给审计人员）。</li>
<li>年度次数上限、近期已查等排除规则是否逐一正确适用，各类参与抽取的主体数是否正确。</li>
<li>检查人员的抽取：资格、回避、避免同一人员连续检查同一主体、年度容量等规则逐项复核。</li>
</ul>
</section>`;
}

function deadlineClass(state: string): string {
  return state === 'met' ? 'ok' : state === 'overdue' || state === 'met-late' ? 'bad' : 'warn';
}

export function taskPage(t: PublicTask): string {
  return page({
    title: t.name,
    description: `${t.name}：抽查事项、抽取过程、抽中主体和抽查结果`,
    body: html`<p class="muted"><a href="/">抽查任务</a> › ${t.plan.title}</p>
<h1>${t.name}</h1>
<p><span class="status">${t.statusLabel}</span></p>
<dl class="kv">
<dt>检查时间</dt><dd>${period(t.window)}</dd>
<dt>组织部门</dt><dd>${t.leadDepartment.name}</dd>
<dt>实施部门</dt><dd>${t.departments.map((d) => d.name).join('、')}${t.departments.length > 1 ? '（部门联合抽查，进一次门、查多项事）' : ''}</dd>
<dt>检查方式</dt><dd>${t.method}</dd>
</dl>

<h2>抽查事项</h2>
<ul>${t.matters.map((m) => html`<li>${m.name} <span class="muted mono">${m.code}</span>${m.importance ? html` <span class="tag">${m.importance}事项</span>` : ''}</li>`)}</ul>

<h2>抽查范围</h2>
${scopeOf(t)}

<h2>抽查比例与入选概率</h2>
${strataTable(t)}

<h2>抽取过程</h2>
${drawSection(t)}
${voidedSection(t)}

<h2>抽中的检查对象${t.selected.length ? `（${t.selected.length} 户）` : ''}</h2>
${
  t.selected.length
    ? html`<div class="scroll"><table>
<thead><tr><th class="num">序号</th><th>主体名称</th><th>统一社会信用代码</th></tr></thead>
<tbody>${t.selected.map((s) => html`<tr><td class="num">${s.rank}</td><td>${s.name}</td><td><a class="mono" href="/entities/${s.uscc}">${s.uscc}</a></td></tr>`)}</tbody>
</table></div>`
    : html`<p>尚未抽取。</p>`
}

${verifySection(t)}

<h2 id="results">抽查结果</h2>
<p class="${deadlineClass(t.deadline.state)}">${t.deadline.label}</p>
${t.deadline.warnings.length ? html`<p class="muted">${t.deadline.warnings.join('；')}</p>` : ''}
${
  t.results.length
    ? html`<p>已公示 ${t.resultsTotal} 项结果。</p>${resultsTable(t.results)}${
        t.resultsTotal > t.results.length ? html`<p class="muted">仅列出前 ${t.results.length} 项，全部结果见 <a href="/api/v1/public/results?task=${t.id}&amp;format=csv">CSV</a>。</p>` : ''
      }`
    : html`<p>暂无已公示的抽查结果。</p>`
}
<p class="muted">下载本任务的数据：<a href="/api/v1/public/results?task=${t.id}&amp;format=csv">抽查结果 CSV</a> · <a href="/api/v1/public/draws?task=${t.id}&amp;format=csv">抽取记录 CSV</a></p>`,
  });
}
