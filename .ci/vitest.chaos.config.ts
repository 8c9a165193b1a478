import { defineConfig } from 'vitest/config';

// The long chaos suite: one file at a time (each starts its own emulator, redis-server and worker processes),
// generous timeouts, and a closing summary table printed by the global setup's teardown.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { concurrent: false },
    globalSetup: ['./test/chaos/summary-setup.ts'],
    reporters: ['default', './.ci/summary-reporter.ts'],
  },
});
