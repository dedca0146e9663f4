/**
 * How the project's data files (data/lists/**, data/calendar-overrides.json,
 * data/plan-defaults.json) are validated: one zod schema per file, parsed with `parseDataFile`,
 * which turns every zod issue into a Problem whose `path` is the JSON path of the field
 * ('items[3].conditions.correctedBy[1]') and whose `message` is Chinese and says what is expected.
 *
 * Conventions shared by every data file:
 *   - keys starting with '$' (e.g. "$comment") are comments, allowed anywhere, removed before
 *     validation (`stripComments`);
 *   - objects are strict: an unknown key is a problem of its own, named by its path (`strictShape`);
 *   - a schema may give its own Chinese message (zod `error`), otherwise `dataFileErrorMap` writes one.
 *
 * Pure: no file reading here (the loaders in src/services read the files).
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { Problem } from '../domain/errors.ts';

/** A short Chinese rendering of a value found in a file, for messages ('缺失', 'null', 'string "x"'). */
export function show(v: unknown): string {
  if (v === undefined) return '缺失';
  if (v === null) return 'null';
  if (Array.isArray(v)) return '数组';
  if (typeof v === 'object') return '对象';
  if (typeof v === 'string' && v.trim() === '') return '空字符串';
  const json = JSON.stringify(v);
  return `${typeof v} ${json && json.length > 80 ? `${json.slice(0, 77)}…` : json}`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A deep copy of a parsed JSON document without its comment keys (keys starting with '$'). */
export function stripComments(doc: unknown): unknown {
  if (Array.isArray(doc)) return doc.map(stripComments);
  if (!isPlainObject(doc)) return doc;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('$')) out[k] = stripComments(v);
  return out;
}

/** A zod path written as in the files' documentation: items[3].conditions.correctedBy[1]. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  string: '非空字符串',
  number: '数字',
  int: '整数',
  boolean: 'true 或 false',
  array: '数组',
  object: '对象',
  record: '对象',
  null: 'null',
};

/** Chinese messages for the issues a data-file schema does not word itself. */
export const dataFileErrorMap: z.core.$ZodErrorMap = (iss) => {
  const got = show(iss.input);
  switch (iss.code) {
    case 'invalid_type':
      return `必须是${TYPE_WORDS[iss.expected] ?? iss.expected}，实际是${got}`;
    case 'invalid_value':
      return `取值 ${JSON.stringify(iss.input)} 无效，只能是 ${iss.values.map((v) => JSON.stringify(v)).join(' / ')}`;
    case 'too_small':
      if (iss.origin === 'string') return `必须是非空字符串，实际是${got}`;
      if (iss.origin === 'array') return Number(iss.minimum) <= 1 ? '不能是空数组' : `至少要有 ${String(iss.minimum)} 项`;
      return `必须${iss.inclusive ? '不小于' : '大于'} ${String(iss.minimum)}，实际是${got}`;
    case 'too_big':
      if (iss.origin === 'string') return `最长 ${String(iss.maximum)} 个字符`;
      if (iss.origin === 'array') return `最多 ${String(iss.maximum)} 项`;
      return `必须${iss.inclusive ? '不大于' : '小于'} ${String(iss.maximum)}，实际是${got}`;
    case 'unrecognized_keys':
      return '未知字段（注释请用以 $ 开头的字段，如 "$comment"）';
    case 'invalid_format':
      return `格式不对，实际是${got}`;
    case 'not_multiple_of':
      return `必须是 ${String(iss.divisor)} 的倍数，实际是${got}`;
    default:
      return `取值无效，实际是${got}`;
  }
};

/**
 * A strict object whose unknown keys are each reported as '未知字段（允许的字段：…）'.
 * `allowed` overrides the list of fields shown (e.g. to explain what each means); `expected`
 * describes the object when something else is found ('对象 { "years": { … } }').
 */
export function strictShape<T extends z.core.$ZodLooseShape>(shape: T, words: { allowed?: string; expected?: string } = {}) {
  const names = words.allowed ?? Object.keys(shape).join('、');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `未知字段（允许的字段：${names}；注释请用以 $ 开头的字段，如 "$comment"）`
        : iss.code === 'invalid_type'
          ? `必须是${words.expected ?? '对象'}，实际是${show(iss.input)}`
          : undefined,
  });
}

/** One Problem per zod issue: an unknown key is named by its own path; a bad record key by the key. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], code: string): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: jsonPath([...issue.path, key]), code, message: issue.message });
      continue;
    }
    const message = issue.code === 'invalid_key' && issue.issues.length > 0 ? issue.issues[0].message : issue.message;
    const path = jsonPath(issue.path);
    out.push({ ...(path ? { path } : {}), code, message });
  }
  return out;
}

export type DataFileResult<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/**
 * Validates a parsed JSON document against a data file's schema: comment keys removed, every
 * problem returned with its JSON path and a Chinese message, `code` on each problem.
 */
export function parseDataFile<S extends z.ZodType>(schema: S, doc: unknown, code: string): DataFileResult<z.output<S>> {
  const r = schema.safeParse(stripComments(doc), { error: dataFileErrorMap, reportInput: false });
  return r.success ? { ok: true, value: r.data } : { ok: false, problems: problemsFromIssues(r.error.issues, code) };
}

/** Parses a data file's text as JSON (a UTF-8 byte-order mark is allowed). Throws a Chinese message. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new Error(`不是有效的 JSON（${(e as Error).message}）`);
  }
}

/**
 * Reads a data file and parses it as JSON, returning the problem instead of throwing: a missing
 * file is described by `missingHint` (how to get one), any other read failure by its message.
 */
export function readDataFile(file: string, code: string, missingHint: string): DataFileResult<unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `文件不存在（${missingHint}）` : `无法读取（${(e as Error).message}）`;
    return { ok: false, problems: [{ code, message: why }] };
  }
  try {
    return { ok: true, value: parseJsonText(text) };
  } catch (e) {
    return { ok: false, problems: [{ code, message: (e as Error).message }] };
  }
}

/** readDataFile, then parseDataFile against `schema`. */
export function loadDataFile<S extends z.ZodType>(file: string, schema: S, code: string, missingHint: string): DataFileResult<z.output<S>> {
  const doc = readDataFile(file, code, missingHint);
  return doc.ok ? parseDataFile(schema, doc.value, code) : doc;
}

/** The problems as one Chinese sentence: 'path：message；path：message；另有 N 处问题'. */
export function problemsText(problems: readonly Problem[], limit = 10): string {
  const shown = problems.slice(0, limit).map((p) => (p.path ? `${p.path}：${p.message}` : p.message));
  const more = problems.length > limit ? `；另有 ${problems.length - limit} 处问题` : '';
  return `${shown.join('；')}${more}`;
}
