/** Cross-cutting behaviour: health, headers, body parsing, unknown routes, internal errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import { createApp } from '../../src/http/app.ts';
import { createTestDb, testDialect } from '../helpers/db.ts';
import { startApi, uscc, expectError, rowCounts, type Api, type LogLine, SOME_TOKEN } from './support.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.db.destroy();
});

describe('GET /healthz', () => {
  it('answers ok and names the database engine after a query', async () => {
    const res = await api.http.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: testDialect });
  });

  it('answers 503 when the database does not answer', async () => {
    const gone = await createTestDb();
    await gone.destroy();
    const logs: LogLine[] = [];
    const app = createApp({ handle: gone, logger: pino({ level: 'error' }, { write: (l: string) => void logs.push(JSON.parse(l) as LogLine) }) });
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'unavailable', database: testDialect, error: { code: 'DATABASE_UNAVAILABLE' } });
    expect(logs.some((l) => l.level >= 50)).toBe(true);
  });
});

describe('headers', () => {
  it('sets the security headers and no X-Powered-By, on success and on errors', async () => {
    for (const res of [await api.http.get('/api/v1/departments'), await api.http.get('/api/v1/nope'), await api.http.get('/healthz')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('keeps API answers (which hold personal data) out of caches', async () => {
    expect((await api.http.get('/api/v1/objects')).headers['cache-control']).toBe('no-store');
  });
});

describe('request bodies', () => {
  it('malformed JSON is a 400 MALFORMED_JSON naming the body; nothing is written', async () => {
    const before = await rowCounts(api.db);
    const res = await api.http.post('/api/v1/objects').set('Content-Type', 'application/json').send(`{"uscc": "${uscc(1)}", "name": "某公司",}`);
    const p = expectError(res, 400, 'MALFORMED_JSON', 'body', 'MALFORMED_JSON');
    expect(p!.message).toContain('JSON');
    expect(await rowCounts(api.db)).toEqual(before);
  });

  it('a JSON array or a bare string is not an object', async () => {
    const res = await api.http.post('/api/v1/objects').send([{ uscc: uscc(1), name: '某公司' }]);
    expectError(res, 400, 'VALIDATION_FAILED', 'body', 'INVALID_TYPE');
    const bare = await api.http.post('/api/v1/departments').set('Content-Type', 'application/json').send('"SCJ"');
    const p = expectError(bare, 400, 'VALIDATION_FAILED', 'body', 'INVALID_TYPE');
    expect(p!.message).toContain('JSON 对象');
    expect(res.body.error.problems).toHaveLength(1);
  });

  it('a missing body is a 400 that says to send JSON', async () => {
    const res = await api.http.post('/api/v1/departments');
    const p = expectError(res, 400, 'VALIDATION_FAILED', 'body', 'BODY_REQUIRED');
    expect(p!.message).toContain('application/json');
  });

  it('a body that is not JSON is a 415', async () => {
    const res = await api.http.post('/api/v1/departments').set('Content-Type', 'text/plain').send('code=SCJ');
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const form = await api.http.post('/api/v1/departments').type('form').send({ code: 'SCJ', name: 'x' });
    expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body over 1 MB is a 413 PAYLOAD_TOO_LARGE; nothing is written', async () => {
    const before = await rowCounts(api.db);
    const res = await api.http.post('/api/v1/objects').send({ uscc: uscc(2), name: '某公司', address: 'x'.repeat(1024 * 1024 + 10) });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.body.error.message).toContain('1MB');
    expect(await rowCounts(api.db)).toEqual(before);
    expectError(await api.http.get(`/api/v1/objects/${uscc(2)}`), 404, 'OBJECT_NOT_FOUND');
  });

  it('a long field within the limit is named with its maximum', async () => {
    const res = await api.http.post('/api/v1/objects').send({ uscc: uscc(3), name: '某'.repeat(201) });
    const p = expectError(res, 400, 'VALIDATION_FAILED', 'body.name', 'TOO_LONG');
    expect(p!.message).toContain('200');
  });
});

describe('unknown routes and methods', () => {
  it('an unknown path under /api is a JSON 404 ROUTE_NOT_FOUND', async () => {
    const res = await api.http.get('/api/v1/objectz');
    expectError(res, 404, 'ROUTE_NOT_FOUND');
    expect(res.body.error.message).toContain('/api/v1/objectz');
    expectError(await api.http.post('/api/v2/objects').send({}), 404, 'ROUTE_NOT_FOUND');
  });

  it('a known path with another method is a 405 with Allow', async () => {
    const res = await api.http.delete(`/api/v1/objects/${uscc(1)}`);
    expectError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('GET, PATCH, HEAD, OPTIONS');
  });

  it('a path segment that is not valid percent-encoding is a 400', async () => {
    const res = await api.http.get('/api/v1/matters/%E0%A4%A');
    expectError(res, 400, 'BAD_REQUEST', 'request');
  });
});

describe('internal errors', () => {
  it('answer 500 INTERNAL_ERROR with a generic Chinese message, and log the error', async () => {
    const broken = await createTestDb();
    await broken.destroy();
    const logs: LogLine[] = [];
    const app = createApp({ handle: broken, logger: pino({ level: 'error' }, { write: (l: string) => void logs.push(JSON.parse(l) as LogLine) }) });
    const res = await request(app).get('/api/v1/objects').set('Authorization', SOME_TOKEN);
    expectError(res, 500, 'INTERNAL_ERROR');
    expect(res.body.error.problems).toEqual([]);
    expect(res.text).not.toMatch(/at .+\.ts|node_modules|stack|destroyed|kysely/i);
    const logged = logs.find((l) => l.requestId === res.headers['x-request-id']);
    expect(logged?.level).toBe(50);
    expect(logged?.err?.stack).toBeTruthy();
  });
});
