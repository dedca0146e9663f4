/**
 * The frame of every public page: Simplified Chinese, readable on a phone, no JavaScript. The
 * style sheet is inlined (one request per page) and allowed by its hash in the page's
 * Content-Security-Policy, so nothing else can run or style the page.
 */
import crypto from 'node:crypto';
import { html, raw, type Html } from './html.ts';

export const SITE_NAME = '“双随机、一公开”抽查信息公示';

const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;font-size:16px;line-height:1.65;color:#1a202c;background:#f7f8fa}
a{color:#1d4ed8}
a:focus,button:focus,input:focus{outline:3px solid #f59e0b;outline-offset:1px}
header.site{background:#9b1c1c;color:#fff}
header.site .in{max-width:980px;margin:0 auto;padding:.6rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.4rem 1.2rem}
header.site a{color:#fff;text-decoration:none}
header.site .brand{font-weight:700;font-size:1.05rem}
header.site nav{display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.95rem}
header.site nav a{opacity:.92}
header.site nav a:hover{text-decoration:underline}
main{max-width:980px;margin:0 auto;padding:1rem}
h1{font-size:1.45rem;line-height:1.35;margin:.6rem 0 .8rem}
h2{font-size:1.2rem;margin:1.8rem 0 .6rem;padding-bottom:.3rem;border-bottom:2px solid #e2e8f0}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
p{margin:.5rem 0}
.muted{color:#5a6473;font-size:.92rem}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:.9rem 1rem;margin:.7rem 0}
ul.tasks,ul.hits{list-style:none;padding:0;margin:0}
ul.tasks li,ul.hits li{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:.8rem 1rem;margin:.6rem 0}
ul.tasks .name,ul.hits .name{font-weight:600;font-size:1.02rem}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.4rem 0}
dl.kv dt{color:#5a6473}
dl.kv dd{margin:0;min-width:0;overflow-wrap:anywhere}
@media (max-width:560px){dl.kv{grid-template-columns:1fr}dl.kv dt{margin-top:.4rem}}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.93rem}
th,td{border:1px solid #e2e8f0;padding:.4rem .55rem;text-align:left;vertical-align:top}
th{background:#f1f5f9;font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere;word-break:break-all}
pre{background:#0f172a;color:#e2e8f0;padding:.8rem 1rem;border-radius:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.tag{display:inline-block;padding:0 .45rem;border-radius:4px;background:#e2e8f0;font-size:.85rem;margin:0 .2rem .2rem 0}
.status{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.85rem;background:#e0e7ff;color:#3730a3}
.ok{color:#166534}
.warn{color:#9a3412}
.bad{color:#b91c1c}
.notice{border-left:4px solid #1d4ed8;background:#eff6ff;padding:.6rem .9rem;margin:.7rem 0}
.notice.good{border-color:#16a34a;background:#f0fdf4}
.notice.error{border-color:#dc2626;background:#fef2f2}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;margin:.6rem 0}
form.inline input[type=search],form.inline input[type=text]{flex:1 1 14rem;min-width:0;font-size:1rem;padding:.5rem .6rem;border:1px solid #cbd5e1;border-radius:6px}
form.inline button{font-size:1rem;padding:.5rem 1.1rem;border:0;border-radius:6px;background:#1d4ed8;color:#fff;cursor:pointer}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:1rem}
.charts figure.wide{grid-column:1/-1}
figure{margin:0;background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:.6rem}
figure img{max-width:100%;height:auto;display:block;margin:0 auto}
figcaption{font-size:.9rem;color:#5a6473;margin-top:.3rem}
.qr{width:180px;max-width:60%;background:#fff;padding:.3rem;border:1px solid #e2e8f0}
.qr svg{display:block;width:100%;height:auto}
.button{display:inline-block;padding:.45rem 1rem;border-radius:6px;background:#1d4ed8;color:#fff;text-decoration:none}
footer.site{max-width:980px;margin:2rem auto 1rem;padding:0 1rem;color:#5a6473;font-size:.85rem}
@media print{header.site nav,form,footer.site{display:none}body{background:#fff}}
`;

/** The Content-Security-Policy of the pages: the inline style sheet by hash, images from here only. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${crypto.createHash('sha256').update(CSS).digest('base64')}'`,
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageSpec {
  title: string;
  body: Html;
  /** One line for search engines and link previews. */
  description?: string;
}

export function page(spec: PageSpec): string {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${spec.title} - ${SITE_NAME}</title>
${spec.description ? html`<meta name="description" content="${spec.description}">` : ''}
<style>${raw(CSS)}</style>
</head>
<body>
<header class="site"><div class="in">
<a class="brand" href="/">${SITE_NAME}</a>
<nav aria-label="主导航">
<a href="/">抽查任务</a>
<a href="/search">主体查询</a>
<a href="/check">检查核验</a>
<a href="/#stats">统计图表</a>
<a href="/#open-data">开放数据</a>
</nav>
</div></header>
<main>
${spec.body}
</main>
<footer class="site">
<p>依据《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》（国发〔2019〕5号）公示抽查计划、抽查任务、抽取过程和抽查结果。主体的信用风险分类结果和个人信息不予公示。</p>
</footer>
</body>
</html>
`.value;
}
