/** A small, fixed registry for draw integration tests (written through the registry service). */
import seedrandom from 'seedrandom';
import type { Executor } from '../../src/db/repositories/objects.ts';
import * as registry from '../../src/services/registry.ts';
import { USCC_ALPHABET, withCheckCharacter } from '../../src/domain/uscc.ts';
import { YUZHONG_STREETS, type Grade } from '../../src/domain/registry.ts';

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

const ctx = { source: 'test', now: new Date('2026-11-20T02:00:00Z') };

export interface DrawRegistry {
  usccs: string[];
  officers: { scjg: string[]; sw: string[] };
}

/** ~400 entities over all grades and streets, 12 + 5 officers, conflicts and some history. */
export async function seedDrawRegistry(db: Executor, opts: { objects?: number } = {}): Promise<DrawRegistry> {
  const rng = seedrandom('7d1b3c5e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c');
  await registry.upsertDepartment(db, { code: 'SCJG', name: '渝中区市场监督管理局' }, ctx);
  await registry.upsertDepartment(db, { code: 'SW', name: '国家税务总局重庆市渝中区税务局' }, ctx);
  await registry.upsertMatter(db, { code: 'SCJG-01', department: 'SCJG', name: '企业公示信息抽查', importance: 'key' }, ctx);
  await registry.upsertMatter(db, { code: 'SW-01', department: 'SW', name: '发票使用情况检查', importance: 'general', ratioCap: 0.05 }, ctx);
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
    const grade: Grade | undefined = r < 0.3 ? 'A' : r < 0.75 ? 'B' : r < 0.88 ? 'C' : r < 0.96 ? 'D' : undefined;
    await registry.upsertObject(
      db,
      {
        uscc,
        name: `测试主体${usccs.length}`,
        street: YUZHONG_STREETS[Math.floor(rng() * YUZHONG_STREETS.length)],
        creditGrade: grade,
        gradedOn: grade ? '2026-06-30' : undefined,
        registrationStatus: rng() < 0.03 ? 'deregistered' : 'active',
      },
      ctx,
    );
    usccs.push(uscc);
  }
  const scjg: string[] = [];
  const sw: string[] = [];
  for (let i = 1; i <= 12; i++) {
    const cert = `50010301${String(i).padStart(4, '0')}`;
    scjg.push(cert);
    await registry.upsertInspector(
      db,
      { certificateNo: cert, name: `监管${i}`, department: 'SCJG', validFrom: '2022-01-01', validTo: '2027-12-31', qualifications: ['SCJG-01'], yearlyCapacity: 40 },
      ctx,
    );
  }
  for (let i = 1; i <= 5; i++) {
    const cert = `50010302${String(i).padStart(4, '0')}`;
    sw.push(cert);
    await registry.upsertInspector(
      db,
      { certificateNo: cert, name: `税务${i}`, department: 'SW', validFrom: '2022-01-01', validTo: '2027-12-31', qualifications: ['SW-01'], yearlyCapacity: 60 },
      ctx,
    );
  }
  // Officers who must never be drawn: an auxiliary, one on leave, one whose certificate lapses mid-window.
  await registry.upsertInspector(db, { certificateNo: 'FZ0001', name: '协管甲', department: 'SCJG', kind: 'auxiliary', validFrom: '2022-01-01', validTo: '2027-12-31', qualifications: ['SCJG-01'], yearlyCapacity: 99 }, ctx);
  await registry.upsertInspector(db, { certificateNo: '500103019999', name: '休假乙', department: 'SCJG', status: 'on_leave', validFrom: '2022-01-01', validTo: '2027-12-31', qualifications: ['SCJG-01'], yearlyCapacity: 99 }, ctx);
  await registry.upsertInspector(db, { certificateNo: '500103019998', name: '到期丙', department: 'SCJG', validFrom: '2021-01-01', validTo: '2026-12-15', qualifications: ['SCJG-01'], yearlyCapacity: 99 }, ctx);
  for (let i = 0; i < 30; i++) {
    await registry.declareConflict(db, { certificateNo: scjg[i % scjg.length], uscc: usccs[(i * 7) % usccs.length], reason: '亲属关系' }, ctx);
  }
  for (let i = 0; i < 60; i++) {
    const date = i % 3 === 0 ? '2026-10-10' : i % 3 === 1 ? '2026-03-05' : '2025-05-20';
    await registry.recordPastInspection(db, { uscc: usccs[(i * 5) % usccs.length], inspectedOn: date, department: 'SCJG', officers: [scjg[i % 12], scjg[(i + 1) % 12]], resultCodes: ['1'] }, ctx);
  }
  return { usccs, officers: { scjg, sw } };
}
