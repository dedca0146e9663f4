/**
 * What the public may see (一公开): published plans' tasks from their commitment on, their draws
 * (voided ones too), the selected entities, published results, publication deadlines, aggregate
 * statistics, and the inspection check codes that let an entity confirm a visit is genuine.
 *
 * Never published, and so never returned by any function here:
 * - an entity's credit grade (only per-grade rates and counts of a draw, and an aggregate
 *   problem rate per grade over at least MIN_GROUP results, which identify nobody);
 * - personal data: legal representatives are never returned; an individual business whose
 *   name contains its operator's name is shown with that name masked (张*);
 * - results that are not published (entered, returned, approved);
 * - officers' names (a check code shows the team's certificate numbers, as the officers show
 *   their certificates at the door).
 */
import crypto from 'node:crypto';
import * as repo from '../db/repositories/publicQueries.ts';
import type { Executor } from '../db/repositories/objects.ts';
import { NotFoundError } from '../domain/errors.ts';
import { Rational } from '../domain/draw/rational.ts';
import { STRATA, type Stratum } from '../domain/draw/params.ts';
import { TASK_STATUS_LABELS, type TaskStatus } from '../domain/plans.ts';
import {
  ENTITY_TYPE_LABELS, MATTER_IMPORTANCE_LABELS, REGISTRATION_STATUS_LABELS, RESULT_CODES, type EntityType, type MatterImportance, type RegistrationStatus,
} from '../domain/registry.ts';
import { RESULT_CODE_ORDER } from '../domain/results.ts';
import { nowIso, shanghaiDate } from '../domain/time.ts';

// ------------------------------------------------------------------------------------ privacy

/** 张三 → 张*, 欧阳小明 → 欧***: the family name's first character and one star per other character. */
export function maskPersonName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/**
 * The name of an entity as published. An individual business (个体工商户) is often named after
 * its operator (渝中区张伟小吃店): the operator's name inside it is masked (渝中区张*小吃店).
 */
export function publicEntityName(o: { name: string | null; entity_type: string | null; legal_representative: string | null } | undefined, fallback = ''): string {
  if (!o?.name) return fallback;
  const person = o.legal_representative?.trim();
  if (o.entity_type === 'individual' && person && [...person].length >= 2 && o.name.includes(person)) return o.name.split(person).join(maskPersonName(person));
  return o.name;
}

const entityTypeLabel = (t: string | null) => (t ? (ENTITY_TYPE_LABELS[t as EntityType] ?? t) : '');

/** A stratum as published: the grade letter only ("A 类"), never a label describing an entity. */
export function stratumLabel(s: string): string {
  return s === 'U' ? '未分类' : `${s} 类`;
}

// ------------------------------------------------------------------------------------ helpers

const json = <T>(s: string | null | undefined, fallback: T): T => (s ? (JSON.parse(s) as T) : fallback);

/** '0.03' → '3%', exact (no floating point). */
export function percentOf(decimalOrFraction: string, digits = 4): string {
  const r = decimalOrFraction.includes('/') ? Rational.parse(decimalOrFraction) : Rational.decimal(decimalOrFraction);
  return `${r.mul(Rational.of(100)).toDecimal(digits)}%`;
}

async function departmentMap(db: Executor, codes: string[]): Promise<Map<string, string>> {
  return new Map((await repo.departmentNames(db, [...new Set(codes)])).map((d) => [d.code, d.name]));
}

const departmentsOfTask = (departments: string) => (JSON.parse(departments) as { code: string; officersPerTeam: number }[]).map((d) => d.code);

// ------------------------------------------------------------------------------------ tasks

export interface PublicTaskSummary {
  id: string;
  name: string;
  year: number;
  status: TaskStatus;
  statusLabel: string;
  window: { start: string; end: string };
  matters: { code: string; name: string }[];
  departments: { code: string; name: string }[];
}

export interface PublicPlan {
  id: string;
  title: string;
  year: number;
  tasks: PublicTaskSummary[];
}

/** The public tasks grouped by plan, newest plan first. */
export async function listPublicPlans(db: Executor, filter: { year?: number } = {}): Promise<PublicPlan[]> {
  const rows = await repo.listPublicTasks(db, filter);
  const matters = new Map((await repo.mattersByCode(db, [...new Set(rows.flatMap((r) => JSON.parse(r.matters) as string[]))])).map((m) => [m.code, m.name]));
  const depts = await departmentMap(db, rows.flatMap((r) => departmentsOfTask(r.departments)));
  const plans = new Map<string, PublicPlan>();
  for (const r of rows) {
    const plan = plans.get(r.plan_id) ?? { id: r.plan_id, title: r.plan_title, year: Number(r.year), tasks: [] };
    plans.set(r.plan_id, plan);
    plan.tasks.push({
      id: r.id,
      name: r.name,
      year: Number(r.year),
      status: r.status,
      statusLabel: TASK_STATUS_LABELS[r.status],
      window: { start: r.window_start, end: r.window_end },
      matters: (JSON.parse(r.matters) as string[]).map((code) => ({ code, name: matters.get(code) ?? code })),
      departments: departmentsOfTask(r.departments).map((code) => ({ code, name: depts.get(code) ?? code })),
    });
  }
  return [...plans.values()];
}

export async function publicYears(db: Executor): Promise<number[]> {
  return repo.publicYears(db);
}

interface StoredStratum {
  stratum: Stratum;
  candidates: number;
  excluded: Record<string, number>;
  eligible: number;
  target: string;
  selected: number;
  inclusionProbability: string;
}

export type DeadlineState = 'met' | 'met-late' | 'open' | 'overdue' | 'not-started';

export interface DeadlineView {
  state: DeadlineState;
  label: string;
  startsOn: string | null;
  dueOn: string | null;
  metOn: string | null;
  warnings: string[];
}

/** Whether the results were published within the 20 working days (judged today, not by the last scheduler run). */
export async function publicationDeadlineOf(db: Executor, taskId: string, today = shanghaiDate()): Promise<DeadlineView> {
  const d = await repo.publicationDeadline(db, taskId);
  if (!d) return { state: 'not-started', label: '检查尚未结束，公示时限尚未起算', startsOn: null, dueOn: null, metOn: null, warnings: [] };
  const warnings = json<string[]>(d.calendar_warnings, []);
  const base = { startsOn: d.starts_on, dueOn: d.due_on, metOn: d.met_on, warnings };
  if (d.state === 'met' && d.met_on) {
    return d.met_on <= d.due_on
      ? { ...base, state: 'met', label: `已按时公示（${d.met_on}，时限 ${d.due_on}）` }
      : { ...base, state: 'met-late', label: `逾期公示（${d.met_on}，时限 ${d.due_on}）` };
  }
  if (d.due_on < today) return { ...base, state: 'overdue', label: `已超过公示时限（${d.due_on}），结果尚未全部公示` };
  return { ...base, state: 'open', label: `公示时限 ${d.due_on}（检查结束后 20 个工作日内）` };
}

/** Everything the task page shows. 404 for a task that is not public (a draft, or approved without a draw). */
export async function publicTask(db: Executor, id: string) {
  const t = await repo.findPublicTask(db, id);
  if (!t) throw new NotFoundError(`没有编号为 ${id} 的已公开抽查任务`, 'TASK_NOT_FOUND');
  const matterCodes = JSON.parse(t.matters) as string[];
  const matterRows = new Map((await repo.mattersByCode(db, matterCodes)).map((m) => [m.code, m]));
  const deptCodes = departmentsOfTask(t.departments);
  const depts = await departmentMap(db, deptCodes);
  const filters = JSON.parse(t.filters) as { entityTypes?: string[]; industryCodes?: string[]; streets?: string[]; tags?: string[] };
  const selection = JSON.parse(t.selection) as { mode: 'rates'; rates: Record<string, string | number> } | { mode: 'total'; total: number; weights: Record<string, string | number> };
  const excludeStrata = JSON.parse(t.exclude_strata) as { stratum: Stratum; reason: string }[];
  const exclusions = JSON.parse(t.exclusions) as { yearlyCap?: number | null; lookbackDays?: number | null };

  const allDraws = await repo.drawsOfTask(db, id);
  const live = allDraws.find((d) => d.id === t.draw_id) ?? allDraws.find((d) => d.status !== 'voided');
  const summary = live?.summary ? (JSON.parse(live.summary) as { strata: StoredStratum[] }) : null;
  const strata = STRATA.map((s) => {
    const setting = selection.mode === 'rates' ? selection.rates[s] : selection.weights[s];
    const excluded = excludeStrata.find((e) => e.stratum === s);
    const st = summary?.strata.find((x) => x.stratum === s);
    return {
      stratum: s,
      label: stratumLabel(s),
      rate: selection.mode === 'rates' && setting !== undefined ? percentOf(String(setting)) : null,
      weight: selection.mode === 'total' && setting !== undefined ? String(setting) : null,
      excludedReason: excluded?.reason ?? null,
      candidates: st?.candidates ?? null,
      excludedCount: st ? Object.values(st.excluded).reduce((a, b) => a + b, 0) : null,
      eligible: st?.eligible ?? null,
      selected: st?.selected ?? null,
      inclusionProbability: st ? percentOf(st.inclusionProbability) : null,
      inclusionProbabilityExact: st?.inclusionProbability ?? null,
    };
  }).filter((s) => s.rate !== null || s.weight !== null || s.excludedReason !== null || (s.candidates ?? 0) > 0);

  const selected = live && live.drawn_at ? await repo.selectionsOfDraw(db, live.id) : [];
  const results = await listPublishedResults(db, { taskId: id }, { limit: 1000, offset: 0 });
  return {
    id: t.id,
    name: t.name,
    number: t.number,
    plan: { id: t.plan_id, title: t.plan_title, year: Number(t.year) },
    status: t.status,
    statusLabel: TASK_STATUS_LABELS[t.status],
    window: { start: t.window_start, end: t.window_end },
    method: t.method,
    leadDepartment: { code: t.lead_department, name: depts.get(t.lead_department) ?? t.lead_department },
    departments: deptCodes.map((code) => ({ code, name: depts.get(code) ?? code })),
    matters: matterCodes.map((code) => {
      const m = matterRows.get(code);
      return { code, name: m?.name ?? code, importance: m ? MATTER_IMPORTANCE_LABELS[m.importance as MatterImportance] : null };
    }),
    scope: {
      directed: Boolean(filters.entityTypes?.length || filters.industryCodes?.length || filters.streets?.length || filters.tags?.length),
      entityTypes: (filters.entityTypes ?? []).map(entityTypeLabel),
      industryCodes: filters.industryCodes ?? [],
      streets: filters.streets ?? [],
      tags: filters.tags ?? [],
      yearlyCap: exclusions.yearlyCap ?? null,
      lookbackDays: exclusions.lookbackDays ?? null,
      stratifyBy: t.stratify_by as 'credit' | 'sector',
    },
    selectionMode: selection.mode,
    total: selection.mode === 'total' ? selection.total : null,
    strata,
    randomnessSource: t.randomness_source,
    draw: live
      ? {
          id: live.id,
          status: live.status,
          commitment: live.commitment,
          committedAt: live.committed_at,
          randomnessSource: live.randomness_source,
          randomness: live.randomness_typed,
          randomnessNormalized: live.randomness_normalized,
          workingSeed: live.working_seed,
          seededAt: live.seeded_at,
          drawnAt: live.drawn_at,
          resultDigest: live.result_digest,
          bundleUrl: live.drawn_at ? `/api/v1/draws/${live.id}/bundle` : null,
        }
      : null,
    voidedDraws: allDraws
      .filter((d) => d.status === 'voided')
      .map((d) => ({ id: d.id, commitment: d.commitment, committedAt: d.committed_at, voidedAt: d.voided_at, reason: d.void_reason, bundleUrl: d.drawn_at ? `/api/v1/draws/${d.id}/bundle` : null })),
    selected: selected.map((s) => ({ rank: s.rank, uscc: s.uscc, name: publicEntityName(s, s.uscc) })),
    results: results.items,
    resultsTotal: results.total,
    deadline: await publicationDeadlineOf(db, id),
  };
}
export type PublicTask = Awaited<ReturnType<typeof publicTask>>;

// ------------------------------------------------------------------------------------ open data

export interface Page {
  limit: number;
  offset: number;
}

/** One published result, in the stable open-data shape (docs/open-data.md). */
export interface PublicResult {
  resultId: string;
  uscc: string;
  entityName: string;
  entityType: string;
  street: string | null;
  year: number;
  tasks: { id: string; name: string }[];
  departments: { code: string; name: string }[];
  inspectedOn: string;
  method: string;
  resultCodes: string[];
  resultLabels: string[];
  followUp: string[];
  publishedAt: string | null;
}

export async function listPublishedResults(db: Executor, filter: repo.ResultFilter, page: Page): Promise<{ items: PublicResult[]; total: number; limit: number; offset: number }> {
  const { rows, total } = await repo.listPublishedResults(db, filter, page);
  const taskIds = [...new Set(rows.flatMap((r) => JSON.parse(r.task_ids) as string[]))];
  const tasks = new Map((await repo.tasksByIds(db, taskIds)).map((t) => [t.id, t]));
  const depts = await departmentMap(db, [...tasks.values()].flatMap((t) => departmentsOfTask(t.departments)));
  const items = rows.map((r) => {
    const ids = JSON.parse(r.task_ids) as string[];
    const codes = JSON.parse(r.codes) as string[];
    const deptCodes = [...new Set(ids.flatMap((tid) => (tasks.get(tid) ? departmentsOfTask(tasks.get(tid)!.departments) : [])))];
    return {
      resultId: r.id,
      uscc: r.uscc,
      entityName: publicEntityName(r, r.uscc),
      entityType: entityTypeLabel(r.entity_type),
      street: r.street,
      year: Number(r.year),
      tasks: ids.map((tid) => ({ id: tid, name: tasks.get(tid)?.name ?? tid })),
      departments: deptCodes.map((code) => ({ code, name: depts.get(code) ?? code })),
      inspectedOn: r.inspected_on,
      method: r.method,
      resultCodes: codes,
      resultLabels: codes.map((c) => RESULT_CODES[c] ?? c),
      followUp: JSON.parse(r.follow_up) as string[],
      publishedAt: r.published_at,
    };
  });
  return { items, total, limit: page.limit, offset: page.offset };
}

/** One draw of a task, in the stable open-data shape (docs/open-data.md). */
export interface PublicDraw {
  drawId: string;
  taskId: string;
  taskName: string;
  year: number;
  window: { start: string; end: string };
  status: string;
  algorithm: string;
  commitment: string;
  committedAt: string;
  randomnessSource: string;
  randomness: string | null;
  randomnessNormalized: string | null;
  workingSeed: string | null;
  seededAt: string | null;
  drawnAt: string | null;
  resultDigest: string | null;
  selectedCount: number;
  voidedAt: string | null;
  voidReason: string | null;
  bundleUrl: string | null;
}

export async function listPublicDraws(db: Executor, filter: repo.DrawFilter, page: Page): Promise<{ items: PublicDraw[]; total: number; limit: number; offset: number }> {
  const { rows, total } = await repo.listPublicDraws(db, filter, page);
  const items = rows.map((d) => ({
    drawId: d.id,
    taskId: d.task_key,
    taskName: d.task_name,
    year: Number(d.year),
    window: { start: d.window_start, end: d.window_end },
    status: d.status,
    algorithm: d.algorithm,
    commitment: d.commitment,
    committedAt: d.committed_at,
    randomnessSource: d.randomness_source,
    randomness: d.randomness_typed,
    randomnessNormalized: d.randomness_normalized,
    workingSeed: d.working_seed,
    seededAt: d.seeded_at,
    drawnAt: d.drawn_at,
    resultDigest: d.result_digest,
    selectedCount: Number(d.selected ?? 0),
    voidedAt: d.voided_at,
    voidReason: d.void_reason,
    bundleUrl: d.drawn_at ? `/api/v1/draws/${d.id}/bundle` : null,
  }));
  return { items, total, limit: page.limit, offset: page.offset };
}

// ------------------------------------------------------------------------------------ entities

export interface EntityHit {
  uscc: string;
  name: string;
  entityType: string;
  street: string | null;
}

/**
 * Entities that appear in a task's draw or in a published result, by part of the name (as
 * published: a masked operator's name cannot be searched for) or of the USCC.
 */
export async function searchEntities(db: Executor, q: string, limit = 50): Promise<EntityHit[]> {
  const text = q.trim();
  if (!text) return [];
  const upper = text.toUpperCase();
  const hits: EntityHit[] = [];
  for (const o of await repo.searchPublicEntities(db, text, limit * 4)) {
    const name = publicEntityName(o, o.uscc);
    if (!name.includes(text) && !o.uscc.includes(upper)) continue;
    hits.push({ uscc: o.uscc, name, entityType: entityTypeLabel(o.entity_type), street: o.street });
    if (hits.length >= limit) break;
  }
  return hits;
}

/** An entity's public record: draws it was selected in, published results. No grade, no personal data. */
export async function publicEntity(db: Executor, uscc: string) {
  const o = await repo.findPublicEntity(db, uscc);
  if (!o) throw new NotFoundError(`没有统一社会信用代码为 ${uscc} 的公开抽查记录`, 'ENTITY_NOT_FOUND');
  const selections = await repo.selectionsOfEntity(db, uscc);
  const results = await listPublishedResults(db, { uscc }, { limit: 500, offset: 0 });
  return {
    uscc: o.uscc,
    name: publicEntityName(o, o.uscc),
    entityType: entityTypeLabel(o.entity_type),
    street: o.street,
    registrationStatus: REGISTRATION_STATUS_LABELS[o.registration_status as RegistrationStatus] ?? o.registration_status,
    selections: selections.map((s) => ({
      drawId: s.draw_id,
      taskId: s.task_id,
      taskName: s.task_name,
      window: { start: s.window_start, end: s.window_end },
      drawnAt: s.drawn_at,
      voided: s.status === 'voided',
      voidedAt: s.voided_at,
    })),
    results: results.items,
  };
}

// ------------------------------------------------------------------------------------ statistics

/** Codes meaning a problem was found (A/E and the kinds under them, 8 不配合检查情节严重). */
export const PROBLEM_CODES = ['A', 'E', '2', 'B', 'C', '6', 'D', '3', '4', '5', '8'] as const;
/** A grade with fewer published results than this is not shown in the aggregate. */
export const MIN_GROUP = 5;

export const hasProblem = (codes: readonly string[]) => codes.some((c) => (PROBLEM_CODES as readonly string[]).includes(c));

/** Published results per result code (a result counts once under each code it has). */
export async function resultsByCategory(db: Executor, year?: number) {
  const counts = new Map<string, number>();
  const facts = await repo.publishedResultFacts(db, year);
  for (const f of facts) for (const c of JSON.parse(f.codes) as string[]) counts.set(c, (counts.get(c) ?? 0) + 1);
  return {
    results: facts.length,
    categories: RESULT_CODE_ORDER.filter((c) => counts.has(c)).map((code) => ({ code, label: RESULT_CODES[code], count: counts.get(code)! })),
  };
}

/** Published results per street and month of inspection. */
export async function inspectionsByStreetMonth(db: Executor, year?: number) {
  const counts = new Map<string, number>();
  const facts = await repo.publishedResultFacts(db, year);
  for (const f of facts) {
    const key = `${f.street ?? '未知'}|${f.inspected_on.slice(0, 7)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return {
    results: facts.length,
    cells: [...counts.entries()]
      .map(([k, count]) => {
        const [street, month] = k.split('|');
        return { street, month, count };
      })
      .sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : a.street < b.street ? -1 : a.street > b.street ? 1 : 0)),
  };
}

/**
 * Share of published results that found a problem, per credit grade the entity was drawn in
 * (its stratum at the draw; only tasks stratified by credit grade). Aggregate only: a grade with
 * fewer than MIN_GROUP results is left out, and no entity is named.
 */
export async function problemRateByGrade(db: Executor, year?: number) {
  const facts = await repo.publishedResultFacts(db, year);
  const taskIds = [...new Set(facts.flatMap((f) => JSON.parse(f.task_ids) as string[]))];
  const tasks = (await repo.tasksByIds(db, taskIds)).filter((t) => t.stratify_by === 'credit' && t.draw_id);
  const drawOf = new Map(tasks.map((t) => [t.id, t.draw_id!]));
  const strata = new Map((await repo.selectionStrata(db, [...new Set(drawOf.values())])).map((s) => [`${s.draw_id}|${s.uscc}`, s.stratum]));
  const groups = new Map<string, { results: number; withProblems: number }>();
  for (const f of facts) {
    let stratum: string | undefined;
    for (const t of JSON.parse(f.task_ids) as string[]) {
      const d = drawOf.get(t);
      stratum = d ? strata.get(`${d}|${f.uscc}`) : undefined;
      if (stratum) break;
    }
    if (!stratum) continue;
    const g = groups.get(stratum) ?? { results: 0, withProblems: 0 };
    g.results++;
    if (hasProblem(JSON.parse(f.codes) as string[])) g.withProblems++;
    groups.set(stratum, g);
  }
  const shown = STRATA.filter((s) => (groups.get(s)?.results ?? 0) >= MIN_GROUP).map((s) => {
    const g = groups.get(s)!;
    return { stratum: s, label: stratumLabel(s), results: g.results, withProblems: g.withProblems, rate: g.withProblems / g.results };
  });
  return { minGroup: MIN_GROUP, groups: shown, hidden: STRATA.filter((s) => groups.has(s) && groups.get(s)!.results < MIN_GROUP).length };
}

// ------------------------------------------------------------------------------------ check codes

/** 32 characters without 0/O and 1/I, so a code read aloud or typed from paper is unambiguous. */
export const CHECK_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CHECK_CODE_LENGTH = 10;
const CHECK_SECRET_KEY = 'check-code-secret';

/** 10 characters (50 bits) of HMAC-SHA256(secret, "check-code/1|" + visit id + "|" + attempt). */
export function deriveCheckCode(secretHex: string, visitId: string, attempt = 1): string {
  const mac = crypto.createHmac('sha256', Buffer.from(secretHex, 'hex')).update(`check-code/1|${visitId}|${attempt}`).digest();
  let bits = 0n;
  for (let i = 0; i < 7; i++) bits = (bits << 8n) | BigInt(mac[i]);
  bits >>= 6n; // 56 → 50 bits
  let out = '';
  for (let k = CHECK_CODE_LENGTH - 1; k >= 0; k--) out += CHECK_CODE_ALPHABET[Number((bits >> BigInt(5 * k)) & 31n)];
  return out;
}

/** What a person typed, as a code: upper case, without spaces and dashes. Undefined if it cannot be one. */
export function normalizeCheckCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s\-_]/g, '');
  return new RegExp(`^[${CHECK_CODE_ALPHABET}]{${CHECK_CODE_LENGTH}}$`).test(code) ? code : undefined;
}

/**
 * The check code of a visit (检查核验码), created and stored on first use. Deterministic for a visit
 * (derived from the service's secret and the visit id); unique across visits (a collision, which
 * 50 bits make practically impossible, takes the next attempt). Call it where the code is shown:
 * the printed notice and the assignment.
 */
export async function checkCodeOfVisit(db: Executor, visitId: string, now = new Date()): Promise<string> {
  const existing = await repo.findCheckCode(db, visitId);
  if (existing) return existing.code;
  if (!(await repo.findVisit(db, visitId))) throw new NotFoundError(`没有编号为 ${visitId} 的检查`, 'VISIT_NOT_FOUND');
  const secret = await repo.getSecret(db, CHECK_SECRET_KEY, () => crypto.randomBytes(32).toString('hex'), nowIso(now));
  for (let attempt = 1; attempt <= 8; attempt++) {
    const code = deriveCheckCode(secret, visitId, attempt);
    const owner = await repo.visitIdOfCode(db, code);
    if (owner && owner !== visitId) continue;
    await repo.insertCheckCode(db, { visit_id: visitId, code, created_at: nowIso(now) });
    break;
  }
  const stored = await repo.findCheckCode(db, visitId);
  if (!stored) throw new Error(`no check code could be stored for visit ${visitId}`);
  return stored.code;
}

/** The address a check code's QR image leads to. */
export function checkUrl(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/check?code=${encodeURIComponent(code)}`;
}

export type CheckOutcome =
  | { ok: true; code: string; visit: Awaited<ReturnType<typeof checkedVisit>> }
  | { ok: false; code: string; reason: 'format' | 'unknown' };

async function checkedVisit(db: Executor, visit: NonNullable<Awaited<ReturnType<typeof repo.findVisit>>>) {
  const taskIds = JSON.parse(visit.task_ids) as string[];
  const team = JSON.parse(visit.team) as string[];
  const matterCodes = JSON.parse(visit.matters) as string[];
  const [tasks, matters, officers, entity, notice] = await Promise.all([
    repo.tasksByIds(db, taskIds),
    repo.mattersByCode(db, matterCodes),
    repo.inspectorDepartments(db, team),
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

/** What the entity sees for a code it typed: the task, the dates and the team's certificate numbers, or that the code is wrong. */
export async function lookupCheckCode(db: Executor, input: string): Promise<CheckOutcome> {
  const code = normalizeCheckCode(input);
  if (!code) return { ok: false, code: input.trim().slice(0, 40), reason: 'format' };
  const visitId = await repo.visitIdOfCode(db, code);
  const visit = visitId ? await repo.findVisit(db, visitId) : undefined;
  if (!visit) return { ok: false, code, reason: 'unknown' };
  return { ok: true, code, visit: await checkedVisit(db, visit) };
}
