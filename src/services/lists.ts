/**
 * Loads the versioned exemption and no-coercion lists from <DATA_DIR>/lists/exemption/*.json and
 * <DATA_DIR>/lists/no-coercion/*.json (default data/lists), validates every file against its zod
 * schema (src/domain/lists.ts; a malformed file stops the load with a Chinese message naming the
 * file and the field), and answers which versions are in force on a date. Cached per folder. The
 * server checks the files at start (src/config/startup.ts); the first call loads them otherwise.
 * The evaluation itself is in src/domain/lists.ts; see docs/lists.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dataPaths, displayPath, projectRoot } from '../config.ts';
import { AppError, type Problem } from '../domain/errors.ts';
import {
  activeVersions,
  checkOverlaps,
  LIST_KINDS,
  validateListDocument,
  type AnyList,
  type ExemptionList,
  type ListKind,
  type ListMeta,
  type NoCoercionList,
} from '../domain/lists.ts';
import { isIsoDate, shanghaiDate } from '../domain/time.ts';
import { problemsText, readDataFile } from '../schemas/dataFile.ts';

/** Where the list files live when neither DATA_DIR nor a folder is given. */
export const DEFAULT_LISTS_DIR = path.join(projectRoot, 'data', 'lists');

/** A malformed list file (or an inconsistent set of files). The message names the file and every problem. */
export class ListDataError extends AppError {
  constructor(
    readonly file: string,
    problems: Problem[],
  ) {
    super(500, 'LIST_DATA_INVALID', `清单文件 ${file} 有误 (LIST_DATA_INVALID)：${problemsText(problems)}。格式见 docs/lists.md`, problems);
  }
}

export interface LoadedLists {
  dir: string;
  exemption: ExemptionList[];
  noCoercion: NoCoercionList[];
  /** Absolute file path of each version, keyed 'exemption/national-2025'. */
  files: Map<string, string>;
}

export interface ListVersionInfo extends ListMeta {
  itemCount: number;
  /** The file, relative to the project root when under it. */
  file: string;
}

const display = displayPath;

/** Reads and checks one list file; `list` is the folder it sits in. Throws ListDataError. */
export function readListFile(file: string, list: ListKind): AnyList {
  const shown = display(file);
  const doc = readDataFile(file, 'LIST_DATA_INVALID', '清单文件应放在 lists/exemption/ 或 lists/no-coercion/ 下');
  if (!doc.ok) throw new ListDataError(shown, doc.problems);
  const { value, problems } = validateListDocument(doc.value, { list, version: path.basename(file, '.json') });
  if (!value || problems.length > 0) throw new ListDataError(shown, problems);
  return value;
}

const cache = new Map<string, LoadedLists>();

/**
 * Every list version under `dir` (default <DATA_DIR>/lists), checked, sorted by series then date.
 * A missing default folder (or a missing exemption/ or no-coercion/ subfolder) means no lists;
 * a missing folder that was named explicitly is an error. Versions of one series must not
 * overlap in time. A failed load is not cached.
 */
export function loadLists(opts: { dir?: string } = {}): LoadedLists {
  const dir = path.resolve(opts.dir ?? dataPaths().lists);
  const cached = cache.get(dir);
  if (cached) return cached;
  if (!fs.existsSync(dir)) {
    if (opts.dir !== undefined) throw new ListDataError(display(dir), [{ code: 'LIST_DATA_INVALID', message: '清单文件夹不存在' }]);
  }
  const loaded: LoadedLists = { dir, exemption: [], noCoercion: [], files: new Map() };
  for (const kind of LIST_KINDS) {
    const sub = path.join(dir, kind);
    if (!fs.existsSync(sub)) continue;
    const names = fs
      .readdirSync(sub)
      .filter((n) => n.endsWith('.json'))
      .sort();
    for (const name of names) {
      const file = path.join(sub, name);
      const list = readListFile(file, kind);
      loaded.files.set(`${kind}/${list.version}`, file);
      if (list.list === 'exemption') loaded.exemption.push(list);
      else loaded.noCoercion.push(list);
    }
  }
  const overlaps = checkOverlaps([...loaded.exemption, ...loaded.noCoercion]);
  if (overlaps.length > 0) {
    const files = overlaps.map((p) => display(loaded.files.get(p.path!) ?? p.path!)).join('、');
    throw new ListDataError(files, overlaps);
  }
  const order = (a: ListMeta, b: ListMeta) =>
    a.series < b.series ? -1 : a.series > b.series ? 1 : a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0;
  loaded.exemption.sort(order);
  loaded.noCoercion.sort(order);
  cache.set(dir, loaded);
  return loaded;
}

/** Forgets loaded lists, so the next call reads the files again (e.g. after a new version is added). */
export function clearListsCache(): void {
  cache.clear();
}

function dayOf(date: string | Date | undefined): string {
  if (date === undefined) return shanghaiDate();
  if (date instanceof Date) return shanghaiDate(date);
  if (!isIsoDate(date)) {
    throw new AppError(400, 'INVALID_DATE', `日期必须是 YYYY-MM-DD 格式的真实日期（上海时间），实际是 ${JSON.stringify(date)}`);
  }
  return date;
}

export interface ListQuery {
  /** The lists folder (default data/lists). */
  dir?: string;
  /** Only this series, e.g. 'national' or 'chongqing'. */
  series?: string;
}

/**
 * The exemption lists in force on `date` (YYYY-MM-DD in Asia/Shanghai, or an instant; default
 * today): one version per series, e.g. the national list and Chongqing's side by side.
 */
export function exemptionListOn(date?: string | Date, query: ListQuery = {}): ExemptionList[] {
  const lists = loadLists({ dir: query.dir }).exemption.filter((l) => query.series === undefined || l.series === query.series);
  return activeVersions(lists, dayOf(date));
}

/** The no-coercion lists in force on `date`, one version per series. */
export function noCoercionListOn(date?: string | Date, query: ListQuery = {}): NoCoercionList[] {
  const lists = loadLists({ dir: query.dir }).noCoercion.filter((l) => query.series === undefined || l.series === query.series);
  return activeVersions(lists, dayOf(date));
}

/** Every version on file, exemption lists first, without their items. */
export function listVersions(opts: { dir?: string } = {}): ListVersionInfo[] {
  const loaded = loadLists(opts);
  return [...loaded.exemption, ...loaded.noCoercion].map((l) => ({
    list: l.list,
    version: l.version,
    series: l.series,
    issuer: l.issuer,
    title: l.title,
    effectiveFrom: l.effectiveFrom,
    effectiveTo: l.effectiveTo,
    source: l.source,
    itemCount: l.items.length,
    file: display(loaded.files.get(`${l.list}/${l.version}`)!),
  }));
}
