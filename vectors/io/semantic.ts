import type { Vector } from '../../harness/types.ts';
import { asMapperInput, mapperInputProblems } from './mapper.ts';
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
    case 'mapper': {
      const input = asMapperInput(v.input);
      const problems = mapperInputProblems(input);
      const results = (v.expect as { results?: unknown[] }).results ?? [];
      if (problems.length === 0 && results.length !== input.operations.length) {
        problems.push({ path: '$.expect.results', message: `${results.length} results for ${input.operations.length} operations` });
      }
      return problems;
    }
    case 'elf':
    case 'uefi':
    case 'handoff':
      return [];
  }
}
