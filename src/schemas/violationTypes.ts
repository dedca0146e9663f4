/**
 * The schema of data/violation-types.json: the violation types (违法行为类型) findings may carry
 * besides those the exemption lists know. Each code is unique in the file; a code also on a list
 * is allowed (the list's wording is then shown).
 */
import { z } from 'zod';
import { show, strictShape } from './dataFile.ts';

const CODE_PATTERN = /^[A-Z][A-Z0-9_]*$/;

const item = strictShape({
  code: z
    .string({ error: (iss) => `必须是代码字符串，实际是${show(iss.input)}` })
    .regex(CODE_PATTERN, { error: (iss) => `${JSON.stringify(iss.input)} 格式不对：大写字母、数字和下划线，如 FIRE_EXIT_BLOCKED` })
    .max(64, { error: '最长 64 个字符' }),
  name: z.string({ error: (iss) => `必须是中文名称，实际是${show(iss.input)}` }).trim().min(1, { error: '名称不能为空' }).max(200, { error: '最长 200 个字符' }),
  department: z.string().trim().min(1).max(50).optional(),
  note: z.string().trim().min(1).max(500).optional(),
});

export const violationTypesFileSchema = strictShape({
  items: z
    .array(item)
    .min(1, { error: '至少要有一个违法行为类型' })
    .superRefine((items, ctx) => {
      const seen = new Map<string, number>();
      items.forEach((it, i) => {
        const first = seen.get(it.code);
        if (first === undefined) seen.set(it.code, i);
        else ctx.addIssue({ code: 'custom', path: [i, 'code'], message: `"${it.code}" 与 items[${first}] 重复` });
      });
    }),
});

export type ViolationTypesFile = z.output<typeof violationTypesFileSchema>;
