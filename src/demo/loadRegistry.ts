/**
 * Loads the synthetic Yuzhong demo registry (src/demo/registry.ts, built from the word lists in
 * data/demo/words.json) into an empty database, so a first `npm start` shows a real-looking
 * district. Writes go through the registry use cases, as an import would, with source 'demo', all
 * in one transaction: either the whole demo is there or none.
 */
import type { Db } from '../db/connection.ts';
import type { Actor } from '../domain/actor.ts';
import { countObjects } from '../db/repositories/objects.ts';
import { inTransaction, isUniqueViolation } from '../db/tx.ts';
import { recordAudit } from '../services/audit.ts';
import {
  addAbnormalListing, declareConflict, recordPastInspection, recordPastViolation,
  upsertDepartment, upsertInspector, upsertMatter, upsertObject,
} from '../services/registry.ts';
import { loadDemoWords } from './loadWords.ts';
import { generateDemoRegistry } from './registry.ts';

export interface DemoCounts {
  departments: number;
  matters: number;
  objects: number;
  inspectors: number;
  conflicts: number;
  inspections: number;
  violations: number;
  abnormalListings: number;
}

const NOTHING: DemoCounts = {
  departments: 0, matters: 0, objects: 0, inspectors: 0, conflicts: 0, inspections: 0, violations: 0, abnormalListings: 0,
};

/**
 * Writes the demo registry if the object registry is empty; does nothing otherwise (a database
 * that holds any entity belongs to someone). `counts` are the rows written.
 */
export async function loadDemoData(db: Db, opts: { now?: Date } = {}): Promise<{ loaded: boolean; counts: DemoCounts }> {
  // Every start but the first ends here, without generating anything.
  if ((await countObjects(db)) > 0) return { loaded: false, counts: { ...NOTHING } };
  // Generated before the transaction opens, so the write lock is held only while writing.
  const demo = generateDemoRegistry(loadDemoWords());
  const ctx: Actor = { name: 'demo', now: opts.now, bulk: true };
  const write = inTransaction(db, async (trx) => {
    // Checked inside the transaction: on SQLite it serialises with any other writer. On PostgreSQL two
    // first starts racing would both see an empty table; the second then fails on the primary key
    // and rolls back, leaving the first one's demo intact.
    if ((await countObjects(trx)) > 0) return { loaded: false, counts: { ...NOTHING } };
    const counts = { ...NOTHING };
    for (const d of demo.departments) if ((await upsertDepartment(trx, d, ctx)) === 'created') counts.departments++;
    for (const m of demo.matters) if ((await upsertMatter(trx, m, ctx)) === 'created') counts.matters++;
    for (const o of demo.objects) if ((await upsertObject(trx, o, ctx)) === 'created') counts.objects++;
    for (const a of demo.abnormalListings) {
      await addAbnormalListing(trx, a.uscc, a.listedOn, a.reason, ctx);
      counts.abnormalListings++;
    }
    for (const i of demo.inspectors) if ((await upsertInspector(trx, i, ctx)) === 'created') counts.inspectors++;
    for (const c of demo.conflicts) if ((await declareConflict(trx, c, ctx)) === 'created') counts.conflicts++;
    for (const i of demo.inspections) if ((await recordPastInspection(trx, i, ctx)) === 'created') counts.inspections++;
    for (const v of demo.violations) if ((await recordPastViolation(trx, v, ctx)) === 'created') counts.violations++;
    await recordAudit(trx, { actor: 'demo', action: 'demo.load', entity: 'registry', entityId: 'demo', before: null, after: counts }, opts.now ?? new Date());
    return { loaded: true, counts };
  });
  // Another instance that started at the same moment wrote the demo first: that is fine.
  return write.catch((e: unknown) => {
    if (isUniqueViolation(e)) return { loaded: false, counts: { ...NOTHING } };
    throw e;
  });
}
