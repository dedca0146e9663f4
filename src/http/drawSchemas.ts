/** Request and response schemas of the draw routes (documented in the OpenAPI document). */
import { z } from 'zod';
import { drawParamsInput, STRATA } from '../domain/draw/params.ts';
import { requestSchemas, responseSchemas } from './schemas.ts';

export const DrawParamsBody = drawParamsInput;
requestSchemas.add(DrawParamsBody, { id: 'DrawParams', description: '抽取参数（见 docs/draw-algorithm.md §2）' });

export const DrawIdParams = z.strictObject({ id: z.string().uuid().meta({ title: '抽取编号' }) });
export const DrawListQuery = z.strictObject({ task: z.string().trim().min(1).max(200).optional().meta({ title: '任务名称' }) });
export const SeedBody = z.strictObject({ randomness: z.string().min(1).max(2000).meta({ title: '公开随机数', description: '事先指定来源产生的随机数，如彩票开奖号码' }) });
requestSchemas.add(SeedBody, { id: 'DrawSeed' });
export const VoidBody = z.strictObject({ reason: z.string().trim().min(4).max(1000).meta({ title: '作废理由' }) });
requestSchemas.add(VoidBody, { id: 'DrawVoid' });
export const BundleQuery = z.strictObject({ level: z.enum(['public', 'full']).default('public').meta({ title: '公开包或完整包' }) });

const Stratum = z.enum(STRATA);
export const DrawStratumView = z.object({
  stratum: Stratum,
  candidates: z.number().int(),
  excluded: z.record(z.string(), z.number().int()),
  eligible: z.number().int(),
  target: z.string(),
  selected: z.number().int(),
  inclusionProbability: z.string(),
  cutoff: z.string().nullable(),
});

export const DrawView = z.object({
  id: z.string(),
  task: z.string(),
  status: z.enum(['committed', 'seeded', 'drawn', 'voided']),
  algorithm: z.string(),
  year: z.number().int(),
  window: z.object({ start: z.string(), end: z.string() }),
  commitment: z.string(),
  manifest: z.string(),
  randomnessSource: z.string(),
  committedAt: z.string(),
  committedBy: z.string(),
  randomness: z
    .object({ typed: z.string().nullable(), normalized: z.string().nullable(), workingSeed: z.string().nullable(), enteredAt: z.string().nullable(), enteredBy: z.string().nullable() })
    .nullable(),
  drawnAt: z.string().nullable(),
  resultDigest: z.string().nullable(),
  strata: z.array(DrawStratumView).nullable(),
  selectedCount: z.number().int(),
  voided: z.object({ at: z.string(), by: z.string().nullable(), reason: z.string().nullable() }).nullable(),
  voidedDrawsOfTask: z.number().int(),
  params: z.record(z.string(), z.unknown()),
});
responseSchemas.add(DrawView, { id: 'Draw', description: '一次抽取：承诺、随机数、结果和作废记录' });
export const DrawList = z.object({ items: z.array(DrawView) });
responseSchemas.add(DrawList, { id: 'DrawList' });
export const SelectionList = z.object({
  items: z.array(z.object({ rank: z.number().int(), uscc: z.string(), ticket: z.string(), team: z.array(z.string()) })),
});
responseSchemas.add(SelectionList, { id: 'DrawSelections', description: '抽中对象（按签号顺序）及检查组（执法证号）' });
