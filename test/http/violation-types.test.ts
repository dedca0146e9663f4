/**
 * GET /api/v1/violation-types: the exemption lists' types with their wording, then the common
 * types of data/violation-types.json; every code the demo data and the tests use is in it; the
 * file is checked at start like the other data files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from './support.ts';
import { projectRoot, ConfigError } from '../../src/config.ts';
import { loadStartupConfig } from '../../src/config/startup.ts';
import { clearViolationTypesCache, listViolationTypes } from '../../src/services/violationTypes.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api?.db.destroy());

interface Item {
  code: string;
  name: string;
  source: 'list' | 'common';
  lists: string[];
  department: string | null;
}

describe('GET /api/v1/violation-types', () => {
  it('lists the exemption lists’ types with the item’s wording, then the common ones; staff and inspectors may read it', async () => {
    const res = await api.as('vt-reviewer', 'reviewer').then((a) => a.get('/api/v1/violation-types'));
    expect(res.status).toBe(200);
    const items = res.body.items as Item[];
    const byCode = new Map(items.map((i) => [i.code, i]));
    expect(byCode.get('FOOD_LICENCE_EXPIRED')).toMatchObject({ source: 'list', lists: ['national-2025'] });
    expect(byCode.get('FOOD_LICENCE_EXPIRED')!.name).toContain('食品经营许可证有效期届满未延续');
    // In two versions of one series: both named, the newer wording.
    expect(byCode.get('UNLICENSED_BUSINESS')).toMatchObject({ source: 'list', lists: ['chongqing-2020', 'chongqing-2021'], name: '经营者未依法取得营业执照从事经营活动，没有造成危害后果' });
    expect(byCode.get('FIRE_EXIT_BLOCKED')).toMatchObject({ source: 'common', lists: [], name: '占用、堵塞、封闭疏散通道、安全出口', department: '消防救援' });
    // Lists first, no code twice.
    const firstCommon = items.findIndex((i) => i.source === 'common');
    expect(items.slice(firstCommon).every((i) => i.source === 'common')).toBe(true);
    expect(new Set(items.map((i) => i.code)).size).toBe(items.length);
    expect((await api.anonymous.get('/api/v1/violation-types')).status).toBe(401);
  });

  it('holds every violation type the demo data and the tests use', () => {
    const known = new Set(listViolationTypes().map((t) => t.code));
    const files = ['src/demo/loadResults.ts', 'test/http/public.test.ts', 'test/http/results.test.ts', 'test/integration/results.test.ts'];
    const used = new Set<string>();
    for (const f of files) {
      for (const m of fs.readFileSync(path.join(projectRoot, f), 'utf8').matchAll(/violationType: '([A-Z][A-Z0-9_]*)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((c) => !known.has(c))).toEqual([]);
  });
});

describe('data/violation-types.json at start', () => {
  const saved = process.env.DATA_DIR;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-data-'));
  afterEach(() => {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
    clearViolationTypesCache();
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function dataDir(name: string, content: string | undefined): string {
    const dir = path.join(tmp, name);
    const data = path.join(projectRoot, 'data');
    fs.cpSync(path.join(data, 'lists'), path.join(dir, 'lists'), { recursive: true });
    for (const f of ['calendar-overrides.json', 'plan-defaults.json']) fs.copyFileSync(path.join(data, f), path.join(dir, f));
    if (content !== undefined) fs.writeFileSync(path.join(dir, 'violation-types.json'), content);
    return dir;
  }

  it('a broken file stops the start, naming the file, the field and the fix', () => {
    const doc = JSON.parse(fs.readFileSync(path.join(projectRoot, 'data', 'violation-types.json'), 'utf8'));
    doc.items[2].code = 'lower_case';
    doc.items.push({ ...doc.items[0] });
    process.env.DATA_DIR = dataDir('broken', JSON.stringify(doc));
    let err: unknown;
    try {
      loadStartupConfig({ ...process.env, PORT: '0' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const m = (err as Error).message;
    const file = path.join(process.env.DATA_DIR, 'violation-types.json');
    expect(m).toContain(`${file} 第 items[2].code 项："lower_case" 格式不对`);
    expect(m).toContain(`第 items[${doc.items.length - 1}].code 项："DISCLOSURE_INCOMPLETE" 与 items[0] 重复`);
    expect(m).toContain('请修正该文件后重新启动');
  });

  it('a missing file stops the start too', () => {
    process.env.DATA_DIR = dataDir('missing', undefined);
    expect(() => loadStartupConfig({ ...process.env, PORT: '0' })).toThrow(/violation-types\.json：文件不存在/);
  });
});
