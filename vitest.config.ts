import { configDefaults, defineConfig } from 'vitest/config';
import { filesWithoutVectors } from './test/helpers/vector-gate.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Without ../shared/vectors (a fresh clone) the files that read it are left out, each named on
    // one line; OCISIGN_REQUIRE_VECTORS=1 (CI) keeps them in, so a missing vector is a failure.
    exclude: [...configDefaults.exclude, ...filesWithoutVectors()],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
