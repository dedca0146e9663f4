#!/usr/bin/env node
// Entry point of the `double-random` command. Runs the compiled JavaScript in dist/ when it is
// built and up to date with the sources (`npm start` and `npm run build` build it); otherwise
// runs the TypeScript sources through the tsx loader — slower to start, but a checkout being
// edited never runs stale code, and a command never waits for a build.
import { distIsFresh } from '../scripts/build.mjs';

if (distIsFresh()) {
  await import('../dist/src/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
