/** `/`: the published plans and their tasks, the search box, the statistics and the open data. */
import type { PublicPlan } from '../../services/public/plans.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { period, tags } from '../format.ts';

export interface HomeData {
  plans: PublicPlan[];
  years: number[];
  year?: number;
}

export function homePage(d: HomeData): string {
  const q = d.year ? `?year=${d.year}` : '';
  const yearLinks = d.years.length > 1 || d.year
    ? html`<p class="muted">按年度查看：<a href="/">全部</a>${d.years.map((y) => html` · <a href="/?year=${y}">${y} 年</a>`)}</p>`
    : '';
  const plans = d.plans.length
    ? d.plans.map(
        (p) => html`<section>
<h2>${p.title}</h2>
<ul class="tasks">
${p.tasks.map(
  (t) => html`<li>
<div class="name"><a data-testid="task-link" href="/tasks/${t.id}">${t.name}</a> <span class="status">${t.statusLabel}</span></div>
<div class="muted">检查时间：${period(t.window)} · 实施部门：${t.departments.map((x) => x.name).join('、')}</div>
<div>抽查事项：${tags(t.matters.map((m) => m.name))}</div>
</li>`,
)}
</ul>
</section>`,
      )
    : html`<p class="card">暂无已公布的抽查任务。任务在抽取前公布其承诺值后，将在此处公示。</p>`;
  return page({
    title: '抽查任务',
    description: '抽查计划、抽查任务、抽取过程与抽查结果公示',
    body: html`<h1>“双随机、一公开”抽查信息公示</h1>
<p>随机抽取检查对象、随机选派执法检查人员，抽查情况及查处结果及时向社会公开。每次抽取都在公开随机数产生之前公布承诺值，任何人都可以下载抽取包独立验证。</p>
<form class="inline" action="/search" method="get" role="search">
<label class="muted" for="q">查询主体</label>
<input type="search" id="q" name="q" placeholder="主体名称或统一社会信用代码" maxlength="100">
<button type="submit">查询</button>
</form>
${yearLinks}
${plans}
<section id="stats">
<h2>统计图表</h2>
<p class="muted">根据已公示的抽查结果汇总${d.year ? `（${d.year} 年度）` : ''}。</p>
<div class="charts">
<figure class="wide"><img src="/charts/results-by-category.svg${q}" alt="抽查结果按结果类别统计的条形图" loading="lazy"><figcaption>抽查结果分类</figcaption></figure>
<figure><img src="/charts/inspections-by-street-month.svg${q}" alt="各街道每月抽查数的热力图" loading="lazy"><figcaption>各街道每月抽查数</figcaption></figure>
<figure><img src="/charts/problem-rate-by-grade.svg${q}" alt="各分类的问题发现率（汇总）" loading="lazy"><figcaption>问题发现率（按分类汇总，不涉及具体主体）</figcaption></figure>
</div>
</section>
<section id="open-data">
<h2>开放数据</h2>
<ul>
<li>抽查结果：<a href="/api/v1/public/results">JSON</a> · <a href="/api/v1/public/results?format=csv">CSV</a></li>
<li>抽取记录：<a href="/api/v1/public/draws">JSON</a> · <a href="/api/v1/public/draws?format=csv">CSV</a></li>
</ul>
<p class="muted">可按任务（task=任务编号）和年度（year=2026）筛选；JSON 分页（limit、offset，返回 total）；CSV 为带 BOM 的 UTF-8。字段说明见项目文档 docs/open-data.md，接口说明见 <a href="/api/v1/openapi.json">OpenAPI 文档</a>。</p>
</section>`,
  });
}
