import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file gets its own uploads folder, so files running side by side never see each other's imports.
    setupFiles: ['test/setup/env.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: keep parallelism modest so database-heavy files do not starve each other.
    maxWorkers: 2,
  },
});
