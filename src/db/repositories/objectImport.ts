/**
 * Bulk object import through a temporary staging table: rows are staged in batches as they
 * stream in, problems that need the whole file (a USCC twice, a new entity without a name)
 * are found with SQL, and the merge into the registry is a handful of set-based statements
 * in one transaction. Blank cells are NULL in the stage and leave stored values unchanged.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { assertTransaction } from '../tx.ts';

export interface StagedObject {
  row_no: number;
  uscc: string;
  name: string | null;
  entity_type: string | null;
  /** The entity type the USCC announces, used only when a new entity's type is blank. */
  entity_type_default: string;
  industry_code: string | null;
  street: string | null;
  address: string | null;
  registered_on: string | null;
  legal_representative: string | null;
  registration_status: string | null;
  credit_grade: string | null;
  graded_on: string | null;
  sector_grade: string | null;
  tags: string | null;
  /** The row's cells as JSON, kept only when rejected rows must be written back out. */
  raw: string | null;
}

type StageDb = Database & { import_stage: StagedObject };
type Conn = Kysely<Database> | Transaction<Database>;
const STAGE_COLUMNS = [
  'row_no', 'uscc', 'name', 'entity_type', 'entity_type_default', 'industry_code', 'street', 'address', 'registered_on',
  'legal_representative', 'registration_status', 'credit_grade', 'graded_on', 'sector_grade', 'tags', 'raw',
] as const;
/** Fields a row may set; NULL in the stage = leave unchanged. */
const PLAIN_FIELDS = ['name', 'entity_type', 'industry_code', 'street', 'address', 'registered_on', 'legal_representative', 'registration_status', 'tags'] as const;

export const STAGE_BATCH = 1000; // 16 columns × 1000 rows stays under both engines' parameter limits

function stage(db: Conn): Kysely<StageDb> {
  return db.withTables<{ import_stage: StagedObject }>() as unknown as Kysely<StageDb>;
}

export async function createStage(db: Conn): Promise<void> {
  await sql`DROP TABLE IF EXISTS import_stage`.execute(db);
  await sql`CREATE TEMPORARY TABLE import_stage (
    row_no integer NOT NULL, uscc text NOT NULL, name text, entity_type text, entity_type_default text NOT NULL,
    industry_code text, street text, address text, registered_on text, legal_representative text,
    registration_status text, credit_grade text, graded_on text, sector_grade text, tags text, raw text)`.execute(db);
}

export async function dropStage(db: Conn): Promise<void> {
  await sql`DROP TABLE IF EXISTS import_stage`.execute(db);
}

export async function stageRows(db: Conn, rows: StagedObject[]): Promise<void> {
  if (rows.length === 0) return;
  await stage(db).insertInto('import_stage').values(rows).execute();
}

export async function indexStage(db: Conn): Promise<void> {
  await sql`CREATE INDEX import_stage_uscc ON import_stage (uscc)`.execute(db);
}

/** Every row whose USCC appears more than once in the file, ordered by USCC then row. */
export async function findDuplicateRows(db: Conn): Promise<{ uscc: string; row_no: number }[]> {
  const r = await sql<{ uscc: string; row_no: number }>`
    SELECT uscc, row_no FROM import_stage
    WHERE uscc IN (SELECT uscc FROM import_stage GROUP BY uscc HAVING COUNT(*) > 1)
    ORDER BY uscc, row_no`.execute(db);
  return r.rows.map((x) => ({ uscc: x.uscc, row_no: Number(x.row_no) }));
}

/** Rows that would create a new entity but have no name. */
export async function findNewWithoutName(db: Conn): Promise<{ uscc: string; row_no: number }[]> {
  const r = await sql<{ uscc: string; row_no: number }>`
    SELECT s.uscc, s.row_no FROM import_stage s
    WHERE s.name IS NULL AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.uscc = s.uscc)
    ORDER BY s.row_no`.execute(db);
  return r.rows.map((x) => ({ uscc: x.uscc, row_no: Number(x.row_no) }));
}

/** The staged rows' original cells (stored as JSON text in the staging table), parsed. */
export async function rawOfRows(db: Conn, rowNos: number[]): Promise<{ row_no: number; raw: unknown[] | null }[]> {
  const out: { row_no: number; raw: unknown[] | null }[] = [];
  for (let i = 0; i < rowNos.length; i += 500) {
    const part = await stage(db).selectFrom('import_stage').select(['row_no', 'raw']).where('row_no', 'in', rowNos.slice(i, i + 500)).execute();
    out.push(...part.map((p) => ({ row_no: Number(p.row_no), raw: p.raw === null ? null : (JSON.parse(p.raw) as unknown[]) })));
  }
  return out.sort((a, b) => a.row_no - b.row_no);
}

export async function deleteStagedRows(db: Conn, rowNos: number[]): Promise<void> {
  for (let i = 0; i < rowNos.length; i += 500) {
    await stage(db).deleteFrom('import_stage').where('row_no', 'in', rowNos.slice(i, i + 500)).execute();
  }
}

/** SQL that is true when the staged row s would change the stored row o. */
const changedCondition = sql.raw(
  [
    ...PLAIN_FIELDS.map((f) => `(s.${f} IS NOT NULL AND (o.${f} IS NULL OR o.${f} <> s.${f}))`),
    `(s.credit_grade IS NOT NULL AND (o.credit_grade IS NULL OR o.credit_grade <> s.credit_grade))`,
    `(s.sector_grade IS NOT NULL AND (o.sector_grade IS NULL OR o.sector_grade <> s.sector_grade))`,
  ].join(' OR '),
);

/** A JSON object of the changed fields only (before or after), built by the engine. */
function changedJson(dialect: 'sqlite' | 'postgres', side: 'before' | 'after') {
  const fields = [...PLAIN_FIELDS, 'credit_grade', 'sector_grade'];
  const pairs = fields.map((f) => {
    const changed = `s.${f} IS NOT NULL AND (o.${f} IS NULL OR o.${f} <> s.${f})`;
    return `'${f}', CASE WHEN ${changed} THEN ${side === 'before' ? `o.${f}` : `s.${f}`} END`;
  });
  // Both forms drop the keys whose value is NULL (unchanged fields).
  return dialect === 'sqlite'
    ? sql.raw(`json_patch('{}', json_object(${pairs.join(', ')}))`)
    : sql.raw(`jsonb_strip_nulls(jsonb_build_object(${pairs.join(', ')}))::text`);
}

export interface MergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Merges the stage into the registry (caller holds the transaction). */
export async function mergeStage(
  trx: Transaction<Database>,
  dialect: 'sqlite' | 'postgres',
  ctx: { now: string; today: string; source: string },
): Promise<MergeCounts> {
  assertTransaction(trx, 'mergeStage');
  const counts = await sql<{ total: number; existing: number; changed: number }>`
    SELECT COUNT(*) AS total,
           COALESCE(SUM(CASE WHEN o.uscc IS NOT NULL THEN 1 ELSE 0 END), 0) AS existing,
           COALESCE(SUM(CASE WHEN o.uscc IS NOT NULL AND (${changedCondition}) THEN 1 ELSE 0 END), 0) AS changed
    FROM import_stage s LEFT JOIN objects o ON o.uscc = s.uscc`.execute(trx);
  const total = Number(counts.rows[0].total);
  const existing = Number(counts.rows[0].existing);
  const changed = Number(counts.rows[0].changed);

  if (existing > 0) {
    // Superseded grades keep their dates (the draw reads grades as they were when committed).
    await sql`
      INSERT INTO grade_history (uscc, kind, grade, graded_on, superseded_on, recorded_at)
      SELECT o.uscc, 'credit', o.credit_grade, o.graded_on, COALESCE(s.graded_on, ${ctx.today}), ${ctx.now}
      FROM import_stage s JOIN objects o ON o.uscc = s.uscc
      WHERE s.credit_grade IS NOT NULL AND (o.credit_grade IS NULL OR o.credit_grade <> s.credit_grade)`.execute(trx);
    await sql`
      INSERT INTO grade_history (uscc, kind, grade, graded_on, superseded_on, recorded_at)
      SELECT o.uscc, 'sector', o.sector_grade, o.sector_graded_on, ${ctx.today}, ${ctx.now}
      FROM import_stage s JOIN objects o ON o.uscc = s.uscc
      WHERE s.sector_grade IS NOT NULL AND (o.sector_grade IS NULL OR o.sector_grade <> s.sector_grade)`.execute(trx);
    await sql`
      INSERT INTO registry_changes (registry, "key", changed_at, source, "before", "after")
      SELECT 'object', o.uscc, ${ctx.now}, ${ctx.source}, ${changedJson(dialect, 'before')}, ${changedJson(dialect, 'after')}
      FROM import_stage s JOIN objects o ON o.uscc = s.uscc
      WHERE ${changedCondition}`.execute(trx);
    const set = PLAIN_FIELDS.map((f) => `${f} = COALESCE(s.${f}, objects.${f})`).join(', ');
    await sql`
      UPDATE objects SET ${sql.raw(set)},
        graded_on = CASE WHEN s.credit_grade IS NOT NULL AND (objects.credit_grade IS NULL OR objects.credit_grade <> s.credit_grade)
                         THEN COALESCE(s.graded_on, ${ctx.today}) ELSE objects.graded_on END,
        credit_grade = COALESCE(s.credit_grade, objects.credit_grade),
        sector_graded_on = CASE WHEN s.sector_grade IS NOT NULL AND (objects.sector_grade IS NULL OR objects.sector_grade <> s.sector_grade)
                         THEN ${ctx.today} ELSE objects.sector_graded_on END,
        sector_grade = COALESCE(s.sector_grade, objects.sector_grade),
        updated_at = ${ctx.now}
      FROM import_stage s
      WHERE s.uscc = objects.uscc AND (${sql.raw(
        [
          ...PLAIN_FIELDS.map((f) => `(s.${f} IS NOT NULL AND (objects.${f} IS NULL OR objects.${f} <> s.${f}))`),
          `(s.credit_grade IS NOT NULL AND (objects.credit_grade IS NULL OR objects.credit_grade <> s.credit_grade))`,
          `(s.sector_grade IS NOT NULL AND (objects.sector_grade IS NULL OR objects.sector_grade <> s.sector_grade))`,
        ].join(' OR '),
      )})`.execute(trx);
  }
  if (total > existing) {
    await sql`
      INSERT INTO objects (uscc, name, entity_type, industry_code, street, address, registered_on, legal_representative,
        registration_status, credit_grade, graded_on, sector_grade, sector_graded_on, tags, created_at, updated_at)
      SELECT s.uscc, s.name, COALESCE(s.entity_type, s.entity_type_default), s.industry_code, s.street, s.address,
        s.registered_on, s.legal_representative, COALESCE(s.registration_status, 'active'), s.credit_grade,
        CASE WHEN s.credit_grade IS NULL THEN NULL ELSE COALESCE(s.graded_on, ${ctx.today}) END,
        s.sector_grade, CASE WHEN s.sector_grade IS NULL THEN NULL ELSE ${ctx.today} END,
        COALESCE(s.tags, '[]'), ${ctx.now}, ${ctx.now}
      FROM import_stage s
      WHERE NOT EXISTS (SELECT 1 FROM objects o WHERE o.uscc = s.uscc)
      -- In key order: the registry is clustered by USCC on SQLite, and ordered inserts keep
      -- the B-tree writes sequential.
      ORDER BY s.uscc`.execute(trx);
  }
  return { inserted: total - existing, updated: changed, unchanged: existing - changed };
}

export { STAGE_COLUMNS };
