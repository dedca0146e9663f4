/** The services write the audit trail: one entry per change, one per import, and the chain verifies. */
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { DRAW_PARAMS, seedDrawRegistry } from '../helpers/drawRegistry.ts';
import * as draws from '../../src/services/draws.ts';
import * as registry from '../../src/services/registry.ts';
import { importFile } from '../../src/services/imports/importFile.ts';
import { listAudit, verifyAudit } from '../../src/services/audit.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDrawRegistry(t.db, { objects: 80 });
});
afterAll(async () => t?.destroy());

describe(`audit trail on ${testDialect}`, () => {
  it('records registry changes, the draw workflow and a bulk import, and the chain verifies', async () => {
    const u = (await registry.listObjects(t.db, {}, { limit: 1, offset: 0 })).items[0].uscc;
    await registry.upsertObject(t.db, { uscc: u, creditGrade: 'D' }, { name: 'alice' });
    const d = await draws.commitDraw(t.db, { ...DRAW_PARAMS, task: 'AUD-1' }, { name: 'alice' });
    await draws.seedDraw(t.db, d.id, '1 2 3', { name: 'bob' });
    await draws.runDraw(t.db, d.id, { name: 'bob' });
    await draws.voidDraw(t.db, d.id, '测试作废理由', { name: 'alice' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-aud-'));
    const before = (await listAudit(t.db, { limit: 1000 })).total;
    const r = await importFile(t, { kind: 'objects', file: path.resolve(import.meta.dirname, '../fixtures/import/objects-gb18030.csv'), outputDir: dir, actor: { name: 'carol' } });
    expect(r.inserted).toBe(12);
    const after = await listAudit(t.db, { limit: 1000 });
    expect(after.total).toBe(before + 1);
    expect(after.rows[0]).toMatchObject({ action: 'import.objects', actor: 'carol' });
    const actions = after.rows.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['object.update', 'draw.commit', 'draw.seed', 'draw.run', 'draw.void']));
    const update = after.rows.find((e: { action: string; entity_id?: string; entityId?: string }) => e.action === 'object.update')!;
    expect(JSON.stringify(update)).toContain('"D"');
    expect((await verifyAudit(t.db)).ok).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
