import { defineConfig } from 'vitest/config';

// Unit and integration tests run in Node against the real engine code (no Electron).
// E2E tests (test/e2e) need a built renderer and Debian's Chromium; scripts/test.mjs builds first.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
