/**
 * Table types. Dates (calendar days in Asia/Shanghai) are 'YYYY-MM-DD' text; instants are
 * ISO-8601 UTC text; booleans are 0/1, typed `FlagColumn` and read as booleans; lists and objects are JSON text, typed `JsonColumn<T>` and
 * parsed as rows are read (see json.ts). The same on SQLite and PostgreSQL.
 */
import type { ColumnType, Generated } from 'kysely';
import type { Role } from '../domain/actor.ts';
import type { FlagColumn, JsonColumn, NullableJsonColumn } from './json.ts';
import type { DrawParams } from '../domain/draw/params.ts';
import type { BundleStratum } from '../domain/draw/bundle.ts';
import type { ExclusionRule } from '../domain/draw/select.ts';
import type { JobDatabase } from './jobSchema.ts';
import type { AuditDatabase } from './auditSchema.ts';
import type { ResultDatabase } from './resultSchema.ts';
import type { CheckDatabase } from './checkSchema.ts';

export interface DepartmentTable {
  code: string;
  name: string;
  /** Published cap on inspections of one enterprise per year (null: the plan default). */
  yearly_cap: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: string;
  updated_at: string;
}

/** 抽查事项清单 */
export interface MatterTable {
  code: string;
  department_code: string;
  name: string;
  legal_basis: string | null;
  importance: 'key' | 'general';
  /** Ratio cap (0–1] for general matters; null for key matters. */
  ratio_cap: number | null;
  /** Entity types; [] = all. */
  entity_types: JsonColumn<string[]>;
  method: string | null;
  created_at: string;
  updated_at: string;
}

/** 检查对象名录库 */
export interface ObjectTable {
  uscc: string;
  name: string;
  entity_type: string;
  industry_code: string | null;
  street: string | null;
  address: string | null;
  registered_on: string | null;
  /** Personal data for individual businesses: never published unmasked. */
  legal_representative: string | null;
  registration_status: string;
  credit_grade: string | null;
  graded_on: string | null;
  sector_grade: string | null;
  sector_graded_on: string | null;
  /** Special-registry tags. */
  tags: JsonColumn<string[]>;
  created_at: string;
  updated_at: string;
}

/** A grade period that has been superseded; the current one is on the object row. */
export interface GradeHistoryTable {
  id: Generated<number>;
  uscc: string;
  /** 'credit' or 'sector': never mixed. */
  kind: string;
  grade: string | null;
  graded_on: string | null;
  superseded_on: string;
  recorded_at: string;
}

/** Field-level change log of both registries (before/after as JSON). */
export interface RegistryChangeTable {
  id: Generated<number>;
  registry: 'object' | 'inspector';
  key: string;
  changed_at: string;
  source: string;
  before: string;
  after: string;
}

/** 经营异常名录 membership */
export interface AbnormalListingTable {
  id: Generated<number>;
  uscc: string;
  listed_on: string;
  reason: string;
  removed_on: string | null;
  removal_reason: string | null;
  created_at: string;
}

/** 执法检查人员名录库 */
export interface InspectorTable {
  certificate_no: string;
  name: string;
  department_code: string;
  valid_from: string | null;
  valid_to: string | null;
  /** Matter codes or categories the officer may check. */
  qualifications: JsonColumn<string[]>;
  status: string;
  kind: string;
  yearly_capacity: number;
  created_at: string;
  updated_at: string;
}

/** 回避: declared conflicts between an inspector and an entity. */
export interface ConflictTable {
  id: Generated<number>;
  certificate_no: string;
  uscc: string;
  reason: string;
  declared_on: string | null;
  created_at: string;
}

/** Past inspections brought from the old platform (or recorded here later). */
export interface PastInspectionTable {
  id: Generated<number>;
  uscc: string;
  inspected_on: string;
  department_code: string;
  /** Certificate numbers. */
  officers: JsonColumn<string[]>;
  /** Result codes. */
  result_codes: JsonColumn<string[]>;
  task_ref: string | null;
  created_at: string;
}

/** Past violations, for the 2-year first-violation rule. */
export interface PastViolationTable {
  id: Generated<number>;
  uscc: string;
  occurred_on: string;
  violation_type: string;
  decision: string | null;
  created_at: string;
}

export interface ImportJobTable {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  file_name: string;
  skip_invalid: FlagColumn;
  rows_read: ColumnType<number, number | undefined, number>;
  inserted: ColumnType<number, number | undefined, number>;
  updated: ColumnType<number, number | undefined, number>;
  rejected: ColumnType<number, number | undefined, number>;
  /** Summary (counts per error kind, first problems, report paths). */
  summary: NullableJsonColumn<Record<string, unknown>>;
  message: string | null;
  created_at: string;
  finished_at: string | null;
  /** The user who uploaded the file (null for jobs of older versions): only they and administrators see the job. */
  owner_id: string | null;
  /** When the job's report and rejects files were deleted (they expire; see IMPORT_FILES_TTL_HOURS). */
  files_expired_at: string | null;
}

export interface SettingTable {
  key: string;
  value: string;
  created_at: string;
}

/** What a run records about its draw besides the selection (the bundle's result is rebuilt from it). */
export interface DrawSummary {
  strata: Omit<BundleStratum, 'targetDecimal' | 'inclusionProbabilityDecimal'>[];
  roundingOffsets: Record<string, string>;
  excluded: { uscc: string; rule: ExclusionRule }[];
  repairs: number;
  loads: Record<string, number>;
}

export type DrawStatus = 'committed' | 'seeded' | 'drawn' | 'voided';

/** One draw: commitment, then seed, then result; voided draws stay. */
export interface DrawTable {
  id: string;
  /** The task this draw belongs to (one live draw per task). */
  task_key: string;
  task: string;
  year: number;
  window_start: string;
  window_end: string;
  status: DrawStatus;
  algorithm: string;
  params: string;
  manifest: string;
  commitment: string;
  randomness_source: string;
  committed_at: string;
  committed_by: string;
  randomness_typed: string | null;
  randomness_normalized: string | null;
  working_seed: string | null;
  seeded_at: string | null;
  seeded_by: string | null;
  drawn_at: string | null;
  drawn_by: string | null;
  result_digest: string | null;
  /** Strata summaries, rounding digits, excluded list, repairs. */
  summary: NullableJsonColumn<DrawSummary>;
  voided_at: string | null;
  voided_by: string | null;
  void_reason: string | null;
}

export interface DrawFileTable {
  draw_id: string;
  name: string;
  sha256: string;
  content: string;
}

export interface DrawSelectionTable {
  draw_id: string;
  rank: number;
  uscc: string;
  stratum: string;
  ticket: string;
  /** Certificate numbers. */
  team: JsonColumn<string[]>;
}

export interface DrawTeamMemberTable {
  draw_id: string;
  rank: number;
  uscc: string;
  certificate_no: string;
  department_code: string;
}

/** 年度抽查计划 */
export interface PlanTable {
  id: string;
  organization: string;
  year: number;
  title: string;
  created_at: string;
  created_by: string;
}

export type TaskStatus = 'draft' | 'approved' | 'committed' | 'drawn' | 'in_progress' | 'completed' | 'published';

/** A department joining a task, with the size of its part of each team. */
export type TaskDepartment = DrawParams['departments'][number];

/** 抽查任务 */
export interface TaskTable {
  id: string;
  plan_id: string;
  number: number;
  name: string;
  status: TaskStatus;
  lead_department: string;
  departments: JsonColumn<TaskDepartment[]>;
  matters: JsonColumn<string[]>;
  filters: JsonColumn<DrawParams['filters']>;
  selection: JsonColumn<DrawParams['selection']>;
  exclude_strata: JsonColumn<DrawParams['excludeStrata']>;
  exclusions: JsonColumn<DrawParams['exclusions']>;
  stratify_by: DrawParams['stratifyBy'];
  window_start: string;
  window_end: string;
  method: string;
  randomness_source: string;
  commit_at: string | null;
  draw_id: string | null;
  author: string;
  approved_by: string | null;
  approved_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface TaskEventTable {
  id: Generated<number>;
  task_id: string;
  from_status: string | null;
  to_status: string;
  actor: string;
  at: string;
  note: string | null;
}

export interface VisitTable {
  id: string;
  plan_id: string;
  uscc: string;
  window_start: string;
  window_end: string;
  task_ids: JsonColumn<string[]>;
  matters: JsonColumn<string[]>;
  team: JsonColumn<string[]>;
  notified_at: string | null;
  created_at: string;
}

export interface VisitOfficerTable {
  visit_id: string;
  certificate_no: string;
}

export interface DeadlineTable {
  id: string;
  /** 'publication' (results within 20 working days) or 'abnormal-follow-up' (10 working days). */
  kind: string;
  /** What the deadline is about, unique per kind (a task id, or an inspection result id). */
  subject: string;
  task_id: string | null;
  uscc: string | null;
  starts_on: string;
  due_on: string;
  /** 'open', 'approaching', 'overdue', 'met' */
  state: string;
  met_on: string | null;
  flagged_at: string | null;
  calendar_warnings: NullableJsonColumn<string[]>;
  created_at: string;
}

export type { Role };

export interface UserTable {
  id: string;
  username: string;
  role: Role;
  /** A regulator's department (its scope). */
  department_code: string | null;
  /** An inspector's certificate number (the officer in the registry it acts as). */
  officer_certificate: string | null;
  /** scrypt$N$r$p$salt$hash */
  password_hash: string;
  disabled_at: string | null;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionTable {
  /** SHA-256 of the bearer token: the token itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface Database extends JobDatabase, AuditDatabase, ResultDatabase, CheckDatabase {
  users: UserTable;
  sessions: SessionTable;
  plans: PlanTable;
  tasks: TaskTable;
  task_events: TaskEventTable;
  visits: VisitTable;
  visit_officers: VisitOfficerTable;
  deadlines: DeadlineTable;
  settings: SettingTable;
  draws: DrawTable;
  draw_files: DrawFileTable;
  draw_selections: DrawSelectionTable;
  draw_team_members: DrawTeamMemberTable;
  departments: DepartmentTable;
  matters: MatterTable;
  objects: ObjectTable;
  grade_history: GradeHistoryTable;
  registry_changes: RegistryChangeTable;
  abnormal_listings: AbnormalListingTable;
  inspectors: InspectorTable;
  conflicts: ConflictTable;
  past_inspections: PastInspectionTable;
  past_violations: PastViolationTable;
  import_jobs: ImportJobTable;
}
