/**
 * The defaults of new inspection tasks, from <DATA_DIR>/plan-defaults.json (default
 * data/plan-defaults.json, configurable by the regulator), checked against its zod schema
 * (src/schemas/planDefaults.ts). The server checks the file at start (src/config/startup.ts);
 * otherwise the first call reads it. Cached per file.
 */
import path from 'node:path';
import { dataPaths, displayPath } from '../config.ts';
import { AppError, type Problem } from '../domain/errors.ts';
import type { PlanDefaults } from '../domain/plans.ts';
import { loadDataFile, problemsText } from '../schemas/dataFile.ts';
import { planDefaultsSchema } from '../schemas/planDefaults.ts';

/** A missing or malformed plan-defaults file. The message names the file and every problem (Chinese). */
export class PlanDefaultsError extends AppError {
  constructor(
    readonly file: string,
    problems: Problem[],
  ) {
    super(
      500,
      'PLAN_DEFAULTS_INVALID',
      `任务默认值文件 ${file} 有误 (PLAN_DEFAULTS_INVALID)：${problemsText(problems)}。各字段的含义见该文件的 "$comment" 和 README 的配置一节`,
      problems,
    );
  }
}

const cache = new Map<string, Readonly<PlanDefaults>>();

/** Task defaults (frozen), from `file` (default <DATA_DIR>/plan-defaults.json). Throws PlanDefaultsError. */
export function planDefaults(file?: string): Readonly<PlanDefaults> {
  const resolved = path.resolve(file ?? dataPaths().planDefaults);
  const cached = cache.get(resolved);
  if (cached) return cached;
  const shown = displayPath(resolved);
  const CODE = 'PLAN_DEFAULTS_INVALID';
  const parsed = loadDataFile(resolved, planDefaultsSchema, CODE, '可从项目的 data/plan-defaults.json 复制一份再修改');
  if (!parsed.ok) throw new PlanDefaultsError(shown, parsed.problems);
  const value: Readonly<PlanDefaults> = Object.freeze({ ...parsed.value, rates: Object.freeze({ ...parsed.value.rates }) });
  cache.set(resolved, value);
  return value;
}

/** Forgets loaded defaults, so the next call reads the file again. */
export function clearPlanDefaultsCache(): void {
  cache.clear();
}
