/**
 * Writes docs/draw-bundle.schema.json from the bundle's schema in the code
 * (src/domain/draw/bundleSchema.ts): `npm run schema:bundle`. test/unit/bundle-schema.test.ts
 * fails when the committed file and the code disagree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/config.ts';
import { drawBundleJsonSchema } from '../src/domain/draw/bundleSchema.ts';

export const SCHEMA_FILE = path.join(projectRoot, 'docs', 'draw-bundle.schema.json');
export const schemaText = () => `${JSON.stringify(drawBundleJsonSchema(), null, 2)}\n`;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  fs.writeFileSync(SCHEMA_FILE, schemaText());
  console.log(`已写入 ${path.relative(projectRoot, SCHEMA_FILE)}`);
}
