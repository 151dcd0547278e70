// Setup for mutation runs (vitest.stryker.config.ts): one fixed fast-check seed and the
// CI run counts, so every mutant meets exactly the same generated cases and Stryker can
// map mutants to tests by their (stable) names.
import fc from 'fast-check';
import { DEFAULT_SEED, numRuns } from './runs.ts';

fc.configureGlobal({ seed: DEFAULT_SEED, numRuns: numRuns(100) });
