/**
 * Table type of the scheduled-jobs framework (src/jobs/). Same conventions as schema.ts:
 * instants are ISO-8601 UTC text (`Date.toISOString()`, always 24 characters, so text order
 * is time order on both engines).
 */

/**
 * One row per scheduled job: which slot (scheduled fire time) was claimed last, by whom, and
 * how its run ended. The row is the cross-instance lock: a slot runs only on the instance
 * whose conditional UPDATE moved `last_slot` forward.
 */
export interface JobLeaseTable {
  /** The job's name (`Job.name`). */
  name: string;
  /** Scheduled time of the latest slot claimed (ISO UTC); null until the first claim. */
  last_slot: string | null;
  /** Instance id of the claimer of `last_slot`. */
  owner: string | null;
  /** The claimer holds the job until this instant (ISO UTC); null once its run has ended. */
  lease_until: string | null;
  last_started_at: string | null;
  last_finished_at: string | null;
  /** Message of the last run's error; null after a run that succeeded. */
  last_error: string | null;
}

/** Merge into `Database` (src/db/schema.ts): `export interface Database extends JobDatabase`. */
export interface JobDatabase {
  job_leases: JobLeaseTable;
}
