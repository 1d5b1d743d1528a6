import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{lib,api,worker,workflows,activities,providers,sandbox,web,scripts,test}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', 'web/build/**'],
    // The Temporal SDK's native runtime wants its own process, not a worker thread.
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
