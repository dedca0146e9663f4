/**
 * The verifiable draw as a workflow: commit (freeze canonical inputs), seed (public randomness,
 * only after the commitment), run (pure computation, written in one transaction), void, and
 * publish bundles. The computation itself lives in src/domain/draw.
 */
import type { Actor } from '../domain/actor.ts';
import crypto from 'node:crypto';
import type { DbHandle } from '../db/connection.ts';
import type { Executor } from '../db/connection.ts';
import * as repo from '../db/repositories/draws.ts';
import * as referenceRepo from '../db/repositories/reference.ts';
import type { DrawSummary } from '../db/schema.ts';
import { toJson } from '../db/json.ts';
import { inTransaction, isUniqueViolation } from '../db/tx.ts';
import { AppError, ConflictError, NotFoundError, ValidationError, type Problem } from '../domain/errors.ts';
import {
  buildCanonicalFiles, manifestOf, commitmentOf, CanonicalFormatError, FILE_NAMES, type CanonicalFiles,
} from '../domain/draw/canonical.ts';
import { computeDraw, resultCsvOfRows } from '../domain/draw/draw.ts';
import { buildBundle, bundleResultOf, type BundleResult, type BundleStratum, type DrawBundle } from '../domain/draw/bundle.ts';
import { Rational } from '../domain/draw/rational.ts';
import type { ExclusionRule } from '../domain/draw/select.ts';
import { normalizeParams, passesFilters, STRATA, type DrawParams, type Stratum } from '../domain/draw/params.ts';
import { deriveWorkingSeed, normalizeRandomness, ALGORITHM } from '../domain/draw/seed.ts';
import { minusDays, type FrameEntity, type HistoryRow } from '../domain/draw/select.ts';
import { sha256Hex } from '../domain/draw/hash.ts';
import { nowIso } from '../domain/time.ts';
import { failpoint } from './failpoints.ts';
import { audit } from './auditTrail.ts';

/** What a run stores beside its selections (enough to rebuild a bundle without recomputing). */
type StoredSummary = DrawSummary;


const SECRET_KEY = 'grade-salt-secret';

function zodProblems(e: unknown): Problem[] {
  const issues = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
  return issues.map((i) => ({ path: i.path.map(String).join('.'), code: 'INVALID_PARAMETER', message: i.message }));
}

/** Parses and checks a parameter set; errors name each problem. */
export function parseDrawParams(input: unknown, attempt = 1): DrawParams {
  try {
    return normalizeParams(input, attempt);
  } catch (e) {
    const problems = zodProblems(e);
    if (!problems.length) throw e;
    throw new ValidationError(
      `抽取参数有误 (${problems.length} 处)：${problems.map((p) => `${p.path || '参数'}：${p.message}`).join('；')}`,
      problems,
      'INVALID_DRAW_PARAMETERS',
    );
  }
}

/** Reads the registry as it is now into the draw's inputs (§2–3 of docs/draw-algorithm.md). */
export async function gatherDrawInputs(db: Executor, params: DrawParams) {
  const problems: Problem[] = [];
  const departments = await referenceRepo.departmentsByCode(db, params.departments.map((d) => d.code));
  for (const d of params.departments) {
    if (!departments.some((x) => x.code === d.code)) problems.push({ path: 'departments', code: 'UNKNOWN_DEPARTMENT', message: `部门 ${d.code} 不存在` });
  }
  const matters = await referenceRepo.mattersByCode(db, params.matters);
  for (const code of params.matters) {
    const m = matters.find((x) => x.code === code);
    if (!m) problems.push({ path: 'matters', code: 'UNKNOWN_MATTER', message: `事项 ${code} 不在已公布的抽查事项清单中，不能检查` });
    else if (!params.departments.some((d) => d.code === m.department_code)) {
      problems.push({ path: 'matters', code: 'MATTER_DEPARTMENT_ABSENT', message: `事项 ${code} 属于部门 ${m.department_code}，但该部门未参加本任务` });
    }
  }
  if (problems.length) throw new ValidationError(`抽取参数与名录不符：${problems.map((p) => p.message).join('；')}`, problems, 'INVALID_DRAW_PARAMETERS');

  // Frame: active entities passing the filters, in their stratum (credit or sector grade, never mixed).
  const frame: FrameEntity[] = [];
  const f = params.filters;
  const gradeColumn = params.stratifyBy === 'credit' ? 'credit_grade' : 'sector_grade';
  const columns: repo.FrameColumn[] = [gradeColumn];
  if (f.entityTypes.length) columns.push('entity_type');
  if (f.industryCodes.length) columns.push('industry_code');
  if (f.streets.length) columns.push('street');
  if (f.tags.length) columns.push('tags');
  const filtered = columns.length > 1;
  for (const o of await repo.scanActiveObjects(db, columns)) {
    if (
      filtered &&
      !passesFilters(f, {
        entityType: o.entity_type ?? '',
        industryCode: o.industry_code ?? null,
        street: o.street ?? null,
        tags: o.tags ?? [],
      })
    ) {
      continue;
    }
    frame.push({ uscc: o.uscc, stratum: (o[gradeColumn] ?? 'U') as Stratum });
  }
  const present = new Set(frame.map((f) => f.stratum));
  const values = params.selection.mode === 'rates' ? params.selection.rates : params.selection.weights;
  const missing = STRATA.filter((s) => present.has(s) && values[s] === undefined && !params.excludeStrata.some((e) => e.stratum === s));
  if (missing.length) {
    throw new ValidationError(
      `候选对象中有 ${missing.join('、')} 类主体，但参数没有给出其抽查比例（或权重）；任何等级都不能被静默排除：请补上比例，或在 excludeStrata 中排除并写明理由`,
      missing.map((s) => ({ path: `selection.${s}`, code: 'STRATUM_WITHOUT_RATE', message: `缺少 ${s} 的比例或权重` })),
      'STRATUM_WITHOUT_RATE',
    );
  }

  // Officers: certified, active, valid over the window, qualified for their department's matters.
  const used = await repo.capacityUsed(db, params.year);
  const officers = [];
  for (const o of await repo.officersCovering(db, params.departments.map((d) => d.code), params.window.start, params.window.end)) {
    const quals = new Set(o.qualifications);
    const needed = matters.filter((m) => m.department_code === o.department_code).map((m) => m.code);
    if (!needed.every((m) => quals.has(m))) continue;
    officers.push({ certificateNo: o.certificate_no, department: o.department_code, capacity: Math.max(0, o.yearly_capacity - (used.get(o.certificate_no) ?? 0)) });
  }
  const frameSet = new Set(frame.map((f) => f.uscc));
  const conflicts = (await repo.conflictsOf(db, officers.map((o) => o.certificateNo)))
    .filter((c) => frameSet.has(c.uscc))
    .map((c) => ({ certificateNo: c.certificate_no, uscc: c.uscc }));

  // History: visits the rules read (this year, the look-back window, each entity's latest).
  const all: HistoryRow[] = [];
  for (const h of await repo.allPastInspections(db)) {
    if (frameSet.has(h.uscc)) all.push({ uscc: h.uscc, date: h.inspected_on, department: h.department_code, officers: h.officers });
  }
  for (const v of await repo.liveDrawVisits(db)) {
    if (frameSet.has(v.uscc)) all.push({ uscc: v.uscc, date: v.window_start, department: `draw:${v.commitment.slice(0, 16)}`, officers: v.team });
  }
  const latest = new Map<string, string>();
  for (const h of all) if (h.date > (latest.get(h.uscc) ?? '')) latest.set(h.uscc, h.date);
  const from = params.exclusions.lookbackDays ? minusDays(params.window.start, params.exclusions.lookbackDays) : null;
  const history = all.filter((h) => h.date.startsWith(`${params.year}-`) || (from !== null && h.date >= from) || latest.get(h.uscc) === h.date);
  return { params, frame, officers, conflicts, history };
}

async function gradeSecret(db: Executor, now: string): Promise<string> {
  return repo.getOrCreateSetting(db, SECRET_KEY, () => crypto.randomBytes(32).toString('hex'), now);
}

/** A commitment computed from the registry, not yet stored (see writeCommit). */
export interface PreparedCommit {
  id: string;
  taskKey: string;
  params: DrawParams;
  files: CanonicalFiles;
  manifest: string;
  commitment: string;
  now: string;
}

/**
 * Freezes the inputs into canonical files and computes the commitment. Reads only: the long
 * part runs outside any transaction, and writeCommit stores it in the caller's.
 */
export async function prepareCommit(db: Executor, input: unknown, actor: Actor, opts: { taskKey?: string } = {}): Promise<PreparedCommit> {
  const taskKey = opts.taskKey ?? parseDrawParams(input).task;
  const params = parseDrawParams(input, (await repo.listDraws(db, taskKey)).length + 1);
  const now = nowIso(actor.now);
  let files: CanonicalFiles;
  try {
    const inputs = await gatherDrawInputs(db, params);
    files = buildCanonicalFiles(inputs, await gradeSecret(db, now));
  } catch (e) {
    if (e instanceof CanonicalFormatError) throw new ValidationError(e.message, [], 'CANONICAL_FORMAT');
    throw e;
  }
  const manifest = manifestOf(files);
  return { id: crypto.randomUUID(), taskKey, params, files, manifest, commitment: commitmentOf(manifest), now };
}

/** Stores a prepared commitment with its audit entry, inside the caller's transaction. */
export async function writeCommit(trx: Executor, c: PreparedCommit, actor: Actor): Promise<void> {
  try {
    await repo.insertDraw(trx, {
      id: c.id,
      task_key: c.taskKey,
      task: c.params.task,
      year: c.params.year,
      window_start: c.params.window.start,
      window_end: c.params.window.end,
      status: 'committed',
      algorithm: ALGORITHM,
      params: c.files['params.json'],
      manifest: c.manifest,
      commitment: c.commitment,
      randomness_source: c.params.randomnessSource,
      committed_at: c.now,
      committed_by: actor.name,
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new ConflictError(`任务“${c.params.task}”已有一次未作废的抽取；如需重抽，请先作废原抽取并写明理由（double-random draw void）`, 'TASK_HAS_LIVE_DRAW');
    }
    throw e;
  }
  await repo.insertDrawFiles(trx, FILE_NAMES.map((name) => ({ draw_id: c.id, name, sha256: sha256Hex(c.files[name]), content: c.files[name] })));
  await audit(trx, actor, 'draw.commit', 'draw', c.id, null, { task: c.params.task, taskKey: c.taskKey, commitment: c.commitment, attempt: c.params.attempt });
}

/** Freezes the inputs and stores the commitment: publishable before any seed exists. */
export async function commitDraw(db: Executor, input: unknown, actor: Actor, opts: { taskKey?: string } = {}) {
  const prepared = await prepareCommit(db, input, actor, opts);
  await inTransaction(db, (trx) => writeCommit(trx, prepared, actor));
  return getDraw(db, prepared.id);
}

function notFound(id: string) {
  return new NotFoundError(`没有编号为 ${id} 的抽取记录`, 'DRAW_NOT_FOUND');
}

async function mustFind(db: Executor, id: string) {
  const d = await repo.findDraw(db, id);
  if (!d) throw notFound(id);
  return d;
}

/** Enters the public randomness; accepted only once, and only after the commitment exists. */
export async function seedDraw(db: Executor, id: string, typed: string, actor: Actor) {
  const normalized = normalizeRandomness(typed ?? '');
  if (!normalized) throw new ValidationError('随机数为空：请输入事先公布的来源产生的公开随机数', [{ path: 'randomness', code: 'EMPTY_RANDOMNESS', message: '随机数为空' }], 'EMPTY_RANDOMNESS');
  if (normalized.length > 1000) throw new ValidationError('随机数过长（超过 1000 个字符）', [], 'RANDOMNESS_TOO_LONG');
  await inTransaction(db, async (trx) => {
    const d = await mustFind(trx, id);
    if (d.status !== 'committed') {
      throw new ConflictError(
        d.status === 'voided' ? `抽取 ${id} 已作废，不能再录入随机数` : `抽取 ${id} 已于 ${d.seeded_at} 录入随机数，不能更改`,
        d.status === 'voided' ? 'DRAW_VOIDED' : 'DRAW_ALREADY_SEEDED',
      );
    }
    const workingSeed = deriveWorkingSeed(d.commitment, normalized);
    const ok = await repo.transition(trx, id, 'committed', {
      status: 'seeded',
      randomness_typed: typed,
      randomness_normalized: normalized,
      working_seed: workingSeed,
      seeded_at: nowIso(actor.now),
      seeded_by: actor.name,
    });
    if (!ok) throw new ConflictError(`抽取 ${id} 的随机数已由他人录入`, 'DRAW_ALREADY_SEEDED');
    await audit(trx, actor, 'draw.seed', 'draw', id, null, { randomness: typed, normalized, workingSeed });
  });
  return getDraw(db, id);
}

export class TeamShortfallError extends AppError {
  constructor(readonly shortfalls: Record<string, number>) {
    const parts = Object.entries(shortfalls).map(([d, n]) => `${d} 缺 ${n} 个人次`);
    super(
      422,
      'TEAM_SHORTFALL',
      `检查组无法配齐，未写入任何结果：${parts.join('，')}（已考虑回避、上次检查人员和年度容量）。请增加合格执法人员或调整任务后重新承诺`,
      Object.entries(shortfalls).map(([d, n]) => ({ path: `departments.${d}`, code: 'TEAM_SHORTFALL', message: `${d} 缺 ${n} 个人次` })),
    );
  }
}

/** A draw computed from its committed files and seed, not yet stored (see writeRun). */
export interface PreparedRun {
  id: string;
  computed: ReturnType<typeof computeDraw>;
  departmentOf: Map<string, string>;
  summary: StoredSummary;
}

/** Computes the draw (reads only, outside any transaction); refuses a draw that cannot run. */
export async function prepareRun(db: Executor, id: string): Promise<PreparedRun> {
  const d = await mustFind(db, id);
  if (d.status === 'committed') throw new ConflictError(`抽取 ${id} 还没有录入公开随机数（double-random draw seed）`, 'DRAW_NOT_SEEDED');
  if (d.status !== 'seeded') throw new ConflictError(`抽取 ${id} 当前状态为 ${d.status}，不能执行`, d.status === 'voided' ? 'DRAW_VOIDED' : 'DRAW_ALREADY_RUN');
  const files = (await repo.drawFiles(db, id)) as CanonicalFiles;
  const c = computeDraw(files, d.working_seed!);
  if (Object.keys(c.teams.shortfalls).length) throw new TeamShortfallError(c.teams.shortfalls);
  const departmentOf = new Map<string, string>();
  for (const line of files['inspectors.csv'].split('\n').slice(1)) {
    const [cert, dept] = line.split(',');
    if (cert) departmentOf.set(cert, dept);
  }
  const bundled = bundleResultOf(c);
  const summary: StoredSummary = {
    strata: bundled.strata.map(({ targetDecimal: _t, inclusionProbabilityDecimal: _p, ...s }) => s),
    roundingOffsets: bundled.roundingOffsets,
    excluded: bundled.excluded,
    repairs: c.teams.repairs,
    loads: c.teams.loads,
  };
  return { id, computed: c, departmentOf, summary };
}

/**
 * Writes a computed draw (selections, teams, status, audit entry) inside the caller's
 * transaction; the conditional status move makes a second writer fail whole.
 */
export async function writeRun(trx: Executor, r: PreparedRun, actor: Actor): Promise<void> {
  const { id, computed: c } = r;
  try {
    await repo.insertSelections(
      trx,
      c.selection.selected.map((s, i) => ({ draw_id: id, rank: i + 1, uscc: s.uscc, stratum: s.stratum, ticket: s.ticket, team: toJson(c.teams.teams[i]) })),
    );
    failpoint('draw:after-selections');
    await repo.insertTeamMembers(
      trx,
      c.selection.selected.flatMap((s, i) => c.teams.teams[i].map((cert) => ({ draw_id: id, rank: i + 1, uscc: s.uscc, certificate_no: cert, department_code: r.departmentOf.get(cert)! }))),
    );
    failpoint('draw:after-team-members');
  } catch (e) {
    // The other process's rows collide with ours: it drew first, and ours rolls back whole.
    if (isUniqueViolation(e)) throw new ConflictError(`抽取 ${id} 已由另一进程执行`, 'DRAW_ALREADY_RUN');
    throw e;
  }
  const ok = await repo.transition(trx, id, 'seeded', {
    status: 'drawn',
    drawn_at: nowIso(actor.now),
    drawn_by: actor.name,
    result_digest: c.resultDigest,
    summary: toJson(r.summary),
  });
  if (!ok) throw new ConflictError(`抽取 ${id} 已由另一进程执行`, 'DRAW_ALREADY_RUN');
  await audit(trx, actor, 'draw.run', 'draw', id, null, { resultDigest: c.resultDigest, selected: c.selection.selected.length });
  failpoint('draw:before-commit');
}

/** Runs the draw from the committed files and writes it in one transaction. */
export async function runDraw(db: Executor, id: string, actor: Actor) {
  const prepared = await prepareRun(db, id);
  await inTransaction(db, (trx) => writeRun(trx, prepared, actor));
  return getDraw(db, id);
}

/** Voids a draw with a reason; it stays visible and counts against its task. */
export async function voidDraw(db: Executor, id: string, reason: string, actor: Actor) {
  const why = (reason ?? '').trim();
  if (why.length < 4) throw new ValidationError('作废抽取必须写明理由（至少 4 个字）', [{ path: 'reason', code: 'REASON_REQUIRED', message: '缺少作废理由' }], 'REASON_REQUIRED');
  await inTransaction(db, async (trx) => {
    const d = await mustFind(trx, id);
    if (d.status === 'voided') throw new ConflictError(`抽取 ${id} 已于 ${d.voided_at} 作废`, 'DRAW_VOIDED');
    const ok = await repo.transition(trx, id, d.status, { status: 'voided', voided_at: nowIso(actor.now), voided_by: actor.name, void_reason: why });
    if (!ok) throw new ConflictError(`抽取 ${id} 的状态刚被他人改变，请重试`, 'DRAW_CHANGED');
    await audit(trx, actor, 'draw.void', 'draw', id, { status: d.status }, { status: 'voided', reason: why });
  });
  return getDraw(db, id);
}

export async function getDraw(db: Executor, id: string) {
  const d = await mustFind(db, id);
  const summary = d.summary;
  return {
    id: d.id,
    task: d.task,
    status: d.status,
    algorithm: d.algorithm,
    year: d.year,
    window: { start: d.window_start, end: d.window_end },
    commitment: d.commitment,
    manifest: d.manifest,
    randomnessSource: d.randomness_source,
    committedAt: d.committed_at,
    committedBy: d.committed_by,
    randomness: d.randomness_typed === null ? null : { typed: d.randomness_typed, normalized: d.randomness_normalized, workingSeed: d.working_seed, enteredAt: d.seeded_at, enteredBy: d.seeded_by },
    drawnAt: d.drawn_at,
    resultDigest: d.result_digest,
    strata: summary?.strata ?? null,
    selectedCount: d.status === 'drawn' || (d.status === 'voided' && d.drawn_at) ? await repo.countSelections(db, id) : 0,
    voided: d.voided_at ? { at: d.voided_at, by: d.voided_by, reason: d.void_reason } : null,
    voidedDrawsOfTask: await repo.countVoided(db, d.task_key),
    params: repo.paramsOf(d),
  };
}

export async function listDraws(db: Executor, task?: string) {
  const rows = await repo.listDraws(db, task);
  return Promise.all(rows.map((r) => getDraw(db, r.id)));
}

export async function drawSelections(db: Executor, id: string) {
  await mustFind(db, id);
  return (await repo.selectionsOf(db, id)).map((s) => ({ rank: s.rank, uscc: s.uscc, ticket: s.ticket, team: s.team }));
}

const PSEUDONYM_KEY = 'staff-pseudonym-key';

/**
 * What the public bundle says about who acted: a pseudonymous staff id, never the name (the
 * public site shows no officer's or staff member's name). The same person always gets the same
 * id in this installation (an HMAC under a secret kept in the database), so an observer can still
 * see that one person did two steps; only the auditors' full bundle and the audit trail name them.
 */
async function staffPseudonym(db: Executor, name: string): Promise<string> {
  const key = await repo.getOrCreateSetting(db, PSEUDONYM_KEY, () => crypto.randomBytes(32).toString('hex'), nowIso());
  return `staff-${crypto.createHmac('sha256', key).update(name, 'utf8').digest('hex').slice(0, 12)}`;
}

/** The public or full bundle of a drawn (or drawn then voided) draw. */
export async function exportBundle(db: Executor, id: string, level: 'public' | 'full'): Promise<DrawBundle> {
  const d = await mustFind(db, id);
  if (!d.drawn_at || !d.summary) throw new ConflictError(`抽取 ${id} 还没有执行，没有可导出的结果`, 'DRAW_NOT_RUN');
  const files = (await repo.drawFiles(db, id)) as CanonicalFiles;
  const summary = d.summary;
  const selections = await repo.selectionsOf(db, id);
  const selection = selections.map((s) => ({ rank: s.rank, uscc: s.uscc, ticket: s.ticket, team: s.team }));
  const result: BundleResult = {
    strata: summary.strata.map((s) => ({
      ...s,
      targetDecimal: Rational.parse(s.target).toDecimal(),
      inclusionProbabilityDecimal: Rational.parse(s.inclusionProbability).toDecimal(),
    })),
    roundingOffsets: summary.roundingOffsets,
    excluded: summary.excluded,
    selection,
    result: resultCsvOfRows(selection),
    resultDigest: d.result_digest!,
  };
  return buildBundle(level, files, result, {
    id: d.id,
    status: d.status,
    committedAt: d.committed_at,
    seededAt: d.seeded_at!,
    seededBy: level === 'full' ? d.seeded_by! : await staffPseudonym(db, d.seeded_by!),
    drawnAt: d.drawn_at,
    voided: d.voided_at ? { at: d.voided_at, by: level === 'full' ? d.voided_by! : await staffPseudonym(db, d.voided_by!), reason: d.void_reason! } : null,
    randomnessTyped: d.randomness_typed!,
    randomnessNormalized: d.randomness_normalized!,
    workingSeed: d.working_seed!,
    manifest: d.manifest,
    commitment: d.commitment,
  });
}

/** The opening of one entity's grade commitment, for that entity (regulator only). */
export async function gradeOpening(db: Executor, id: string, uscc: string) {
  await mustFind(db, id);
  const files = await repo.drawFiles(db, id);
  const line = files['strata.csv'].split('\n').find((l) => l.startsWith(`${uscc},`));
  if (!line) throw new NotFoundError(`${uscc} 不在抽取 ${id} 的候选名单中`, 'NOT_IN_FRAME');
  const [, stratum, salt] = line.split(',');
  return { drawId: id, uscc, stratum: stratum as Stratum, salt };
}

export type { DbHandle };
