/**
 * Fail fast at start: the real `double-random serve`, in a child process, with DATA_DIR pointing
 * at a copy of the data files. A broken list file, calendar override file or plan-defaults file,
 * or a malformed variable, stops the start (exit code 2, nothing listening, no database created)
 * with a Chinese message naming the file, the field and the fix; a good copy starts the service.
 * The child uses a SQLite file of its own whatever the engine of the run: this is about
 * configuration, which comes before any database.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { projectRoot } from '../../src/config.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const DATA = path.join(projectRoot, 'data');
const readJson = (rel: string) => JSON.parse(fs.readFileSync(path.join(DATA, rel), 'utf8'));

let dirNo = 0;
/** A copy of the project's data files with some replaced, and a database path beside it. */
function dataDir(replace: Record<string, unknown> = {}): { dir: string; database: string } {
  const dir = path.join(tmp, `data-${++dirNo}`);
  fs.cpSync(path.join(DATA, 'lists'), path.join(dir, 'lists'), { recursive: true });
  for (const f of ['calendar-overrides.json', 'plan-defaults.json', 'violation-types.json']) fs.copyFileSync(path.join(DATA, f), path.join(dir, f));
  for (const [rel, content] of Object.entries(replace)) {
    fs.writeFileSync(path.join(dir, rel), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return { dir, database: path.join(tmp, `db-${dirNo}.sqlite`) };
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs `double-random serve` with the given variables (on top of a clean set: port 0, no demo
 * data, no scheduler). `until`: once stderr matches it, the child is sent SIGTERM.
 */
function serve(env: Record<string, string>, until?: RegExp): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const { TEST_DATABASE_URL: _t, DATA_DIR: _d, PUBLIC_BASE_URL: _p, DATABASE_URL: _u, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'main.ts'), 'serve'], {
      cwd: projectRoot,
      env: { ...inherited, PORT: '0', DEMO_DATA: '0', SCHEDULER: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let stopping = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (until && !stopping && until.test(stderr)) {
        stopping = true;
        child.kill('SIGTERM');
      }
    });
    // A start that neither fails nor comes up is a failure of the test, not a hang.
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

// One child per kind of problem: each start costs seconds of loading (a file that is not JSON and a
// missing file are covered in-process by test/unit/config.test.ts).
describe('double-random serve checks its configuration before it starts', () => {
  it('starts with a good copy of the data files under DATA_DIR', async ({ expect }) => {
    const { dir, database } = dataDir();
    const r = await serve({ DATA_DIR: dir, DATABASE_URL: database }, /服务已启动/);
    expect(r.stderr).not.toContain('CONFIG_INVALID');
    expect(r.stderr).toContain('服务已启动');
    expect({ code: r.code, signal: r.signal }, r.stderr.slice(-2000)).toEqual({ code: 0, signal: null });
  });

  it('a broken list file stops the start, naming the file, the field and the fix', async ({ expect }) => {
    const list = readJson('lists/exemption/national-2025.json');
    list.items[3].number = 4;
    const { dir, database } = dataDir({ 'lists/exemption/national-2025.json': list });
    const r = await serve({ DATA_DIR: dir, DATABASE_URL: database });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('配置错误 (CONFIG_INVALID)');
    expect(r.stderr).toContain(`${path.join(dir, 'lists', 'exemption', 'national-2025.json')} 第 items[3].number 项：必须是非空字符串，实际是number 4`);
    expect(r.stderr).toContain('请修正该文件后重新启动（格式见 docs/lists.md）');
    expect(r.stderr).not.toContain('服务已启动');
    expect(fs.existsSync(database)).toBe(false);
  });

  it('a broken calendar override file stops the start', async ({ expect }) => {
    const overrides = { years: { '2031': { holidays: { '2031-01-01': '元旦', '2031-05-01': '劳动节', '2031-10-01': '国庆节', '2031-10-02': '国庆节', '2031-10-03': '国庆节' }, workdays: { '2031-01-06': '元旦' } } } };
    const { dir, database } = dataDir({ 'calendar-overrides.json': overrides });
    const r = await serve({ DATA_DIR: dir, DATABASE_URL: database });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${path.join(dir, 'calendar-overrides.json')} 第 years.2031.workdays.2031-01-06 项：调休上班日应是周六或周日，2031-01-06 是周一`,
    );
    expect(r.stderr).toContain('请修正该文件后重新启动（格式见 docs/calendar.md）');
    expect(fs.existsSync(database)).toBe(false);
  });

  it('a broken plan-defaults file stops the start', async ({ expect }) => {
    const defaults = readJson('plan-defaults.json');
    defaults.rates.C = '1.5';
    const { dir, database } = dataDir({ 'plan-defaults.json': defaults });
    const r = await serve({ DATA_DIR: dir, DATABASE_URL: database });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(dir, 'plan-defaults.json')} 第 rates.C 项：C 类的默认抽查比例必须是 大于 0 到 1 之间、最多 6 位小数的字符串`);
    expect(r.stderr).toContain('请修正该文件后重新启动');
    expect(fs.existsSync(database)).toBe(false);
  });

  it('a malformed variable stops the start, naming the variable, its value and the fix', async ({ expect }) => {
    const { dir, database } = dataDir();
    const r = await serve({ DATA_DIR: dir, DATABASE_URL: database, PUBLIC_BASE_URL: 'sjs.example.gov.cn', IMPORT_CONCURRENCY: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('配置错误 (CONFIG_INVALID)');
    expect(r.stderr).toContain('环境变量 PUBLIC_BASE_URL="sjs.example.gov.cn" 无效：应为以 http:// 或 https:// 开头的网址');
    expect(r.stderr).toContain('环境变量 IMPORT_CONCURRENCY="0" 无效：应为 1–16 的整数');
    expect(r.stderr).toContain('请修正环境变量后重新启动');
    expect(fs.existsSync(database)).toBe(false);
  });
});
