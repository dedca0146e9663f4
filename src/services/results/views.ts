/**
 * Assignments as users read them: the lists (an inspector's own, a staff member's within its
 * scope) and one assignment in full with its notice and result (findings, list evaluations,
 * measures and overrides, events, deadlines). Every write of the results services answers with
 * `assignmentDetail`.
 */
import * as repo from '../../db/repositories/results.ts';
import * as attachmentsRepo from '../../db/repositories/attachments.ts';
import * as inspectorsRepo from '../../db/repositories/inspectors.ts';
import * as objectsRepo from '../../db/repositories/objects.ts';
import * as plansRepo from '../../db/repositories/plans.ts';
import * as referenceRepo from '../../db/repositories/reference.ts';
import type { Executor } from '../../db/connection.ts';
import { RESULT_CODES } from '../../domain/registry.ts';
import { MEASURE_NAMES } from '../../domain/lists.ts';
import { ASSIGNMENT_STATE_LABELS, RESULT_STATUS_LABELS, assignmentState, needsAbnormalFollowUp, type ResultStatus } from '../../domain/results.ts';
import type { UserActor } from '../../domain/actor.ts';
import { deadlineView } from '../deadlines.ts';
import { mattersOf, requireAssignment, tasksOf, teamOf } from './access.ts';

/** The rows the views (and the notice) name things by, for a set of visits. */
export interface Lookups {
  objects: Map<string, Awaited<ReturnType<typeof objectsRepo.objectsByUscc>>[number]>;
  matters: Map<string, Awaited<ReturnType<typeof referenceRepo.mattersByCode>>[number]>;
  inspectors: Map<string, Awaited<ReturnType<typeof inspectorsRepo.inspectorsByCertificate>>[number]>;
  tasks: Map<string, Awaited<ReturnType<typeof plansRepo.tasksByIds>>[number]>;
  departments: Map<string, string>;
}

export async function lookups(db: Executor, visits: repo.VisitRow[]): Promise<Lookups> {
  const uniq = (xs: string[]) => [...new Set(xs)];
  const [objects, matters, inspectors, tasks] = await Promise.all([
    objectsRepo.objectsByUscc(db, uniq(visits.map((v) => v.uscc))),
    referenceRepo.mattersByCode(db, uniq(visits.flatMap(mattersOf))),
    inspectorsRepo.inspectorsByCertificate(db, uniq(visits.flatMap(teamOf))),
    plansRepo.tasksByIds(db, uniq(visits.flatMap(tasksOf))),
  ]);
  const deptCodes = uniq([
    ...matters.map((m) => m.department_code),
    ...inspectors.map((i) => i.department_code),
    ...tasks.flatMap((t) => t.departments.map((d) => d.code)),
  ]);
  const departments = await referenceRepo.departmentsByCode(db, deptCodes);
  return {
    objects: new Map(objects.map((o) => [o.uscc, o])),
    matters: new Map(matters.map((m) => [m.code, m])),
    inspectors: new Map(inspectors.map((i) => [i.certificate_no, i])),
    tasks: new Map(tasks.map((t) => [t.id, t])),
    departments: new Map(departments.map((d) => [d.code, d.name])),
  };
}

/** The departments taking part in the visit's tasks, in task order. */
export function visitDepartments(v: repo.VisitRow, l: Lookups): string[] {
  return [...new Set(tasksOf(v).flatMap((t) => (l.tasks.get(t)?.departments ?? []).map((d) => d.code)))];
}

function summaryView(v: repo.VisitRow, l: Lookups, result: { id: string; status: ResultStatus } | null) {
  const o = l.objects.get(v.uscc);
  const state = assignmentState(v.notified_at, result?.status);
  return {
    id: v.id,
    planId: v.plan_id,
    entity: { uscc: v.uscc, name: o?.name ?? '', address: o?.address ?? null, street: o?.street ?? null },
    matters: mattersOf(v).map((code) => ({ code, name: l.matters.get(code)?.name ?? code })),
    team: teamOf(v).map((c) => ({
      certificateNo: c,
      name: l.inspectors.get(c)?.name ?? '',
      department: l.inspectors.get(c)?.department_code ?? null,
    })),
    window: { start: v.window_start, end: v.window_end },
    tasks: tasksOf(v).map((id) => ({ id, name: l.tasks.get(id)?.name ?? id })),
    status: state,
    statusLabel: ASSIGNMENT_STATE_LABELS[state],
    notified: v.notified_at !== null,
    notifiedAt: v.notified_at,
    resultId: result?.id ?? null,
  };
}
export type AssignmentSummary = ReturnType<typeof summaryView>;

function measureView(m: repo.MeasureRow) {
  const facts = m.facts;
  return {
    n: m.n,
    measure: m.measure,
    measureName: MEASURE_NAMES[m.measure as keyof typeof MEASURE_NAMES] ?? m.measure,
    ...facts,
    state: m.state,
    refused: m.state !== 'allowed',
    basis: m.basis,
    listVersion: m.list_version,
    itemNumber: m.item_number,
    evaluation: m.evaluation,
    override:
      m.override_requested_by === null
        ? null
        : {
            reason: m.override_reason,
            requestedBy: m.override_requested_by,
            requestedAt: m.override_requested_at,
            approvedBy: m.override_approved_by,
            approvedAt: m.override_approved_at,
            comment: m.override_comment,
          },
  };
}

async function resultView(db: Executor, r: repo.ResultRow) {
  const [measures, events, deadlines] = await Promise.all([repo.measuresOf(db, r.id), repo.resultEvents(db, r.id), repo.deadlinesOf(db, 'abnormal-follow-up', r.id)]);
  const codes = r.codes;
  return {
    id: r.id,
    status: r.status,
    statusLabel: RESULT_STATUS_LABELS[r.status],
    inspectedOn: r.inspected_on,
    codes: codes.map((code) => ({ code, label: RESULT_CODES[code] })),
    method: r.method,
    followUp: r.follow_up,
    findings: r.findings,
    measures: measures.map(measureView),
    note: r.note,
    revision: r.revision,
    enteredBy: r.entered_by,
    enteredAt: r.entered_at,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
    reviewedBy: r.reviewed_by,
    reviewedAt: r.reviewed_at,
    reviewComment: r.review_comment,
    publishedBy: r.published_by,
    publishedAt: r.published_at,
    abnormalFollowUp: needsAbnormalFollowUp(codes),
    deadlines: deadlines.map(deadlineView),
    events: events.map((e) => ({ action: e.action, from: e.from_status, to: e.to_status, measure: e.measure_n, actor: e.actor, at: e.at, comment: e.comment })),
  };
}
export type ResultView = Awaited<ReturnType<typeof resultView>>;

/** A result's attachment as users read it (the bytes are downloaded from `url`). */
export interface AttachmentView {
  id: string;
  fileName: string;
  mediaType: string;
  bytes: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
  /** Where the file is downloaded (API). */
  url: string;
}

export function attachmentView(a: attachmentsRepo.AttachmentRow): AttachmentView {
  return {
    id: a.id,
    fileName: a.file_name,
    mediaType: a.media_type,
    bytes: a.bytes,
    sha256: a.sha256,
    uploadedBy: a.uploaded_by,
    uploadedAt: a.uploaded_at,
    url: `/api/v1/assignments/${a.visit_id}/attachments/${a.id}`,
  };
}

/** The stored notice of a visit the user may see (null while none has been issued); never issues one. */
export async function storedNotice(db: Executor, who: UserActor, id: string) {
  const v = await requireAssignment(db, who, id);
  const n = await repo.findNotice(db, v.id);
  return n ? { number: n.number, issuedAt: n.issued_at, issuedBy: n.issued_by, html: n.html, sha256: n.sha256 } : null;
}

/** One assignment with everything the team (and the reviewers) need. */
export async function getAssignment(db: Executor, who: UserActor, id: string) {
  const v = await requireAssignment(db, who, id);
  return assignmentDetail(db, v);
}

/** The full view of a visit the caller has already been allowed to see. */
export async function assignmentDetail(db: Executor, v: repo.VisitRow) {
  const l = await lookups(db, [v]);
  const [result, notice, attachments] = await Promise.all([repo.findResultOfVisit(db, v.id), repo.findNotice(db, v.id), attachmentsRepo.attachmentsOf(db, v.id)]);
  const summary = summaryView(v, l, result ?? null);
  return {
    ...summary,
    entity: { ...summary.entity, entityType: l.objects.get(v.uscc)?.entity_type ?? null },
    matters: mattersOf(v).map((code) => {
      const m = l.matters.get(code);
      return { code, name: m?.name ?? code, department: m?.department_code ?? null, legalBasis: m?.legal_basis ?? null };
    }),
    team: summary.team.map((t) => ({ ...t, departmentName: t.department ? (l.departments.get(t.department) ?? t.department) : null })),
    departments: visitDepartments(v, l).map((code) => ({ code, name: l.departments.get(code) ?? code })),
    notice: notice ? { number: notice.number, issuedAt: notice.issued_at, issuedBy: notice.issued_by } : null,
    result: result ? await resultView(db, result) : null,
    /** Photos and scanned records of the inspection, with their SHA-256. */
    attachments: attachments.map(attachmentView),
  };
}
export type AssignmentDetail = Awaited<ReturnType<typeof assignmentDetail>>;

export interface Page {
  limit: number;
  offset: number;
}

async function page(db: Executor, f: repo.VisitFilter, p: Page) {
  const { rows, total } = await repo.listVisits(db, f, p);
  const l = await lookups(db, rows);
  return {
    items: rows.map((r) => summaryView(r, l, r.result_id ? { id: r.result_id, status: r.result_status! } : null)),
    total,
    limit: p.limit,
    offset: p.offset,
  };
}

/** The signed-in inspector's own assignments (visits whose team holds its certificate). */
export async function listMyAssignments(db: Executor, who: UserActor, filter: { state?: repo.VisitFilter['state'] }, p: Page) {
  if (!who.officer) return { items: [], total: 0, limit: p.limit, offset: p.offset };
  return page(db, { officer: who.officer, state: filter.state }, p);
}

/** Assignments a staff member may see: all for reviewers and administrators, a regulator's department's otherwise. */
export async function listAssignments(db: Executor, who: UserActor, filter: { state?: repo.VisitFilter['state']; planId?: string; taskId?: string }, p: Page) {
  const f: repo.VisitFilter = { state: filter.state, planId: filter.planId };
  if (who.role === 'regulator') f.taskIds = who.department ? await repo.taskIdsOfDepartment(db, who.department) : [];
  else if (who.role === 'inspector') f.officer = who.officer ?? '\u0000';
  if (filter.taskId) f.taskIds = !f.taskIds || f.taskIds.includes(filter.taskId) ? [filter.taskId] : [];
  return page(db, f, p);
}
