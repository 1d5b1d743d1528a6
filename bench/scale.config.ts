// `npm run bench:scale`: the scale benchmark (issue 12 item 6) on the test suite's real servers. Not in
// `npm test`: it takes minutes and measures, it does not assert.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/scale.run.ts'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
  },
});
