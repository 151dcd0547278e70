/**
 * Turns one answer into a case result: `unsupported` and `error` pass through with their
 * reason; an output is judged by its suite's definition (empty diff = pass).
 */
import type { CaseResult, DiffEntry } from '../results.ts';
import type { SuiteDefinition } from '../suites/types.ts';
import type { Answer, LocatedVector } from '../types.ts';

function base(v: LocatedVector): Pick<CaseResult, 'id' | 'suite' | 'title' | 'clauses' | 'source'> {
  return { id: v.id, suite: v.suite, title: v.title, clauses: v.clauses, source: v.source };
}

export function unsupportedResult(v: LocatedVector, reason: string): CaseResult {
  return { ...base(v), verdict: 'unsupported', reason };
}

export function errorResult(v: LocatedVector, reason: string, observed?: Answer): CaseResult {
  return {
    ...base(v),
    verdict: 'error',
    reason,
    input: v.input,
    expect: v.expect,
    ...(observed !== undefined && 'output' in observed ? { observed: observed.output } : {}),
  };
}

function summarise(diff: readonly DiffEntry[]): string {
  const paths = diff.slice(0, 4).map((d) => d.path + (d.clause !== undefined ? ` (${d.clause})` : ''));
  return `${diff.length} difference${diff.length === 1 ? '' : 's'}: ${paths.join(', ')}${diff.length > 4 ? ', …' : ''}`;
}

export function judgeAnswer(def: SuiteDefinition, v: LocatedVector, answer: Answer): CaseResult {
  if ('error' in answer) return errorResult(v, answer.error);
  if ('unsupported' in answer) return unsupportedResult(v, answer.unsupported);
  let diff: DiffEntry[];
  try {
    diff = def.judge(v, answer.output);
  } catch (err) {
    return errorResult(v, `the ${v.suite} judge could not compare the output: ${err instanceof Error ? err.message : String(err)}`, answer);
  }
  if (diff.length === 0) return { ...base(v), verdict: 'pass' };
  return { ...base(v), verdict: 'fail', reason: summarise(diff), diff, input: v.input, expect: v.expect, observed: answer.output };
}
