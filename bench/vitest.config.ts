// Benchmarks run apart from the test suite (no servers needed): `npm run bench`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: '.',
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
