/** Sign-in and change-password pages of the console. */
import { html } from '../../html.ts';
import { consolePage, CONSOLE_NAME } from '../layout.ts';

export function loginPage(d: { csrf: string; next: string; username?: string; error?: { message: string; code: string }; flash?: string | null }): string {
  return consolePage({
    title: '登录',
    flash: d.flash,
    body: html`<div class="login">
<h1>登录${CONSOLE_NAME}</h1>
${d.error ? html`<div class="error" role="alert" data-testid="form-error">${d.error.message} <span class="muted mono">${d.error.code}</span></div>` : ''}
<form class="stack" method="post" action="/console/login">
<input type="hidden" name="_csrf" value="${d.csrf}">
<input type="hidden" name="next" value="${d.next}">
<div class="row"><label for="username">用户名</label><input id="username" name="username" type="text" autocomplete="username" value="${d.username ?? ''}" required autofocus></div>
<div class="row"><label for="password">密码</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
<div class="actions"><button type="submit">登录</button></div>
</form>
<p class="muted">连续输错密码后账号将被暂时锁定。忘记密码请联系系统管理员重置。</p>
<p class="muted"><a href="/">返回公示网站</a></p>
</div>`,
  });
}

export function passwordForm(csrf: string) {
  return html`<h1>修改密码</h1>
<form class="stack" method="post" action="/console/password">
<input type="hidden" name="_csrf" value="${csrf}">
<div class="row"><label for="current">当前密码</label><input id="current" name="current" type="password" autocomplete="current-password" required></div>
<div class="row"><label for="password">新密码</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="10" maxlength="200" required><span class="muted">10–200 个字符。修改后所有已登录的设备都需用新密码重新登录。</span></div>
<div class="row"><label for="password2">再次输入新密码</label><input id="password2" name="password2" type="password" autocomplete="new-password" minlength="10" maxlength="200" required></div>
<div class="actions"><button type="submit">修改密码</button></div>
</form>`;
}
