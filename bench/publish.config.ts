// `npm run bench:publish`: the publishing benchmark (issue 11 item 12) on the test suite's real servers.
// Not in `npm test`: it takes minutes and measures, it does not assert. BENCH_POSTS, BENCH_ACCOUNTS.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/publish.run.ts'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
  },
});
