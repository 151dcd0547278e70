// Setup for mutation runs (vitest.stryker.config.ts): one fixed fast-check seed, so every
// mutant meets exactly the same generated cases and Stryker can map mutants to tests by
// their (stable) names. Properties take a fifth of their CI runs unless X64SPEC_NUM_RUNS
// says otherwise: each of ~2,400 mutants reruns the tests that cover it, so the full CI
// counts would make a run take hours on two cores.
import fc from 'fast-check';
import { DEFAULT_SEED, numRuns } from './runs.ts';

process.env.X64SPEC_NUM_RUNS ??= '0.2';
fc.configureGlobal({ seed: DEFAULT_SEED, numRuns: numRuns(100) });
