import fc from 'fast-check';
import type { Vector } from '../../../harness/types.ts';
import { NO_REPLAY } from '../paging-arbitrary.ts';
import { mapperInputArbitrary } from './mapper-arbitrary.ts';
import { makeMapperVector } from './mapper-vector.ts';

/** `count` mapper vectors from fast-check `seed`; same seed and count, same bytes. */
export function generateMapperVectors(seed: number, count: number): Vector[] {
  return fc.sample(mapperInputArbitrary(), { seed, numRuns: count, path: NO_REPLAY }).map((input, i) => {
    const id = `mp-gen-s${seed}-${String(i + 1).padStart(4, '0')}`;
    const kinds = input.operations.map((o) => `${o.op} ${o.size}`).join(', ');
    return makeMapperVector(id, `generated: ${kinds}`, input);
  });
}
