/**
 * The schema of data/demo/words.json: the word lists and tables the demo registry generator
 * (src/demo/registry.ts) invents names, addresses and industries from. Data, not rules: the rules
 * (how a name is put together, which matter an entity is eligible for, how history is made) stay
 * in the generator.
 *
 * Validated with the data files' conventions (src/schemas/dataFile.ts): '$' keys are comments,
 * objects are strict, every problem is named by its JSON path. Pure: no file reading here (the
 * loader is src/demo/loadWords.ts).
 */
import { z } from 'zod';
import { ENTITY_TYPES, YUZHONG_STREETS } from '../domain/registry.ts';
import { show, strictShape } from '../schemas/dataFile.ts';

const word = z.string().trim().min(1);
const words = z.array(word).min(1);
const weight = z.number().positive();
/** Characters to draw from, written as one string ("建华国明…"). */
const chars = word;
const street = z.enum(YUZHONG_STREETS, {
  error: (iss) => `必须是渝中区的街道之一（${YUZHONG_STREETS.join('、')}），实际是${show(iss.input)}`,
});
/** One entry per Yuzhong street, none missing, none extra. */
const perStreet = <T extends z.ZodType>(value: T) =>
  strictShape(Object.fromEntries(YUZHONG_STREETS.map((s) => [s, value])) as Record<(typeof YUZHONG_STREETS)[number], T>, {
    allowed: `渝中区的 11 个街道 ${YUZHONG_STREETS.join('、')}`,
    expected: '以街道名为键的对象',
  });

/** A share of entities in (0, 1]. */
const share = z.number().gt(0).lte(1);

/** An industry (GB/T 4754-2017 class with its section letter) with the words its entities are named with. */
export const demoTradeSchema = strictShape({
  code: z.string().regex(/^[A-T]\d{4}$/, { error: (iss) => `必须是带门类字母的四位行业代码，如 "H6210"，实际是${show(iss.input)}` }),
  words,
  weight,
  food: z.enum(['食品经营', '食品生产']).optional(),
  tags: z.array(z.tuple([word, share])).optional(),
  streets: z.array(street).min(1).optional(),
});

export const demoWordsSchema = strictShape(
  {
    surnames: z.array(z.tuple([word, weight])).min(1),
    givenNameChars: chars,
    tradeNameFirstChars: chars,
    tradeNameSecondChars: chars,
    shopNames: words,
    roads: perStreet(words),
    streetWeights: perStreet(weight),
    trades: strictShape(
      Object.fromEntries(ENTITY_TYPES.map((t) => [t, z.array(demoTradeSchema).min(1)])) as Record<
        (typeof ENTITY_TYPES)[number],
        z.ZodArray<typeof demoTradeSchema>
      >,
    ),
  },
  { expected: '对象 { "surnames": […], "givenNameChars": "…", …, "trades": { … } }' },
);

/** An industry of the demo registry, as read from the words file. */
export type DemoTrade = z.output<typeof demoTradeSchema>;
/** The demo generator's word lists, as read from the words file. */
export type DemoWords = z.output<typeof demoWordsSchema>;
