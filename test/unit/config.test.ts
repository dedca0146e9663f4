/**
 * One config: every environment variable and every data file (lists, calendar overrides, plan
 * defaults) validated by zod, all at once, with a Chinese message (stable code CONFIG_INVALID)
 * naming the variable or the file, the JSON path of the field and how to fix it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkEnvironment, ConfigError, dataPaths, importDir, loadConfig, projectRoot, publicBaseUrl } from '../../src/config.ts';
import { loadStartupConfig } from '../../src/config/startup.ts';
import { clearPlanDefaultsCache, planDefaults, PlanDefaultsError } from '../../src/services/planDefaults.ts';
import { parseDataFile, stripComments } from '../../src/schemas/dataFile.ts';
import { planDefaultsSchema } from '../../src/schemas/planDefaults.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'config-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => clearPlanDefaultsCache());

const DATA = path.join(projectRoot, 'data');
const readJson = (rel: string) => JSON.parse(fs.readFileSync(path.join(DATA, rel), 'utf8'));

let dirNo = 0;
/** A copy of the project's data files, with some replaced. */
function dataDir(replace: Record<string, unknown> = {}): string {
  const dir = path.join(tmp, `data-${++dirNo}`);
  fs.cpSync(path.join(DATA, 'lists'), path.join(dir, 'lists'), { recursive: true });
  for (const f of ['calendar-overrides.json', 'plan-defaults.json', 'violation-types.json']) fs.copyFileSync(path.join(DATA, f), path.join(dir, f));
  for (const [rel, content] of Object.entries(replace)) {
    const file = path.join(dir, rel);
    if (content === undefined) fs.rmSync(file);
    else fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('environment variables', () => {
  it('accepts the defaults (no variable set)', () => {
    expect(() => checkEnvironment({})).not.toThrow();
    expect(loadConfig({})).toMatchObject({ port: 3000, logLevel: 'info', demoData: true, scheduler: true });
  });

  it('rejects every malformed variable at once, naming each with its value and the fix', () => {
    const e = thrown(() => loadConfig({ PORT: 'eighty', SCHEDULER: 'yes', IMPORT_MEMORY_MB: '8', PUBLIC_BASE_URL: 'ftp://sjs.example.gov.cn' }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/^配置错误 \(CONFIG_INVALID\)：/);
    expect(e.message).toContain('环境变量 PORT="eighty" 无效：应为 0–65535 的整数');
    expect(e.message).toContain('环境变量 SCHEDULER="yes" 无效：应为 0 或 1');
    expect(e.message).toContain('环境变量 IMPORT_MEMORY_MB="8" 无效');
    expect(e.message).toContain('环境变量 PUBLIC_BASE_URL="ftp://sjs.example.gov.cn" 无效：应为以 http:// 或 https:// 开头的网址');
    expect(e.message).toContain('请修正环境变量后重新启动');
    expect((e as ConfigError).problems.map((p) => p.path).sort()).toEqual(['IMPORT_MEMORY_MB', 'PORT', 'PUBLIC_BASE_URL', 'SCHEDULER']);
  });

  it('PUBLIC_BASE_URL: the one public address, without a trailing slash; default http://localhost:$PORT', () => {
    expect(publicBaseUrl({})).toBe('http://localhost:3000');
    expect(publicBaseUrl({ PORT: '8080' })).toBe('http://localhost:8080');
    expect(publicBaseUrl({ PUBLIC_BASE_URL: '' })).toBe('http://localhost:3000');
    expect(publicBaseUrl({ PUBLIC_BASE_URL: 'https://sjs.example.gov.cn/' })).toBe('https://sjs.example.gov.cn');
    expect(publicBaseUrl({ PUBLIC_BASE_URL: 'https://example.gov.cn/sjs//' })).toBe('https://example.gov.cn/sjs');
    for (const bad of ['sjs.example.gov.cn', 'https://x.gov.cn/?a=1', 'https://x.gov.cn/#top', 'https://user:pw@x.gov.cn']) {
      expect(() => publicBaseUrl({ PUBLIC_BASE_URL: bad }), bad).toThrow(/PUBLIC_BASE_URL/);
    }
  });

  it('DATA_DIR and IMPORT_DIR: relative to the working directory; default under the project', () => {
    expect(dataPaths({})).toMatchObject({ dir: DATA, explicit: false, lists: path.join(DATA, 'lists'), planDefaults: path.join(DATA, 'plan-defaults.json') });
    const d = dataPaths({ DATA_DIR: 'conf' });
    expect(d).toMatchObject({ dir: path.resolve('conf'), explicit: true, calendarOverrides: path.resolve('conf', 'calendar-overrides.json') });
    expect(importDir({})).toBe(path.join(DATA, 'imports'));
    expect(importDir({ IMPORT_DIR: '/var/lib/dr' })).toBe('/var/lib/dr');
  });
});

describe('data-file schemas', () => {
  it('comment keys ($…) are removed at every level before validation', () => {
    expect(stripComments({ $comment: 'x', a: [{ $note: 1, b: 2 }], c: { $d: 3 } })).toEqual({ a: [{ b: 2 }], c: {} });
  });

  it('the project’s plan-defaults.json passes its schema', () => {
    const r = parseDataFile(planDefaultsSchema, readJson('plan-defaults.json'), 'PLAN_DEFAULTS_INVALID');
    expect(r.ok).toBe(true);
  });

  it('plan defaults: each problem is named by its JSON path, in Chinese, with the expected value', () => {
    const doc = readJson('plan-defaults.json');
    doc.rates.A = '0';
    doc.rates.X = '0.1';
    doc.yearlyCap = 0;
    delete doc.publicationWorkingDays;
    doc.disclosureMinimumRate = 0.03;
    const r = parseDataFile(planDefaultsSchema, doc, 'PLAN_DEFAULTS_INVALID');
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    const at = (p: string) => problems.find((x) => x.path === p)?.message;
    expect(at('rates.A')).toMatch(/A 类的默认抽查比例必须是 大于 0 到 1 之间.*任何等级都不能免于抽查/);
    expect(at('rates.X')).toContain('未知字段');
    expect(at('yearlyCap')).toContain('必须是正整数');
    expect(at('publicationWorkingDays')).toContain('实际是缺失');
    expect(at('disclosureMinimumRate')).toContain('实际是number 0.03');
    expect(problems.every((p) => p.code === 'PLAN_DEFAULTS_INVALID')).toBe(true);
  });

  it('planDefaults(): a missing or broken file fails naming the file; a good one is cached and frozen', () => {
    const missing = path.join(tmp, 'nowhere', 'plan-defaults.json');
    expect(thrown(() => planDefaults(missing))).toBeInstanceOf(PlanDefaultsError);
    expect(thrown(() => planDefaults(missing)).message).toMatch(/plan-defaults\.json 有误 \(PLAN_DEFAULTS_INVALID\)：文件不存在/);
    const broken = path.join(dataDir({ 'plan-defaults.json': '{ "rates": ' }), 'plan-defaults.json');
    expect(thrown(() => planDefaults(broken)).message).toContain('不是有效的 JSON');
    const d = planDefaults();
    expect(planDefaults()).toBe(d);
    expect(Object.isFrozen(d)).toBe(true);
    expect(d.rates.A).toBe(readJson('plan-defaults.json').rates.A);
  });
});

describe('loadStartupConfig: the whole configuration, checked before the start', () => {
  const saved = process.env.DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  });

  it('returns one frozen object with the variables and the data files as checked', () => {
    process.env.DATA_DIR = dataDir();
    const c = loadStartupConfig({ ...process.env, PORT: '0', PUBLIC_BASE_URL: 'https://sjs.example.gov.cn/' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(c.publicBaseUrl).toBe('https://sjs.example.gov.cn');
    expect(c.dataPaths.dir).toBe(process.env.DATA_DIR);
    expect(c.data.lists.exemption.length).toBeGreaterThan(0);
    expect(c.data.lists.dir).toBe(path.join(process.env.DATA_DIR, 'lists'));
    expect(c.data.calendar.source.overridesFile).toBe(path.join(process.env.DATA_DIR, 'calendar-overrides.json'));
    expect(c.data.planDefaults).toBe(planDefaults());
  });

  it('reports every broken file and variable at once, each with its file, field and fix', () => {
    const list = readJson('lists/exemption/national-2025.json');
    list.items[3].number = 4;
    const calendar = { years: { '2031': { holidays: { '2031-02-30': '春节' } } } };
    const defaults = { ...readJson('plan-defaults.json'), approachingWorkingDays: 'three' };
    const dir = dataDir({ 'lists/exemption/national-2025.json': list, 'calendar-overrides.json': calendar, 'plan-defaults.json': defaults });
    process.env.DATA_DIR = dir;
    const e = thrown(() => loadStartupConfig({ ...process.env, LOG_LEVEL: 'loud' }));
    expect(e).toBeInstanceOf(ConfigError);
    const m = e.message;
    expect(m).toMatch(/^配置错误 \(CONFIG_INVALID\)：发现 4 处配置问题：/);
    expect(m).toContain('环境变量 LOG_LEVEL="loud" 无效');
    expect(m).toContain(`${path.join(dir, 'lists', 'exemption', 'national-2025.json')} 第 items[3].number 项：必须是非空字符串，实际是number 4。请修正该文件后重新启动（格式见 docs/lists.md）`);
    expect(m).toContain(`${path.join(dir, 'calendar-overrides.json')} 第 years.2031.holidays.2031-02-30 项：不是 YYYY-MM-DD 格式的真实日期`);
    expect(m).toContain('格式见 docs/calendar.md');
    expect(m).toContain(`${path.join(dir, 'plan-defaults.json')} 第 approachingWorkingDays 项：临近期限提醒（工作日）必须是正整数，实际是string "three"`);
  });

  it('a missing plan-defaults file stops the start; missing lists and calendar overrides mean none', () => {
    process.env.DATA_DIR = dataDir({ 'plan-defaults.json': undefined, 'calendar-overrides.json': undefined });
    fs.rmSync(path.join(process.env.DATA_DIR, 'lists'), { recursive: true });
    const e = thrown(() => loadStartupConfig());
    expect(e.message).toBe(
      `配置错误 (CONFIG_INVALID)：${path.join(process.env.DATA_DIR, 'plan-defaults.json')}：文件不存在（可从项目的 data/plan-defaults.json 复制一份再修改）。` +
        '请修正该文件后重新启动（各字段的含义见该文件的 "$comment" 和 README 的配置一节）',
    );
  });
});
