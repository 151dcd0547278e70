import type { Vector } from '../../harness/types.ts';
import { asPagingInput, pagingExpectProblems, pagingInputProblems, type InputProblem, type PagingExpectJson } from './paging.ts';

/**
 * Meaning checks that JSON Schema cannot express, per suite, run after the schema has
 * accepted the vector. Suites without checks here rely on their schema alone.
 */
export function semanticProblems(v: Vector): InputProblem[] {
  switch (v.suite) {
    case 'paging': {
      const input = asPagingInput(v.input);
      const problems = pagingInputProblems(input);
      return problems.length > 0 ? problems : pagingExpectProblems(input, v.expect as unknown as PagingExpectJson);
    }
    case 'mapper':
    case 'elf':
    case 'uefi':
    case 'handoff':
      return [];
  }
}
