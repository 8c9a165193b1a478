import { defineConfig } from 'vitest/config';

// Integration tests start real servers (emulator, redis-server); keep files sequential per worker and bounded in number.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    exclude: ['test/chaos/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './.ci/summary-reporter.ts'],
  },
});
