/**
 * The bundle's JSON schema (docs/draw-algorithm.md §11): every key, its type and meaning, for the
 * public and the full level. One source: `draw-bundle.schema.json` beside the document is
 * generated from it (`npm run schema:bundle`; a test keeps the two equal), and the tests validate
 * every bundle the project exports against it, so a verifier can be written from the document
 * and the schema alone.
 */
import { z } from 'zod';
import { BUNDLE_FORMAT } from './bundle.ts';
import { FILE_NAMES } from './canonical.ts';
import { STRATA } from './params.ts';
import { ALGORITHM } from './seed.ts';
import { EXCLUSION_RULES } from './select.ts';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/).describe('64 lowercase hexadecimal digits (a SHA-256 value)');
const instant = z.string().describe('an instant, ISO 8601 in UTC (2027-03-01T02:00:00.000Z)');
const fraction = z.string().regex(/^\d+(\/\d+)?$/).describe('an exact non-negative rational in lowest terms, "p/q", or "p" when q = 1');
const decimal = z.string().regex(/^\d+(\.\d{1,10})?$/).describe('the same value truncated to at most 10 digits after the point, for people only');
const ticket = z.string().regex(/^(0\.\d+|1)$/).describe('a ticket: a decimal in [0, 1) written with all its digits (§7); compare as strings of equal length');
const uscc = z.string().regex(/^[0-9A-HJ-NP-RTUWXY]{18}$/).describe('a unified social credit code (GB 32100)');

const stratumRow = z
  .strictObject({
    stratum: z.enum(STRATA).describe('the stratum: a credit grade A–D or U (unrated), or a sector grade when params.stratifyBy is "sector"'),
    candidates: z.number().int().min(0).describe('frame entities of the stratum'),
    excluded: z.strictObject(Object.fromEntries(EXCLUSION_RULES.map((r) => [r, z.number().int().min(0)])) as Record<(typeof EXCLUSION_RULES)[number], z.ZodNumber>).describe('entities left out, by rule (§6): the stratum excluded whole, the yearly cap, the look-back'),
    eligible: z.number().int().min(0).describe('N_S = candidates − all excluded'),
    target: fraction.describe('x_S, the exact target (§5)'),
    targetDecimal: decimal,
    selected: z.number().int().min(0).describe('n_S, entities selected from the stratum (§5 rounding)'),
    inclusionProbability: fraction.describe('π_S = x_S / N_S (0 when N_S = 0)'),
    inclusionProbabilityDecimal: decimal,
    cutoff: ticket.nullable().describe('c_S, the ticket of the n_S-th selected entity of the stratum (§8); null when n_S = 0'),
  })
  .describe('one stratum, in the order A, B, C, D, U');

export const drawBundleSchema = z
  .strictObject({
    format: z.literal(BUNDLE_FORMAT).describe('the bundle format and its version'),
    level: z.enum(['public', 'full']).describe('public: no grades, no history; full: every input file, for auditors'),
    algorithm: z.literal(ALGORITHM).describe('the draw algorithm version the bundle follows'),
    draw: z
      .strictObject({
        id: z.string().min(1).describe('the draw id in the issuing installation'),
        task: z.string().describe('the task name, as in params.json'),
        status: z.enum(['drawn', 'voided']).describe('drawn, or voided after the draw (recorded by the publisher; not covered by the commitment)'),
        committedAt: instant,
        seededAt: instant.describe('when the randomness was entered'),
        seededBy: z.string().describe('who entered it: the account name (full) or a pseudonymous staff id (public)'),
        drawnAt: instant,
        voided: z.strictObject({ at: instant, by: z.string(), reason: z.string() }).nullable().describe('for a voided draw: when, by whom (pseudonymous in the public bundle) and why; null otherwise'),
      })
      .describe('the draw record'),
    manifest: z.string().describe('the manifest (§10): one line per canonical file, "<sha256>  <name>", in name order'),
    commitment: hex64.describe('SHA-256 of the manifest, published before the randomness existed'),
    files: z
      .partialRecord(z.enum(FILE_NAMES), z.string())
      .describe('the canonical files (§3–§4), as text: params.json and frame.csv in a public bundle; all six in a full bundle'),
    randomness: z
      .strictObject({
        source: z.string().describe('the source named in advance (params.randomnessSource)'),
        typed: z.string().describe('the randomness as entered'),
        normalized: z.string().describe('its normalised form (§7)'),
      })
      .describe('the public randomness'),
    workingSeed: hex64.describe('SHA-256 of the version label, the commitment and the normalised randomness (§7)'),
    roundingOffsets: z.record(z.string(), z.string().regex(/^\d{18}$/)).describe('the 18 digits of each rounding offset, keyed by its identifier (§5)'),
    strata: z.array(stratumRow).length(STRATA.length),
    excluded: z
      .array(z.strictObject({ uscc, rule: z.enum(EXCLUSION_RULES) }))
      .describe('entities excluded, with the rule: in the public bundle only the history rules (yearly-cap, lookback); the full bundle also lists each entity of a stratum excluded whole (stratum-excluded)'),
    selection: z
      .array(
        z.strictObject({
          rank: z.number().int().min(1).describe('1, 2, … in ticket order'),
          uscc,
          ticket,
          team: z.array(z.string()).describe('the team by certificate number (§9)'),
        }),
      )
      .describe('the selected entities in ascending ticket order'),
    result: z.string().describe('result.csv (§10): the selection as CSV'),
    resultDigest: hex64.describe('SHA-256 of result'),
  })
  .describe('A double-random draw bundle (docs/draw-algorithm.md §11).');

/** The JSON Schema document (draft 2020-12) of a bundle. */
export function drawBundleJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://github.com/double-random/double-random/docs/draw-bundle.schema.json',
    title: 'double-random draw bundle',
    ...(z.toJSONSchema(drawBundleSchema, { target: 'draft-2020-12' }) as Record<string, unknown>),
  };
}
