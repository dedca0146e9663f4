/**
 * Console pages of the inspector (phone first): my assignments, one assignment, the notice
 * (issue and print), the result form with its attachments, attachment upload and download.
 * Same services and roles as the API (src/http/routes/results.ts): listMyAssignments,
 * getAssignment, issueNotice, submitResult (with attachments), addAttachments, readAttachment.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Router } from 'express';
import { AppError } from '../../domain/errors.ts';
import { INSPECTION_METHODS, RESULT_CODES } from '../../domain/registry.ts';
import { ABNORMAL_LIST_CODES, checkResultRules, EDITABLE, FOLLOW_UPS, RESULT_CODE_ORDER, type ResultRulesInput } from '../../domain/results.ts';
import { shanghaiDate } from '../../domain/time.ts';
import {
  addAttachments, ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_PER_VISIT, incomingPath, readAttachment, submitResultWithAttachments, type IncomingFile,
} from '../../services/results/attachments.ts';
import { issueNotice } from '../../services/results/notices.ts';
import { recordAbnormalListing } from '../../services/results/followUp.ts';
import { approveOverride, requestOverride } from '../../services/results/overrides.ts';
import { publishResult } from '../../services/results/review.ts';
import { getAssignment, listMyAssignments, storedNotice, type AssignmentDetail } from '../../services/results/views.ts';
import { listViolationTypes } from '../../services/violationTypes.ts';
import { renderPrintableNotice } from '../../web/notice.ts';
import { assignmentDetailPage, assignmentListPage, noticeDocument, PRINT_SCRIPT } from '../../web/console/pages/assignments.ts';
import { codeCheckFragment, emptyFinding, resultFormPage, type FindingValues, type ResultFormValues } from '../../web/console/pages/assignmentsResult.ts';
import { ANY_ROLE, errorBox, route, type ConsoleContext, type ConsoleDeps } from './kit.ts';
import type { ReceivedFile } from './multipart.ts';

const INSPECTOR = ['inspector'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id in the path, or the same 404 the service gives for an id it does not know. */
function idOf(ctx: ConsoleContext, name = 'id'): string {
  const id = String(ctx.req.params[name] ?? '');
  if (!UUID.test(id)) throw new AppError(404, 'ASSIGNMENT_NOT_FOUND', `没有编号为 ${id.slice(0, 60)} 的检查（或不在你的职责范围内）`);
  return id;
}

const crumbsOf = (a?: { id: string; entity: { name: string } }, last?: string) => [
  { label: '我的检查任务', href: '/console/assignments' },
  ...(a ? [{ label: a.entity.name || '检查', href: last ? `/console/assignments/${a.id}` : undefined }] : []),
  ...(last ? [{ label: last }] : []),
];

const isMember = (ctx: ConsoleContext, a: AssignmentDetail) => ctx.user.role === 'inspector' && !!ctx.user.officer && a.team.some((t) => t.certificateNo === ctx.user.officer);
const isEditable = (a: AssignmentDetail) => !a.result || EDITABLE.includes(a.result.status);

/** The result codes as GET /api/v1/result-codes gives them. */
const resultCodes = () => {
  const abnormal: readonly string[] = ABNORMAL_LIST_CODES;
  return RESULT_CODE_ORDER.map((code) => ({ code, label: RESULT_CODES[code], abnormalList: abnormal.includes(code) }));
};

function typeNamer(): (code: string) => string {
  const names = new Map(listViolationTypes().map((t) => [t.code, t.name]));
  return (code) => names.get(code) ?? code;
}

/** The form's values from a stored result (for an edit or a resubmission), or empty. */
function valuesOf(a: AssignmentDetail, today: string): ResultFormValues {
  const r = a.result;
  const findings = a.matters.map((m): FindingValues => {
    const f = r?.findings.find((x) => x.matter === m.code);
    if (!f) return emptyFinding();
    return {
      compliant: f.compliant ? 'yes' : 'no',
      violationType: f.violationType ?? '',
      violatedProvision: f.violatedProvision ?? '',
      harm: f.harm ?? '',
      correction: f.correction ?? '',
      occurredOn: f.occurredOn ?? '',
      durationDays: f.durationDays === undefined ? '' : String(f.durationDays),
      note: f.note ?? '',
    };
  });
  return {
    inspectedOn: r?.inspectedOn ?? (today >= a.window.start && today <= a.window.end ? today : ''),
    codes: r?.codes.map((c) => c.code) ?? [],
    method: r?.method ?? '',
    followUp: r?.followUp ?? [],
    note: r?.note ?? '',
    findings,
  };
}

/** The form's values as posted. */
function valuesFromForm(ctx: ConsoleContext, a: AssignmentDetail): ResultFormValues {
  return {
    inspectedOn: ctx.field('inspectedOn', 20),
    codes: ctx.fields('codes', 4),
    method: ctx.field('method', 40),
    followUp: ctx.fields('followUp', 40),
    note: ctx.field('note', 4000),
    findings: a.matters.map((_, i) => {
      const p = `f${i}.`;
      const c = ctx.field(`${p}compliant`, 3);
      return {
        compliant: c === 'yes' || c === 'no' ? c : '',
        violationType: ctx.field(`${p}violationType`, 64),
        violatedProvision: ctx.field(`${p}violatedProvision`, 500),
        harm: ctx.field(`${p}harm`, 20),
        correction: ctx.field(`${p}correction`, 30),
        occurredOn: ctx.field(`${p}occurredOn`, 20),
        durationDays: ctx.field(`${p}durationDays`, 10),
        note: ctx.field(`${p}note`, 2000),
      };
    }),
  };
}

/**
 * The API's result body (ResultInput) from the form: empty fields are left out, a matter with
 * neither 合规 nor 不合规 chosen has no finding, a compliant one carries nothing else. Measures
 * proposed earlier (through the API) are kept as they are.
 */
function inputOf(v: ResultFormValues, a: AssignmentDetail): Record<string, unknown> {
  const opt = (s: string) => (s === '' ? undefined : s);
  const findings = a.matters.flatMap((m, i) => {
    const f = v.findings[i];
    if (!f || f.compliant === '') return [];
    if (f.compliant === 'yes') return [{ matter: m.code, compliant: true }];
    const days = f.durationDays === '' ? undefined : Number(f.durationDays);
    return [
      {
        matter: m.code,
        compliant: false,
        violationType: opt(f.violationType),
        violatedProvision: opt(f.violatedProvision),
        harm: opt(f.harm),
        correction: opt(f.correction),
        occurredOn: opt(f.occurredOn),
        durationDays: days,
        note: opt(f.note),
      },
    ];
  });
  const measures = (a.result?.measures ?? []).map((m) => {
    const { n: _n, measureName: _mn, state: _s, refused: _r, basis: _b, listVersion: _l, itemNumber: _i, evaluation: _e, override: _o, ...facts } = m;
    return facts;
  });
  return {
    inspectedOn: v.inspectedOn || undefined,
    codes: v.codes,
    method: v.method || undefined,
    followUp: v.followUp,
    findings,
    measures,
    note: opt(v.note),
  };
}

const incoming = (files: readonly ReceivedFile[]): IncomingFile[] => files.map((f) => ({ path: f.path, fileName: f.originalName, declaredType: f.mediaType }));

function renderForm(ctx: ConsoleContext, a: AssignmentDetail, values: ResultFormValues, error?: AppError, status = 200) {
  ctx.render(
    a.result ? '修改检查结果' : '录入检查结果',
    resultFormPage({
      assignment: { id: a.id, entityName: a.entity.name || a.entity.uscc, window: a.window, matters: a.matters.map((m) => ({ code: m.code, name: m.name })) },
      codes: resultCodes(),
      methods: INSPECTION_METHODS,
      followUps: FOLLOW_UPS,
      violationTypes: listViolationTypes(),
      values,
      csrf: ctx.csrf,
      error: error ? errorBox(error) : undefined,
      reviewComment: a.result?.status === 'returned' ? (a.result.reviewComment ?? '（未写意见）') : null,
      keptMeasures: a.result?.measures.length ?? 0,
      existingAttachments: a.attachments.length,
      maxAttachments: ATTACHMENT_MAX_PER_VISIT,
      editing: !!a.result,
    }),
    { current: '/console/assignments', crumbs: crumbsOf(a, a.result ? '修改检查结果' : '录入检查结果'), status },
  );
}

export function registerAssignments(router: Router, deps: ConsoleDeps): void {
  router.get('/assignments/print.js', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400').type('application/javascript').send(PRINT_SCRIPT);
  });

  route(router, deps, 'get', '/assignments', INSPECTOR, async (ctx) => {
    const page = await listMyAssignments(ctx.db, ctx.user, {}, { limit: 500, offset: 0 });
    ctx.render('我的检查任务', assignmentListPage({ items: page.items, total: page.total, today: shanghaiDate(new Date()), officer: ctx.user.officer }), {
      current: '/console/assignments',
      crumbs: [{ label: '我的检查任务' }],
    });
  });

  route(router, deps, 'get', '/assignments/:id', ANY_ROLE, async (ctx) => {
    const a = await getAssignment(ctx.db, ctx.user, idOf(ctx));
    ctx.render(
      a.entity.name || '检查',
      assignmentDetailPage({
        a,
        csrf: ctx.csrf,
        member: isMember(ctx, a),
        editable: isEditable(a),
        typeName: typeNamer(),
        maxAttachments: ATTACHMENT_MAX_PER_VISIT,
        staff: ctx.user.role !== 'inspector',
        publisher: ctx.user.role === 'regulator' || ctx.user.role === 'admin',
      }),
      { current: ctx.user.role === 'inspector' ? '/console/assignments' : undefined, crumbs: crumbsOf(a) },
    );
  });

  route(
    router,
    deps,
    'post',
    '/assignments/:id/notice',
    INSPECTOR,
    async (ctx) => {
      const id = idOf(ctx);
      const n = await issueNotice(ctx.db, ctx.user, id, renderPrintableNotice);
      ctx.redirect(`/console/assignments/${id}/notice`, n.firstIssue ? `已出具检查通知书 ${n.number}，请打印后送达被检查主体。` : `检查通知书 ${n.number} 此前已出具，内容不变。`);
    },
    { back: (req) => `/console/assignments/${String(req.params.id)}` },
  );

  // The follow-up of a result: the same services and role lists as the API's routes.
  const back = (req: { params: Record<string, unknown> }) => `/console/assignments/${String(req.params.id)}`;
  const measureNo = (ctx: ConsoleContext) => {
    const n = Number(ctx.req.params.n);
    if (!Number.isInteger(n) || n < 1 || n > 100) throw new AppError(404, 'NOT_FOUND', '没有这项措施');
    return n;
  };
  route(router, deps, 'post', '/assignments/:id/measures/:n/override', INSPECTOR, async (ctx) => {
    const id = idOf(ctx);
    await requestOverride(ctx.db, ctx.user, id, measureNo(ctx), { reason: ctx.field('reason', 2000) });
    ctx.redirect(`/console/assignments/${id}`, '已提交申请，待检查组以外的人员批准。');
  }, { back });
  route(router, deps, 'post', '/assignments/:id/measures/:n/approve-override', ['regulator', 'reviewer', 'admin'], async (ctx) => {
    const id = idOf(ctx);
    const comment = ctx.field('comment', 2000);
    await approveOverride(ctx.db, ctx.user, id, measureNo(ctx), comment ? { comment } : {});
    ctx.redirect(`/console/assignments/${id}`, '已批准实施该项强制措施。');
  }, { back });
  route(router, deps, 'post', '/assignments/:id/publish', ['regulator', 'admin'], async (ctx) => {
    const id = idOf(ctx);
    const a = await publishResult(ctx.db, ctx.user, id);
    ctx.redirect(`/console/assignments/${id}`, `已公示 ${a.entity.name} 的检查结果。`);
  }, { back });
  route(router, deps, 'post', '/assignments/:id/abnormal-listing', ['regulator', 'admin'], async (ctx) => {
    const id = idOf(ctx);
    const listedOn = ctx.field('listedOn', 10);
    const reason = ctx.field('reason', 500);
    await recordAbnormalListing(ctx.db, ctx.user, id, { ...(listedOn ? { listedOn } : {}), ...(reason ? { reason } : {}) });
    ctx.redirect(`/console/assignments/${id}`, '已列入经营异常名录。');
  }, { back });

  // The form's live check (htmx): reads only, so a GET with the form's fields as the query.
  route(router, deps, 'get', '/assignments/:id/result/check', INSPECTOR, async (ctx) => {
    const a = await getAssignment(ctx.db, ctx.user, idOf(ctx));
    ctx.req.body = ctx.req.query;
    const v = valuesFromForm(ctx, a);
    const input = inputOf(v, a) as unknown as ResultRulesInput;
    const problems = checkResultRules({ ...input, inspectedOn: v.inspectedOn, method: v.method }, a.matters.map((m) => m.code)).filter((p) => !p.path?.startsWith('measures'));
    ctx.res.status(200).set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).send(codeCheckFragment(problems, v.codes.length === 0).value);
  });

  route(router, deps, 'get', '/assignments/:id/notice', INSPECTOR, async (ctx) => {
    const id = idOf(ctx);
    const n = await storedNotice(ctx.db, ctx.user, id);
    if (!n) {
      ctx.redirect(`/console/assignments/${id}`, '尚未出具检查通知书：请先点击“出具检查通知书”。');
      return;
    }
    const doc = noticeDocument(n, id);
    ctx.res.status(200).set({ 'Content-Security-Policy': doc.csp, 'Cache-Control': 'no-store', 'Content-Type': 'text/html; charset=utf-8' }).send(doc.body);
  });

  route(router, deps, 'get', '/assignments/:id/result', INSPECTOR, async (ctx) => {
    const a = await getAssignment(ctx.db, ctx.user, idOf(ctx));
    if (!isMember(ctx, a)) throw new AppError(403, 'NOT_ON_TEAM', '只有本检查组的执法人员可以录入检查结果');
    if (!a.notice) {
      ctx.redirect(`/console/assignments/${a.id}`, '尚未出具检查通知书，不能录入检查结果：请先出具并送达通知书。');
      return;
    }
    if (!isEditable(a)) {
      ctx.redirect(`/console/assignments/${a.id}`, `检查结果${a.result!.statusLabel}，不能再修改。`);
      return;
    }
    renderForm(ctx, a, valuesOf(a, shanghaiDate(new Date())));
  });

  route(
    router,
    deps,
    'post',
    '/assignments/:id/result',
    INSPECTOR,
    async (ctx) => {
      const id = idOf(ctx);
      const a = await getAssignment(ctx.db, ctx.user, id);
      const values = valuesFromForm(ctx, a);
      try {
        const r = await submitResultWithAttachments(ctx.db, ctx.user, id, inputOf(values, a), incoming(ctx.files));
        const exempt = r.assignment.result?.findings.filter((f) => f.exemption?.exempt).length ?? 0;
        const parts = [r.created ? '检查结果已提交审核' : '检查结果已修改，重新提交审核'];
        if (r.attachments.length) parts.push(`附件 ${r.attachments.length} 个已保存`);
        if (exempt) parts.push(`${exempt} 个事项依免罚清单拟不予处罚（仍须责令改正）`);
        ctx.redirect(`/console/assignments/${id}`, `${parts.join('；')}。`);
      } catch (err) {
        for (const f of ctx.files) fs.rmSync(f.path, { force: true });
        // A refusal the person can fix comes back on the form, with what was typed.
        if (err instanceof AppError && err.status < 500 && err.status !== 404 && err.status !== 403) {
          renderForm(ctx, a, values, err, err.status);
          return;
        }
        throw err;
      }
    },
    {
      back: (req) => `/console/assignments/${String(req.params.id)}/result`,
      upload: { fileField: 'attachments', maxBytes: ATTACHMENT_MAX_BYTES, maxFiles: ATTACHMENT_MAX_PER_VISIT, target: () => incomingPath() },
    },
  );

  route(
    router,
    deps,
    'post',
    '/assignments/:id/attachments',
    INSPECTOR,
    async (ctx) => {
      const id = idOf(ctx);
      const added = await addAttachments(ctx.db, ctx.user, id, incoming(ctx.files));
      ctx.redirect(`/console/assignments/${id}`, `已上传附件 ${added.length} 个：${added.map((x) => x.fileName).join('、')}。`);
    },
    {
      back: (req) => `/console/assignments/${String(req.params.id)}`,
      upload: { fileField: 'attachments', maxBytes: ATTACHMENT_MAX_BYTES, maxFiles: ATTACHMENT_MAX_PER_VISIT, target: () => incomingPath() },
    },
  );

  route(router, deps, 'get', '/assignments/:id/attachments/:attachmentId', ANY_ROLE, async (ctx) => {
    const a = await readAttachment(ctx.db, ctx.user, idOf(ctx), String(ctx.req.params.attachmentId ?? ''));
    const ascii = a.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    ctx.res.status(200).set({
      'Content-Type': a.mediaType,
      'Content-Length': String(a.bytes),
      'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(a.fileName)}`,
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    await pipeline(fs.createReadStream(a.file), ctx.res);
  });
}
