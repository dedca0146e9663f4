/**
 * Reads the demo generator's word lists from data/demo/words.json (under the project root, not
 * DATA_DIR: the file ships with the project and is not a regulator's setting) and checks them
 * against their zod schema (src/demo/words.ts). A missing or broken file fails with a
 * DemoWordsError whose message names the file and every field that is wrong. Cached per file;
 * the result is deeply frozen, so the generator cannot change what the next caller gets.
 */
import path from 'node:path';
import { displayPath, projectRoot } from '../config.ts';
import { AppError, type Problem } from '../domain/errors.ts';
import { loadDataFile, problemsText } from '../schemas/dataFile.ts';
import { demoWordsSchema, type DemoWords } from './words.ts';

const CODE = 'DEMO_WORDS_INVALID';

/** The project's demo word file. */
export const DEMO_WORDS_FILE = path.join(projectRoot, 'data', 'demo', 'words.json');

/** A missing or malformed demo word file. The message names the file and every problem (Chinese). */
export class DemoWordsError extends AppError {
  constructor(
    readonly file: string,
    problems: Problem[],
  ) {
    super(500, CODE, `演示数据词表文件 ${file} 有误 (${CODE})：${problemsText(problems)}。各字段的含义见该文件的 "$comment"`, problems);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const cache = new Map<string, DemoWords>();

/** The demo word lists, from `file` (default data/demo/words.json). Throws DemoWordsError. */
export function loadDemoWords(file: string = DEMO_WORDS_FILE): DemoWords {
  const resolved = path.resolve(file);
  const cached = cache.get(resolved);
  if (cached) return cached;
  const shown = displayPath(resolved);
  const parsed = loadDataFile(resolved, demoWordsSchema, CODE, '它随项目发布，请从版本库恢复 data/demo/words.json');
  if (!parsed.ok) throw new DemoWordsError(shown, parsed.problems);
  const words = deepFreeze(parsed.value);
  cache.set(resolved, words);
  return words;
}
