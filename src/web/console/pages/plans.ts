/** Console pages for annual plans and their tasks: list, plan, task form, task with simulation. */
import { STRATA, STRATUM_LABELS } from '../../../domain/draw/params.ts';
import { Rational } from '../../../domain/draw/rational.ts';
import type { DraftStage } from '../../../domain/plans.ts';
import { ENTITY_TYPES, ENTITY_TYPE_LABELS, INSPECTION_METHODS } from '../../../domain/registry.ts';
import { html, raw, type Html } from '../../html.ts';
import { period, when } from '../../format.ts';
import { confirmBox, csrfField, selectField, table, tag, taskStatusTag, textField } from '../components.ts';


export interface PlanRow {
  id: string;
  organization: string;
  year: number;
  title: string;
  tasks: TaskRow[];
}

export interface TaskRow {
  id: string;
  number: number;
  name: string;
  status: string;
  statusLabel: string;
  window: { start: string; end: string };
  author: string;
  approvedBy: string | null;
}

export function draftStageTag(stage: DraftStage | null): Html | string {
  if (stage === 'submitted') return tag('待审批', 'orange');
  if (stage === 'returned') return tag('已退回', 'red');
  if (stage === 'writing') return tag('编写中', 'gray');
  return '';
}

export function plansPage(d: { plans: PlanRow[]; departments: { code: string; name: string }[]; ownDepartment: string | null; canWrite: boolean; year: number; csrf: string; stages: Map<string, DraftStage> }) {
  const createForm = d.canWrite
    ? html`<details class="card"${d.plans.length ? '' : raw(' open')}><summary><strong>新建年度抽查计划</strong></summary>
<form class="stack" method="post" action="/console/plans" data-testid="plan-create-form">
${csrfField(d.csrf)}
${selectField(
  'organization',
  '制定计划的部门',
  d.departments.filter((x) => !d.ownDepartment || x.code === d.ownDepartment).map((x) => ({ value: x.code, label: `${x.name}（${x.code}）` })),
  d.ownDepartment ?? '',
)}
${textField('year', '年度', String(d.year), { type: 'number', required: true, attrs: 'min="2000" max="2100"' })}
${textField('title', '计划名称（可不填，按官方格式生成）', '')}
<div class="actions"><button type="submit">新建计划</button></div>
</form></details>`
    : '';
  return html`<h1>年度计划与任务</h1>
${createForm}
${d.plans.length
  ? d.plans.map(
      (p) => html`<section class="card" data-testid="plan">
<h2><a href="/console/plans/${p.id}">${p.title}</a></h2>
${table(
  ['任务', '检查时间', '状态', '起草', '审批'],
  p.tasks.map(
    (t) => html`<tr><td><a href="/console/tasks/${t.id}">${t.name}</a></td><td>${period(t.window)}</td><td>${taskStatusTag(t.status, t.statusLabel)} ${t.status === 'draft' ? draftStageTag(d.stages.get(t.id) ?? null) : ''}</td><td>${t.author}</td><td>${t.approvedBy ?? '—'}</td></tr>`,
  ),
  { empty: '该计划还没有任务。' },
)}
${d.canWrite ? html`<p><a class="button secondary" href="/console/plans/${p.id}/tasks/new">新建联合抽查任务</a></p>` : ''}
</section>`,
    )
  : html`<p class="card muted">还没有年度计划。</p>`}`;
}

export interface PlanVisitRow {
  uscc: string;
  window: { start: string; end: string };
  tasks: string[];
  matters: string[];
  team: string[];
  notifiedAt: string | null;
}

export function planPage(d: { plan: PlanRow & { visits: { count: number; taskSelections: number; savedByMerging: number } }; canWrite: boolean; stages: Map<string, DraftStage>; visits: PlanVisitRow[] }) {
  const p = d.plan;
  return html`<h1>${p.title}</h1>
<dl class="kv"><dt>制定部门</dt><dd>${p.organization}</dd><dt>年度</dt><dd>${p.year}</dd><dt>合并检查</dt><dd>${p.visits.count} 次检查（${p.visits.taskSelections} 个任务抽中记录，合并节省 ${p.visits.savedByMerging} 次进门）</dd></dl>
${d.canWrite ? html`<p class="actions"><a class="button" href="/console/plans/${p.id}/tasks/new" data-testid="new-task">新建联合抽查任务</a></p>` : ''}
${table(
  ['编号', '任务', '检查时间', '状态'],
  p.tasks.map(
    (t) => html`<tr><td class="num">${t.number}</td><td><a href="/console/tasks/${t.id}">${t.name}</a></td><td>${period(t.window)}</td><td>${taskStatusTag(t.status, t.statusLabel)} ${t.status === 'draft' ? draftStageTag(d.stages.get(t.id) ?? null) : ''}</td></tr>`,
  ),
  { testid: 'plan-tasks', empty: '该计划还没有任务。' },
)}
<h2>合并后的检查（进一次门、查多项事）</h2>
<p class="muted">同一时段多个任务抽中同一主体时合并为一次检查。下表列出合并了两个及以上任务的检查${d.visits.filter((v) => v.tasks.length > 1).length > 100 ? '（前 100 项）' : ''}。</p>
${table(
  ['统一社会信用代码', '检查时间', '任务数', '检查事项', '检查组（执法证号）', '通知书'],
  d.visits
    .filter((v) => v.tasks.length > 1)
    .slice(0, 100)
    .map((v) => html`<tr><td class="mono"><a href="/console/objects/${v.uscc}">${v.uscc}</a></td><td>${period(v.window)}</td><td class="num">${v.tasks.length}</td><td>${v.matters.join('、')}</td><td class="mono">${v.team.join('、')}</td><td>${v.notifiedAt ? '已送达' : '—'}</td></tr>`),
  { testid: 'plan-visits', empty: '没有合并的检查。' },
)}`;
}

// ------------------------------------------------------------------------------- the task form

export interface TaskFormValues {
  lead: string;
  leadOfficers: string;
  partners: string[];
  partnerOfficers: Record<string, string>;
  matters: string[];
  rates: Record<string, string>;
  exclude: Record<string, string>;
  entityTypes: string;
  streets: string;
  industryCodes: string;
  tags: string;
  yearlyCap: string;
  lookbackDays: string;
  windowStart: string;
  windowEnd: string;
  method: string;
  randomnessSource: string;
}

export interface TaskFormData {
  action: string;
  title: string;
  csrf: string;
  values: TaskFormValues;
  departments: { code: string; name: string }[];
  matters: { code: string; name: string; department: string }[];
  error?: Html;
  submitLabel: string;
}

export function taskFormPage(d: TaskFormData): Html {
  const v = d.values;
  const deptName = new Map(d.departments.map((x) => [x.code, x.name]));
  const byDept = new Map<string, { code: string; name: string }[]>();
  for (const m of d.matters) byDept.set(m.department, [...(byDept.get(m.department) ?? []), m]);
  const checked = (on: boolean) => (on ? raw(' checked') : '');
  return html`<h1>${d.title}</h1>
${d.error ?? ''}
<p class="hint">任务名称和编号按官方格式自动生成。保存后是草稿：先看模拟结果（每个等级被抽中的概率、预计检查户数、执法人员工作量），确认无误后提交审批；须由另一名监管人员审批。</p>
<form class="stack" method="post" action="${d.action}" data-testid="task-form">
${csrfField(d.csrf)}
<fieldset><legend>实施部门</legend>
${selectField('lead', '牵头部门', d.departments.map((x) => ({ value: x.code, label: `${x.name}（${x.code}）` })), v.lead, { required: true })}
${textField('leadOfficers', '牵头部门每组人数', v.leadOfficers, { type: 'number', required: true, attrs: 'min="1" max="10"' })}
<div class="row"><span>配合部门（联合抽查）及每组人数</span>
<div class="choices">${d.departments.map(
  (x) => html`<label><input type="checkbox" name="partner" value="${x.code}"${checked(v.partners.includes(x.code))}> ${x.name}</label>
<label class="muted" for="po-${x.code}">每组</label><input id="po-${x.code}" name="partnerOfficers_${x.code}" type="number" min="1" max="10" value="${v.partnerOfficers[x.code] ?? '1'}" style="width:4.5rem" aria-label="${x.name}每组人数">`,
)}</div></div>
</fieldset>
<fieldset data-testid="task-matters"><legend>抽查事项（从已公布的抽查事项清单中选择）</legend>
${[...byDept.entries()].map(
  ([dept, ms]) => html`<div class="row"><span class="muted">${deptName.get(dept) ?? dept}</span><div class="choices">${ms.map(
    (m) => html`<label><input type="checkbox" name="matter" value="${m.code}"${checked(v.matters.includes(m.code))}> ${m.name}（${m.code}）</label>`,
  )}</div></div>`,
)}
</fieldset>
<fieldset><legend>各信用风险等级的抽查比例</legend>
<p class="muted">已按计划默认值预填（信用风险越高，比例越高）。某一等级不抽须勾选“不抽”并写明理由；比例为 0 不被接受。</p>
<div class="scroll"><table><thead><tr><th>等级</th><th>抽查比例（0–1，如 0.05 即 5%）</th><th>不抽（须写理由）</th></tr></thead><tbody>
${STRATA.map(
  (s) => html`<tr><td>${STRATUM_LABELS[s]}</td><td><input name="rate_${s}" id="rate-${s}" type="text" inputmode="decimal" value="${v.rates[s] ?? ''}" aria-label="${STRATUM_LABELS[s]}抽查比例"></td>
<td><input name="exclude_${s}" id="exclude-${s}" type="text" value="${v.exclude[s] ?? ''}" placeholder="不抽的理由（留空即按比例抽取）" aria-label="${STRATUM_LABELS[s]}不抽的理由"></td></tr>`,
)}
</tbody></table></div>
</fieldset>
<fieldset><legend>抽取范围（可不填：全部检查对象）</legend>
<div class="row"><span>主体类型（不选即全部）</span><div class="choices">${ENTITY_TYPES.map(
  (t) => html`<label><input type="checkbox" name="entityType" value="${t}"${checked(v.entityTypes.split('、').includes(t))}> ${ENTITY_TYPE_LABELS[t]}</label>`,
)}</div></div>
${textField('streets', '街道（分隔同上）', v.streets)}
${textField('industryCodes', '行业代码前缀（如 F52、H62）', v.industryCodes)}
${textField('tags', '特殊名录标签', v.tags)}
${textField('yearlyCap', '同一主体每年最多被抽中次数（留空取部门或计划默认）', v.yearlyCap, { type: 'number', attrs: 'min="1"' })}
${textField('lookbackDays', '近期已检查的回避天数（留空取默认）', v.lookbackDays, { type: 'number', attrs: 'min="1" max="3660"' })}
</fieldset>
<fieldset><legend>时间、方式与随机数来源</legend>
${textField('windowStart', '检查开始日期', v.windowStart, { type: 'date', required: true })}
${textField('windowEnd', '检查结束日期', v.windowEnd, { type: 'date', required: true })}
${selectField('method', '检查方式', INSPECTION_METHODS.map((m) => ({ value: m, label: m })), v.method)}
${textField('randomnessSource', '公开随机数来源（抽取前写明，如 某日某期福利彩票开奖号码）', v.randomnessSource, { required: true, hint: '承诺值公布之后才产生的公开随机数，任何人都能核对。' })}
</fieldset>
<div class="actions"><button type="submit" data-testid="task-save">${d.submitLabel}</button></div>
</form>`;
}

// ------------------------------------------------------------------------------- the task page

export interface SimulationView {
  method: string;
  runs?: number;
  task: { strata: { stratum: string; eligible: number; inclusionProbability: string; expectedSelected: number; candidates: number }[]; expectedSelected: number; departments: { code: string; officersPerTeam: number; officers: number; expectedSlots: number; available: number; shortfall: number }[] } | null;
  officers: { certificateNo: string; department: string; capacity: number; expectedLoad: number }[];
  warnings: { code: string; message: string }[];
}

/** What to do about each simulation warning, in plain Chinese. */
const WARNING_FIXES: Record<string, string> = {
  NO_OFFICERS: '在“执法检查人员名录”中为该部门的执法人员添加本任务抽查事项的资格（事项代码），或确认人员在岗、未被停用；也可从任务中去掉该部门。',
  CAPACITY_SHORT: '降低该部门每组人数或抽查比例，缩短或调整检查时间，或在名录中增加该部门具备资格的执法人员、提高其年度检查能力。',
  OFFICER_OVERLOADED: '降低抽查比例或把部分任务移到下一时段；或在名录中增加同部门具备资格的执法人员，分担工作量。',
  STRATUM_NEVER_INSPECTED: '为该等级设置大于 0 的抽查比例；确需不抽的，在“不抽”一栏写明理由（理由会公示）。',
  TASK_YEAR_MISMATCH: '把任务的检查时间改在计划年度之内，或把任务放到对应年度的计划中。',
  INCONSISTENT_STRATUM: '同一主体在不同任务中的分类不一致：核对名录中的信用风险分类与行业分类，统一后再模拟。',
};

function pct(ratio: string): string {
  try {
    return `${(Number(Rational.parse(ratio).toDecimal(6)) * 100).toFixed(2)}%`;
  } catch {
    return ratio;
  }
}

export function simulationSection(taskId: string, sim: SimulationView | null, simError: string | null): Html {
  if (simError) return html`<section><h2>模拟</h2><div class="warn">${simError}</div></section>`;
  if (!sim || !sim.task) return html`<section><h2>模拟</h2><p class="muted">任务已抽取，模拟只覆盖尚未抽取的任务。</p></section>`;
  const t = sim.task;
  return html`<section data-testid="simulation"><h2>审批前模拟</h2>
<p class="muted">${sim.method === 'exact' ? '精确计算' : `固定种子的蒙特卡罗模拟（${sim.runs ?? ''} 次）`}：按今天的名录和检查记录，本任务各等级的入选概率和预计抽中户数。</p>
${table(
  ['等级', '候选', '可抽（扣除回避后）', '入选概率', '预计抽中'],
  t.strata.map(
    (s) => html`<tr><td>${STRATUM_LABELS[s.stratum as keyof typeof STRATUM_LABELS] ?? s.stratum}</td><td class="num">${s.candidates}</td><td class="num">${s.eligible}</td><td class="num">${pct(s.inclusionProbability)}</td><td class="num">${s.expectedSelected.toFixed(2)}</td></tr>`,
  ),
  { testid: 'sim-strata' },
)}
<p>预计共抽中 <strong data-testid="sim-expected">${t.expectedSelected.toFixed(2)}</strong> 户。</p>
${table(
  ['部门', '每组人数', '具备资格的人员', '预计需要人次', '可承担人次', '缺口'],
  t.departments.map(
    (x) => html`<tr><td>${x.code}</td><td class="num">${x.officersPerTeam}</td><td class="num">${x.officers}</td><td class="num">${x.expectedSlots.toFixed(1)}</td><td class="num">${x.available.toFixed(1)}</td><td class="num">${x.shortfall > 0 ? html`<span class="bad">${x.shortfall.toFixed(1)}</span>` : '0'}</td></tr>`,
  ),
)}
<figure><img src="/console/tasks/${taskId}/load.svg" alt="执法人员预计工作量与剩余能力对比图" loading="lazy"><figcaption>每名执法人员本年度预计承担的检查次数与剩余可用能力。</figcaption></figure>
<h3>预警</h3>
${sim.warnings.length
  ? html`<ul data-testid="sim-warnings">${sim.warnings.map(
      (w) => html`<li class="warn"><strong>${w.message}</strong> <span class="muted mono">${w.code}</span><br>怎么办：${WARNING_FIXES[w.code] ?? '请按提示调整任务后重新模拟。'}</li>`,
    )}</ul>`
  : html`<p class="flash" data-testid="sim-warnings">没有预警：每个等级都会被抽查，执法人员的能力足够。</p>`}
</section>`;
}

export interface TaskPageData {
  task: {
    id: string;
    planId: string;
    name: string;
    status: string;
    statusLabel: string;
    departments: { code: string; officersPerTeam: number }[];
    leadDepartment: string;
    matters: string[];
    selection: { mode: string; rates?: Record<string, string>; total?: number; weights?: Record<string, string> };
    excludeStrata: { stratum: string; reason: string }[];
    filters: { entityTypes: string[]; industryCodes: string[]; streets: string[]; tags: string[] };
    exclusions: { yearlyCap: number | null; lookbackDays: number | null };
    window: { start: string; end: string };
    method: string;
    randomnessSource: string;
    author: string;
    approvedBy: string | null;
    events: { from: string | null; to: string; actor: string; at: string; note: string | null }[];
    drawId: string | null;
  };
  stage: { stage: DraftStage; comment: string | null } | null;
  matterNames: Map<string, string>;
  departmentNames: Map<string, string>;
  me: string;
  canWrite: boolean;
  csrf: string;
  simulation: Html;
}

const EVENT_LABELS: Record<string, string> = { draft: '草拟', approved: '已审批', committed: '已承诺', drawn: '已抽取', in_progress: '实施中', completed: '已完成', published: '已公示' };

export function taskPage(d: TaskPageData): Html {
  const t = d.task;
  const isAuthor = t.author === d.me;
  const actions: Html[] = [];
  if (d.canWrite && t.status === 'draft') {
    actions.push(html`<a class="button secondary" href="/console/tasks/${t.id}/edit">修改任务</a>`);
    if (isAuthor && d.stage?.stage !== 'submitted')
      actions.push(html`<form method="post" action="/console/tasks/${t.id}/submit">${csrfField(d.csrf)}<button type="submit" data-testid="task-submit">提交审批</button></form>`);
  }
  const approval =
    d.canWrite && t.status === 'draft' && !isAuthor
      ? html`<section class="card" data-testid="approval"><h2>审批</h2>
<p>由 ${t.author} 起草${d.stage?.stage === 'submitted' ? '，已提交审批' : '（尚未提交审批）'}。请核对上方参数和模拟结果。</p>
<form method="post" action="/console/tasks/${t.id}/approve" class="actions">${csrfField(d.csrf)}<button type="submit" data-testid="task-approve">审批通过</button></form>
<form class="stack" method="post" action="/console/tasks/${t.id}/return">${csrfField(d.csrf)}
<div class="row"><label for="return-comment">退回意见</label><textarea id="return-comment" name="comment" required minlength="2" maxlength="1000"></textarea></div>
<div class="actions"><button type="submit" class="secondary" data-testid="task-return">退回修改</button></div></form>
</section>`
      : t.status === 'draft' && isAuthor
        ? html`<p class="hint">须由另一名监管人员审批（双人审批）。</p>`
        : '';
  const sel = t.selection;
  const rates = sel.mode === 'rates' ? sel.rates ?? {} : sel.weights ?? {};
  return html`<h1>${t.name}</h1>
<p>${html`<span data-testid="task-status">${t.statusLabel}</span>`} ${t.status === 'draft' && d.stage ? draftStageTag(d.stage.stage) : ''}</p>
${d.stage?.stage === 'returned' ? html`<div class="warn" data-testid="return-comment">退回意见：${d.stage.comment}</div>` : ''}
${actions.length ? html`<div class="actions">${actions}</div>` : ''}
<dl class="kv" data-testid="task-params">
<dt>牵头部门</dt><dd>${d.departmentNames.get(t.leadDepartment) ?? t.leadDepartment}</dd>
<dt>参加部门及每组人数</dt><dd>${t.departments.map((x) => `${d.departmentNames.get(x.code) ?? x.code} ${x.officersPerTeam} 人`).join('；')}</dd>
<dt>抽查事项</dt><dd>${t.matters.map((m) => html`<span class="tag">${d.matterNames.get(m) ?? m}（${m}）</span>`)}</dd>
<dt>${sel.mode === 'rates' ? '抽查比例' : `抽查总数 ${sel.total ?? ''}，权重`}</dt><dd>${Object.entries(rates).map(([s, r]) => `${s} ${sel.mode === 'rates' ? `${(Number(r) * 100).toFixed(2).replace(/\.?0+$/, '')}%` : r}`).join('；')}</dd>
${t.excludeStrata.length ? html`<dt>不抽的等级</dt><dd>${t.excludeStrata.map((e) => `${e.stratum}：${e.reason}`).join('；')}</dd>` : ''}
<dt>抽取范围</dt><dd>${[
    t.filters.entityTypes.length ? `主体类型 ${t.filters.entityTypes.map((x) => ENTITY_TYPE_LABELS[x as keyof typeof ENTITY_TYPE_LABELS] ?? x).join('、')}` : '',
    t.filters.streets.length ? `街道 ${t.filters.streets.join('、')}` : '',
    t.filters.industryCodes.length ? `行业 ${t.filters.industryCodes.join('、')}` : '',
    t.filters.tags.length ? `标签 ${t.filters.tags.join('、')}` : '',
  ].filter(Boolean).join('；') || '全部检查对象'}</dd>
<dt>回避规则</dt><dd>每年最多 ${t.exclusions.yearlyCap ?? '不限'} 次；${t.exclusions.lookbackDays ? `${t.exclusions.lookbackDays} 天内已检查的不再抽` : '无回避期'}</dd>
<dt>检查时间</dt><dd>${period(t.window)}</dd>
<dt>检查方式</dt><dd>${t.method}</dd>
<dt>随机数来源</dt><dd>${t.randomnessSource}</dd>
<dt>起草 / 审批</dt><dd>${t.author} / ${t.approvedBy ?? '—'}</dd>
</dl>
${approval}
${['approved', 'committed', 'drawn', 'in_progress', 'completed', 'published'].includes(t.status) ? html`<p class="actions"><a class="button" href="/console/tasks/${t.id}/draw" data-testid="draw-link">抽取与抽取结果</a>${t.status !== 'approved' && t.status !== 'committed' ? html` <a class="button secondary" href="/console/results?task=${t.id}">检查结果与公示</a>` : ''}</p>` : ''}
${d.simulation}
<h2>状态记录</h2>
${table(
  ['时间（北京时间）', '操作人', '变化', '说明'],
  t.events.map((e) => html`<tr><td>${when(e.at)}</td><td>${e.actor}</td><td>${e.from ? `${EVENT_LABELS[e.from] ?? e.from} → ` : '新建 → '}${EVENT_LABELS[e.to] ?? e.to}</td><td>${e.note ?? ''}</td></tr>`),
  { testid: 'task-events' },
)}`;
}

export { confirmBox };
