/**
 * job_leases: the one row per scheduled job that lets several instances sharing a database run
 * each slot once. Every write is a single conditional statement, so it is atomic on SQLite and,
 * on PostgreSQL, a concurrent UPDATE of the same row re-checks its WHERE against the committed
 * row: of two instances claiming one slot, exactly one sees `numUpdatedRows = 1`.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../connection.ts';
import type { JobDatabase, JobLeaseTable } from '../jobSchema.ts';

export type JobLeaseRow = Selectable<JobLeaseTable>;
export type JobLeaseDb = Kysely<JobDatabase>;

/** The lease table's view of the application database (works before and after JobDatabase is merged into Database). */
export function jobLeaseDb(db: Db): JobLeaseDb {
  return db.withTables<{ job_leases: JobLeaseTable }>();
}

/** Creates the job's row if missing; a no-op for the instance that loses the race. */
export async function ensureJobLease(db: JobLeaseDb, name: string): Promise<void> {
  await db
    .insertInto('job_leases')
    .values({ name, last_slot: null, owner: null, lease_until: null, last_started_at: null, last_finished_at: null, last_error: null })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export interface SlotClaim {
  name: string;
  /** The slot's scheduled time (ISO UTC). */
  slot: string;
  owner: string;
  /** The claimer's current time (ISO UTC): the previous lease must have ended before it. */
  now: string;
  leaseUntil: string;
}

/**
 * Claims a slot: succeeds only if no slot this late was claimed before and no other run holds
 * the job. True for the one caller that won.
 */
export async function claimJobSlot(db: JobLeaseDb, c: SlotClaim): Promise<boolean> {
  const r = await db
    .updateTable('job_leases')
    .set({ last_slot: c.slot, owner: c.owner, lease_until: c.leaseUntil, last_started_at: c.now })
    .where('name', '=', c.name)
    .where((eb) => eb.or([eb('last_slot', 'is', null), eb('last_slot', '<', c.slot)]))
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', c.now)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Extends a running claim; false when the claim was lost (its lease expired and another instance took a later slot). */
export async function renewJobLease(db: JobLeaseDb, c: { name: string; slot: string; owner: string; leaseUntil: string }): Promise<boolean> {
  const r = await db
    .updateTable('job_leases')
    .set({ lease_until: c.leaseUntil })
    .where('name', '=', c.name)
    .where('last_slot', '=', c.slot)
    .where('owner', '=', c.owner)
    .where('lease_until', 'is not', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records how a claimed run ended and releases the job; false when the claim had been lost. */
export async function finishJobSlot(
  db: JobLeaseDb,
  c: { name: string; slot: string; owner: string; finishedAt: string; error: string | null },
): Promise<boolean> {
  const r = await db
    .updateTable('job_leases')
    .set({ lease_until: null, last_finished_at: c.finishedAt, last_error: c.error })
    .where('name', '=', c.name)
    .where('last_slot', '=', c.slot)
    .where('owner', '=', c.owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function findJobLease(db: JobLeaseDb, name: string): Promise<JobLeaseRow | undefined> {
  return db.selectFrom('job_leases').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listJobLeases(db: JobLeaseDb, names: readonly string[]): Promise<JobLeaseRow[]> {
  if (names.length === 0) return [];
  return db.selectFrom('job_leases').selectAll().where('name', 'in', names).orderBy('name').execute();
}
