// Mutation testing of the paging model (`npm run mutation`): every mutant of
// model/paging must make some paging test or property fail. Target score >= 90%.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  mutate: [
    'model/paging/**/*.ts',
    '!model/paging/**/*.test.ts',
    '!model/paging/handcomputed/**',
  ],
  // Per-test coverage: each mutant runs only the tests that reach it (test names are
  // stable because the Stryker vitest setup fixes fast-check's seed).
  coverageAnalysis: 'perTest',
  // Incremental: a re-run reuses the result of every mutant whose code and covering tests
  // did not change (reports/mutation/incremental.json), so killing survivors does not cost
  // a full ~80-minute run each time. `npm run mutation -- --force` ignores it.
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  concurrency: 2,
  timeoutMS: 60_000,
  timeoutFactor: 2,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['out', 'build', 'reports', 'harness/examples/**/build', '.git'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/paging.html' },
  jsonReporter: { fileName: 'reports/mutation/paging.json' },
  thresholds: { high: 90, low: 80, break: null },
};
