/**
 * The inspectors' work on a visit (an "assignment": a merged visit whose team holds the
 * officer): the notice served on the entity, the result with its findings, the exemption list
 * (免罚清单) proposals for each violation, the no-coercion list (不予实施行政强制措施清单) check of
 * each proposed seal-up or seizure and its two-person override, review by someone who was not on
 * the team, publication, and the abnormal-list follow-up of results 6 and C.
 *
 * Visibility: an inspector sees only the visits on its own teams; a regulator those of the tasks
 * its department takes part in; reviewers and administrators all. Anything else answers as if
 * it did not exist (404), so nothing of another team's assignment leaks.
 *
 * Every state change writes a result event and an audit entry in the same transaction.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import * as repo from '../db/repositories/results.ts';
import * as historyRepo from '../db/repositories/history.ts';
import * as objectsRepo from '../db/repositories/objects.ts';
import * as plansRepo from '../db/repositories/plans.ts';
import type { Executor } from '../db/repositories/objects.ts';
import type { MeasureState, ResultMeasureTable } from '../db/resultSchema.ts';
import { inTransaction, isUniqueViolation } from '../db/tx.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type Problem } from '../domain/errors.ts';
import { INSPECTION_METHODS, RESULT_CODES } from '../domain/registry.ts';
import {
  COERCION_ITEM_KINDS, COERCIVE_MEASURES, CORRECTIONS, HARMS, MEASURE_NAMES, evaluateCoercion, evaluateExemption,
  type CoercionProposal, type ExemptionProposal, type PriorViolation,
} from '../domain/lists.ts';
import * as rules from '../domain/results.ts';
import { isIsoDate, nowIso, shanghaiDate } from '../domain/time.ts';
import { renderNotice, type NoticeData } from '../web/notice.ts';
import type { AuthUser } from './accounts.ts';
import { canonicalJson, recordAudit } from './audit.ts';
import { deadlineView, meetDeadline, openDeadline } from './deadlines.ts';
import { checkCodeOfVisit, checkUrl } from './publicView.ts';
import { qrSvg } from '../web/qr.ts';
import { publicBaseUrl } from '../config.ts';

import { exemptionListOn, noCoercionListOn } from './lists.ts';
import { planDefaults } from './plans.ts';

/** Who acts: the signed-in user (and, in tests and jobs, the time). */
export type Who = AuthUser & { now?: Date };

// ------------------------------------------------------------------------------------ input

const isoDate = (title: string) => z.string().refine(isIsoDate, { message: `“${title}”应为 YYYY-MM-DD 格式的真实日期` }).meta({ title, format: 'date' });
const typeCode = (title: string) =>
  z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: `“${title}”应为大写字母、数字和下划线组成的代码，如 FOOD_LICENCE_EXPIRED` }).max(64).meta({ title });
const text = (title: string, max: number) => z.string().trim().min(1).max(max).meta({ title });

export const findingInput = z.strictObject({
  matter: text('检查事项编码', 64),
  compliant: z.boolean().meta({ title: '是否合规' }),
  violationType: typeCode('违法行为类型代码').optional(),
  violatedProvision: text('违反的条款', 500).optional(),
  harm: z.enum(HARMS).optional().meta({ title: '危害后果', description: 'none 没有造成危害后果；minor 危害后果轻微；not-minor 不属于轻微' }),
  correction: z
    .enum(CORRECTIONS)
    .optional()
    .meta({ title: '改正情况', description: 'before-discovery 发现前主动改正；before-decision 作出决定前改正；within-deadline 责令期限内改正；late 逾期改正；none 未改正' }),
  occurredOn: isoDate('违法行为发生日期').optional(),
  durationDays: z.number().int().min(0).max(36500).optional().meta({ title: '违法行为持续天数' }),
  incidents: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/).max(64)).max(10).optional().meta({ title: '发生的事故或后果', description: '如 food-safety-incident' }),
  note: z.string().trim().max(2000).optional().meta({ title: '说明' }),
});

export const measureInput = z.strictObject({
  measure: z.enum(COERCIVE_MEASURES).meta({ title: '强制措施', description: 'seal-up 查封；seizure 扣押' }),
  object: text('拟查封、扣押的场所、设施或财物', 500),
  reason: text('理由和事实', 2000),
  matter: text('所涉检查事项编码', 64).optional(),
  situationType: typeCode('情形代码').optional(),
  firstViolation: z.boolean().optional().meta({ title: '是否首次违法' }),
  correctedInTime: z.boolean().optional().meta({ title: '是否及时改正' }),
  licenceInvolved: z.boolean().optional().meta({ title: '是否涉及须经许可的经营项目' }),
  operatingDays: z.number().int().min(0).max(36500).optional().meta({ title: '已经营天数' }),
  evidenceDestructionRisk: z.boolean().optional().meta({ title: '是否有证据灭失风险' }),
  harmSpreadRisk: z.boolean().optional().meta({ title: '是否有危害扩大风险' }),
  itemKind: z.enum(COERCION_ITEM_KINDS).optional().meta({ title: '物品类别' }),
});

const resultCode = z.enum(rules.RESULT_CODE_ORDER).meta({ title: '检查结果代码', description: rules.RESULT_CODE_ORDER.map((c) => `${c} ${RESULT_CODES[c]}`).join('；') });
const followUp = z.enum(rules.FOLLOW_UPS).meta({ title: '后续处置' });

export const resultInput = z.strictObject({
  inspectedOn: isoDate('检查日期'),
  codes: z.array(resultCode).min(1).max(18).meta({ title: '检查结果（可多选）' }),
  method: z.enum(INSPECTION_METHODS).meta({ title: '核查方式' }),
  followUp: z
    .union([followUp, z.array(followUp).min(1).max(5)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .meta({ title: '后续处置（一项或多项）' }),
  findings: z.array(findingInput).max(100).default([]).meta({ title: '各事项检查情况' }),
  measures: z.array(measureInput).max(20).default([]).meta({ title: '拟采取的行政强制措施' }),
  note: z.string().trim().max(4000).optional().meta({ title: '备注' }),
});
export type ResultInput = z.input<typeof resultInput>;
type ParsedResult = z.output<typeof resultInput>;
type ParsedFinding = z.output<typeof findingInput>;
type ParsedMeasure = z.output<typeof measureInput>;

export const reviewInput = z.strictObject({
  decision: z.enum(['approve', 'return']).meta({ title: '审核结论', description: 'approve 通过；return 退回检查组修改' }),
  comment: z.string().trim().max(2000).optional().meta({ title: '审核意见（退回时必填）' }),
});
export const overrideInput = z.strictObject({ reason: text('理由', 2000).refine((s) => s.length >= 4, { message: '理由至少 4 个字' }) });
export const overrideApprovalInput = z.strictObject({ comment: z.string().trim().max(2000).optional().meta({ title: '意见' }) });
export const abnormalListingInput = z.strictObject({
  listedOn: isoDate('列入日期').optional(),
  reason: text('列入原因', 500).optional(),
});

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), code: 'INVALID_FIELD', message: i.message }));
  throw new ValidationError(`${what}有误：${problems.map((p) => `${p.path || '（整体）'}：${p.message}`).join('；')}`, problems, 'INVALID_INPUT');
}

// ------------------------------------------------------------------------------------ scope

const teamOf = (v: repo.VisitRow) => JSON.parse(v.team) as string[];
const tasksOf = (v: repo.VisitRow) => JSON.parse(v.task_ids) as string[];
const mattersOf = (v: repo.VisitRow) => JSON.parse(v.matters) as string[];

export const onTeam = (who: AuthUser, v: repo.VisitRow) => !!who.officer && teamOf(v).includes(who.officer);

async function participatingDepartments(db: Executor, v: repo.VisitRow): Promise<string[]> {
  const tasks = await repo.tasksByIds(db, tasksOf(v));
  return [...new Set(tasks.flatMap((t) => (JSON.parse(t.departments) as { code: string }[]).map((d) => d.code)))];
}

const notFound = (id: string) => new NotFoundError(`没有编号为 ${id} 的检查（或不在你的职责范围内）`, 'ASSIGNMENT_NOT_FOUND');

/** The visit if the user may see it; 404 otherwise (the same answer whether or not it exists). */
export async function requireAssignment(db: Executor, who: AuthUser, id: string): Promise<repo.VisitRow> {
  const v = await repo.findVisit(db, id);
  if (!v) throw notFound(id);
  if (who.role === 'admin' || who.role === 'reviewer') return v;
  if (onTeam(who, v)) return v;
  if (who.role === 'regulator' && who.department && (await participatingDepartments(db, v)).includes(who.department)) return v;
  throw notFound(id);
}

function requireTeamMember(who: AuthUser, v: repo.VisitRow): void {
  if (!onTeam(who, v)) throw new ForbiddenError('只有本检查组的执法人员可以执行此操作', 'NOT_ON_TEAM');
}

function requireRole(who: AuthUser, roles: AuthUser['role'][]): void {
  if (!roles.includes(who.role)) throw new ForbiddenError(`当前账号（${who.role}）无权执行此操作；允许的角色：${roles.join('、')}`, 'FORBIDDEN_ROLE');
}

async function mustResult(db: Executor, v: repo.VisitRow): Promise<repo.ResultRow> {
  const r = await repo.findResultOfVisit(db, v.id);
  if (!r) throw new ConflictError('本次检查尚未录入检查结果', 'NO_RESULT');
  return r;
}

// ------------------------------------------------------------------------------------ views

interface Lookups {
  objects: Map<string, Awaited<ReturnType<typeof repo.objectsByUscc>>[number]>;
  matters: Map<string, Awaited<ReturnType<typeof repo.mattersByCode>>[number]>;
  inspectors: Map<string, Awaited<ReturnType<typeof repo.inspectorsByCertificate>>[number]>;
  tasks: Map<string, Awaited<ReturnType<typeof repo.tasksByIds>>[number]>;
  departments: Map<string, string>;
}

async function lookups(db: Executor, visits: repo.VisitRow[]): Promise<Lookups> {
  const uniq = (xs: string[]) => [...new Set(xs)];
  const [objects, matters, inspectors, tasks] = await Promise.all([
    repo.objectsByUscc(db, uniq(visits.map((v) => v.uscc))),
    repo.mattersByCode(db, uniq(visits.flatMap(mattersOf))),
    repo.inspectorsByCertificate(db, uniq(visits.flatMap(teamOf))),
    repo.tasksByIds(db, uniq(visits.flatMap(tasksOf))),
  ]);
  const deptCodes = uniq([
    ...matters.map((m) => m.department_code),
    ...inspectors.map((i) => i.department_code),
    ...tasks.flatMap((t) => (JSON.parse(t.departments) as { code: string }[]).map((d) => d.code)),
  ]);
  const departments = await repo.departmentsByCode(db, deptCodes);
  return {
    objects: new Map(objects.map((o) => [o.uscc, o])),
    matters: new Map(matters.map((m) => [m.code, m])),
    inspectors: new Map(inspectors.map((i) => [i.certificate_no, i])),
    tasks: new Map(tasks.map((t) => [t.id, t])),
    departments: new Map(departments.map((d) => [d.code, d.name])),
  };
}

function summaryView(v: repo.VisitRow, l: Lookups, result: { id: string; status: rules.ResultStatus } | null) {
  const o = l.objects.get(v.uscc);
  const state = rules.assignmentState(v.notified_at, result?.status);
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
    statusLabel: rules.ASSIGNMENT_STATE_LABELS[state],
    notified: v.notified_at !== null,
    notifiedAt: v.notified_at,
    resultId: result?.id ?? null,
  };
}
export type AssignmentSummary = ReturnType<typeof summaryView>;

function measureView(m: repo.MeasureRow) {
  const facts = JSON.parse(m.facts) as Record<string, unknown>;
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
    evaluation: JSON.parse(m.evaluation) as unknown,
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
  const codes = JSON.parse(r.codes) as string[];
  return {
    id: r.id,
    status: r.status,
    statusLabel: rules.RESULT_STATUS_LABELS[r.status],
    inspectedOn: r.inspected_on,
    codes: codes.map((code) => ({ code, label: RESULT_CODES[code] })),
    method: r.method,
    followUp: JSON.parse(r.follow_up) as string[],
    findings: JSON.parse(r.findings) as StoredFinding[],
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
    abnormalFollowUp: rules.needsAbnormalFollowUp(codes),
    deadlines: deadlines.map(deadlineView),
    events: events.map((e) => ({ action: e.action, from: e.from_status, to: e.to_status, measure: e.measure_n, actor: e.actor, at: e.at, comment: e.comment })),
  };
}
export type ResultView = Awaited<ReturnType<typeof resultView>>;

/** One assignment with everything the team (and the reviewers) need. */
export async function getAssignment(db: Executor, who: AuthUser, id: string) {
  const v = await requireAssignment(db, who, id);
  return assignmentDetail(db, v);
}

async function assignmentDetail(db: Executor, v: repo.VisitRow) {
  const l = await lookups(db, [v]);
  const [result, notice] = await Promise.all([repo.findResultOfVisit(db, v.id), repo.findNotice(db, v.id)]);
  const summary = summaryView(v, l, result ?? null);
  const departments = [...new Set(tasksOf(v).flatMap((t) => (JSON.parse(l.tasks.get(t)?.departments ?? '[]') as { code: string }[]).map((d) => d.code)))];
  return {
    ...summary,
    entity: { ...summary.entity, entityType: l.objects.get(v.uscc)?.entity_type ?? null },
    matters: mattersOf(v).map((code) => {
      const m = l.matters.get(code);
      return { code, name: m?.name ?? code, department: m?.department_code ?? null, legalBasis: m?.legal_basis ?? null };
    }),
    team: summary.team.map((t) => ({ ...t, departmentName: t.department ? (l.departments.get(t.department) ?? t.department) : null })),
    departments: departments.map((code) => ({ code, name: l.departments.get(code) ?? code })),
    notice: notice ? { number: notice.number, issuedAt: notice.issued_at, issuedBy: notice.issued_by } : null,
    result: result ? await resultView(db, result) : null,
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
export async function listMyAssignments(db: Executor, who: AuthUser, filter: { state?: repo.VisitFilter['state'] }, p: Page) {
  if (!who.officer) return { items: [], total: 0, limit: p.limit, offset: p.offset };
  return page(db, { officer: who.officer, state: filter.state }, p);
}

/** Assignments a staff member may see: all for reviewers and administrators, a regulator's department's otherwise. */
export async function listAssignments(db: Executor, who: AuthUser, filter: { state?: repo.VisitFilter['state']; planId?: string }, p: Page) {
  const f: repo.VisitFilter = { state: filter.state, planId: filter.planId };
  if (who.role === 'regulator') f.taskIds = who.department ? await repo.taskIdsOfDepartment(db, who.department) : [];
  else if (who.role === 'inspector') f.officer = who.officer ?? '\u0000';
  return page(db, f, p);
}

// ------------------------------------------------------------------------------------ notice

export interface NoticeOut {
  number: string;
  html: string;
  issuedAt: string;
  /** True when this call served the notice (and marked the visit notified). */
  firstIssue: boolean;
}

async function noticeData(db: Executor, v: repo.VisitRow, who: Who, at: Date): Promise<Omit<NoticeData, 'number'>> {
  const l = await lookups(db, [v]);
  const plan = (await plansRepo.findPlan(db, v.plan_id))!;
  const o = l.objects.get(v.uscc);
  const deptName = (c: string) => l.departments.get(c) ?? c;
  const departments = [...new Set(tasksOf(v).flatMap((t) => (JSON.parse(l.tasks.get(t)?.departments ?? '[]') as { code: string }[]).map((d) => d.code)))];
  const matters = mattersOf(v).map((code) => {
    const m = l.matters.get(code);
    return { code, name: m?.name ?? code, department: m?.department_code ?? '', departmentName: deptName(m?.department_code ?? ''), legalBasis: m?.legal_basis ?? null };
  });
  const team = teamOf(v).map((c) => {
    const i = l.inspectors.get(c);
    return { certificateNo: c, name: i?.name ?? '', department: i?.department_code ?? '', departmentName: deptName(i?.department_code ?? '') };
  });
  // The contact: the signed-in member (who serves the notice), else the first of the organising department.
  const contact = team.find((t) => t.certificateNo === who.officer) ?? team.find((t) => t.department === plan.organization) ?? team[0];
  return {
    issuer: { code: plan.organization, name: deptName(plan.organization) },
    entity: { uscc: v.uscc, name: o?.name ?? v.uscc, address: o?.address ?? null, street: o?.street ?? null },
    departments: departments.map((code) => ({ code, name: deptName(code) })),
    matters,
    team,
    window: { start: v.window_start, end: v.window_end },
    tasks: tasksOf(v).map((id) => l.tasks.get(id)?.name ?? id),
    materials: rules.noticeMaterials(matters),
    contact: { name: contact?.name ?? '', certificateNo: contact?.certificateNo ?? '', departmentName: contact?.departmentName ?? '' },
    issuedOn: shanghaiDate(at),
    issuedAt: nowIso(at),
    issuedBy: who.username,
  };
}

/**
 * The notice to the entity (检查通知书). The first call prints it, stores it and marks the visit
 * notified (from then on the merge of visits keeps the visit as it is); later calls reprint the
 * stored page unchanged.
 */
export async function issueNotice(db: Executor, who: Who, visitId: string): Promise<NoticeOut> {
  const v = await requireAssignment(db, who, visitId);
  requireTeamMember(who, v);
  const reprint = (n: repo.NoticeRow): NoticeOut => ({ number: n.number, html: n.html, issuedAt: n.issued_at, firstIssue: false });
  const existing = await repo.findNotice(db, visitId);
  if (existing) return reprint(existing);
  const at = who.now ?? new Date();
  const data = await noticeData(db, v, who, at);
  const year = Number(data.issuedOn.slice(0, 4));
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(db, async (trx) => {
        const marked = await repo.markNotified(trx, visitId, data.issuedAt);
        if (!marked) {
          const other = await repo.findNotice(trx, visitId);
          if (other) return reprint(other);
          const still = await repo.findVisit(trx, visitId);
          if (!still) throw notFound(visitId); // rebuilt by a merge meanwhile
        }
        const seq = await repo.nextNoticeSeq(trx, data.issuer.code, year);
        const number = `${data.issuer.code}检通〔${year}〕第${seq}号`;
        // The check code the entity uses to confirm the visit (stored with the visit, shown on the notice).
        const code = await checkCodeOfVisit(trx, visitId, at);
        const url = checkUrl(publicBaseUrl(), code);
        const html = renderNotice({ ...data, number, check: { code, url, qrSvg: await qrSvg(url) } });
        const sha256 = crypto.createHash('sha256').update(html).digest('hex');
        await repo.insertNotice(trx, {
          visit_id: visitId,
          number,
          year,
          seq,
          issuer_code: data.issuer.code,
          issued_at: data.issuedAt,
          issued_by: who.username,
          data: JSON.stringify({ ...data, number }),
          html,
          sha256,
        });
        await recordAudit(
          trx,
          {
            actor: who.username,
            action: 'visit.notify',
            entity: 'visit',
            entityId: visitId,
            before: { notifiedAt: v.notified_at },
            after: { notifiedAt: marked ? data.issuedAt : v.notified_at, notice: number, sha256, uscc: v.uscc, team: teamOf(v), matters: mattersOf(v) },
            note: `送达检查通知书 ${number}`,
          },
          at,
        );
        return { number, html, issuedAt: data.issuedAt, firstIssue: true };
      });
    } catch (e) {
      if (!isUniqueViolation(e) || attempt >= 3 || db.isTransaction) throw e;
      const other = await repo.findNotice(db, visitId);
      if (other) return reprint(other);
    }
  }
}

// ------------------------------------------------------------------------------------ results

export interface ExemptionOutcome {
  evaluatedOn: string;
  occurredOn: string;
  exempt: boolean;
  /** "不予处罚" with the item and its basis, when every condition of an item in force is met. */
  proposal: (ExemptionProposal & { listTitle: string }) | null;
  /** Why not (the conditions the matching items failed, or that no list covers the violation). */
  failed: { listVersion: string; itemNumber: string | null; condition: string; code: string; message: string }[];
  lists: { version: string; matched: boolean; exempt: boolean; itemNumber: string | null }[];
  /** Same-type violations on record before this one. */
  priorViolations: PriorViolation[];
  /** 不罚≠不管 */
  correctionOrderRequired: true;
  message: string;
}

type StoredFinding = ParsedFinding & { exemption?: ExemptionOutcome };

function evaluateFinding(f: ParsedFinding, inspectedOn: string, prior: PriorViolation[]): ExemptionOutcome {
  const occurredOn = f.occurredOn ?? inspectedOn;
  const type = f.violationType!;
  const lists = exemptionListOn(inspectedOn);
  const input = {
    violationType: type,
    occurredOn,
    discoveredOn: inspectedOn,
    harm: f.harm!,
    correction: f.correction!,
    durationDays: f.durationDays,
    incidents: f.incidents ?? [],
    priorViolations: prior,
  };
  const evaluated = lists.map((list) => ({ list, r: evaluateExemption(input, list) }));
  const exempt = evaluated.find((x) => x.r.exempt);
  const matched = evaluated.filter((x) => x.r.matched);
  const failed = exempt
    ? []
    : (matched.length ? matched : evaluated).flatMap((x) =>
        x.r.failed.map((c) => ({ listVersion: x.list.version, itemNumber: x.r.item?.number ?? null, condition: c.condition, code: c.code, message: c.message })),
      );
  if (!lists.length) {
    failed.push({ listVersion: '', itemNumber: null, condition: 'listed', code: 'NO_LIST_IN_FORCE', message: `检查日 ${inspectedOn} 没有有效的免罚清单` });
  }
  const proposal = exempt ? { ...exempt.r.proposal!, listTitle: exempt.list.title } : null;
  return {
    evaluatedOn: inspectedOn,
    occurredOn,
    exempt: !!exempt,
    proposal,
    failed,
    lists: evaluated.map((x) => ({ version: x.list.version, matched: x.r.matched, exempt: x.r.exempt, itemNumber: x.r.item?.number ?? null })),
    priorViolations: prior.filter((p) => p.violationType === type && p.occurredOn < occurredOn),
    correctionOrderRequired: true,
    message: proposal
      ? `拟不予处罚：依《${proposal.listTitle}》第 ${proposal.itemNumber} 项（${proposal.violation}），依据${proposal.basis}；仍须责令改正`
      : `不适用免罚清单：${failed.map((c) => c.message).join('；')}；应依法处理并责令改正`,
  };
}

interface MeasureEvaluation {
  state: 'allowed' | 'refused';
  basis: string | null;
  listVersion: string | null;
  itemNumber: string | null;
  evaluation: { evaluatedOn: string; refused: boolean; message: string; lists: { version: string; refused: boolean; itemNumber: string | null; unmet: { number: string; failed: string[] }[] }[] };
}

function evaluateMeasure(m: ParsedMeasure, inspectedOn: string): MeasureEvaluation {
  const proposal: CoercionProposal = {
    measure: m.measure,
    situationType: m.situationType,
    firstViolation: m.firstViolation,
    correctedInTime: m.correctedInTime,
    licenceInvolved: m.licenceInvolved,
    operatingDays: m.operatingDays,
    evidenceDestructionRisk: m.evidenceDestructionRisk,
    harmSpreadRisk: m.harmSpreadRisk,
    itemKind: m.itemKind,
  };
  const evaluated = noCoercionListOn(inspectedOn).map((list) => ({ list, r: evaluateCoercion(proposal, list) }));
  const refusing = evaluated.find((x) => x.r.refused);
  return {
    state: refusing ? 'refused' : 'allowed',
    basis: refusing?.r.basis ?? null,
    listVersion: refusing?.r.listVersion ?? null,
    itemNumber: refusing?.r.item?.number ?? null,
    evaluation: {
      evaluatedOn: inspectedOn,
      refused: !!refusing,
      message: refusing
        ? refusing.r.message
        : evaluated.length
          ? evaluated.map((x) => x.r.message).join('；')
          : `检查日 ${inspectedOn} 没有有效的不予实施行政强制措施清单；可依法实施，但应限定在所必需的范围内`,
      lists: evaluated.map((x) => ({ version: x.list.version, refused: x.r.refused, itemNumber: x.r.item?.number ?? null, unmet: x.r.unmet })),
    },
  };
}

function measureFacts(m: ParsedMeasure): string {
  const { measure: _measure, ...facts } = m;
  return canonicalJson(facts);
}

function resultSnapshot(r: Pick<repo.ResultRow, 'status' | 'inspected_on' | 'codes' | 'method' | 'follow_up' | 'revision'> & { findings?: string }) {
  return {
    status: r.status,
    inspectedOn: r.inspected_on,
    codes: JSON.parse(r.codes) as string[],
    method: r.method,
    followUp: JSON.parse(r.follow_up) as string[],
    revision: r.revision,
    ...(r.findings ? { findings: JSON.parse(r.findings) as unknown } : {}),
  };
}

/**
 * Enters the result of a notified visit, or edits it while it is 'entered' or 'returned'
 * (an edit of a returned result sends it back for review). Team members only.
 */
export async function submitResult(db: Executor, who: Who, visitId: string, input: unknown): Promise<{ created: boolean; assignment: AssignmentDetail }> {
  const body: ParsedResult = parse(resultInput, input, '检查结果');
  const v = await requireAssignment(db, who, visitId);
  requireTeamMember(who, v);
  if (!v.notified_at) {
    throw new ConflictError('尚未向被检查主体送达检查通知书（先打印通知书：GET /api/v1/assignments/{id}/notice），不能录入检查结果', 'NOT_NOTIFIED');
  }
  const existing = await repo.findResultOfVisit(db, visitId);
  if (existing && !rules.EDITABLE.includes(existing.status)) {
    throw new ConflictError(`检查结果${rules.RESULT_STATUS_LABELS[existing.status]}，不能再修改`, 'RESULT_LOCKED');
  }
  const problems: Problem[] = rules.checkResultRules(body, mattersOf(v));
  const today = shanghaiDate(who.now);
  const notifiedOn = shanghaiDate(new Date(v.notified_at));
  if (body.inspectedOn > today) problems.push({ path: 'inspectedOn', code: 'FUTURE_DATE', message: `检查日期 ${body.inspectedOn} 晚于今天（${today}）` });
  if (body.inspectedOn < notifiedOn) problems.push({ path: 'inspectedOn', code: 'BEFORE_NOTICE', message: `检查日期 ${body.inspectedOn} 早于送达检查通知书的日期 ${notifiedOn}` });
  if (body.inspectedOn < v.window_start || body.inspectedOn > v.window_end) {
    problems.push({ path: 'inspectedOn', code: 'OUTSIDE_WINDOW', message: `检查日期 ${body.inspectedOn} 不在本次检查的时间范围（${v.window_start} 至 ${v.window_end}）内` });
  }
  if (problems.length) {
    throw new ValidationError(`检查结果有 ${problems.length} 处问题：${problems.map((p) => p.message).join('；')}`, problems, 'INVALID_RESULT');
  }

  const prior = (await repo.pastViolationsOf(db, v.uscc)).map((p) => ({ occurredOn: p.occurred_on, violationType: p.violation_type }));
  const findings: StoredFinding[] = body.findings.map((f) => (f.compliant ? f : { ...f, exemption: evaluateFinding(f, body.inspectedOn, prior) }));
  const old = existing ? await repo.measuresOf(db, existing.id) : [];
  const at = who.now ?? new Date();
  const now = nowIso(at);
  const resultId = existing?.id ?? crypto.randomUUID();
  const measures = body.measures.map((m, i) => {
    const ev = evaluateMeasure(m, body.inspectedOn);
    const facts = measureFacts(m);
    // An override already asked for (or granted) for the very same proposal survives an edit.
    const kept = ev.state === 'refused' ? old.find((o) => o.measure === m.measure && o.facts === facts && (o.state === 'override-requested' || o.state === 'overridden')) : undefined;
    return {
      result_id: resultId,
      n: i + 1,
      measure: m.measure,
      facts,
      state: (kept?.state ?? ev.state) as MeasureState,
      evaluation: JSON.stringify(ev.evaluation),
      basis: ev.basis,
      list_version: ev.listVersion,
      item_number: ev.itemNumber,
      override_reason: kept?.override_reason ?? null,
      override_requested_by: kept?.override_requested_by ?? null,
      override_requested_at: kept?.override_requested_at ?? null,
      override_approved_by: kept?.override_approved_by ?? null,
      override_approved_at: kept?.override_approved_at ?? null,
      override_comment: kept?.override_comment ?? null,
    } satisfies ResultMeasureTable;
  });
  const columns = {
    inspected_on: body.inspectedOn,
    method: body.method,
    codes: JSON.stringify(rules.sortCodes(body.codes)),
    follow_up: JSON.stringify(body.followUp),
    findings: JSON.stringify(findings),
    note: body.note ?? null,
    updated_by: who.username,
    updated_at: now,
  };
  const refusedNote = measures.filter((m) => m.state === 'refused').map((m) => `第 ${m.n} 项强制措施依清单不予实施`);
  const exemptNote = findings.filter((f) => f.exemption?.exempt).map((f) => `事项 ${f.matter} 拟不予处罚`);
  const comment = [...exemptNote, ...refusedNote].join('；') || null;

  await inTransaction(db, async (trx) => {
    if (!existing) {
      try {
        await repo.insertResult(trx, {
          id: resultId,
          visit_id: visitId,
          plan_id: v.plan_id,
          uscc: v.uscc,
          status: 'entered',
          ...columns,
          entered_by: who.username,
          entered_at: now,
          revision: 1,
          reviewed_by: null,
          reviewed_at: null,
          review_comment: null,
          published_by: null,
          published_at: null,
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new ConflictError('本次检查的结果刚被检查组其他成员录入，请刷新后修改', 'RESULT_CHANGED');
        throw e;
      }
      await repo.insertResultEvent(trx, { result_id: resultId, action: 'enter', from_status: null, to_status: 'entered', measure_n: null, actor: who.username, at: now, comment });
    } else {
      const ok = await repo.updateResultIf(trx, existing.id, { status: existing.status, revision: existing.revision }, { ...columns, status: 'entered', revision: existing.revision + 1 });
      if (!ok) throw new ConflictError('检查结果刚被他人修改或审核，请刷新后重试', 'RESULT_CHANGED');
      await repo.insertResultEvent(trx, {
        result_id: resultId,
        action: existing.status === 'returned' ? 're-enter' : 'edit',
        from_status: existing.status,
        to_status: 'entered',
        measure_n: null,
        actor: who.username,
        at: now,
        comment,
      });
    }
    await repo.replaceMeasures(trx, resultId, measures);
    await recordAudit(
      trx,
      {
        actor: who.username,
        action: existing ? 'result.edit' : 'result.enter',
        entity: 'inspection-result',
        entityId: resultId,
        before: existing ? { ...resultSnapshot(existing), measures: old.map((m) => ({ n: m.n, measure: m.measure, state: m.state })) } : null,
        after: {
          ...resultSnapshot({ ...columns, status: 'entered', revision: (existing?.revision ?? 0) + 1 }),
          visit: visitId,
          uscc: v.uscc,
          measures: measures.map((m) => ({ n: m.n, measure: m.measure, state: m.state, basis: m.basis })),
        },
        note: comment,
      },
      at,
    );
  });
  return { created: !existing, assignment: await assignmentDetail(db, (await repo.findVisit(db, visitId))!) };
}

/** Who entered or edited the result (review must be by someone else). */
async function authors(db: Executor, resultId: string): Promise<Set<string>> {
  return new Set((await repo.resultEvents(db, resultId)).filter((e) => ['enter', 'edit', 're-enter'].includes(e.action)).map((e) => e.actor));
}

function fourEyes(who: AuthUser, v: repo.VisitRow, what: string): void {
  if (onTeam(who, v)) {
    throw new ForbiddenError(`${what}须由检查组以外的人员进行：你（执法证号 ${who.officer}）是本检查组成员`, 'FOUR_EYES');
  }
}

/**
 * Review by a reviewer or administrator who was not on the team: 'approve' (the result can then
 * be published; results 6 and C open the abnormal-list follow-up deadline; the violations are
 * recorded for later first-violation checks) or 'return' with a comment (back to the team).
 */
export async function reviewResult(db: Executor, who: Who, visitId: string, input: unknown) {
  const body = parse(reviewInput, input, '审核意见');
  requireRole(who, ['reviewer', 'admin']);
  const v = await requireAssignment(db, who, visitId);
  fourEyes(who, v, '审核');
  const r = await mustResult(db, v);
  if ((await authors(db, r.id)).has(who.username)) throw new ForbiddenError('审核须由录入结果以外的人员进行', 'FOUR_EYES');
  if (r.status !== 'entered') {
    throw new ConflictError(`检查结果${rules.RESULT_STATUS_LABELS[r.status]}，只有已录入待审核的结果可以审核`, r.status === 'returned' ? 'RESULT_RETURNED' : 'RESULT_ALREADY_REVIEWED');
  }
  if (body.decision === 'return' && !body.comment) {
    throw new ValidationError('退回检查结果时须写明审核意见', [{ path: 'comment', code: 'COMMENT_REQUIRED', message: '退回时须写明审核意见，检查组据此修改' }], 'COMMENT_REQUIRED');
  }
  const measures = await repo.measuresOf(db, r.id);
  const pending = measures.filter((m) => m.state === 'override-requested');
  if (body.decision === 'approve' && pending.length) {
    throw new ConflictError(`第 ${pending.map((m) => m.n).join('、')} 项强制措施的不适用清单申请尚待第二人批准，批准或退回后再审核`, 'OVERRIDE_PENDING');
  }
  const to: rules.ResultStatus = body.decision === 'approve' ? 'approved' : 'returned';
  const at = who.now ?? new Date();
  const now = nowIso(at);
  const codes = JSON.parse(r.codes) as string[];
  const findings = JSON.parse(r.findings) as StoredFinding[];
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateResultIf(trx, r.id, { status: 'entered', revision: r.revision }, { status: to, reviewed_by: who.username, reviewed_at: now, review_comment: body.comment ?? null });
    if (!ok) throw new ConflictError('检查结果刚被修改或审核，请刷新后重试', 'RESULT_CHANGED');
    await repo.insertResultEvent(trx, { result_id: r.id, action: body.decision, from_status: 'entered', to_status: to, measure_n: null, actor: who.username, at: now, comment: body.comment ?? null });
    let deadline: string | null = null;
    if (to === 'approved') {
      // The violations found become the entity's record (the 2-year first-violation rule reads it).
      for (const f of findings) {
        if (f.compliant || !f.violationType) continue;
        const decision = f.exemption?.proposal
          ? `不予处罚（${f.exemption.proposal.listVersion} 第 ${f.exemption.proposal.itemNumber} 项）；责令改正`
          : (JSON.parse(r.follow_up) as string[]).join('、');
        await historyRepo.upsertPastViolation(trx, { uscc: r.uscc, occurred_on: f.exemption?.occurredOn ?? f.occurredOn ?? r.inspected_on, violation_type: f.violationType, decision, created_at: now });
      }
      if (rules.needsAbnormalFollowUp(codes)) {
        await openDeadline(
          trx,
          { kind: 'abnormal-follow-up', subject: r.id, taskId: tasksOf(v)[0], uscc: r.uscc, startsOn: r.inspected_on, workingDays: planDefaults().abnormalFollowUpWorkingDays },
          at,
        );
        deadline = 'abnormal-follow-up';
      }
    }
    await recordAudit(
      trx,
      {
        actor: who.username,
        action: to === 'approved' ? 'result.approve' : 'result.return',
        entity: 'inspection-result',
        entityId: r.id,
        before: { status: r.status, revision: r.revision },
        after: { status: to, revision: r.revision, reviewedBy: who.username, comment: body.comment ?? null, ...(deadline ? { deadline } : {}) },
        note: body.comment ?? null,
      },
      at,
    );
  });
  return assignmentDetail(db, v);
}

/** Publication of an approved result (regulators of a participating department, administrators). */
export async function publishResult(db: Executor, who: Who, visitId: string) {
  requireRole(who, ['regulator', 'admin']);
  const v = await requireAssignment(db, who, visitId);
  const r = await mustResult(db, v);
  if (r.status === 'published') throw new ConflictError('检查结果已公示', 'RESULT_ALREADY_PUBLISHED');
  if (r.status !== 'approved') {
    throw new ConflictError(`检查结果${rules.RESULT_STATUS_LABELS[r.status]}，须经审核通过后才能公示`, 'RESULT_NOT_APPROVED');
  }
  const at = who.now ?? new Date();
  const now = nowIso(at);
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateResultIf(trx, r.id, { status: 'approved' }, { status: 'published', published_by: who.username, published_at: now });
    if (!ok) throw new ConflictError('检查结果的状态刚被改变，请刷新后重试', 'RESULT_CHANGED');
    await repo.insertResultEvent(trx, { result_id: r.id, action: 'publish', from_status: 'approved', to_status: 'published', measure_n: null, actor: who.username, at: now, comment: null });
    await recordAudit(
      trx,
      { actor: who.username, action: 'result.publish', entity: 'inspection-result', entityId: r.id, before: { status: 'approved' }, after: { status: 'published', publishedAt: now, uscc: r.uscc, codes: JSON.parse(r.codes) as string[] } },
      at,
    );
  });
  return assignmentDetail(db, v);
}

async function mustMeasure(db: Executor, r: repo.ResultRow, n: number): Promise<repo.MeasureRow> {
  const m = (await repo.measuresOf(db, r.id)).find((x) => x.n === n);
  if (!m) throw new NotFoundError(`检查结果中没有第 ${n} 项强制措施`, 'MEASURE_NOT_FOUND');
  return m;
}

/**
 * A team member asks to apply a measure the no-coercion list refuses, with a reason. It takes
 * effect only when a second person (a regulator or reviewer not on the team) approves.
 */
export async function requestOverride(db: Executor, who: Who, visitId: string, n: number, input: unknown) {
  const body = parse(overrideInput, input, '申请');
  const v = await requireAssignment(db, who, visitId);
  requireTeamMember(who, v);
  const r = await mustResult(db, v);
  if (!rules.EDITABLE.includes(r.status)) throw new ConflictError(`检查结果${rules.RESULT_STATUS_LABELS[r.status]}，不能再申请`, 'RESULT_LOCKED');
  const m = await mustMeasure(db, r, n);
  if (m.state !== 'refused') {
    const why: Record<MeasureState, string> = { allowed: '该措施未被清单排除，无需申请', refused: '', 'override-requested': '已申请，待第二人批准', overridden: '已批准' };
    throw new ConflictError(`第 ${n} 项强制措施${why[m.state]}`, 'MEASURE_NOT_REFUSED');
  }
  const at = who.now ?? new Date();
  const now = nowIso(at);
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateMeasureIf(trx, r.id, n, 'refused', { state: 'override-requested', override_reason: body.reason, override_requested_by: who.username, override_requested_at: now });
    if (!ok) throw new ConflictError('该强制措施的状态刚被改变，请刷新后重试', 'MEASURE_CHANGED');
    await repo.insertResultEvent(trx, { result_id: r.id, action: 'override-request', from_status: 'refused', to_status: 'override-requested', measure_n: n, actor: who.username, at: now, comment: body.reason });
    await recordAudit(
      trx,
      {
        actor: who.username,
        action: 'result.measure-override-request',
        entity: 'inspection-result',
        entityId: r.id,
        before: { measure: n, state: 'refused', basis: m.basis },
        after: { measure: n, state: 'override-requested', reason: body.reason },
        note: body.reason,
      },
      at,
    );
  });
  return assignmentDetail(db, v);
}

export async function approveOverride(db: Executor, who: Who, visitId: string, n: number, input: unknown) {
  const body = parse(overrideApprovalInput, input ?? {}, '批准意见');
  requireRole(who, ['regulator', 'reviewer', 'admin']);
  const v = await requireAssignment(db, who, visitId);
  fourEyes(who, v, '批准不适用清单的强制措施');
  const r = await mustResult(db, v);
  if (!rules.EDITABLE.includes(r.status)) throw new ConflictError(`检查结果${rules.RESULT_STATUS_LABELS[r.status]}，不能再批准`, 'RESULT_LOCKED');
  const m = await mustMeasure(db, r, n);
  if (m.state !== 'override-requested') throw new ConflictError(`第 ${n} 项强制措施没有待批准的申请`, 'OVERRIDE_NOT_REQUESTED');
  if (m.override_requested_by === who.username) throw new ForbiddenError('申请人不能批准自己的申请（须由第二人批准）', 'FOUR_EYES');
  const at = who.now ?? new Date();
  const now = nowIso(at);
  await inTransaction(db, async (trx) => {
    const ok = await repo.updateMeasureIf(trx, r.id, n, 'override-requested', { state: 'overridden', override_approved_by: who.username, override_approved_at: now, override_comment: body.comment ?? null });
    if (!ok) throw new ConflictError('该强制措施的状态刚被改变，请刷新后重试', 'MEASURE_CHANGED');
    await repo.insertResultEvent(trx, { result_id: r.id, action: 'override-approve', from_status: 'override-requested', to_status: 'overridden', measure_n: n, actor: who.username, at: now, comment: body.comment ?? null });
    await recordAudit(
      trx,
      {
        actor: who.username,
        action: 'result.measure-override-approve',
        entity: 'inspection-result',
        entityId: r.id,
        before: { measure: n, state: 'override-requested', requestedBy: m.override_requested_by, reason: m.override_reason },
        after: { measure: n, state: 'overridden', approvedBy: who.username },
        note: body.comment ?? null,
      },
      at,
    );
  });
  return assignmentDetail(db, v);
}

/**
 * The follow-up of an approved result 6 or C: the entity goes on the abnormal-operation list
 * (经营异常名录) and the 10-working-day deadline is met. An entity already on the list is not
 * listed twice; the deadline is met all the same.
 */
export async function recordAbnormalListing(db: Executor, who: Who, visitId: string, input: unknown) {
  const body = parse(abnormalListingInput, input ?? {}, '列入信息');
  requireRole(who, ['regulator', 'admin']);
  const v = await requireAssignment(db, who, visitId);
  const r = await mustResult(db, v);
  const codes = JSON.parse(r.codes) as string[];
  if (!rules.needsAbnormalFollowUp(codes)) throw new ConflictError('检查结果不含 6 或 C，不需要列入经营异常名录', 'NO_ABNORMAL_FOLLOW_UP');
  if (r.status !== 'approved' && r.status !== 'published') throw new ConflictError('检查结果须经审核通过后才能据此列入经营异常名录', 'RESULT_NOT_APPROVED');
  const at = who.now ?? new Date();
  const today = shanghaiDate(at);
  const listedOn = body.listedOn ?? today;
  const problems: Problem[] = [];
  if (listedOn > today) problems.push({ path: 'listedOn', code: 'FUTURE_DATE', message: `列入日期 ${listedOn} 晚于今天（${today}）` });
  if (listedOn < r.inspected_on) problems.push({ path: 'listedOn', code: 'DATE_RANGE', message: `列入日期 ${listedOn} 早于检查日期 ${r.inspected_on}` });
  if (problems.length) throw new ValidationError(problems.map((p) => p.message).join('；'), problems, 'INVALID_DATE');
  const reason = body.reason ?? codes.filter((c): c is '6' | 'C' => c === '6' || c === 'C').map((c) => rules.ABNORMAL_LIST_REASONS[c]).join('；');
  const now = nowIso(at);
  await inTransaction(db, async (trx) => {
    await repo.insertResultEvent(trx, { result_id: r.id, action: 'abnormal-listing', from_status: r.status, to_status: r.status, measure_n: null, actor: who.username, at: now, comment: `${listedOn} ${reason}` });
    const open = (await objectsRepo.listAbnormalListings(trx, r.uscc)).find((a) => a.removed_on === null);
    const listingId = open ? open.id : await objectsRepo.insertAbnormalListing(trx, { uscc: r.uscc, listed_on: listedOn, reason, removed_on: null, removal_reason: null, created_at: now });
    await meetDeadline(trx, 'abnormal-follow-up', r.id, at);
    await recordAudit(
      trx,
      {
        actor: who.username,
        action: 'result.abnormal-listing',
        entity: 'inspection-result',
        entityId: r.id,
        before: { onAbnormalList: !!open },
        after: { onAbnormalList: true, listingId, listedOn: open?.listed_on ?? listedOn, reason: open?.reason ?? reason, deadline: 'met' },
        note: open ? `已在经营异常名录中（自 ${open.listed_on}）` : reason,
      },
      at,
    );
  });
  return assignmentDetail(db, v);
}
