/**
 * The runner: drives one implementation over a list of vectors and returns its
 * `ImplementationRun` (harness/results.ts). Work is cut into batches that `--jobs` lanes
 * take from one queue; each lane is one adapter (a process, a pool-worker handle, a QEMU
 * batch runner). Every vector ends with exactly one verdict, in corpus order, whatever
 * the implementation does.
 */
import { mkdirSync } from 'node:fs';
import { SUITES, type Adapter, type Answer, type ImplInfo, type LocatedVector, type Suite } from '../types.ts';
import type { CaseResult, ImplementationRun, Verdict } from '../results.ts';
import { suiteDefinition } from '../suites/index.ts';
import type { SuiteDefinition } from '../suites/types.ts';
import { hasDeviations, hasStderr, type AdapterFactory } from '../adapters/types.ts';
import { errorResult, judgeAnswer, unsupportedResult } from './judge.ts';
import { profileMismatch } from './profile.ts';
import { progressBar } from './progress.ts';

export interface RunnerOptions {
  /** Lanes (processes / worker threads) at most. */
  readonly jobs: number;
  /** Time limit per case, in ms. */
  readonly timeoutMs: number;
  /** A scratch directory for adapters (created if missing). */
  readonly workDir: string;
  /** When set, cases are sent in an order shuffled by this seed (results stay in corpus order). */
  readonly seed?: number;
  /** Draw a progress bar (still only on a TTY). Default true. */
  readonly progress?: boolean;
  /** Where suite definitions come from (default: the registry, harness/suites/index.ts). */
  readonly definitions?: (suite: Suite) => SuiteDefinition | undefined;
}

const STDERR_KEEP = 64 * 1024;

export function countVerdicts(cases: readonly CaseResult[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, unsupported: 0, error: 0 };
  for (const c of cases) counts[c.verdict]++;
  return counts;
}

/** A small deterministic PRNG (mulberry32) for the `--seed` order. */
function shuffled<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A failing case the adapter explains by a documented deviation carries its id. */
function withDeviation(adapter: Adapter, v: LocatedVector, r: CaseResult): CaseResult {
  if (!hasDeviations(adapter) || r.observed === undefined || typeof r.observed !== 'object' || r.observed === null || Array.isArray(r.observed)) return r;
  try {
    const id = adapter.deviationFor(v, r.observed, r.diff ?? []);
    return id === undefined ? r : { ...r, deviation: id };
  } catch {
    return r;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function runImplementation(factory: AdapterFactory, vectors: readonly LocatedVector[], options: RunnerOptions): Promise<ImplementationRun> {
  const definitionOf = options.definitions ?? suiteDefinition;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  mkdirSync(options.workDir, { recursive: true });
  const suites: Suite[] = SUITES.filter((s) => vectors.some((v) => v.suite === s));
  const results: (CaseResult | undefined)[] = new Array(vectors.length);
  const batchSize = Math.max(1, factory.batchSize);
  const laneCount = Math.max(1, Math.min(options.jobs, factory.maxLanes ?? options.jobs, Math.ceil(vectors.length / batchSize)));
  const lanes: Adapter[] = [];
  const stderrParts: string[] = [];
  let info: ImplInfo = { spec: factory.spec, kind: factory.kind, name: factory.spec, version: '', suites: [] };

  const finish = (extraStderr?: string): ImplementationRun => {
    const cases = results.map((r, i) => r ?? errorResult(vectors[i]!, 'internal: the runner produced no verdict'));
    for (const a of lanes) if (hasStderr(a) && a.stderrTail() !== '') stderrParts.push(a.stderrTail());
    if (extraStderr !== undefined) stderrParts.push(extraStderr);
    const stderr = stderrParts.join(lanes.length > 1 ? '\n' : '').slice(-STDERR_KEEP);
    return {
      impl: info,
      suites,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      ...(stderr !== '' ? { stderr } : {}),
      counts: countVerdicts(cases),
      cases,
    };
  };
  let closed = false;
  const closeAll = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await Promise.all(lanes.map((a) => a.close().catch(() => undefined)));
    await factory.dispose?.().catch(() => undefined);
  };
  const context = (lane: number) => ({ spec: factory.spec, lane, lanes: laneCount, workDir: options.workDir });

  try {
    // Lane 0 says who the implementation is; a failed start makes every case an error.
    try {
      const first = await factory.create(context(0));
      lanes.push(first);
      info = await first.hello(suites);
    } catch (err) {
      const reason = `implementation did not start: ${message(err)}`;
      vectors.forEach((v, i) => { results[i] = errorResult(v, reason); });
      return finish();
    }

    const toSend: number[] = [];
    vectors.forEach((v, i) => {
      if (definitionOf(v.suite) === undefined) results[i] = errorResult(v, `suite ${v.suite} has no definition registered in harness/suites/index.ts`);
      else if (!info.suites.includes(v.suite)) results[i] = unsupportedResult(v, `${info.name} does not implement suite ${v.suite}`);
      else {
        const why = info.profile !== undefined ? profileMismatch(info.profile, v.input) : undefined;
        if (why !== undefined) results[i] = unsupportedResult(v, why);
        else toSend.push(i);
      }
    });
    if (options.seed !== undefined) shuffled(toSend, options.seed);

    const batches: number[][] = [];
    for (let i = 0; i < toSend.length; i += batchSize) batches.push(toSend.slice(i, i + batchSize));
    const bar = options.progress === false ? progressBar('', 0) : progressBar(info.name, vectors.length);
    bar.add(vectors.length - toSend.length, 0);

    // The other lanes start together (a QEMU or Python start is worth overlapping); a lane
    // that fails to start is dropped with a note, and the run goes on with the others.
    const extra = await Promise.all(Array.from({ length: Math.max(0, Math.min(laneCount, batches.length) - 1) }, async (_, k) => {
      const lane = k + 1;
      let a: Adapter | undefined;
      try {
        a = await factory.create(context(lane));
        await a.hello(suites);
        return a;
      } catch (err) {
        stderrParts.push(`[x64spec] lane ${lane} did not start (${message(err)}); continuing with fewer lanes\n`);
        await a?.close().catch(() => undefined);
        return undefined;
      }
    }));
    for (const a of extra) if (a !== undefined) lanes.push(a);

    let nextBatch = 0;
    const work = async (adapter: Adapter): Promise<void> => {
      while (nextBatch < batches.length) {
        const batch = batches[nextBatch++]!;
        const cases = batch.map((i) => vectors[i]!);
        let answers: Answer[];
        try {
          answers = await adapter.run(cases, { timeoutMs: options.timeoutMs });
        } catch (err) {
          answers = cases.map((c) => ({ id: c.id, error: `adapter failed: ${message(err)}` }));
        }
        let bad = 0;
        batch.forEach((vi, k) => {
          const v = vectors[vi]!;
          const a = answers[k];
          const r = a === undefined
            ? errorResult(v, 'adapter returned no answer for this case')
            : a.id !== v.id
              ? errorResult(v, `adapter answered id ${JSON.stringify(a.id)} in this case's place`)
              : judgeAnswer(definitionOf(v.suite)!, v, a);
          if (r.verdict === 'fail' || r.verdict === 'error') bad++;
          results[vi] = r.verdict === 'fail' ? withDeviation(adapter, v, r) : r;
        });
        bar.add(batch.length, bad);
      }
    };
    await Promise.all(lanes.map(work));
    bar.finish();
    // Close before reading stderr: a process's last stderr bytes arrive before it is reaped.
    await closeAll();
    return finish();
  } finally {
    await closeAll();
  }
}
