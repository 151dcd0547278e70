/**
 * Suite `handoff`: a loader's state at the switch to its own page tables in; what the
 * CPU does (runs, or faults at which step) and the HANDOFF.* clauses broken out.
 * Formats, model answer and judge live in vectors/handoff/io.ts.
 */
import { handoffModelAnswer, judgeHandoff, parseHandoffInput } from '../../vectors/handoff/io.ts';
import type { DiffEntry } from '../results.ts';
import type { JsonObject, Vector } from '../types.ts';
import type { SuiteDefinition } from './types.ts';

export const definition: SuiteDefinition = {
  suite: 'handoff',
  modelAnswer: (input: JsonObject) => handoffModelAnswer(parseHandoffInput(input)),
  judge(vector: Vector, output: JsonObject): DiffEntry[] {
    return judgeHandoff(vector.expect, output);
  },
};
