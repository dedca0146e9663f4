/**
 * Turns zod issues into the API's problems: one `{ path, code, message }` per thing that is wrong,
 * the path naming where (body.creditGrade, query.limit, params.uscc), the code stable English,
 * the message Chinese and saying how to fix it. Field labels come from the schemas' `title`.
 */
import { z } from 'zod';
import type { Problem } from '../domain/errors.ts';
import {
  parseEntityType, parseRegistrationStatus, parseGrade, parseInspectorStatus, parseInspectorKind, parseMatterImportance,
} from '../domain/registry.ts';

export type Location = 'params' | 'query' | 'body';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** The parts of a zod schema's definition this module looks at. */
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
}
type Schema = z.core.$ZodType;

function defOf(s: Schema): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema layers of one value (wrappers and pipes peeled), outermost first. */
function layers(s: Schema): Schema[] {
  const out: Schema[] = [s];
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    const next = WRAPPERS.has(d.type) ? d.innerType : d.type === 'pipe' ? d.in : undefined;
    if (!next) return out;
    out.push(next);
    cur = next;
  }
}

function child(s: Schema | undefined, key: PathKey): Schema | undefined {
  if (!s) return undefined;
  for (const layer of layers(s)) {
    const d = defOf(layer);
    if (d.type === 'object' && typeof key === 'string') return d.shape?.[key];
    if (d.type === 'array') return d.element;
  }
  return undefined;
}

function schemaAt(root: Schema, path: readonly PathKey[]): Schema | undefined {
  let s: Schema | undefined = root;
  for (const key of path) s = child(s, key);
  return s;
}

function titleOf(s: Schema | undefined): string | undefined {
  if (!s) return undefined;
  for (const layer of layers(s)) {
    const meta = z.globalRegistry.get(layer as z.ZodType) as { title?: string } | undefined;
    if (meta?.title) return meta.title;
  }
  return undefined;
}

function objectKeys(s: Schema | undefined): string[] {
  if (!s) return [];
  for (const layer of layers(s)) {
    const d = defOf(layer);
    if (d.type === 'object') return Object.keys(d.shape ?? {});
  }
  return [];
}

function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let v: unknown = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

const TYPE_WORDS: Record<string, string> = {
  string: '文本（字符串）',
  number: '数字',
  int: '整数',
  boolean: '布尔值（true 或 false）',
  array: '数组',
  object: 'JSON 对象',
  null: 'null',
  undefined: '空',
  bigint: '整数',
};

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** A short rendering of the value a client sent, for messages; empty when it would not help. */
function shown(v: unknown): string {
  if (typeof v === 'string') return v.length <= 60 ? `“${v}”` : `“${v.slice(0, 57)}…”`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

const LOCATION_WORDS: Record<Location, string> = { params: '路径参数', query: '查询参数', body: '字段' };

function joinPath(location: Location, path: readonly PathKey[]): string {
  return [location, ...path.map(String)].join('.');
}

/** “名称”（name）, or “name” when the schema has no Chinese title. */
function labelOf(root: Schema, location: Location, path: readonly PathKey[]): string {
  let i = path.length - 1;
  while (i >= 0 && typeof path[i] !== 'string') i--;
  if (i < 0) return location === 'body' ? '请求体' : LOCATION_WORDS[location];
  const field = String(path[i]);
  const title = titleOf(schemaAt(root, path.slice(0, i + 1)));
  const named = title ? `“${title}”（${field}）` : `“${field}”`;
  const last = path[path.length - 1];
  const index = typeof last === 'number' ? `第 ${last + 1} 项` : '';
  return `${location === 'body' ? '' : LOCATION_WORDS[location]}${named}${index}`;
}

/** When a client sent the Chinese word for an enum value, name the code to use instead. */
const ENUM_WORDS = [parseEntityType, parseRegistrationStatus, parseGrade, parseInspectorStatus, parseInspectorKind, parseMatterImportance];
function enumHint(raw: unknown, allowed: readonly unknown[]): string {
  if (typeof raw !== 'string') return '';
  for (const parse of ENUM_WORDS) {
    const code = parse(raw);
    if (code !== undefined && allowed.includes(code)) return `；“${raw}”对应的代码是“${code}”`;
  }
  return '';
}

function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function fromIssue(issue: Issue, location: Location, root: Schema, data: unknown): Problem[] {
  const path = joinPath(location, issue.path);
  const label = labelOf(root, location, issue.path);
  const raw = valueAt(data, issue.path);
  // Messages written in schemas.ts name the field by its title (“分类日期”); add the JSON name and location.
  const title = titleOf(schemaAt(root, issue.path));
  const withLabel = (message: string) => (title && message.startsWith(`“${title}”`) ? label + message.slice(title.length + 2) : message);
  const withValue = (message: string) => {
    const s = shown(raw);
    return s && !message.includes(s) && !message.includes(String(raw)) ? `${message}；收到的是${s}` : message;
  };

  // The query parser turns a repeated parameter into an array, whatever check then fails on it.
  if (location === 'query' && Array.isArray(raw) && issue.code !== 'unrecognized_keys') {
    return [{ path, code: 'REPEATED_PARAMETER', message: `${label}只能出现一次` }];
  }

  switch (issue.code) {
    case 'invalid_type': {
      if (raw === undefined) {
        if (issue.path.length === 0) {
          return [{ path, code: 'BODY_REQUIRED', message: '缺少请求体：请发送 JSON 对象，并带上请求头 Content-Type: application/json' }];
        }
        return [{ path, code: 'REQUIRED', message: `缺少必填项${label}` }];
      }
      if (issue.path.length === 0 && location === 'body') {
        const got = TYPE_WORDS[typeName(raw)] ?? typeName(raw);
        return [{ path, code: 'INVALID_TYPE', message: `请求体应为 JSON 对象（{ "字段": 值, … }），不能是${got}` }];
      }
      if (raw === null) return [{ path, code: 'NULL_NOT_ALLOWED', message: `${label}不能为 null；可选字段不填或不修改时请省略` }];
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (location === 'query') return [{ path, code: 'INVALID_TYPE', message: withValue(`${label}应为${expected}`) }];
      const got = TYPE_WORDS[typeName(raw)] ?? typeName(raw);
      const message = issue.expected === 'int' && typeof raw === 'number' ? `${label}应为整数` : `${label}应为${expected}，不能是${got}`;
      return [{ path, code: 'INVALID_TYPE', message: withValue(message) }];
    }
    case 'invalid_value': {
      const values = issue.values.map(String).join('、');
      return [{ path, code: 'ENUM', message: withValue(`${label}的值无效；可用的值：${values}`) + enumHint(raw, issue.values) }];
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') {
        return min <= 1
          ? [{ path, code: 'EMPTY', message: `${label}不能为空（也不能只有空格）` }]
          : [{ path, code: 'TOO_SHORT', message: `${label}至少 ${min} 个字符` }];
      }
      if (issue.origin === 'array') return [{ path, code: 'TOO_FEW', message: `${label}至少 ${min} 项` }];
      return [{ path, code: 'TOO_SMALL', message: withValue(`${label}应${issue.inclusive ? '不小于' : '大于'} ${min}`) }];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') {
        const length = typeof raw === 'string' ? `，现为 ${raw.trim().length} 个` : '';
        return [{ path, code: 'TOO_LONG', message: `${label}最长 ${max} 个字符${length}` }];
      }
      if (issue.origin === 'array') {
        const length = Array.isArray(raw) ? `，现为 ${raw.length} 项` : '';
        return [{ path, code: 'TOO_MANY', message: `${label}最多 ${max} 项${length}` }];
      }
      return [{ path, code: 'TOO_BIG', message: withValue(`${label}应${issue.inclusive ? '不大于' : '小于'} ${max}`) }];
    }
    case 'unrecognized_keys': {
      const allowed = objectKeys(schemaAt(root, issue.path));
      const what = location === 'body' ? '字段' : LOCATION_WORDS[location];
      return issue.keys.map((key) => {
        const camel = camelCase(key);
        const hint = camel !== key && allowed.includes(camel) ? `；字段名用 camelCase，是否应为“${camel}”？` : '';
        const list = allowed.length ? `；可用的${what}：${allowed.join('、')}` : `；此处不接受任何${what}`;
        return { path: joinPath(location, [...issue.path, key]), code: 'UNKNOWN_FIELD', message: `不认识的${what}“${key}”${hint}${list}` };
      });
    }
    case 'custom': {
      const code = typeof issue.params?.code === 'string' ? issue.params.code : 'INVALID';
      return [{ path, code, message: withValue(withLabel(issue.message)) }];
    }
    case 'invalid_format':
      // Every format check in schemas.ts carries its own Chinese message.
      return [{ path, code: 'FORMAT', message: withValue(withLabel(issue.message)) }];
    default:
      return [{ path, code: 'INVALID', message: withValue(`${label}的值无效`) }];
  }
}

/** Problems for every issue zod found in one part of the request. */
export function problemsFromZod(error: z.ZodError, location: Location, root: Schema, data: unknown): Problem[] {
  return error.issues.flatMap((issue) => fromIssue(issue, location, root, data));
}

/** One sentence naming the problems, for the error's top-level message. */
export function summarize(problems: Problem[]): string {
  const shownProblems = problems.slice(0, 5).map((p) => p.message);
  const more = problems.length > 5 ? `；另有 ${problems.length - 5} 处` : '';
  return `请求有 ${problems.length} 处问题，请修改后重试：${shownProblems.join('；')}${more}`;
}
