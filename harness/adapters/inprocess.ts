/**
 * The pooled in-process adapters: `module` (a TS/JS file exporting a function per suite,
 * loaded with tsx) and, on request, the model (model.ts runs it in-thread by default). Both run in a tinypool of
 * worker threads, one thread per lane, so a module that hangs — even in a synchronous
 * loop — can be stopped: a watchdog reads which case the worker is on, and when one case
 * outlives the time limit the worker is terminated, that case gets `error`, and the rest
 * of the batch goes to a fresh worker.
 */
import Tinypool from 'tinypool';
import type { Adapter, Answer, ImplInfo, RunOptions, Suite, Vector } from '../types.ts';
import type { CaseTask, HelloReply, HelloTask, ImplRef } from './inprocess-task.ts';
import type { AdapterFactory } from './types.ts';

const WORKER = new URL('./inprocess-worker.mjs', import.meta.url).href;
/** Time a fresh worker gets to load the implementation (tsx compiles it) before the first case's clock starts. */
const LOAD_TIMEOUT_MS = 30_000;

export class InProcessAdapter implements Adapter {
  constructor(
    readonly kind: 'model' | 'module',
    private readonly spec: string,
    private readonly impl: ImplRef,
    private readonly pool: Tinypool,
  ) {}

  async hello(suites: readonly Suite[]): Promise<ImplInfo> {
    const task: HelloTask = { type: 'hello', impl: this.impl };
    // A module whose top level never finishes loading must not stall the run.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), LOAD_TIMEOUT_MS);
    let reply: HelloReply;
    try {
      reply = (await this.pool.run(task, { signal: controller.signal })) as HelloReply;
    } catch (err) {
      throw new Error(controller.signal.aborted ? `${this.spec}: did not load within ${LOAD_TIMEOUT_MS} ms` : `${this.spec}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
    if (!reply.ok) throw new Error(`${this.spec}: ${reply.problem}`);
    const { info } = reply;
    return {
      spec: this.spec,
      kind: this.kind,
      name: info.name,
      version: info.version,
      suites: info.suites.filter((s) => suites.includes(s)),
      ...(info.profile !== undefined ? { profile: info.profile } : {}),
      ...(this.impl.kind === 'module' ? { details: { module: this.impl.path } } : {}),
    };
  }

  async run(cases: readonly Vector[], options: RunOptions): Promise<Answer[]> {
    const answers: Answer[] = new Array(cases.length);
    // Positions (into `cases`) still to answer.
    let todo = cases.map((_, i) => i);
    while (todo.length > 0) {
      const progress = new Int32Array(new SharedArrayBuffer(4));
      // -1 until the worker has loaded the implementation and starts the first case.
      progress[0] = -1;
      const controller = new AbortController();
      let current = -1;
      let since = performance.now();
      let timedOut = false;
      const poll = Math.min(100, Math.max(5, options.timeoutMs / 4));
      const watchdog = setInterval(() => {
        const i = Atomics.load(progress, 0);
        const now = performance.now();
        if (i !== current) {
          current = i;
          since = now;
        } else if (now - since > (i < 0 ? Math.max(options.timeoutMs, LOAD_TIMEOUT_MS) : options.timeoutMs)) {
          timedOut = true;
          controller.abort();
        }
      }, poll);
      const task: CaseTask = {
        type: 'cases',
        impl: this.impl,
        cases: JSON.stringify(todo.map((i) => ({ id: cases[i]!.id, suite: cases[i]!.suite, input: cases[i]!.input }))),
        progress,
      };
      try {
        const got = JSON.parse((await this.pool.run(task, { signal: controller.signal })) as string) as Answer[];
        todo.forEach((pos, k) => { answers[pos] = got[k]!; });
        todo = [];
      } catch (err) {
        // The worker is gone; blame the case it was on and retry the others.
        const k = Math.max(0, Atomics.load(progress, 0));
        const pos = todo[k]!;
        const loading = Atomics.load(progress, 0) < 0;
        const reason = timedOut
          ? (loading ? `timeout: the implementation did not load within ${Math.max(options.timeoutMs, LOAD_TIMEOUT_MS)} ms` : `timeout: no answer within ${options.timeoutMs} ms`)
          : `worker crashed: ${err instanceof Error ? err.message : String(err)}`;
        answers[pos] = { id: cases[pos]!.id, error: reason };
        todo = todo.filter((_, j) => j !== k);
      } finally {
        clearInterval(watchdog);
      }
    }
    return answers;
  }

  async close(): Promise<void> {
    // The pool belongs to the factory, which destroys it once every lane is closed.
  }
}

function pooled(kind: 'model' | 'module', spec: string, impl: ImplRef): AdapterFactory {
  let pool: Tinypool | undefined;
  return {
    kind,
    spec,
    batchSize: kind === 'model' ? 2000 : 500,
    create(context) {
      pool ??= new Tinypool({ filename: WORKER, minThreads: 1, maxThreads: context.lanes, isolateWorkers: false });
      return new InProcessAdapter(kind, spec, impl, pool);
    },
    async dispose() {
      const p = pool;
      pool = undefined;
      await p?.destroy();
    },
  };
}

/** The model answering in tinypool workers, one per lane (harness/adapters/model.ts says why it is not the default). */
export function pooledModelFactory(): AdapterFactory {
  return pooled('model', 'model', { kind: 'model' });
}

/** `--impl <file.ts|.js|.mjs>`: an in-process module (export shape in docs/harness.md). */
export function moduleFactory(spec: string, path: string): AdapterFactory {
  return pooled('module', spec, { kind: 'module', path });
}
