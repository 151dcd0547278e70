// Vitest configuration for mutation testing only (`npm run mutation`). Stryker maps each
// mutant to the tests that cover it by test name, so names must be identical from run to
// run: this config runs only the tests of model/paging and the paging properties, with
// fast-check's seed fixed by `properties/support/stryker-setup.ts` (never taken from the
// clock, never put in a test name).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['model/paging/**/*.test.ts', 'properties/paging/**/*.test.ts'],
    exclude: ['node_modules/**', 'out/**', '.stryker-tmp/**'],
    setupFiles: ['properties/support/stryker-setup.ts'],
    testTimeout: 120_000,
    coverage: { enabled: false },
  },
});
