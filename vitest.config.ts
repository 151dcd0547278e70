import { defineConfig } from 'vitest/config';

const ci = process.env.CI === 'true' || process.env.CI === '1';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'out/**', '.stryker-tmp/**'],
    setupFiles: ['properties/support/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Two cores here: more workers only add contention for the QEMU and OVMF tests.
    maxWorkers: ci ? 2 : undefined,
    reporters: ci ? ['default'] : ['default'],
    coverage: {
      provider: 'v8',
      include: ['model/**/*.ts', 'harness/**/*.ts', 'report/**/*.ts', 'vectors/**/*.ts', 'spec/**/*.ts'],
      exclude: ['**/*.test.ts', '**/testdata/**', 'harness/examples/**', 'model/**/index.ts', '**/handcomputed/support*.ts'],
      reporter: ['text-summary', 'json-summary', 'html'],
      reportsDirectory: 'out/coverage',
      thresholds: {
        'model/paging/**': { lines: 95, branches: 95 },
        'model/elf/**': { lines: 95, branches: 95 },
        'model/uefi/**': { lines: 95, branches: 95 },
        'model/handoff/**': { lines: 95, branches: 95 },
      },
    },
  },
});
