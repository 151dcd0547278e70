// Vitest setup shared by every test file: fixes fast-check's seed so runs are
// deterministic, scales run counts with X64SPEC_NUM_RUNS, and makes every property
// failure print the command that replays exactly the failing case.
import fc from 'fast-check';
import { expect } from 'vitest';
import { fcParameters } from './runs.ts';

fc.configureGlobal(fcParameters((details) => {
  const state = expect.getState();
  const file = state.testPath ?? '<test file>';
  const name = state.currentTestName ?? '';
  return { file, name };
}));
