/**
 * The pure rules of the public side (一公开): what is public and how names and grades read
 * (src/domain/publicPrivacy.ts), the task page's rates, per-grade table and publication deadline
 * (src/domain/publicTask.ts), the statistics (src/domain/publicStatistics.ts) and the check codes
 * (src/domain/checkCodes.ts). Expected values are worked out by hand from docs/open-data.md and
 * the rules' comments.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  maskPersonName, MIN_GROUP, PUBLIC_TASK_STATUSES, PUBLISHED_RESULT_STATUS, publicEntityName, stratumLabel,
} from '../../src/domain/publicPrivacy.ts';
import { percentOf, publicationDeadlineView, publicStrata } from '../../src/domain/publicTask.ts';
import { countByResultCode, countByStreetMonth, hasProblem, problemRatesByStratum } from '../../src/domain/publicStatistics.ts';
import { CHECK_CODE_ALPHABET, CHECK_CODE_LENGTH, checkUrl, deriveCheckCode, normalizeCheckCode } from '../../src/domain/checkCodes.ts';

const individual = (name: string, person: string | null) => ({ name, entity_type: 'individual', legal_representative: person });

describe('what the public may see', () => {
  it('publishes tasks from their commitment on, and results only once published', () => {
    expect([...PUBLIC_TASK_STATUSES].sort()).toEqual(['committed', 'completed', 'drawn', 'in_progress', 'published']);
    expect(PUBLIC_TASK_STATUSES).not.toContain('draft');
    expect(PUBLIC_TASK_STATUSES).not.toContain('approved');
    expect(PUBLISHED_RESULT_STATUS).toBe('published');
    expect(MIN_GROUP).toBe(5);
  });

  it('masks a person’s name: the first character, then one star per other character', () => {
    expect(maskPersonName('张三')).toBe('张*');
    expect(maskPersonName('张伟')).toBe('张*');
    expect(maskPersonName('欧阳小明')).toBe('欧***');
    expect(maskPersonName(' 李四 ')).toBe('李*');
    expect(maskPersonName('王')).toBe('王*');
    expect(maskPersonName('   ')).toBe('');
  });

  it('masks the operator’s name inside an individual business’s name (docs/open-data.md)', () => {
    expect(publicEntityName(individual('渝中区张伟小吃店', '张伟'))).toBe('渝中区张*小吃店');
    expect(publicEntityName(individual('渝中区欧阳小明理发店', '欧阳小明'))).toBe('渝中区欧***理发店');
    expect(publicEntityName(individual('张伟张伟面馆', '张伟'))).toBe('张*张*面馆');
    expect(publicEntityName(individual('渝中区张伟小吃店', ' 张伟 '))).toBe('渝中区张*小吃店');
  });

  it('leaves other names as they are', () => {
    // Not an individual business: a company's name is public as registered.
    expect(publicEntityName({ name: '重庆张伟贸易有限公司', entity_type: 'enterprise', legal_representative: '张伟' })).toBe('重庆张伟贸易有限公司');
    // The operator's name is not in the business's name, or is a single character (masking it would mask every occurrence).
    expect(publicEntityName(individual('渝中区解放碑小吃店', '张伟'))).toBe('渝中区解放碑小吃店');
    expect(publicEntityName(individual('渝中区张记小吃店', '张'))).toBe('渝中区张记小吃店');
    expect(publicEntityName(individual('渝中区小吃店', null))).toBe('渝中区小吃店');
  });

  it('falls back when the entity has no name', () => {
    expect(publicEntityName(undefined, '91500103MA5U000000')).toBe('91500103MA5U000000');
    expect(publicEntityName({ name: null, entity_type: 'individual', legal_representative: '张伟' }, 'X')).toBe('X');
    expect(publicEntityName(undefined)).toBe('');
  });

  it('shows a stratum as its letter only', () => {
    expect(stratumLabel('A')).toBe('A 类');
    expect(stratumLabel('D')).toBe('D 类');
    expect(stratumLabel('U')).toBe('未分类');
  });
});

describe('the task page', () => {
  it('writes rates and probabilities as exact percentages, truncated, without trailing zeros', () => {
    expect(percentOf('0.03')).toBe('3%');
    expect(percentOf('0.15')).toBe('15%');
    expect(percentOf('0.125')).toBe('12.5%');
    expect(percentOf('1')).toBe('100%');
    expect(percentOf('1/8')).toBe('12.5%');
    expect(percentOf('1/3')).toBe('33.3333%');
    expect(percentOf('2/3')).toBe('66.6666%'); // truncated, not rounded
    expect(percentOf('1/7', 2)).toBe('14.28%');
  });

  it('lists the grades a task sets, excludes or drew from, before the draw without counts', () => {
    const rows = publicStrata({ mode: 'rates', rates: { A: '0.03', C: '0.1' } }, [{ stratum: 'D', reason: '另行专项检查' }], null);
    expect(rows).toEqual([
      { stratum: 'A', label: 'A 类', rate: '3%', weight: null, excludedReason: null, candidates: null, excludedCount: null, eligible: null, selected: null, inclusionProbability: null, inclusionProbabilityExact: null },
      { stratum: 'C', label: 'C 类', rate: '10%', weight: null, excludedReason: null, candidates: null, excludedCount: null, eligible: null, selected: null, inclusionProbability: null, inclusionProbabilityExact: null },
      { stratum: 'D', label: 'D 类', rate: null, weight: null, excludedReason: '另行专项检查', candidates: null, excludedCount: null, eligible: null, selected: null, inclusionProbability: null, inclusionProbabilityExact: null },
    ]);
  });

  it('adds the draw’s counts per grade, and a grade that had candidates without a setting', () => {
    const rows = publicStrata({ mode: 'rates', rates: { A: '0.03' } }, [], [
      { stratum: 'A', candidates: 100, excluded: { recent: 2, yearlyCap: 1 }, eligible: 97, selected: 3, inclusionProbability: '3/97' },
      { stratum: 'B', candidates: 0, excluded: {}, eligible: 0, selected: 0, inclusionProbability: '0' },
      { stratum: 'U', candidates: 4, excluded: {}, eligible: 4, selected: 0, inclusionProbability: '0' },
    ]);
    // 3/97 = 0.0309278…: 3.0927% to four decimals.
    expect(rows).toEqual([
      { stratum: 'A', label: 'A 类', rate: '3%', weight: null, excludedReason: null, candidates: 100, excludedCount: 3, eligible: 97, selected: 3, inclusionProbability: '3.0927%', inclusionProbabilityExact: '3/97' },
      { stratum: 'U', label: '未分类', rate: null, weight: null, excludedReason: null, candidates: 4, excludedCount: 0, eligible: 4, selected: 0, inclusionProbability: '0%', inclusionProbabilityExact: '0' },
    ]);
  });

  it('shows weights, not rates, when the task draws a total', () => {
    const rows = publicStrata({ mode: 'total', total: 10, weights: { A: '1', B: '2' } }, [], null);
    expect(rows.map((r) => [r.stratum, r.rate, r.weight])).toEqual([
      ['A', null, '1'],
      ['B', null, '2'],
    ]);
  });

  const deadline = { startsOn: '2026-04-22', dueOn: '2026-05-20', state: 'open', metOn: null, warnings: [] as string[] };

  it('has no publication deadline before the inspections end', () => {
    expect(publicationDeadlineView(undefined, '2026-05-01')).toEqual({
      state: 'not-started', label: '检查尚未结束，公示时限尚未起算', startsOn: null, dueOn: null, metOn: null, warnings: [],
    });
  });

  it('judges a met deadline by the day it was met', () => {
    expect(publicationDeadlineView({ ...deadline, state: 'met', metOn: '2026-05-10' }, '2026-06-30')).toEqual({
      state: 'met', label: '已按时公示（2026-05-10，时限 2026-05-20）', startsOn: '2026-04-22', dueOn: '2026-05-20', metOn: '2026-05-10', warnings: [],
    });
    expect(publicationDeadlineView({ ...deadline, state: 'met', metOn: '2026-05-20' }, '2026-06-30').state).toBe('met');
    const late = publicationDeadlineView({ ...deadline, state: 'met', metOn: '2026-05-21' }, '2026-06-30');
    expect(late.state).toBe('met-late');
    expect(late.label).toBe('逾期公示（2026-05-21，时限 2026-05-20）');
  });

  it('judges an unmet deadline by today, not by the scheduler’s last run', () => {
    const open = publicationDeadlineView(deadline, '2026-05-20');
    expect(open.state).toBe('open');
    expect(open.label).toBe('公示时限 2026-05-20（检查结束后 20 个工作日内）');
    const overdue = publicationDeadlineView(deadline, '2026-05-21');
    expect(overdue.state).toBe('overdue');
    expect(overdue.label).toBe('已超过公示时限（2026-05-20），结果尚未全部公示');
    // 'met' without a date is not met.
    expect(publicationDeadlineView({ ...deadline, state: 'met' }, '2026-05-21').state).toBe('overdue');
  });

  it('passes the calendar warnings on', () => {
    expect(publicationDeadlineView({ ...deadline, warnings: ['2027 年节假日安排尚未公布'] }, '2026-05-01').warnings).toEqual(['2027 年节假日安排尚未公布']);
  });
});

describe('the public statistics', () => {
  it('counts a problem for A, E, the violation kinds under them and 8, not for the rest', () => {
    for (const c of ['A', 'E', '2', 'B', 'C', '6', 'D', '3', '4', '5', '8']) expect(hasProblem([c]), c).toBe(true);
    for (const c of ['1', 'F', '7', '9', '10', '11', '12']) expect(hasProblem([c]), c).toBe(false);
    expect(hasProblem(['E', '3'])).toBe(true);
    expect(hasProblem([])).toBe(false);
  });

  it('counts results once under each of their codes, in the national standard’s order', () => {
    const out = countByResultCode([{ codes: ['1'] }, { codes: ['A', '2', 'B'] }, { codes: ['1'] }, { codes: ['E', '3'] }]);
    expect(out).toEqual({
      results: 4,
      categories: [
        { code: '1', label: '未发现问题', count: 2 },
        { code: 'A', label: '发现问题待后续处理', count: 1 },
        { code: '2', label: '违反工商行政管理相关规定', count: 1 },
        { code: 'B', label: '未按规定公示应当公示的信息', count: 1 },
        { code: '3', label: '违反食品药品管理相关规定', count: 1 },
        { code: 'E', label: '发现问题经责令已改正', count: 1 },
      ],
    });
    expect(countByResultCode([])).toEqual({ results: 0, categories: [] });
  });

  it('counts results per street and month, by month then street', () => {
    const out = countByStreetMonth([
      { street: '解放碑', inspectedOn: '2026-05-03' },
      { street: '解放碑', inspectedOn: '2026-05-20' },
      { street: null, inspectedOn: '2026-04-30' },
      { street: '朝天门', inspectedOn: '2026-05-01' },
    ]);
    expect(out).toEqual({
      results: 4,
      cells: [
        { street: '未知', month: '2026-04', count: 1 },
        { street: '朝天门', month: '2026-05', count: 1 }, // 朝 U+671D sorts before 解 U+89E3
        { street: '解放碑', month: '2026-05', count: 2 },
      ],
    });
  });

  it('shows the problem rate of a grade only over at least 5 results', () => {
    const results = [
      ...Array.from({ length: 5 }, (_, i) => ({ stratum: 'A', codes: i < 2 ? ['A', '2', 'D'] : ['1'] })),
      ...Array.from({ length: 4 }, () => ({ stratum: 'B', codes: ['E', '3'] })),
      ...Array.from({ length: 6 }, () => ({ stratum: 'C', codes: ['1'] })),
      ...Array.from({ length: 5 }, () => ({ stratum: 'U', codes: ['8'] })),
    ];
    expect(problemRatesByStratum(results)).toEqual({
      minGroup: 5,
      groups: [
        { stratum: 'A', label: 'A 类', results: 5, withProblems: 2, rate: 0.4 },
        { stratum: 'C', label: 'C 类', results: 6, withProblems: 0, rate: 0 },
        { stratum: 'U', label: '未分类', results: 5, withProblems: 5, rate: 1 },
      ],
      hidden: 1,
    });
    expect(problemRatesByStratum([])).toEqual({ minGroup: 5, groups: [], hidden: 0 });
  });
});

describe('inspection check codes', () => {
  it('uses 32 characters without 0, O, 1 or I, ten of them', () => {
    expect(CHECK_CODE_ALPHABET).toHaveLength(32);
    expect(new Set(CHECK_CODE_ALPHABET).size).toBe(32);
    for (const c of '01IO') expect(CHECK_CODE_ALPHABET).not.toContain(c);
    expect(CHECK_CODE_LENGTH).toBe(10);
  });

  it('derives the first 50 bits of HMAC-SHA256(secret, "check-code/1|visit|attempt")', () => {
    const secret = '00'.repeat(31) + '01';
    // HMAC-SHA256 (openssl dgst -sha256 -mac HMAC) of "check-code/1|visit-1|1" under that key begins 31d9068c0f946…;
    // its first 50 bits in groups of 5 are 6 7 12 16 13 3 0 15 18 17 → 8 9 E J F 5 2 H L K.
    expect(deriveCheckCode(secret, 'visit-1')).toBe('89EJF52HLK');
    expect(deriveCheckCode(secret, 'visit-1', 1)).toBe('89EJF52HLK');
  });

  it('follows the documented derivation for other visits, attempts and secrets', () => {
    // The rule of docs/open-data.md, computed another way: the first 13 hex digits are 52 bits, less the last 2.
    const byTheRule = (secretHex: string, visitId: string, attempt: number) => {
      const hex = crypto.createHmac('sha256', Buffer.from(secretHex, 'hex')).update(`check-code/1|${visitId}|${attempt}`).digest('hex');
      const bits = BigInt(`0x${hex.slice(0, 13)}`) >> 2n;
      return Array.from({ length: 10 }, (_, i) => CHECK_CODE_ALPHABET[Number((bits >> BigInt(45 - 5 * i)) & 31n)]).join('');
    };
    const secrets = ['ab'.repeat(32), crypto.createHash('sha256').update('another secret').digest('hex')];
    const seen = new Set<string>();
    for (const s of secrets) {
      for (const visit of ['0c6f3a58-1f2e-4c55-9a7e-2b1d0e9c4a11', 'visit-2']) {
        for (const attempt of [1, 2]) {
          const code = deriveCheckCode(s, visit, attempt);
          expect(code).toBe(byTheRule(s, visit, attempt));
          expect(code).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}$/);
          seen.add(code);
        }
      }
    }
    expect(seen.size).toBe(8);
  });

  it('reads a typed code in any case, with spaces, dashes or underscores', () => {
    expect(normalizeCheckCode('abcde-fghjk')).toBe('ABCDEFGHJK');
    expect(normalizeCheckCode(' 23456 789AB ')).toBe('23456789AB');
    expect(normalizeCheckCode('zyxwv_utsrq')).toBe('ZYXWVUTSRQ');
    expect(normalizeCheckCode('89ejf52hlk')).toBe('89EJF52HLK');
  });

  it('refuses what cannot be a code', () => {
    for (const input of ['', 'ABC', 'ABCDEFGHJ', 'ABCDEFGHJKL', '0000000000', 'ABCDEFGHIK', 'OBCDEFGHJK', '1BCDEFGHJK', 'ABCDE.FGHJK', '检查核验码１２３４５６'])
      expect(normalizeCheckCode(input), input).toBeUndefined();
  });

  it('leads the QR image to /check under the public base URL', () => {
    expect(checkUrl('https://sjs.example.gov.cn', 'ABCDEFGHJK')).toBe('https://sjs.example.gov.cn/check?code=ABCDEFGHJK');
    expect(checkUrl('https://sjs.example.gov.cn/', 'ABCDEFGHJK')).toBe('https://sjs.example.gov.cn/check?code=ABCDEFGHJK');
    expect(checkUrl('http://localhost:3000//', 'ABCDEFGHJK')).toBe('http://localhost:3000/check?code=ABCDEFGHJK');
    expect(checkUrl('https://www.example.gov.cn/sjs/', 'ABCDEFGHJK')).toBe('https://www.example.gov.cn/sjs/check?code=ABCDEFGHJK');
    expect(checkUrl('https://x.example', 'A B&C')).toBe('https://x.example/check?code=A%20B%26C');
  });
});
