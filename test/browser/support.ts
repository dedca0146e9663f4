/**
 * Shared set-up of the browser tests: Debian's chromium (what `command -v chromium` prints)
 * driven by playwright-core with the project's launch flags; never a downloaded browser. The
 * tests run once, on the SQLite pass, and are skipped on a developer's machine without chromium
 * (in CI a missing chromium is a failure).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/config.ts';

/** The launch flags, exactly (playwright adds its own pipe and profile switches). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOTS = path.join(projectRoot, 'test-output', 'screenshots');

/** What `which chromium` prints, or null. */
export function findChromium(): string | null {
  try {
    const out = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out.length > 0 ? out : null;
  } catch {
    return null;
  }
}

export const chromiumPath = findChromium();
const inCi = Boolean(process.env.CI);

/** Why the browser tests are skipped here, or null when they run. */
export const skipReason = process.env.TEST_DATABASE_URL
  ? 'browser tests run once, on the SQLite pass (TEST_DATABASE_URL is set: skipping them on this PostgreSQL pass)'
  : !chromiumPath && !inCi
    ? 'chromium is not installed (`command -v chromium` found nothing): skipping the browser tests; `apt-get install -y chromium` to run them (in CI they are required)'
    : null;
