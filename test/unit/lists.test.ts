/**
 * The exemption (免罚) and no-coercion (不予实施行政强制措施) lists: the seed data, each condition
 * on its edge, version selection by date, and rejection of malformed list files. Dates are
 * Asia/Shanghai calendar days; the 2-year first-violation window is inclusive of the same calendar
 * date two years earlier (see docs/lists.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.ts';
import {
  activeVersion,
  activeVersions,
  checkOverlaps,
  defaultSeries,
  evaluateCoercion,
  evaluateExemption,
  firstViolationWindowStart,
  subtractYears,
  validateListDocument,
  type ExemptionInput,
  type ExemptionList,
  type NoCoercionList,
} from '../../src/domain/lists.ts';
import {
  clearListsCache,
  exemptionListOn,
  ListDataError,
  listVersions,
  loadLists,
  noCoercionListOn,
} from '../../src/services/lists.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lists-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => clearListsCache());

function seriesList(series: string, date: string): ExemptionList {
  const l = exemptionListOn(date, { series });
  expect(l).toHaveLength(1);
  return l[0];
}

const national = () => seriesList('national', '2026-03-15');
const chongqing2021 = () => seriesList('chongqing', '2026-03-15');
const noCoercion = (): NoCoercionList => {
  const l = noCoercionListOn('2026-03-15', { series: 'chongqing' });
  expect(l).toHaveLength(1);
  return l[0];
};

/** A first-time, minor, promptly corrected expired food licence, 10 days over: exempt unless a test changes a fact. */
function licenceCase(overrides: Partial<ExemptionInput> = {}): ExemptionInput {
  return {
    violationType: 'FOOD_LICENCE_EXPIRED',
    occurredOn: '2026-03-15',
    discoveredOn: '2026-03-20',
    harm: 'minor',
    correction: 'before-decision',
    durationDays: 10,
    incidents: [],
    priorViolations: [],
    ...overrides,
  };
}

describe('seed data', () => {
  it('loads every file and holds at least 8 exemption and 6 no-coercion items', () => {
    const loaded = loadLists();
    const exemptionItems = loaded.exemption.reduce((n, l) => n + l.items.length, 0);
    const coercionItems = loaded.noCoercion.reduce((n, l) => n + l.items.length, 0);
    expect(exemptionItems).toBeGreaterThanOrEqual(8);
    expect(coercionItems).toBeGreaterThanOrEqual(6);
    expect(listVersions().map((v) => `${v.list}/${v.version}`)).toEqual([
      'exemption/chongqing-2020',
      'exemption/chongqing-2021',
      'exemption/national-2025',
      'no-coercion/chongqing-2022',
    ]);
    expect(listVersions().find((v) => v.version === 'national-2025')).toMatchObject({
      series: 'national',
      effectiveFrom: '2025-01-27',
      effectiveTo: null,
      itemCount: 6,
      file: path.join('data', 'lists', 'exemption', 'national-2025.json'),
    });
  });

  it('gives every first-violation item a 2-year window and every item a basis', () => {
    for (const l of loadLists().exemption) {
      for (const item of l.items) {
        if (item.kind === 'first-violation') expect(item.conditions.firstViolationWithinYears).toBe(2);
        expect(item.basis).toMatch(/行政处罚法/);
        expect(item.conditions.correctedBy.length).toBeGreaterThan(0);
      }
    }
    for (const item of noCoercion().items) expect(item.basis).toMatch(/行政强制法/);
  });
});

describe('first violation: the 2-year window', () => {
  it('counts a prior on the same calendar date two years earlier (inclusive edge)', () => {
    const r = evaluateExemption(
      licenceCase({ priorViolations: [{ occurredOn: '2024-03-15', violationType: 'FOOD_LICENCE_EXPIRED' }] }),
      national(),
    );
    expect(r.matched).toBe(true);
    expect(r.exempt).toBe(false);
    expect(r.proposal).toBeUndefined();
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]).toMatchObject({ condition: 'firstViolation', code: 'NOT_FIRST_VIOLATION' });
    expect(r.failed[0].message).toContain('2024-03-15');
    expect(r.failed[0].message).toContain('不属于首次违法');
  });

  it('does not count a prior one day before that date', () => {
    const r = evaluateExemption(
      licenceCase({ priorViolations: [{ occurredOn: '2024-03-14', violationType: 'FOOD_LICENCE_EXPIRED' }] }),
      national(),
    );
    expect(r.exempt).toBe(true);
    expect(r.failed).toEqual([]);
  });

  it('a second violation within 2 years fails with a message naming the earlier date', () => {
    const r = evaluateExemption(
      licenceCase({
        priorViolations: [
          { occurredOn: '2025-07-01', violationType: 'FOOD_LICENCE_EXPIRED' },
          { occurredOn: '2019-01-01', violationType: 'FOOD_LICENCE_EXPIRED' },
        ],
      }),
      national(),
    );
    expect(r.exempt).toBe(false);
    expect(r.failed.map((f) => f.code)).toEqual(['NOT_FIRST_VIOLATION']);
    expect(r.failed[0].message).toContain('2025-07-01');
    expect(r.failed[0].message).not.toContain('2019-01-01');
  });

  it('a prior of a different violation type does not count', () => {
    const r = evaluateExemption(
      licenceCase({ priorViolations: [{ occurredOn: '2025-07-01', violationType: 'FOOD_PAST_SHELF_LIFE' }] }),
      national(),
    );
    expect(r.exempt).toBe(true);
  });

  it('ignores records dated on or after this violation (the record of this very case)', () => {
    const r = evaluateExemption(
      licenceCase({
        priorViolations: [
          { occurredOn: '2026-03-15', violationType: 'FOOD_LICENCE_EXPIRED' },
          { occurredOn: '2026-04-01', violationType: 'FOOD_LICENCE_EXPIRED' },
        ],
      }),
      national(),
    );
    expect(r.exempt).toBe(true);
  });

  it('29 February: a violation on 2028-02-29 looks back to 2026-02-28 (no 29th that year)', () => {
    expect(firstViolationWindowStart('2028-02-29', 2)).toBe('2026-02-28');
    const on = (prior: string) =>
      evaluateExemption(
        licenceCase({ occurredOn: '2028-02-29', discoveredOn: undefined, priorViolations: [{ occurredOn: prior, violationType: 'FOOD_LICENCE_EXPIRED' }] }),
        national(),
      ).exempt;
    expect(on('2026-02-28')).toBe(false);
    expect(on('2026-02-27')).toBe(true);
  });

  it('29 February as the prior: within two years of 2026-02-28, not of 2026-03-01', () => {
    expect(firstViolationWindowStart('2026-02-28', 2)).toBe('2024-02-28');
    expect(firstViolationWindowStart('2026-03-01', 2)).toBe('2024-03-01');
    const prior = [{ occurredOn: '2024-02-29', violationType: 'FOOD_LICENCE_EXPIRED' }];
    expect(evaluateExemption(licenceCase({ occurredOn: '2026-02-28', discoveredOn: undefined, priorViolations: prior }), national()).exempt).toBe(false);
    expect(evaluateExemption(licenceCase({ occurredOn: '2026-03-01', discoveredOn: undefined, priorViolations: prior }), national()).exempt).toBe(true);
  });

  it('subtractYears keeps the calendar date and clamps 29 February', () => {
    expect(subtractYears('2026-03-15', 2)).toBe('2024-03-15');
    expect(subtractYears('2024-02-29', 1)).toBe('2023-02-28');
    expect(subtractYears('2024-02-29', 4)).toBe('2020-02-29');
    expect(subtractYears('2026-01-01', 2)).toBe('2024-01-01');
  });

  it('minor-kind items do not look at prior violations', () => {
    const r = evaluateExemption(
      {
        violationType: 'AD_CITATION_SOURCE_MISSING',
        occurredOn: '2026-03-15',
        harm: 'none',
        correction: 'within-deadline',
        priorViolations: [{ occurredOn: '2026-01-01', violationType: 'AD_CITATION_SOURCE_MISSING' }],
      },
      chongqing2021(),
    );
    expect(r.exempt).toBe(true);
    expect(r.proposal).toMatchObject({ decision: '不予处罚', kind: 'minor', itemNumber: '3', listVersion: 'chongqing-2021' });
  });
});

describe('exemption: the other conditions', () => {
  it('exempt: proposes 不予处罚 with the item number, basis and what the officer must still verify', () => {
    const r = evaluateExemption(licenceCase(), national());
    expect(r).toMatchObject({ matched: true, exempt: true, failed: [], correctionOrderRequired: true });
    expect(r.item?.violationType).toBe('FOOD_LICENCE_EXPIRED');
    expect(r.proposal).toMatchObject({
      decision: '不予处罚',
      kind: 'first-violation',
      itemNumber: '2',
      listVersion: 'national-2025',
    });
    expect(r.proposal!.basis).toContain('第三十三条第一款');
    expect(r.proposal!.source).toContain('国市监法〔2025〕10号');
    expect(r.proposal!.toVerify).toContain('实际具备取得食品经营许可证的条件');
  });

  it.each([
    ['none', 'NOT_CORRECTED', '未改正'],
    ['late', 'CORRECTED_LATE', '超过责令改正期限'],
  ] as const)('correction %s fails (%s)', (correction, code, text) => {
    const r = evaluateExemption(licenceCase({ correction }), national());
    expect(r.exempt).toBe(false);
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]).toMatchObject({ condition: 'correction', code });
    expect(r.failed[0].message).toContain(text);
  });

  it.each(['before-discovery', 'before-decision', 'within-deadline'] as const)('correction %s passes on the national list', (correction) => {
    expect(evaluateExemption(licenceCase({ correction }), national()).exempt).toBe(true);
  });

  it('the 2020 Chongqing list accepts only correction within the ordered deadline', () => {
    const cq2020 = seriesList('chongqing', '2021-06-01');
    expect(cq2020.version).toBe('chongqing-2020');
    const input: ExemptionInput = {
      violationType: 'REGISTRATION_CHANGE_NOT_FILED',
      occurredOn: '2021-05-01',
      harm: 'minor',
      correction: 'within-deadline',
      priorViolations: [],
    };
    expect(evaluateExemption(input, cq2020).exempt).toBe(true);
    const early = evaluateExemption({ ...input, correction: 'before-discovery' }, cq2020);
    expect(early.exempt).toBe(false);
    expect(early.failed[0]).toMatchObject({ code: 'CORRECTION_TIMING_NOT_ACCEPTED' });
    expect(early.failed[0].message).toContain('在责令改正的期限内改正');
  });

  it('harm not minor fails', () => {
    const r = evaluateExemption(licenceCase({ harm: 'not-minor' }), national());
    expect(r.exempt).toBe(false);
    expect(r.failed).toEqual([expect.objectContaining({ condition: 'harm', code: 'HARM_NOT_MINOR' })]);
  });

  it('an item requiring no harm at all fails on minor harm, passes on none', () => {
    const input: ExemptionInput = {
      violationType: 'UNLICENSED_BUSINESS',
      occurredOn: '2026-03-15',
      harm: 'minor',
      correction: 'before-discovery',
      priorViolations: [],
    };
    const r = evaluateExemption(input, chongqing2021());
    expect(r.failed).toEqual([expect.objectContaining({ condition: 'harm', code: 'HARM_NOT_NONE' })]);
    expect(r.failed[0].message).toContain('没有造成危害后果');
    expect(evaluateExemption({ ...input, harm: 'none' }, chongqing2021()).exempt).toBe(true);
  });

  it('an excluded incident fails; an incident the item does not exclude does not', () => {
    const r = evaluateExemption(licenceCase({ incidents: ['food-safety-incident'] }), national());
    expect(r.exempt).toBe(false);
    expect(r.failed).toEqual([expect.objectContaining({ condition: 'exclusions', code: 'EXCLUDED_INCIDENT' })]);
    expect(r.failed[0].message).toContain('food-safety-incident');
    expect(evaluateExemption(licenceCase({ incidents: ['special-equipment-accident'] }), national()).exempt).toBe(true);
  });

  it('duration: 29 days passes, 30 fails, unknown fails', () => {
    expect(evaluateExemption(licenceCase({ durationDays: 29 }), national()).exempt).toBe(true);
    const over = evaluateExemption(licenceCase({ durationDays: 30 }), national());
    expect(over.failed).toEqual([expect.objectContaining({ condition: 'duration', code: 'DURATION_EXCEEDED' })]);
    expect(over.failed[0].message).toContain('30 天');
    const unknown = evaluateExemption(licenceCase({ durationDays: undefined }), national());
    expect(unknown.failed).toEqual([expect.objectContaining({ condition: 'duration', code: 'DURATION_UNKNOWN' })]);
  });

  it('reports every failed condition, not only the first', () => {
    const r = evaluateExemption(
      licenceCase({
        harm: 'not-minor',
        correction: 'late',
        durationDays: 45,
        incidents: ['food-safety-incident'],
        priorViolations: [{ occurredOn: '2025-01-01', violationType: 'FOOD_LICENCE_EXPIRED' }],
      }),
      national(),
    );
    expect(r.failed.map((f) => f.condition)).toEqual(['firstViolation', 'harm', 'correction', 'duration', 'exclusions']);
    expect(r.correctionOrderRequired).toBe(true);
  });

  it('a violation type not on the list is not matched, and still needs a correction order', () => {
    const r = evaluateExemption(licenceCase({ violationType: 'SOMETHING_ELSE' }), national());
    expect(r).toMatchObject({ matched: false, exempt: false, correctionOrderRequired: true });
    expect(r.item).toBeUndefined();
    expect(r.failed[0]).toMatchObject({ condition: 'listed', code: 'NOT_LISTED' });
  });

  it('always requires the correction order, exempt or not', () => {
    expect(evaluateExemption(licenceCase(), national()).correctionOrderRequired).toBe(true);
    expect(evaluateExemption(licenceCase({ correction: 'none' }), national()).correctionOrderRequired).toBe(true);
  });

  it('rejects malformed input with a Chinese message naming the field', () => {
    expect(() => evaluateExemption(licenceCase({ occurredOn: '2026-02-30' }), national())).toThrow(ValidationError);
    expect(() => evaluateExemption(licenceCase({ discoveredOn: '2026-03-01' }), national())).toThrow(/discoveredOn.*早于/);
    expect(() =>
      evaluateExemption(licenceCase({ priorViolations: [{ occurredOn: '2025/01/01', violationType: 'X' }] }), national()),
    ).toThrow(/priorViolations\[0\]\.occurredOn/);
    expect(() => evaluateExemption(licenceCase({ durationDays: -1 }), national())).toThrow(/durationDays/);
  });
});

describe('version selection by date', () => {
  it('the national list (and its items) apply only from 2025-01-27', () => {
    expect(exemptionListOn('2025-01-26').map((l) => l.version)).toEqual(['chongqing-2021']);
    expect(exemptionListOn('2025-01-27').map((l) => l.version)).toEqual(['chongqing-2021', 'national-2025']);
    const before = exemptionListOn('2025-01-26').map((l) => evaluateExemption(licenceCase({ occurredOn: '2025-01-20', discoveredOn: undefined }), l));
    expect(before.every((r) => !r.matched)).toBe(true);
    const from = exemptionListOn('2025-01-27').map((l) => evaluateExemption(licenceCase({ occurredOn: '2025-01-20', discoveredOn: undefined }), l));
    expect(from.some((r) => r.exempt)).toBe(true);
  });

  it('a new version replaces the old one on its first day; effectiveTo is the last day in force', () => {
    expect(exemptionListOn('2020-03-11')).toEqual([]);
    expect(exemptionListOn('2020-03-12').map((l) => l.version)).toEqual(['chongqing-2020']);
    expect(exemptionListOn('2022-01-05').map((l) => l.version)).toEqual(['chongqing-2020']);
    expect(exemptionListOn('2022-01-06').map((l) => l.version)).toEqual(['chongqing-2021']);
  });

  it('reads an instant as its Asia/Shanghai day', () => {
    // 2022-01-05T16:30Z is 00:30 on 6 January in Shanghai.
    expect(exemptionListOn(new Date('2022-01-05T16:30:00Z')).map((l) => l.version)).toEqual(['chongqing-2021']);
    expect(exemptionListOn(new Date('2022-01-05T15:59:59Z')).map((l) => l.version)).toEqual(['chongqing-2020']);
  });

  it('no-coercion list from its first day', () => {
    expect(noCoercionListOn('2022-04-07')).toEqual([]);
    expect(noCoercionListOn('2022-04-08').map((l) => l.version)).toEqual(['chongqing-2022']);
  });

  it('activeVersion picks the version in force, none outside every period', () => {
    const v = (version: string, effectiveFrom: string, effectiveTo: string | null) => ({ version, series: 's', effectiveFrom, effectiveTo });
    const versions = [v('s-2019', '2019-01-01', '2020-12-31'), v('s-2021', '2021-01-01', '2022-06-30'), v('s-2023', '2023-01-01', null)];
    expect(activeVersion(versions, '2018-12-31')).toBeUndefined();
    expect(activeVersion(versions, '2020-12-31')?.version).toBe('s-2019');
    expect(activeVersion(versions, '2021-01-01')?.version).toBe('s-2021');
    expect(activeVersion(versions, '2022-07-01')).toBeUndefined();
    expect(activeVersion(versions, '2099-01-01')?.version).toBe('s-2023');
    expect(activeVersions([...versions, { ...v('t-2020', '2020-01-01', null), series: 't' }], '2021-06-01').map((x) => x.version)).toEqual([
      's-2021',
      't-2020',
    ]);
    expect(() => activeVersion(versions, '2021-13-01')).toThrow(ValidationError);
  });

  it('overlapping versions of one series are reported', () => {
    const meta = (version: string, effectiveFrom: string, effectiveTo: string | null) => ({
      list: 'exemption' as const, version, series: defaultSeries(version), issuer: 'x', title: 'x', source: 'x', effectiveFrom, effectiveTo,
    });
    expect(checkOverlaps([meta('a-2020', '2020-01-01', '2020-12-31'), meta('a-2021', '2021-01-01', null)])).toEqual([]);
    const p = checkOverlaps([meta('a-2020', '2020-01-01', null), meta('a-2021', '2021-01-01', null)]);
    expect(p).toHaveLength(1);
    expect(p[0].message).toContain('有效期重叠');
    expect(checkOverlaps([meta('a-2020', '2020-01-01', null), meta('b-2021', '2021-01-01', null)])).toEqual([]);
  });
});

describe('no-coercion list', () => {
  it('refuses a matching seal-up of an unlicensed business, with the basis', () => {
    const r = evaluateCoercion(
      {
        measure: 'seal-up',
        situationType: 'UNLICENSED_BUSINESS',
        firstViolation: true,
        correctedInTime: true,
        licenceInvolved: false,
        evidenceDestructionRisk: false,
        harmSpreadRisk: false,
      },
      noCoercion(),
    );
    expect(r.refused).toBe(true);
    expect(r.item?.number).toBe('1');
    expect(r.basis).toContain('《中华人民共和国行政强制法》第五条');
    expect(r.message).toContain('不予实施查封');
    expect(r.message).toContain(r.basis!);
    expect(r.listVersion).toBe('chongqing-2022');
  });

  it('allows the seal-up when evidence may be destroyed, and says why', () => {
    const r = evaluateCoercion(
      {
        measure: 'seal-up',
        situationType: 'UNLICENSED_BUSINESS',
        firstViolation: true,
        correctedInTime: true,
        licenceInvolved: false,
        evidenceDestructionRisk: true,
        harmSpreadRisk: false,
      },
      noCoercion(),
    );
    expect(r.refused).toBe(false);
    expect(r.item).toBeUndefined();
    expect(r.unmet).toEqual([{ number: '1', failed: ['有证据灭失或被转移的风险'] }]);
    expect(r.message).toContain('有证据灭失或被转移的风险');
  });

  it('an unknown fact does not satisfy a condition', () => {
    const r = evaluateCoercion({ measure: 'seal-up', situationType: 'UNLICENSED_BUSINESS', firstViolation: true, correctedInTime: true }, noCoercion());
    expect(r.refused).toBe(false);
    expect(r.unmet[0].failed).toContain('未确认是否涉及许可');
  });

  it('refuses seizing daily necessities in any situation (行政强制法第二十三条)', () => {
    const r = evaluateCoercion({ measure: 'seizure', situationType: 'AD_VIOLATION', itemKind: 'daily-necessities' }, noCoercion());
    expect(r.refused).toBe(true);
    expect(r.basis).toContain('第二十三条');
    expect(evaluateCoercion({ measure: 'seal-up', itemKind: 'daily-necessities' }, noCoercion()).refused).toBe(true);
  });

  it('refuses seizing copiable documents unless evidence may be destroyed', () => {
    expect(evaluateCoercion({ measure: 'seizure', itemKind: 'copiable-documents', evidenceDestructionRisk: false }, noCoercion()).refused).toBe(true);
    expect(evaluateCoercion({ measure: 'seizure', itemKind: 'copiable-documents', evidenceDestructionRisk: true }, noCoercion()).refused).toBe(false);
  });

  it('tools usable for lawful business: refused for an unlicensed business, not for another situation', () => {
    const p = { measure: 'seizure' as const, itemKind: 'tools-usable-for-lawful-business' as const, evidenceDestructionRisk: false };
    expect(evaluateCoercion({ ...p, situationType: 'UNLICENSED_BUSINESS' }, noCoercion()).refused).toBe(true);
    const other = evaluateCoercion({ ...p, situationType: 'SOMETHING_ELSE' }, noCoercion());
    expect(other.refused).toBe(false);
    expect(other.message).toContain('没有适用于拟扣押情形的事项');
  });

  it('a seizure of advertising equipment after a repeated violation is allowed', () => {
    const r = evaluateCoercion(
      { measure: 'seizure', situationType: 'AD_VIOLATION', firstViolation: false, correctedInTime: true, harmSpreadRisk: false },
      noCoercion(),
    );
    expect(r.refused).toBe(false);
    expect(r.unmet).toEqual([{ number: '6', failed: ['不是首次违法'] }]);
  });

  it('rejects an unknown measure', () => {
    expect(() => evaluateCoercion({ measure: 'detention' as never }, noCoercion())).toThrow(ValidationError);
  });
});

describe('malformed list files are rejected', () => {
  let dirNo = 0;
  const validExemption = () => JSON.parse(fs.readFileSync(path.join('data', 'lists', 'exemption', 'national-2025.json'), 'utf8'));

  function makeDir(files: Record<string, unknown>): string {
    const dir = path.join(tmp, `lists-${++dirNo}`);
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    }
    return dir;
  }

  function loadError(files: Record<string, unknown>): ListDataError {
    const dir = makeDir(files);
    try {
      loadLists({ dir });
    } catch (e) {
      expect(e).toBeInstanceOf(ListDataError);
      return e as ListDataError;
    }
    throw new Error('expected the load to fail');
  }

  it('loads a valid folder, and caches it until cleared', () => {
    const dir = makeDir({ 'exemption/national-2025.json': validExemption() });
    const a = loadLists({ dir });
    expect(a.exemption.map((l) => l.version)).toEqual(['national-2025']);
    expect(a.noCoercion).toEqual([]);
    expect(loadLists({ dir })).toBe(a);
    clearListsCache();
    expect(loadLists({ dir })).not.toBe(a);
  });

  it('invalid JSON names the file', () => {
    const e = loadError({ 'exemption/x-2025.json': '{ "list": "exemption", ' });
    expect(e.message).toContain(path.join('exemption', 'x-2025.json'));
    expect(e.message).toContain('不是有效的 JSON');
    expect(e.code).toBe('LIST_DATA_INVALID');
  });

  it('a missing field is named with its path', () => {
    const doc = validExemption();
    delete doc.items[1].violationType;
    const e = loadError({ 'exemption/national-2025.json': doc });
    expect(e.message).toContain('national-2025.json');
    expect(e.message).toContain('items[1].violationType');
    expect(e.message).toContain('必须是非空字符串');
  });

  it('an unknown correction timing, a wrong kind and a bad date are each named', () => {
    const doc = validExemption();
    doc.items[0].conditions.correctedBy = ['before-discovery', 'eventually'];
    doc.items[2].kind = 'first';
    doc.effectiveFrom = '2025-02-30';
    const e = loadError({ 'exemption/national-2025.json': doc });
    expect(e.message).toContain('items[0].conditions.correctedBy[1]');
    expect(e.message).toContain('"eventually"');
    expect(e.message).toContain('items[2].kind');
    expect(e.message).toContain('effectiveFrom');
    expect(e.problems.length).toBe(3);
  });

  it('a first-violation item without its year window is rejected', () => {
    const doc = validExemption();
    delete doc.items[0].conditions.firstViolationWithinYears;
    expect(loadError({ 'exemption/national-2025.json': doc }).message).toContain('items[0].conditions.firstViolationWithinYears');
  });

  it('the version must equal the file name, and the list its folder', () => {
    expect(loadError({ 'exemption/national-2026.json': validExemption() }).message).toMatch(/version.*national-2026\.json/);
    expect(loadError({ 'no-coercion/national-2025.json': validExemption() }).message).toContain('no-coercion/ 文件夹');
  });

  it('a duplicated violation type and a misspelt key are rejected', () => {
    const doc = validExemption();
    doc.items[1].violationType = doc.items[0].violationType;
    doc.items[2].exclusion = [];
    const e = loadError({ 'exemption/national-2025.json': doc });
    expect(e.message).toContain('items[1].violationType');
    expect(e.message).toContain('重复');
    expect(e.message).toContain('items[2].exclusion');
    expect(e.message).toContain('未知字段');
  });

  it('a no-coercion item with an unknown measure or item kind is rejected', () => {
    const doc = JSON.parse(fs.readFileSync(path.join('data', 'lists', 'no-coercion', 'chongqing-2022.json'), 'utf8'));
    doc.items[0].measure = 'detain';
    doc.items[3].conditions.itemKinds = ['jewellery'];
    doc.items[4].conditions.firstViolation = false;
    const e = loadError({ 'no-coercion/chongqing-2022.json': doc });
    expect(e.message).toContain('items[0].measure');
    expect(e.message).toContain('items[3].conditions.itemKinds[0]');
    expect(e.message).toContain('items[4].conditions.firstViolation');
  });

  it('overlapping versions of one series are rejected at load', () => {
    const a = { ...validExemption(), version: 'national-2025' };
    const b = { ...validExemption(), version: 'national-2026', effectiveFrom: '2026-01-01' };
    const e = loadError({ 'exemption/national-2025.json': a, 'exemption/national-2026.json': b });
    expect(e.message).toContain('有效期重叠');
    expect(e.message).toContain('national-2026.json');
  });

  it('a folder named explicitly must exist', () => {
    expect(() => loadLists({ dir: path.join(tmp, 'nowhere') })).toThrow(/清单文件夹不存在/);
  });

  it('validateListDocument: series defaults from the version; $-keys are comments', () => {
    const doc = { ...validExemption(), series: undefined, $note: 'x' };
    delete doc.series;
    const { value, problems } = validateListDocument(doc, { list: 'exemption', version: 'national-2025' });
    expect(problems).toEqual([]);
    expect(value?.series).toBe('national');
    expect(defaultSeries('chongqing-2021')).toBe('chongqing');
    expect(defaultSeries('cq-yuzhong-2024-rev1')).toBe('cq-yuzhong');
    expect(validateListDocument([], {}).problems[0].message).toContain('必须是对象');
  });
});
