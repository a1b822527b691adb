import { defineConfig } from 'vitest/config';

/**
 * Two projects: `node` (unit and integration tests, real SQLite, real worker processes, the CLI
 * spawned as a process) and `e2e` (serve mode driven in Debian's Chromium). Integration and e2e
 * tests run the built app, so `npm test` builds first (see package.json).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
