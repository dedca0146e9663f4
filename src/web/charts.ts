/**
 * The public statistics as SVG images rendered on the server with Vega (no JavaScript reaches the
 * browser): results by category, inspections by street and month, and the problem-detection rate
 * per credit grade in aggregate. Each chart is a Vega spec over already aggregated data; the same
 * data gives the same SVG, so renders are cached by their data.
 */
import type * as Vega from 'vega';
import { escapeHtml } from './html.ts';

const FONT = '"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif';
const FONT_SIZE = 12;
const BLUE = '#2563eb';

/** Vega estimates text widths for Latin letters; a CJK character is a full em wide. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? FONT_SIZE : FONT_SIZE * 0.62;
  return Math.ceil(w);
}

const baseConfig = {
  background: '#ffffff',
  padding: 8,
  config: {
    font: FONT,
    text: { font: FONT, fontSize: FONT_SIZE },
    axis: { labelFont: FONT, titleFont: FONT, labelFontSize: FONT_SIZE, titleFontSize: FONT_SIZE, labelColor: '#334155', titleColor: '#334155', gridColor: '#e2e8f0', domainColor: '#94a3b8', tickColor: '#94a3b8' },
    legend: { labelFont: FONT, titleFont: FONT, labelFontSize: FONT_SIZE - 1, titleFontSize: FONT_SIZE },
    title: { font: FONT, fontSize: 14, anchor: 'start', color: '#0f172a' },
  },
};

/** Vega is loaded on the first chart, not when the app starts (it takes a few hundred milliseconds). */
let vegaModule: Promise<typeof Vega> | undefined;
const loadVega = () => (vegaModule ??= import('vega'));

const cache = new Map<string, string>();
const CACHE_SIZE = 64;

async function render(spec: Record<string, unknown>): Promise<string> {
  const key = JSON.stringify(spec);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const vega = await loadVega();
  const view = new vega.View(vega.parse(spec as Vega.Spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, svg);
    return svg;
  } finally {
    view.finalize();
  }
}

/** A plain SVG that says there is nothing to draw yet. */
export function emptyChart(title: string, message: string, width = 520, height = 120): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`${title}：${message}`)}">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="8" y="22" font-family='${FONT}' font-size="14" fill="#0f172a">${escapeHtml(title)}</text>
<text x="${width / 2}" y="${height / 2 + 12}" text-anchor="middle" font-family='${FONT}' font-size="13" fill="#64748b">${escapeHtml(message)}</text>
</svg>`;
}

export interface CategoryCount {
  code: string;
  label: string;
  count: number;
}

/** Horizontal bars: published results per result code. */
export async function resultsByCategoryChart(rows: CategoryCount[], title = '抽查结果分类'): Promise<string> {
  if (!rows.length) return emptyChart(title, '暂无已公示的抽查结果');
  const values = rows.map((r) => ({ category: `${r.code} ${r.label}`, count: r.count }));
  const labelWidth = Math.max(...values.map((v) => textWidth(v.category))) + 10;
  return render({
    ...baseConfig,
    title,
    width: 380,
    height: values.length * 26,
    data: [{ name: 't', values }],
    scales: [
      { name: 'y', type: 'band', domain: { data: 't', field: 'category' }, range: 'height', padding: 0.2 },
      { name: 'x', type: 'linear', domain: { data: 't', field: 'count' }, range: 'width', nice: true, zero: true },
    ],
    axes: [
      { orient: 'left', scale: 'y', minExtent: labelWidth, labelLimit: labelWidth + 20, ticks: false },
      { orient: 'bottom', scale: 'x', title: '结果数（一项结果可有多个代码）', tickMinStep: 1, format: 'd', grid: true },
    ],
    marks: [
      {
        type: 'rect',
        from: { data: 't' },
        encode: { enter: { y: { scale: 'y', field: 'category' }, height: { scale: 'y', band: 1 }, x: { scale: 'x', value: 0 }, x2: { scale: 'x', field: 'count' }, fill: { value: BLUE } } },
      },
      {
        type: 'text',
        from: { data: 't' },
        encode: {
          enter: {
            y: { scale: 'y', field: 'category', band: 0.5 },
            x: { scale: 'x', field: 'count', offset: 4 },
            baseline: { value: 'middle' },
            text: { field: 'count' },
            fill: { value: '#0f172a' },
          },
        },
      },
    ],
  });
}

export interface StreetMonthCell {
  street: string;
  month: string;
  count: number;
}

/** A heat map: published results per street (rows) and month of inspection (columns). */
export async function streetMonthChart(cells: StreetMonthCell[], title = '各街道每月抽查数'): Promise<string> {
  if (!cells.length) return emptyChart(title, '暂无已公示的抽查结果');
  const streets = [...new Set(cells.map((c) => c.street))].sort();
  const months = [...new Set(cells.map((c) => c.month))].sort();
  const labelWidth = Math.max(...streets.map(textWidth)) + 10;
  return render({
    ...baseConfig,
    title,
    width: Math.max(200, months.length * 56),
    height: streets.length * 24,
    data: [{ name: 't', values: cells }],
    scales: [
      { name: 'x', type: 'band', domain: months, range: 'width', padding: 0.05 },
      { name: 'y', type: 'band', domain: streets, range: 'height', padding: 0.05 },
      { name: 'color', type: 'linear', domain: { data: 't', field: 'count' }, range: { scheme: 'blues' }, zero: true, nice: true },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: '检查月份', labelAngle: months.length > 6 ? -40 : 0, labelAlign: months.length > 6 ? 'right' : 'center' },
      { orient: 'left', scale: 'y', minExtent: labelWidth, ticks: false, domain: false },
    ],
    legends: [{ fill: 'color', title: '检查数', type: 'gradient', gradientLength: Math.max(60, streets.length * 20), format: 'd' }],
    marks: [
      {
        type: 'rect',
        from: { data: 't' },
        encode: {
          enter: {
            x: { scale: 'x', field: 'month' },
            width: { scale: 'x', band: 1 },
            y: { scale: 'y', field: 'street' },
            height: { scale: 'y', band: 1 },
            fill: { scale: 'color', field: 'count' },
          },
        },
      },
      {
        type: 'text',
        from: { data: 't' },
        encode: {
          enter: {
            x: { scale: 'x', field: 'month', band: 0.5 },
            y: { scale: 'y', field: 'street', band: 0.5 },
            align: { value: 'center' },
            baseline: { value: 'middle' },
            text: { field: 'count' },
            fill: { signal: "datum.count > domain('color')[1] * 0.55 ? '#ffffff' : '#0f172a'" },
          },
        },
      },
    ],
  });
}

export interface GradeRate {
  label: string;
  results: number;
  withProblems: number;
  rate: number;
}

/** Bars: share of published results that found a problem, per grade (aggregate, small groups left out). */
export async function problemRateChart(groups: GradeRate[], minGroup: number, title = '各信用风险分类的问题发现率'): Promise<string> {
  if (!groups.length) return emptyChart(title, `暂无足够的已公示结果（每类至少 ${minGroup} 项才显示）`);
  const values = groups.map((g) => ({ grade: g.label, rate: g.rate, text: `${Math.round(g.rate * 1000) / 10}%（${g.withProblems}/${g.results}）` }));
  return render({
    ...baseConfig,
    title: { text: title, subtitle: `按抽取时的分类汇总；结果少于 ${minGroup} 项的类别不显示`, subtitleFont: FONT, subtitleFontSize: FONT_SIZE - 1, subtitleColor: '#64748b' },
    width: Math.max(300, values.length * 110),
    height: 240,
    data: [{ name: 't', values }],
    scales: [
      { name: 'x', type: 'band', domain: { data: 't', field: 'grade' }, range: 'width', padding: 0.3 },
      { name: 'y', type: 'linear', domain: [0, 1], range: 'height' },
    ],
    axes: [
      { orient: 'bottom', scale: 'x' },
      { orient: 'left', scale: 'y', format: '.0%', grid: true, title: '发现问题的结果占比', tickCount: 5 },
    ],
    marks: [
      {
        type: 'rect',
        from: { data: 't' },
        encode: { enter: { x: { scale: 'x', field: 'grade' }, width: { scale: 'x', band: 1 }, y: { scale: 'y', field: 'rate' }, y2: { scale: 'y', value: 0 }, fill: { value: '#dc2626' } } },
      },
      {
        type: 'text',
        from: { data: 't' },
        encode: {
          enter: {
            x: { scale: 'x', field: 'grade', band: 0.5 },
            y: { scale: 'y', field: 'rate', offset: -5 },
            align: { value: 'center' },
            text: { field: 'text' },
            fill: { value: '#0f172a' },
            fontSize: { value: FONT_SIZE - 1 },
          },
        },
      },
    ],
  });
}

export interface OfficerLoad {
  label: string;
  capacity: number;
  expectedLoad: number;
}

/** Horizontal bars: each officer's expected inspections this year against the capacity left (the tick). */
export async function officerLoadChart(officers: OfficerLoad[], title = '执法人员预计工作量与剩余能力'): Promise<string> {
  if (!officers.length) return emptyChart(title, '没有参与本计划的执法人员');
  const values = officers.map((o) => ({ who: o.label, load: Math.round(o.expectedLoad * 100) / 100, capacity: o.capacity, over: o.expectedLoad > o.capacity }));
  const width = 420;
  return render({
    ...baseConfig,
    title: { text: title, subtitle: '条形：预计检查次数；竖线：剩余可用能力（超出时为红色）', subtitleFont: FONT, subtitleFontSize: FONT_SIZE - 1, subtitleColor: '#64748b' },
    width,
    height: Math.max(60, values.length * 22),
    data: [{ name: 't', values }],
    scales: [
      { name: 'y', type: 'band', domain: { data: 't', field: 'who' }, range: 'height', padding: 0.25 },
      { name: 'x', type: 'linear', domain: { fields: [{ data: 't', field: 'load' }, { data: 't', field: 'capacity' }] }, range: 'width', nice: true, zero: true },
    ],
    axes: [
      { orient: 'left', scale: 'y', labelLimit: 320 },
      { orient: 'bottom', scale: 'x', grid: true, title: '次数', tickCount: 6 },
    ],
    marks: [
      {
        type: 'rect',
        from: { data: 't' },
        encode: { enter: { y: { scale: 'y', field: 'who' }, height: { scale: 'y', band: 1 }, x: { scale: 'x', value: 0 }, x2: { scale: 'x', field: 'load' }, fill: { signal: "datum.over ? '#dc2626' : '#2563eb'" } } },
      },
      {
        type: 'rect',
        from: { data: 't' },
        encode: { enter: { y: { scale: 'y', field: 'who', offset: -2 }, height: { scale: 'y', band: 1, offset: 4 }, x: { scale: 'x', field: 'capacity' }, width: { value: 2 }, fill: { value: '#0f172a' } } },
      },
    ],
  });
}
