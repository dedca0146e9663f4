/**
 * The violation-type vocabulary (src/domain/violationTypes.ts) as loaded: the exemption lists'
 * types (services/lists.ts) and <DATA_DIR>/violation-types.json, checked against its schema
 * (src/schemas/violationTypes.ts). The server checks the file at start (src/config/startup.ts);
 * otherwise the first call reads it. Cached per file.
 */
import path from 'node:path';
import { dataPaths, displayPath } from '../config.ts';
import { AppError, type Problem } from '../domain/errors.ts';
import { buildVocabulary, type ViolationType } from '../domain/violationTypes.ts';
import { loadDataFile, problemsText } from '../schemas/dataFile.ts';
import { violationTypesFileSchema, type ViolationTypesFile } from '../schemas/violationTypes.ts';
import { loadLists } from './lists.ts';

/** A missing or malformed violation-types file. The message names the file and every problem (Chinese). */
export class ViolationTypesError extends AppError {
  constructor(
    readonly file: string,
    problems: Problem[],
  ) {
    super(500, 'VIOLATION_TYPES_INVALID', `违法行为类型文件 ${file} 有误 (VIOLATION_TYPES_INVALID)：${problemsText(problems)}`, problems);
  }
}

/** The file's path: <DATA_DIR>/violation-types.json. */
export function violationTypesFile(): string {
  return path.join(dataPaths().dir, 'violation-types.json');
}

const cache = new Map<string, ViolationTypesFile>();

/** The checked file (default <DATA_DIR>/violation-types.json). Throws ViolationTypesError. */
export function loadViolationTypesFile(file?: string): ViolationTypesFile {
  const resolved = path.resolve(file ?? violationTypesFile());
  const cached = cache.get(resolved);
  if (cached) return cached;
  const parsed = loadDataFile(resolved, violationTypesFileSchema, 'VIOLATION_TYPES_INVALID', '可从项目的 data/violation-types.json 复制一份再修改');
  if (!parsed.ok) throw new ViolationTypesError(displayPath(resolved), parsed.problems);
  cache.set(resolved, parsed.value);
  return parsed.value;
}

/** Forgets the loaded file, so the next call reads it again. */
export function clearViolationTypesCache(): void {
  cache.clear();
}

/** Every violation type a finding may carry: the exemption lists' (with their wording), then the file's. */
export function listViolationTypes(): ViolationType[] {
  return buildVocabulary(loadLists().exemption, loadViolationTypesFile().items);
}

/** The codes of listViolationTypes, for checking findings. */
export function knownViolationTypes(): ReadonlySet<string> {
  return new Set(listViolationTypes().map((t) => t.code));
}
