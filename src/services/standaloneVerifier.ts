/**
 * The standalone verifier file the public site offers (`/verify/double-random-verify.mjs`): the
 * CLI's own verify code (cli/standaloneVerify.ts → domain/draw/verifyReport.ts → verify.ts)
 * bundled by esbuild into one ES module for Node with no dependencies. Built on first request and
 * kept in memory (the sources do not change while the service runs), from the sources under tsx
 * or from the compiled dist/ under `npm start` — the same code either way.
 */
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL(`../cli/standaloneVerifyMain.${import.meta.url.endsWith('.js') ? 'js' : 'ts'}`, import.meta.url));

let cached: Promise<{ source: string; sha256: string }> | undefined;

const BANNER = `#!/usr/bin/env node
// double-random standalone verifier — checks a draw bundle without installing anything.
// Usage: node double-random-verify.mjs <bundle.json> --commitment <the commitment published before the draw>
// Exit code: 0 verified, 1 a difference was found, 2 wrong usage. Source: src/domain/draw/verify.ts (MIT).`;


export function standaloneVerifier(): Promise<{ source: string; sha256: string }> {
  cached ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    legalComments: 'none',
    banner: { js: BANNER },
    logLevel: 'silent',
  }).then((r) => {
    const source = r.outputFiles[0].text;
    return { source, sha256: crypto.createHash('sha256').update(source).digest('hex') };
  });
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
