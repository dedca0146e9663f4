/**
 * The frame of every console page (工作台): a top bar with the account, a left navigation by
 * function (what the account's role may use), breadcrumbs, and the page. Works without
 * JavaScript; htmx (served from /console/assets/, allowed by 'self' in the CSP) only enhances.
 * The style sheet is inlined and allowed by its hash, as on the public site.
 */
import crypto from 'node:crypto';
import type { Role } from '../../domain/actor.ts';
import { html, raw, type Html } from '../html.ts';

export const CONSOLE_NAME = '“双随机、一公开”监管工作台';

const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;font-size:15px;line-height:1.6;color:#1f2937;background:#f0f2f5}
a{color:#1d4ed8}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #f59e0b;outline-offset:1px}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;padding:.3rem .6rem;z-index:9}
header.top{background:#0b3d91;color:#fff;display:flex;flex-wrap:wrap;align-items:center;gap:.3rem 1rem;padding:.5rem 1rem}
header.top .brand{font-weight:700;font-size:1.05rem;color:#fff;text-decoration:none;margin-right:auto}
header.top .who{font-size:.9rem;display:flex;flex-wrap:wrap;gap:.3rem .8rem;align-items:center}
header.top .who a,header.top .who button{color:#fff}
header.top form{display:inline;margin:0}
header.top button.link{background:none;border:0;padding:0;font:inherit;text-decoration:underline;cursor:pointer}
.shell{display:flex;min-height:calc(100vh - 3rem)}
nav.side{width:13rem;flex:0 0 13rem;background:#fff;border-right:1px solid #dfe3ea;padding:.6rem 0}
nav.side h2{font-size:.8rem;color:#4b5563;margin:.8rem 1rem .2rem;border:0;padding:0;letter-spacing:.05em}
nav.side a{display:block;padding:.35rem 1rem .35rem 1.3rem;color:#1f2937;text-decoration:none;border-left:3px solid transparent}
nav.side a:hover{background:#f3f6fb}
nav.side a[aria-current=page]{background:#e8effc;border-left-color:#0b3d91;color:#0b3d91;font-weight:600}
main{flex:1;min-width:0;padding:.8rem 1.2rem 2rem}
.crumbs{font-size:.85rem;color:#4b5563;margin:.2rem 0 .4rem}
.crumbs a{color:#4b5563}
h1{font-size:1.35rem;margin:.3rem 0 .8rem}
h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
.muted{color:#4b5563;font-size:.9rem}
.card{background:#fff;border:1px solid #dfe3ea;border-radius:6px;padding:.8rem 1rem;margin:.7rem 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:.8rem}
.stat{background:#fff;border:1px solid #dfe3ea;border-radius:6px;padding:.7rem 1rem}
.stat .n{font-size:1.6rem;font-weight:700;color:#0b3d91}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0}
dl.kv dt{color:#4b5563}
dl.kv dd{margin:0;min-width:0;overflow-wrap:anywhere}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
th,td{border:1px solid #dfe3ea;padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere;word-break:break-all}
.tag{display:inline-block;padding:0 .45rem;border-radius:3px;background:#e5e7eb;font-size:.82rem;margin:0 .2rem .2rem 0;white-space:nowrap}
.tag.blue{background:#dbeafe;color:#1e3a8a}.tag.green{background:#dcfce7;color:#14532d}.tag.orange{background:#ffedd5;color:#7c2d12}.tag.red{background:#fee2e2;color:#7f1d1d}.tag.gray{background:#e5e7eb;color:#374151}
.flash{border-left:4px solid #16a34a;background:#f0fdf4;padding:.6rem .9rem;margin:.6rem 0}
.error{border-left:4px solid #dc2626;background:#fef2f2;padding:.6rem .9rem;margin:.6rem 0}
.error ul{margin:.3rem 0;padding-left:1.2rem}
.hint{border-left:4px solid #2563eb;background:#eff6ff;padding:.6rem .9rem;margin:.6rem 0}
.warn{border-left:4px solid #d97706;background:#fffbeb;padding:.6rem .9rem;margin:.6rem 0}
form.stack{display:grid;gap:.7rem;max-width:46rem}
form.stack .row{display:grid;gap:.25rem}
fieldset{border:1px solid #dfe3ea;border-radius:6px;padding:.6rem .9rem;margin:0;background:#fff}
legend{font-weight:600;padding:0 .3rem}
label{font-weight:500}
input[type=text],input[type=password],input[type=search],input[type=number],input[type=date],select,textarea{font:inherit;padding:.45rem .55rem;border:1px solid #9ca3af;border-radius:4px;background:#fff;width:100%;max-width:100%}
textarea{min-height:5rem}
.choices{display:flex;flex-wrap:wrap;gap:.3rem 1rem}
.choices label{font-weight:400;display:flex;gap:.3rem;align-items:flex-start}
button,.button{font:inherit;display:inline-block;padding:.45rem 1.1rem;border:1px solid #0b3d91;border-radius:4px;background:#0b3d91;color:#fff;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#0b3d91}
button.danger{background:#b91c1c;border-color:#b91c1c}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.6rem 0}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:.5rem 0;background:#fff;border:1px solid #dfe3ea;border-radius:6px;padding:.6rem}
form.filters .row{display:grid;gap:.15rem;flex:1 1 10rem}
.pager{display:flex;gap:.8rem;align-items:center;margin:.5rem 0;font-size:.9rem}
progress{width:100%;height:1.2rem}
figure{margin:0;background:#fff;border:1px solid #dfe3ea;border-radius:6px;padding:.6rem}
figure img,figure svg{max-width:100%;height:auto;display:block}
figcaption{font-size:.88rem;color:#4b5563;margin-top:.3rem}
.login{max-width:24rem;margin:3rem auto;background:#fff;border:1px solid #dfe3ea;border-radius:8px;padding:1.2rem 1.4rem}
a.tile{display:block;background:#fff;border:1px solid #dfe3ea;border-radius:6px;padding:.8rem 1rem;margin:.6rem 0;color:inherit;text-decoration:none;min-height:2.75rem}
a.tile:hover,a.tile:focus{border-color:#0b3d91}
a.tile .t{font-weight:600;color:#0b3d91;font-size:1.05rem}
.big button,.big .button{min-height:2.75rem;padding:.6rem 1.2rem}
.big .choices label{min-height:2.75rem;align-items:center}
.big input[type=checkbox],.big input[type=radio]{width:1.3rem;height:1.3rem}
.big input[type=file]{font:inherit;padding:.5rem 0;max-width:100%}
@media (max-width:760px){.shell{display:block}nav.side{width:auto;border-right:0;border-bottom:1px solid #dfe3ea;display:flex;flex-wrap:wrap;padding:.3rem}nav.side h2{display:none}nav.side a{padding:.3rem .6rem;border-left:0;border-bottom:2px solid transparent}nav.side a[aria-current=page]{border-bottom-color:#0b3d91}main{padding:.6rem .7rem 2rem}dl.kv{grid-template-columns:1fr}dl.kv dt{margin-top:.3rem}}
@media print{header.top,nav.side,.crumbs,.actions,form,.noprint{display:none!important}body{background:#fff}main{padding:0}.notice-page{page-break-after:always;break-after:page}.notice-page:last-child{page-break-after:auto;break-after:auto}}
`;

/** The console's Content-Security-Policy: the inline style sheet by hash, scripts (htmx) from here only. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${crypto.createHash('sha256').update(CSS).digest('base64')}'`,
  "script-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface ConsoleUser {
  username: string;
  role: Role;
  roleLabel: string;
  department: string | null;
  officer: string | null;
}

export interface Crumb {
  label: string;
  href?: string;
}

export interface ConsolePageSpec {
  title: string;
  /** The signed-in account (absent on the sign-in page). */
  user?: ConsoleUser;
  /** The CSRF token of the session, for the logout form. */
  csrf?: string;
  /** The navigation entry to mark as current (its href). */
  current?: string;
  crumbs?: Crumb[];
  /** A message carried over a redirect (操作成功…). */
  flash?: string | null;
  body: Html;
}

interface NavItem {
  href: string;
  label: string;
  roles: Role[];
}
interface NavGroup {
  label: string;
  items: NavItem[];
}

const ALL: Role[] = ['admin', 'regulator', 'reviewer', 'inspector'];
const STAFF: Role[] = ['admin', 'regulator', 'reviewer'];
const WRITERS: Role[] = ['admin', 'regulator'];

/** The left navigation by function; each role sees what it may use. */
export const NAV: NavGroup[] = [
  { label: '工作台', items: [{ href: '/console/', label: '首页', roles: ALL }] },
  {
    label: '名录库',
    items: [
      { href: '/console/objects', label: '检查对象名录', roles: STAFF },
      { href: '/console/inspectors', label: '执法检查人员名录', roles: STAFF },
      { href: '/console/imports', label: '导入名录', roles: WRITERS },
      { href: '/console/reference', label: '部门与抽查事项', roles: STAFF },
    ],
  },
  {
    label: '抽查计划',
    items: [
      { href: '/console/plans', label: '年度计划与任务', roles: STAFF },
      { href: '/console/results', label: '检查结果与公示', roles: STAFF },
    ],
  },
  {
    label: '检查实施',
    items: [{ href: '/console/assignments', label: '我的检查任务', roles: ['inspector'] }],
  },
  { label: '结果审核', items: [{ href: '/console/review', label: '待审核结果', roles: ['reviewer', 'admin'] }] },
  {
    label: '系统管理',
    items: [
      { href: '/console/admin/accounts', label: '账号管理', roles: ['admin'] },
      { href: '/console/admin/audit', label: '审计记录', roles: ['admin'] },
      { href: '/console/admin/jobs', label: '定时任务与导入作业', roles: ['admin'] },
    ],
  },
  { label: '个人', items: [{ href: '/console/password', label: '修改密码', roles: ALL }] },
];

function nav(user: ConsoleUser, current?: string): Html {
  return html`<nav class="side" aria-label="功能导航">${NAV.map((g) => {
    const items = g.items.filter((i) => i.roles.includes(user.role));
    if (!items.length) return '';
    return html`<h2>${g.label}</h2>${items.map((i) => html`<a href="${i.href}"${i.href === current ? raw(' aria-current="page"') : ''}>${i.label}</a>`)}`;
  })}</nav>`;
}

function crumbs(list: Crumb[] | undefined): Html | string {
  if (!list?.length) return '';
  return html`<div class="crumbs" aria-label="当前位置">当前位置：<a href="/console/">工作台</a>${list.map((c) => html` › ${c.href ? html`<a href="${c.href}">${c.label}</a>` : c.label}`)}</div>`;
}

export function consolePage(spec: ConsolePageSpec): string {
  const u = spec.user;
  const top = html`<header class="top">
<a class="brand" href="/console/">${CONSOLE_NAME}</a>
${u
  ? html`<div class="who"><span data-testid="who">${u.username}（${u.roleLabel}${u.department ? `·${u.department}` : ''}）</span>
<a href="/" target="_blank" rel="noopener">公示网站</a>
<form method="post" action="/console/logout"><input type="hidden" name="_csrf" value="${spec.csrf ?? ''}"><button class="link" type="submit">退出登录</button></form></div>`
  : ''}
</header>`;
  const content = html`${crumbs(spec.crumbs)}
${spec.flash ? html`<div class="flash" role="status" data-testid="flash">${spec.flash}</div>` : ''}
${spec.body}`;
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"allowEval":false,"includeIndicatorStyles":false,"allowScriptTags":false}'>
<title>${spec.title} - ${CONSOLE_NAME}</title>
<style>${raw(CSS)}</style>
<script src="/console/assets/htmx.min.js" defer></script>
</head>
<body>
<a class="skip" href="#main">跳到正文</a>
${top}
${u ? html`<div class="shell">${nav(u, spec.current)}<main id="main">${content}</main></div>` : html`<main id="main">${content}</main>`}
</body>
</html>
`.value;
}
