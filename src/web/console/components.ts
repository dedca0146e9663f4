/** Small building blocks of console pages: status tags, tables, pagination, form fields. */
import { html, raw, type Html } from '../html.ts';

export type Tone = 'blue' | 'green' | 'orange' | 'red' | 'gray';

export function tag(label: string, tone: Tone = 'gray'): Html {
  return html`<span class="tag ${tone}">${label}</span>`;
}

const TASK_TONES: Record<string, Tone> = {
  draft: 'gray',
  approved: 'blue',
  committed: 'orange',
  drawn: 'green',
  in_progress: 'blue',
  completed: 'green',
  published: 'green',
};
export function taskStatusTag(status: string, label: string): Html {
  return tag(label, TASK_TONES[status] ?? 'gray');
}

/** A table that scrolls sideways on a phone. Rows are already rendered cells. */
export function table(headers: readonly (string | Html)[], rows: readonly Html[], opts: { testid?: string; empty?: string; caption?: string } = {}): Html {
  if (!rows.length) return html`<p class="card muted"${opts.testid ? raw(` data-testid="${opts.testid}"`) : ''}>${opts.empty ?? '暂无记录。'}</p>`;
  return html`<div class="scroll"><table${opts.testid ? raw(` data-testid="${opts.testid}"`) : ''}>${opts.caption ? html`<caption class="muted">${opts.caption}</caption>` : ''}<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** Previous / next links keeping the current query string. */
export function pager(basePath: string, query: Record<string, string>, page: number, hasNext: boolean, total?: number): Html {
  const link = (p: number) => {
    const q = new URLSearchParams({ ...Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '')), page: String(p) });
    return `${basePath}?${q.toString()}`;
  };
  return html`<nav class="pager" aria-label="分页">${page > 1 ? html`<a href="${link(page - 1)}">上一页</a>` : ''}<span>第 ${page} 页${total !== undefined ? `，共 ${total} 条` : ''}</span>${hasNext ? html`<a href="${link(page + 1)}">下一页</a>` : ''}</nav>`;
}

export function textField(name: string, label: string, value = '', opts: { type?: string; required?: boolean; hint?: string; attrs?: string; id?: string } = {}): Html {
  const id = opts.id ?? `f-${name}`;
  return html`<div class="row"><label for="${id}">${label}${opts.required ? html` <span class="bad" aria-hidden="true">*</span>` : ''}</label><input id="${id}" name="${name}" type="${opts.type ?? 'text'}" value="${value}"${opts.required ? raw(' required') : ''}${opts.attrs ? raw(' ' + opts.attrs) : ''}>${opts.hint ? html`<span class="muted">${opts.hint}</span>` : ''}</div>`;
}

export function selectField(name: string, label: string, options: readonly { value: string; label: string }[], selected = '', opts: { required?: boolean; hint?: string; id?: string; empty?: string } = {}): Html {
  const id = opts.id ?? `f-${name}`;
  return html`<div class="row"><label for="${id}">${label}</label><select id="${id}" name="${name}"${opts.required ? raw(' required') : ''}>${opts.empty !== undefined ? html`<option value="">${opts.empty}</option>` : ''}${options.map((o) => html`<option value="${o.value}"${o.value === selected ? raw(' selected') : ''}>${o.label}</option>`)}</select>${opts.hint ? html`<span class="muted">${opts.hint}</span>` : ''}</div>`;
}

/** The box a person ticks before an irreversible step (checked by the browser and by the server). */
export function confirmBox(text: string): Html {
  return html`<label class="confirm"><input type="checkbox" name="confirm" value="yes" required> ${text}</label>`;
}

/** The hidden CSRF field every state-changing form carries. */
export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="_csrf" value="${csrf}">`;
}
