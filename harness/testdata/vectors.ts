/** Paging vectors for the harness's own tests: model-derived, from a fixed seed, with chosen ids. */
import fc from 'fast-check';
import { pagingCase } from '../fuzz/paging-arbitrary.ts';
import { pagingVector } from '../fuzz/vector.ts';
import type { LocatedVector } from '../types.ts';

/** One vector per id, each from the same fixed-seed sample (ids decide misbehaviour in testdata/misbehave.ts). */
export function testVectors(ids: readonly string[], seed = 7): LocatedVector[] {
  const cases = fc.sample(pagingCase, { seed, numRuns: ids.length });
  return ids.map((id, i) => ({
    ...pagingVector(id, `harness test vector ${id}`, cases[i]!.state, cases[i]!.access),
    source: { file: 'harness/testdata/vectors.ts', line: i + 1 },
  }));
}
