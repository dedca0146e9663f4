/**
 * Use cases of the two registries and their reference lists. Every write keeps history:
 * a superseded grade goes to grade_history with its dates, and every changed row to
 * registry_changes with its before and after.
 */
import * as objectsRepo from '../db/repositories/objects.ts';
import * as inspectorsRepo from '../db/repositories/inspectors.ts';
import * as referenceRepo from '../db/repositories/reference.ts';
import * as historyRepo from '../db/repositories/history.ts';
import type { Executor } from '../db/connection.ts';
import type { ObjectFilters, ObjectRow } from '../db/repositories/objects.ts';
import type { InspectorFilters, InspectorRow } from '../db/repositories/inspectors.ts';
import { inTransaction } from '../db/tx.ts';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import {
  entityTypeFromUscc,
  type ObjectPatch, type InspectorPatch, type DepartmentRecord, type MatterPatch,
  type ConflictRecord, type InspectionRecord, type ViolationRecord,
} from '../domain/records.ts';
import { nowIso, shanghaiDate } from '../domain/time.ts';
import { objectView, inspectorView, departmentView, matterView } from './views.ts';
import { audit } from './auditTrail.ts';
import type { Actor } from '../domain/actor.ts';
import * as scope from './scope.ts';


export interface Page {
  limit: number;
  offset: number;
}

function stamp(ctx: Actor) {
  const at = ctx.now ?? new Date();
  return { iso: nowIso(at), today: shanghaiDate(at) };
}

/** Object patch → column values (only the fields present). */
function objectColumns(p: ObjectPatch): Partial<ObjectRow> {
  const c: Partial<ObjectRow> = {};
  if (p.name !== undefined) c.name = p.name;
  if (p.entityType !== undefined) c.entity_type = p.entityType;
  if (p.industryCode !== undefined) c.industry_code = p.industryCode;
  if (p.street !== undefined) c.street = p.street;
  if (p.address !== undefined) c.address = p.address;
  if (p.registeredOn !== undefined) c.registered_on = p.registeredOn;
  if (p.legalRepresentative !== undefined) c.legal_representative = p.legalRepresentative;
  if (p.registrationStatus !== undefined) c.registration_status = p.registrationStatus;
  if (p.creditGrade !== undefined) c.credit_grade = p.creditGrade;
  if (p.gradedOn !== undefined) c.graded_on = p.gradedOn;
  if (p.sectorGrade !== undefined) c.sector_grade = p.sectorGrade;
  if (p.tags !== undefined) c.tags = p.tags;
  return c;
}

/** Field values compare by content: lists (tags, qualifications) as lists. */
const sameValue = (a: unknown, b: unknown) => a === b || (Array.isArray(a) && Array.isArray(b) && JSON.stringify(a) === JSON.stringify(b));

/** Only the columns whose value differs from the stored row. */
function diff<T extends object>(stored: T, wanted: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(wanted) as (keyof T)[]) if (!sameValue(wanted[k], stored[k])) out[k] = wanted[k];
  return out;
}

function pick<T extends object>(row: T, keys: (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) out[k] = row[k];
  return out;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** Creates or updates one object; fields absent from the patch keep their stored values. */
export async function upsertObject(db: Executor, patch: ObjectPatch, ctx: Actor): Promise<UpsertOutcome> {
  const { iso, today } = stamp(ctx);
  return inTransaction(db, async (trx) => {
    const stored = await objectsRepo.findObject(trx, patch.uscc);
    const wanted = objectColumns(patch);
    if (!stored) {
      if (!patch.name) {
        throw new ValidationError(`新主体 ${patch.uscc} 缺少名称；新增检查对象必须填写名称`, [
          { path: 'name', code: 'REQUIRED', message: '新增检查对象必须填写名称' },
        ]);
      }
      await objectsRepo.insertObject(trx, {
        uscc: patch.uscc,
        name: patch.name,
        entity_type: patch.entityType ?? entityTypeFromUscc(patch.uscc),
        industry_code: patch.industryCode ?? null,
        street: patch.street ?? null,
        address: patch.address ?? null,
        registered_on: patch.registeredOn ?? null,
        legal_representative: patch.legalRepresentative ?? null,
        registration_status: patch.registrationStatus ?? 'active',
        credit_grade: patch.creditGrade ?? null,
        graded_on: patch.creditGrade ? (patch.gradedOn ?? today) : null,
        sector_grade: patch.sectorGrade ?? null,
        sector_graded_on: patch.sectorGrade ? today : null,
        tags: patch.tags ?? [],
        created_at: iso,
        updated_at: iso,
      });
      await audit(trx, ctx, 'object.create', 'object', patch.uscc, null, patch);
      return 'created';
    }
    // A grade that is re-stated unchanged keeps the date it was first set.
    if (wanted.credit_grade === undefined || wanted.credit_grade === stored.credit_grade) {
      if (wanted.credit_grade === undefined) delete wanted.graded_on;
      else if (wanted.graded_on === undefined) delete wanted.credit_grade;
    } else {
      wanted.graded_on = patch.gradedOn ?? today;
    }
    if (wanted.sector_grade !== undefined && wanted.sector_grade !== stored.sector_grade) wanted.sector_graded_on = today;
    const changes = diff(stored, wanted);
    if (Object.keys(changes).length === 0) return 'unchanged';
    if (changes.credit_grade !== undefined && stored.credit_grade !== changes.credit_grade) {
      await objectsRepo.insertGradeHistory(trx, {
        uscc: stored.uscc,
        kind: 'credit',
        grade: stored.credit_grade,
        graded_on: stored.graded_on,
        superseded_on: changes.graded_on ?? today,
        recorded_at: iso,
      });
    }
    if (changes.sector_grade !== undefined && stored.sector_grade !== changes.sector_grade) {
      await objectsRepo.insertGradeHistory(trx, {
        uscc: stored.uscc,
        kind: 'sector',
        grade: stored.sector_grade,
        graded_on: stored.sector_graded_on,
        superseded_on: today,
        recorded_at: iso,
      });
    }
    await objectsRepo.updateObject(trx, stored.uscc, { ...changes, updated_at: iso });
    await historyRepo.insertChange(trx, {
      registry: 'object',
      key: stored.uscc,
      changed_at: iso,
      source: ctx.name,
      before: pick(stored, Object.keys(changes) as (keyof ObjectRow)[]),
      after: changes,
    });
    await audit(trx, ctx, 'object.update', 'object', stored.uscc, pick(stored, Object.keys(changes) as (keyof ObjectRow)[]), changes);
    return 'updated';
  });
}

export async function createObject(db: Executor, patch: ObjectPatch, ctx: Actor) {
  return inTransaction(db, async (trx) => {
    if (await objectsRepo.findObject(trx, patch.uscc)) {
      throw new ConflictError(`统一社会信用代码 ${patch.uscc} 已在名录中；修改请用 PATCH /api/v1/objects/${patch.uscc}`, 'OBJECT_EXISTS');
    }
    await upsertObject(trx, patch, ctx);
    return getObject(trx, patch.uscc);
  });
}

export async function updateObject(db: Executor, uscc: string, patch: Omit<ObjectPatch, 'uscc'>, ctx: Actor) {
  return inTransaction(db, async (trx) => {
    if (!(await objectsRepo.findObject(trx, uscc))) throw objectNotFound(uscc);
    await upsertObject(trx, { ...patch, uscc }, ctx);
    return getObject(trx, uscc);
  });
}

function objectNotFound(uscc: string) {
  return new NotFoundError(`名录中没有统一社会信用代码为 ${uscc} 的检查对象`, 'OBJECT_NOT_FOUND');
}

/** One object with its grade history and abnormal-list memberships. */
export async function getObject(db: Executor, uscc: string) {
  const row = await objectsRepo.findObject(db, uscc);
  if (!row) throw objectNotFound(uscc);
  const [grades, abnormal] = await Promise.all([
    objectsRepo.listGradeHistory(db, uscc),
    objectsRepo.listAbnormalListings(db, uscc),
  ]);
  return {
    ...objectView(row),
    gradeHistory: grades.map((g) => ({
      kind: g.kind,
      grade: g.grade,
      gradedOn: g.graded_on,
      supersededOn: g.superseded_on,
    })),
    abnormalListings: abnormal.map((a) => ({
      id: a.id,
      listedOn: a.listed_on,
      reason: a.reason,
      removedOn: a.removed_on,
      removalReason: a.removal_reason,
    })),
  };
}

export async function listObjects(db: Executor, filters: ObjectFilters, page: Page) {
  const { rows, total } = await objectsRepo.listObjects(db, filters, page);
  return { items: rows.map(objectView), total, limit: page.limit, offset: page.offset };
}

/** Puts an entity on the abnormal-operation list (经营异常名录): a membership, not a status. */
export async function addAbnormalListing(db: Executor, uscc: string, listedOn: string, reason: string, ctx: Actor) {
  return inTransaction(db, async (trx) => {
    if (!(await objectsRepo.findObject(trx, uscc))) throw objectNotFound(uscc);
    const open = (await objectsRepo.listAbnormalListings(trx, uscc)).find((a) => a.removed_on === null);
    if (open) throw new ConflictError(`${uscc} 自 ${open.listed_on} 起已在经营异常名录中（原因：${open.reason}）`, 'ALREADY_LISTED');
    const id = await objectsRepo.insertAbnormalListing(trx, { uscc, listed_on: listedOn, reason, created_at: stamp(ctx).iso });
    await audit(trx, ctx, 'object.abnormal-list', 'object', uscc, null, { listedOn, reason });
    return id;
  });
}

/** Ends a membership through credit restoration (信用修复) or another removal reason. */
export async function removeAbnormalListing(db: Executor, uscc: string, removedOn: string, reason: string, ctx: Actor = { name: 'system' }) {
  return inTransaction(db, async (trx) => {
    if (!(await objectsRepo.findObject(trx, uscc))) throw objectNotFound(uscc);
    const open = (await objectsRepo.listAbnormalListings(trx, uscc)).find((a) => a.removed_on === null);
    if (!open) throw new NotFoundError(`${uscc} 当前不在经营异常名录中`, 'NOT_LISTED');
    if (removedOn < open.listed_on) {
      throw new ValidationError(`移出日期 ${removedOn} 早于列入日期 ${open.listed_on}`, [
        { path: 'removedOn', code: 'DATE_RANGE', message: `移出日期不能早于列入日期 ${open.listed_on}` },
      ], 'DATE_RANGE');
    }
    await objectsRepo.closeAbnormalListing(trx, open.id, removedOn, reason);
    await audit(trx, ctx, 'object.abnormal-list-remove', 'object', uscc, { listedOn: open.listed_on, reason: open.reason }, { removedOn, removalReason: reason });
  });
}

// ---------------------------------------------------------------------------- departments

/** Resolves a department written as its code or its name. */
export async function resolveDepartment(db: Executor, codeOrName: string): Promise<string> {
  const byCode = await referenceRepo.findDepartment(db, codeOrName);
  if (byCode) return byCode.code;
  const all = await referenceRepo.listDepartments(db);
  const byName = all.find((d) => d.name === codeOrName);
  if (byName) return byName.code;
  throw new ValidationError(
    `部门“${codeOrName}”不存在；请先导入部门（double-random import departments），或填写已有部门的代码：${all.map((d) => d.code).join('、') || '（暂无）'}`,
    [{ path: 'department', code: 'UNKNOWN_DEPARTMENT', message: `部门“${codeOrName}”不存在` }],
    'UNKNOWN_DEPARTMENT',
  );
}

export async function upsertDepartment(db: Executor, rec: DepartmentRecord, ctx: Actor): Promise<UpsertOutcome> {
  scope.assertDepartmentWrite(ctx);
  const { iso } = stamp(ctx);
  return inTransaction(db, async (trx) => {
    const stored = await referenceRepo.findDepartment(trx, rec.code);
    if (!stored) {
      if (!rec.name) throw new ValidationError(`新部门 ${rec.code} 缺少部门名称`);
      await referenceRepo.insertDepartment(trx, { code: rec.code, name: rec.name, created_at: iso, updated_at: iso });
      await audit(trx, ctx, 'department.create', 'department', rec.code, null, rec);
      return 'created';
    }
    if (!rec.name || rec.name === stored.name) return 'unchanged';
    await referenceRepo.updateDepartment(trx, rec.code, { name: rec.name, updated_at: iso });
    await audit(trx, ctx, 'department.update', 'department', rec.code, { name: stored.name }, { name: rec.name });
    return 'updated';
  });
}

export async function listDepartments(db: Executor) {
  return (await referenceRepo.listDepartments(db)).map(departmentView);
}

// ---------------------------------------------------------------------------- matters

export async function upsertMatter(db: Executor, rec: MatterPatch, ctx: Actor): Promise<UpsertOutcome> {
  const { iso } = stamp(ctx);
  return inTransaction(db, async (trx) => {
    const stored = await referenceRepo.findMatter(trx, rec.code);
    const departmentCode = rec.department ? await resolveDepartment(trx, rec.department) : stored?.department_code;
    scope.assertMatterWrite(ctx, stored?.department_code, rec.department ? departmentCode : undefined);
    const importance = rec.importance ?? stored?.importance;
    const ratioCap = rec.ratioCap ?? (rec.importance === 'key' ? null : stored?.ratio_cap ?? null);
    if (!departmentCode || !importance || !(rec.name ?? stored?.name)) {
      throw new ValidationError(`新事项 ${rec.code} 必须填写部门、事项名称和事项类别（重点/一般）`);
    }
    if (importance === 'general' && ratioCap === null) {
      throw new ValidationError(`一般事项 ${rec.code} 必须设置抽查比例上限（如 5%）`, [
        { path: 'ratioCap', code: 'GENERAL_MATTER_NEEDS_CAP', message: '一般事项必须设置抽查比例上限' },
      ], 'GENERAL_MATTER_NEEDS_CAP');
    }
    if (importance === 'key' && ratioCap !== null) {
      throw new ValidationError(`重点事项 ${rec.code} 不设抽查比例上限`, [], 'KEY_MATTER_CAP');
    }
    const row = {
      department_code: departmentCode,
      name: rec.name ?? stored!.name,
      legal_basis: rec.legalBasis ?? stored?.legal_basis ?? null,
      importance,
      ratio_cap: ratioCap,
      entity_types: rec.entityTypes ?? stored?.entity_types ?? [],
      method: rec.method ?? stored?.method ?? null,
    };
    if (!stored) {
      await referenceRepo.insertMatter(trx, { code: rec.code, ...row, created_at: iso, updated_at: iso });
      await audit(trx, ctx, 'matter.create', 'matter', rec.code, null, row);
      return 'created';
    }
    const changes = diff(stored, row);
    if (Object.keys(changes).length === 0) return 'unchanged';
    await referenceRepo.updateMatter(trx, rec.code, { ...changes, updated_at: iso });
    await audit(trx, ctx, 'matter.update', 'matter', rec.code, pick(stored, Object.keys(changes) as (keyof typeof stored)[]), changes);
    return 'updated';
  });
}

export async function listMatters(db: Executor, department?: string) {
  return (await referenceRepo.listMatters(db, department)).map(matterView);
}

export async function getMatter(db: Executor, code: string) {
  const m = await referenceRepo.findMatter(db, code);
  if (!m) throw new NotFoundError(`抽查事项清单中没有事项 ${code}`, 'MATTER_NOT_FOUND');
  return matterView(m);
}

// ---------------------------------------------------------------------------- inspectors

function inspectorNotFound(no: string) {
  return new NotFoundError(`执法检查人员名录中没有执法证号为 ${no} 的人员`, 'INSPECTOR_NOT_FOUND');
}

export async function upsertInspector(db: Executor, patch: InspectorPatch, ctx: Actor): Promise<UpsertOutcome> {
  const { iso } = stamp(ctx);
  return inTransaction(db, async (trx) => {
    const stored = await inspectorsRepo.findInspector(trx, patch.certificateNo);
    const department = patch.department ? await resolveDepartment(trx, patch.department) : undefined;
    scope.assertInspectorWrite(ctx, stored?.department_code, department);
    const wanted: Partial<InspectorRow> = {};
    if (patch.name !== undefined) wanted.name = patch.name;
    if (department !== undefined) wanted.department_code = department;
    if (patch.validFrom !== undefined) wanted.valid_from = patch.validFrom;
    if (patch.validTo !== undefined) wanted.valid_to = patch.validTo;
    if (patch.qualifications !== undefined) wanted.qualifications = patch.qualifications;
    if (patch.status !== undefined) wanted.status = patch.status;
    if (patch.kind !== undefined) wanted.kind = patch.kind;
    if (patch.yearlyCapacity !== undefined) wanted.yearly_capacity = patch.yearlyCapacity;
    if (!stored) {
      if (!patch.name || !department) {
        throw new ValidationError(`新人员 ${patch.certificateNo} 必须填写姓名和所属部门`, [
          ...(!patch.name ? [{ path: 'name', code: 'REQUIRED', message: '缺少姓名' }] : []),
          ...(!department ? [{ path: 'department', code: 'REQUIRED', message: '缺少所属部门' }] : []),
        ]);
      }
      await inspectorsRepo.insertInspector(trx, {
        certificate_no: patch.certificateNo,
        name: patch.name,
        department_code: department,
        valid_from: patch.validFrom ?? null,
        valid_to: patch.validTo ?? null,
        qualifications: patch.qualifications ?? [],
        status: patch.status ?? 'active',
        kind: patch.kind ?? 'officer',
        yearly_capacity: patch.yearlyCapacity ?? 0,
        created_at: iso,
        updated_at: iso,
      });
      await audit(trx, ctx, 'inspector.create', 'inspector', patch.certificateNo, null, patch);
      return 'created';
    }
    const changes = diff(stored, wanted);
    const from = changes.valid_from ?? stored.valid_from;
    const to = changes.valid_to ?? stored.valid_to;
    if (from && to && from > to) throw new ValidationError(`执法证有效期止（${to}）早于有效期起（${from}）`);
    if (Object.keys(changes).length === 0) return 'unchanged';
    await inspectorsRepo.updateInspector(trx, stored.certificate_no, { ...changes, updated_at: iso });
    await historyRepo.insertChange(trx, {
      registry: 'inspector',
      key: stored.certificate_no,
      changed_at: iso,
      source: ctx.name,
      before: pick(stored, Object.keys(changes) as (keyof InspectorRow)[]),
      after: changes,
    });
    await audit(trx, ctx, 'inspector.update', 'inspector', stored.certificate_no, pick(stored, Object.keys(changes) as (keyof InspectorRow)[]), changes);
    return 'updated';
  });
}

export async function createInspector(db: Executor, patch: InspectorPatch, ctx: Actor) {
  return inTransaction(db, async (trx) => {
    if (await inspectorsRepo.findInspector(trx, patch.certificateNo)) {
      throw new ConflictError(`执法证号 ${patch.certificateNo} 已在名录中；修改请用 PATCH`, 'INSPECTOR_EXISTS');
    }
    await upsertInspector(trx, patch, ctx);
    return getInspector(trx, patch.certificateNo);
  });
}

export async function updateInspector(db: Executor, certificateNo: string, patch: Omit<InspectorPatch, 'certificateNo'>, ctx: Actor) {
  return inTransaction(db, async (trx) => {
    if (!(await inspectorsRepo.findInspector(trx, certificateNo))) throw inspectorNotFound(certificateNo);
    await upsertInspector(trx, { ...patch, certificateNo }, ctx);
    return getInspector(trx, certificateNo);
  });
}

export async function getInspector(db: Executor, certificateNo: string) {
  const row = await inspectorsRepo.findInspector(db, certificateNo);
  if (!row) throw inspectorNotFound(certificateNo);
  const conflicts = await inspectorsRepo.listConflictsOf(db, certificateNo);
  return {
    ...inspectorView(row),
    conflicts: conflicts.map((c) => ({ uscc: c.uscc, reason: c.reason, declaredOn: c.declared_on })),
  };
}

export async function listInspectors(db: Executor, filters: InspectorFilters, page: Page) {
  const { rows, total } = await inspectorsRepo.listInspectors(db, filters, page);
  return { items: rows.map(inspectorView), total, limit: page.limit, offset: page.offset };
}

/** Declares a conflict (回避) between an officer and an entity. */
export async function declareConflict(db: Executor, rec: ConflictRecord, ctx: Actor): Promise<UpsertOutcome> {
  const { iso, today } = stamp(ctx);
  return inTransaction(db, async (trx) => {
    const inspector = await inspectorsRepo.findInspector(trx, rec.certificateNo);
    if (!inspector) throw inspectorNotFound(rec.certificateNo);
    scope.assertInspectorWrite(ctx, inspector.department_code, undefined);
    const created = await inspectorsRepo.upsertConflict(trx, {
      certificate_no: rec.certificateNo,
      uscc: rec.uscc,
      reason: rec.reason,
      // A re-declaration without a date keeps the first declaration's date.
      declared_on: rec.declaredOn ?? null,
      created_at: iso,
    }, today);
    await audit(trx, ctx, 'inspector.conflict', 'inspector', rec.certificateNo, null, rec);
    return created ? 'created' : 'updated';
  });
}

// ---------------------------------------------------------------------------- history from the old platform

export async function recordPastInspection(db: Executor, rec: InspectionRecord, ctx: Actor): Promise<UpsertOutcome> {
  const { iso } = stamp(ctx);
  return inTransaction(db, async (trx) => {
    const department = await resolveDepartment(trx, rec.department);
    scope.assertPastInspectionWrite(ctx, department);
    const created = await historyRepo.upsertPastInspection(trx, {
      uscc: rec.uscc,
      inspected_on: rec.inspectedOn,
      department_code: department,
      officers: [...new Set(rec.officers)].sort(),
      result_codes: rec.resultCodes,
      task_ref: rec.taskRef ?? null,
      created_at: iso,
    });
    return created ? 'created' : 'updated';
  });
}

export async function recordPastViolation(db: Executor, rec: ViolationRecord, ctx: Actor): Promise<UpsertOutcome> {
  scope.assertPastViolationWrite(ctx);
  const { iso } = stamp(ctx);
  const created = await inTransaction(db, (trx) =>
    historyRepo.upsertPastViolation(trx, {
      uscc: rec.uscc,
      occurred_on: rec.occurredOn,
      violation_type: rec.violationType,
      decision: rec.decision ?? null,
      created_at: iso,
    }),
  );
  return created ? 'created' : 'updated';
}

export async function objectHistory(db: Executor, uscc: string) {
  if (!(await objectsRepo.findObject(db, uscc))) throw objectNotFound(uscc);
  const [inspections, violations, changes] = await Promise.all([
    historyRepo.listPastInspections(db, uscc),
    historyRepo.listPastViolations(db, uscc),
    historyRepo.listChanges(db, 'object', uscc),
  ]);
  return {
    inspections: inspections.map((i) => ({
      inspectedOn: i.inspected_on,
      departmentCode: i.department_code,
      officers: i.officers,
      resultCodes: i.result_codes,
      taskRef: i.task_ref,
    })),
    violations: violations.map((v) => ({ occurredOn: v.occurred_on, violationType: v.violation_type, decision: v.decision })),
    changes: changes.map((c) => ({ changedAt: c.changed_at, source: c.source, before: c.before, after: c.after })),
  };
}
