/**
 * A small, fixed registry for draw integration tests: rows written by the factories (through the
 * repositories, in one transaction), not through the registry service — the tests using it are
 * about draws, plans and results, not about creating registry records.
 */
import seedrandom from 'seedrandom';
import type { Executor } from '../../src/db/connection.ts';
import { USCC_ALPHABET, withCheckCharacter } from '../../src/domain/uscc.ts';
import { YUZHONG_STREETS, type Grade } from '../../src/domain/registry.ts';
import { makeConflict, makeDepartment, makeInspector, makeMatter, makeObject, makePastInspection, write } from '../factories/index.ts';

export const DRAW_PARAMS = {
  task: '渝中区市场监督管理局2026年度第9号抽查任务',
  year: 2026,
  window: { start: '2026-12-07', end: '2026-12-25' },
  selection: { mode: 'rates', rates: { A: '0.03', B: '0.1', C: '0.3', D: '0.6', U: '0.1' } },
  exclusions: { yearlyCap: 2, lookbackDays: 90 },
  matters: ['SCJG-01', 'SW-01'],
  departments: [
    { code: 'SCJG', officersPerTeam: 2 },
    { code: 'SW', officersPerTeam: 1 },
  ],
  randomnessSource: '2026年12月1日中国福利彩票双色球开奖号码',
};

/**
 * A task of one department on the draw registry (its matter `<dept>-01`, officers of that
 * department only), as the plans service takes it: rates within every matter's cap.
 */
export function singleDepartmentTask(department: 'SCJG' | 'SW', randomnessSource = '2026年12月1日中国福利彩票双色球开奖号码') {
  return {
    lead: { code: department, officersPerTeam: 2 },
    matters: [`${department}-01`],
    selection: { mode: 'rates', rates: { A: '0.03', B: '0.035', C: '0.05', D: '0.1', U: '0.04' } },
    window: { start: '2026-12-07', end: '2026-12-25' },
    randomnessSource,
  };
}

export interface DrawRegistry {
  usccs: string[];
  officers: { scjg: string[]; sw: string[] };
}

/** ~400 entities over all grades and streets, 12 + 5 officers, conflicts and some history. */
export async function seedDrawRegistry(db: Executor, opts: { objects?: number } = {}): Promise<DrawRegistry> {
  const rng = seedrandom('7d1b3c5e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c');
  return write(db, async (trx) => {
    await makeDepartment(trx, { code: 'SCJG', name: '渝中区市场监督管理局' });
    await makeDepartment(trx, { code: 'SW', name: '国家税务总局重庆市渝中区税务局' });
    await makeMatter(trx, { code: 'SCJG-01', department_code: 'SCJG', name: '企业公示信息抽查', importance: 'key' });
    await makeMatter(trx, { code: 'SW-01', department_code: 'SW', name: '发票使用情况检查', importance: 'general', ratio_cap: 0.05 });
    const usccs: string[] = [];
    const n = opts.objects ?? 400;
    const seen = new Set<string>();
    while (usccs.length < n) {
      let body = `9${rng() < 0.6 ? '1' : '2'}500103`;
      for (let k = 0; k < 9; k++) body += USCC_ALPHABET[Math.floor(rng() * 31)];
      if (seen.has(body)) continue;
      seen.add(body);
      const uscc = withCheckCharacter(body);
      const r = rng();
      const grade: Grade | null = r < 0.3 ? 'A' : r < 0.75 ? 'B' : r < 0.88 ? 'C' : r < 0.96 ? 'D' : null;
      const street = YUZHONG_STREETS[Math.floor(rng() * YUZHONG_STREETS.length)];
      const registrationStatus = rng() < 0.03 ? 'deregistered' : 'active';
      await makeObject(trx, { uscc, name: `测试主体${usccs.length}`, street, credit_grade: grade, graded_on: grade ? '2026-06-30' : null, registration_status: registrationStatus });
      usccs.push(uscc);
    }
    const scjg: string[] = [];
    const sw: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const cert = `50010301${String(i).padStart(4, '0')}`;
      scjg.push(cert);
      await makeInspector(trx, { certificate_no: cert, name: `监管${i}`, department_code: 'SCJG', qualifications: ['SCJG-01'], yearly_capacity: 40 });
    }
    for (let i = 1; i <= 5; i++) {
      const cert = `50010302${String(i).padStart(4, '0')}`;
      sw.push(cert);
      await makeInspector(trx, { certificate_no: cert, name: `税务${i}`, department_code: 'SW', qualifications: ['SW-01'], yearly_capacity: 60 });
    }
    // Officers who must never be drawn: an auxiliary, one on leave, one whose certificate lapses mid-window.
    await makeInspector(trx, { certificate_no: 'FZ0001', name: '协管甲', department_code: 'SCJG', kind: 'auxiliary', qualifications: ['SCJG-01'], yearly_capacity: 99 });
    await makeInspector(trx, { certificate_no: '500103019999', name: '休假乙', department_code: 'SCJG', status: 'on_leave', qualifications: ['SCJG-01'], yearly_capacity: 99 });
    await makeInspector(trx, { certificate_no: '500103019998', name: '到期丙', department_code: 'SCJG', valid_from: '2021-01-01', valid_to: '2026-12-15', qualifications: ['SCJG-01'], yearly_capacity: 99 });
    for (let i = 0; i < 30; i++) {
      await makeConflict(trx, { certificate_no: scjg[i % scjg.length], uscc: usccs[(i * 7) % usccs.length], reason: '亲属关系' });
    }
    for (let i = 0; i < 60; i++) {
      const date = i % 3 === 0 ? '2026-10-10' : i % 3 === 1 ? '2026-03-05' : '2025-05-20';
      await makePastInspection(trx, { uscc: usccs[(i * 5) % usccs.length], inspected_on: date, department_code: 'SCJG', officers: [scjg[i % 12], scjg[(i + 1) % 12]], result_codes: ['1'] });
    }
    return { usccs, officers: { scjg, sw } };
  });
}
