/** The single-file draw bundles (docs/draw-algorithm.md §11). */
import { ALGORITHM } from './seed.ts';
import { FILE_NAMES, PUBLIC_FILES, type CanonicalFiles, type FileName } from './canonical.ts';
import type { DrawComputation } from './draw.ts';
import type { ExclusionRule } from './select.ts';
import type { Stratum } from './params.ts';

export const BUNDLE_FORMAT = 'double-random-bundle/1';

export interface BundleStratum {
  stratum: Stratum;
  candidates: number;
  excluded: Record<ExclusionRule, number>;
  eligible: number;
  /** Exact target x_S as 'p/q'. */
  target: string;
  targetDecimal: string;
  selected: number;
  /** Exact π_S as 'p/q'. */
  inclusionProbability: string;
  inclusionProbabilityDecimal: string;
  cutoff: string | null;
}

export interface DrawBundle {
  format: typeof BUNDLE_FORMAT;
  level: 'public' | 'full';
  algorithm: typeof ALGORITHM;
  draw: {
    id: string;
    task: string;
    status: string;
    committedAt: string;
    seededAt: string;
    seededBy: string;
    drawnAt: string;
    voided: { at: string; by: string; reason: string } | null;
  };
  manifest: string;
  commitment: string;
  files: Partial<CanonicalFiles>;
  randomness: { source: string; typed: string; normalized: string };
  workingSeed: string;
  roundingOffsets: Record<string, string>;
  strata: BundleStratum[];
  excluded: { uscc: string; rule: ExclusionRule }[];
  selection: { rank: number; uscc: string; ticket: string; team: string[] }[];
  result: string;
  resultDigest: string;
}

export interface BundleMeta {
  id: string;
  status: string;
  committedAt: string;
  seededAt: string;
  seededBy: string;
  drawnAt: string;
  voided: { at: string; by: string; reason: string } | null;
  randomnessTyped: string;
  randomnessNormalized: string;
  workingSeed: string;
  manifest: string;
  commitment: string;
}

/** The outcome part of a bundle, from a fresh computation or from what was stored. */
export interface BundleResult {
  strata: BundleStratum[];
  roundingOffsets: Record<string, string>;
  excluded: { uscc: string; rule: ExclusionRule }[];
  selection: { rank: number; uscc: string; ticket: string; team: string[] }[];
  result: string;
  resultDigest: string;
}

export function bundleResultOf(c: DrawComputation): BundleResult {
  if (c.resultCsv === null || c.resultDigest === null) throw new Error('a failed draw has no bundle');
  return {
    strata: c.selection.strata.map((s) => ({
      stratum: s.stratum,
      candidates: s.candidates,
      excluded: s.excluded,
      eligible: s.eligible,
      target: s.target.toString(),
      targetDecimal: s.target.toDecimal(),
      selected: s.selected,
      inclusionProbability: s.inclusionProbability.toString(),
      inclusionProbabilityDecimal: s.inclusionProbability.toDecimal(),
      cutoff: s.cutoff,
    })),
    roundingOffsets: c.selection.roundingOffsets,
    excluded: c.selection.excluded,
    selection: c.selection.selected.map((s, i) => ({ rank: i + 1, uscc: s.uscc, ticket: s.ticket, team: c.teams.teams[i] })),
    result: c.resultCsv,
    resultDigest: c.resultDigest,
  };
}

export function buildBundle(level: 'public' | 'full', files: CanonicalFiles, result: BundleResult, meta: BundleMeta): DrawBundle {
  const params = JSON.parse(files['params.json']) as { task: string; randomnessSource: string };
  const included: FileName[] = level === 'full' ? [...FILE_NAMES] : PUBLIC_FILES;
  return {
    format: BUNDLE_FORMAT,
    level,
    algorithm: ALGORITHM,
    draw: {
      id: meta.id,
      task: params.task,
      status: meta.status,
      committedAt: meta.committedAt,
      seededAt: meta.seededAt,
      seededBy: meta.seededBy,
      drawnAt: meta.drawnAt,
      voided: meta.voided,
    },
    manifest: meta.manifest,
    commitment: meta.commitment,
    files: Object.fromEntries(included.map((n) => [n, files[n]])),
    randomness: { source: params.randomnessSource, typed: meta.randomnessTyped, normalized: meta.randomnessNormalized },
    workingSeed: meta.workingSeed,
    ...result,
    // Listing the entities of an excluded stratum one by one would publish their grade.
    excluded: level === 'full' ? result.excluded : result.excluded.filter((e) => e.rule !== 'stratum-excluded'),
  };
}
