/**
 * The `model` adapter: each suite's `modelAnswer`, called in the runner's own thread.
 *
 * Why not the worker pool the module adapter uses: the model is our own pure code, so it
 * needs no isolation or hang watchdog, and measured on the paging corpus a worker thread
 * spends more time receiving a case and sending its answer back than the model spends
 * answering it (harness/bench/adapters.ts reports both ways). `modelFactory({ pooled: true })`
 * still runs it in tinypool workers when that is wanted.
 */
import { suiteDefinition } from '../suites/index.ts';
import { isUnsupported } from '../suites/types.ts';
import { SUITES, type Adapter, type Answer, type ImplInfo, type Suite, type Vector } from '../types.ts';
import { projectVersion } from '../runner/results-file.ts';
import { pooledModelFactory } from './inprocess.ts';
import type { AdapterFactory } from './types.ts';

/** Cases answered between two yields to the event loop (so a progress bar still moves). */
const SLICE = 1000;

export const MODEL_NAME = 'x64spec model';

export class ModelAdapter implements Adapter {
  readonly kind = 'model' as const;

  async hello(suites: readonly Suite[]): Promise<ImplInfo> {
    return {
      spec: 'model',
      kind: 'model',
      name: MODEL_NAME,
      version: projectVersion(),
      suites: SUITES.filter((s) => suites.includes(s) && suiteDefinition(s) !== undefined),
    };
  }

  async run(cases: readonly Vector[]): Promise<Answer[]> {
    const out: Answer[] = new Array(cases.length);
    for (let i = 0; i < cases.length; i++) {
      if (i > 0 && i % SLICE === 0) await new Promise((r) => setImmediate(r));
      const c = cases[i]!;
      const def = suiteDefinition(c.suite);
      if (def === undefined) {
        out[i] = { id: c.id, unsupported: `the model has no ${c.suite} suite registered` };
        continue;
      }
      try {
        const a = def.modelAnswer(c.input);
        out[i] = isUnsupported(a) ? { id: c.id, unsupported: a.unsupported } : { id: c.id, output: a };
      } catch (err) {
        out[i] = { id: c.id, error: `the model rejected the input: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    return out;
  }

  async close(): Promise<void> {}
}

/** `--impl model`. One lane: more would only take turns on the same thread. */
export function modelFactory(options: { readonly pooled?: boolean } = {}): AdapterFactory {
  if (options.pooled === true) return pooledModelFactory();
  return { kind: 'model', spec: 'model', batchSize: 2000, maxLanes: 1, create: () => new ModelAdapter() };
}
