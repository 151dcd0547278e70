// `x64spec fuzz` finds and shrinks a deliberately planted bug, prints a vector that
// reproduces it, and finds nothing in correct implementations.
import { beforeAll, describe, expect, it } from 'vitest';
import { moduleFactory } from '../adapters/inprocess.ts';
import { processFactory } from '../adapters/process.ts';
import { ensureBuilt } from '../examples/c/build.ts';
import { parseVectorLine, formatVectorLine } from '../../vectors/io/index.ts';
import { runImplementation } from '../runner/run.ts';
import { fuzzPaging } from './differential.ts';
import { describeResult } from '../cli/fuzz.ts';
import { numRuns } from '../../properties/support/runs.ts';

const common = { timeoutMs: 10_000, workDir: 'out/test-work/fuzz' };
let cBinary = '';
beforeAll(() => { cBinary = ensureBuilt(); });

describe('x64spec fuzz', () => {
  it('finds the planted W/R error-code bug and shrinks it to a minimal write to a not-present entry', async () => {
    const spec = 'harness/testdata/modules/broken-wr.ts';
    const r = await fuzzPaging({ ...common, factory: moduleFactory(spec, spec), seed: 1, runs: 1000 });
    const c = r.counterexample;
    expect(c).toBeDefined();
    expect(c!.outcome.kind).toBe('differs');
    if (c!.outcome.kind !== 'differs') return;
    expect(c!.outcome.diff.map((d) => d.clause)).toEqual(['PG.PF.EC.WR']);
    expect(c!.shrinks).toBeGreaterThan(0);
    const input = c!.vector.input as { access: { kind: string; va: string; implicit: boolean }; memory: unknown[] };
    // Shrunk to the bug's essence: a plain write that meets a not-present entry, with at
    // most the four entries of one walk in memory.
    expect(input.access.kind).toBe('write');
    expect(input.memory.length).toBeLessThanOrEqual(4);
    expect(c!.vector.expect).toMatchObject({ outcome: 'fault', vector: 14 });
    const ec = parseInt(String(c!.vector.expect.errorCode).slice(2), 16);
    expect(ec & 0b11).toBe(0b10); // W/R set, P clear: a not-present fault on a write

    // The printed line is a valid vector that fails the broken module and passes the model.
    const text = formatVectorLine(c!.vector);
    const parsed = parseVectorLine(text, 'fuzz.jsonl', 1);
    expect('vector' in parsed, JSON.stringify(parsed)).toBe(true);
    if (!('vector' in parsed)) return;
    const broken = await runImplementation(moduleFactory(spec, spec), [parsed.vector], { ...common, jobs: 1, progress: false });
    expect(broken.cases[0]!.verdict).toBe('fail');
    const model = await runImplementation(moduleFactory('m', 'harness/testdata/modules/correct.ts'), [parsed.vector], { ...common, jobs: 1, progress: false });
    expect(model.cases[0]!.verdict).toBe('pass');

    // The replay path reproduces exactly this case, and the report names both replay commands.
    const replay = await fuzzPaging({ ...common, factory: moduleFactory(spec, spec), seed: 1, runs: 1, path: c!.path });
    expect(replay.counterexample?.vector).toEqual(c!.vector);
    const shown = describeResult(r, spec, 'out/fuzz/x.jsonl');
    expect(shown).toContain(text);
    expect(shown).toContain(`x64spec fuzz --impl ${spec} --suite paging --seed 1 --path ${c!.path}`);
    expect(shown).toContain(`x64spec run --impl ${spec} --vectors out/fuzz/x.jsonl`);
  });

  it('finds no difference in the model-backed module', async () => {
    const r = await fuzzPaging({ ...common, factory: moduleFactory('m', 'harness/testdata/modules/correct.ts'), seed: 2, runs: numRuns(300) });
    expect(r.counterexample).toBeUndefined();
    expect(r.runs).toBe(numRuns(300));
  });

  it('finds no difference in the C example', async () => {
    const r = await fuzzPaging({ ...common, factory: processFactory('c', cBinary), seed: 3, runs: numRuns(2000) });
    expect(r.counterexample, r.counterexample && describeResult(r, 'c', undefined)).toBeUndefined();
    expect(r.unsupported).toBe(0);
    // Every drawn case was answered in the batch pass: the property never had to ask singly.
    expect(r.singleCalls).toBe(0);
  });

  it('finds no difference in the Python example (keys answered unsupported)', async () => {
    const r = await fuzzPaging({ ...common, factory: processFactory('py', 'python3 harness/examples/python/x64spec_paging.py'), seed: 4, runs: numRuns(1000) });
    expect(r.counterexample, r.counterexample && describeResult(r, 'py', undefined)).toBeUndefined();
    expect(r.unsupported).toBeGreaterThan(0);
    expect(r.unsupported).toBeLessThan(r.runs);
  });
});
