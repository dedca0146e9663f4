/**
 * The administrator's account pages (账号管理): the list with the creation form, one account with
 * its role / department / linked officer, password reset and disabling, and the page that shows
 * a one-time password once.
 */
import { ROLES, type Role } from '../../../domain/actor.ts';
import { html, type Html } from '../../html.ts';
import { when } from '../../format.ts';
import { confirmBox, csrfField, selectField, table, tag, textField } from '../components.ts';

export interface AccountRow {
  username: string;
  role: Role;
  department: string | null;
  officer: string | null;
  disabled: boolean;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Choices {
  roleLabels: Record<Role, string>;
  departments: { code: string; name: string }[];
  officers: { certificateNo: string; name: string; department: string }[];
}

const enc = (u: string) => encodeURIComponent(u);

function deptName(c: Choices, code: string | null): string {
  if (!code) return '—';
  const d = c.departments.find((x) => x.code === code);
  return d ? `${d.name}（${d.code}）` : code;
}

function officerName(c: Choices, cert: string | null): string {
  if (!cert) return '—';
  const o = c.officers.find((x) => x.certificateNo === cert);
  return o ? `${o.name}（${cert}）` : cert;
}

/** The role, department and officer fields (create and change share them). */
function placementFields(c: Choices, current: { role?: Role; department?: string | null; officer?: string | null }, idPrefix: string): Html {
  return html`${selectField('role', '角色', ROLES.map((r) => ({ value: r, label: `${c.roleLabels[r]}（${r}）` })), current.role ?? '', { required: true, id: `${idPrefix}-role` })}
${selectField('department', '所属部门（监管人员必填）', c.departments.map((d) => ({ value: d.code, label: `${d.name}（${d.code}）` })), current.department ?? '', {
  id: `${idPrefix}-department`,
  empty: '（不属于部门）',
  hint: '监管人员只能看到和办理本部门参加的任务。',
})}
${textField('officer', '关联执法人员的执法证号（执法检查人员必填）', current.officer ?? '', {
  id: `${idPrefix}-officer`,
  attrs: `list="${idPrefix}-officers" autocomplete="off"`,
  hint: '执法检查人员账号以名录中的这名执法人员身份工作，所属部门随其登记的部门。',
})}
<datalist id="${idPrefix}-officers">${c.officers.map((o) => html`<option value="${o.certificateNo}">${o.name}（${o.department}）</option>`)}</datalist>`;
}

export function accountsPage(d: { accounts: AccountRow[]; choices: Choices; csrf: string; self: string }): Html {
  const c = d.choices;
  return html`<h1>账号管理</h1>
<p class="muted">新建账号时由系统生成一次性密码，只显示一次；请当面或通过可靠渠道交给本人，并请其登录后立即在“修改密码”中改为自己的密码。</p>
${table(
  ['用户名', '角色', '所属部门', '关联执法人员', '状态', '创建时间', '操作'],
  d.accounts.map(
    (a) => html`<tr data-account="${a.username}">
<td><strong>${a.username}</strong>${a.username === d.self ? html` ${tag('当前账号', 'blue')}` : ''}</td>
<td>${c.roleLabels[a.role]}</td>
<td>${deptName(c, a.department)}</td>
<td>${officerName(c, a.officer)}</td>
<td>${a.disabled ? tag('已停用', 'red') : tag('启用', 'green')}</td>
<td>${when(a.createdAt)}</td>
<td><a href="/console/admin/accounts/${enc(a.username)}">管理</a></td>
</tr>`,
  ),
  { testid: 'accounts-table', empty: '还没有账号。' },
)}
<h2>新建账号</h2>
<form class="stack card" method="post" action="/console/admin/accounts" data-testid="account-create-form">
${csrfField(d.csrf)}
${textField('username', '用户名', '', { required: true, id: 'new-username', hint: '2–64 个字母、数字或 _ . @ -', attrs: 'maxlength="64" autocomplete="off"' })}
${placementFields(c, {}, 'new')}
<div class="actions"><button type="submit">新建账号并生成一次性密码</button></div>
</form>`;
}

export function accountPage(d: { account: AccountRow; choices: Choices; csrf: string; self: boolean }): Html {
  const a = d.account;
  const c = d.choices;
  const e = enc(a.username);
  return html`<h1>账号：${a.username} ${a.disabled ? tag('已停用', 'red') : tag('启用', 'green')}</h1>
<div class="card"><dl class="kv">
<dt>角色</dt><dd>${c.roleLabels[a.role]}（${a.role}）</dd>
<dt>所属部门</dt><dd>${deptName(c, a.department)}</dd>
<dt>关联执法人员</dt><dd>${officerName(c, a.officer)}</dd>
<dt>创建时间</dt><dd>${when(a.createdAt)}</dd>
<dt>最后修改</dt><dd>${when(a.updatedAt)}</dd>
${a.disabledAt ? html`<dt>停用时间</dt><dd>${when(a.disabledAt)}</dd>` : ''}
</dl></div>
<h2>角色、部门和关联执法人员</h2>
<form class="stack card" method="post" action="/console/admin/accounts/${e}/role" data-testid="account-role-form">
${csrfField(d.csrf)}
${placementFields(c, a, 'edit')}
${d.self ? html`<p class="muted">不能更改自己账号的角色，请由另一位管理员操作。</p>` : ''}
<div class="actions"><button type="submit">保存</button></div>
</form>
<h2>重设密码</h2>
<form class="stack card" method="post" action="/console/admin/accounts/${e}/reset" data-testid="account-reset-form">
${csrfField(d.csrf)}
<p>生成新的一次性密码（只显示一次），原密码失效，该账号的所有登录会话立即结束。</p>
${confirmBox(`确认重设 ${a.username} 的密码`)}
<div class="actions"><button type="submit" class="danger">重设密码</button></div>
</form>
${
  a.disabled
    ? html`<p class="hint">该账号已停用：不能登录，原有会话均已结束。</p>`
    : d.self
      ? html`<p class="muted">不能停用自己的账号。</p>`
      : html`<h2>停用账号</h2>
<form class="stack card" method="post" action="/console/admin/accounts/${e}/disable" data-testid="account-disable-form">
${csrfField(d.csrf)}
<p>停用后该账号不能再登录，所有登录会话立即结束；操作记录保留。</p>
${confirmBox(`确认停用 ${a.username}`)}
<div class="actions"><button type="submit" class="danger">停用账号</button></div>
</form>`
}`;
}

/** The one-time password, shown once (the page is not cached; it is not stored anywhere readable). */
export function oneTimePasswordPage(d: { username: string; password: string; created: boolean }): Html {
  return html`<h1>${d.created ? `已新建账号 ${d.username}` : `已重设 ${d.username} 的密码`}</h1>
<div class="warn" role="status">
<p>一次性密码（只显示这一次，离开本页后无法再查看）：</p>
<p><code data-testid="one-time-password">${d.password}</code></p>
<p>请当面或通过可靠渠道交给本人，并请其首次登录后立即在“修改密码”页改为自己的密码。系统目前不强制首次登录改密，请提醒本人。</p>
</div>
<p class="actions"><a class="button" href="/console/admin/accounts/${enc(d.username)}">返回账号</a><a class="button secondary" href="/console/admin/accounts">账号列表</a></p>`;
}
