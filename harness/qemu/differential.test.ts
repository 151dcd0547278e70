/**
 * Vectors built from the model on the spot (the fuzzer's paging arbitrary, fixed seed):
 * QEMU must agree with every one apart from documented deviations, as with the corpus.
 * X64SPEC_NUM_RUNS scales the count.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walk } from '../../model/paging/walk.ts';
import { numRuns, seed } from '../../properties/support/runs.ts';
import { runnerConstraintProblems } from '../../vectors/generate/constraints.ts';
import type { PagingInputJson } from '../../vectors/io/paging.ts';
import { pagingCase } from '../fuzz/paging-arbitrary.ts';
import { pagingVector } from '../fuzz/vector.ts';
import type { Vector } from '../types.ts';
import { QemuAdapter } from './adapter.ts';
import { judgeAnswer, summarise } from './agreement.ts';
import { ensureBuilt } from './build.ts';
import { loadDeviations } from './deviations.ts';
import { qemuAvailability } from './register-adapter.ts';

let adapter: QemuAdapter;

beforeAll(() => {
  const a = qemuAvailability();
  if (!a.available) throw new Error(`this test needs QEMU: ${a.reason}`);
  ensureBuilt();
  adapter = new QemuAdapter({ bootAllowanceMs: 20_000 });
});

afterAll(async () => {
  await adapter?.close();
});

describe('QEMU against model-built random vectors', () => {
  it('agrees apart from documented deviations', async () => {
    const vectors: Vector[] = fc.sample(pagingCase, { seed: seed(), numRuns: numRuns(1500) })
      .map((c, i) => ({ v: pagingVector(`rand-${i}`, 'model-built', c.state, c.access), c }))
      .filter(({ v, c }) => runnerConstraintProblems(v.input as unknown as PagingInputJson, walk(c.state, c.access)).length === 0)
      .map(({ v }) => v);
    expect(vectors.length).toBeGreaterThan(numRuns(1500) / 2);
    const answers = await adapter.run(vectors, { timeoutMs: 5000 });
    const deviations = loadDeviations();
    const verdicts = vectors.map((v, i) => judgeAnswer(v, answers[i]!, deviations));
    const summary = summarise(verdicts);
    console.log(`QEMU over ${summary.total} model-built vectors: ${JSON.stringify(summary)}`);
    const problems = verdicts.flatMap((v, i) =>
      v.verdict === 'fail' ? [`${JSON.stringify(vectors[i])} → ${JSON.stringify(answers[i])}: ${JSON.stringify(v.diff)}`]
        : v.verdict === 'error' ? [`${vectors[i]!.id}: ${v.reason}`] : []);
    expect(problems.slice(0, 5)).toEqual([]);
    expect(summary.pass).toBeGreaterThan(summary.total / 3);
  });
});
