import type { DiffEntry } from '../results.ts';
import type { JsonObject, Suite, Vector } from '../types.ts';

/** What `modelAnswer` returns when the model declines a case (the same shape as an implementation's). */
export interface ModelUnsupported {
  readonly unsupported: string;
}

/**
 * How one suite plugs into the harness. Each suite owner writes `harness/suites/<suite>.ts`
 * exporting `export const definition: SuiteDefinition` and adds it to the list in
 * `harness/suites/index.ts`. The runner never knows more about a suite than this.
 */
export interface SuiteDefinition {
  readonly suite: Suite;
  /**
   * The reference model's answer to a vector's `input`, in exactly the `output` form an
   * implementation sends over x64spec-impl/1 (so `model` is judged like any other
   * implementation), or `{ unsupported }` when the model does not cover the input.
   * It may throw on an input that breaks the suite's schema; the runner records that
   * case as `error` with the message.
   */
  modelAnswer(input: JsonObject): JsonObject | ModelUnsupported;
  /**
   * Compares an implementation's output with the vector's expectation (the permitted
   * set). Empty list = pass. A malformed output is reported as differences (its path and
   * what was expected there), never thrown.
   */
  judge(vector: Vector, output: JsonObject): DiffEntry[];
}

/** True when a model or module answer declines the case. */
export function isUnsupported(answer: JsonObject | ModelUnsupported): answer is ModelUnsupported {
  const keys = Object.keys(answer);
  return keys.length === 1 && keys[0] === 'unsupported' && typeof (answer as { unsupported?: unknown }).unsupported === 'string';
}
