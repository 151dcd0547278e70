// The runner's contract with adapters, checked with scripted adapters: one verdict per
// vector in corpus order whatever the adapter does, suites and profiles honoured, the
// `--seed` order, lanes, and documented deviations recorded.
import { describe, expect, it } from 'vitest';
import { definition } from '../suites/paging.ts';
import { runImplementation, type RunnerOptions } from './run.ts';
import { testVectors } from '../testdata/vectors.ts';
import type { Adapter, Answer, ImplInfo, Suite, Vector } from '../types.ts';
import type { AdapterFactory } from '../adapters/types.ts';

type Script = (cases: readonly Vector[]) => Answer[] | Promise<Answer[]>;

function factory(script: Script, info: Partial<ImplInfo> = {}, extra: Partial<AdapterFactory> & { deviation?: string } = {}): AdapterFactory & { sent: string[][]; lanesMade: number } {
  const f = {
    kind: 'module' as const, spec: 'scripted', batchSize: 4, sent: [] as string[][], lanesMade: 0,
    create(): Adapter {
      f.lanesMade++;
      const a: Adapter & { deviationFor?: () => string | undefined } = {
        kind: 'module',
        hello: async (suites: readonly Suite[]) => ({ spec: 'scripted', kind: 'module', name: 'scripted', version: '1', suites, ...info }),
        run: async (cases) => { f.sent.push(cases.map((c) => c.id)); return script(cases); },
        close: async () => undefined,
      };
      if (extra.deviation !== undefined) a.deviationFor = () => extra.deviation;
      return a;
    },
    ...extra,
  };
  return f;
}

const model = (c: Vector): Answer => {
  const out = definition.modelAnswer(c.input);
  return 'unsupported' in out && Object.keys(out).length === 1 ? { id: c.id, unsupported: String(out.unsupported) } : { id: c.id, output: out as never };
};
const opts = (extra: Partial<RunnerOptions> = {}): RunnerOptions => ({ jobs: 1, timeoutMs: 1000, workDir: 'out/test-work/run', progress: false, ...extra });
const vectors = testVectors(Array.from({ length: 10 }, (_, i) => `r-${i}`), 3);

describe('runImplementation', () => {
  it('passes a correct adapter and keeps corpus order with several lanes and a shuffled send order', async () => {
    const f = factory((cs) => cs.map(model));
    const run = await runImplementation(f, vectors, opts({ jobs: 3, seed: 5 }));
    expect(run.cases.map((c) => c.id)).toEqual(vectors.map((v) => v.id));
    expect(run.counts).toEqual({ pass: 10, fail: 0, unsupported: 0, error: 0 });
    expect(f.lanesMade).toBe(3);
    const order = f.sent.flat();
    expect([...order].sort()).toEqual(vectors.map((v) => v.id).sort());
    expect(order).not.toEqual(vectors.map((v) => v.id)); // seed 5 shuffles
  });

  it('turns missing answers, misplaced ids and a throwing run into errors for exactly those cases', async () => {
    const run = await runImplementation(factory((cs) => {
      if (cs[0]!.id === 'r-4') throw new Error('adapter exploded');
      return cs.map((c, i) => (i === 1 ? { id: 'other', output: {} } : model(c))).slice(0, cs.length - 1);
    }), vectors, opts());
    const why = Object.fromEntries(run.cases.map((c) => [c.id, `${c.verdict}: ${c.reason ?? ''}`]));
    expect(why['r-1']).toBe('error: adapter answered id "other" in this case\'s place');
    expect(why['r-3']).toBe('error: adapter returned no answer for this case');
    for (const id of ['r-4', 'r-5', 'r-6', 'r-7']) expect(why[id]).toBe('error: adapter failed: adapter exploded');
    expect(why['r-0']).toBe('pass: ');
    expect(run.cases).toHaveLength(10);
  });

  it('fails a wrong output with the judge diff, and records a documented deviation', async () => {
    const wrong = (cs: readonly Vector[]) => cs.map((c) => { const a = model(c); return 'output' in a ? { id: c.id, output: { ...a.output, outcome: a.output.outcome === 'ok' ? 'fault' : 'ok' } } : a; });
    const run = await runImplementation(factory(wrong, {}, { deviation: 'QEMU-TEST-1' }), vectors, opts());
    const fails = run.cases.filter((c) => c.verdict === 'fail');
    expect(fails.length).toBe(10);
    for (const c of fails) {
      expect(c.diff!.length).toBeGreaterThan(0);
      expect(c.deviation).toBe('QEMU-TEST-1');
      expect(c.reason).toMatch(/^\d+ differences?: /);
    }
  });

  it('marks suites the implementation lacks, and vectors outside its profile, unsupported without sending them', async () => {
    const f = factory((cs) => cs.map(model), { suites: [] });
    const run = await runImplementation(f, vectors, opts());
    expect(run.counts.unsupported).toBe(10);
    expect(run.cases[0]!.reason).toBe('scripted does not implement suite paging');
    expect(f.sent).toEqual([]);
    const g = factory((cs) => cs.map(model), { profile: { maxphyaddr: 33, features: [] } });
    const r2 = await runImplementation(g, vectors, opts());
    expect(r2.counts.unsupported).toBe(10);
    expect(g.sent).toEqual([]);
  });

  it('gives every case an error when the implementation cannot start, or the suite has no definition', async () => {
    const broken = { ...factory(() => []), create: () => { throw new Error('no such emulator'); } };
    const run = await runImplementation(broken, vectors, opts());
    expect(run.counts.error).toBe(10);
    expect(run.cases[9]!.reason).toBe('implementation did not start: no such emulator');
    const none = await runImplementation(factory((cs) => cs.map(model)), vectors, opts({ definitions: () => undefined }));
    expect(none.cases[0]!.reason).toBe('suite paging has no definition registered in harness/suites/index.ts');
  });
});

describe('lanes', () => {
  it('goes on with the lanes that started when another fails to start', async () => {
    let made = 0;
    const base = factory((cs) => cs.map(model));
    const flaky: AdapterFactory = { ...base, create: (ctx) => { made++; if (ctx.lane === 2) throw new Error('lane 2 broke'); return base.create(ctx); } };
    const run = await runImplementation(flaky, vectors, opts({ jobs: 3 }));
    expect(made).toBe(3);
    expect(run.counts.pass).toBe(10);
    expect(run.stderr).toContain('[x64spec] lane 2 did not start (lane 2 broke); continuing with fewer lanes');
  });
});
