/** Turns a model case into a paging vector (id, clauses and the model's permitted set). */
import { permittedOutcome, expectToJson } from '../../model/paging/expectation.ts';
import type { Access, PagingState } from '../../model/paging/types.ts';
import { pagingInputFromModel } from '../../vectors/io/paging.ts';
import type { JsonObject, Vector } from '../types.ts';

export function pagingVector(id: string, title: string, state: PagingState, access: Access): Vector {
  const input = pagingInputFromModel(state, access);
  const e = permittedOutcome(state, access);
  return {
    id,
    suite: 'paging',
    title,
    clauses: [...new Set(e.clauses)],
    input: input as unknown as JsonObject,
    expect: expectToJson(e.expect) as unknown as JsonObject,
  };
}
