/**
 * Measures how many credit grades a PUBLIC draw bundle gives away (security issue, hole 10).
 *
 * A public bundle carries no grades, but every frame entity's ticket can be recomputed from the
 * working seed (docs/draw-algorithm.md §5), and the bundle publishes, per stratum, the cutoff
 * c_S, the counts (candidates, exclusions by rule, N_S, n_S), the selection and the entities
 * excluded by the history rules. `inferGrades` returns, for every frame entity, the exact set of
 * strata that is consistent with ALL of that data, i.e. the strata S for which some assignment
 * of strata to the whole frame reproduces the published bundle with the entity in S.
 *
 * The constraints, all derived from §6–8 and §11 of docs/draw-algorithm.md:
 *
 *  1. Groups. Every frame entity is in exactly one publicly known group: selected; excluded by a
 *     history rule (yearly-cap or lookback: listed one by one in `excluded`); or "neither" (an
 *     eligible entity that was not selected, or an entity of a stratum left out by
 *     `excludeStrata`, which the public bundle only counts).
 *  2. Per-entity ticket rules (§8: an eligible entity of S is selected iff ticket ≤ c_S):
 *     - selected in S ⇒ S is not in excludeStrata, c_S ≠ null and ticket ≤ c_S;
 *     - "neither" in S ⇒ S is in excludeStrata, or c_S = null (n_S = 0), or ticket > c_S;
 *     - history-excluded ⇒ S is not in excludeStrata (that rule is tested first, §6).
 *  3. Exact counts per group and stratum (quotas): selected in S = n_S; "neither" in S =
 *     (N_S − n_S) + excluded_S[stratum-excluded]; excluded by rule r in S = excluded_S[r].
 *     Each group is a transportation problem (entities → allowed strata, exact quotas);
 *     feasibility is decided exactly with Hall's condition over every set of columns (strata,
 *     or their slots as in 4: at most 2^10 sets).
 *  4. The cutoff is the SHORTEST decimal between the stratum's last selected ticket and its first
 *     unselected eligible ticket (§8). When c_S is neither null nor "1" this means exactly:
 *     - some "neither" entity of S has a ticket starting with c_S (the first unselected one);
 *     - some selected entity of S has a ticket starting with c_S minus its last digit and
 *       below c_S (the last selected one).
 *     "At least one of these witnesses is in S" is made exact inside the transportation problem
 *     by splitting S's quota q_S into one witness slot (quota 1, open to the witnesses only) and
 *     the rest (quota q_S − 1): an assignment meets the constraint iff it can fill that slot.
 *
 * The candidate set of an entity is then exact: S is a candidate iff the transportation problem
 * stays feasible with the entity put in (a slot of) S. (The test compares it with a brute force
 * over every assignment on small frames.) It measures one bundle on its own: intersecting the
 * candidate sets of several bundles drawn from the same registry would reveal more.
 *
 * Teams, rounding offsets and grade commitments carry no grade information (teams depend only
 * on the selection, officers, conflicts and history; the commitments are salted) and are not
 * used. The function is pure: it reads only the public fields of the bundle it is given (the
 * extra files of a full bundle are ignored).
 *
 * CLI: node --import tsx tools/grade-inference.ts <public-bundle.json> [--full full-bundle.json]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DrawBundle, BundleStratum } from '../src/domain/draw/bundle.ts';
import { parseCanonicalFiles, parseParams, type CanonicalFiles } from '../src/domain/draw/canonical.ts';
import { STRATA, STRATUM_LABELS, type Stratum } from '../src/domain/draw/params.ts';
import type { ExclusionRule } from '../src/domain/draw/select.ts';
import { compareTickets, seedHash, ticketOf } from '../src/domain/draw/tickets.ts';
import { verifyBundle } from '../src/domain/draw/verify.ts';

/** What the public bundle says about an entity, independently of its grade. */
export type PublicStatus = 'selected' | 'not-selected' | 'yearly-cap' | 'lookback';

export interface EntityInference {
  uscc: string;
  ticket: string;
  status: PublicStatus;
  /** The strata consistent with all public data, in the order A, B, C, D, U. */
  candidates: Stratum[];
}

export interface GradeInferenceSummary {
  /** Frame entities. */
  entities: number;
  /** Entities with exactly one candidate stratum. */
  determined: number;
  /** Determined entities by their (inferred) stratum. */
  byStratum: Record<Stratum, number>;
}

export interface GradeInference {
  drawId: string;
  commitment: string;
  entities: EntityInference[];
  summary: GradeInferenceSummary;
  /** Entities by number of candidate strata (1 = determined). */
  byCandidateCount: Record<number, number>;
}

export interface InferOptions {
  /**
   * Which constraints to use (for measuring what each one gives away): 'tickets' = the
   * per-entity rules only (constraint 2), 'counts' = plus the exact counts (3), 'all' = plus the
   * structure of the cutoffs (4). Default 'all'.
   */
  constraints?: 'tickets' | 'counts' | 'all';
}

export class InconsistentBundleError extends Error {
  override name = 'InconsistentBundleError';
}

type Group = 'selected' | 'not-selected' | Exclude<ExclusionRule, 'stratum-excluded'>;
const HISTORY_RULES = ['yearly-cap', 'lookback'] as const;
const bit = (i: number) => 1 << i;
const strataOf = (mask: number): Stratum[] => STRATA.filter((_, i) => mask & bit(i));

/**
 * Transportation feasibility by Hall's condition (the supply–demand theorem): entities grouped
 * by the mask of columns they may take (`counts[mask]`) can be given columns with exactly
 * `quota[j]` entities in column j iff the totals agree and, for every set X of columns, the
 * entities allowed only inside X fit X's quota. At most 10 columns (5 strata, each possibly
 * split into a witness slot and the rest), so 2^10 sets.
 */
class Transport {
  private readonly full: number;
  /** sub[X] = entities whose mask ⊆ X; q[X] = quota of X. */
  private readonly sub: Int32Array;
  private readonly q: Int32Array;
  readonly ok: boolean;

  constructor(
    counts: Map<number, number>,
    private readonly quota: number[],
  ) {
    const k = quota.length;
    this.full = (1 << k) - 1;
    this.sub = new Int32Array(this.full + 1);
    this.q = new Int32Array(this.full + 1);
    for (const [m, c] of counts) this.sub[m] += c;
    // Sum over subsets (zeta transform), and the quota of every set of columns.
    for (let j = 0; j < k; j++) for (let x = 0; x <= this.full; x++) if (x & bit(j)) this.sub[x] += this.sub[x ^ bit(j)];
    for (let x = 1; x <= this.full; x++) {
      const low = x & -x;
      this.q[x] = this.q[x ^ low] + quota[31 - Math.clz32(low)];
    }
    this.ok = quota.every((v) => v >= 0) && this.holds(-1, -1);
  }

  /** Hall's condition with one entity of mask `m` and one slot of column `j` taken out (−1: none). */
  private holds(m: number, j: number): boolean {
    if (j >= 0 && this.quota[j] < 1) return false;
    for (let x = 0; x <= this.full; x++) {
      const entities = this.sub[x] - (m >= 0 && (m & ~x) === 0 ? 1 : 0);
      const slots = this.q[x] - (j >= 0 && x & bit(j) ? 1 : 0);
      // The set of all columns compares the totals: they must be equal, not just ≤.
      if (x === this.full ? entities !== slots : entities > slots) return false;
    }
    return true;
  }

  /** Columns (as a mask) an entity of mask m can take in some feasible assignment. */
  columns(m: number): number {
    let out = 0;
    for (let j = 0; j < this.quota.length; j++) if (m & bit(j) && this.holds(m, j)) out |= bit(j);
    return out;
  }
}

/** frame.csv's USCCs (header `uscc,grade_commitment`, sorted, LF-terminated). */
function frameUsccs(frameCsv: string | undefined): string[] {
  const header = 'uscc,grade_commitment\n';
  if (typeof frameCsv !== 'string' || !frameCsv.startsWith(header)) throw new InconsistentBundleError('bundle has no valid frame.csv');
  return frameCsv
    .slice(header.length)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(0, l.indexOf(',')));
}

interface Member {
  index: number;
  /** Allowed strata (constraint 2). */
  mask: number;
}

/**
 * The set of strata consistent with all public data of a draw bundle, for every frame entity.
 * Throws InconsistentBundleError when no assignment of strata reproduces the bundle (a bundle
 * that does not verify, or one this model does not describe).
 */
export function inferGrades(bundle: DrawBundle, options: InferOptions = {}): GradeInference {
  const level = options.constraints ?? 'all';

  const params = parseParams(bundle.files as Pick<CanonicalFiles, 'params.json'>);
  const excludedStrata = new Set(params.excludeStrata.map((e) => e.stratum));
  const strata = STRATA.map((s) => {
    const found = bundle.strata.find((b) => b.stratum === s);
    if (!found) throw new InconsistentBundleError(`bundle has no summary for stratum ${s}`);
    return found;
  });
  const hash = seedHash(bundle.workingSeed);
  const usccs = frameUsccs(bundle.files['frame.csv']);
  const inFrame = new Set(usccs);
  const tickets = usccs.map((u) => ticketOf(hash, u));

  const selected = new Set<string>();
  for (const row of bundle.selection) {
    if (!inFrame.has(row.uscc) || selected.has(row.uscc)) throw new InconsistentBundleError(`the selection is not a set of frame entities (${row.uscc})`);
    if (ticketOf(hash, row.uscc) !== row.ticket) throw new InconsistentBundleError(`the published ticket of ${row.uscc} is not its ticket`);
    selected.add(row.uscc);
  }
  // Only the history rules are public one by one (a full bundle also lists stratum exclusions).
  const listed = new Map<string, Group>();
  for (const e of bundle.excluded) if (e.rule !== 'stratum-excluded') listed.set(e.uscc, e.rule);

  const groupOf = (u: string): Group => (selected.has(u) ? 'selected' : (listed.get(u) ?? 'not-selected'));
  const quotaOf = (g: Group, s: BundleStratum): number =>
    g === 'selected' ? s.selected : g === 'not-selected' ? s.eligible - s.selected + (s.excluded['stratum-excluded'] ?? 0) : (s.excluded[g] ?? 0);

  // Constraint 2 (and, as existence only, the quotas being non-zero).
  const allowed = (g: Group, ticket: string): number => {
    let mask = 0;
    strata.forEach((s, i) => {
      if (quotaOf(g, s) <= 0) return;
      const left = excludedStrata.has(s.stratum);
      let ok: boolean;
      if (g === 'selected') ok = !left && s.cutoff !== null && compareTickets(ticket, s.cutoff) <= 0;
      else if (g === 'not-selected') ok = left || s.cutoff === null || compareTickets(ticket, s.cutoff) > 0;
      else ok = !left;
      if (ok) mask |= bit(i);
    });
    return mask;
  };

  const groups = new Map<Group, Member[]>([['selected', []], ['not-selected', []], ...HISTORY_RULES.map((r) => [r, []] as [Group, Member[]])]);
  for (let i = 0; i < usccs.length; i++) {
    const g = groupOf(usccs[i]);
    const mask = allowed(g, tickets[i]);
    if (mask === 0) throw new InconsistentBundleError(`no stratum is consistent with ${usccs[i]} (${g})`);
    groups.get(g)!.push({ index: i, mask });
  }

  // Constraint 4: per stratum with a proper cutoff, the witnesses of its first unselected
  // ("not-selected" group) and last selected ("selected" group) tickets.
  const witnesses = new Map<Group, Map<number, Set<number>>>([['selected', new Map()], ['not-selected', new Map()]]);
  if (level === 'all') {
    strata.forEach((s, i) => {
      if (s.cutoff === null || s.cutoff === '1') return;
      const c = s.cutoff;
      const below = c.slice(0, -1);
      const next = groups.get('not-selected')!.filter((m) => m.mask & bit(i) && tickets[m.index].startsWith(c));
      const last = groups.get('selected')!.filter((m) => m.mask & bit(i) && tickets[m.index].startsWith(below) && compareTickets(tickets[m.index], c) < 0);
      if (!next.length || !last.length) throw new InconsistentBundleError(`the cutoff of stratum ${s.stratum} is not the shortest decimal between two of its tickets`);
      witnesses.get('not-selected')!.set(i, new Set(next.map((m) => m.index)));
      witnesses.get('selected')!.set(i, new Set(last.map((m) => m.index)));
    });
  }

  const result = new Array<number>(usccs.length).fill(0);
  for (const [g, members] of groups) {
    if (level === 'tickets') {
      for (const m of members) result[m.index] = m.mask;
      continue;
    }
    // Columns: each stratum, split into [witness slot, rest] when it has a witness constraint.
    const ws = witnesses.get(g) ?? new Map<number, Set<number>>();
    const quota: number[] = [];
    const stratumOfColumn: number[] = [];
    const rest: number[] = [];
    const slot = new Map<number, number>();
    strata.forEach((s, i) => {
      // A witness is allowed in S, so S's quota in this group is at least 1 when ws has S.
      const q = quotaOf(g, s);
      if (ws.has(i)) {
        slot.set(i, quota.length);
        quota.push(1);
        stratumOfColumn.push(i);
      }
      rest[i] = quota.length;
      quota.push(q - (ws.has(i) ? 1 : 0));
      stratumOfColumn.push(i);
    });
    const columnMask = (m: Member): number => {
      let cm = 0;
      for (let i = 0; i < STRATA.length; i++) {
        if (!(m.mask & bit(i))) continue;
        cm |= bit(rest[i]);
        if (ws.get(i)?.has(m.index)) cm |= bit(slot.get(i)!);
      }
      return cm;
    };
    const masks = members.map(columnMask);
    const counts = new Map<number, number>();
    for (const cm of masks) counts.set(cm, (counts.get(cm) ?? 0) + 1);
    const t = new Transport(counts, quota);
    if (!t.ok) throw new InconsistentBundleError(`no assignment of strata reproduces the published counts (${g})`);
    const byMask = new Map<number, number>();
    for (const cm of counts.keys()) {
      const cols = t.columns(cm);
      let strataMask = 0;
      for (let j = 0; j < quota.length; j++) if (cols & bit(j)) strataMask |= bit(stratumOfColumn[j]);
      byMask.set(cm, strataMask);
    }
    members.forEach((m, k) => (result[m.index] = byMask.get(masks[k])!));
  }

  const entities: EntityInference[] = usccs.map((uscc, i) => ({ uscc, ticket: tickets[i], status: groupOf(uscc) as PublicStatus, candidates: strataOf(result[i]) }));
  const byStratum = Object.fromEntries(STRATA.map((s) => [s, 0])) as Record<Stratum, number>;
  const byCandidateCount: Record<number, number> = {};
  let determined = 0;
  for (const e of entities) {
    if (e.candidates.length === 0) throw new InconsistentBundleError(`no stratum is consistent with ${e.uscc}`);
    byCandidateCount[e.candidates.length] = (byCandidateCount[e.candidates.length] ?? 0) + 1;
    if (e.candidates.length === 1) {
      determined++;
      byStratum[e.candidates[0]]++;
    }
  }
  return {
    drawId: bundle.draw?.id,
    commitment: bundle.commitment,
    entities,
    summary: { entities: entities.length, determined, byStratum },
    byCandidateCount,
  };
}

/** uscc → true stratum, from a full bundle's strata.csv. */
export function trueStrata(fullBundle: DrawBundle): Map<string, Stratum> {
  const inputs = parseCanonicalFiles(fullBundle.files as CanonicalFiles, { withCommitments: false });
  return new Map(inputs.frame.map((e) => [e.uscc, e.stratum]));
}

// ------------------------------------------------------------------ CLI

const percent = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(2)}%` : '0%');

function readBundle(file: string, what: string): DrawBundle {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`找不到${what}文件：${file}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as DrawBundle;
  } catch (e) {
    throw new UsageError(`${what}文件 ${file} 不是有效的 JSON：${(e as Error).message}`);
  }
}

class UsageError extends Error {}

const USAGE = '用法：node --import tsx tools/grade-inference.ts <公开包.json> [--full 完整包.json]';

export function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): number {
  try {
    let publicFile: string | undefined;
    let fullFile: string | undefined;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === '--full') {
        fullFile = argv[++i];
        if (!fullFile) throw new UsageError(`--full 后面缺少完整包文件\n${USAGE}`);
      } else if (a.startsWith('--full=')) fullFile = a.slice('--full='.length);
      else if (a === '-h' || a === '--help') {
        out(USAGE);
        return 0;
      } else if (a.startsWith('-')) throw new UsageError(`不认识的选项 ${a}\n${USAGE}`);
      else if (publicFile === undefined) publicFile = a;
      else throw new UsageError(`多余的参数 ${a}\n${USAGE}`);
    }
    if (!publicFile) throw new UsageError(USAGE);

    const pub = readBundle(publicFile, '公开包');
    if (pub.level !== 'public') out(`注意：${publicFile} 不是公开包（level = ${pub.level}），只使用其中公开包也有的数据。`);
    const report = verifyBundle(pub);
    if (!report.ok) {
      out(`✗ 公开包未通过验证，无法推断：${report.difference}`);
      return 1;
    }
    const inferred = inferGrades(pub);
    const ticketsOnly = inferGrades(pub, { constraints: 'tickets' }).summary.determined;
    const withCounts = inferGrades(pub, { constraints: 'counts' }).summary.determined;
    const { summary } = inferred;

    out(`抽取 ${pub.draw?.id ?? '（未知编号）'}：${pub.draw?.task ?? ''}`);
    out(`承诺值：${pub.commitment}`);
    out(`候选对象共 ${summary.entities} 个；仅凭公开包即可唯一确定其信用等级（分层）的有 ${summary.determined} 个（${percent(summary.determined, summary.entities)}）。`);
    out('按等级：');
    for (const s of STRATA) out(`  ${STRATUM_LABELS[s]}：${summary.byStratum[s]} 个`);
    out('其余对象可能等级的个数：');
    for (const k of [1, 2, 3, 4, 5]) if (inferred.byCandidateCount[k]) out(`  ${k} 种：${inferred.byCandidateCount[k]} 个`);
    out('按所用约束累计：');
    out(`  仅用签号与各层截止值（及是否抽中、是否被排除）：${ticketsOnly} 个`);
    out(`  再加上各层公布的数量（N、n、排除数）：${withCounts} 个`);
    out(`  再加上截止值为“最短小数”的结构：${summary.determined} 个`);

    if (fullFile) {
      const full = readBundle(fullFile, '完整包');
      if (full.level !== 'full') throw new UsageError(`${fullFile} 不是完整包（level = ${full.level}）`);
      if (full.commitment !== pub.commitment) throw new UsageError(`完整包与公开包不是同一次抽取（承诺值不同）`);
      const fullReport = verifyBundle(full);
      if (!fullReport.ok) {
        out(`✗ 完整包未通过验证：${fullReport.difference}`);
        return 1;
      }
      const truth = trueStrata(full);
      let correct = 0;
      let truthOutside = 0;
      const wrong: string[] = [];
      for (const e of inferred.entities) {
        const t = truth.get(e.uscc);
        if (t === undefined || !e.candidates.includes(t)) truthOutside++;
        if (e.candidates.length === 1) {
          if (e.candidates[0] === t) correct++;
          else wrong.push(`${e.uscc}（推断 ${e.candidates[0]}，实际 ${t}）`);
        }
      }
      out(`与完整包核对：唯一确定的 ${summary.determined} 个等级中，正确 ${correct} 个，错误 ${wrong.length} 个。`);
      out(truthOutside === 0 ? '每个对象的真实等级都在其可能等级之中。' : `有 ${truthOutside} 个对象的真实等级不在推断的可能等级之中（推断有误）。`);
      if (wrong.length || truthOutside) {
        for (const w of wrong.slice(0, 20)) out(`  ✗ ${w}`);
        return 1;
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof InconsistentBundleError) {
      out(e instanceof InconsistentBundleError ? `✗ 公开包的数据自相矛盾，无法推断：${e.message}` : e.message);
      return 2;
    }
    throw e;
  }
}

const invokedDirectly = (() => {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return fs.realpathSync(path.resolve(entry)) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) process.exitCode = main(process.argv.slice(2));
