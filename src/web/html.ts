/**
 * A tagged template for server-rendered pages that escapes every interpolated value: only what
 * is already `Html` (built by this tag, or marked with `raw` for trusted constants such as an SVG
 * the server rendered) passes through unescaped. Arrays are rendered item by item; null,
 * undefined and false render as nothing.
 */
import { escapeHtml } from './notice.ts';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Trusted markup (never anything a user or the database supplied). */
export function raw(markup: string): Html {
  return new Html(markup);
}

export { escapeHtml };
