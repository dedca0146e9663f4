/**
 * Inspection check codes (检查核验码): the code printed on a visit's notice, stored the first time
 * it is asked for, and what the public check page shows for a code an entity types — the entity,
 * the task(s), departments, matters, dates, notice number and the team's certificate numbers with
 * their departments, never officers' names. The code's format, derivation and URL are
 * src/domain/checkCodes.ts; the throttle on wrong codes is the check page's (src/http/publicSite.ts).
 */
import crypto from 'node:crypto';
import * as repo from '../../db/repositories/publicQueries.ts';
import * as inspectorsRepo from '../../db/repositories/inspectors.ts';
import * as plansRepo from '../../db/repositories/plans.ts';
import * as referenceRepo from '../../db/repositories/reference.ts';
import * as resultsRepo from '../../db/repositories/results.ts';
import type { Executor } from '../../db/connection.ts';
import { deriveCheckCode, normalizeCheckCode } from '../../domain/checkCodes.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { publicEntityName } from '../../domain/publicPrivacy.ts';
import { nowIso } from '../../domain/time.ts';
import { departmentMap, departmentsOfTask } from './common.ts';

/** The settings key of the service's secret (32 random bytes, hex), created on first use. */
const CHECK_SECRET_KEY = 'check-code-secret';
/** Attempts before giving up; each collision (practically impossible at 50 bits) takes the next. */
const MAX_ATTEMPTS = 8;

/**
 * The check code of a visit (检查核验码), created and stored on first use. Deterministic for a visit
 * (derived from the service's secret and the visit id); unique across visits (a collision, which
 * 50 bits make practically impossible, takes the next attempt). Call it where the code is shown:
 * the printed notice and the assignment.
 */
export async function checkCodeOfVisit(db: Executor, visitId: string, now = new Date()): Promise<string> {
  const existing = await repo.findCheckCode(db, visitId);
  if (existing) return existing.code;
  if (!(await resultsRepo.findVisit(db, visitId))) throw new NotFoundError(`没有编号为 ${visitId} 的检查`, 'VISIT_NOT_FOUND');
  const secret = await repo.getSecret(db, CHECK_SECRET_KEY, () => crypto.randomBytes(32).toString('hex'), nowIso(now));
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const code = deriveCheckCode(secret, visitId, attempt);
    const owner = await repo.visitIdOfCode(db, code);
    if (owner && owner !== visitId) continue;
    // A concurrent caller may have stored this visit's code first: the insert does nothing and the read below finds it.
    await repo.insertCheckCode(db, { visit_id: visitId, code, created_at: nowIso(now) });
    break;
  }
  const stored = await repo.findCheckCode(db, visitId);
  if (!stored) throw new Error(`no check code could be stored for visit ${visitId}`);
  return stored.code;
}

type VisitRow = NonNullable<Awaited<ReturnType<typeof resultsRepo.findVisit>>>;

/** What the check page shows of a genuine visit. */
async function checkedVisit(db: Executor, visit: VisitRow) {
  const taskIds = visit.task_ids;
  const team = visit.team;
  const matterCodes = visit.matters;
  const [tasks, matters, officers, entity, notice] = await Promise.all([
    plansRepo.tasksByIds(db, taskIds),
    referenceRepo.mattersByCode(db, matterCodes),
    inspectorsRepo.inspectorsByCertificate(db, team),
    repo.entityOfVisit(db, visit.uscc),
    repo.noticeNumber(db, visit.id),
  ]);
  const depts = await departmentMap(db, [...tasks.flatMap((t) => departmentsOfTask(t.departments)), ...officers.map((o) => o.department_code)]);
  const taskById = new Map(tasks.map((t) => [t.id, t]));
  const deptOf = new Map(officers.map((o) => [o.certificate_no, o.department_code]));
  const matterByCode = new Map(matters.map((m) => [m.code, m.name]));
  return {
    entity: { uscc: visit.uscc, name: publicEntityName(entity, visit.uscc) },
    tasks: taskIds.map((id) => ({ id, name: taskById.get(id)?.name ?? id })),
    departments: [...new Set(tasks.flatMap((t) => departmentsOfTask(t.departments)))].map((code) => ({ code, name: depts.get(code) ?? code })),
    matters: matterCodes.map((code) => ({ code, name: matterByCode.get(code) ?? code })),
    window: { start: visit.window_start, end: visit.window_end },
    team: team.map((c) => ({ certificateNo: c, department: depts.get(deptOf.get(c) ?? '') ?? deptOf.get(c) ?? '' })),
    notified: visit.notified_at !== null,
    noticeNumber: notice ?? null,
  };
}
export type CheckedVisit = Awaited<ReturnType<typeof checkedVisit>>;

export type CheckOutcome = { ok: true; code: string; visit: CheckedVisit } | { ok: false; code: string; reason: 'format' | 'unknown' };

/** What the entity sees for a code it typed: the task, the dates and the team's certificate numbers, or that the code is wrong. */
export async function lookupCheckCode(db: Executor, input: string): Promise<CheckOutcome> {
  const code = normalizeCheckCode(input);
  if (!code) return { ok: false, code: input.trim().slice(0, 40), reason: 'format' };
  const visitId = await repo.visitIdOfCode(db, code);
  const visit = visitId ? await resultsRepo.findVisit(db, visitId) : undefined;
  if (!visit) return { ok: false, code, reason: 'unknown' };
  return { ok: true, code, visit: await checkedVisit(db, visit) };
}
