/**
 * The standalone verifier: `node double-random-verify.mjs <bundle.json> [--commitment HEX]
 * [--opening opening.json]`. The public site serves it as one file with no dependencies
 * (services/standaloneVerifier.ts bundles this module with esbuild), so anyone with Node can check
 * a draw without installing the project. It prints exactly what `double-random verify` prints
 * (the same module, domain/draw/verifyReport.ts) and exits 0 when verified, 1 when not, 2 on
 * wrong usage or an unreadable file.
 */
import fs from 'node:fs';
import type { DrawBundle } from '../domain/draw/bundle.ts';
import type { Opening } from '../domain/draw/verify.ts';
import { printVerification } from '../domain/draw/verifyReport.ts';

const USAGE = '用法：node double-random-verify.mjs <抽取包.json> --commitment <抽取前公布的承诺值> [--opening <打开值.json>]';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return fail(`找不到${what}文件 (FILE_NOT_FOUND)：${file}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return fail(`${what}文件 ${file} 不是有效的 JSON (INVALID_JSON)：${(e as Error).message}`);
  }
}

export function main(argv: string[]): number {
  const args = [...argv];
  let file: string | undefined;
  let commitment: string | undefined;
  let openingFile: string | undefined;
  while (args.length) {
    const a = args.shift()!;
    if (a === '--commitment') commitment = args.shift() ?? fail('--commitment 后面缺少承诺值');
    else if (a.startsWith('--commitment=')) commitment = a.slice('--commitment='.length);
    else if (a === '--opening') openingFile = args.shift() ?? fail('--opening 后面缺少文件名');
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith('-')) fail(`不认识的选项 (UNKNOWN_OPTION)：${a}`);
    else if (!file) file = a;
    else fail(`多余的参数 (EXTRA_ARGUMENT)：${a}`);
  }
  if (!file) fail('缺少抽取包文件名 (BUNDLE_REQUIRED)');
  const bundle = readJson(file, '抽取包') as DrawBundle;
  const opening = openingFile ? (readJson(openingFile, '打开值') as Opening) : undefined;
  return printVerification(bundle, { commitment, opening }, (line) => console.log(line));
}
