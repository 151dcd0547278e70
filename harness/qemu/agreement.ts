/**
 * Holds QEMU's answers against the vectors' permitted outcomes (model/paging
 * expectation.ts `judgePaging`) and sorts every case into pass, documented deviation,
 * disagreement, unsupported or error. The agreement test and `docs/qemu.md` figures
 * come from here.
 */
import { judgePaging, type PagingDiff } from '../../model/paging/expectation.ts';
import { expectFromJson, hex, hexPa, type PagingExpectJson, type PagingInputJson } from '../../vectors/io/paging.ts';
import type { Answer, Vector } from '../types.ts';
import { matchDeviation, type Deviation } from './deviations.ts';
import { observedFromOutput } from './observed.ts';

export type CaseVerdict =
  | { readonly verdict: 'pass' }
  | { readonly verdict: 'deviation'; readonly deviation: string; readonly diff: readonly PagingDiff[] }
  | { readonly verdict: 'fail'; readonly diff: readonly PagingDiff[] }
  | { readonly verdict: 'unsupported'; readonly reason: string }
  | { readonly verdict: 'error'; readonly reason: string };

/** Judges one answer against its vector's expectation, then against the deviation list. */
export function judgeAnswer(vector: Vector, answer: Answer, deviations: readonly Deviation[]): CaseVerdict {
  if ('unsupported' in answer) return { verdict: 'unsupported', reason: answer.unsupported };
  if ('error' in answer) return { verdict: 'error', reason: answer.error };
  const input = vector.input as unknown as PagingInputJson;
  const inputMemory = input.memory.map((q) => ({ pa: hexPa(q.pa), value: hex(q.value) }));
  const diff = judgePaging(inputMemory, expectFromJson(vector.expect as unknown as PagingExpectJson), observedFromOutput(answer.output));
  if (diff.length === 0) return { verdict: 'pass' };
  const dev = matchDeviation(deviations, vector, answer.output, diff);
  return dev === undefined ? { verdict: 'fail', diff } : { verdict: 'deviation', deviation: dev.id, diff };
}

export interface AgreementSummary {
  readonly total: number;
  readonly pass: number;
  readonly deviation: number;
  readonly fail: number;
  readonly unsupported: number;
  readonly error: number;
  /** Cases per deviation id. */
  readonly byDeviation: Readonly<Record<string, number>>;
}

export function summarise(verdicts: readonly CaseVerdict[]): AgreementSummary {
  const count = { pass: 0, deviation: 0, fail: 0, unsupported: 0, error: 0 };
  const byDeviation: Record<string, number> = {};
  for (const v of verdicts) {
    count[v.verdict]++;
    if (v.verdict === 'deviation') byDeviation[v.deviation] = (byDeviation[v.deviation] ?? 0) + 1;
  }
  return { total: verdicts.length, ...count, byDeviation };
}
