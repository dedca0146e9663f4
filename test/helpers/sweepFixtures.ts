/**
 * The data of the access-control (IDOR) sweep (test/http/idor-sweep.test.ts): one owner
 * department (SCJG) whose data the others must not see, and one other department (SW) that takes
 * part in a joint task of the same plan, so that SW's regulator may open the plan itself.
 *
 * - Plan 2026 of SCJG, four tasks, numbered in this order:
 *   1. SCJG-only, matter SCJG-02, streets A; drafted by one SCJG regulator, approved, committed,
 *      seeded and drawn by another (so its draw, selections and visits exist);
 *   2. joint (SCJG lead, SW partner), matters SCJG-01 + SW-01, streets B; drawn as well, in a
 *      later window (no visit merges the two tasks);
 *   3. SCJG-only draft (the one a leak would let another department edit or approve);
 *   4. joint draft (so that SW's simulation of the plan has something of its own to show).
 *   Streets A and B are disjoint and the SCJG-only matter SCJG-02 is the only qualification of
 *   SCJG officers 1–4 (who lack SCJG-01), so the SCJG-only selections and teams can never appear
 *   legitimately in what SW may see of the joint tasks.
 * - An import job of an SCJG regulator (objects, skip-invalid, one bad row: report + rejects).
 * - An SCJG inspector record created by an SCJG regulator.
 * - Accounts: SCJG regulators, an SW regulator, a reviewer, an inspector linked to an SW officer
 *   on a joint team.
 *
 * The "secrets" are the owner's strings that must not appear in what another department's
 * regulator, an inspector of another department or (for the non-public ones) the public gets.
 */
import { expect } from 'vitest';
import { login } from '../../src/services/accounts.ts';
import * as plans from '../../src/services/plans.ts';
import * as plansRepo from '../../src/db/repositories/plans.ts';
import * as referenceRepo from '../../src/db/repositories/reference.ts';
import * as inspectorsRepo from '../../src/db/repositories/inspectors.ts';
import { makeMatter, makeObject, write } from '../factories/index.ts';
import { waitForImportJob } from './importJobs.ts';
import { withWrongCheck, uscc, TEST_PASSWORD, type Agent, type Api } from '../http/support.ts';
import { seedDrawRegistry, type DrawRegistry } from './drawRegistry.ts';

export const SWEEP_YEAR = 2026;
/** Streets of the SCJG-only tasks and of the joint tasks: disjoint, so their frames are too. */
export const STREETS_SCJG = ['七星岗', '解放碑', '两路口', '上清寺', '菜园坝'];
export const STREETS_JOINT = ['南纪门', '朝天门', '大溪沟', '大坪', '化龙桥', '石油路'];

export const SCJG_ONLY_TASK = {
  lead: { code: 'SCJG', officersPerTeam: 2 },
  matters: ['SCJG-02'],
  filters: { streets: STREETS_SCJG },
  selection: { mode: 'rates', rates: { A: '0.1', B: '0.1', C: '0.2', D: '0.4', U: '0.1' } },
  exclusions: { yearlyCap: null, lookbackDays: null },
  window: { start: '2026-12-07', end: '2026-12-15' },
  randomnessSource: '2026年12月5日中国福利彩票双色球开奖号码',
};

export const JOINT_TASK = {
  lead: { code: 'SCJG', officersPerTeam: 2 },
  partners: [{ code: 'SW', officersPerTeam: 1 }],
  matters: ['SCJG-01', 'SW-01'],
  filters: { streets: STREETS_JOINT },
  selection: { mode: 'rates', rates: { A: '0.1', B: '0.1', C: '0.1', D: '0.1', U: '0.1' } },
  exclusions: { yearlyCap: null, lookbackDays: null },
  window: { start: '2026-12-16', end: '2026-12-30' },
  randomnessSource: '2026年12月12日中国福利彩票双色球开奖号码',
};

export interface Secret {
  /** What it is, for the failure message. */
  label: string;
  value: string;
}

export type Who = 'anonymous' | 'reviewer' | 'inspector' | 'otherRegulator';

export interface SweepFixture {
  reg: DrawRegistry;
  planId: string;
  scjgTask: { id: string; name: string; drawId: string };
  scjgDraft: { id: string; name: string };
  jointTask: { id: string; name: string; drawId: string };
  jointDraft: { id: string; name: string };
  /** A visit (assignment) of the SCJG-only task, and its entity. */
  scjgVisit: { id: string; uscc: string; team: string[] };
  /** USCCs selected only by SCJG-only tasks. */
  scjgOnlyUsccs: string[];
  /** Certificate numbers on the teams of SCJG-only visits (and on no joint team). */
  scjgTeamCerts: string[];
  /** The SCJG regulator's objects import job (it has a report and a rejects file). */
  importJobId: string;
  /** An inspector record of SCJG, created by an SCJG regulator. */
  scjgInspectorCert: string;
  /** The SW officer the sweep's inspector account is linked to (on a joint team). */
  swOfficer: string;
  /** An object of no task, for the writes a regulator may make to the shared registry. */
  spareUscc: string;
  /** Another object of no task (a USCC the sweep's writes may refer to). */
  spareUscc2: string;
  /** Secrets of the owner (SCJG): none may reach SW's regulator or an SW inspector. */
  ownerSecrets: Secret[];
  /** The owner's secrets the public may not see either (drawn tasks and their draws are public by design). */
  nonPublicSecrets: Secret[];
  /** Usernames of the sweep's identities (fresh sessions are made from them). */
  usernames: Record<Exclude<Who, 'anonymous'>, string>;
  agents: Record<Exclude<Who, 'anonymous'>, Agent> & { scjg: Agent; scjg2: Agent };
  /** Import job ids the fixture and the sweep started (their files are removed at the end). */
  importJobIds: string[];
}

export interface JobView {
  id: string;
  status: string;
  error: { code: string; message: string; problems: { path: string; code: string; message: string }[] } | null;
  report: {
    reportUrl: string | null;
    rejectsUrl: string | null;
    problems: { row: number; column: string | null; code: string; message: string }[];
    [k: string]: unknown;
  } | null;
  [k: string]: unknown;
}

/** Reads an import job (as the administrator, who sees every job) until it has ended. */
export function waitForJob(api: Api, statusUrl: string): Promise<JobView> {
  return waitForImportJob(api.http, statusUrl, { timeout: 30_000, parse: (body) => body as JobView });
}

/**
 * A task walked from draft to drawn: `author` drafts it and `other` approves it and enters the
 * public randomness through the API (so the draw records a real account as who seeded it); the
 * commitment and the draw, which the API runs in a worker thread, are made through the service
 * in the name of the same account, to keep the fixture fast.
 */
async function drawnTask(api: Api, author: Agent, other: { agent: Agent; username: string }, planId: string, body: object, randomness: string) {
  const created = await author.post(`/api/v1/plans/${planId}/tasks`).send(body);
  expect(created.status, created.text.slice(0, 500)).toBe(201);
  const id = created.body.id as string;
  const approved = await other.agent.post(`/api/v1/tasks/${id}/approve`);
  expect(approved.status, approved.text.slice(0, 500)).toBe(200);
  const committed = await plans.commitTask(api.db.db, id, { name: other.username });
  const drawId = committed.drawId!;
  const seeded = await other.agent.post(`/api/v1/draws/${drawId}/seed`).send({ randomness });
  expect(seeded.status, seeded.text.slice(0, 500)).toBe(200);
  await plans.drawTask(api.db.db, id, { name: other.username });
  return { id, name: created.body.name as string, drawId };
}

export async function buildSweepFixture(api: Api): Promise<SweepFixture> {
  const db = api.db.db;
  const reg = await seedDrawRegistry(db, { objects: 150 });
  await write(db, async (trx) => {
    // SCJG-02 is the SCJG-only matter; officers 1–4 check only it, the others only SCJG-01.
    await makeMatter(trx, { code: 'SCJG-02', department_code: 'SCJG', name: '食品经营许可情况检查', importance: 'key' });
    // SW's general matter allows the joint task's 10%.
    await referenceRepo.updateMatter(trx, 'SW-01', { ratio_cap: 0.2 });
    for (const c of reg.officers.scjg.slice(0, 4)) await inspectorsRepo.updateInspector(trx, c, { qualifications: ['SCJG-02'] });
  });
  const scjg = await api.as('sweep-scjg-zhang', 'regulator', { department: 'SCJG' });
  const scjg2 = await api.as('sweep-scjg-li', 'regulator', { department: 'SCJG' });

  const plan = await scjg.post('/api/v1/plans').send({ organization: 'SCJG', year: SWEEP_YEAR });
  expect(plan.status, plan.text).toBe(201);
  const planId = plan.body.id as string;
  const approver = { agent: scjg2, username: 'sweep-scjg-li' };
  const scjgTask = await drawnTask(api, scjg, approver, planId, SCJG_ONLY_TASK, '05 11 17 23 29 31 + 02');
  const jointTask = await drawnTask(api, scjg, approver, planId, JOINT_TASK, '02 08 14 20 26 32 + 07');
  // Registered after the draws, so that they are in no draw and no visit.
  const spareUscc = uscc(920001);
  const spareUscc2 = uscc(920004);
  await makeObject(db, { uscc: spareUscc, name: '横扫备用主体甲', street: '大坪' });
  await makeObject(db, { uscc: spareUscc2, name: '横扫备用主体乙', street: '大坪' });
  const draft = await scjg.post(`/api/v1/plans/${planId}/tasks`).send(SCJG_ONLY_TASK);
  expect(draft.status, draft.text).toBe(201);
  const jointDraftRes = await scjg.post(`/api/v1/plans/${planId}/tasks`).send(JOINT_TASK);
  expect(jointDraftRes.status, jointDraftRes.text).toBe(201);

  // Visits of the plan: those of the SCJG-only task alone, and those of the joint task.
  const visits = (await plansRepo.visitsOf(db, planId))
    .map((v) => ({ id: v.id, uscc: v.uscc, tasks: v.task_ids, team: v.team }))
    .sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0));
  const scjgVisits = visits.filter((v) => v.tasks.length === 1 && v.tasks[0] === scjgTask.id);
  const jointVisits = visits.filter((v) => v.tasks.includes(jointTask.id));
  expect(scjgVisits.length, 'the SCJG-only task has visits').toBeGreaterThan(0);
  expect(jointVisits.length, 'the joint task has visits').toBeGreaterThan(0);
  expect(visits.length, 'no visit merges the two tasks').toBe(scjgVisits.length + jointVisits.length);
  const jointUsccs = new Set(jointVisits.map((v) => v.uscc));
  const jointCerts = new Set(jointVisits.flatMap((v) => v.team));
  const selectedByScjg = (await db.selectFrom('draw_selections').select('uscc').where('draw_id', '=', scjgTask.drawId).execute()).map((r) => r.uscc);
  const selectedByJoint = new Set((await db.selectFrom('draw_selections').select('uscc').where('draw_id', '=', jointTask.drawId).execute()).map((r) => r.uscc));
  const scjgOnlyUsccs = [...new Set(selectedByScjg)].filter((u) => !selectedByJoint.has(u) && !jointUsccs.has(u));
  const scjgTeamCerts = [...new Set(scjgVisits.flatMap((v) => v.team))].filter((c) => !jointCerts.has(c));
  expect(scjgOnlyUsccs.length).toBeGreaterThan(0);
  expect(scjgTeamCerts.length).toBeGreaterThan(0);
  const swOfficer = reg.officers.sw.find((c) => jointCerts.has(c));
  expect(swOfficer, 'an SW officer is on a joint team').toBeDefined();

  // An SCJG inspector record, created by an SCJG regulator.
  const scjgInspectorCert = 'SCJG-SWEEP-01';
  const inspector = await scjg.post('/api/v1/inspectors').send({
    certificateNo: scjgInspectorCert, name: '横扫甲', department: 'SCJG', validFrom: '2024-01-01', validTo: '2028-12-31', qualifications: ['SCJG-01'], yearlyCapacity: 10,
  });
  expect(inspector.status, inspector.text).toBe(201);

  // The SCJG regulator's import: two good rows and one with a wrong check character, skip-invalid.
  const csv = ['统一社会信用代码,名称,所属街道', `${uscc(910001)},横扫导入甲,大坪`, `${uscc(910002)},横扫导入乙,大坪`, `${withWrongCheck(uscc(910003)).code},横扫导入丙,大坪`].join('\n');
  const started = await scjg.post('/api/v1/objects/import?skipInvalid=true&filename=sweep-objects.csv').set('Content-Type', 'text/csv').send(Buffer.from(`${csv}\n`, 'utf8'));
  expect(started.status, started.text).toBe(202);
  const job = await waitForJob(api, started.body.statusUrl as string);
  expect(job.status, JSON.stringify(job)).toBe('succeeded');
  expect(job.report?.reportUrl, 'the job has a report').toBeTruthy();
  expect(job.report?.rejectsUrl, 'the job has a rejects file').toBeTruthy();

  const usernames = { reviewer: 'sweep-reviewer', inspector: 'sweep-inspector', otherRegulator: 'sweep-sw' };
  const agents = {
    scjg,
    scjg2,
    reviewer: await api.as(usernames.reviewer, 'reviewer'),
    inspector: await api.as(usernames.inspector, 'inspector', { officer: swOfficer }),
    otherRegulator: await api.as(usernames.otherRegulator, 'regulator', { department: 'SW' }),
  };

  const scjgDraft = { id: draft.body.id as string, name: draft.body.name as string };
  const nonPublicSecrets: Secret[] = [
    { label: 'id of the SCJG-only draft task', value: scjgDraft.id },
    { label: 'name of the SCJG-only draft task', value: scjgDraft.name },
    { label: "id of the SCJG regulator's import job", value: started.body.id as string },
    ...scjgTeamCerts.map((c) => ({ label: 'certificate number on an SCJG-only team', value: c })),
  ];
  const ownerSecrets: Secret[] = [
    { label: 'id of the SCJG-only drawn task', value: scjgTask.id },
    { label: 'name of the SCJG-only drawn task', value: scjgTask.name },
    { label: 'id of the SCJG-only draw', value: scjgTask.drawId },
    ...scjgOnlyUsccs.map((u) => ({ label: 'USCC selected only by an SCJG-only task', value: u })),
    ...nonPublicSecrets,
  ];
  const v = scjgVisits[0];
  return {
    reg,
    planId,
    scjgTask,
    scjgDraft,
    jointTask,
    jointDraft: { id: jointDraftRes.body.id as string, name: jointDraftRes.body.name as string },
    scjgVisit: { id: v.id, uscc: v.uscc, team: v.team },
    scjgOnlyUsccs,
    scjgTeamCerts,
    importJobId: started.body.id as string,
    scjgInspectorCert,
    swOfficer: swOfficer!,
    spareUscc,
    spareUscc2,
    ownerSecrets,
    nonPublicSecrets,
    usernames,
    agents,
    importJobIds: [started.body.id as string],
  };
}

/** A new session of one of the sweep's users (for logout, which would end the sweep's own session). */
export async function freshToken(api: Api, username: string): Promise<string> {
  return (await login(api.db.db, username, TEST_PASSWORD)).token;
}

/** Secrets found in a response text. */
export function leaksIn(text: string, secrets: Secret[]): string[] {
  return secrets.filter((s) => text.includes(s.value)).map((s) => `${s.label}: ${s.value}`);
}

const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

/** The registry records an import or a registry write could touch (all departments), to compare before and after. */
export async function registrySnapshot(api: Api) {
  const db = api.db.db;
  return {
    departments: sorted(await db.selectFrom('departments').selectAll().execute()),
    matters: sorted(await db.selectFrom('matters').selectAll().execute()),
    inspectors: sorted(await db.selectFrom('inspectors').selectAll().execute()),
    conflicts: sorted(await db.selectFrom('conflicts').select(['certificate_no', 'uscc', 'reason', 'declared_on']).execute()),
    pastInspections: sorted(await db.selectFrom('past_inspections').select(['uscc', 'inspected_on', 'department_code', 'officers', 'result_codes', 'task_ref']).execute()),
    pastViolations: sorted(await db.selectFrom('past_violations').select(['uscc', 'occurred_on', 'violation_type', 'decision']).execute()),
  };
}

/** The owner's plan, tasks, draws and visits and what hangs off them, to compare before and after the sweep. */
export async function planSnapshot(api: Api) {
  const db = api.db.db;
  return {
    plans: sorted(await db.selectFrom('plans').selectAll().execute()),
    tasks: sorted(await db.selectFrom('tasks').selectAll().execute()),
    taskEvents: (await db.selectFrom('task_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
    draws: sorted(await db.selectFrom('draws').select(['id', 'status', 'seeded_at', 'drawn_at', 'voided_at', 'randomness_typed']).execute()),
    selections: (await db.selectFrom('draw_selections').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
    visits: sorted(await db.selectFrom('visits').select(['id', 'uscc', 'task_ids', 'team', 'notified_at']).execute()),
    notices: (await db.selectFrom('visit_notices').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
    results: (await db.selectFrom('inspection_results').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
  };
}
