/**
 * The one way services write the audit trail (全过程记录): who, when, what, before and after,
 * appended to the hash-chained log inside the caller's transaction. Bulk work (an import, the
 * demo load) writes one entry for the whole operation instead of one per row.
 */
import type { Executor } from '../db/connection.ts';
import { recordAudit } from './audit.ts';
import type { Actor } from '../domain/actor.ts';


const plain = (v: unknown) => (v === undefined || v === null ? null : (JSON.parse(JSON.stringify(v)) as unknown));

export async function audit(
  db: Executor,
  ctx: Actor,
  action: string,
  entity: string,
  entityId: string,
  before: unknown,
  after: unknown,
  note?: string,
): Promise<void> {
  if (ctx.bulk) return;
  // The entry commits or rolls back with the change it records, never on its own.
  if (!db.isTransaction) throw new Error(`audit(${action}): must be called inside the use case's transaction (inTransaction)`);
  await recordAudit(db, { actor: ctx.name, action, entity, entityId, before: plain(before), after: plain(after), note }, ctx.now ?? new Date());
}
