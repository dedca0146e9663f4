/**
 * The notice served on the entity (检查通知书). The first print numbers the notice in its
 * issuing department's yearly sequence, gives the visit its check code, renders the page with
 * the caller's `NoticeRenderer`, stores the page and its SHA-256 and marks the visit notified —
 * all in one transaction; from then on the merge of visits keeps the visit as it is and every
 * reprint serves the stored page unchanged.
 */
import crypto from 'node:crypto';
import * as repo from '../../db/repositories/results.ts';
import * as plansRepo from '../../db/repositories/plans.ts';
import type { Executor } from '../../db/connection.ts';
import { inTransaction, isUniqueViolation } from '../../db/tx.ts';
import { toJson } from '../../db/json.ts';
import type { NoticeData, NoticeRenderer } from '../../domain/notice.ts';
import { noticeMaterials } from '../../domain/results.ts';
import { nowIso, shanghaiDate } from '../../domain/time.ts';
import { publicBaseUrl } from '../../config.ts';
import { recordAudit } from '../audit.ts';
import { checkUrl } from '../../domain/checkCodes.ts';
import { checkCodeOfVisit } from '../public/checkCodes.ts';
import { assignmentNotFound, mattersOf, requireAssignment, requireTeamMember, tasksOf, teamOf } from './access.ts';
import { assertRole, WRITERS, type UserActor } from '../../domain/actor.ts';
import { ConflictError } from '../../domain/errors.ts';
import * as scope from '../scope.ts';
import { lookups, visitDepartments } from './views.ts';

export interface NoticeOut {
  number: string;
  html: string;
  issuedAt: string;
  /** True when this call served the notice (and marked the visit notified). */
  firstIssue: boolean;
}

async function noticeData(db: Executor, v: repo.VisitRow, who: UserActor, at: Date): Promise<Omit<NoticeData, 'number'>> {
  const l = await lookups(db, [v]);
  const plan = (await plansRepo.findPlan(db, v.plan_id))!;
  const o = l.objects.get(v.uscc);
  const deptName = (c: string) => l.departments.get(c) ?? c;
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
    departments: visitDepartments(v, l).map((code) => ({ code, name: deptName(code) })),
    matters,
    team,
    window: { start: v.window_start, end: v.window_end },
    tasks: tasksOf(v).map((id) => l.tasks.get(id)?.name ?? id),
    materials: noticeMaterials(matters),
    contact: { name: contact?.name ?? '', certificateNo: contact?.certificateNo ?? '', departmentName: contact?.departmentName ?? '' },
    issuedOn: shanghaiDate(at),
    issuedAt: nowIso(at),
    issuedBy: who.name,
  };
}

/**
 * The notice to the entity, printed by a team member. The first call prints it with `render`
 * (the web layer's printable page), stores it and marks the visit notified; later calls reprint
 * the stored page unchanged (`render` is not called again).
 */
export async function issueNotice(db: Executor, who: UserActor, visitId: string, render: NoticeRenderer): Promise<NoticeOut> {
  const v = await requireAssignment(db, who, visitId);
  requireTeamMember(who, v);
  return issueFor(db, v, who, render);
}

/**
 * All notices of a task's visits at once, for the organising regulator to print (one page each):
 * visits not yet notified get their notice now (numbered and stored as a team member's first
 * print would be); notified ones are reprinted unchanged. Role and scope: those who change the
 * task (writers, the task in their department's scope).
 */
export async function issueTaskNotices(db: Executor, who: UserActor, taskId: string, render: NoticeRenderer): Promise<(NoticeOut & { visitId: string; uscc: string })[]> {
  assertRole(who, WRITERS);
  const task = await scope.requireTask(db, who, taskId);
  const visits = (await plansRepo.visitsOf(db, task.plan_id)).filter((v) => tasksOf(v).includes(taskId));
  if (!visits.length) throw new ConflictError('该任务还没有抽取结果（没有需要送达的检查），不能打印通知书', 'NO_VISITS');
  const out = [];
  for (const v of visits.sort((a, b) => a.uscc.localeCompare(b.uscc))) out.push({ ...(await issueFor(db, v, who, render)), visitId: v.id, uscc: v.uscc });
  return out;
}

async function issueFor(db: Executor, v: repo.VisitRow, who: UserActor, render: NoticeRenderer): Promise<NoticeOut> {
  const visitId = v.id;
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
          if (!still) throw assignmentNotFound(visitId); // rebuilt by a merge meanwhile
        }
        const seq = await repo.nextNoticeSeq(trx, data.issuer.code, year);
        const number = `${data.issuer.code}检通〔${year}〕第${seq}号`;
        // The check code the entity uses to confirm the visit (stored with the visit, shown on the notice).
        const code = await checkCodeOfVisit(trx, visitId, at);
        const html = await render({ ...data, number }, { code, url: checkUrl(publicBaseUrl(), code) });
        const sha256 = crypto.createHash('sha256').update(html).digest('hex');
        await repo.insertNotice(trx, {
          visit_id: visitId,
          number,
          year,
          seq,
          issuer_code: data.issuer.code,
          issued_at: data.issuedAt,
          issued_by: who.name,
          data: toJson<Record<string, unknown>>({ ...data, number }),
          html,
          sha256,
        });
        await recordAudit(
          trx,
          {
            actor: who.name,
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
