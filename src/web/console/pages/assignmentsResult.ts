/**
 * The result form (录入检查结果), phone first: inspection date, result codes as checkboxes with
 * the consistency rules written beside them, method, follow-up, one fieldset per matter (compliant
 * or not; the violation type picked from the published vocabulary, never typed), note, and the
 * photos and scanned records in the same multipart form. A refused form comes back with the
 * service's reason and everything that was typed.
 */
import type { ViolationType } from '../../../domain/violationTypes.ts';
import { html, raw, type Html } from '../../html.ts';
import { period } from '../../format.ts';
import { CORRECTION_LABELS, HARM_LABELS } from './assignments.ts';

export interface FindingValues {
  compliant: '' | 'yes' | 'no';
  violationType: string;
  violatedProvision: string;
  harm: string;
  correction: string;
  occurredOn: string;
  durationDays: string;
  note: string;
}

export interface ResultFormValues {
  inspectedOn: string;
  codes: string[];
  method: string;
  followUp: string[];
  note: string;
  /** One per matter of the assignment, in its order. */
  findings: FindingValues[];
}

export const emptyFinding = (): FindingValues => ({ compliant: '', violationType: '', violatedProvision: '', harm: '', correction: '', occurredOn: '', durationDays: '', note: '' });

/** The consistency rules of the result codes (src/domain/results.ts checkResultRules), in plain Chinese. */
export const CODE_RULES: readonly string[] = [
  '“1 未发现问题”只能单独选择，后续处置选“无需后续处置”。',
  '“9 已注销”“10 已吊销”“11 已撤销”“12 已迁出”表示主体已不存续，只能单独选择其中一项。',
  '选 B、C、6 或 D 时，须同时选“2 违反工商行政管理相关规定”。',
  '选了违法类别（2、3、4、5）时，须同时选“A 发现问题待后续处理”或“E 发现问题经责令已改正”；选 A 或 E 时，也须同时选违法类别。',
  '有不合规的事项时，结果须含 A 或 E，不能选 1；后续处置须含“责令改正”（不罚≠不管）。',
  '选 E 时，至少一个不合规事项的改正情况须为及时改正（发现前、作出决定前或责令期限内改正）。',
  '“6 通过登记的住所（经营场所）无法联系”须经实地检查确认，核查方式选“实地检查”。',
  '含 6 或 C 的结果审核通过后须在 10 个工作日内列入经营异常名录，后续处置不能是“无需后续处置”。',
  '除选了 6、7、8、F 或 9–12（无法全部检查）外，每个检查事项都须记录是否合规。',
];

export interface ResultFormData {
  assignment: { id: string; entityName: string; window: { start: string; end: string }; matters: { code: string; name: string }[] };
  codes: { code: string; label: string; abnormalList: boolean }[];
  methods: readonly string[];
  followUps: readonly string[];
  violationTypes: readonly ViolationType[];
  values: ResultFormValues;
  csrf: string;
  /** The refusal to show above the form (the service's message, code and problems). */
  error?: Html;
  /** Set when editing: the reviewer's comment of a returned result. */
  reviewComment?: string | null;
  /** Measures already proposed (through the API), kept unchanged by this form. */
  keptMeasures: number;
  existingAttachments: number;
  maxAttachments: number;
  editing: boolean;
}

const checked = (b: boolean) => (b ? raw(' checked') : '');
const selected = (b: boolean) => (b ? raw(' selected') : '');

function violationSelect(id: string, name: string, value: string, types: readonly ViolationType[]): Html {
  const group = (source: 'list' | 'common', label: string) => {
    const items = types.filter((t) => t.source === source);
    return items.length ? html`<optgroup label="${label}">${items.map((t) => html`<option value="${t.code}"${selected(t.code === value)}>${t.name}（${t.code}）</option>`)}</optgroup>` : '';
  };
  return html`<select id="${id}" name="${name}" data-testid="violation-type"><option value="">（请选择）</option>${group('list', '免罚清单中的类型')}${group('common', '其他常见类型')}</select>`;
}

function findingFieldset(i: number, m: { code: string; name: string }, v: FindingValues, types: readonly ViolationType[]): Html {
  const p = `f${i}`;
  const opt = (labels: Record<string, string>, value: string) =>
    html`<option value="">（请选择）</option>${Object.entries(labels).map(([k, l]) => html`<option value="${k}"${selected(k === value)}>${l}</option>`)}`;
  return html`<fieldset data-testid="finding" data-matter="${m.code}">
<legend>事项 ${i + 1}：${m.name} <span class="muted mono">${m.code}</span></legend>
<div class="choices" role="radiogroup" aria-label="${m.name}是否合规">
<label><input type="radio" name="${p}.compliant" value="yes" id="${p}-yes"${checked(v.compliant === 'yes')}> 合规</label>
<label><input type="radio" name="${p}.compliant" value="no" id="${p}-no"${checked(v.compliant === 'no')}> 不合规</label>
</div>
<p class="muted">选“不合规”时填写以下各项（合规时不填）：</p>
<div class="row"><label for="${p}-type">违法行为类型</label>${violationSelect(`${p}-type`, `${p}.violationType`, v.violationType, types)}
<span class="muted">从代码表中选择：免罚清单中的类型会按清单评估是否可不予处罚。</span></div>
<div class="row"><label for="${p}-provision">违反的条款</label><input id="${p}-provision" name="${p}.violatedProvision" type="text" maxlength="500" value="${v.violatedProvision}"></div>
<div class="row"><label for="${p}-harm">危害后果</label><select id="${p}-harm" name="${p}.harm">${opt(HARM_LABELS, v.harm)}</select></div>
<div class="row"><label for="${p}-correction">改正情况</label><select id="${p}-correction" name="${p}.correction">${opt(CORRECTION_LABELS, v.correction)}</select></div>
<div class="row"><label for="${p}-occurred">违法行为发生日期</label><input id="${p}-occurred" name="${p}.occurredOn" type="date" value="${v.occurredOn}"><span class="muted">不填按检查日期计。</span></div>
<div class="row"><label for="${p}-days">持续天数</label><input id="${p}-days" name="${p}.durationDays" type="number" min="0" max="36500" inputmode="numeric" value="${v.durationDays}"><span class="muted">清单对持续时间有要求时填写。</span></div>
<div class="row"><label for="${p}-note">说明</label><textarea id="${p}-note" name="${p}.note" maxlength="2000">${v.note}</textarea></div>
</fieldset>`;
}

export function resultFormPage(d: ResultFormData): Html {
  const a = d.assignment;
  const v = d.values;
  const room = d.maxAttachments - d.existingAttachments;
  return html`<h1>${d.editing ? '修改检查结果' : '录入检查结果'}</h1>
<p><strong>${a.entityName}</strong> <span class="muted">检查时间 ${period(a.window)}</span></p>
${d.reviewComment ? html`<div class="error" role="alert" data-testid="review-comment"><strong>审核退回意见：</strong>${d.reviewComment}</div>` : ''}
${d.error ?? ''}
<form method="post" action="/console/assignments/${a.id}/result" enctype="multipart/form-data" class="stack big" data-testid="result-form">
<input type="hidden" name="_csrf" value="${d.csrf}">
<div class="stack" hx-get="/console/assignments/${a.id}/result/check" hx-trigger="change" hx-include="closest form" hx-target="#code-check" hx-swap="innerHTML">
<div class="row"><label for="inspectedOn">检查日期</label><input id="inspectedOn" name="inspectedOn" type="date" value="${v.inspectedOn}" required></div>

<fieldset data-testid="result-codes">
<legend>检查结果（可多选）</legend>
<div class="choices">
${d.codes.map(
  (c) => html`<label for="code-${c.code}"><input type="checkbox" id="code-${c.code}" name="codes" value="${c.code}"${checked(v.codes.includes(c.code))}> <span class="mono">${c.code}</span> ${c.label}${c.abnormalList ? html` <span class="tag orange">列入经营异常名录</span>` : ''}</label>`,
)}
</div>
<div id="code-check" aria-live="polite" data-testid="code-check"></div>
<details open><summary>选择规则</summary><ul class="muted" data-testid="code-rules">${CODE_RULES.map((r) => html`<li>${r}</li>`)}</ul></details>
</fieldset>

<div class="row"><label for="method">核查方式</label><select id="method" name="method" required><option value="">（请选择）</option>${d.methods.map((m) => html`<option value="${m}"${selected(m === v.method)}>${m}</option>`)}</select></div>

<fieldset>
<legend>后续处置（可多选）</legend>
<div class="choices">
${d.followUps.map((f, i) => html`<label for="follow-${i}"><input type="checkbox" id="follow-${i}" name="followUp" value="${f}"${checked(v.followUp.includes(f))}> ${f}</label>`)}
</div>
</fieldset>

<h2>各事项检查情况</h2>
${a.matters.map((m, i) => findingFieldset(i, m, v.findings[i] ?? emptyFinding(), d.violationTypes))}
${d.keptMeasures ? html`<p class="hint">已提出的行政强制措施 ${d.keptMeasures} 项保持不变（提交后重新与不予实施行政强制措施清单比对）。</p>` : ''}

<div class="row"><label for="note">备注</label><textarea id="note" name="note" maxlength="4000">${v.note}</textarea></div>

<div class="row"><label for="attachments">照片或扫描件（可选）</label>
${room > 0
  ? html`<input id="attachments" type="file" name="attachments" multiple accept="image/jpeg,image/png,application/pdf" data-testid="attachment-input">
<span class="muted">JPEG、PNG 或 PDF（按文件内容识别），每个不超过 10 MB；本次检查还可添加 ${room} 个（已有 ${d.existingAttachments} 个）。结果被拒绝时附件不会保存，请重新选择。</span>`
  : html`<span class="muted">本次检查已有 ${d.existingAttachments} 个附件，达到上限。</span>`}
</div>

<p class="muted">提交后，不合规事项按检查日有效的免罚清单评估，结果进入审核。</p>
<div class="actions"><button type="submit" data-testid="result-submit">${d.editing ? '提交修改' : '提交审核'}</button> <a href="/console/assignments/${a.id}">取消</a></div>
</div>
</form>`;
}

/**
 * The live check of the form (htmx, on every change): the consistency rules the service applies
 * on submit (src/domain/results.ts checkResultRules), as a fragment. Without JavaScript the same
 * rules answer on submit.
 */
export function codeCheckFragment(problems: readonly { path?: string; code: string; message: string }[], empty: boolean): Html {
  if (empty) return html``;
  if (!problems.length) return html`<p class="flash">当前选择符合检查结果的填写规则。</p>`;
  return html`<div class="warn"><strong>当前选择还不能提交：</strong><ul>${problems.slice(0, 12).map((p) => html`<li>${p.message} <span class="muted mono">${p.code}</span></li>`)}</ul></div>`;
}
