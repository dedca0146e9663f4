/**
 * The notice served on the inspected entity (检查通知书) as a printable HTML page in
 * Simplified Chinese (A4). Pure: the page depends only on the data given, so a reprint of the
 * stored data gives the same page. Every value is HTML-escaped.
 *
 * `renderPrintableNotice` is the `NoticeRenderer` the HTTP routes and the demo loader hand to the
 * results service (src/services/results/notices.ts), which stores and hashes the page it returns.
 */
import type { NoticeCheck, NoticeData, NoticeRenderer } from '../domain/notice.ts';
import { chineseDate } from '../domain/results.ts';
import { formatShanghai } from '../domain/time.ts';
import { qrSvg } from './qr.ts';

/** The page's input: the notice's data and, when known, the check code with its QR image (SVG). */
export interface NoticePage extends NoticeData {
  /** The inspection check code and its QR image (SVG): the entity confirms the visit at /check. */
  check?: NoticeCheck & { qrSvg: string };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
const e = escapeHtml;

/** The general basis of random inspections, whatever the matters. */
export const GENERAL_BASIS = '《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》（国发〔2019〕5号）';

export function renderNotice(d: NoticePage): string {
  const joint = d.departments.length > 1;
  const departmentNames = d.departments.map((x) => x.name).join('、');
  const matterRows = d.matters
    .map(
      (m, i) =>
        `<tr><td class="n">${i + 1}</td><td>${e(m.name)}<div class="code">${e(m.code)}</div></td><td>${e(m.departmentName)}</td><td>${e(m.legalBasis ?? '按抽查事项清单所列依据')}</td></tr>`,
    )
    .join('\n');
  const teamRows = d.team
    .map((t, i) => `<tr><td class="n">${i + 1}</td><td>${e(t.name)}</td><td>${e(t.departmentName)}</td><td class="cert">${e(t.certificateNo)}</td></tr>`)
    .join('\n');
  const materials = d.materials.map((m) => `<li>${e(m)}</li>`).join('\n');
  const address = [d.entity.street ? `${d.entity.street}街道` : null, d.entity.address].filter(Boolean).join(' ');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>检查通知书 ${e(d.number)}</title>
<style>
.qr svg { width: 28mm; height: 28mm; float: right; }
  @page { size: A4; margin: 20mm 18mm; }
  body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 14pt; line-height: 1.7; color: #000; max-width: 174mm; margin: 0 auto; }
  h1 { font-size: 20pt; text-align: center; margin: 0.4em 0 0; letter-spacing: 0.1em; }
  h2 { font-size: 24pt; text-align: center; margin: 0.2em 0; letter-spacing: 0.5em; }
  h3 { font-size: 14pt; margin: 1em 0 0.3em; }
  .no { text-align: right; margin: 0 0 1em; }
  table { width: 100%; border-collapse: collapse; font-size: 12pt; }
  th, td { border: 1px solid #000; padding: 2mm 2mm; vertical-align: top; text-align: left; }
  td.n { width: 8mm; text-align: center; }
  td.cert { font-family: monospace; white-space: nowrap; }
  .code { font-size: 9pt; color: #333; font-family: monospace; }
  .sign { margin-top: 2em; text-align: right; }
  .receipt { margin-top: 2em; border-top: 1px dashed #000; padding-top: 1em; font-size: 12pt; }
  .blank { display: inline-block; min-width: 40mm; border-bottom: 1px solid #000; }
  footer { margin-top: 1.5em; font-size: 9pt; color: #333; }
  @media print { footer { position: fixed; bottom: 0; } }
</style>
</head>
<body>
<h1>${e(d.issuer.name)}</h1>
<h2>检查通知书</h2>
<p class="no">${e(d.number)}</p>
<p><strong>${e(d.entity.name)}</strong>（统一社会信用代码：${e(d.entity.uscc)}）：</p>
<p>　　根据${e(GENERAL_BASIS)}${d.tasks.length ? `和${d.tasks.map(e).join('、')}的安排` : ''}，经随机抽取，你单位被确定为本次“双随机、一公开”抽查的检查对象。${
    joint ? `本次抽查由${e(departmentNames)}联合实施，一次检查完成下列全部事项（进一次门、查多项事）。` : ''
  }检查人员将于 <strong>${e(chineseDate(d.window.start))}</strong> 至 <strong>${e(chineseDate(d.window.end))}</strong> 期间到你单位${
    address ? `（${e(address)}）` : ''
  }依法进行检查。现将有关事项通知如下：</p>

<h3>一、检查事项及依据</h3>
<table>
<thead><tr><th>序号</th><th>检查事项</th><th>实施部门</th><th>检查依据</th></tr></thead>
<tbody>
${matterRows}
</tbody>
</table>

<h3>二、检查人员</h3>
<table>
<thead><tr><th>序号</th><th>姓名</th><th>所属部门</th><th>执法证号</th></tr></thead>
<tbody>
${teamRows}
</tbody>
</table>
<p>　　检查人员不少于两人，检查时将主动出示执法证件，你单位可以核验。检查人员与你单位有直接利害关系或者其他关系、可能影响公正检查的，你单位有权申请其回避。</p>

<h3>三、请准备以下材料</h3>
<ol>
${materials}
</ol>
<p>　　以上材料请准备原件，并按检查人员要求提供复印件（加盖公章或签字确认）。</p>

<h3>四、注意事项</h3>
<ol>
<li>请安排法定代表人（负责人）或者受委托人员在场，如实回答询问、提供材料，配合检查。</li>
<li>拒绝、阻碍检查情节严重的，检查结果将记为“不配合检查情节严重”，并依法处理。</li>
<li>通过登记的住所（经营场所）无法联系，或者公示信息隐瞒真实情况、弄虚作假的，将依法列入经营异常名录。</li>
<li>抽查结果将自检查结束之日起 20 个工作日内通过国家企业信用信息公示系统向社会公示。</li>
</ol>

<h3>五、联系方式</h3>
<p>　　联系人：${e(d.contact.name)}（${e(d.contact.departmentName)}，执法证号 ${e(d.contact.certificateNo)}）　联系电话：<span class="blank"></span></p>

${d.check ? `<h3>六、检查核验</h3>
<p>　　检查核验码：<strong>${e(d.check.code)}</strong>。检查人员到达时，贵单位可在 ${e(d.check.url.replace(/\?.*$/, ''))} 输入核验码（或扫描右侧二维码），核对本次检查和检查人员执法证号是否真实。</p>
<div class="qr">${d.check.qrSvg}</div>` : ''}

<div class="sign">
<p>${e(d.issuer.name)}（印章）</p>
<p>${e(chineseDate(d.issuedOn))}</p>
</div>

<div class="receipt">
<p>送达回执：本通知书已于 <span class="blank"></span> 收到。</p>
<p>被检查单位（盖章）：<span class="blank"></span>　　签收人：<span class="blank"></span></p>
</div>

<footer>本通知书于 ${e(formatShanghai(d.issuedAt))}（北京时间）首次打印，编号 ${e(d.number)}；补打的内容与首次打印相同。</footer>
</body>
</html>
`;
}

/** The printed notice with its check code and the code's QR image: the renderer callers hand to `issueNotice`. */
export const renderPrintableNotice: NoticeRenderer = async (notice: NoticeData, check: NoticeCheck) =>
  renderNotice({ ...notice, check: { ...check, qrSvg: await qrSvg(check.url) } });
