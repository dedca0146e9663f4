/**
 * Table types of the inspection check codes (检查核验码): every visit gets a short code the
 * inspected entity can type (or scan) on the public site to confirm that the inspection is
 * genuine. Same conventions as schema.ts: instants are ISO-8601 UTC text.
 *
 * Merged into `Database` (src/db/schema.ts): `export interface Database extends …, CheckDatabase`.
 */

/** One code per visit; the code is unique across visits. */
export interface CheckCodeTable {
  visit_id: string;
  /** 10 characters of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ (no 0/O, 1/I), derived from a secret and the visit id. */
  code: string;
  created_at: string;
}

export interface CheckDatabase {
  check_codes: CheckCodeTable;
}
