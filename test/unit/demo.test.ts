import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_WORDS_FILE, DemoWordsError, loadDemoWords } from '../../src/demo/loadWords.ts';
import { DEMO_AS_OF, DEMO_SEED_HEX, DEMO_SEED_TEXT, generateDemoRegistry } from '../../src/demo/registry.ts';
import { checkUscc } from '../../src/domain/uscc.ts';
import { entityTypeFromUscc } from '../../src/domain/records.ts';
import { ENTITY_TYPE_LABELS, RESULT_CODES, YUZHONG_STREETS, parseIndustryCode } from '../../src/domain/registry.ts';

const words = loadDemoWords();
const demo = generateDemoRegistry(words);

describe('demo registry generator', () => {
  it('is seeded with the SHA-256 of its seed text', () => {
    expect(crypto.createHash('sha256').update(DEMO_SEED_TEXT).digest('hex')).toBe(DEMO_SEED_HEX);
  });

  it('gives the same registry byte for byte on every run, and another one for another seed', () => {
    expect(JSON.stringify(generateDemoRegistry(words))).toBe(JSON.stringify(demo));
    expect(JSON.stringify(generateDemoRegistry(words, DEMO_SEED_HEX))).toBe(JSON.stringify(demo));
    const other = generateDemoRegistry(words, '00'.repeat(32));
    expect(other.objects[0].uscc).not.toBe(demo.objects[0].uscc);
  });

  it('makes about 3,000 Yuzhong entities with valid, unique USCCs', () => {
    expect(demo.objects.length).toBeGreaterThanOrEqual(2800);
    expect(demo.objects.length).toBeLessThanOrEqual(3200);
    for (const o of demo.objects) {
      expect(checkUscc(o.uscc), o.uscc).toBeNull();
      expect(o.uscc.slice(2, 8)).toBe('500103');
      expect(entityTypeFromUscc(o.uscc)).toBe(o.entityType);
      expect(parseIndustryCode(o.industryCode!)).toBe(o.industryCode);
      expect(o.address).toMatch(/^渝中区/);
      expect(o.registeredOn! >= '1995-01-01' && o.registeredOn! <= DEMO_AS_OF).toBe(true);
    }
    expect(new Set(demo.objects.map((o) => o.uscc)).size).toBe(demo.objects.length);
    expect(new Set(demo.objects.map((o) => o.name)).size).toBe(demo.objects.length);
    // Codes kept from pre-2015 organisation codes are sometimes all digits, as in real registries.
    expect(demo.objects.some((o) => /^\d{18}$/.test(o.uscc))).toBe(true);
  });

  it('has a believable mix of entity types', () => {
    const share = (t: string) => demo.objects.filter((o) => o.entityType === t).length / demo.objects.length;
    expect(share('enterprise')).toBeCloseTo(0.55, 1);
    expect(share('individual')).toBeCloseTo(0.4, 1);
    expect(share('cooperative')).toBeGreaterThan(0);
    expect(share('other')).toBeGreaterThan(0);
    for (const o of demo.objects) expect(Object.keys(ENTITY_TYPE_LABELS)).toContain(o.entityType);
    const individual = demo.objects.find((o) => o.entityType === 'individual')!;
    expect(individual.name).toMatch(/^渝中区/);
    expect(individual.legalRepresentative).toMatch(/^\p{Script=Han}{2,3}$/u);
    expect(demo.objects.find((o) => o.entityType === 'enterprise')!.name).toMatch(/^重庆.+有限公司$/);
  });

  it('covers all 11 streets', () => {
    const streets = new Set(demo.objects.map((o) => o.street));
    for (const s of YUZHONG_STREETS) expect(streets.has(s), s).toBe(true);
    expect(streets.size).toBe(YUZHONG_STREETS.length);
  });

  it('has every credit-grade stratum, unrated included, in roughly the intended shares', () => {
    const n = demo.objects.length;
    const share = (g: string | undefined) => demo.objects.filter((o) => o.creditGrade === g).length / n;
    expect(share('A')).toBeGreaterThan(0.25);
    expect(share('A')).toBeLessThan(0.35);
    expect(share('B')).toBeGreaterThan(0.44);
    expect(share('B')).toBeLessThan(0.56);
    expect(share('C')).toBeGreaterThan(0.08);
    expect(share('D')).toBeGreaterThan(0.03);
    expect(share(undefined)).toBeGreaterThan(0.01);
    for (const o of demo.objects) {
      if (o.creditGrade === undefined) {
        // Unrated means absent, not a blank value.
        expect('creditGrade' in o).toBe(false);
        expect('gradedOn' in o).toBe(false);
      } else {
        expect(o.gradedOn! >= '2026-01-01' && o.gradedOn! <= DEMO_AS_OF).toBe(true);
        expect(o.gradedOn! >= o.registeredOn!).toBe(true);
      }
    }
  });

  it('gives a food-safety sector grade to food businesses only', () => {
    const food = (tags: string[] | undefined) => (tags ?? []).some((t) => t === '食品经营' || t === '食品生产');
    expect(demo.objects.some((o) => o.sectorGrade)).toBe(true);
    for (const o of demo.objects) expect(o.sectorGrade !== undefined).toBe(food(o.tags));
  });

  it('has mostly active entities and some deregistered, revoked and moved out', () => {
    const statuses = demo.objects.map((o) => o.registrationStatus);
    expect(statuses.filter((s) => s === 'active').length / statuses.length).toBeGreaterThan(0.8);
    for (const s of ['deregistered', 'revoked', 'moved_out']) expect(statuses).toContain(s);
  });

  it('has at least four departments and a matters list of key and general matters', () => {
    expect(demo.departments.length).toBeGreaterThanOrEqual(4);
    for (const code of ['SCJG', 'SW', 'XF', 'WJ']) expect(demo.departments.map((d) => d.code)).toContain(code);
    const departments = new Set(demo.departments.map((d) => d.code));
    for (const m of demo.matters) {
      expect(departments.has(m.department!)).toBe(true);
      expect(m.legalBasis).toMatch(/^《.+》第.+条$/);
      if (m.importance === 'key') expect(m.ratioCap).toBeUndefined();
      else expect(m.ratioCap).toBeGreaterThan(0);
    }
    expect(demo.matters.find((m) => m.name === '企业公示信息抽查')).toMatchObject({ department: 'SCJG', importance: 'key' });
    expect(demo.matters.some((m) => m.importance === 'general')).toBe(true);
  });

  it('has about 80 inspectors, auxiliaries included, qualified only for their own department’s matters', () => {
    expect(demo.inspectors.length).toBeGreaterThanOrEqual(75);
    expect(demo.inspectors.length).toBeLessThanOrEqual(85);
    expect(new Set(demo.inspectors.map((i) => i.certificateNo)).size).toBe(demo.inspectors.length);
    expect(demo.inspectors.filter((i) => i.kind === 'auxiliary').length).toBeGreaterThanOrEqual(3);
    const matterDepartment = new Map(demo.matters.map((m) => [m.code, m.department]));
    for (const i of demo.inspectors) {
      expect(i.qualifications!.length).toBeGreaterThan(0);
      for (const q of i.qualifications!) expect(matterDepartment.get(q), `${i.certificateNo} ${q}`).toBe(i.department);
      expect(i.yearlyCapacity).toBeGreaterThanOrEqual(40);
      expect(i.yearlyCapacity).toBeLessThanOrEqual(120);
      if (i.kind === 'officer') {
        expect(i.certificateNo).toMatch(/^500103\d{9}$/);
        expect(i.validFrom! < i.validTo!).toBe(true);
      } else {
        expect(i.certificateNo).toMatch(/^FZ500103\d{5}$/);
      }
    }
    const byDept = (d: string) => demo.inspectors.filter((i) => i.department === d).length;
    for (const d of demo.departments) expect(byDept('SCJG')).toBeGreaterThanOrEqual(byDept(d.code));
    // The awkward cases: lapsed and soon-expiring certificates, people on leave or gone.
    expect(demo.inspectors.some((i) => i.validTo && i.validTo < DEMO_AS_OF)).toBe(true);
    expect(demo.inspectors.some((i) => i.validTo && i.validTo >= DEMO_AS_OF && i.validTo <= '2027-01-31')).toBe(true);
    expect(demo.inspectors.some((i) => i.status === 'on_leave')).toBe(true);
    expect(demo.inspectors.some((i) => i.status === 'left')).toBe(true);
  });

  it('keeps conflicts, past inspections, violations and abnormal listings consistent with the registries', () => {
    const objects = new Map(demo.objects.map((o) => [o.uscc, o]));
    const inspectors = new Map(demo.inspectors.map((i) => [i.certificateNo, i]));
    expect(demo.conflicts.length).toBeGreaterThanOrEqual(5);
    for (const c of demo.conflicts) {
      expect(objects.has(c.uscc)).toBe(true);
      expect(inspectors.has(c.certificateNo)).toBe(true);
      expect(c.reason).toMatch(/^(亲属关系|曾在该企业任职|曾办理该企业案件)/);
    }
    expect(demo.inspections.length).toBeGreaterThan(100);
    const inspectionKeys = new Set<string>();
    for (const i of demo.inspections) {
      expect(objects.has(i.uscc)).toBe(true);
      expect(i.inspectedOn >= '2024-01-01' && i.inspectedOn <= DEMO_AS_OF).toBe(true);
      expect(i.officers.length).toBeGreaterThanOrEqual(2);
      expect(new Set(i.officers).size).toBe(i.officers.length);
      for (const no of i.officers) {
        const officer = inspectors.get(no)!;
        expect(officer.department).toBe(i.department);
        expect(officer.kind).toBe('officer');
      }
      for (const code of i.resultCodes) expect(Object.keys(RESULT_CODES)).toContain(code);
      inspectionKeys.add(`${i.uscc}|${i.inspectedOn}|${i.department}`);
    }
    expect(inspectionKeys.size).toBe(demo.inspections.length);
    expect(new Set(demo.violations.map((v) => `${v.uscc}|${v.occurredOn}|${v.violationType}`)).size).toBe(demo.violations.length);
    for (const v of demo.violations) expect(objects.has(v.uscc)).toBe(true);
    expect(demo.abnormalListings.length).toBeGreaterThan(0);
    expect(new Set(demo.abnormalListings.map((a) => a.uscc)).size).toBe(demo.abnormalListings.length);
    for (const a of demo.abnormalListings) {
      expect(['enterprise', 'cooperative']).toContain(objects.get(a.uscc)!.entityType);
      expect(a.listedOn <= DEMO_AS_OF).toBe(true);
    }
  });
});

describe('demo word file (data/demo/words.json)', () => {
  const text = fs.readFileSync(DEMO_WORDS_FILE, 'utf8');
  const broken = (change: (doc: any) => void): string => {
    const doc = JSON.parse(text);
    change(doc);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-words-'));
    const file = path.join(dir, 'words.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  };
  const failure = (file: string): DemoWordsError => {
    try {
      loadDemoWords(file);
    } catch (e) {
      if (e instanceof DemoWordsError) return e;
      throw e;
    }
    throw new Error('expected DemoWordsError');
  };

  it('is frozen, so the generator cannot change what the next caller gets', () => {
    expect(Object.isFrozen(words)).toBe(true);
    expect(Object.isFrozen(words.trades.enterprise[0].words)).toBe(true);
    expect(loadDemoWords()).toBe(words);
  });

  it('fails on a broken file with a message naming the file and the field', () => {
    const file = broken((d) => {
      d.trades.enterprise[3].weight = 'ten';
    });
    const e = failure(file);
    expect(e.code).toBe('DEMO_WORDS_INVALID');
    expect(e.message).toContain(file);
    expect(e.message).toContain('trades.enterprise[3].weight');
    expect(e.problems).toEqual([expect.objectContaining({ path: 'trades.enterprise[3].weight' })]);
  });

  it('requires every Yuzhong street, and only those, in the street tables', () => {
    const missing = failure(broken((d) => delete d.roads['大坪']));
    expect(missing.problems.map((p) => p.path)).toEqual(['roads.大坪']);
    const extra = failure(broken((d) => (d.streetWeights['沙坪坝'] = 3)));
    expect(extra.problems.map((p) => p.path)).toEqual(['streetWeights.沙坪坝']);
    const trade = failure(broken((d) => (d.trades.individual[8].streets = ['沙坪坝'])));
    expect(trade.problems.map((p) => p.path)).toEqual(['trades.individual[8].streets[0]']);
  });

  it('names a missing file and a file that is not JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-words-'));
    expect(failure(path.join(dir, 'none.json')).message).toMatch(/none\.json.*文件不存在/);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ "surnames": [');
    expect(failure(path.join(dir, 'bad.json')).message).toMatch(/bad\.json.*不是有效的 JSON/);
  });
});
