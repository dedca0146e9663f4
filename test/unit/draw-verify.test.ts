/**
 * Verifying bundles (docs/draw-algorithm.md §11; draw-design.md "What must hold"): honest
 * bundles verify at their level; tampered ones — including consistently tampered ones with the
 * manifest, commitment, working seed and tickets recomputed — are rejected with a message that
 * names what differs; a fully re-derived bundle is caught by the commitment published before the
 * seed; an entity's opening verifies its own status.
 */
import { describe, expect, it } from 'vitest';
import {
  buildCanonicalFiles, commitmentOf, manifestOf, parseManifest, type CanonicalFiles, type CommitInputs, type FileName,
} from '../../src/domain/draw/canonical.ts';
import { computeDraw, resultCsvOfRows } from '../../src/domain/draw/draw.ts';
import { buildBundle, bundleResultOf, type DrawBundle } from '../../src/domain/draw/bundle.ts';
import { sha256Hex } from '../../src/domain/draw/hash.ts';
import { deriveWorkingSeed, normalizeRandomness } from '../../src/domain/draw/seed.ts';
import { verifyBundle, type Opening } from '../../src/domain/draw/verify.ts';
import type { Stratum } from '../../src/domain/draw/params.ts';
import {
  REALISTIC_RATES, RANDOMNESS_TYPED, SECRET, dataLines, makeDraw, makeDrawFromFiles, metaOf, ratesParams, realisticInstance, refTicket,
  sha256,
} from '../helpers/drawFixtures.ts';

/** The realistic instance with every D entity selected (rate 1) and a few recent visits (lookback). */
function verifyInstance(): CommitInputs {
  const inst = realisticInstance('verify');
  const params = ratesParams({ ...REALISTIC_RATES, D: '1' }, { exclusions: { yearlyCap: 2, lookbackDays: 90 } });
  const recent = [1, 2, 5, 150].map((i) => ({ uscc: inst.frame[i].uscc, date: '2027-01-15', department: 'SCJG', officers: [] as string[] }));
  return { ...inst, params, history: [...inst.history, ...recent] };
}

const honest = makeDraw(verifyInstance());
const inputs = verifyInstance();
const strataOf = new Map(inputs.frame.map((e) => [e.uscc, e.stratum]));

function clone(b: DrawBundle): DrawBundle {
  return structuredClone(b);
}

/** Replaces files and re-seals the manifest and commitment around them (a consistent tamper). */
function reseal(b: DrawBundle, changed: Partial<CanonicalFiles>): void {
  const digests = parseManifest(b.manifest);
  for (const [name, content] of Object.entries(changed)) {
    digests[name as FileName] = sha256Hex(content!);
    if (b.files[name as FileName] !== undefined) b.files[name as FileName] = content;
  }
  b.manifest = manifestOf({}, digests);
  b.commitment = commitmentOf(b.manifest);
}

/** Re-ranks a selection by ticket and recomputes result.csv and its digest (a consistent tamper). */
function rewriteSelection(b: DrawBundle, rows: DrawBundle['selection']): void {
  const sorted = [...rows].sort((x, y) => (x.ticket < y.ticket ? -1 : x.ticket > y.ticket ? 1 : 0)).map((r, i) => ({ ...r, rank: i + 1 }));
  b.selection = sorted;
  b.result = resultCsvOfRows(sorted);
  b.resultDigest = sha256Hex(b.result);
}

function rejected(b: DrawBundle, options: Parameters<typeof verifyBundle>[1] = {}) {
  const report = verifyBundle(JSON.parse(JSON.stringify(b)) as DrawBundle, options);
  expect(report.ok, report.difference).toBe(false);
  expect(typeof report.difference).toBe('string');
  return report.difference!;
}

function openingOf(uscc: string): Opening {
  const line = dataLines(honest.files['strata.csv']).find((l) => l.startsWith(`${uscc},`))!;
  const [, stratum, salt] = line.split(',');
  return { uscc, stratum: stratum as Stratum, salt };
}

/** A selected entity (not the first) and an unselected eligible one of the same stratum. */
function swapPair() {
  const selected = new Set(honest.fullBundle.selection.map((r) => r.uscc));
  const excluded = new Set(honest.fullBundle.excluded.map((e) => e.uscc));
  const x = honest.fullBundle.selection.find((r, i) => i > 2 && strataOf.get(r.uscc) === 'C')!;
  const y = inputs.frame.find((e) => e.stratum === 'C' && !selected.has(e.uscc) && !excluded.has(e.uscc))!;
  return { x, y: y.uscc };
}

describe('honest bundles verify', () => {
  it('the honest draw succeeded with exclusions and a full selection', () => {
    expect(honest.computation.resultCsv).not.toBeNull();
    expect(honest.fullBundle.excluded.map((e) => e.rule)).toEqual(['lookback', 'lookback', 'lookback', 'lookback']);
    expect(honest.fullBundle.selection.length).toBeGreaterThan(40);
  });

  it('a public bundle verifies at the public level, carrying only params.json and frame.csv', () => {
    expect(Object.keys(honest.publicBundle.files).sort()).toEqual(['frame.csv', 'params.json']);
    expect(JSON.stringify(honest.publicBundle)).not.toContain(dataLines(honest.files['strata.csv'])[0].split(',')[2]); // no salts
    const report = verifyBundle(JSON.parse(JSON.stringify(honest.publicBundle)));
    expect(report).toMatchObject({ ok: true, level: 'public' });
    expect(report.difference).toBeUndefined();
  });

  it('bundles still verify after a JSON tool reorders their keys (jq -S, sort_keys=True)', () => {
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? 1 : -1)).map(([k, x]) => [k, sortKeys(x)])) : v;
    for (const b of [honest.publicBundle, honest.fullBundle]) {
      const reordered = sortKeys(JSON.parse(JSON.stringify(b))) as DrawBundle;
      expect(Object.keys(reordered)[0]).not.toBe(Object.keys(b)[0]);
      expect(verifyBundle(reordered)).toMatchObject({ ok: true, level: b.level });
    }
  });

  it('a difference message shows the bundle’s own value as the bundle’s, and the recomputed one as recomputed', () => {
    const b = clone(honest.publicBundle);
    const forged = 'f'.repeat(64);
    b.workingSeed = forged;
    const r = verifyBundle(b);
    expect(r.ok).toBe(false);
    expect(r.difference).toContain(`包中为 "${forged}"`);
    expect(r.difference).toContain(`重新计算得 "${honest.publicBundle.workingSeed}"`);
  });

  it('a full bundle verifies at the full level, and checks more than the public one', () => {
    const pub = verifyBundle(honest.publicBundle);
    const full = verifyBundle(JSON.parse(JSON.stringify(honest.fullBundle)));
    expect(full).toMatchObject({ ok: true, level: 'full' });
    expect(full.checked.length).toBeGreaterThan(pub.checked.length);
  });

  it('accepts the commitment published before the seed, however it is typed', () => {
    expect(verifyBundle(honest.fullBundle, { expectedCommitment: honest.commitment }).ok).toBe(true);
    expect(verifyBundle(honest.publicBundle, { expectedCommitment: ` ${honest.commitment.toUpperCase()}\n` }).ok).toBe(true);
  });

  it('the bundle’s working seed is SHA-256 of the version label, the commitment and the normalised randomness', () => {
    // typed '03 07 11 19 24 31 ＋ 09': NFKC turns the full-width ＋ into +, white space goes
    expect(honest.publicBundle.randomness.normalized).toBe('030711192431+09');
    expect(honest.publicBundle.workingSeed).toBe(sha256(`double-random-draw/1\n${honest.commitment}\n030711192431+09`));
  });
});

describe('tampered bundles are rejected, naming the difference', () => {
  it('a frame.csv line changed, with manifest digests and commitment recomputed: the working seed no longer matches', () => {
    for (const bundle of [honest.publicBundle, honest.fullBundle]) {
      const b = clone(bundle);
      const lines = dataLines(b.files['frame.csv']!);
      const [uscc] = lines[10].split(',');
      lines[10] = `${uscc},${sha256('a different grade commitment')}`;
      const frame = `uscc,grade_commitment\n${lines.join('\n')}\n`;
      reseal(b, { 'frame.csv': frame });
      expect(rejected(b)).toMatch(/工作种子/);
    }
  });

  it('a frame.csv line changed without resealing: the file digest differs', () => {
    const b = clone(honest.publicBundle);
    const lines = dataLines(b.files['frame.csv']!);
    lines[10] = `${lines[10].split(',')[0]},${sha256('a different grade commitment')}`;
    b.files['frame.csv'] = `uscc,grade_commitment\n${lines.join('\n')}\n`;
    expect(rejected(b)).toMatch(/frame\.csv/);
  });

  it('a manifest line changed without the commitment: the commitment differs', () => {
    const b = clone(honest.publicBundle);
    const digests = parseManifest(b.manifest);
    digests['history.csv'] = sha256('another history');
    b.manifest = manifestOf({}, digests);
    expect(rejected(b)).toMatch(/承诺值/);
  });

  it('a different randomness: rejected whether or not the working seed was recomputed', () => {
    const typed = '05 08 12 20 27 33 + 01';
    const b = clone(honest.publicBundle);
    b.randomness = { ...b.randomness, typed, normalized: normalizeRandomness(typed) };
    expect(rejected(b)).toMatch(/工作种子/);
    // the seed re-derived from the other randomness, the outcome left as it was
    const c = clone(honest.publicBundle);
    c.randomness = { ...c.randomness, typed, normalized: normalizeRandomness(typed) };
    c.workingSeed = deriveWorkingSeed(c.commitment, c.randomness.normalized);
    expect(rejected(c)).toMatch(/取整偏移量|签号/);
    // a typed value that does not normalise to the published one
    const d = clone(honest.publicBundle);
    d.randomness = { ...d.randomness, typed };
    expect(rejected(d)).toMatch(/规范化后的随机数/);
  });

  it('a different seed with offsets and every ticket recomputed: the draw no longer follows from the seed', () => {
    const b = clone(honest.fullBundle);
    const typed = '05 08 12 20 27 33 + 01';
    b.randomness = { ...b.randomness, typed, normalized: normalizeRandomness(typed) };
    b.workingSeed = deriveWorkingSeed(b.commitment, b.randomness.normalized);
    b.roundingOffsets = Object.fromEntries(Object.keys(b.roundingOffsets).map((id) => [id, refTicket(b.workingSeed, id).slice(2, 20)]));
    rewriteSelection(b, b.selection.map((r) => ({ ...r, ticket: refTicket(b.workingSeed, r.uscc) })));
    expect(rejected(b)).toMatch(/抽取数|截止|抽中对象/);
  });

  it('a selected entity swapped for an unselected one (with its correct ticket)', () => {
    const { x, y } = swapPair();
    const b = clone(honest.fullBundle);
    rewriteSelection(b, b.selection.map((r) => (r.uscc === x.uscc ? { ...r, uscc: y, ticket: refTicket(b.workingSeed, y) } : r)));
    expect(rejected(b)).toMatch(/抽中对象|截止/);
    // the public bundle with the same swap: each of the two entities, holding its opening, sees it
    const p = clone(honest.publicBundle);
    rewriteSelection(p, b.selection);
    expect(rejected(p, { opening: openingOf(x.uscc) })).toContain(x.uscc);
    expect(rejected(p, { opening: openingOf(y) })).toContain(y);
  });

  it('a selected entity that is not in the frame, or an excluded one, is rejected at the public level', () => {
    const outsider = '91500103MA5UXXXXX1';
    const excluded = honest.publicBundle.excluded[0].uscc;
    for (const intruder of [outsider, excluded]) {
      const b = clone(honest.publicBundle);
      const victim = b.selection[5];
      rewriteSelection(b, b.selection.map((r) => (r === victim ? { ...r, uscc: intruder, ticket: refTicket(b.workingSeed, intruder) } : r)));
      expect(rejected(b)).toContain(intruder);
    }
  });

  it('a changed team member', () => {
    const scjg = inputs.officers.filter((o) => o.department === 'SCJG').map((o) => o.certificateNo);
    const b = clone(honest.fullBundle);
    const row = b.selection[3];
    const replacement = scjg.find((c) => !row.team.includes(c))!;
    // SCJG's first member replaced; members stay listed SCJG first (by certificate), then SW
    const team = [...[replacement, row.team[1]].sort(), row.team[2]];
    const fixed = b.selection.map((r) => (r === row ? { ...r, team } : r));
    rewriteSelection(b, fixed);
    expect(rejected(b)).toMatch(/检查组/);
    // in a public bundle the result file no longer matches the rows …
    const p = clone(honest.publicBundle);
    p.selection = structuredClone(fixed);
    expect(rejected(p)).toMatch(/result\.csv/);
    // … and a team with a duplicate member is caught however consistent the rest is
    const q = clone(honest.publicBundle);
    rewriteSelection(q, q.selection.map((r, i) => (i === 3 ? { ...r, team: [r.team[0], r.team[0], r.team[2]] } : r)));
    expect(rejected(q)).toMatch(/重复/);
    // … or a team of the wrong size
    const s = clone(honest.publicBundle);
    rewriteSelection(s, s.selection.map((r, i) => (i === 3 ? { ...r, team: r.team.slice(1) } : r)));
    expect(rejected(s)).toMatch(/检查组人数/);
  });

  it('a changed stratum count', () => {
    const i = honest.publicBundle.strata.findIndex((s) => s.stratum === 'C');
    const b = clone(honest.publicBundle);
    b.strata[i].selected += 1;
    expect(rejected(b)).toMatch(/C 层抽取数 n/);
    // N_S and the candidate count raised together: the frame's line count contradicts them
    const c = clone(honest.publicBundle);
    c.strata[i].eligible += 1;
    c.strata[i].candidates += 1;
    expect(rejected(c)).toMatch(/候选对象总数/);
    // an exclusion moved between strata, N_S unchanged: only the full level, which recomputes the
    // exclusions from strata.csv and history.csv, can see it
    const d = clone(honest.fullBundle);
    const j = d.strata.findIndex((s) => s.excluded.lookback > 0 && s.stratum !== 'C');
    d.strata[j].excluded.lookback -= 1;
    d.strata[j].candidates -= 1;
    d.strata[i].excluded.lookback += 1;
    d.strata[i].candidates += 1;
    expect(rejected(d)).toMatch(/候选数|排除数/);
  });

  it('the lowest-ticket entity dropped from the selection and its stratum refilled from above the cutoff: caught at the public level', () => {
    // What an operator who wanted to spare one entity would publish: that entity left out, the
    // next eligible entity of its stratum taken instead, the cutoff moved up, every count intact.
    const b = clone(honest.publicBundle);
    // The lowest-ticket selected entity of a stratum with unselected entities left (D is taken whole).
    const victim = b.selection.find((r) => strataOf.get(r.uscc) !== 'D')!;
    const stratum = strataOf.get(victim.uscc)!;
    const lowestCutoff = b.strata.filter((x) => x.cutoff !== null).map((x) => x.cutoff!).sort()[0];
    expect(victim.ticket <= lowestCutoff).toBe(true);
    const selected = new Set(b.selection.map((r) => r.uscc));
    const excluded = new Set(honest.fullBundle.excluded.map((e) => e.uscc));
    const next = inputs.frame
      .filter((e) => e.stratum === stratum && !selected.has(e.uscc) && !excluded.has(e.uscc))
      .map((e) => ({ uscc: e.uscc, ticket: refTicket(b.workingSeed, e.uscc) }))
      .sort((x, y) => (x.ticket < y.ticket ? -1 : 1))[0];
    const rows = b.selection.filter((r) => r !== victim).concat([{ ...victim, uscc: next.uscc, ticket: next.ticket }]);
    rewriteSelection(b, rows);
    b.strata.find((x) => x.stratum === stratum)!.cutoff = next.ticket;
    // Every check of the selection's own rows still passes: only the unselected entities tell.
    const difference = rejected(b);
    expect(difference).toContain('应被抽中的对象没有被抽中');
    expect(difference).toMatch(/未抽中且未被排除、签号不大于 [ABCDU] 层截止值的对象有 1 个，但最多只能有 0 个/);
    // The same draw, honest: the count is within the bound.
    expect(verifyBundle(JSON.parse(JSON.stringify(honest.publicBundle)) as DrawBundle).ok).toBe(true);
  });

  it('a changed cutoff is rejected by the full level', () => {
    const b = clone(honest.fullBundle);
    const s = b.strata.find((x) => x.stratum === 'B')!;
    s.cutoff = `${s.cutoff}9`;
    expect(rejected(b)).toMatch(/B 层截止/);
  });
});

// ----------------------------------------------------------------------------- re-derived full bundles

/** Canonical files of modified inputs (same parameters, so the same salts). */
function filesWith(change: (inp: CommitInputs) => CommitInputs): CanonicalFiles {
  return buildCanonicalFiles(change(verifyInstance()), SECRET);
}

/** The lines of each file that differ from the honest files. */
function changedLines(files: CanonicalFiles): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(files) as FileName[]) {
    const a = new Set(files[name].split('\n'));
    const b = new Set(honest.files[name].split('\n'));
    const n = [...a].filter((l) => !b.has(l)).length + [...b].filter((l) => !a.has(l)).length;
    if (n) out[name] = n;
  }
  return out;
}

/**
 * A full bundle whose files were tampered and whose manifest, commitment, working seed, offsets
 * and tickets are all recomputed, but whose outcome is the honest draw (on the true inputs) for
 * that new seed — what a forger holding the real draw would publish.
 */
function rederived(tampered: CanonicalFiles): DrawBundle {
  const meta = metaOf(tampered, RANDOMNESS_TYPED);
  const real = computeDraw(honest.files, meta.workingSeed);
  return buildBundle('full', tampered, bundleResultOf(real), meta);
}

describe('full bundles with a changed input line', () => {
  const histTampered = filesWith((inp) => ({ ...inp, history: [...inp.history, { uscc: inp.frame[3].uscc, date: '2027-02-01', department: 'SCJG', officers: [] }] }));
  const strataTampered = filesWith((inp) => {
    const target = inp.frame.find((e) => e.stratum === 'C')!;
    return { ...inp, frame: inp.frame.map((e) => (e === target ? { ...e, stratum: 'B' as Stratum } : e)) };
  });

  it('the tampered inputs differ from the honest ones by the intended lines only', () => {
    expect(changedLines(histTampered)).toEqual({ 'history.csv': 1 });
    expect(changedLines(strataTampered)).toEqual({ 'frame.csv': 2, 'strata.csv': 2 });
  });

  it('history.csv with only the manifest and commitment recomputed: the working seed differs', () => {
    const b = clone(honest.fullBundle);
    reseal(b, { 'history.csv': histTampered['history.csv'] });
    expect(rejected(b)).toMatch(/工作种子/);
  });

  it('a history.csv line, re-derived around the true draw: the recomputed exclusions differ', () => {
    expect(rejected(rederived(histTampered))).toMatch(/被排除对象/);
  });

  it('a strata.csv line (frame.csv grade commitment updated too), re-derived: the recomputed strata differ', () => {
    expect(rejected(rederived(strataTampered))).toMatch(/候选数|排除数|截止|抽中对象/);
    // strata.csv changed alone: the grade commitment in frame.csv no longer opens
    const alone = { ...honest.files, 'strata.csv': strataTampered['strata.csv'] };
    expect(rejected(rederived(alone))).toMatch(/等级承诺/);
  });

  it('a conflicts.csv line naming a team member, re-derived: the recomputed team differs', () => {
    const entity = inputs.frame.find((e) => e.stratum === 'D')!.uscc; // D has rate 1: always selected
    let caught = 0;
    for (const o of inputs.officers) {
      const tampered = filesWith((inp) => ({ ...inp, conflicts: [...inp.conflicts, { certificateNo: o.certificateNo, uscc: entity }] }));
      if (tampered['conflicts.csv'] === honest.files['conflicts.csv']) continue; // already a conflict
      const forged = rederived(tampered);
      const row = forged.selection.find((r) => r.uscc === entity)!;
      if (!row.team.includes(o.certificateNo)) continue;
      expect(rejected(forged)).toMatch(/检查组|回避/);
      caught++;
    }
    expect(caught).toBeGreaterThan(0);
  });

  it('fully consistent re-derivations verify on their own, and only the published commitment catches them', () => {
    const conflictsTampered = filesWith((inp) => ({ ...inp, conflicts: inp.conflicts.slice(1) }));
    expect(changedLines(conflictsTampered)).toEqual({ 'conflicts.csv': 1 });
    for (const tampered of [histTampered, strataTampered, conflictsTampered]) {
      const forged = makeDrawFromFiles(tampered);
      expect(forged.commitment).not.toBe(honest.commitment);
      expect(verifyBundle(forged.fullBundle)).toMatchObject({ ok: true, level: 'full' });
      expect(rejected(forged.fullBundle, { expectedCommitment: honest.commitment })).toMatch(/事先公布的承诺值/);
      expect(rejected(forged.publicBundle, { expectedCommitment: honest.commitment })).toMatch(/事先公布的承诺值/);
    }
  });
});

describe('an entity’s opening', () => {
  it('verifies for a selected entity and for an unselected one', () => {
    const selected = honest.publicBundle.selection[7].uscc;
    const chosen = new Set(honest.publicBundle.selection.map((r) => r.uscc));
    const excluded = new Set(honest.publicBundle.excluded.map((e) => e.uscc));
    const unselected = inputs.frame.find((e) => !chosen.has(e.uscc) && !excluded.has(e.uscc))!.uscc;
    const a = verifyBundle(honest.publicBundle, { opening: openingOf(selected) });
    expect(a).toMatchObject({ ok: true, level: 'public', opening: { uscc: selected, stratum: strataOf.get(selected), selected: true, eligible: true } });
    expect(a.opening!.ticket).toBe(refTicket(honest.workingSeed, selected));
    const b = verifyBundle(honest.publicBundle, { opening: openingOf(unselected) });
    expect(b).toMatchObject({ ok: true, opening: { uscc: unselected, stratum: strataOf.get(unselected), selected: false, eligible: true } });
    // its ticket is above its stratum's cutoff
    expect(b.opening!.ticket > b.opening!.cutoff!).toBe(true);
  });

  it('verifies for an excluded entity, which is not eligible', () => {
    const uscc = honest.publicBundle.excluded[0].uscc;
    const r = verifyBundle(honest.publicBundle, { opening: openingOf(uscc) });
    expect(r).toMatchObject({ ok: true, opening: { uscc, selected: false, eligible: false } });
  });

  it('a wrong stratum or a wrong salt is rejected', () => {
    const uscc = honest.publicBundle.selection[7].uscc;
    const o = openingOf(uscc);
    for (const wrong of ['A', 'B', 'C', 'D', 'U'].filter((s) => s !== o.stratum) as Stratum[]) {
      expect(rejected(honest.publicBundle, { opening: { ...o, stratum: wrong } })).toMatch(/等级承诺/);
    }
    expect(rejected(honest.publicBundle, { opening: { ...o, salt: sha256('not the salt') } })).toMatch(/等级承诺/);
    expect(rejected(honest.publicBundle, { opening: { ...o, uscc: '91500103MA5UXXXXX1' } })).toMatch(/候选名单/);
  });
});
