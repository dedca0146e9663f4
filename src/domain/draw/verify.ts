/**
 * Verifies a bundle (docs/draw-algorithm.md §11): the public level from the public files alone,
 * the full level by recomputing the whole draw and checking every team rule on its own.
 * Stops at the first difference and says what it is.
 */
import { sha256Hex } from './hash.ts';
import {
  FILE_NAMES, PUBLIC_FILES, commitmentOf, gradeCommitment, parseCanonicalFiles, parseManifest, parseParams, type CanonicalFiles,
} from './canonical.ts';
import { computeDraw, resultCsvOf, resultCsvOfRows } from './draw.ts';
import { BUNDLE_FORMAT, type DrawBundle } from './bundle.ts';
import { canonicalJson } from '../canonicalJson.ts';
import { STRATA, type DrawParams, type Stratum } from './params.ts';
import { Rational } from './rational.ts';
import { deriveWorkingSeed, normalizeRandomness, ALGORITHM } from './seed.ts';
import { EXCLUSION_RULES, roundTargets, roundingOffsets, targets } from './select.ts';
import { lastOfficers } from './teams.ts';
import { compareTickets, seedHash, ticketOf } from './tickets.ts';

export interface Opening {
  uscc: string;
  stratum: Stratum;
  salt: string;
}

export interface VerifyOptions {
  /** The commitment published before the seed; the bundle must carry the same. */
  expectedCommitment?: string;
  opening?: Opening;
}

export interface VerifyReport {
  ok: boolean;
  level: 'public' | 'full';
  /** What was checked, in order (Chinese, for people). */
  checked: string[];
  /** The first difference (Chinese), when not ok. */
  difference?: string;
  /** The opening's outcome, when one was given. */
  opening?: { uscc: string; stratum: Stratum; selected: boolean; eligible: boolean; ticket: string; cutoff: string | null };
}

class Difference extends Error {}

/** Compares what the bundle says with what was recomputed (JSON values; key order ignored). */
function expectEqual(what: string, inBundle: unknown, recomputed: unknown): void {
  const a = canonicalJson(inBundle ?? null);
  const e = canonicalJson(recomputed ?? null);
  if (a !== e) throw new Difference(`${what}不一致：包中为 ${truncate(a)}，重新计算得 ${truncate(e)}`);
}

function truncate(s: string | undefined): string {
  if (s === undefined) return 'undefined';
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new Difference(message);
}

export function verifyBundle(bundle: DrawBundle, options: VerifyOptions = {}): VerifyReport {
  const level = bundle?.level === 'full' ? 'full' : 'public';
  const checked: string[] = [];
  const report: VerifyReport = { ok: false, level, checked };
  try {
    check(bundle?.format === BUNDLE_FORMAT, `不是 double-random 抽取包（format 应为 ${BUNDLE_FORMAT}）`);
    check(bundle.algorithm === ALGORITHM, `算法版本 ${bundle.algorithm} 不受支持（应为 ${ALGORITHM}）`);

    // 1. Files, manifest, commitment.
    const digests = parseManifest(bundle.manifest);
    const needed = level === 'full' ? FILE_NAMES : PUBLIC_FILES;
    for (const name of needed) {
      const content = bundle.files[name];
      check(typeof content === 'string', `包中缺少文件 ${name}`);
      expectEqual(`文件 ${name} 的 SHA-256（清单所列）`, digests[name], sha256Hex(content!));
    }
    expectEqual('承诺值（清单的 SHA-256）', bundle.commitment, commitmentOf(bundle.manifest));
    if (options.expectedCommitment) expectEqual('承诺值与事先公布的承诺值（后者为“重新计算”一栏）', bundle.commitment, options.expectedCommitment.trim().toLowerCase());
    checked.push('各文件摘要与清单一致，承诺值正确');

    // 2. Seed.
    expectEqual('规范化后的随机数', bundle.randomness.normalized, normalizeRandomness(bundle.randomness.typed));
    expectEqual('工作种子', bundle.workingSeed, deriveWorkingSeed(bundle.commitment, bundle.randomness.normalized));
    const hash = seedHash(bundle.workingSeed);
    const params: DrawParams = parseParams(bundle.files as Pick<CanonicalFiles, 'params.json'>);
    expectEqual('取整偏移量', bundle.roundingOffsets, roundingOffsets(params.selection.mode, hash));
    checked.push('工作种子由承诺值和公开随机数导出');

    // 3. Counts and probabilities from the published N_S.
    const frame = frameUsccs(bundle.files['frame.csv']!);
    check(bundle.strata.map((s) => s.stratum).join() === STRATA.join(), '分层列表应为 A、B、C、D、U');
    const eligible = {} as Record<Stratum, number>;
    let candidates = 0;
    for (const s of bundle.strata) {
      const excludedTotal = Object.values(s.excluded).reduce((a, b) => a + b, 0);
      expectEqual(`${s.stratum} 层可抽数（候选数减排除数）`, s.eligible, s.candidates - excludedTotal);
      eligible[s.stratum] = s.eligible;
      candidates += s.candidates;
    }
    expectEqual('候选对象总数与 frame.csv 行数', candidates, frame.size);
    const x = targets(params, eligible);
    const n = roundTargets(x, params.selection.mode, bundle.roundingOffsets);
    for (const s of bundle.strata) {
      expectEqual(`${s.stratum} 层目标数 x`, s.target, x[s.stratum].toString());
      expectEqual(`${s.stratum} 层抽取数 n`, s.selected, n[s.stratum]);
      const pi = s.eligible > 0 ? x[s.stratum].div(Rational.of(s.eligible)) : Rational.of(0);
      expectEqual(`${s.stratum} 层入选概率`, s.inclusionProbability, pi.toString());
    }
    const excludedSet = new Map(bundle.excluded.map((e) => [e.uscc, e.rule]));
    // The public bundle lists history-rule exclusions only (a stratum's own would give grades away).
    const listedRules = level === 'full' ? EXCLUSION_RULES : EXCLUSION_RULES.filter((r) => r !== 'stratum-excluded');
    expectEqual(
      '被排除对象数',
      bundle.excluded.length,
      bundle.strata.reduce((a, s) => a + listedRules.reduce((p, r) => p + (s.excluded[r] ?? 0), 0), 0),
    );
    if (level === 'public') check(bundle.excluded.every((e) => e.rule !== 'stratum-excluded'), '公开包不应逐一列出因等级整体排除的对象');
    for (const e of bundle.excluded) check(frame.has(e.uscc), `被排除的 ${e.uscc} 不在候选名单 frame.csv 中`);
    checked.push('各层目标数、取整、抽取数和入选概率可由公开数据重算');

    // 4. Selection: tickets, order, membership, cutoffs.
    expectEqual('抽中对象总数', bundle.selection.length, STRATA.reduce((a, s) => a + n[s], 0));
    const seen = new Set<string>();
    bundle.selection.forEach((row, i) => {
      expectEqual(`第 ${i + 1} 个抽中对象的序号`, row.rank, i + 1);
      check(frame.has(row.uscc), `抽中的 ${row.uscc} 不在候选名单 frame.csv 中`);
      check(!excludedSet.has(row.uscc), `抽中的 ${row.uscc} 已被规则排除`);
      check(!seen.has(row.uscc), `${row.uscc} 被抽中了两次`);
      seen.add(row.uscc);
      expectEqual(`${row.uscc} 的签号`, row.ticket, ticketOf(hash, row.uscc));
      if (i > 0) check(compareTickets(bundle.selection[i - 1].ticket, row.ticket) < 0, `第 ${i + 1} 个抽中对象没有按签号升序排列`);
    });
    for (const s of bundle.strata) {
      if (s.selected === 0) {
        check(s.cutoff === null, `${s.stratum} 层未抽取却有截止签号`);
        continue;
      }
      check(s.cutoff !== null && /^(0\.\d+|1)$/.test(s.cutoff), `${s.stratum} 层的截止值格式不对`);
      const under = bundle.selection.filter((r) => compareTickets(r.ticket, s.cutoff!) <= 0).length;
      check(under >= s.selected, `${s.stratum} 层截止签号以下的抽中对象少于 ${s.selected} 个`);
    }
    // Every selected ticket must fit under some stratum's cutoff with each stratum taking n_S:
    // with cutoffs ascending, the tickets above a cutoff must fit in the strata with larger ones.
    const withCutoff = bundle.strata.filter((s) => s.cutoff !== null).sort((a, b) => compareTickets(a.cutoff!, b.cutoff!));
    for (let j = 0; j < withCutoff.length; j++) {
      const above = bundle.selection.filter((r) => compareTickets(r.ticket, withCutoff[j].cutoff!) > 0).length;
      const room = withCutoff.slice(j + 1).reduce((a, s) => a + s.selected, 0);
      check(above <= room, `签号大于 ${withCutoff[j].stratum} 层截止值的抽中对象有 ${above} 个，但截止值更大的各层只能容纳 ${room} 个`);
    }
    const top = withCutoff.at(-1);
    if (top) check(bundle.selection.every((r) => compareTickets(r.ticket, top.cutoff!) <= 0), '有抽中对象的签号大于所有层的截止值');
    checkUnselectedUnderCutoffs(bundle, frame, seen, excludedSet, hash, withCutoff);
    checked.push('每个抽中对象的签号、排序和截止值均正确；截止值以下没有应抽中而未抽中的对象');

    // 5. Teams (public: size and distinct members) and the result digest.
    const teamSize = params.departments.reduce((a, d) => a + d.officersPerTeam, 0);
    for (const row of bundle.selection) {
      expectEqual(`${row.uscc} 检查组人数`, row.team.length, teamSize);
      check(new Set(row.team).size === row.team.length, `${row.uscc} 的检查组有重复人员`);
    }
    const resultCsv = resultCsvOfRows(bundle.selection);
    expectEqual('结果文件 result.csv', bundle.result, resultCsv);
    expectEqual('结果摘要', bundle.resultDigest, sha256Hex(resultCsv));
    checked.push('检查组人数和人员不重复；结果摘要正确');

    // Opening of one entity's grade commitment.
    if (options.opening) report.opening = checkOpening(bundle, options.opening, hash, excludedSet);

    if (level === 'full') verifyFull(bundle, checked);
    report.ok = true;
  } catch (e) {
    if (!(e instanceof Difference || (e as Error).name === 'CanonicalFormatError' || e instanceof SyntaxError || e instanceof TypeError)) throw e;
    report.difference = (e as Error).message;
  }
  return report;
}

/**
 * What the public can check about the entities that were *not* selected (docs/draw-algorithm.md
 * §11): an eligible entity whose ticket is at or below its stratum's cutoff must have been
 * selected. The public does not know an unselected entity's stratum, but it knows the cutoffs:
 * an unselected, not history-excluded entity with a ticket at or below the cutoff c_j can only
 * be in a stratum excluded as a whole, in a stratum that selected nobody, or in a stratum whose
 * cutoff is below c_j (which leaves N_S − n_S unselected). So, for every cutoff c_j, the count
 * of such entities must not exceed
 *   stratum-excluded + Σ_{n_S = 0} N_S + Σ_{cutoff_S < c_j} (N_S − n_S).
 * A selection from which an entity that had to be selected was removed (and everything after it
 * recomputed) fails this check.
 */
function checkUnselectedUnderCutoffs(
  bundle: DrawBundle,
  frame: Set<string>,
  selected: Set<string>,
  excluded: Map<string, string>,
  hash: string,
  withCutoff: DrawBundle['strata'],
): void {
  if (!withCutoff.length) return;
  const wholeStrata = bundle.strata.reduce((a, s) => a + (s.excluded['stratum-excluded'] ?? 0), 0);
  const emptyStrata = bundle.strata.filter((s) => s.selected === 0).reduce((a, s) => a + s.eligible, 0);
  const tickets: string[] = [];
  for (const uscc of frame) if (!selected.has(uscc) && !excluded.has(uscc)) tickets.push(ticketOf(hash, uscc));
  for (const c of withCutoff) {
    const under = tickets.filter((t) => compareTickets(t, c.cutoff!) <= 0).length;
    const lower = withCutoff.filter((s) => compareTickets(s.cutoff!, c.cutoff!) < 0).reduce((a, s) => a + (s.eligible - s.selected), 0);
    const bound = wholeStrata + emptyStrata + lower;
    check(
      under <= bound,
      `未抽中且未被排除、签号不大于 ${c.stratum} 层截止值的对象有 ${under} 个，但最多只能有 ${bound} 个（整层排除 ${wholeStrata}、未抽取各层 ${emptyStrata}、截止值更小各层未抽中 ${lower}）：有应被抽中的对象没有被抽中`,
    );
  }
}

function frameUsccs(frameCsv: string): Set<string> {
  return new Set(
    frameCsv
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(',')[0]),
  );
}

function checkOpening(bundle: DrawBundle, o: Opening, hash: string, excluded: Map<string, string>) {
  const line = bundle.files['frame.csv']!.split('\n').find((l) => l.startsWith(`${o.uscc},`));
  check(line !== undefined, `${o.uscc} 不在本次抽取的候选名单中`);
  expectEqual(`${o.uscc} 的等级承诺（打开值重算为“重新计算”一栏）`, line!.split(',')[1], gradeCommitment(o.uscc, o.stratum, o.salt));
  const ticket = ticketOf(hash, o.uscc);
  const stratum = bundle.strata.find((s) => s.stratum === o.stratum)!;
  const params = parseParams(bundle.files as Pick<CanonicalFiles, 'params.json'>);
  const eligible = !excluded.has(o.uscc) && !params.excludeStrata.some((e) => e.stratum === o.stratum);
  const selected = bundle.selection.some((r) => r.uscc === o.uscc);
  const shouldBe = eligible && stratum.cutoff !== null && compareTickets(ticket, stratum.cutoff) <= 0;
  check(selected === shouldBe, `${o.uscc}（${o.stratum} 层）的签号${shouldBe ? '不大于' : '大于'}该层截止签号，应${shouldBe ? '' : '不'}被抽中，但包中${selected ? '抽中' : '未抽中'}`);
  return { uscc: o.uscc, stratum: o.stratum, selected, eligible, ticket, cutoff: stratum.cutoff };
}

/** Full level: recompute everything from the six files and check every team rule on its own. */
function verifyFull(bundle: DrawBundle, checked: string[]): void {
  const files = bundle.files as CanonicalFiles;
  const inputs = parseCanonicalFiles(files);
  for (const e of inputs.frame) {
    expectEqual(`${e.uscc} 的等级承诺`, inputs.gradeCommitments.get(e.uscc), gradeCommitment(e.uscc, e.stratum, inputs.salts.get(e.uscc)!));
  }
  checked.push('候选名单中的等级承诺与 strata.csv 一致');
  const c = computeDraw(files, bundle.workingSeed);
  expectEqual('被排除对象及其规则', bundle.excluded, c.selection.excluded);
  c.selection.strata.forEach((s, i) => {
    const b = bundle.strata[i];
    expectEqual(`${s.stratum} 层候选数`, b.candidates, s.candidates);
    expectEqual(`${s.stratum} 层排除数`, b.excluded, s.excluded);
    expectEqual(`${s.stratum} 层截止签号`, b.cutoff, s.cutoff);
  });
  check(Object.keys(c.teams.shortfalls).length === 0, `重新计算时检查组无法配齐：${JSON.stringify(c.teams.shortfalls)}`);
  const selected = bundle.selection.map((r) => r.uscc);
  expectEqual('抽中对象（按层重新抽取）', selected, c.selection.selected.map((s) => s.uscc));
  checked.push('排除规则、各层可抽数和抽中对象均由完整输入重新计算一致');
  bundle.selection.forEach((r, i) => expectEqual(`${r.uscc} 的检查组（按 §9 重新分配）`, r.team, c.teams.teams[i]));
  expectEqual('结果文件 result.csv', bundle.result, resultCsvOf(c.selection, c.teams.teams));

  // Every team rule, checked independently of the assignment procedure.
  const officers = new Map(inputs.officers.map((o) => [o.certificateNo, o]));
  const conflicts = new Set(inputs.conflicts.map((x) => `${x.certificateNo}|${x.uscc}`));
  const last = lastOfficers(inputs.history);
  const load = new Map<string, number>();
  for (const r of bundle.selection) {
    for (const d of inputs.params.departments) {
      const mine = r.team.filter((cert) => officers.get(cert)?.department === d.code);
      expectEqual(`${r.uscc} 的检查组中 ${d.code} 的人数`, mine.length, d.officersPerTeam);
    }
    for (const cert of r.team) {
      check(officers.has(cert), `${r.uscc} 的检查组成员 ${cert} 不在合格执法人员名单 inspectors.csv 中`);
      check(!conflicts.has(`${cert}|${r.uscc}`), `${cert} 与 ${r.uscc} 有回避关系，却被派去检查`);
      check(!(last.get(r.uscc)?.has(cert) ?? false), `${cert} 上次检查过 ${r.uscc}，本次不应再派`);
      load.set(cert, (load.get(cert) ?? 0) + 1);
    }
  }
  for (const [cert, n] of load) check(n <= officers.get(cert)!.capacity, `${cert} 被分派 ${n} 户，超过其剩余年度容量 ${officers.get(cert)!.capacity}`);
  checked.push('检查组按 §9 重新分配一致，且每条规则（部门人数、回避、上次检查人员、年度容量）均满足');
}
