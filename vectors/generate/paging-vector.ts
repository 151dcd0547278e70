import type { Vector } from '../../harness/types.ts';
import { expectToJson, permittedOutcome } from '../../model/paging/expectation.ts';
import { validateAccess, validateState } from '../../model/paging/state.ts';
import type { Access, PagingState } from '../../model/paging/types.ts';
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import { pagingInputFromModel } from '../io/paging.ts';
import { runnerConstraintProblems } from './constraints.ts';

/**
 * Turns a state and an access into a corpus vector whose expectation and decisive
 * clauses come from the model (`permittedOutcome`). `extraClauses` names the rule a
 * curated vector was built to show when the model does not list it itself (ignored
 * and memory-type bits, CR3's low bits, who counts as a user-mode access).
 *
 * Throws when the state is impossible or the vector could not run in the guest runner:
 * that is a bug in the generator, never in user input.
 */
export function makePagingVector(
  id: string, title: string, state: PagingState, access: Access, extraClauses: readonly PagingClauseId[] = [],
): Vector {
  const problems = [...validateState(state.cpu, state.regs), ...validateAccess(access)];
  if (problems.length > 0) throw new Error(`${id}: impossible state: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const e = permittedOutcome(state, access);
  const input = pagingInputFromModel(state, access);
  const constraint = runnerConstraintProblems(input, e.result);
  if (constraint.length > 0) throw new Error(`${id}: breaks the runner constraints: ${constraint.join('; ')}`);
  const clauses = [...new Set<string>([...e.clauses, ...extraClauses])];
  return {
    id, suite: 'paging', title, clauses,
    input: input as unknown as Vector['input'],
    expect: expectToJson(e.expect) as unknown as Vector['expect'],
  };
}
