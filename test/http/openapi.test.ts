import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRADES, ENTITY_TYPES } from '../../src/domain/registry.ts';
import { startApi, uscc, type Api } from './support.ts';

interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
interface Operation {
  operationId: string;
  parameters: { name: string; in: string; required: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: Record<string, unknown> }>;
}
interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  [key: string]: unknown;
}

const EXPECTED: Record<string, string[]> = {
  '/healthz': ['get'],
  '/api/v1/openapi.json': ['get'],
  '/api/v1/objects': ['get', 'post'],
  '/api/v1/objects/{uscc}': ['get', 'patch'],
  '/api/v1/objects/{uscc}/history': ['get'],
  '/api/v1/objects/{uscc}/abnormal-listings': ['post'],
  '/api/v1/objects/{uscc}/abnormal-listings/remove': ['post'],
  '/api/v1/inspectors': ['get', 'post'],
  '/api/v1/inspectors/{certificateNo}': ['get', 'patch'],
  '/api/v1/inspectors/{certificateNo}/conflicts': ['post'],
  '/api/v1/departments': ['get', 'post'],
  '/api/v1/matters': ['get', 'post'],
  '/api/v1/matters/{code}': ['get'],
  '/api/v1/objects/import': ['post'],
  '/api/v1/inspectors/import': ['post'],
  '/api/v1/departments/import': ['post'],
  '/api/v1/matters/import': ['post'],
  '/api/v1/conflicts/import': ['post'],
  '/api/v1/inspections/import': ['post'],
  '/api/v1/violations/import': ['post'],
  '/api/v1/imports/{id}': ['get'],
  '/api/v1/imports/{id}/report': ['get'],
  '/api/v1/imports/{id}/rejects': ['get'],
  '/api/v1/objects/export': ['get'],
  '/api/v1/inspectors/export': ['get'],
  '/api/v1/draws': ['get', 'post'],
  '/api/v1/draws/{id}': ['get'],
  '/api/v1/draws/{id}/seed': ['post'],
  '/api/v1/draws/{id}/run': ['post'],
  '/api/v1/draws/{id}/void': ['post'],
  '/api/v1/draws/{id}/selections': ['get'],
  '/api/v1/draws/{id}/bundle': ['get'],
  '/api/v1/plans': ['get', 'post'],
  '/api/v1/plans/{id}': ['get'],
  '/api/v1/plans/{id}/tasks': ['get', 'post'],
  '/api/v1/plans/{id}/visits': ['get'],
  '/api/v1/tasks/{id}': ['get', 'patch'],
  '/api/v1/tasks/{id}/submit': ['post'],
  '/api/v1/tasks/{id}/approve': ['post'],
  '/api/v1/tasks/{id}/return': ['post'],
  '/api/v1/tasks/{id}/commit': ['post'],
  '/api/v1/tasks/{id}/draw': ['post'],
  '/api/v1/tasks/{id}/void-draw': ['post'],
  '/api/v1/tasks/{id}/publish': ['post'],
  '/api/v1/tasks/{id}/simulation': ['get'],
  '/api/v1/plans/{id}/simulation': ['get'],
  '/api/v1/auth/login': ['post'],
  '/api/v1/auth/logout': ['post'],
  '/api/v1/auth/me': ['get'],
  '/api/v1/result-codes': ['get'],
  '/api/v1/violation-types': ['get'],
  '/api/v1/me/assignments': ['get'],
  '/api/v1/assignments': ['get'],
  '/api/v1/assignments/{id}': ['get'],
  '/api/v1/assignments/{id}/notice': ['get'],
  '/api/v1/assignments/{id}/result': ['post'],
  '/api/v1/assignments/{id}/attachments': ['post'],
  '/api/v1/assignments/{id}/attachments/{attachmentId}': ['get'],
  '/api/v1/assignments/{id}/review': ['post'],
  '/api/v1/assignments/{id}/publish': ['post'],
  '/api/v1/assignments/{id}/measures/{n}/override': ['post'],
  '/api/v1/assignments/{id}/measures/{n}/approve-override': ['post'],
  '/api/v1/assignments/{id}/abnormal-listing': ['post'],
  '/api/v1/public/results': ['get'],
  '/api/v1/public/draws': ['get'],
};

let api: Api;
let doc: Doc;
let raw: string;
beforeAll(async () => {
  api = await startApi();
  const res = await api.http.get('/api/v1/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  raw = res.text;
  doc = JSON.parse(raw) as Doc;
});
afterAll(async () => {
  await api.db.destroy();
});

const component = (name: string) => doc.components.schemas[name];
const resolve = (s: Schema): Schema => (s.$ref ? component(s.$ref.replace('#/components/schemas/', '')) : s);

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1.0 document listing every path and method, and nothing else', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toContain('double-random');
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [path, methods] of Object.entries(EXPECTED)) expect(Object.keys(doc.paths[path]).sort()).toEqual([...methods].sort());
  });

  it('every $ref points at a component that exists', () => {
    const refs = [...raw.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(component(ref.replace('#/components/schemas/', '')), ref).toBeDefined();
    }
  });

  it('documents the error body shape, and every operation answers errors with it', () => {
    const error = component('Error');
    expect(error.required).toEqual(['error']);
    const inner = error.properties!.error;
    expect(inner.required).toEqual(['code', 'message', 'problems']);
    expect(resolve(inner.properties!.problems.items as Schema).required).toEqual(['path', 'code', 'message']);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.responses['500']?.content?.['application/json'].schema.$ref, `${method} ${path}`).toBe('#/components/schemas/Error');
        if (op.parameters.length || op.requestBody) expect(op.responses['400'], `${method} ${path}`).toBeDefined();
        if (op.requestBody) expect(op.responses['413'], `${method} ${path}`).toBeDefined();
      }
    }
  });

  it('request bodies come from the validating schemas: required fields and enum codes', () => {
    const create = resolve(doc.paths['/api/v1/objects'].post.requestBody!.content['application/json'].schema);
    expect(create.required?.sort()).toEqual(['name', 'uscc']);
    expect(create.additionalProperties).toBe(false);
    expect(create.properties!.creditGrade.enum).toEqual([...GRADES]);
    expect(create.properties!.entityType.enum).toEqual([...ENTITY_TYPES]);
    expect(create.properties!.registeredOn.format).toBe('date');
    const patch = resolve(doc.paths['/api/v1/objects/{uscc}'].patch.requestBody!.content['application/json'].schema);
    expect(patch.required ?? []).toEqual([]);
    expect(patch.properties!.uscc).toBeUndefined();
    const matter = resolve(doc.paths['/api/v1/matters'].post.requestBody!.content['application/json'].schema);
    expect(matter.properties!.ratioCap).toMatchObject({ type: 'number', exclusiveMinimum: 0, maximum: 1 });
  });

  it('documents path and query parameters', () => {
    const list = doc.paths['/api/v1/objects'].get;
    expect(list.parameters.map((p) => p.name).sort()).toEqual(['grade', 'industry', 'limit', 'offset', 'q', 'status', 'street', 'tag', 'type']);
    const limit = list.parameters.find((p) => p.name === 'limit')!;
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', maximum: 500, default: 50 } });
    expect(list.parameters.find((p) => p.name === 'grade')!.schema.enum).toEqual([...GRADES, 'unrated']);
    const get = doc.paths['/api/v1/objects/{uscc}'].get;
    expect(get.parameters).toHaveLength(1);
    expect(get.parameters[0]).toMatchObject({ name: 'uscc', in: 'path', required: true });
    expect(doc.paths['/api/v1/inspectors'].get.parameters.map((p) => p.name).sort()).toEqual(['department', 'kind', 'limit', 'offset', 'q', 'status']);
    expect(doc.paths['/api/v1/matters'].get.parameters.map((p) => p.name)).toEqual(['department']);
  });

  it('documents the responses, with Location on creation', () => {
    const created = doc.paths['/api/v1/objects'].post.responses['201'];
    expect(created.headers?.Location).toBeDefined();
    expect(resolve(created.content!['application/json'].schema).properties!.gradeHistory).toBeDefined();
    const list = resolve(doc.paths['/api/v1/objects'].get.responses['200'].content!['application/json'].schema);
    expect(list.required?.sort()).toEqual(['items', 'limit', 'offset', 'total']);
    expect(doc.paths['/healthz'].get.responses['503']).toBeDefined();
  });

  it('every documented operation is served (none answers ROUTE_NOT_FOUND or 405)', async () => {
    const sample: Record<string, string> = { uscc: uscc(1), certificateNo: 'X-1', code: 'M-1' };
    for (const [path, item] of Object.entries(doc.paths)) {
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => sample[name]);
      for (const method of Object.keys(item)) {
        const res = await (api.http as unknown as Record<string, (u: string) => { send(b: unknown): Promise<{ status: number; body: { error?: { code: string } } }> }>)[method](url).send({});
        expect(res.status, `${method} ${path}`).not.toBe(405);
        expect(res.body.error?.code, `${method} ${path}`).not.toBe('ROUTE_NOT_FOUND');
      }
    }
  });
});
