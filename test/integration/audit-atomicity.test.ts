/**
 * A change and its audit entry commit together (security probe, holes 7 and 8), on the engine
 * under test:
 * - a process killed right after a use case appended its audit entry (failpoint
 *   `audit:appended`, or `import:before-commit` for a file import) leaves neither the change nor
 *   the entry; killed right after an import committed (`import:after-commit`) it leaves both;
 * - the append-only guards hold without dropping a trigger: no `INSERT OR REPLACE` over an
 *   entry, no entry away from the head, no head that moves without a matching entry.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.ts';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { seedDrawRegistry, singleDepartmentTask, DRAW_PARAMS, type DrawRegistry } from '../helpers/drawRegistry.ts';
import { projectRoot } from '../../src/config.ts';
import * as draws from '../../src/services/draws.ts';
import * as plans from '../../src/services/plans.ts';
import { addUser } from '../../src/services/accounts.ts';
import { auditHead, listAudit, verifyAudit } from '../../src/services/audit.ts';

let t: TestDb;
let raw: Kysely<any>;
let reg: DrawRegistry;
let dir: string;

beforeAll(async () => {
  t = await createTestDb();
  raw = t.db as Kysely<any>;
  reg = await seedDrawRegistry(t.db, { objects: 120 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-atomic-'));
});
afterAll(async () => {
  await t?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});


const cli = (args: string[], env: Record<string, string> = {}, stdin?: string): Promise<CliRun> => runCli(t.config.url, args, { env, stdin });

const killedAt = (point: string) => ({ DOUBLE_RANDOM_FAILPOINT: point });

async function entries(action: string): Promise<number> {
  return (await listAudit(t.db, { action, limit: 1 })).total;
}

async function expectKilled(r: CliRun): Promise<void> {
  expect(r.signal, `${r.stdout}\n${r.stderr}`).toBe('SIGKILL');
}

// Each test spawns several processes (the CLI, killed scripts) that load TypeScript through tsx:
// seconds each on a busy 2-core machine. The limit guards against a hang; nothing asserts on time.
describe(`a change and its audit entry commit together on ${testDialect}`, { timeout: 240_000 }, () => {
  it('an import killed before its transaction commits leaves no row and no entry; killed after, both', async () => {
    const file = path.join(dir, 'objects.csv');
    const codes = reg.usccs.slice(0, 3);
    fs.writeFileSync(file, `统一社会信用代码,名称,所属街道\n${codes.map((u, i) => `${u},原子性测试主体${i},解放碑街道`).join('\n')}\n`);
    const named = async () => Number((await raw.selectFrom('objects').select((eb) => eb.fn.countAll().as('n')).where('name', 'like', '原子性测试主体%').executeTakeFirstOrThrow()).n);

    await expectKilled(await cli(['import', 'objects', file], killedAt('import:before-commit')));
    expect(await named()).toBe(0);
    expect(await entries('import.objects')).toBe(0);

    await expectKilled(await cli(['import', 'objects', file], killedAt('import:after-commit')));
    expect(await named()).toBe(3);
    expect(await entries('import.objects')).toBe(1);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('the same for an inspectors import (the row-by-row path)', async () => {
    const file = path.join(dir, 'inspectors.csv');
    fs.writeFileSync(file, `执法证号,姓名,所属部门,年度检查容量\n${reg.officers.sw[0]},税务1,SW,7\n`);
    const capacity = async () => Number((await raw.selectFrom('inspectors').select('yearly_capacity').where('certificate_no', '=', reg.officers.sw[0]).executeTakeFirstOrThrow()).yearly_capacity);
    const before = await capacity();
    await expectKilled(await cli(['import', 'inspectors', file], killedAt('import:before-commit')));
    expect(await capacity()).toBe(before);
    expect(await entries('import.inspectors')).toBe(0);
  });

  it('seeding and voiding a draw, creating a plan, a task transition and account changes: killed after the entry, nothing stays', async () => {
    const paramsFile = path.join(dir, 'params.json');
    fs.writeFileSync(paramsFile, JSON.stringify({ ...DRAW_PARAMS, task: 'atomicity' }));
    const draw = await draws.commitDraw(t.db, { ...DRAW_PARAMS, task: 'atomicity' }, { name: 'zhang' });
    const status = async () => (await draws.getDraw(t.db, draw.id)).status;

    await expectKilled(await cli(['draw', 'seed', draw.id, '03 07 15 22 28 31 + 09'], killedAt('audit:appended')));
    expect(await status()).toBe('committed');
    expect(await entries('draw.seed')).toBe(0);

    await expectKilled(await cli(['draw', 'void', draw.id, '--reason', '测试作废的原子性'], killedAt('audit:appended')));
    expect(await status()).toBe('committed');
    expect(await entries('draw.void')).toBe(0);

    // --as names real accounts: a regulator of SW creates the plan, a regulator of SCJG approves.
    await addUser(t.db, { username: 'wang', role: 'regulator', department: 'SW', password: 'a long password 1' });
    await addUser(t.db, { username: 'li', role: 'regulator', department: 'SCJG', password: 'a long password 1' });
    await expectKilled(await cli(['plan', 'create', '--organization', 'SW', '--year', '2027', '--as', 'wang'], killedAt('audit:appended')));
    expect((await plans.listPlans(t.db, 2027)).length).toBe(0);
    expect(await entries('plan.create')).toBe(0);

    const plan = await plans.createPlan(t.db, { organization: 'SCJG', year: 2026 }, { name: 'zhang' });
    const task = await plans.createTask(
      t.db,
      plan.id,
      singleDepartmentTask('SCJG'),
      { name: 'zhang' },
    );
    await expectKilled(await cli(['task', 'approve', task.id, '--as', 'li'], killedAt('audit:appended')));
    expect((await plans.getTask(t.db, task.id)).status).toBe('draft');
    expect(await entries('task.approved')).toBe(0);

    await addUser(t.db, { username: 'atomic-user', role: 'reviewer', password: 'a long password 1' });
    await expectKilled(await cli(['user', 'disable', 'atomic-user'], killedAt('audit:appended')));
    const user = await raw.selectFrom('users').select(['disabled_at', 'password_hash']).where('username', '=', 'atomic-user').executeTakeFirstOrThrow();
    expect(user.disabled_at).toBeNull();
    expect(await entries('user.disable')).toBe(0);

    await expectKilled(await cli(['user', 'reset', 'atomic-user', '--password-stdin'], killedAt('audit:appended'), 'another long password\n'));
    const after = await raw.selectFrom('users').select('password_hash').where('username', '=', 'atomic-user').executeTakeFirstOrThrow();
    expect(after.password_hash).toBe(user.password_hash);
    expect(await entries('user.password-reset')).toBe(0);

    // And without the failpoint each of them does happen, with its entry.
    expect((await cli(['draw', 'seed', draw.id, '03 07 15 22 28 31 + 09'])).code).toBe(0);
    expect(await status()).toBe('seeded');
    expect(await entries('draw.seed')).toBe(1);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('drawing a task (the draw run, the task move and the plan visits) is one transaction: killed after its entry, nothing stays', async () => {
    const plan = await plans.createPlan(t.db, { organization: 'SW', year: 2026 }, { name: 'zhang' });
    const task = await plans.createTask(
      t.db,
      plan.id,
      singleDepartmentTask('SW', '2026年12月2日中国福利彩票双色球开奖号码'),
      { name: 'zhang' },
    );
    await plans.approveTask(t.db, task.id, { name: 'li' });
    const committed = await plans.commitTask(t.db, task.id, { name: 'zhang' });
    await draws.seedDraw(t.db, committed.drawId!, '03 07 15 22 28 31 + 09', { name: 'zhang' });
    const script = path.join(dir, 'draw-task.mts');
    fs.writeFileSync(
      script,
      `const { createDb } = await import(${JSON.stringify(pathToFileURL(path.join(projectRoot, 'src/db/connection.ts')).href)});
const plans = await import(${JSON.stringify(pathToFileURL(path.join(projectRoot, 'src/services/plans.ts')).href)});
const h = createDb(${JSON.stringify(t.config)});
await plans.drawTask(h.db, ${JSON.stringify(task.id)}, { name: 'zhang' });
await h.close();
`,
    );
    const run = (env: Record<string, string> = {}) =>
      new Promise<CliRun>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: projectRoot, env: { ...process.env, ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      });
    const selections = async () => Number((await raw.selectFrom('draw_selections').select((eb) => eb.fn.countAll().as('n')).where('draw_id', '=', committed.drawId).executeTakeFirstOrThrow()).n);

    await expectKilled(await run(killedAt('audit:appended')));
    expect((await plans.getTask(t.db, task.id)).status).toBe('committed');
    expect((await draws.getDraw(t.db, committed.drawId!)).status).toBe('seeded');
    expect(await selections()).toBe(0);
    expect(await entries('draw.run')).toBe(0);

    // Killed at the task move's entry, after the draw run and its entry were written: still nothing.
    await expectKilled(await run(killedAt('audit:appended:task.drawn')));
    expect((await plans.getTask(t.db, task.id)).status).toBe('committed');
    expect((await draws.getDraw(t.db, committed.drawId!)).status).toBe('seeded');
    expect(await selections()).toBe(0);
    expect(await entries('draw.run')).toBe(0);

    const done = await run();
    expect(done.code, done.stderr).toBe(0);
    expect((await plans.getTask(t.db, task.id)).status).toBe('drawn');
    expect(await selections()).toBeGreaterThan(0);
    expect(await entries('draw.run')).toBe(1);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });
});

// The same limit as above (the CLI is spawned).
describe(`the audit trail's guards hold without dropping a trigger on ${testDialect}`, { timeout: 240_000 }, () => {
  const refused = /AUDIT_APPEND_ONLY/;

  interface Entry {
    seq: number;
    at: string;
    actor: string;
    action: string;
    entity: string;
    entity_id: string;
    before: string | null;
    after: string | null;
    note: string | null;
    prev_hash: string;
    hash: string;
  }

  async function firstEntry(): Promise<Entry> {
    const r = (await raw.selectFrom('audit_log').selectAll().orderBy('seq').limit(1).executeTakeFirstOrThrow()) as Entry;
    return { ...r, seq: Number(r.seq) };
  }

  it('refuses to replace an entry (INSERT OR REPLACE on SQLite, ON CONFLICT DO UPDATE on PostgreSQL)', async () => {
    const e = await firstEntry();
    const forged = { ...e, actor: 'mallory', note: 'forged' };
    if (testDialect === 'sqlite') {
      await expect(sql`insert or replace into audit_log (seq, at, actor, action, entity, entity_id, before, after, note, prev_hash, hash)
        values (${forged.seq}, ${forged.at}, ${forged.actor}, ${forged.action}, ${forged.entity}, ${forged.entity_id}, ${forged.before}, ${forged.after}, ${forged.note}, ${forged.prev_hash}, ${forged.hash})`.execute(raw)).rejects.toThrow(refused);
      await expect(sql`replace into audit_log (seq, at, actor, action, entity, entity_id, before, after, note, prev_hash, hash)
        values (${forged.seq}, ${forged.at}, ${forged.actor}, ${forged.action}, ${forged.entity}, ${forged.entity_id}, ${forged.before}, ${forged.after}, ${forged.note}, ${forged.prev_hash}, ${forged.hash})`.execute(raw)).rejects.toThrow(refused);
    } else {
      await expect(sql`insert into audit_log (seq, at, actor, action, entity, entity_id, before, after, note, prev_hash, hash)
        values (${forged.seq}, ${forged.at}, ${forged.actor}, ${forged.action}, ${forged.entity}, ${forged.entity_id}, ${forged.before}, ${forged.after}, ${forged.note}, ${forged.prev_hash}, ${forged.hash})
        on conflict (seq) do update set actor = excluded.actor`.execute(raw)).rejects.toThrow(refused);
    }
    expect((await firstEntry()).actor).toBe(e.actor);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('refuses an entry inserted away from the head, and a head moved without its entry', async () => {
    const head = await auditHead(t.db);
    const e = await firstEntry();
    await expect(raw.insertInto('audit_log').values({ ...e, seq: head.seq + 5 }).execute()).rejects.toThrow(refused);
    // The head's hash cannot be rewritten at the same number, nor jump, nor go back.
    await expect(raw.updateTable('audit_head').set({ hash: 'f'.repeat(64) }).where('id', '=', 1).execute()).rejects.toThrow(refused);
    await expect(raw.updateTable('audit_head').set({ seq: head.seq + 2 }).where('id', '=', 1).execute()).rejects.toThrow(refused);
    await expect(raw.updateTable('audit_head').set({ seq: head.seq - 1 }).where('id', '=', 1).execute()).rejects.toThrow(refused);
    // Nor be replaced or doubled.
    if (testDialect === 'sqlite') {
      await expect(sql`insert or replace into audit_head (id, seq, hash) values (1, ${head.seq}, ${'e'.repeat(64)})`.execute(raw)).rejects.toThrow(refused);
    } else {
      await expect(sql`insert into audit_head (id, seq, hash) values (1, ${head.seq}, ${'e'.repeat(64)}) on conflict (id) do update set hash = excluded.hash`.execute(raw)).rejects.toThrow(refused);
    }
    expect(await auditHead(t.db)).toEqual(head);
    expect((await verifyAudit(t.db, { expectedHead: head })).ok).toBe(true);
  });

  it('`audit verify` prints the head to note, and `--head` checks it', async () => {
    const head = await auditHead(t.db);
    const noted = `${head.seq}:${head.hash}`;
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(noted);
    expect((await cli(['audit', 'verify', '--head', noted])).code).toBe(0);
    // A head that is not in the log (as after a cut tail or a recomputed chain) fails.
    const other = await cli(['audit', 'verify', '--head', `${head.seq + 1}:${'a'.repeat(64)}`]);
    expect(other.code).toBe(1);
  });
});
