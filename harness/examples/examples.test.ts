// The two third-party example implementations, run through the harness over the paging
// corpus and over model-derived random vectors: every vector they support must pass.
import { beforeAll, describe, expect, it } from 'vitest';
import { processFactory } from '../adapters/process.ts';
import { ensureBuilt } from './c/build.ts';
import { loadVectors } from '../runner/corpus.ts';
import { runImplementation } from '../runner/run.ts';
import { testVectors } from '../testdata/vectors.ts';
import type { ImplementationRun } from '../results.ts';
import type { LocatedVector } from '../types.ts';

const PYTHON = 'python3 harness/examples/python/x64spec_paging.py';
let C = '';
let corpus: LocatedVector[] = [];
const random = testVectors(Array.from({ length: 3000 }, (_, i) => `rand-${i}`), 11);

beforeAll(() => {
  C = ensureBuilt();
  corpus = loadVectors(undefined, ['paging']);
});

const options = { jobs: 2, timeoutMs: 10_000, workDir: 'out/test-work/examples', progress: false };

function bad(run: ImplementationRun): string {
  return run.cases.filter((c) => c.verdict === 'fail' || c.verdict === 'error').slice(0, 3).map((c) => `${c.id}: ${c.reason} ${JSON.stringify(c.diff)}`).join('\n');
}

describe('C example (harness/examples/c)', () => {
  it('passes every vector of the paging corpus', async () => {
    expect(corpus.length).toBeGreaterThan(1000);
    const run = await runImplementation(processFactory('c', C), corpus, options);
    expect(run.impl.name).toBe('x64spec-example-c');
    expect(run.counts, bad(run)).toEqual({ pass: corpus.length, fail: 0, unsupported: 0, error: 0 });
  });

  it('passes 3,000 model-derived random vectors', async () => {
    const run = await runImplementation(processFactory('c', C), random, options);
    expect(run.counts, bad(run)).toEqual({ pass: random.length, fail: 0, unsupported: 0, error: 0 });
  });
});

describe('Python example (harness/examples/python)', () => {
  for (const [name, vectors] of [['the paging corpus', () => corpus], ['3,000 model-derived random vectors', () => random]] as const) {
    it(`passes every vector it supports in ${name}; only protection-key cases are unsupported`, async () => {
      const list = vectors();
      const run = await runImplementation(processFactory('py', PYTHON), list, options);
      expect(run.impl.name).toBe('x64spec-example-python');
      expect(run.counts.fail + run.counts.error, bad(run)).toBe(0);
      expect(run.counts.pass).toBeGreaterThan(list.length / 2);
      run.cases.forEach((c, i) => {
        const pke = (parseInt(String((list[i]!.input.regs as { cr4: string }).cr4).slice(2), 16) & (1 << 22)) !== 0;
        expect(c.verdict, c.id).toBe(pke ? 'unsupported' : 'pass');
      });
    });
  }
});
