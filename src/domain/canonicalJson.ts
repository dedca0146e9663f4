/**
 * Canonical JSON, the one encoding the project hashes: the draw's parameter file (docs/draw-algorithm.md §3)
 * and the audit trail's before/after (services/audit.ts). Keys sorted in UTF-8 byte order
 * (= code-point order) at every level, no white space, `toJSON` honoured (dates become ISO text),
 * undefined properties left out and undefined array items null (as JSON.stringify does).
 *
 * It refuses what JSON cannot carry faithfully — NaN and ±Infinity, bigint, functions, symbols,
 * class instances without toJSON (Map, Set, …) and cycles — with a CanonicalJsonError naming the
 * path, so a hash never covers a value that would read back differently.
 */

/**
 * Compares strings by their UTF-8 bytes, which is code-point order. JS '<' compares UTF-16 code
 * units, which agrees except where a surrogate pair meets a character from U+E000 to U+FFFF.
 */
export function byteOrder(a: string, b: string): number {
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x - y;
    return (a.codePointAt(i) ?? 0) < (b.codePointAt(i) ?? 0) ? -1 : 1;
  }
  return a.length - b.length;
}

export type CanonicalJsonProblem = 'not-finite' | 'cycle' | 'not-plain-object' | 'unsupported-type';

/** A value canonical JSON cannot carry; `path` is JSONPath-like (`$.after.items[2]`). */
export class CanonicalJsonError extends Error {
  constructor(
    readonly path: string,
    readonly problem: CanonicalJsonProblem,
    /** What was found: the number, the class name or the type. */
    readonly found: string,
  ) {
    super(`${path}: ${problem} (${found})`);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  const stack = new Set<object>();
  const enc = (input: unknown, path: string): string => {
    let v = input;
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: (key: string) => unknown }).toJSON('');
    }
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(v)) throw new CanonicalJsonError(path, 'not-finite', String(v));
        return JSON.stringify(v);
      case 'object': {
        if (stack.has(v)) throw new CanonicalJsonError(path, 'cycle', 'object');
        stack.add(v);
        try {
          if (Array.isArray(v)) return `[${v.map((x, i) => (x === undefined ? 'null' : enc(x, `${path}[${i}]`))).join(',')}]`;
          const proto = Object.getPrototypeOf(v) as unknown;
          if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(path, 'not-plain-object', (v as object).constructor?.name ?? '?');
          const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
          entries.sort(([a], [b]) => byteOrder(a, b));
          return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${enc(x, `${path}.${k}`)}`).join(',')}}`;
        } finally {
          stack.delete(v);
        }
      }
      default:
        throw new CanonicalJsonError(path, 'unsupported-type', typeof v);
    }
  };
  return enc(value, '$');
}
