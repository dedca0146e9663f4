/**
 * Access-control (IDOR) sweep: every operation of the OpenAPI document, called by four identities
 * on data owned by another department, must give nothing away.
 *
 * Identities: no token; a reviewer; an inspector linked to an officer of SW (not the owner); a
 * regulator of SW, which takes part in a joint task of the owner's (SCJG's) plan and so may open
 * that plan — the situation in which the owner's other tasks, draws, visits and imports must stay
 * invisible. The data is built by test/helpers/sweepFixtures.ts.
 *
 * The rules, applied from the table below (one entry per operation, each with one or more probes):
 * - no token: every non-public operation answers 401 UNAUTHENTICATED; public operations return
 *   none of the owner's non-public secrets (the public bundle of a drawn draw is public by design:
 *   it is checked for credit grades and staff names instead);
 * - a role the operation's x-roles does not admit: 403 FORBIDDEN_ROLE before any input is read
 *   (the request carries no body at all, so a 400 would mean the input was read first);
 * - a role x-roles admits: the probe's own check for that identity (the reviewer may read
 *   everything: any answer but 401/403);
 * - every response: never a 500, never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { openApiDocument } from '../../src/http/routes/index.ts';
import { uploadsFolder } from '../../src/services/imports/importJobs.ts';
import { startApi, expectError, uscc, type Api } from './support.ts';
import { DRAW_PARAMS } from '../helpers/drawRegistry.ts';
import {
  buildSweepFixture, freshToken, leaksIn, planSnapshot, registrySnapshot, waitForJob, SCJG_ONLY_TASK,
  type JobView, type SweepFixture, type Who,
} from '../helpers/sweepFixtures.ts';

// ---------------------------------------------------------------------------------- the checks

type Check =
  /** The role is admitted and nothing here is scoped by department: any answer but 401/403. */
  | { kind: 'allowed' }
  /** 2xx, and the response text holds none of the owner's secrets. */
  | { kind: 'noSecrets' }
  /** The answer for an id that does not exist: 404 with this code. */
  | { kind: 'notFound'; code: string }
  /** Refused with this status and one of these codes (and nothing written). */
  | { kind: 'refused'; status: number; codes: string[] }
  /** An upload of the caller's own data: 202, the job succeeds, and its starter may read it. */
  | { kind: 'importAllowed' }
  /** An upload touching the owner's data: 202, the job fails with OUT_OF_SCOPE naming `row`, nothing written. */
  | { kind: 'importOutOfScope'; row: number }
  /** A public operation: none of the owner's non-public secrets. */
  | { kind: 'public' }
  /** The public bundle of a drawn draw: public by design, but no credit grade and no staff name. */
  | { kind: 'publicBundle' };

const allowed: Check = { kind: 'allowed' };
const noSecrets: Check = { kind: 'noSecrets' };
const publicSafe: Check = { kind: 'public' };
const notFound = (code: string): Check => ({ kind: 'notFound', code });
const refused = (status: number, ...codes: string[]): Check => ({ kind: 'refused', status, codes });
const outOfScope = refused(403, 'OUT_OF_SCOPE');
const importOutOfScope = (row: number): Check => ({ kind: 'importOutOfScope', row });

type Method = 'get' | 'post' | 'patch';
type Fx = SweepFixture;

interface Probe {
  /** Names the probe in the test title when an operation has several. */
  label?: string;
  url: (f: Fx) => string;
  /** A minimal valid JSON body (sent only when the role is admitted). */
  body?: (f: Fx) => unknown;
  /** The uploaded file (CSV text) of an import. */
  csv?: (f: Fx) => string;
  /** Use a new session of the identity (logout would otherwise end the sweep's own). */
  fresh?: boolean;
  /** The check per identity whose role x-roles admits (`any`: every such identity). */
  expect: Partial<Record<Who | 'any', Check>>;
}

interface Entry {
  method: Method;
  path: string;
  /** The first probe also carries the 401/403 role checks; the others run only where the role is admitted. */
  probes: Probe[];
}

const op = (method: Method, path: string, ...probes: Probe[]): Entry => ({ method, path, probes });

// ---------------------------------------------------------------------------------- request bodies

const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
const drawParamsOfScjg = {
  ...DRAW_PARAMS,
  task: '横扫：只有 SCJG 参加的抽取',
  matters: ['SCJG-01'],
  departments: [{ code: 'SCJG', officersPerTeam: 2 }],
};
const resultBody = { inspectedOn: '2026-12-08', codes: ['1'], method: '实地检查', followUp: '无需后续处置', findings: [{ matter: 'SCJG-02', compliant: true }] };

// ---------------------------------------------------------------------------------- the table

const TABLE: Entry[] = [
  // auth
  op('post', '/api/v1/auth/login', { url: () => '/api/v1/auth/login', body: () => ({ username: 'sweep-nobody', password: 'not the password' }), expect: { any: publicSafe } }),
  op('post', '/api/v1/auth/logout', { url: () => '/api/v1/auth/logout', fresh: true, expect: { any: allowed } }),
  op('get', '/api/v1/auth/me', { url: () => '/api/v1/auth/me', expect: { any: allowed } }),
  op('get', '/api/v1/result-codes', { url: () => '/api/v1/result-codes', expect: { any: allowed } }),
  op('get', '/api/v1/violation-types', { url: () => '/api/v1/violation-types', expect: { any: allowed } }),

  // objects: a registry every department shares (not scoped by department)
  op('get', '/api/v1/objects', { url: () => '/api/v1/objects', expect: { otherRegulator: allowed } }),
  op('post', '/api/v1/objects', { url: () => '/api/v1/objects', body: () => ({ uscc: uscc(920002), name: '横扫税务新增主体' }), expect: { otherRegulator: allowed } }),
  op('get', '/api/v1/objects/{uscc}', { url: (f) => `/api/v1/objects/${f.scjgVisit.uscc}`, expect: { otherRegulator: allowed } }),
  op('patch', '/api/v1/objects/{uscc}', { url: (f) => `/api/v1/objects/${f.spareUscc}`, body: () => ({ address: '渝中区横扫路 1 号' }), expect: { otherRegulator: allowed } }),
  op('get', '/api/v1/objects/{uscc}/history', { url: (f) => `/api/v1/objects/${f.scjgVisit.uscc}/history`, expect: { otherRegulator: allowed } }),
  op('post', '/api/v1/objects/{uscc}/abnormal-listings', {
    url: (f) => `/api/v1/objects/${f.spareUscc}/abnormal-listings`,
    body: () => ({ listedOn: '2026-11-02', reason: '通过登记的住所无法联系' }),
    expect: { otherRegulator: allowed },
  }),
  op('post', '/api/v1/objects/{uscc}/abnormal-listings/remove', {
    url: (f) => `/api/v1/objects/${f.spareUscc}/abnormal-listings/remove`,
    body: () => ({ removedOn: '2026-11-20', reason: '已办理住所变更登记' }),
    expect: { otherRegulator: allowed },
  }),

  // inspectors: everyone reads; a regulator writes only its own department's
  op('get', '/api/v1/inspectors', { url: () => '/api/v1/inspectors', expect: { otherRegulator: allowed } }),
  op('post', '/api/v1/inspectors', {
    url: () => '/api/v1/inspectors',
    body: () => ({ certificateNo: 'SCJG-SWEEP-02', name: '横扫乙', department: 'SCJG' }),
    expect: { otherRegulator: outOfScope },
  }),
  op('get', '/api/v1/inspectors/{certificateNo}', { url: (f) => `/api/v1/inspectors/${f.scjgInspectorCert}`, expect: { otherRegulator: allowed } }),
  op('patch', '/api/v1/inspectors/{certificateNo}', { url: (f) => `/api/v1/inspectors/${f.scjgInspectorCert}`, body: () => ({ yearlyCapacity: 1 }), expect: { otherRegulator: outOfScope } }),
  op('post', '/api/v1/inspectors/{certificateNo}/conflicts', {
    url: (f) => `/api/v1/inspectors/${f.scjgInspectorCert}/conflicts`,
    body: (f) => ({ uscc: f.spareUscc2, reason: '亲属关系' }),
    expect: { otherRegulator: outOfScope },
  }),

  // departments and matters
  op('get', '/api/v1/departments', { url: () => '/api/v1/departments', expect: { otherRegulator: allowed } }),
  op('post', '/api/v1/departments', { url: () => '/api/v1/departments', body: () => ({ code: 'SCJG', name: '横扫改名' }), expect: {} }),
  op('get', '/api/v1/matters', { url: () => '/api/v1/matters', expect: { otherRegulator: allowed } }),
  op('post', '/api/v1/matters', {
    url: () => '/api/v1/matters',
    body: () => ({ code: 'SCJG-02', department: 'SCJG', name: '横扫改名', importance: 'key' }),
    expect: { otherRegulator: outOfScope },
  }),
  op('get', '/api/v1/matters/{code}', { url: () => '/api/v1/matters/SCJG-02', expect: { otherRegulator: allowed } }),

  // imports: row 2 is the caller's own department's, row 3 the owner's
  op('post', '/api/v1/objects/import', {
    url: () => '/api/v1/objects/import?filename=sweep-sw-objects.csv',
    csv: () => csv('统一社会信用代码,名称,所属街道', `${uscc(920003)},横扫税务导入主体,大坪`),
    expect: { otherRegulator: { kind: 'importAllowed' } },
  }),
  op('post', '/api/v1/inspectors/import', {
    url: () => '/api/v1/inspectors/import?filename=sweep-sw-inspectors.csv',
    csv: (f) => csv('执法证号,姓名,所属部门,年度检查容量', 'SW-SWEEP-01,横扫税务,SW,10', `${f.scjgInspectorCert},横扫甲,SCJG,1`),
    expect: { otherRegulator: importOutOfScope(3) },
  }),
  // Departments and past violations are the administrator's: once x-roles admits only 'admin', the
  // generic 403 FORBIDDEN_ROLE applies and the regulator's check below is not used.
  op('post', '/api/v1/departments/import', {
    url: () => '/api/v1/departments/import?filename=sweep-departments.csv',
    csv: () => csv('部门代码,部门名称', 'SWEEPX,横扫新部门', 'SCJG,横扫改名'),
    expect: { otherRegulator: refused(403, 'FORBIDDEN_ROLE', 'OUT_OF_SCOPE') },
  }),
  op('post', '/api/v1/matters/import', {
    url: () => '/api/v1/matters/import?filename=sweep-matters.csv',
    csv: () => csv('事项编码,部门,事项名称,事项类别', 'SW-09,SW,横扫税务事项,重点', 'SCJG-02,SCJG,横扫改名,重点'),
    expect: { otherRegulator: importOutOfScope(3) },
  }),
  op('post', '/api/v1/conflicts/import', {
    url: () => '/api/v1/conflicts/import?filename=sweep-conflicts.csv',
    csv: (f) => csv('执法证号,统一社会信用代码,回避原因', `${f.reg.officers.sw[0]},${f.spareUscc2},亲属关系`, `${f.scjgInspectorCert},${f.spareUscc2},亲属关系`),
    expect: { otherRegulator: importOutOfScope(3) },
  }),
  op('post', '/api/v1/inspections/import', {
    url: () => '/api/v1/inspections/import?filename=sweep-inspections.csv',
    csv: (f) => csv('统一社会信用代码,检查日期,检查部门,检查人员执法证号,检查结果', `${f.spareUscc2},2026-09-01,SW,${f.reg.officers.sw[0]},1`, `${f.spareUscc2},2026-09-02,SCJG,${f.reg.officers.scjg[5]},1`),
    expect: { otherRegulator: importOutOfScope(3) },
  }),
  op('post', '/api/v1/violations/import', {
    url: () => '/api/v1/violations/import?filename=sweep-violations.csv',
    csv: (f) => csv('统一社会信用代码,违法日期,违法类型,处理决定', `${f.spareUscc2},2026-05-01,UNLICENSED_BUSINESS,警告`),
    expect: { otherRegulator: refused(403, 'FORBIDDEN_ROLE', 'OUT_OF_SCOPE') },
  }),
  op('get', '/api/v1/imports/{id}', { url: (f) => `/api/v1/imports/${f.importJobId}`, expect: { otherRegulator: notFound('IMPORT_JOB_NOT_FOUND') } }),
  op('get', '/api/v1/imports/{id}/report', { url: (f) => `/api/v1/imports/${f.importJobId}/report`, expect: { otherRegulator: notFound('IMPORT_JOB_NOT_FOUND') } }),
  op('get', '/api/v1/imports/{id}/rejects', { url: (f) => `/api/v1/imports/${f.importJobId}/rejects`, expect: { otherRegulator: notFound('IMPORT_JOB_NOT_FOUND') } }),

  // exports of the shared registries
  op('get', '/api/v1/objects/export', { url: () => '/api/v1/objects/export?format=csv', expect: { otherRegulator: allowed } }),
  op('get', '/api/v1/inspectors/export', { url: () => '/api/v1/inspectors/export?format=csv', expect: { otherRegulator: allowed } }),

  // draws
  op(
    'get',
    '/api/v1/draws',
    { url: () => '/api/v1/draws', expect: { otherRegulator: noSecrets } },
    { label: 'filtered by the SCJG-only task', url: (f) => `/api/v1/draws?task=${f.scjgTask.id}`, expect: { otherRegulator: noSecrets } },
  ),
  op('post', '/api/v1/draws', { url: () => '/api/v1/draws', body: () => drawParamsOfScjg, expect: { otherRegulator: outOfScope } }),
  op('get', '/api/v1/draws/{id}', { url: (f) => `/api/v1/draws/${f.scjgTask.drawId}`, expect: { otherRegulator: notFound('DRAW_NOT_FOUND') } }),
  op('post', '/api/v1/draws/{id}/seed', { url: (f) => `/api/v1/draws/${f.scjgTask.drawId}/seed`, body: () => ({ randomness: '01 02 03' }), expect: { otherRegulator: notFound('DRAW_NOT_FOUND') } }),
  op('post', '/api/v1/draws/{id}/run', { url: (f) => `/api/v1/draws/${f.scjgTask.drawId}/run`, expect: { otherRegulator: notFound('DRAW_NOT_FOUND') } }),
  op('post', '/api/v1/draws/{id}/void', { url: (f) => `/api/v1/draws/${f.scjgTask.drawId}/void`, body: () => ({ reason: '横扫测试：不应作废' }), expect: { otherRegulator: notFound('DRAW_NOT_FOUND') } }),
  op('get', '/api/v1/draws/{id}/selections', { url: (f) => `/api/v1/draws/${f.scjgTask.drawId}/selections`, expect: { otherRegulator: notFound('DRAW_NOT_FOUND') } }),
  op(
    'get',
    '/api/v1/draws/{id}/bundle',
    { url: (f) => `/api/v1/draws/${f.scjgTask.drawId}/bundle`, expect: { any: { kind: 'publicBundle' } } },
    {
      label: 'full level',
      url: (f) => `/api/v1/draws/${f.scjgTask.drawId}/bundle?level=full`,
      expect: { anonymous: refused(403, 'FULL_BUNDLE_RESTRICTED'), inspector: refused(403, 'FULL_BUNDLE_RESTRICTED'), otherRegulator: refused(403, 'FULL_BUNDLE_RESTRICTED'), reviewer: allowed },
    },
  ),

  // plans and tasks
  op('get', '/api/v1/plans', { url: () => '/api/v1/plans', expect: { otherRegulator: noSecrets } }),
  op('post', '/api/v1/plans', { url: () => '/api/v1/plans', body: () => ({ organization: 'SCJG', year: 2027 }), expect: { otherRegulator: outOfScope } }),
  op('get', '/api/v1/plans/{id}', { url: (f) => `/api/v1/plans/${f.planId}`, expect: { otherRegulator: noSecrets } }),
  op('get', '/api/v1/plans/{id}/tasks', { url: (f) => `/api/v1/plans/${f.planId}/tasks`, expect: { otherRegulator: noSecrets } }),
  // The plan is visible to SW (through the joint task); a task led by SCJG is not SW's to create.
  op('post', '/api/v1/plans/{id}/tasks', { url: (f) => `/api/v1/plans/${f.planId}/tasks`, body: () => SCJG_ONLY_TASK, expect: { otherRegulator: refused(403, 'OUT_OF_SCOPE') } }),
  op('get', '/api/v1/plans/{id}/visits', { url: (f) => `/api/v1/plans/${f.planId}/visits`, expect: { otherRegulator: noSecrets } }),
  ...taskOperations(),
  op(
    'get',
    '/api/v1/tasks/{id}/simulation',
    // Any task of the plan simulates the whole plan: one joint task is enough (each call starts a worker).
    { label: 'joint draft task', url: (f) => `/api/v1/tasks/${f.jointDraft.id}/simulation?entities=true&limit=5000`, expect: { otherRegulator: noSecrets } },
    { label: 'SCJG-only draft task', url: (f) => `/api/v1/tasks/${f.scjgDraft.id}/simulation`, expect: { otherRegulator: notFound('TASK_NOT_FOUND') } },
  ),
  op(
    'get',
    '/api/v1/plans/{id}/simulation',
    { url: (f) => `/api/v1/plans/${f.planId}/simulation`, expect: { otherRegulator: noSecrets } },
    { label: 'with entities', url: (f) => `/api/v1/plans/${f.planId}/simulation?entities=true&limit=5000`, expect: { otherRegulator: noSecrets } },
  ),

  // assignments (visits)
  op('get', '/api/v1/me/assignments', { url: () => '/api/v1/me/assignments?limit=500', expect: { inspector: noSecrets } }),
  op(
    'get',
    '/api/v1/assignments',
    { url: () => '/api/v1/assignments?limit=500', expect: { otherRegulator: noSecrets } },
    { label: 'of the plan', url: (f) => `/api/v1/assignments?limit=500&planId=${f.planId}`, expect: { otherRegulator: noSecrets } },
  ),
  op('get', '/api/v1/assignments/{id}', {
    url: (f) => `/api/v1/assignments/${f.scjgVisit.id}`,
    expect: { otherRegulator: notFound('ASSIGNMENT_NOT_FOUND'), inspector: notFound('ASSIGNMENT_NOT_FOUND') },
  }),
  op('get', '/api/v1/assignments/{id}/notice', { url: (f) => `/api/v1/assignments/${f.scjgVisit.id}/notice`, expect: { inspector: notFound('ASSIGNMENT_NOT_FOUND') } }),
  op('post', '/api/v1/assignments/{id}/result', { url: (f) => `/api/v1/assignments/${f.scjgVisit.id}/result`, body: () => resultBody, expect: { inspector: notFound('ASSIGNMENT_NOT_FOUND') } }),
  op('post', '/api/v1/assignments/{id}/attachments', {
    url: (f) => `/api/v1/assignments/${f.scjgVisit.id}/attachments?filename=sweep.png`,
    expect: { inspector: notFound('ASSIGNMENT_NOT_FOUND') },
  }),
  op('get', '/api/v1/assignments/{id}/attachments/{attachmentId}', {
    url: (f) => `/api/v1/assignments/${f.scjgVisit.id}/attachments/00000000-0000-4000-8000-000000000000`,
    expect: { otherRegulator: notFound('ASSIGNMENT_NOT_FOUND'), inspector: notFound('ASSIGNMENT_NOT_FOUND') },
  }),
  op('post', '/api/v1/assignments/{id}/review', { url: (f) => `/api/v1/assignments/${f.scjgVisit.id}/review`, body: () => ({ decision: 'approve' }), expect: { reviewer: allowed } }),
  op('post', '/api/v1/assignments/{id}/publish', { url: (f) => `/api/v1/assignments/${f.scjgVisit.id}/publish`, expect: { otherRegulator: notFound('ASSIGNMENT_NOT_FOUND') } }),
  op('post', '/api/v1/assignments/{id}/measures/{n}/override', {
    url: (f) => `/api/v1/assignments/${f.scjgVisit.id}/measures/1/override`,
    body: () => ({ reason: '现场有转移财物迹象' }),
    expect: { inspector: notFound('ASSIGNMENT_NOT_FOUND') },
  }),
  op('post', '/api/v1/assignments/{id}/measures/{n}/approve-override', {
    url: (f) => `/api/v1/assignments/${f.scjgVisit.id}/measures/1/approve-override`,
    body: () => ({}),
    expect: { otherRegulator: notFound('ASSIGNMENT_NOT_FOUND'), reviewer: allowed },
  }),
  op('post', '/api/v1/assignments/{id}/abnormal-listing', { url: (f) => `/api/v1/assignments/${f.scjgVisit.id}/abnormal-listing`, body: () => ({}), expect: { otherRegulator: notFound('ASSIGNMENT_NOT_FOUND') } }),

  // public
  op(
    'get',
    '/api/v1/public/results',
    { url: () => '/api/v1/public/results?limit=1000', expect: { any: publicSafe } },
    { label: 'CSV', url: () => '/api/v1/public/results?format=csv', expect: { any: publicSafe } },
    { label: 'of the SCJG-only draft task', url: (f) => `/api/v1/public/results?task=${f.scjgDraft.id}`, expect: { any: publicSafe } },
  ),
  op(
    'get',
    '/api/v1/public/draws',
    { url: () => '/api/v1/public/draws?limit=1000', expect: { any: publicSafe } },
    { label: 'CSV', url: () => '/api/v1/public/draws?format=csv', expect: { any: publicSafe } },
    { label: 'of the SCJG-only draft task', url: (f) => `/api/v1/public/draws?task=${f.scjgDraft.id}`, expect: { any: publicSafe } },
  ),
  op('get', '/healthz', { url: () => '/healthz', expect: { any: publicSafe } }),
  op('get', '/api/v1/openapi.json', { url: () => '/api/v1/openapi.json', expect: { any: publicSafe } }),
];

/**
 * The routes on one task: each is probed with the SCJG-only drawn task and the SCJG-only draft
 * (the one a hole would let another department edit, approve or commit).
 */
function taskOperations(): Entry[] {
  const both = (method: Method, suffix: string, body?: () => unknown): Entry =>
    op(
      method,
      `/api/v1/tasks/{id}${suffix}`,
      { label: 'SCJG-only draft task', url: (f) => `/api/v1/tasks/${f.scjgDraft.id}${suffix}`, body, expect: { otherRegulator: notFound('TASK_NOT_FOUND') } },
      { label: 'SCJG-only drawn task', url: (f) => `/api/v1/tasks/${f.scjgTask.id}${suffix}`, body, expect: { otherRegulator: notFound('TASK_NOT_FOUND') } },
    );
  return [
    both('get', ''),
    both('patch', '', () => SCJG_ONLY_TASK),
    both('post', '/submit'),
    both('post', '/approve'),
    both('post', '/return', () => ({ comment: '横扫测试：不应退回' })),
    both('post', '/commit'),
    both('post', '/draw'),
    both('post', '/void-draw', () => ({ reason: '横扫测试：不应作废' })),
    both('post', '/publish'),
  ];
}

// ---------------------------------------------------------------------------------- the document

interface DocOperation {
  security?: unknown[];
  'x-roles'?: string[];
}
const DOC = openApiDocument() as { paths: Record<string, Record<string, DocOperation>> };
const DOC_OPERATIONS = Object.entries(DOC.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
const key = (e: Entry) => `${e.method.toUpperCase()} ${e.path}`;

/** 'public', or the roles x-roles admits (undefined: not in the document). */
function accessOf(e: Entry): 'public' | string[] | undefined {
  const d = DOC.paths[e.path]?.[e.method];
  if (!d) return undefined;
  return d.security && d.security.length === 0 ? 'public' : (d['x-roles'] ?? []);
}

const WHO: Who[] = ['anonymous', 'reviewer', 'inspector', 'otherRegulator'];
const ROLE: Record<Who, string | null> = { anonymous: null, reviewer: 'reviewer', inspector: 'inspector', otherRegulator: 'regulator' };
const TITLE: Record<Who, string> = {
  anonymous: 'no token',
  reviewer: 'a reviewer',
  inspector: 'an inspector of SW (officer on a joint team)',
  otherRegulator: 'a regulator of SW (partner in a joint task of the plan)',
};

type Plan = { check: Check | { kind: 'unauthenticated' } | { kind: 'forbiddenRole' } | { kind: 'missing' }; withInput: boolean };

/** What `who` must get from probe `i` of `e`; undefined when that probe does not apply to it. */
function planFor(who: Who, e: Entry, i: number): Plan | undefined {
  const access = accessOf(e);
  const probe = e.probes[i];
  const explicit = probe.expect[who] ?? probe.expect.any;
  if (access === 'public') return { check: explicit ?? { kind: 'missing' }, withInput: true };
  if (access === undefined) return undefined;
  if (who === 'anonymous') return i === 0 ? { check: { kind: 'unauthenticated' }, withInput: false } : undefined;
  if (!access.includes(ROLE[who]!)) return i === 0 ? { check: { kind: 'forbiddenRole' }, withInput: false } : undefined;
  // The reviewer reads everything it has the role for: any answer but 401/403 unless the table says
  // more. Further probes of an operation run only for the identities they name.
  if (i > 0 && !explicit) return undefined;
  return { check: explicit ?? (who === 'reviewer' ? allowed : { kind: 'missing' }), withInput: true };
}

// ---------------------------------------------------------------------------------- set-up

let api: Api;
let f: SweepFixture;
/** Whether data/imports/ existed before this file ran (if not, it is removed again when left empty). */
const uploadsFolderExisted = fs.existsSync(uploadsFolder);
let plansBefore: Awaited<ReturnType<typeof planSnapshot>>;
const statuses: { test: string; status: number }[] = [];

beforeAll(async () => {
  api = await startApi();
  f = await buildSweepFixture(api);
  plansBefore = await planSnapshot(api);
});

afterAll(async () => {
  if (!api) return;
  // Each job keeps its report and rejects in data/imports/<job id>/; the app deletes the uploads themselves once a job is done.
  const ids = f ? f.importJobIds : [];
  for (const row of await api.db.db.selectFrom('import_jobs').select(['id', 'status']).execute()) if (!ids.includes(row.id)) ids.push(row.id);
  // No job may still be writing when its database goes; the uploads folder is this file's own (test/setup/env.ts).
  const unfinished = () => api.db.db.selectFrom('import_jobs').select('id').where('status', 'in', ['queued', 'running']).execute();
  await vi.waitFor(async () => expect(await unfinished()).toEqual([]), { timeout: 30_000, interval: 50 });
  for (const id of ids) fs.rmSync(path.join(uploadsFolder, id), { recursive: true, force: true });
  try {
    if (!uploadsFolderExisted && fs.readdirSync(uploadsFolder).length === 0) fs.rmdirSync(uploadsFolder);
  } catch {
    // Another test file is using the folder: leave it.
  }
  await api.db.destroy();
});

// ---------------------------------------------------------------------------------- running a probe

/** A stack trace in a response, raw or JSON-escaped: a line "at fn (/path/file.ts:12:3)" or "at node:internal/…:1:2". */
const STACK = /(?:^|\\n|\n)\s*at [^\n\\]*?:\d+:\d+/;

function textOf(res: request.Response): string {
  if (typeof res.text === 'string') return res.text;
  if (Buffer.isBuffer(res.body)) return res.body.toString('utf8');
  return JSON.stringify(res.body ?? '');
}

async function send(who: Who, method: Method, url: string, probe: Probe, withInput: boolean): Promise<request.Response> {
  let req: request.Test;
  if (who === 'anonymous') req = request(api.app)[method](url);
  else if (probe.fresh && withInput) req = request(api.app)[method](url).set('Authorization', `Bearer ${await freshToken(api, f.usernames[who])}`);
  else req = f.agents[who][method](url);
  if (withInput && probe.csv) req = req.set('Content-Type', 'text/csv').send(Buffer.from(probe.csv(f), 'utf8'));
  else if (withInput && probe.body) req = req.send(probe.body(f) as object);
  return req;
}

/** When an upload was accepted (202), waits for its job so that nothing runs on after the test. */
async function settleJob(res: request.Response): Promise<JobView | undefined> {
  if (res.status !== 202 || typeof res.body?.statusUrl !== 'string') return undefined;
  f.importJobIds.push(res.body.id as string);
  return waitForJob(api, res.body.statusUrl as string);
}

type Snapshot = Awaited<ReturnType<typeof registrySnapshot>>;

/** Rows added (+) or removed (−) between two registry snapshots. */
function changes(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const k of Object.keys(before) as (keyof Snapshot)[]) {
    const b = new Set(before[k]);
    const a = new Set(after[k]);
    for (const row of after[k]) if (!b.has(row)) out.push(`+ ${k} ${row}`);
    for (const row of before[k]) if (!a.has(row)) out.push(`- ${k} ${row}`);
  }
  return out;
}

/** The job names `row` in a problem of code OUT_OF_SCOPE (in the row report or in the job's error). */
function outOfScopeNames(job: JobView, row: number): boolean {
  const names = (s: string | null | undefined) => !!s && new RegExp(`(^|\\D)${row}(\\D|$)`).test(s);
  if ((job.report?.problems ?? []).some((p) => p.code === 'OUT_OF_SCOPE' && p.row === row)) return true;
  const err = job.error;
  if (!err) return false;
  if (err.problems.some((p) => p.code === 'OUT_OF_SCOPE' && (names(p.path) || names(p.message)))) return true;
  return err.code === 'OUT_OF_SCOPE' && names(err.message);
}

async function staffNames(): Promise<string[]> {
  const inspectors = await api.db.db.selectFrom('inspectors').select('name').execute();
  const users = await api.db.db.selectFrom('users').select('username').execute();
  return [...inspectors.map((i) => i.name), ...users.map((u) => u.username)].filter((n) => n.length >= 2);
}

/** Every key of every object inside a JSON value. */
function keysOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) keysOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      keysOf(v, out);
    }
  }
  return out;
}

async function checkBundle(res: request.Response, what: string): Promise<void> {
  expect(res.status, `${what}: ${textOf(res).slice(0, 300)}`).toBe(200);
  const text = textOf(res);
  const bundle = JSON.parse(text) as { level: string; files: Record<string, string>; selection: Record<string, unknown>[]; excluded: { rule: string }[] };
  expect(bundle.level).toBe('public');
  // No credit grade: only the public files (frame.csv holds grade commitments, not grades), no
  // per-entity stratum, no entity excluded because of its grade, no field named after a grade.
  expect(Object.keys(bundle.files).sort(), `${what}: files`).toEqual(['frame.csv', 'params.json']);
  expect(bundle.files['frame.csv'].split('\n')[0]).toBe('uscc,grade_commitment');
  for (const s of bundle.selection) expect(Object.keys(s).sort(), `${what}: a selection`).toEqual(['rank', 'team', 'ticket', 'uscc']);
  expect(bundle.excluded.filter((e) => e.rule === 'stratum-excluded'), `${what}: excluded by grade`).toEqual([]);
  expect(keysOf(bundle).filter((k) => /grade/i.test(k)), `${what}: grade fields`).toEqual([]);
  for (const [name, content] of Object.entries(bundle.files)) {
    expect(content.split('\n').filter((l) => /^[0-9A-Z]{18},[ABCDU]\b/.test(l)), `${what}: ${name} pairs a USCC with a grade`).toEqual([]);
  }
  // No staff name: inspectors' names and account usernames.
  const found = (await staffNames()).filter((n) => text.includes(n));
  expect(found.join(', '), `${what}: staff names`).toBe('');
}

async function run(who: Who, e: Entry, i: number, plan: Plan, testName: string): Promise<void> {
  const probe = e.probes[i];
  const url = probe.url(f);
  const what = `${TITLE[who]}: ${e.method.toUpperCase()} ${url}`;
  const isWrite = e.method !== 'get';
  const before = isWrite ? await registrySnapshot(api) : undefined;
  const res = await send(who, e.method, url, probe, plan.withInput);
  const job = await settleJob(res);
  const text = textOf(res);
  statuses.push({ test: testName, status: res.status });

  // Every response: never a 500, never a stack trace.
  expect.soft(res.status, `${what}: ${text.slice(0, 300)}`).toBeLessThan(500);
  expect.soft(text, `${what}: stack trace`).not.toMatch(STACK);

  const check = plan.check;
  switch (check.kind) {
    case 'missing':
      expect.fail(`the sweep table has no check for ${TITLE[who]} on ${key(e)}`);
      break;
    case 'unauthenticated':
      expectError(res, 401, 'UNAUTHENTICATED');
      break;
    case 'forbiddenRole':
      expectError(res, 403, 'FORBIDDEN_ROLE');
      break;
    case 'allowed':
      expect([401, 403], `${what}: ${res.status} ${text.slice(0, 300)}`).not.toContain(res.status);
      break;
    case 'noSecrets':
      expect(res.status, `${what}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${what}: ${text.slice(0, 300)}`).toBeLessThan(300);
      expect(leaksIn(text, f.ownerSecrets).join('\n'), `${what} leaked`).toBe('');
      break;
    case 'public':
      expect(leaksIn(text, f.nonPublicSecrets).join('\n'), `${what} leaked`).toBe('');
      break;
    case 'publicBundle':
      await checkBundle(res, what);
      break;
    case 'notFound':
      expect(res.status, `${what}: ${text.slice(0, 300)}`).toBe(404);
      expectError(res, 404, check.code);
      break;
    case 'refused':
      expect.soft(res.status, `${what}: ${text.slice(0, 300)}${job ? ` (job ${job.status})` : ''}`).toBe(check.status);
      expect.soft(check.codes, `${what}: ${text.slice(0, 300)}`).toContain((res.body as { error?: { code?: string } })?.error?.code);
      break;
    case 'importAllowed': {
      expect(res.status, `${what}: ${text.slice(0, 300)}`).toBe(202);
      expect(job?.status, JSON.stringify(job)).toBe('succeeded');
      // The job's starter may follow it.
      expect((await f.agents[who as Exclude<Who, 'anonymous'>].get(res.body.statusUrl as string)).status).toBe(200);
      break;
    }
    case 'importOutOfScope':
      expect.soft(res.status, `${what}: ${text.slice(0, 300)}`).toBe(202);
      expect.soft(job?.status, `${what}: the job ${JSON.stringify(job)}`).toBe('failed');
      expect.soft(job ? outOfScopeNames(job, check.row) : false, `${what}: no OUT_OF_SCOPE problem naming row ${check.row} in ${JSON.stringify({ error: job?.error, problems: job?.report?.problems })}`).toBe(true);
      break;
  }
  // A refused write wrote nothing to the registry.
  if (before && !['allowed', 'importAllowed'].includes(check.kind)) {
    expect.soft(changes(before, await registrySnapshot(api)).join('\n'), `${what}: written although refused`).toBe('');
  }
}

// ---------------------------------------------------------------------------------- the tests

describe('the sweep table', () => {
  it('covers every operation of the OpenAPI document, and says what each admitted identity must get', () => {
    const keys = TABLE.map(key);
    expect(new Set(keys).size, 'an operation appears twice').toBe(keys.length);
    expect(DOC_OPERATIONS.filter((k) => !keys.includes(k)), 'operations without a sweep entry').toEqual([]);
    expect(keys.filter((k) => !DOC_OPERATIONS.includes(k)), 'sweep entries for operations not in the document').toEqual([]);
    const missing: string[] = [];
    for (const e of TABLE) {
      for (const who of WHO) {
        e.probes.forEach((_, i) => {
          const p = planFor(who, e, i);
          if (p?.check.kind === 'missing') missing.push(`${who} ${key(e)}${e.probes[i].label ? ` (${e.probes[i].label})` : ''}`);
        });
      }
    }
    expect(missing, 'admitted identities without a check').toEqual([]);
  });
});

describe('the fixture', () => {
  it('lets SW into the SCJG plan through the joint task, and holds the secrets where the sweep looks', async () => {
    const sw = f.agents.otherRegulator;
    const plan = await sw.get(`/api/v1/plans/${f.planId}`);
    expect(plan.status, plan.text.slice(0, 300)).toBe(200);
    expect(plan.body.tasks.map((t: { id: string }) => t.id)).toContain(f.jointTask.id);
    expect((await sw.get(`/api/v1/tasks/${f.jointTask.id}`)).status).toBe(200);
    expect((await f.agents.inspector.get('/api/v1/me/assignments')).body.total).toBeGreaterThan(0);
    // The secrets are there to be leaked: the administrator sees them on the routes SW must not.
    for (const url of [
      '/api/v1/plans',
      `/api/v1/plans/${f.planId}/tasks`,
      `/api/v1/plans/${f.planId}/visits`,
      `/api/v1/plans/${f.planId}/simulation?entities=true&limit=5000`,
      '/api/v1/draws',
      '/api/v1/assignments?limit=500',
    ]) {
      const res = await api.http.get(url);
      expect(res.status, `${url}: ${res.text.slice(0, 300)}`).toBe(200);
      expect(leaksIn(res.text, f.ownerSecrets).length, `the administrator sees secrets on ${url}`).toBeGreaterThan(0);
    }
  });
});

for (const who of WHO) {
  describe(`as ${TITLE[who]}`, () => {
    for (const e of TABLE) {
      e.probes.forEach((probe, i) => {
        const plan = planFor(who, e, i);
        if (!plan) return;
        const name = `${key(e)}${probe.label ? ` (${probe.label})` : ''} → ${plan.check.kind}${'code' in plan.check ? ` ${plan.check.code}` : ''}`;
        it(name, () => run(who, e, i, plan, `${who} ${name}`));
      });
    }
  });
}

describe('after the sweep', () => {
  it("the owner's plan, tasks, draws, visits and results are unchanged", async () => {
    expect(await planSnapshot(api)).toEqual(plansBefore);
  });

  it('no response was a 500', () => {
    expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
  });
});
