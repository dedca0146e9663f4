/**
 * The inspector's console pages, through the real forms: my assignments, the notice (issue and
 * print), the result form with an attachment (an exemption-list finding explained after submit),
 * a wrong code combination refused with the reason and nothing stored, a text file posing as a
 * PNG refused, another inspector's assignment answering 404, a POST without its CSRF token 403,
 * and a returned result shown with the reviewer's comment and resubmitted.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from './support.ts';
import { consoleAs, openPage, type ConsoleAgent } from './consoleSupport.ts';
import type { DrawRegistry } from '../helpers/drawRegistry.ts';
import { seedDrawnVisits, today, type DrawnVisit } from '../helpers/drawnVisits.ts';

let api: Api;
let reg: DrawRegistry;

type Visit = DrawnVisit;
let visits: Visit[] = [];

/** A real PNG of w × h grey pixels. */
function png(w = 4, h = 3): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.concat(Array.from({ length: h }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(w, 0x80)])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

let tmp: string;
let photoPath: string;
let photo: Buffer;

beforeAll(async () => {
  api = await startApi();
  const db = api.db.db;
  ({ reg, visits } = await seedDrawnVisits(db));
  tmp = fs.mkdtempSync(path.join(process.env.ATTACHMENT_DIR!, '..', 'dr-console-assign-'));
  photo = png();
  photoPath = path.join(tmp, '现场照片.png');
  fs.writeFileSync(photoPath, photo);
});
afterAll(async () => {
  await api?.db.destroy();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

let users = 0;
const inspector = (cert: string) => consoleAs(api.app, api.db, `c-insp-${cert}-${++users}`, 'inspector', { officer: cert });
const outsider = (v: Visit) => [...reg.officers.scjg, ...reg.officers.sw].find((c) => !v.team.includes(c))!;

const resultRow = (visitId: string) => api.db.db.selectFrom('inspection_results').selectAll().where('visit_id', '=', visitId).executeTakeFirst();
const attachmentRows = (visitId: string) =>
  api.db.db.withTables<{ result_attachments: { visit_id: string; file_name: string; sha256: string; bytes: number } }>().selectFrom('result_attachments').selectAll().where('visit_id', '=', visitId).execute();
const notifiedAt = async (visitId: string) => (await api.db.db.selectFrom('visits').select('notified_at').where('id', '=', visitId).executeTakeFirstOrThrow()).notified_at;
const storedFiles = () => {
  const dir = process.env.ATTACHMENT_DIR!;
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f !== 'incoming') : [];
};
const incomingFiles = () => {
  const dir = path.join(process.env.ATTACHMENT_DIR!, 'incoming');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

/** Posts the result form as the browser does (multipart), with fields and files. */
function postResult(agent: ConsoleAgent, visitId: string, fields: Record<string, string | string[]>, files: { path: string; name?: string }[] = []) {
  let req = agent.post(`/console/assignments/${visitId}/result`);
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) req = req.field(k, x);
  for (const f of files) req = req.attach('attachments', f.path, f.name ? { filename: f.name } : undefined);
  return req;
}

/** The matter index of SCJG-02 on the form (matters in the visit's order). */
const indexOf = (v: Visit, matter: string) => v.matters.indexOf(matter);

/** A complete form: SCJG-02 not compliant with an exemption-list violation, the others compliant. */
function goodForm(v: Visit, csrf: string, over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = { _csrf: csrf, inspectedOn: today, codes: ['A', '3'], method: '实地检查', followUp: ['责令改正'], note: '现场检查' };
  v.matters.forEach((m, i) => {
    fields[`f${i}.compliant`] = m === 'SCJG-02' ? 'no' : 'yes';
  });
  const i = indexOf(v, 'SCJG-02');
  Object.assign(fields, {
    [`f${i}.violationType`]: 'FOOD_LICENCE_CHANGE_NOT_APPLIED',
    [`f${i}.violatedProvision`]: '《食品经营许可和备案管理办法》第二十九条',
    [`f${i}.harm`]: 'minor',
    [`f${i}.correction`]: 'within-deadline',
  });
  return { ...fields, ...over };
}

describe('the inspector console', () => {
  let v: Visit;
  let member: ConsoleAgent;
  beforeAll(async () => {
    v = visits.find((x) => x.matters.includes('SCJG-02'))!;
    member = await inspector(v.team[0]);
  });

  it('lists my assignments grouped, with entity, team and matters, and links to each', async () => {
    const { text } = await openPage(member, '/console/assignments');
    expect(text).toContain('data-testid="assignment-list"');
    for (const g of ['本期', '即将开始', '已逾期', '已完成']) expect(text).toContain(g);
    expect(text).toContain(`href="/console/assignments/${v.id}"`);
    expect(text).toContain(v.name);
    expect(text).toContain('食品经营许可情况检查');
    expect(text).toContain('待送达检查通知书');
    // The "本期" section holds it (today is inside the window).
    const current = text.slice(text.indexOf('data-group="current"'), text.indexOf('data-group="overdue"'));
    expect(current).toContain(v.id);
    // Another team's visit is not there.
    const other = visits.find((x) => !x.team.includes(v.team[0]))!;
    expect(text).not.toContain(other.id);
  });

  it('issues the notice with the button (not without the CSRF token) and shows it ready to print', async () => {
    const page = await openPage(member, `/console/assignments/${v.id}`);
    expect(page.text).toContain('data-testid="notice-issue"');
    expect(page.text).toContain('尚未录入');

    const forged = await member.post(`/console/assignments/${v.id}/notice`).type('form').send({});
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('CSRF_INVALID');
    expect(await notifiedAt(v.id)).toBeNull();

    // The notice page before the notice: back to the assignment with a hint, nothing issued.
    const early = await member.get(`/console/assignments/${v.id}/notice`);
    expect(early.status).toBe(303);
    expect(await notifiedAt(v.id)).toBeNull();

    const res = await member.post(`/console/assignments/${v.id}/notice`).type('form').send({ _csrf: page.csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/console/assignments/${v.id}/notice`);
    expect(await notifiedAt(v.id)).not.toBeNull();

    const notice = await member.get(`/console/assignments/${v.id}/notice`);
    expect(notice.status).toBe(200);
    expect(notice.text).toMatch(/检通〔\d{4}〕第\d+号/);
    expect(notice.text).toContain(v.name);
    expect(notice.text).toContain('data-testid="notice-print"');
    expect(notice.text).toContain('@media print');
    // The stored page's styles are admitted by hash; nothing inline runs.
    const csp = notice.headers['content-security-policy'];
    expect(csp).toMatch(/style-src 'sha256-[^']+' 'sha256-[^']+'/);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const script = await member.get('/console/assignments/print.js');
    expect(script.status).toBe(200);
    expect(script.text).toContain('window.print()');

    const after = await openPage(member, `/console/assignments/${v.id}`);
    expect(after.text).not.toContain('data-testid="notice-issue"');
    expect(after.text).toContain('data-testid="notice-print"');
  });

  it('refuses a wrong combination of result codes with the reason, keeps what was typed, stores nothing', async () => {
    const form = await openPage(member, `/console/assignments/${v.id}/result`);
    for (const id of ['result-form', 'result-codes', 'result-submit', 'attachment-input']) expect(form.text).toContain(`data-testid="${id}"`);
    expect(form.text).toContain('只能单独选择');
    expect(form.text).toContain('<label for="inspectedOn">');
    // The violation type is picked from the vocabulary, never typed.
    expect(form.text).toMatch(/<select id="f\d-type" name="f\d\.violationType"/);
    expect(form.text).toContain('value="FOOD_LICENCE_CHANGE_NOT_APPLIED"');
    expect(form.text).toContain('value="FIRE_EXIT_BLOCKED"');

    const res = await postResult(member, v.id, goodForm(v, form.csrf, { codes: ['1', 'A', '3'] }), [{ path: photoPath }]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('data-testid="form-error"');
    expect(res.text).toContain('“1 未发现问题”不能与其他结果同时选择');
    expect(res.text).toContain('CODE_1_EXCLUSIVE');
    // What was typed is still there.
    expect(res.text).toContain('《食品经营许可和备案管理办法》第二十九条');
    expect(res.text).toMatch(/id="code-1" name="codes" value="1" checked/);
    expect(res.text).toMatch(/value="FOOD_LICENCE_CHANGE_NOT_APPLIED" selected/);
    // Nothing stored: no result, no attachment, no file.
    expect(await resultRow(v.id)).toBeUndefined();
    expect(await attachmentRows(v.id)).toEqual([]);
    expect(storedFiles()).toEqual([]);
    expect(incomingFiles()).toEqual([]);
  });

  it('checks the code combination live (the htmx fragment) with the rules the service applies on submit', async () => {
    const form = await openPage(member, `/console/assignments/${v.id}/result`);
    expect(form.text).toContain(`hx-get="/console/assignments/${v.id}/result/check"`);
    const wrong = await member.get(`/console/assignments/${v.id}/result/check?codes=1&codes=A`);
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain('CODE_1_EXCLUSIVE');
    expect(wrong.text).not.toContain('<html');
    const right = await member.get(`/console/assignments/${v.id}/result/check?codes=1&method=${encodeURIComponent('实地检查')}&followUp=${encodeURIComponent('无需后续处置')}&inspectedOn=2026-12-08&${v.matters.map((_: unknown, i: number) => `f${i}.compliant=yes`).join('&')}`);
    expect(right.text).toContain('符合');
    expect(await resultRow(v.id)).toBeUndefined();
  });

  it('submits a result with a non-compliant finding on the exemption list and a photo; the outcome is explained', async () => {
    const form = await openPage(member, `/console/assignments/${v.id}/result`);
    const res = await postResult(member, v.id, goodForm(v, form.csrf), [{ path: photoPath }]);
    expect(res.status, res.text.slice(0, 1500)).toBe(303);
    expect(res.headers.location).toBe(`/console/assignments/${v.id}`);
    const r = await resultRow(v.id);
    expect(r).toMatchObject({ status: 'entered', codes: ['A', '3'], method: '实地检查' });
    const files = await attachmentRows(v.id);
    const sha = crypto.createHash('sha256').update(photo).digest('hex');
    expect(files).toMatchObject([{ file_name: '现场照片.png', sha256: sha, bytes: photo.length }]);

    const page = await openPage(member, `/console/assignments/${v.id}`);
    expect(page.text).toContain('检查结果已提交审核；附件 1 个已保存；1 个事项依免罚清单拟不予处罚');
    const outcome = page.text.slice(page.text.indexOf('data-matter="SCJG-02"'));
    expect(page.text).toContain('data-testid="finding-outcome"');
    expect(outcome).toContain('拟不予处罚');
    expect(outcome).toContain('首违不罚');
    expect(outcome).toMatch(/national-2025）第 3 项/);
    expect(outcome).toContain('《中华人民共和国行政处罚法》第三十三条第一款');
    expect(outcome).toContain('仍须责令改正');
    expect(page.text).toContain('data-testid="attachment-list"');
    expect(page.text).toContain('现场照片.png');
    expect(page.text).toContain(sha);

    const id = (await attachmentRows(v.id)) as unknown as { id: string }[];
    const dl = await member.get(`/console/assignments/${v.id}/attachments/${id[0].id}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(dl.body as Buffer, photo)).toBe(0);
  });

  it('refuses a text file named .png, on the console form and through the API', async () => {
    const fake = path.join(tmp, 'not-a-photo.png');
    fs.writeFileSync(fake, '这不是图片，只是文字。\n');
    const page = await openPage(member, `/console/assignments/${v.id}`);
    expect(page.text).toContain('data-testid="attachment-form"');
    const res = await member.post(`/console/assignments/${v.id}/attachments`).field('_csrf', page.csrf).attach('attachments', fake);
    expect(res.status).toBe(303);
    const back = await openPage(member, `/console/assignments/${v.id}`);
    expect(back.text).toContain('ATTACHMENT_TYPE_NOT_ALLOWED');
    expect(back.text).toContain('不是 JPEG、PNG 图片或 PDF 文件');
    expect(await attachmentRows(v.id)).toHaveLength(1);

    const agent = await api.as(`api-insp-${v.team[0]}`, 'inspector', { officer: v.team[0] });
    const apiRes = await agent.post(`/api/v1/assignments/${v.id}/attachments?filename=fake.png`).set('Content-Type', 'image/png').send(Buffer.from('plain text, not a PNG'));
    expect(apiRes.status).toBe(415);
    expect(apiRes.body.error.code).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
    expect(await attachmentRows(v.id)).toHaveLength(1);
    expect(incomingFiles()).toEqual([]);
  });

  it('refuses an unknown violation type through the API (400 at findings.N.violationType), changing nothing', async () => {
    const agent = await api.as(`api-insp2-${v.team[0]}`, 'inspector', { officer: v.team[0] });
    const before = await resultRow(v.id);
    const findings = v.matters.map((m) => (m === 'SCJG-02' ? { matter: m, compliant: false, violationType: 'NO_SUCH_TYPE', harm: 'minor', correction: 'none' } : { matter: m, compliant: true }));
    const res = await agent.post(`/api/v1/assignments/${v.id}/result`).send({ inspectedOn: today, codes: ['A', '3'], method: '实地检查', followUp: ['责令改正'], findings });
    expect(res.status).toBe(400);
    const i = findings.findIndex((f) => f.matter === 'SCJG-02');
    expect(res.body.error.problems).toContainEqual(expect.objectContaining({ path: `body.findings.${i}.violationType`, code: 'UNKNOWN_VIOLATION_TYPE' }));
    expect(res.body.error.message).toContain('NO_SUCH_TYPE');
    expect(res.body.error.message).toContain('/api/v1/violation-types');
    expect(await resultRow(v.id)).toEqual(before);
  });

  it('another inspector gets 404 on every page and form of the assignment', async () => {
    const stranger = await inspector(outsider(v));
    const list = await openPage(stranger, '/console/assignments');
    expect(list.text).not.toContain(v.id);
    for (const url of [`/console/assignments/${v.id}`, `/console/assignments/${v.id}/result`, `/console/assignments/${v.id}/notice`]) {
      const res = await stranger.get(url);
      expect(res.status, url).toBe(404);
      expect(res.text).not.toContain(v.name);
      expect(res.text).not.toContain(v.uscc);
    }
    const files = (await attachmentRows(v.id)) as unknown as { id: string }[];
    expect((await stranger.get(`/console/assignments/${v.id}/attachments/${files[0].id}`)).status).toBe(404);
    const before = await resultRow(v.id);
    const post = await postResult(stranger, v.id, goodForm(v, list.csrf, { note: '越权修改' }));
    expect(post.status).toBe(404);
    expect((await stranger.post(`/console/assignments/${v.id}/notice`).type('form').send({ _csrf: list.csrf })).status).toBe(404);
    expect(await resultRow(v.id)).toEqual(before);
    // Without the CSRF token: 403, nothing changed.
    const forged = await postResult(member, v.id, { ...goodForm(v, ''), note: '伪造的提交' });
    expect(forged.status).toBe(403);
    expect(await resultRow(v.id)).toEqual(before);
  });

  it('shows a returned result with the reviewer’s comment and the form filled in for resubmission', async () => {
    const reviewer = await api.as('c-reviewer', 'reviewer');
    const ret = await reviewer.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'return', comment: '请补充违法行为发生日期' });
    expect(ret.status, ret.text.slice(0, 300)).toBe(200);

    const page = await openPage(member, `/console/assignments/${v.id}`);
    expect(page.text).toContain('data-testid="review-comment"');
    expect(page.text).toContain('请补充违法行为发生日期');
    const list = await openPage(member, '/console/assignments');
    expect(list.text).toContain('已退回待修改');

    const form = await openPage(member, `/console/assignments/${v.id}/result`);
    expect(form.text).toContain('请补充违法行为发生日期');
    expect(form.text).toMatch(/id="code-A" name="codes" value="A" checked/);
    expect(form.text).toMatch(/value="FOOD_LICENCE_CHANGE_NOT_APPLIED" selected/);
    expect(form.text).toContain('value="《食品经营许可和备案管理办法》第二十九条"');
    expect(form.text).toContain('已有 1 个');

    const i = indexOf(v, 'SCJG-02');
    const res = await postResult(member, v.id, goodForm(v, form.csrf, { [`f${i}.occurredOn`]: today }));
    expect(res.status, res.text.slice(0, 1500)).toBe(303);
    const r = await resultRow(v.id);
    expect(r).toMatchObject({ status: 'entered', revision: 2 });
    expect(r!.findings.find((f) => f.matter === 'SCJG-02')).toMatchObject({ occurredOn: today, exemption: { exempt: true } });
    const after = await openPage(member, `/console/assignments/${v.id}`);
    expect(after.text).toContain('检查结果已修改，重新提交审核');
  });
});

describe('attachments through the API', () => {
  it('stores a PNG with its SHA-256, checks the content against the declared type, caps the count, and locks after approval', async () => {
    const v = visits.filter((x) => x.matters.includes('SCJG-02'))[1];
    const agent = await api.as(`api-attach-${v.team[0]}`, 'inspector', { officer: v.team[0] });
    // Before the notice: refused, the body not kept.
    const early = await agent.post(`/api/v1/assignments/${v.id}/attachments?filename=a.png`).set('Content-Type', 'image/png').send(photo);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('NOT_NOTIFIED');
    expect((await agent.get(`/api/v1/assignments/${v.id}/notice`)).status).toBe(200);

    const res = await agent.post(`/api/v1/assignments/${v.id}/attachments?filename=${encodeURIComponent('门头照片.png')}`).set('Content-Type', 'image/png').send(photo);
    expect(res.status, res.text.slice(0, 300)).toBe(201);
    const sha = crypto.createHash('sha256').update(photo).digest('hex');
    expect(res.body).toMatchObject({ fileName: '门头照片.png', mediaType: 'image/png', bytes: photo.length, sha256: sha });
    expect(res.headers.location).toBe(res.body.url);
    const dl = await agent.get(res.body.url).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(dl.status).toBe(200);
    expect(Buffer.compare(dl.body as Buffer, photo)).toBe(0);
    expect(dl.headers['content-disposition']).toContain('attachment');

    // A PDF declared as a JPEG: refused by its content.
    const mismatch = await agent.post(`/api/v1/assignments/${v.id}/attachments?filename=scan.jpg`).set('Content-Type', 'image/jpeg').send(Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'));
    expect(mismatch.status).toBe(415);
    expect(mismatch.body.error.code).toBe('ATTACHMENT_TYPE_MISMATCH');
    // A PDF as a PDF is fine.
    const pdf = await agent.post(`/api/v1/assignments/${v.id}/attachments?filename=${encodeURIComponent('询问笔录.pdf')}`).set('Content-Type', 'application/pdf').send(Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n'));
    expect(pdf.status).toBe(201);
    expect(pdf.body.mediaType).toBe('application/pdf');

    // The assignment shows them (the reviewer sees the same list).
    const reviewer = await api.as('attach-reviewer', 'reviewer');
    const detail = await reviewer.get(`/api/v1/assignments/${v.id}`);
    expect(detail.body.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(['门头照片.png', '询问笔录.pdf']);
    expect((await reviewer.get(res.body.url)).status).toBe(200);

    // At most 10 per visit.
    for (let i = 3; i <= 10; i++) {
      const more = await agent.post(`/api/v1/assignments/${v.id}/attachments?filename=p${i}.png`).set('Content-Type', 'image/png').send(png(i, 2));
      expect(more.status).toBe(201);
    }
    const eleventh = await agent.post(`/api/v1/assignments/${v.id}/attachments?filename=p11.png`).set('Content-Type', 'image/png').send(png(11, 2));
    expect(eleventh.status).toBe(400);
    expect(eleventh.body.error.code).toBe('TOO_MANY_ATTACHMENTS');
    expect(await attachmentRows(v.id)).toHaveLength(10);

    // After approval nothing more is added.
    const findings = v.matters.map((m) => ({ matter: m, compliant: true }));
    expect((await agent.post(`/api/v1/assignments/${v.id}/result`).send({ inspectedOn: today, codes: ['1'], method: '实地检查', followUp: '无需后续处置', findings })).status).toBe(201);
    expect((await reviewer.post(`/api/v1/assignments/${v.id}/review`).send({ decision: 'approve' })).status).toBe(200);
    const locked = await agent.post(`/api/v1/assignments/${v.id}/attachments?filename=late.png`).set('Content-Type', 'image/png').send(photo);
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('RESULT_LOCKED');
    expect(incomingFiles()).toEqual([]);
    // The audit trail holds each upload.
    const audit = await api.db.db.selectFrom('audit_log').select(['action', 'entity_id']).where('action', '=', 'result.attach').where('entity_id', '=', v.id).execute();
    expect(audit).toHaveLength(10);
  });
});
