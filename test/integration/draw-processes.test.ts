/**
 * Draws across operating-system processes: two processes drawing one task at once leave exactly
 * one draw; a process killed at each failpoint inside the draw leaves no partial draw.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drawBundleSchema } from '../../src/domain/draw/bundleSchema.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.ts';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { DRAW_PARAMS, seedDrawRegistry } from '../helpers/drawRegistry.ts';
import * as draws from '../../src/services/draws.ts';
import { projectRoot } from '../../src/config.ts';

let t: TestDb;
let dir: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDrawRegistry(t.db, { objects: 300 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-proc-'));
});
afterAll(async () => {
  await t?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});


const cli = (args: string[], env: Record<string, string> = {}): Promise<CliRun> => runCli(t.config.url, args, { env });

function paramsFile(task: string): string {
  const file = path.join(dir, `${task}.json`);
  fs.writeFileSync(file, JSON.stringify({ ...DRAW_PARAMS, task }));
  return file;
}

// Each test spawns several processes (the CLI, killed scripts) that load TypeScript through tsx:
// seconds each on a busy 2-core machine. The limit guards against a hang; nothing asserts on time.
describe(`draws across processes on ${testDialect}`, { timeout: 240_000 }, () => {
  it('two processes committing one task at once leave exactly one live draw', async () => {
    const file = paramsFile('P-race-commit');
    const [a, b] = await Promise.all([cli(['draw', 'commit', file]), cli(['draw', 'commit', file])]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 2]);
    const loser = a.code === 0 ? b : a;
    expect(loser.stderr).toContain('TASK_HAS_LIVE_DRAW');
    expect((await draws.listDraws(t.db, 'P-race-commit')).filter((d) => d.status !== 'voided')).toHaveLength(1);
  });

  it('two processes running one draw at once write it exactly once', async () => {
    const d = await draws.commitDraw(t.db, { ...DRAW_PARAMS, task: 'P-race-run' }, { name: 'test' });
    await draws.seedDraw(t.db, d.id, '2026 12 01 07 19', { name: 'test' });
    const [a, b] = await Promise.all([cli(['draw', 'run', d.id]), cli(['draw', 'run', d.id])]);
    expect([a.code, b.code].sort()).toEqual([0, 2]);
    expect((a.code === 0 ? b : a).stderr).toContain('DRAW_ALREADY_RUN');
    const after = await draws.getDraw(t.db, d.id);
    expect(after.status).toBe('drawn');
    const rows = await draws.drawSelections(t.db, d.id);
    expect(rows).toHaveLength(after.selectedCount);
    expect(new Set(rows.map((r) => r.uscc)).size).toBe(rows.length);
  });

  it('`draw export` and `verify` from the command line: exit 0 on a match, 1 with the first difference', async () => {
    const d = await draws.commitDraw(t.db, { ...DRAW_PARAMS, task: 'P-verify' }, { name: 'test' });
    await draws.seedDraw(t.db, d.id, '8 8 8', { name: 'test' });
    await draws.runDraw(t.db, d.id, { name: 'test' });
    const file = path.join(dir, 'public.json');
    expect((await cli(['draw', 'export', d.id, file])).code).toBe(0);
    const ok = await cli(['verify', file, '--commitment', d.commitment]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('验证通过 (VERIFIED)：公开包');
    const bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
    bundle.selection[0].team.reverse();
    fs.writeFileSync(file, JSON.stringify(bundle));
    const bad = await cli(['verify', file]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('验证失败 (VERIFY_FAILED');
    const full = path.join(dir, 'full.json');
    expect((await cli(['draw', 'export', d.id, full, '--level', 'full'])).code).toBe(0);
    const fullOk = await cli(['verify', full]);
    expect(fullOk.stdout).toContain('完整包（全部重算）');
    expect(fullOk.code).toBe(0);
  });

  it('`draw show` labels the strata by what the draw stratified by (credit or sector grades)', async () => {
    const d = await draws.commitDraw(t.db, { ...DRAW_PARAMS, task: 'P-sector', stratifyBy: 'sector' }, { name: 'test' });
    await draws.seedDraw(t.db, d.id, '1 2 3', { name: 'test' });
    await draws.runDraw(t.db, d.id, { name: 'test' });
    const shown = await cli(['draw', 'show', d.id]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('按专业领域风险分类');
    expect(shown.stdout).toContain('专业领域风险 A 类');
    expect(shown.stdout).not.toContain('信用风险低');
  });

  it('`verify` says in its first line when the commitment was not checked, says a voided draw is voided, and `draw export` prints the full command', async () => {
    const d = await draws.commitDraw(t.db, { ...DRAW_PARAMS, task: 'P-truth' }, { name: 'test' });
    await draws.seedDraw(t.db, d.id, '4 8 15 16 23 42', { name: 'test' });
    await draws.runDraw(t.db, d.id, { name: 'test' });
    const file = path.join(dir, 'truth.json');
    const exported = await cli(['draw', 'export', d.id, file]);
    expect(exported.stdout).toContain(`double-random verify ${file} --commitment ${d.commitment}`);
    // Every exported bundle follows docs/draw-bundle.schema.json.
    expect(drawBundleSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8'))).success).toBe(true);

    const unchecked = await cli(['verify', file]);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout.split('\n')[0]).toContain('COMMITMENT_NOT_CHECKED');
    expect(unchecked.stdout).toContain('仅内部自洽');
    const checked = await cli(['verify', file, '--commitment', d.commitment]);
    expect(checked.stdout).not.toContain('COMMITMENT_NOT_CHECKED');
    expect(checked.stdout).toContain('承诺值与事先公布的一致');

    await draws.voidDraw(t.db, d.id, '核对发现名录数据有误，作废重抽', { name: 'test' });
    const voidedFile = path.join(dir, 'truth-voided.json');
    const exportedVoided = await cli(['draw', 'export', d.id, voidedFile]);
    expect(exportedVoided.stdout).toContain('作废');
    const voidedBundle = JSON.parse(fs.readFileSync(voidedFile, 'utf8'));
    expect(drawBundleSchema.safeParse(voidedBundle).success).toBe(true);
    expect(voidedBundle.draw).toMatchObject({ status: 'voided', voided: { reason: '核对发现名录数据有误，作废重抽' } });
    const fullFile = path.join(dir, 'truth-full.json');
    await cli(['draw', 'export', d.id, fullFile, '--level', 'full']);
    expect(drawBundleSchema.safeParse(JSON.parse(fs.readFileSync(fullFile, 'utf8'))).success).toBe(true);
    const voided = await cli(['verify', voidedFile, '--commitment', d.commitment]);
    expect(voided.code).toBe(0);
    expect(voided.stdout).toContain('DRAW_VOIDED');
    expect(voided.stdout).toContain('核对发现名录数据有误，作废重抽');
    expect(voided.stdout).toContain('本次抽取已作废');
  });

  it.each(['draw:after-selections', 'draw:after-team-members', 'draw:before-commit'])(
    'a process killed at %s leaves no partial draw, and the draw can then be run',
    async (point) => {
      const d = await draws.commitDraw(t.db, { ...DRAW_PARAMS, task: `P-kill-${point}` }, { name: 'test' });
      await draws.seedDraw(t.db, d.id, '31 41 59 26', { name: 'test' });
      const killed = await cli(['draw', 'run', d.id], { DOUBLE_RANDOM_FAILPOINT: point });
      expect(killed.signal).toBe('SIGKILL');
      const after = await draws.getDraw(t.db, d.id);
      expect(after).toMatchObject({ status: 'seeded', selectedCount: 0, drawnAt: null });
      expect(await draws.drawSelections(t.db, d.id)).toEqual([]);
      const ok = await cli(['draw', 'run', d.id]);
      expect(ok.code, ok.stderr).toBe(0);
      expect((await draws.getDraw(t.db, d.id)).status).toBe('drawn');
    },
  );
});
