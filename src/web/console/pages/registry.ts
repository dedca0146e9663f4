/**
 * Console pages of the two registries and their reference lists: the objects (检查对象名录) and
 * inspectors (执法检查人员名录) with filters, pagination and export links; one object with its
 * grade history, abnormal-list records and inspections; one inspector; departments and matters.
 */
import {
  ENTITY_TYPES, ENTITY_TYPE_LABELS, GRADES, GRADE_LABELS, INSPECTOR_KINDS, INSPECTOR_KIND_LABELS, INSPECTOR_STATUSES,
  INSPECTOR_STATUS_LABELS, MATTER_IMPORTANCE_LABELS, REGISTRATION_STATUSES, REGISTRATION_STATUS_LABELS, YUZHONG_STREETS,
  type EntityType, type Grade, type MatterImportance,
} from '../../../domain/registry.ts';
import type { AppError } from '../../../domain/errors.ts';
import type { InspectorView, ObjectView } from '../../../services/views.ts';
import { html, type Html } from '../../html.ts';
import { when } from '../../format.ts';
import { csrfField, pager, selectField, table, tag, textField, type Tone } from '../components.ts';

// ---------------------------------------------------------------------------- shared bits

export interface Department {
  code: string;
  name: string;
}

export interface Matter {
  code: string;
  departmentCode: string;
  name: string;
  legalBasis: string | null;
  importance: string;
  ratioCap: number | null;
  entityTypes: string[];
  method: string | null;
}

const label = <T extends string>(labels: Record<T, string>, v: string | null | undefined): string => (v ? (labels[v as T] ?? v) : '—');
const options = <T extends string>(codes: readonly T[], labels: Record<T, string>) => codes.map((c) => ({ value: c, label: labels[c] }));

const GRADE_TONES: Record<Grade, Tone> = { A: 'green', B: 'blue', C: 'orange', D: 'red' };

export function gradeTag(grade: string | null | undefined): Html {
  if (!grade) return tag('未分类', 'gray');
  return tag(`${grade} ${GRADE_LABELS[grade as Grade] ?? ''}`.trim(), GRADE_TONES[grade as Grade] ?? 'gray');
}

function registrationTag(status: string): Html {
  return tag(label(REGISTRATION_STATUS_LABELS, status), status === 'active' ? 'green' : status === 'moved_out' ? 'orange' : 'gray');
}

function inspectorStatusTag(status: string): Html {
  return tag(label(INSPECTOR_STATUS_LABELS, status), status === 'active' ? 'green' : status === 'on_leave' ? 'orange' : 'gray');
}

function departmentName(departments: readonly Department[], code: string | null): string {
  if (!code) return '—';
  const d = departments.find((x) => x.code === code);
  return d ? `${d.name}（${d.code}）` : code;
}

/** Links to the XLSX and CSV downloads of a registry (shown to those who may export). */
function exportLinks(kind: 'objects' | 'inspectors'): Html {
  return html`<div class="actions" data-testid="export-links"><span class="muted">导出全部${kind === 'objects' ? '检查对象' : '执法检查人员'}（表头与导入相同，可修改后再导入）：</span><a class="button secondary" href="/console/${kind}/export?format=xlsx" data-testid="export-xlsx">导出 Excel（XLSX）</a><a class="button secondary" href="/console/${kind}/export?format=csv" data-testid="export-csv">导出 CSV</a></div>`;
}

function filterError(err: AppError | null): Html | string {
  if (!err) return '';
  return html`<div class="error" role="alert" data-testid="form-error"><strong>${err.message}</strong> <span class="muted mono">${err.code}</span></div>`;
}

// ---------------------------------------------------------------------------- objects

export interface ObjectFilterValues {
  q: string;
  grade: string;
  street: string;
  type: string;
  status: string;
  industry: string;
  tag: string;
}

export function objectsPage(d: {
  filters: ObjectFilterValues;
  items: ObjectView[];
  total: number;
  page: number;
  pageSize: number;
  canExport: boolean;
  canWrite: boolean;
  csrf: string;
  error: AppError | null;
}): Html {
  const f = d.filters;
  const rows = d.items.map(
    (o) => html`<tr><td class="mono"><a href="/console/objects/${o.uscc}">${o.uscc}</a></td><td>${o.name}</td><td>${label(ENTITY_TYPE_LABELS, o.entityType)}</td><td>${o.street ?? '—'}</td><td>${o.industryCode ?? '—'}</td><td>${registrationTag(o.registrationStatus)}</td><td>${gradeTag(o.creditGrade)}</td><td>${o.tags.map((t) => tag(t, 'blue'))}</td></tr>`,
  );
  return html`<h1>检查对象名录</h1>
<form class="filters" method="get" action="/console/objects" role="search" data-testid="object-filters">
${textField('q', '名称或信用代码', f.q, { type: 'search', id: 'f-q' })}
${selectField('grade', '信用风险分类', [...options(GRADES, GRADE_LABELS).map((o) => ({ value: o.value, label: `${o.value} ${o.label}` })), { value: 'unrated', label: '未分类' }], f.grade, { empty: '全部' })}
<div class="row"><label for="f-street">所属街道</label><input id="f-street" name="street" type="text" list="streets" value="${f.street}"><datalist id="streets">${YUZHONG_STREETS.map((s) => html`<option value="${s}"></option>`)}</datalist></div>
${selectField('type', '主体类型', options(ENTITY_TYPES, ENTITY_TYPE_LABELS), f.type, { empty: '全部' })}
${selectField('status', '登记状态', options(REGISTRATION_STATUSES, REGISTRATION_STATUS_LABELS), f.status, { empty: '全部' })}
${textField('industry', '行业代码', f.industry, { attrs: 'placeholder="如 F5211"' })}
${textField('tag', '标签', f.tag)}
<div class="actions"><button type="submit">查询</button><a href="/console/objects">清空条件</a></div>
</form>
${filterError(d.error)}
${d.canExport ? exportLinks('objects') : ''}
${d.canWrite ? html`<details class="card"><summary>新增检查对象</summary>${objectCreateForm(d.csrf)}</details>` : ''}
<p class="muted" data-testid="result-count">共 ${d.total} 个检查对象${d.total > 0 ? `，本页 ${d.items.length} 个` : ''}。</p>
${table(['统一社会信用代码', '名称', '主体类型', '所属街道', '行业代码', '登记状态', '信用风险分类', '标签'], rows, { testid: 'objects', empty: '没有符合条件的检查对象。' })}
${pager('/console/objects', { ...f }, d.page, d.page * d.pageSize < d.total, d.total)}`;
}

/** The fields of an object's form, filled with its stored values (empty for a new one). */
function objectFields(o: Partial<ObjectView>, p = 'f-'): Html {
  return html`${textField('name', '名称', o.name ?? '', { required: true, id: `${p}name` })}
${selectField('entityType', '主体类型', options(ENTITY_TYPES, ENTITY_TYPE_LABELS), o.entityType ?? '', { empty: o.uscc ? undefined : '按信用代码推定', id: `${p}entityType` })}
${textField('industryCode', '行业代码', o.industryCode ?? '', { hint: 'GB/T 4754，如 F5211 或 5211', id: `${p}industryCode` })}
${textField('street', '所属街道', o.street ?? '', { id: `${p}street` })}
${textField('address', '住所', o.address ?? '', { id: `${p}address` })}
${textField('registeredOn', '成立日期', o.registeredOn ?? '', { type: 'date', id: `${p}registeredOn` })}
${textField('legalRepresentative', '法定代表人（经营者）', o.legalRepresentative ?? '', { id: `${p}legalRepresentative` })}
${selectField('registrationStatus', '登记状态', options(REGISTRATION_STATUSES, REGISTRATION_STATUS_LABELS), o.registrationStatus ?? 'active', { id: `${p}registrationStatus` })}
${selectField('creditGrade', '信用风险分类', options(GRADES, GRADE_LABELS).map((g) => ({ value: g.value, label: `${g.value} ${g.label}` })), o.creditGrade ?? '', { empty: '未分类', id: `${p}creditGrade` })}
${textField('gradedOn', '分类日期', '', { type: 'date', hint: '仅在修改分类时填写；留空取当天。旧分类连同其日期记入分类历史', id: `${p}gradedOn` })}
${selectField('sectorGrade', '行业风险等级', GRADES.map((g) => ({ value: g, label: g })), o.sectorGrade ?? '', { empty: '无', id: `${p}sectorGrade` })}
${textField('tags', '标签', (o.tags ?? []).join('、'), { hint: '多个标签用顿号、逗号或分号分隔', id: `${p}tags` })}`;
}

function objectCreateForm(csrf: string): Html {
  return html`<form class="stack" method="post" action="/console/objects" data-testid="object-create-form">
<input type="hidden" name="_csrf" value="${csrf}">
${textField('uscc', '统一社会信用代码', '', { required: true, id: 'new-uscc', attrs: 'maxlength="18" autocomplete="off"' })}
${objectFields({}, 'new-')}
<div class="actions"><button type="submit">新增</button></div>
</form>`;
}

export interface ObjectHistoryView {
  inspections: { inspectedOn: string; departmentCode: string; officers: string[]; resultCodes: string[]; taskRef: string | null }[];
  violations: { occurredOn: string; violationType: string; decision: string | null }[];
  changes: { changedAt: string; source: string; before: unknown; after: unknown }[];
}

export interface ObjectDetailView extends ObjectView {
  gradeHistory: { kind: string; grade: string | null; gradedOn: string | null; supersededOn: string }[];
  abnormalListings: { id: number; listedOn: string; reason: string; removedOn: string | null; removalReason: string | null }[];
}

function fieldList(v: unknown): string {
  if (!v || typeof v !== 'object') return '—';
  return Object.keys(v).join('、') || '—';
}

export function objectPage(d: { object: ObjectDetailView; history: ObjectHistoryView; departments: Department[]; canWrite: boolean; csrf: string; today: string }): Html {
  const o = d.object;
  const credit = d.object.gradeHistory.filter((g) => g.kind === 'credit');
  const sector = d.object.gradeHistory.filter((g) => g.kind === 'sector');
  const open = o.abnormalListings.find((a) => a.removedOn === null);
  const gradeRows = [
    html`<tr><td>信用风险分类</td><td>${gradeTag(o.creditGrade)}</td><td>${o.gradedOn ?? '—'}</td><td>${tag('现行', 'blue')}</td></tr>`,
    ...credit.map((g) => html`<tr><td>信用风险分类</td><td>${gradeTag(g.grade)}</td><td>${g.gradedOn ?? '—'}</td><td>${g.supersededOn} 被取代</td></tr>`),
    ...(o.sectorGrade || sector.length ? [html`<tr><td>行业风险等级</td><td>${o.sectorGrade ?? '—'}</td><td>${o.sectorGradedOn ?? '—'}</td><td>${tag('现行', 'blue')}</td></tr>`] : []),
    ...sector.map((g) => html`<tr><td>行业风险等级</td><td>${g.grade ?? '—'}</td><td>${g.gradedOn ?? '—'}</td><td>${g.supersededOn} 被取代</td></tr>`),
  ];
  return html`<h1>${o.name}</h1>
<p>${registrationTag(o.registrationStatus)} ${gradeTag(o.creditGrade)} ${open ? tag('经营异常名录', 'red') : ''} ${o.tags.map((t) => tag(t, 'blue'))}</p>
<div class="card"><dl class="kv" data-testid="object-fields">
<dt>统一社会信用代码</dt><dd class="mono">${o.uscc}</dd>
<dt>名称</dt><dd>${o.name}</dd>
<dt>主体类型</dt><dd>${label(ENTITY_TYPE_LABELS, o.entityType)}</dd>
<dt>行业代码</dt><dd>${o.industryCode ?? '—'}</dd>
<dt>所属街道</dt><dd>${o.street ?? '—'}</dd>
<dt>住所</dt><dd>${o.address ?? '—'}</dd>
<dt>成立日期</dt><dd>${o.registeredOn ?? '—'}</dd>
<dt>法定代表人（经营者）</dt><dd>${o.legalRepresentative ?? '—'}</dd>
<dt>登记状态</dt><dd>${label(REGISTRATION_STATUS_LABELS, o.registrationStatus)}</dd>
<dt>信用风险分类</dt><dd>${o.creditGrade ? `${o.creditGrade}（${o.gradedOn ?? '日期不详'} 起）` : '未分类'}</dd>
<dt>行业风险等级</dt><dd>${o.sectorGrade ?? '—'}</dd>
<dt>更新时间</dt><dd>${when(o.updatedAt)}</dd>
</dl></div>
<h2>分类历史</h2>
${table(['类别', '等级', '评定日期', '状态'], gradeRows, { testid: 'grade-history' })}
<h2>经营异常名录记录</h2>
${table(
  ['列入日期', '列入原因', '移出日期', '移出原因'],
  o.abnormalListings.map((a) => html`<tr><td>${a.listedOn}</td><td>${a.reason}</td><td>${a.removedOn ?? tag('未移出', 'red')}</td><td>${a.removalReason ?? '—'}</td></tr>`),
  { testid: 'abnormal-listings', empty: '从未列入经营异常名录。' },
)}
${d.canWrite ? abnormalForms(o.uscc, open, d.csrf, d.today) : ''}
<h2>以往检查</h2>
${table(
  ['检查日期', '检查部门', '检查人员（执法证号）', '结果代码', '任务'],
  d.history.inspections.map((i) => html`<tr><td>${i.inspectedOn}</td><td>${departmentName(d.departments, i.departmentCode)}</td><td class="mono">${i.officers.join('、')}</td><td class="mono">${i.resultCodes.join('、')}</td><td>${i.taskRef ?? '—'}</td></tr>`),
  { testid: 'past-inspections', empty: '没有以往检查记录。' },
)}
<h2>以往违法记录</h2>
${table(
  ['发生日期', '违法类型', '处理决定'],
  d.history.violations.map((v) => html`<tr><td>${v.occurredOn}</td><td class="mono">${v.violationType}</td><td>${v.decision ?? '—'}</td></tr>`),
  { testid: 'past-violations', empty: '没有以往违法记录。' },
)}
<h2>名录修改记录</h2>
${table(
  ['时间', '修改人或来源', '修改的字段'],
  d.history.changes.map((c) => html`<tr><td>${when(c.changedAt)}</td><td>${c.source}</td><td class="mono">${fieldList(c.after)}</td></tr>`),
  { testid: 'registry-changes', empty: '没有修改记录。' },
)}
${d.canWrite
  ? html`<h2 id="edit">修改检查对象</h2>
<p class="muted">只保存改动过的字段；修改信用风险分类时，旧分类连同其日期记入分类历史。</p>
<form class="stack" method="post" action="/console/objects/${o.uscc}" data-testid="object-edit-form">
<input type="hidden" name="_csrf" value="${d.csrf}">
${objectFields(o)}
<div class="actions"><button type="submit">保存修改</button></div>
</form>`
  : ''}`;
}

function abnormalForms(uscc: string, open: ObjectDetailView['abnormalListings'][number] | undefined, csrf: string, today: string): Html {
  if (open) {
    return html`<details class="card"><summary>移出经营异常名录（信用修复等）</summary>
<form class="stack" method="post" action="/console/objects/${uscc}/abnormal/remove" data-testid="abnormal-remove-form">
<input type="hidden" name="_csrf" value="${csrf}">
${textField('removedOn', '移出日期', today, { type: 'date', required: true, id: 'removedOn' })}
${textField('reason', '移出原因', '', { required: true, id: 'removal-reason' })}
<div class="actions"><button type="submit">移出</button></div>
</form></details>`;
  }
  return html`<details class="card"><summary>列入经营异常名录</summary>
<form class="stack" method="post" action="/console/objects/${uscc}/abnormal" data-testid="abnormal-add-form">
<input type="hidden" name="_csrf" value="${csrf}">
${textField('listedOn', '列入日期', today, { type: 'date', required: true, id: 'listedOn' })}
${textField('reason', '列入原因', '', { required: true, id: 'listing-reason' })}
<div class="actions"><button type="submit">列入</button></div>
</form></details>`;
}

// ---------------------------------------------------------------------------- inspectors

export interface InspectorFilterValues {
  q: string;
  department: string;
  status: string;
  kind: string;
}

export function inspectorsPage(d: {
  filters: InspectorFilterValues;
  items: InspectorView[];
  total: number;
  page: number;
  pageSize: number;
  departments: Department[];
  canExport: boolean;
  canWrite: boolean;
  csrf: string;
  ownDepartment: string | null;
  error: AppError | null;
}): Html {
  const f = d.filters;
  const rows = d.items.map(
    (i) => html`<tr><td class="mono"><a href="/console/inspectors/${encodeURIComponent(i.certificateNo)}">${i.certificateNo}</a></td><td>${i.name}</td><td>${departmentName(d.departments, i.departmentCode)}</td><td>${i.kind === 'auxiliary' ? tag(INSPECTOR_KIND_LABELS.auxiliary, 'gray') : INSPECTOR_KIND_LABELS.officer}</td><td>${inspectorStatusTag(i.status)}</td><td>${i.validFrom ?? '—'} 至 ${i.validTo ?? '—'}</td><td class="mono">${i.qualifications.join('、') || '—'}</td><td class="num">${i.yearlyCapacity}</td></tr>`,
  );
  return html`<h1>执法检查人员名录</h1>
<form class="filters" method="get" action="/console/inspectors" role="search" data-testid="inspector-filters">
${textField('q', '姓名或执法证号', f.q, { type: 'search' })}
${selectField('department', '所属部门', d.departments.map((x) => ({ value: x.code, label: x.name })), f.department, { empty: '全部' })}
${selectField('status', '状态', options(INSPECTOR_STATUSES, INSPECTOR_STATUS_LABELS), f.status, { empty: '全部' })}
${selectField('kind', '人员类别', options(INSPECTOR_KINDS, INSPECTOR_KIND_LABELS), f.kind, { empty: '全部' })}
<div class="actions"><button type="submit">查询</button><a href="/console/inspectors">清空条件</a></div>
</form>
${filterError(d.error)}
${d.canExport ? exportLinks('inspectors') : ''}
${d.canWrite ? html`<details class="card"><summary>新增执法检查人员</summary>${inspectorCreateForm(d.csrf, d.departments, d.ownDepartment)}</details>` : ''}
<p class="muted" data-testid="result-count">共 ${d.total} 名人员${d.total > 0 ? `，本页 ${d.items.length} 名` : ''}。辅助人员不会被抽中为检查人员。</p>
${table(['执法证号', '姓名', '所属部门', '人员类别', '状态', '执法证有效期', '执法类别（事项）', '年度检查容量'], rows, { testid: 'inspectors', empty: '没有符合条件的人员。' })}
${pager('/console/inspectors', { ...f }, d.page, d.page * d.pageSize < d.total, d.total)}`;
}

function inspectorFields(i: Partial<InspectorView>, departments: Department[], department: string, p = 'f-'): Html {
  return html`${textField('name', '姓名', i.name ?? '', { required: true, id: `${p}name` })}
${selectField('department', '所属部门', departments.map((x) => ({ value: x.code, label: `${x.name}（${x.code}）` })), department, { required: true, id: `${p}department` })}
${textField('validFrom', '执法证有效期起', i.validFrom ?? '', { type: 'date', id: `${p}validFrom` })}
${textField('validTo', '执法证有效期止', i.validTo ?? '', { type: 'date', id: `${p}validTo` })}
${textField('qualifications', '执法类别（可检查的事项编码）', (i.qualifications ?? []).join('、'), { hint: '多个用顿号、逗号或分号分隔，如 SC-01、SC-02', id: `${p}qualifications` })}
${selectField('kind', '人员类别', options(INSPECTOR_KINDS, INSPECTOR_KIND_LABELS), i.kind ?? 'officer', { hint: '辅助人员不会被抽中', id: `${p}kind` })}
${selectField('status', '状态', options(INSPECTOR_STATUSES, INSPECTOR_STATUS_LABELS), i.status ?? 'active', { id: `${p}status` })}
${textField('yearlyCapacity', '年度检查容量（户次）', String(i.yearlyCapacity ?? 0), { type: 'number', attrs: 'min="0" max="100000" step="1"', id: `${p}yearlyCapacity` })}`;
}

function inspectorCreateForm(csrf: string, departments: Department[], ownDepartment: string | null): Html {
  return html`<form class="stack" method="post" action="/console/inspectors" data-testid="inspector-create-form">
<input type="hidden" name="_csrf" value="${csrf}">
${textField('certificateNo', '执法证号', '', { required: true, id: 'new-certificateNo', attrs: 'maxlength="64" autocomplete="off"' })}
${inspectorFields({}, departments, ownDepartment ?? '', 'new-')}
<div class="actions"><button type="submit">新增</button></div>
</form>`;
}

export interface InspectorDetailView extends InspectorView {
  conflicts: { uscc: string; reason: string; declaredOn: string | null }[];
}

export function inspectorPage(d: {
  inspector: InspectorDetailView;
  departments: Department[];
  /** Why this account may not edit the inspector (the scope rule's words), or null when it may. */
  cannotEdit: string | null;
  canWrite: boolean;
  csrf: string;
}): Html {
  const i = d.inspector;
  return html`<h1>${i.name}</h1>
<p>${inspectorStatusTag(i.status)} ${tag(label(INSPECTOR_KIND_LABELS, i.kind), i.kind === 'officer' ? 'blue' : 'gray')}</p>
<div class="card"><dl class="kv" data-testid="inspector-fields">
<dt>执法证号</dt><dd class="mono">${i.certificateNo}</dd>
<dt>姓名</dt><dd>${i.name}</dd>
<dt>所属部门</dt><dd>${departmentName(d.departments, i.departmentCode)}</dd>
<dt>执法证有效期</dt><dd>${i.validFrom ?? '—'} 至 ${i.validTo ?? '—'}</dd>
<dt>执法类别（事项）</dt><dd class="mono">${i.qualifications.join('、') || '—'}</dd>
<dt>人员类别</dt><dd>${label(INSPECTOR_KIND_LABELS, i.kind)}</dd>
<dt>状态</dt><dd>${label(INSPECTOR_STATUS_LABELS, i.status)}</dd>
<dt>年度检查容量</dt><dd>${i.yearlyCapacity} 户次</dd>
<dt>更新时间</dt><dd>${when(i.updatedAt)}</dd>
</dl></div>
<h2>回避记录</h2>
${table(
  ['统一社会信用代码', '回避原因', '申报日期'],
  i.conflicts.map((c) => html`<tr><td class="mono"><a href="/console/objects/${c.uscc}">${c.uscc}</a></td><td>${c.reason}</td><td>${c.declaredOn ?? '—'}</td></tr>`),
  { testid: 'conflicts', empty: '没有回避记录。' },
)}
${d.canWrite && d.cannotEdit ? html`<p class="hint" data-testid="cannot-edit">${d.cannotEdit}</p>` : ''}
${d.canWrite && !d.cannotEdit
  ? html`<details class="card"><summary>申报回避</summary>
<form class="stack" method="post" action="/console/inspectors/${encodeURIComponent(i.certificateNo)}/conflicts" data-testid="conflict-form">
<input type="hidden" name="_csrf" value="${d.csrf}">
${textField('uscc', '回避的主体（统一社会信用代码）', '', { required: true, id: 'conflict-uscc', attrs: 'maxlength="18"' })}
${textField('reason', '回避原因', '', { required: true, id: 'conflict-reason' })}
${textField('declaredOn', '申报日期', '', { type: 'date', id: 'conflict-declaredOn', hint: '留空取当天' })}
<div class="actions"><button type="submit">申报</button></div>
</form></details>
<h2 id="edit">修改人员信息</h2>
<p class="muted">只保存改动过的字段。</p>
<form class="stack" method="post" action="/console/inspectors/${encodeURIComponent(i.certificateNo)}" data-testid="inspector-edit-form">
<input type="hidden" name="_csrf" value="${d.csrf}">
${inspectorFields(i, d.departments, i.departmentCode)}
<div class="actions"><button type="submit">保存修改</button></div>
</form>`
  : ''}`;
}

// ---------------------------------------------------------------------------- reference lists

/** The forms under the reference lists: a department (administrators), a matter (administrators and regulators). */
function referenceForms(d: { departments: Department[]; csrf: string; canDepartments: boolean; canMatters: boolean; ownDepartment: string | null }): Html {
  const deptOptions = d.departments.filter((x) => !d.ownDepartment || x.code === d.ownDepartment).map((x) => ({ value: x.code, label: `${x.name}（${x.code}）` }));
  return html`${d.canMatters
    ? html`<details class="card"><summary><strong>新增或修改抽查事项</strong>（按事项编码；已有的编码即修改）</summary>
<form class="stack" method="post" action="/console/reference/matters" data-testid="matter-form">${csrfField(d.csrf)}
${textField('code', '事项编码', '', { required: true, id: 'm-code', attrs: 'maxlength="64"' })}
${textField('name', '事项名称', '', { required: true, id: 'm-name', attrs: 'maxlength="200"' })}
${selectField('department', '所属部门', deptOptions, d.ownDepartment ?? '', { id: 'm-department' })}
${selectField('importance', '事项类别', Object.entries(MATTER_IMPORTANCE_LABELS).map(([value, l]) => ({ value, label: l })), 'general', { id: 'm-importance' })}
${textField('ratioCap', '抽查比例上限（一般事项必填，0–1，如 0.05；重点事项不填）', '', { id: 'm-ratio', attrs: 'inputmode="decimal"' })}
${textField('legalBasis', '检查依据', '', { id: 'm-basis', attrs: 'maxlength="2000"' })}
${textField('method', '检查方式', '', { id: 'm-method', attrs: 'maxlength="100"' })}
<div class="actions"><button type="submit">保存事项</button></div></form></details>`
    : ''}
${d.canDepartments
  ? html`<details class="card"><summary><strong>新增部门或修改部门名称</strong>（管理员）</summary>
<form class="stack" method="post" action="/console/reference/departments" data-testid="department-form">${csrfField(d.csrf)}
${textField('code', '部门代码（字母、数字、- 和 _）', '', { required: true, id: 'd-code', attrs: 'maxlength="32"' })}
${textField('name', '部门名称', '', { required: true, id: 'd-name', attrs: 'maxlength="100"' })}
<div class="actions"><button type="submit">保存部门</button></div></form></details>`
  : ''}`;
}

export function referencePage(d: { departments: Department[]; matters: Matter[]; department: string; forms?: Parameters<typeof referenceForms>[0] }): Html {
  const rows = d.matters.map(
    (m) => html`<tr><td class="mono">${m.code}</td><td>${m.name}</td><td>${departmentName(d.departments, m.departmentCode)}</td><td>${m.importance === 'key' ? tag(MATTER_IMPORTANCE_LABELS.key, 'red') : tag(label(MATTER_IMPORTANCE_LABELS, m.importance as MatterImportance), 'blue')}</td><td class="num">${m.ratioCap === null ? '—' : `${+(m.ratioCap * 100).toFixed(2)}%`}</td><td>${m.entityTypes.length ? m.entityTypes.map((t) => label(ENTITY_TYPE_LABELS, t as EntityType)).join('、') : '全部'}</td><td>${m.method ?? '—'}</td><td>${m.legalBasis ?? '—'}</td></tr>`,
  );
  return html`<h1>部门与抽查事项</h1>
<h2>部门</h2>
${table(['部门代码', '部门名称'], d.departments.map((x) => html`<tr><td class="mono">${x.code}</td><td>${x.name}</td></tr>`), { testid: 'departments', empty: '尚无部门。管理员可在“导入名录”中导入部门。' })}
<h2>抽查事项清单</h2>
<form class="filters" method="get" action="/console/reference" data-testid="matter-filters">
${selectField('department', '部门', d.departments.map((x) => ({ value: x.code, label: x.name })), d.department, { empty: '全部部门' })}
<div class="actions"><button type="submit">筛选</button></div>
</form>
<p class="muted">重点事项不设抽查比例上限；一般事项的抽查比例不超过其上限。</p>
${table(['事项编码', '事项名称', '部门', '类别', '抽查比例上限', '适用对象', '检查方式', '检查依据'], rows, { testid: 'matters', empty: '没有抽查事项。' })}
${d.forms ? referenceForms(d.forms) : ''}`;
}
