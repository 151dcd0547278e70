// `x64spec run --impl model` passes 100% of the committed corpus (every suite present),
// through the registry's suite definitions and the pooled model adapter.
import { describe, expect, it } from 'vitest';
import { modelFactory } from '../adapters/model.ts';
import { loadVectors } from './corpus.ts';
import { runImplementation } from './run.ts';

describe('the model over the corpus', () => {
  for (const pooled of [false, true]) {
  it(`passes every vector of every suite in vectors/<suite>/ (${pooled ? 'worker pool' : 'in-thread'})`, async () => {
    const vectors = loadVectors(undefined, undefined);
    expect(vectors.filter((v) => v.suite === 'paging').length).toBeGreaterThanOrEqual(10_000);
    const run = await runImplementation(modelFactory({ pooled }), vectors, { jobs: 2, timeoutMs: 30_000, workDir: 'out/test-work/model', progress: false });
    const bad = run.cases.filter((c) => c.verdict !== 'pass').slice(0, 3).map((c) => `${c.id} ${c.verdict}: ${c.reason}`);
    expect(bad).toEqual([]);
    expect(run.counts.pass).toBe(vectors.length);
    expect(run.impl).toMatchObject({ spec: 'model', kind: 'model', name: 'x64spec model', version: '0.1.0' });
  });
  }
});
