/**
 * One public base URL: the check page's QR code encodes PUBLIC_BASE_URL (the address the printed
 * notice's QR code uses, see config.ts publicBaseUrl), whatever Host header the request came with.
 */
import request from 'supertest';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicBaseUrl } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { checkUrl, CHECK_CODE_LENGTH } from '../../src/domain/checkCodes.ts';
import { qrSvg } from '../../src/web/qr.ts';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';

const saved = process.env.PUBLIC_BASE_URL;
let db: TestDb;

beforeAll(async () => {
  process.env.PUBLIC_BASE_URL = 'https://sjs.example.gov.cn/';
  db = await createTestDb();
});
afterAll(async () => {
  if (saved === undefined) delete process.env.PUBLIC_BASE_URL;
  else process.env.PUBLIC_BASE_URL = saved;
  await db?.destroy();
});

describe(`the public base URL on ${testDialect}`, () => {
  it('the check page QR code points at PUBLIC_BASE_URL, not at the Host header', async () => {
    const app = createApp({ handle: db, logger: pino({ level: 'silent' }) });
    const code = 'A'.repeat(CHECK_CODE_LENGTH);
    expect(publicBaseUrl()).toBe('https://sjs.example.gov.cn');
    const expected = await qrSvg(checkUrl('https://sjs.example.gov.cn', code));
    for (const host of ['evil.example', 'localhost:3000']) {
      const res = await request(app).get(`/check/qr.svg?code=${code}`).set('Host', host).buffer(true).parse((r, cb) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () => cb(null, body));
      });
      expect(res.status).toBe(200);
      expect(res.body).toBe(expected);
    }
  });
});
