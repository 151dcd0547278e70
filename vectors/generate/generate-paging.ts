import fc from 'fast-check';
import type { Vector } from '../../harness/types.ts';
import { permittedOutcome } from '../../model/paging/expectation.ts';
import { toHex } from '../../model/paging/u64.ts';
import { pagingInputFromModel } from '../io/paging.ts';
import { runnerConstraintProblems } from './constraints.ts';
import { NO_REPLAY, pagingCaseArbitrary, type PagingCase } from './paging-arbitrary.ts';
import { makePagingVector } from './paging-vector.ts';

/** True when the case can run in the guest runner (rare aliasing layouts cannot). */
export function runnable(c: PagingCase): boolean {
  const e = permittedOutcome(c.state, c.access);
  return runnerConstraintProblems(pagingInputFromModel(c.state, c.access), e.result).length === 0;
}

/**
 * The generated part of the paging corpus: `count` vectors from fast-check with `seed`.
 * Same seed, same count, same fast-check version → the same vectors, byte for byte.
 */
export function generatePagingVectors(seed: number, count: number): Vector[] {
  const cases = fc.sample(pagingCaseArbitrary().filter(runnable), { seed, numRuns: count, path: NO_REPLAY });
  return cases.map((c, i) => {
    const id = `pg-gen-s${seed}-${String(i + 1).padStart(5, '0')}`;
    return makePagingVector(id, describe(c), c.state, c.access);
  });
}

/** A short title: who does what, through which chain, under which settings. */
function describe(c: PagingCase): string {
  const a = c.access;
  const who = a.implicit ? 'implicit supervisor' : c.state.regs.cpl === 3 ? 'user' : `CPL ${c.state.regs.cpl} supervisor`;
  const e = permittedOutcome(c.state, c.access).expect;
  const outcome = e.outcome === 'ok' ? `ok 0x${e.pa.toString(16)}` : e.vector === 13 ? '#GP' : `#PF 0x${e.errorCode.toString(16)}`;
  return `generated: ${who} ${a.kind} of ${toHex(a.va)} → ${outcome}`;
}
