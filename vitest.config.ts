import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Two projects: `node` (unit and integration tests, real SQLite, real worker processes, the CLI
 * spawned as a process) and `e2e` (serve mode driven in Debian's Chromium). Tests that spawn the
 * CLI or workers run the built backend, which the global setup builds (about a second).
 */
export default defineConfig({
  define: { __PILOT_VERSION__: JSON.stringify(version) },
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Two test files at a time even on a 2-core machine (vitest's default there is one): most files
    // spend much of their time waiting on spawned CLI and worker processes, so the suite runs in about
    // two thirds of the time. The limits below leave room for a file sharing the CPU with another.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Builds the renderer when dist/renderer is missing or stale.
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
