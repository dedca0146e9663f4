/** Small formatting helpers shared by the public pages. */
import { formatShanghai } from '../domain/time.ts';
import { html, type Html } from './html.ts';

/** A stored UTC instant as Beijing time, or a dash. */
export function when(iso: string | null | undefined): string {
  return iso ? `${formatShanghai(iso)}` : '—';
}

export function period(w: { start: string; end: string }): string {
  return w.start === w.end ? w.start : `${w.start} 至 ${w.end}`;
}

export function tags(items: readonly string[]): Html {
  return html`${items.map((t) => html`<span class="tag">${t}</span>`)}`;
}

/** Result codes with their labels, one per line. */
export function codeList(codes: readonly string[], labels: readonly string[]): Html {
  return html`${codes.map((c, i) => html`<div><span class="mono">${c}</span> ${labels[i]}</div>`)}`;
}
