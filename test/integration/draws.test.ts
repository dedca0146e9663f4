import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { DRAW_PARAMS, seedDrawRegistry, type DrawRegistry } from '../helpers/drawRegistry.ts';
import * as draws from '../../src/services/draws.ts';
import * as registry from '../../src/services/registry.ts';
import { drawFiles } from '../../src/db/repositories/draws.ts';
import { computeDraw } from '../../src/domain/draw/draw.ts';
import { verifyBundle } from '../../src/domain/draw/verify.ts';
import type { CanonicalFiles } from '../../src/domain/draw/canonical.ts';

let t: TestDb;
let reg: DrawRegistry;
const alice = { name: 'alice', now: new Date('2026-11-28T01:00:00Z') };
const bob = { name: 'bob', now: new Date('2026-12-01T13:00:00Z') };

beforeAll(async () => {
  t = await createTestDb();
  reg = await seedDrawRegistry(t.db);
});
afterAll(async () => t?.destroy());

const withTask = (task: string, extra: object = {}) => ({ ...DRAW_PARAMS, task, ...extra });

describe(`draw workflow on ${testDialect}`, () => {
  it('commits, seeds after the commitment, draws, and the bundles verify', async () => {
    const committed = await draws.commitDraw(t.db, withTask('T-basic'), alice);
    expect(committed).toMatchObject({ status: 'committed', randomness: null, committedBy: 'alice' });
    expect(committed.commitment).toMatch(/^[0-9a-f]{64}$/);
    await expect(draws.runDraw(t.db, committed.id, bob)).rejects.toMatchObject({ code: 'DRAW_NOT_SEEDED' });

    const seeded = await draws.seedDraw(t.db, committed.id, ' 03 07 15 22 28 31 ＋ 09 ', bob);
    expect(seeded.randomness).toMatchObject({ normalized: '030715222831+09', enteredBy: 'bob' });
    await expect(draws.seedDraw(t.db, committed.id, '11 12', bob)).rejects.toMatchObject({ code: 'DRAW_ALREADY_SEEDED' });

    const drawn = await draws.runDraw(t.db, committed.id, bob);
    expect(drawn.status).toBe('drawn');
    expect(drawn.selectedCount).toBeGreaterThan(10);
    const selections = await draws.drawSelections(t.db, committed.id);
    expect(selections).toHaveLength(drawn.selectedCount);
    // Auxiliaries, officers on leave and lapsing certificates are never drawn; teams are 2 SCJG + 1 SW.
    for (const s of selections) {
      expect(s.team).toHaveLength(3);
      expect(s.team.filter((c) => reg.officers.scjg.includes(c))).toHaveLength(2);
      expect(s.team.filter((c) => reg.officers.sw.includes(c))).toHaveLength(1);
    }
    await expect(draws.runDraw(t.db, committed.id, bob)).rejects.toMatchObject({ code: 'DRAW_ALREADY_RUN' });

    const pub = await draws.exportBundle(t.db, committed.id, 'public');
    expect(pub.files['strata.csv']).toBeUndefined();
    expect(JSON.stringify(pub)).not.toMatch(/,(A|B|C|D|U),[0-9a-f]{64}/); // no grade lines in the public bundle
    const pubReport = verifyBundle(pub, { expectedCommitment: committed.commitment });
    expect(pubReport).toMatchObject({ ok: true, level: 'public' });
    const full = await draws.exportBundle(t.db, committed.id, 'full');
    expect(verifyBundle(full)).toMatchObject({ ok: true, level: 'full' });

    const selectedUscc = selections[0].uscc;
    const opening = await draws.gradeOpening(t.db, committed.id, selectedUscc);
    expect(verifyBundle(pub, { opening })).toMatchObject({ ok: true, opening: { uscc: selectedUscc, selected: true } });
  });

  it('excluded officers and deregistered entities never enter the committed files', async () => {
    const d = await draws.commitDraw(t.db, withTask('T-files'), alice);
    const files = (await drawFiles(t.db, d.id)) as CanonicalFiles;
    expect(files['inspectors.csv']).not.toContain('FZ0001');
    expect(files['inspectors.csv']).not.toContain('500103019999');
    expect(files['inspectors.csv']).not.toContain('500103019998');
    const deregistered = (await registry.listObjects(t.db, { status: 'deregistered' }, { limit: 100, offset: 0 })).items;
    expect(deregistered.length).toBeGreaterThan(0);
    for (const o of deregistered) expect(files['frame.csv']).not.toContain(o.uscc);
  });

  it('a redraw needs the first draw voided with a reason; the voided draw stays and is counted', async () => {
    const first = await draws.commitDraw(t.db, withTask('T-redraw'), alice);
    await draws.seedDraw(t.db, first.id, '1 2 3 4 5 6', bob);
    await draws.runDraw(t.db, first.id, bob);
    await expect(draws.commitDraw(t.db, withTask('T-redraw'), alice)).rejects.toMatchObject({ code: 'TASK_HAS_LIVE_DRAW' });
    await expect(draws.voidDraw(t.db, first.id, ' ', alice)).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    const voided = await draws.voidDraw(t.db, first.id, '随机数来源开奖推迟，改用下一期', alice);
    expect(voided).toMatchObject({ status: 'voided', voided: { by: 'alice', reason: '随机数来源开奖推迟，改用下一期' } });
    const second = await draws.commitDraw(t.db, withTask('T-redraw'), alice);
    expect(second.voidedDrawsOfTask).toBe(1);
    expect(second.commitment).not.toBe(first.commitment);
    expect(second.params.attempt).toBe(2);
    // The voided draw and its selections are still there, and still exportable for the record.
    expect((await draws.getDraw(t.db, first.id)).selectedCount).toBeGreaterThan(0);
    expect(verifyBundle(await draws.exportBundle(t.db, first.id, 'full')).ok).toBe(true);
    const list = await draws.listDraws(t.db, 'T-redraw');
    expect(list.map((d) => d.status).sort()).toEqual(['committed', 'voided']);
  });

  it('changing the registry after the commitment leaves the draw unchanged', async () => {
    const d = await draws.commitDraw(t.db, withTask('T-frozen'), alice);
    const filesAtCommit = (await drawFiles(t.db, d.id)) as CanonicalFiles;
    // Regrade entities, retire officers, declare new conflicts, add entities.
    for (const u of reg.usccs.slice(0, 50)) await registry.upsertObject(t.db, { uscc: u, creditGrade: 'D' }, { name: 'test' });
    await registry.upsertInspector(t.db, { certificateNo: reg.officers.scjg[0], status: 'left' }, { name: 'test' });
    await registry.declareConflict(t.db, { certificateNo: reg.officers.sw[0], uscc: reg.usccs[1], reason: '新申报' }, { name: 'test' });
    const seeded = await draws.seedDraw(t.db, d.id, '998877', bob);
    await draws.runDraw(t.db, d.id, bob);
    const expected = computeDraw(filesAtCommit, seeded.randomness!.workingSeed!);
    const got = await draws.drawSelections(t.db, d.id);
    expect(got.map((s) => [s.uscc, s.ticket, s.team])).toEqual(expected.selection.selected.map((s, i) => [s.uscc, s.ticket, expected.teams.teams[i]]));
    expect((await draws.getDraw(t.db, d.id)).resultDigest).toBe(expected.resultDigest);
    // A fresh commitment on the changed registry is a different one.
    await draws.voidDraw(t.db, d.id, '测试：名录变更后重新承诺', alice);
    const again = await draws.commitDraw(t.db, withTask('T-frozen'), alice);
    expect(again.commitment).not.toBe(d.commitment);
    // Put the officer back for the other tests.
    await registry.upsertInspector(t.db, { certificateNo: reg.officers.scjg[0], status: 'active' }, { name: 'test' });
  });

  it('earlier draws of the year use capacity and count as visits for the next commitment', async () => {
    const a = await draws.commitDraw(t.db, withTask('T-cap-1'), alice);
    await draws.seedDraw(t.db, a.id, '42', bob);
    await draws.runDraw(t.db, a.id, bob);
    const b = await draws.commitDraw(t.db, withTask('T-cap-2'), alice);
    const files = (await drawFiles(t.db, b.id)) as CanonicalFiles;
    const loads = new Map<string, number>();
    for (const s of await draws.drawSelections(t.db, a.id)) for (const c of s.team) loads.set(c, (loads.get(c) ?? 0) + 1);
    const [cert, used] = [...loads].sort((x, y) => y[1] - x[1])[0];
    const line = files['inspectors.csv'].split('\n').find((l) => l.startsWith(`${cert},`))!;
    expect(Number(line.split(',')[2])).toBeLessThanOrEqual((reg.officers.sw.includes(cert) ? 60 : 40) - used);
    const visited = (await draws.drawSelections(t.db, a.id))[0].uscc;
    expect(files['history.csv']).toContain(`${visited},2026-12-07,draw:${a.commitment.slice(0, 16)}`);
  });

  it('fails without writing anything when a department is short of officers, naming it', async () => {
    const d = await draws.commitDraw(t.db, withTask('T-short', { departments: [{ code: 'SCJG', officersPerTeam: 2 }, { code: 'SW', officersPerTeam: 6 }] }), alice);
    await draws.seedDraw(t.db, d.id, '7', bob);
    const err = await draws.runDraw(t.db, d.id, bob).catch((e) => e);
    expect(err).toMatchObject({ code: 'TEAM_SHORTFALL', status: 422 });
    expect(err.message).toContain('SW 缺');
    const after = await draws.getDraw(t.db, d.id);
    expect(after).toMatchObject({ status: 'seeded', selectedCount: 0 });
    expect(await draws.drawSelections(t.db, d.id)).toEqual([]);
  });

  it('rejects bad parameters with every problem named', async () => {
    const bad = { ...DRAW_PARAMS, task: 'T-bad', selection: { mode: 'rates', rates: { A: '0', B: '1.5' } }, departments: [{ code: 'SCJG', officersPerTeam: 1 }] };
    const err = await draws.commitDraw(t.db, bad, alice).catch((e) => e);
    expect(err).toMatchObject({ code: 'INVALID_DRAW_PARAMETERS', status: 400 });
    const paths = err.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['selection.A', 'selection.B', 'departments']));
    const missing = await draws.commitDraw(t.db, { ...DRAW_PARAMS, task: 'T-missing', selection: { mode: 'rates', rates: { B: '0.1' } } }, alice).catch((e) => e);
    expect(missing).toMatchObject({ code: 'STRATUM_WITHOUT_RATE' });
    const unknown = await draws.commitDraw(t.db, { ...DRAW_PARAMS, task: 'T-unknown', matters: ['NOPE-1'] }, alice).catch((e) => e);
    expect(unknown).toMatchObject({ code: 'INVALID_DRAW_PARAMETERS' });
    expect(unknown.message).toContain('NOPE-1');
    expect((await draws.listDraws(t.db)).some((d) => d.task.startsWith('T-bad') || d.task === 'T-missing' || d.task === 'T-unknown')).toBe(false);
  });
});
