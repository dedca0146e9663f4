/**
 * The OpenAPI 3.1 document, generated from the operation declarations (operation.ts) and the zod
 * schemas that validate the requests (schemas.ts). Request schemas are rendered as zod's *input*
 * shape (what a client sends), response schemas as its *output* shape (what the server returns);
 * OpenAPI 3.1 speaks JSON Schema 2020-12, which is zod's native target.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../config.ts';
import type { Operation } from './operation.ts';
import { requestSchemas, responseSchemas, type ComponentSet } from './schemas.ts';
import { BODY_LIMIT } from './errors.ts';
import { formatBytes } from './upload.ts';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

const TARGET = 'draft-2020-12';
const componentUri = (id: string) => `#/components/schemas/${id}`;

const TAGS = [
  { name: 'objects', description: '检查对象名录库（按统一社会信用代码）' },
  { name: 'inspectors', description: '执法检查人员名录库（按执法证号）' },
  { name: 'departments', description: '部门' },
  { name: 'matters', description: '抽查事项清单' },
  { name: 'imports', description: '批量导入（CSV、XLSX 文件，后台任务）' },
  { name: 'health', description: '运行状态' },
  { name: 'meta', description: '本文档' },
];

const ERROR_RESPONSES: Record<number, string> = {
  400: '请求有误（VALIDATION_FAILED、MALFORMED_JSON、UNKNOWN_DEPARTMENT、GENERAL_MATTER_NEEDS_CAP、FILENAME_REQUIRED、EMPTY_FILE 等）；problems 逐项给出位置（path）、代码和中文改法',
  401: '未登录或令牌无效、已过期、已注销（UNAUTHENTICATED、TOKEN_INVALID、INVALID_CREDENTIALS）',
  403: '当前角色或所属部门无权执行（FORBIDDEN_ROLE、OUT_OF_SCOPE、FOUR_EYES、FULL_BUNDLE_RESTRICTED）',
  429: '登录失败次数过多，暂时锁定（LOGIN_THROTTLED）',
  404: '没有这个对象（OBJECT_NOT_FOUND、INSPECTOR_NOT_FOUND、MATTER_NOT_FOUND、NOT_LISTED、IMPORT_JOB_NOT_FOUND、REPORT_NOT_FOUND、REJECTS_NOT_FOUND）',
  409: '与已有数据冲突（OBJECT_EXISTS、INSPECTOR_EXISTS、ALREADY_LISTED）',
  413: `请求体超过 ${BODY_LIMIT.toUpperCase()}（PAYLOAD_TOO_LARGE）`,
  415: '请求体不是 UTF-8 JSON（UNSUPPORTED_MEDIA_TYPE、UNSUPPORTED_ENCODING）',
  500: '服务器内部错误（INTERNAL_ERROR）；只返回通用说明，详情记入日志',
};

/** Drops the keys that only make sense in a standalone JSON Schema document. */
function embedded(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function components(set: ComponentSet, io: Io): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(set.registry, { io, target: TARGET, uri: componentUri });
  const out: Record<string, JsonSchema> = {};
  for (const entry of set.entries) {
    out[entry.id] = { ...embedded(schemas[entry.id] as JsonSchema), ...(entry.description ? { description: entry.description } : {}) };
  }
  return out;
}

/** A $ref to the named component, or the schema inline when it has no name. */
function schemaOf(schema: z.ZodType, set: ComponentSet, io: Io): JsonSchema {
  const id = set.idOf(schema);
  return id ? { $ref: componentUri(id) } : embedded(z.toJSONSchema(schema, { io, target: TARGET }) as JsonSchema);
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = z.toJSONSchema(schema, { io: 'input', target: TARGET }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const description = [property.title, property.description].filter((s) => typeof s === 'string').join('：');
    return {
      name,
      in: where,
      required: where === 'path' || (object.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: property,
    };
  });
}

const errorContent = { 'application/json': { schema: { $ref: componentUri('Error') } } };

/**
 * Binary content (a file upload or download) by media type. OpenAPI 3.1 describes raw binary
 * content by its media type alone, with no schema (OAS 3.1 §4.8.14.3, file uploads).
 */
function binaryContent(mediaTypes: readonly string[]): Record<string, JsonSchema> {
  return Object.fromEntries(mediaTypes.map((mediaType) => [mediaType, {}]));
}

function errorDescription(op: Operation, status: number): string {
  if (op.upload && status === 413) return `上传的文件超过 ${formatBytes(op.upload.maxBytes)}（PAYLOAD_TOO_LARGE）`;
  if (op.upload && status === 415) {
    return `请求体不是文件本身，或 Content-Type 不是 ${op.upload.mediaTypes.join('、')} 之一（UNSUPPORTED_MEDIA_TYPE；表单 multipart/form-data 也不接受），或文件经过压缩（UNSUPPORTED_ENCODING）`;
  }
  return ERROR_RESPONSES[status] ?? '错误';
}

function requestBody(op: Operation): JsonSchema | undefined {
  if (op.upload) return { required: true, description: op.upload.description, content: binaryContent(op.upload.mediaTypes) };
  if (op.body) return { required: true, content: { 'application/json': { schema: schemaOf(op.body, requestSchemas, 'input') } } };
  return undefined;
}

function operationObject(op: Operation): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(op.responses)) {
    const headers: Record<string, JsonSchema> = {};
    if (response.location) headers.Location = { description: '新资源的地址', schema: { type: 'string', format: 'uri-reference' } };
    if (response.download) {
      headers['Content-Disposition'] = {
        description: '作为附件下载及其文件名，如 attachment; filename="objects-2026-11-28.xlsx"（中文文件名另有 filename*）',
        schema: { type: 'string' },
      };
    }
    responses[status] = {
      description: response.description,
      ...(Object.keys(headers).length ? { headers } : {}),
      content: response.download
        ? binaryContent(response.download.mediaTypes)
        : { 'application/json': { schema: schemaOf(response.schema, responseSchemas, 'output') } },
    };
  }
  const body = requestBody(op);
  const hasInput = Boolean(op.params || op.query || body);
  const errors = [...(hasInput ? [400] : []), ...(op.access === 'public' ? [] : [401, 403]), ...(op.errors ?? []), ...(body ? [413, 415] : []), 500];
  for (const status of [...new Set(errors)].sort((a, b) => a - b)) {
    responses[String(status)] = { description: errorDescription(op, status), content: errorContent };
  }
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.access === 'public' ? { security: [] } : { security: [{ bearer: [] }], 'x-roles': [...op.access] }),
    ...(op.description ? { description: op.description } : {}),
    parameters: [...parameters(op.params, 'path'), ...parameters(op.query, 'query')],
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function buildOpenApiDocument(operations: Operation[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of operations) {
    const item = (paths[op.path] ??= {});
    if (item[op.method]) throw new Error(`duplicate operation ${op.method.toUpperCase()} ${op.path}`);
    item[op.method] = operationObject(op);
  }
  const requestComponents = components(requestSchemas, 'input');
  const responseComponents = components(responseSchemas, 'output');
  for (const id of Object.keys(requestComponents)) {
    if (id in responseComponents) throw new Error(`schema component ${id} is both a request and a response schema`);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'double-random 双随机、一公开 API',
      version: packageVersion(),
      description:
        '检查对象名录库、执法检查人员名录库、部门和抽查事项清单。除文件的上传（导入）和下载（导出、问题报告）外，请求和响应均为 JSON（UTF-8），字段名为 camelCase；' +
        '日期写作 YYYY-MM-DD（北京时间），时间戳为 ISO-8601 UTC。所有错误响应的格式见 components.schemas.Error。',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: TAGS,
    paths,
    components: {
      schemas: { ...requestComponents, ...responseComponents },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'POST /api/v1/auth/login 返回的令牌；x-roles 列出可调用该操作的角色' } },
    },
  };
}
