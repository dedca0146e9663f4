/**
 * Table types of the inspectors' work after the draw: the notice served on the entity
 * (检查通知书), the inspection result with its findings, proposed coercive measures and their
 * overrides, and every state change of a result. Same conventions as schema.ts: dates are
 * 'YYYY-MM-DD' (Asia/Shanghai), instants ISO-8601 UTC text, lists and objects JSON text.
 *
 * Merge into `Database` (src/db/schema.ts): `export interface Database extends JobDatabase, ResultDatabase`.
 */
import type { ColumnType, Generated } from 'kysely';
import type { JsonColumn } from './json.ts';
import type { MeasureState, ResultStatus, StoredFinding } from '../domain/results.ts';

export type { MeasureState, ResultStatus };

/** The notice served on the entity, printed once and reprinted unchanged. One per visit. */
export interface VisitNoticeTable {
  visit_id: string;
  /** e.g. 'SCJG检通〔2026〕第3号' (unique). */
  number: string;
  year: number;
  /** Sequence within the issuing department and year. */
  seq: number;
  issuer_code: string;
  issued_at: string;
  issued_by: string;
  /** JSON snapshot of what the notice says (entity, matters, team, dates, materials). */
  data: JsonColumn<Record<string, unknown>>;
  /** The printable page exactly as first printed. */
  html: string;
  sha256: string;
}

/** One inspection result (抽查检查结果) per visit. */
export interface InspectionResultTable {
  id: string;
  visit_id: string;
  plan_id: string;
  uscc: string;
  status: ResultStatus;
  inspected_on: string;
  method: string;
  /** JSON array of RESULT_CODES keys, in the standard's order. */
  codes: JsonColumn<string[]>;
  /** JSON array of follow-ups (后续处置). */
  follow_up: JsonColumn<string[]>;
  /** JSON array of findings per matter, each non-compliant one with its exemption evaluation. */
  findings: JsonColumn<StoredFinding[]>;
  note: string | null;
  entered_by: string;
  entered_at: string;
  updated_by: string;
  updated_at: string;
  /** 1 on entry, +1 on every edit. */
  revision: ColumnType<number, number | undefined, number>;
  reviewed_by: string | null;
  reviewed_at: string | null;
  review_comment: string | null;
  published_by: string | null;
  published_at: string | null;
}

/** A proposed seal-up or seizure (查封、扣押), checked against the no-coercion lists. */
export interface ResultMeasureTable {
  result_id: string;
  /** 1, 2, … in the order proposed. */
  n: number;
  measure: string;
  /** JSON: the object of the measure and the facts of the situation. */
  facts: JsonColumn<Record<string, unknown>>;
  state: MeasureState;
  /** JSON: the evaluation against every no-coercion list in force on the inspection date. */
  evaluation: JsonColumn<Record<string, unknown>>;
  basis: string | null;
  list_version: string | null;
  item_number: string | null;
  override_reason: string | null;
  override_requested_by: string | null;
  override_requested_at: string | null;
  override_approved_by: string | null;
  override_approved_at: string | null;
  override_comment: string | null;
}

/** Every state change of a result (and of its measures): who, when, from, to, comment. */
export interface ResultEventTable {
  id: Generated<number>;
  result_id: string;
  /** 'enter', 'edit', 're-enter', 'return', 'approve', 'publish', 'override-request', 'override-approve', 'abnormal-listing' */
  action: string;
  from_status: string | null;
  to_status: string;
  /** The measure the event is about (override events). */
  measure_n: number | null;
  actor: string;
  at: string;
  comment: string | null;
}

export interface ResultDatabase {
  visit_notices: VisitNoticeTable;
  inspection_results: InspectionResultTable;
  result_measures: ResultMeasureTable;
  result_events: ResultEventTable;
}
