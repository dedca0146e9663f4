/**
 * The bundle's JSON schema (docs/draw-bundle.schema.json, generated from
 * src/domain/draw/bundleSchema.ts): the committed file is the code's, and bundles of both levels
 * — honest, voided, with exclusions — validate, while a bundle with a key the document does not
 * name, or without one it requires, does not.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { drawBundleSchema } from '../../src/domain/draw/bundleSchema.ts';
import { SCHEMA_FILE, schemaText } from '../../tools/bundle-schema.ts';
import { REALISTIC_RATES, makeDraw, ratesParams, realisticInstance } from '../helpers/drawFixtures.ts';

const inst = realisticInstance('schema');
const d = makeDraw({ ...inst, params: ratesParams({ B: REALISTIC_RATES.B, C: REALISTIC_RATES.C, D: REALISTIC_RATES.D, U: REALISTIC_RATES.U }, { exclusions: { yearlyCap: 2, lookbackDays: 90 }, excludeStrata: [{ stratum: 'A', reason: '无事不扰：A 类本次不抽' }] }) });

describe('the bundle schema', () => {
  it('docs/draw-bundle.schema.json is the schema in the code (run `npm run schema:bundle` after changing it)', () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(schemaText());
  });

  it('public and full bundles validate, and say what the document says about exclusions', () => {
    for (const b of [d.publicBundle, d.fullBundle]) {
      const r = drawBundleSchema.safeParse(JSON.parse(JSON.stringify(b)));
      expect(r.success, JSON.stringify(r.error?.issues?.slice(0, 3))).toBe(true);
    }
    expect(d.fullBundle.excluded.some((e) => e.rule === 'stratum-excluded')).toBe(true);
    expect(d.publicBundle.excluded.some((e) => e.rule === 'stratum-excluded')).toBe(false);
    expect(Object.keys(d.publicBundle.files).sort()).toEqual(['frame.csv', 'params.json']);
  });

  it('a key the document does not name, or a missing one, fails validation', () => {
    const extra = { ...JSON.parse(JSON.stringify(d.publicBundle)), grades: {} };
    expect(drawBundleSchema.safeParse(extra).success).toBe(false);
    const missing = JSON.parse(JSON.stringify(d.publicBundle));
    delete missing.resultDigest;
    expect(drawBundleSchema.safeParse(missing).success).toBe(false);
    const badTicket = JSON.parse(JSON.stringify(d.publicBundle));
    badTicket.selection[0].ticket = '1.5';
    expect(drawBundleSchema.safeParse(badTicket).success).toBe(false);
  });
});
