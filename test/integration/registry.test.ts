import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import * as registry from '../../src/services/registry.ts';
import { withCheckCharacter } from '../../src/domain/uscc.ts';
import { AppError } from '../../src/domain/errors.ts';

let t: TestDb;
const ctx = (day: string) => ({ name: 'test', now: new Date(`${day}T04:00:00Z`) });
const U1 = withCheckCharacter('91500103MA5U0A001');
const U2 = withCheckCharacter('92500103MA5U0A002');

beforeAll(async () => {
  t = await createTestDb();
  await registry.upsertDepartment(t.db, { code: 'SCJG', name: '渝中区市场监督管理局' }, ctx('2026-01-01'));
});
afterAll(async () => t?.destroy());

describe(`registry service on ${testDialect}`, () => {
  it('creates an object with defaults taken from its USCC and the day', async () => {
    expect(await registry.upsertObject(t.db, { uscc: U1, name: '重庆渝中甲餐饮有限公司', creditGrade: 'B' }, ctx('2026-03-01'))).toBe('created');
    expect(await registry.upsertObject(t.db, { uscc: U2, name: '渝中区乙小面馆' }, ctx('2026-03-01'))).toBe('created');
    const o = await registry.getObject(t.db, U1);
    expect(o).toMatchObject({ entityType: 'enterprise', registrationStatus: 'active', creditGrade: 'B', gradedOn: '2026-03-01' });
    const o2 = await registry.getObject(t.db, U2);
    expect(o2).toMatchObject({ entityType: 'individual', creditGrade: null, gradedOn: null });
  });

  it('keeps the superseded grade and its dates when the grade changes', async () => {
    await registry.upsertObject(t.db, { uscc: U1, creditGrade: 'D', gradedOn: '2026-06-15' }, ctx('2026-06-16'));
    await registry.upsertObject(t.db, { uscc: U1, creditGrade: 'C' }, ctx('2026-09-01'));
    const o = await registry.getObject(t.db, U1);
    expect(o.creditGrade).toBe('C');
    expect(o.gradedOn).toBe('2026-09-01');
    expect(o.gradeHistory).toEqual([
      { kind: 'credit', grade: 'B', gradedOn: '2026-03-01', supersededOn: '2026-06-15' },
      { kind: 'credit', grade: 'D', gradedOn: '2026-06-15', supersededOn: '2026-09-01' },
    ]);
  });

  it('re-stating the same grade keeps its original date and writes no history', async () => {
    expect(await registry.upsertObject(t.db, { uscc: U1, creditGrade: 'C' }, ctx('2026-10-01'))).toBe('unchanged');
    const o = await registry.getObject(t.db, U1);
    expect(o.gradedOn).toBe('2026-09-01');
    expect(o.gradeHistory).toHaveLength(2);
  });

  it('leaves fields absent from a patch unchanged and records what changed', async () => {
    await registry.upsertObject(t.db, { uscc: U1, street: '解放碑', address: '渝中区民族路 1 号' }, ctx('2026-10-02'));
    expect(await registry.upsertObject(t.db, { uscc: U1, address: '渝中区民族路 2 号' }, ctx('2026-10-03'))).toBe('updated');
    const o = await registry.getObject(t.db, U1);
    expect(o).toMatchObject({ street: '解放碑', address: '渝中区民族路 2 号', name: '重庆渝中甲餐饮有限公司' });
    const h = await registry.objectHistory(t.db, U1);
    const last = h.changes.at(-1)!;
    expect(last.before).toEqual({ address: '渝中区民族路 1 号' });
    expect(last.after).toEqual({ address: '渝中区民族路 2 号' });
  });

  it('refuses a new object without a name and writes nothing', async () => {
    const u = withCheckCharacter('91500103MA5U0A003');
    await expect(registry.upsertObject(t.db, { uscc: u, street: '大坪' }, ctx('2026-10-03'))).rejects.toBeInstanceOf(AppError);
    await expect(registry.getObject(t.db, u)).rejects.toMatchObject({ status: 404, code: 'OBJECT_NOT_FOUND' });
  });

  it('keeps abnormal-list membership as records with dates, apart from the registration status', async () => {
    await registry.addAbnormalListing(t.db, U2, '2026-04-01', '通过登记的住所无法联系', ctx('2026-04-01'));
    await expect(registry.addAbnormalListing(t.db, U2, '2026-04-02', '重复', ctx('2026-04-02'))).rejects.toMatchObject({ code: 'ALREADY_LISTED' });
    await registry.removeAbnormalListing(t.db, U2, '2026-05-10', '信用修复');
    const o = await registry.getObject(t.db, U2);
    expect(o.registrationStatus).toBe('active');
    expect(o.abnormalListings).toMatchObject([{ listedOn: '2026-04-01', removedOn: '2026-05-10', removalReason: '信用修复' }]);
  });

  it('upserts inspectors by certificate number and resolves the department by name', async () => {
    expect(
      await registry.upsertInspector(t.db, { certificateNo: 'YZ0001', name: '李明', department: '渝中区市场监督管理局', yearlyCapacity: 60 }, ctx('2026-01-02')),
    ).toBe('created');
    expect(await registry.upsertInspector(t.db, { certificateNo: 'YZ0001', status: 'on_leave' }, ctx('2026-02-02'))).toBe('updated');
    const i = await registry.getInspector(t.db, 'YZ0001');
    expect(i).toMatchObject({ departmentCode: 'SCJG', status: 'on_leave', kind: 'officer', yearlyCapacity: 60, name: '李明' });
    await expect(registry.upsertInspector(t.db, { certificateNo: 'YZ0002', name: '王芳', department: '不存在的局' }, ctx('2026-01-02'))).rejects.toMatchObject({
      code: 'UNKNOWN_DEPARTMENT',
    });
  });

  it('enforces the cap rule of general and key matters', async () => {
    await expect(
      registry.upsertMatter(t.db, { code: 'M1', department: 'SCJG', name: '广告发布行为检查', importance: 'general' }, ctx('2026-01-02')),
    ).rejects.toMatchObject({ code: 'GENERAL_MATTER_NEEDS_CAP' });
    expect(
      await registry.upsertMatter(t.db, { code: 'M1', department: 'SCJG', name: '广告发布行为检查', importance: 'general', ratioCap: 0.03 }, ctx('2026-01-02')),
    ).toBe('created');
    expect((await registry.getMatter(t.db, 'M1')).ratioCap).toBeCloseTo(0.03);
  });
});
