/**
 * A corpus of bad input sent to the API: every request gets a clear 4xx JSON error, the server
 * keeps answering, and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, rowCounts, uscc, type Api } from './support.ts';
import { seedDrawRegistry } from '../helpers/drawRegistry.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
  await seedDrawRegistry(api.db.db, { objects: 60 });
});
afterAll(async () => api?.db.destroy());

const INJECTIONS = [
  "'; DROP TABLE objects; --",
  "1 OR 1=1",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${process.exit(1)}',
  '../../../../etc/passwd',
  '\u0000\u0001\u0002',
  '𠀀𠀁🀄️'.repeat(10),
];

type Case = { name: string; method: 'post' | 'patch' | 'get'; path: string; body?: unknown; raw?: Buffer | string; type?: string; expect: number[] };

const cases = (): Case[] => [
  { name: 'malformed JSON', method: 'post', path: '/api/v1/objects', raw: '{"uscc": "91500103', type: 'application/json', expect: [400] },
  { name: 'JSON array instead of object', method: 'post', path: '/api/v1/objects', body: [1, 2, 3], expect: [400] },
  { name: 'wrong types', method: 'post', path: '/api/v1/objects', body: { uscc: 12345, name: ['x'], tags: 'not-a-list', creditGrade: 7 }, expect: [400] },
  { name: 'unknown grade code', method: 'post', path: '/api/v1/objects', body: { uscc: uscc(901), name: '某公司', creditGrade: 'Z' }, expect: [400] },
  { name: 'unknown entity type', method: 'post', path: '/api/v1/objects', body: { uscc: uscc(902), name: '某公司', entityType: 'corp' }, expect: [400] },
  { name: 'unknown field', method: 'post', path: '/api/v1/objects', body: { uscc: uscc(903), name: '某公司', admin: true }, expect: [400] },
  { name: 'oversized body', method: 'post', path: '/api/v1/objects', body: { uscc: uscc(904), name: 'x'.repeat(3 * 1024 * 1024) }, expect: [413] },
  { name: 'very long text field', method: 'post', path: '/api/v1/objects', body: { uscc: uscc(905), name: '名'.repeat(5000) }, expect: [400] },
  { name: 'non-UTF-8 body', method: 'post', path: '/api/v1/objects', raw: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc4, 0xe3, 0xba, 0xc3, 0x22, 0x7d]), type: 'application/json', expect: [400, 415] },
  { name: 'form body on a JSON route', method: 'post', path: '/api/v1/objects', raw: 'uscc=1&name=2', type: 'application/x-www-form-urlencoded', expect: [415] },
  { name: 'unknown matter in a task', method: 'post', path: '/api/v1/draws', body: { task: 'x', year: 2026, window: { start: '2026-12-01', end: '2026-12-02' }, selection: { mode: 'rates', rates: { B: '0.1' } }, matters: ['NO-SUCH'], departments: [{ code: 'SCJG', officersPerTeam: 2 }], randomnessSource: 'x' }, expect: [400] },
  { name: 'negative rate', method: 'post', path: '/api/v1/draws', body: { task: 'y', year: 2026, window: { start: '2026-12-01', end: '2026-12-02' }, selection: { mode: 'rates', rates: { B: '-0.1' } }, matters: ['SCJG-01'], departments: [{ code: 'SCJG', officersPerTeam: 2 }], randomnessSource: 'x' }, expect: [400] },
  { name: 'bad query parameter', method: 'get', path: '/api/v1/objects?limit=-5&grade=Q', expect: [400] },
  { name: 'bad path USCC', method: 'get', path: '/api/v1/objects/NOT-A-CODE', expect: [400] },
  { name: 'login with wrong types', method: 'post', path: '/api/v1/auth/login', body: { username: { $ne: null }, password: ['x'] }, expect: [400] },
  ...INJECTIONS.map((s, i) => ({ name: `injection in a name (${i})`, method: 'patch' as const, path: `/api/v1/objects/${s.includes('/') ? 'x' : encodeURIComponent(s)}`, body: { street: s }, expect: [400, 404] })),
  ...INJECTIONS.map((s, i) => ({ name: `injection as a USCC (${i})`, method: 'post' as const, path: '/api/v1/objects', body: { uscc: s, name: s }, expect: [400] })),
  ...INJECTIONS.map((s, i) => ({ name: `injection as a login (${i})`, method: 'post' as const, path: '/api/v1/auth/login', body: { username: s, password: s }, expect: [400, 401] })),
];

describe('bad input', () => {
  it.each(cases().map((c) => [c.name, c]))('%s → clear 4xx, nothing written', async (_n, c) => {
    const before = await rowCounts(api.db);
    let req = api.http[c.method](c.path);
    if (c.raw !== undefined) req = req.set('Content-Type', c.type ?? 'application/json').send(c.raw as never);
    else if (c.body !== undefined) req = req.send(c.body as object);
    const res = await req;
    expect(c.expect, `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toContain(res.status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error.code).toMatch(/^[A-Z_]+$/);
    expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(res.text).not.toMatch(/at .+\.ts:\d+|node_modules|SqliteError|syntax error at/i);
    expect(await rowCounts(api.db)).toEqual(before);
  });

  it('the server still answers afterwards, and the injected text was stored nowhere', async () => {
    expect((await api.anonymous.get('/healthz')).status).toBe(200);
    const objects = await api.http.get('/api/v1/objects?limit=500');
    expect(JSON.stringify(objects.body)).not.toContain('DROP TABLE');
    expect(JSON.stringify(objects.body)).not.toContain('<script>');
  });
});
