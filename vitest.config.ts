import { defineConfig } from 'vitest/config';

/**
 * Four projects. `unit` is pure: domain rules and data files, no database, so it gives the same
 * answer on every engine and runs once. The database projects (`integration`, `http`, `browser`)
 * run on SQLite, or on PostgreSQL when TEST_DATABASE_URL is set (each test file creates its own
 * database: test/helpers/db.ts).
 *
 *   npm test          type check + every project, on SQLite (the README's command)
 *   npm run test:unit the pure tests only
 *   npm run test:db   the database projects only (`.ci/run` runs this with TEST_DATABASE_URL set)
 */
export const DATABASE_PROJECTS = ['integration', 'http', 'browser'] as const;

export default defineConfig({
  test: {
    // Each test file gets its own uploads folder, so files running side by side never see each other's imports.
    setupFiles: ['test/setup/env.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: keep parallelism modest so database-heavy files do not starve each other.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      ...DATABASE_PROJECTS.map((name) => ({ extends: true as const, test: { name, include: [`test/${name}/**/*.test.ts`] } })),
    ],
  },
});
