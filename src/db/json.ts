/**
 * JSON and flag columns, typed at the repository boundary.
 *
 * Lists and objects are stored as JSON text on both engines (the same DDL for SQLite and
 * PostgreSQL). Services never see that text: a JSON column is typed `JsonColumn<T>` in the table
 * types, reads come back as `T` (JsonColumnsPlugin parses them as rows leave the driver), and
 * writes take `JsonText<T>`, which only `toJson(value)` produces — so a write of the wrong shape,
 * or of an unserialised value, does not compile.
 *
 * Parsing is keyed by column name, so a JSON column's name must not be reused by a text column
 * anywhere in the schema (test/integration/json-columns.test.ts checks every table of a migrated
 * database against JSON_COLUMNS). The audit trail's before/after are canonical JSON text that is
 * hashed byte for byte: they are deliberately not JSON columns, and neither is the registry
 * change log's before/after (the same names), which its repository parses.
 *
 * Flags (yes/no columns) are stored as 0/1 on both engines and typed `FlagColumn`: read as
 * booleans (the plugin converts them by name, like JSON columns), written as `toFlag(b)`.
 */
import type { ColumnType, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

declare const jsonText: unique symbol;

/** Serialised JSON of a `T`, ready to be written to a JSON column. */
export type JsonText<T> = string & { readonly [jsonText]: T };

/** A JSON column: selected as `T`, inserted and updated as `JsonText<T>`. */
export type JsonColumn<T> = ColumnType<T, JsonText<T>, JsonText<T>>;

/** A nullable JSON column. */
export type NullableJsonColumn<T> = ColumnType<T | null, JsonText<T> | null | undefined, JsonText<T> | null>;

/** Serialises a value for a JSON column. */
export function toJson<T>(value: T): JsonText<T> {
  return JSON.stringify(value) as JsonText<T>;
}

/** Every JSON column of the schema, by table (the plugin parses these names in every result row). */
export const JSON_COLUMNS = {
  matters: ['entity_types'],
  objects: ['tags'],
  inspectors: ['qualifications'],
  past_inspections: ['officers', 'result_codes'],
  import_jobs: ['summary'],
  draws: ['summary'],
  draw_selections: ['team'],
  tasks: ['departments', 'matters', 'filters', 'selection', 'exclude_strata', 'exclusions'],
  visits: ['task_ids', 'matters', 'team'],
  deadlines: ['calendar_warnings'],
  visit_notices: ['data'],
  inspection_results: ['codes', 'follow_up', 'findings'],
  result_measures: ['facts', 'evaluation'],
} as const satisfies Record<string, readonly string[]>;

export const JSON_COLUMN_NAMES: ReadonlySet<string> = new Set(Object.values(JSON_COLUMNS).flat());

/** A yes/no column stored as 0/1. */
export type Flag = 0 | 1;
/** A flag column: selected as a boolean, inserted and updated as 0/1 (`toFlag`). */
export type FlagColumn = ColumnType<boolean, Flag | undefined, Flag>;

export const toFlag = (b: boolean): Flag => (b ? 1 : 0);

/** Every flag column of the schema, by table. */
export const FLAG_COLUMNS = {
  import_jobs: ['skip_invalid'],
} as const satisfies Record<string, readonly string[]>;

export const FLAG_COLUMN_NAMES: ReadonlySet<string> = new Set(Object.values(FLAG_COLUMNS).flat());

function parseRow(row: UnknownRow): UnknownRow {
  for (const key in row) {
    const v = row[key];
    if (JSON_COLUMN_NAMES.has(key) && typeof v === 'string') row[key] = JSON.parse(v);
    else if (FLAG_COLUMN_NAMES.has(key) && (v === 0 || v === 1)) row[key] = v === 1;
  }
  return row;
}

/** Parses JSON columns (and turns flags into booleans) as rows come back (selects, returning clauses, streams and raw queries alike). */
export class JsonColumnsPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    for (const row of args.result.rows) parseRow(row);
    return args.result;
  }
}
