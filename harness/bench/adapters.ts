/**
 * Adapter throughput (vectors/s): the in-process model adapter (tinypool worker threads,
 * one per core) and the process adapter driving the C example over x64spec-impl/1 (one
 * process per core). Measured at the adapter boundary — answers received, before judging —
 * over the paging corpus (or, without it, model-derived vectors from a fixed seed), after
 * a warm-up; the full runner's rate (with judging) is reported alongside, without a target.
 */
import fc from 'fast-check';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark, BenchResult } from './types.ts';
import type { AdapterFactory } from '../adapters/types.ts';
import { modelFactory } from '../adapters/model.ts';
import { processFactory } from '../adapters/process.ts';
import { ensureBuilt } from '../examples/c/build.ts';
import { pagingCase } from '../fuzz/paging-arbitrary.ts';
import { pagingVector } from '../fuzz/vector.ts';
import { runImplementation } from '../runner/run.ts';
import { PROJECT_DIR } from '../runner/corpus.ts';
import { readVectorFiles } from '../../vectors/io/index.ts';
import type { Adapter, LocatedVector, Vector } from '../types.ts';

const COUNT = 60_000;
const WORK = join(PROJECT_DIR, 'out', 'bench-work');

/** COUNT paging vectors with unique ids: the corpus repeated, or generated ones. */
function benchVectors(): { vectors: LocatedVector[]; from: string } {
  const dir = join(PROJECT_DIR, 'vectors', 'paging');
  let base: readonly LocatedVector[] = [];
  let from = 'the paging corpus';
  if (existsSync(dir)) base = readVectorFiles([dir]).vectors;
  if (base.length === 0) {
    from = 'model-derived vectors (seed 1)';
    base = fc.sample(pagingCase, { seed: 1, numRuns: 5000 }).map((c, i) => ({
      ...pagingVector(`bench-${i}`, 'bench', c.state, c.access), source: { file: 'bench', line: i + 1 },
    }));
  }
  const vectors: LocatedVector[] = [];
  for (let i = 0; vectors.length < COUNT; i++) {
    const v = base[i % base.length]!;
    vectors.push({ ...v, id: `${v.id}#${Math.floor(i / base.length)}` });
  }
  return { vectors, from };
}

/**
 * Answers per second through `lanes` adapters of one factory, batches pulled from one
 * queue, and the same per second of this process's CPU time (main and worker threads; a
 * child process's own CPU is not counted) — on a busy machine the second says more.
 */
async function adapterRate(factory: AdapterFactory, vectors: readonly Vector[]): Promise<{ wall: number; perCpuSecond: number }> {
  const lanes = Math.max(1, Math.min(availableParallelism(), factory.maxLanes ?? Infinity));
  const adapters: Adapter[] = [];
  try {
    for (let lane = 0; lane < lanes; lane++) {
      const a = await factory.create({ spec: factory.spec, lane, lanes, workDir: WORK });
      adapters.push(a);
      await a.hello(['paging']);
    }
    const batches: Vector[][] = [];
    for (let i = 0; i < vectors.length; i += factory.batchSize) batches.push(vectors.slice(i, i + factory.batchSize));
    const drive = async (list: Vector[][]): Promise<void> => {
      let next = 0;
      await Promise.all(adapters.map(async (a) => {
        while (next < list.length) await a.run(list[next++]!, { timeoutMs: 10_000 });
      }));
    };
    // Warm-up: workers loaded and the JIT settled (the model reaches its steady rate after ~20,000 answers).
    await drive(batches.slice(0, Math.max(lanes * 2, Math.ceil(20_000 / factory.batchSize))));
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await drive(batches);
    const cpu = process.cpuUsage(cpu0);
    return { wall: vectors.length / ((performance.now() - t0) / 1000), perCpuSecond: vectors.length / ((cpu.user + cpu.system) / 1e6) };
  } finally {
    await Promise.all(adapters.map((a) => a.close()));
    await factory.dispose?.();
  }
}

async function runnerRate(factory: AdapterFactory, vectors: readonly LocatedVector[]): Promise<number> {
  const run = await runImplementation(factory, vectors, { jobs: availableParallelism(), timeoutMs: 10_000, workDir: WORK, progress: false });
  if (run.counts.pass !== vectors.length) throw new Error(`bench run did not pass: ${JSON.stringify(run.counts)}`);
  return vectors.length / (run.durationMs / 1000);
}

export const benchmarks: Benchmark[] = [
  {
    name: 'model adapter',
    group: 'harness',
    async run(): Promise<BenchResult[]> {
      const { vectors, from } = benchVectors();
      const note = `${vectors.length} vectors from ${from}`;
      const inThread = await adapterRate(modelFactory(), vectors);
      const pooled = await adapterRate(modelFactory({ pooled: true }), vectors);
      return [
        { name: 'in-process model adapter', value: Math.round(inThread.wall), unit: 'vectors/s', target: { op: '>=', value: 200_000 }, note: `${note}, in the runner's thread (the default); ${Math.round(inThread.perCpuSecond)} vectors per CPU-second` },
        { name: 'model adapter in a worker pool', value: Math.round(pooled.wall), unit: 'vectors/s', note: `${note}, ${availableParallelism()} tinypool threads; ${Math.round(pooled.perCpuSecond)} vectors per CPU-second (all threads)` },
        { name: 'runner with the model (judged)', value: Math.round(await runnerRate(modelFactory(), vectors)), unit: 'vectors/s', note },
      ];
    },
  },
  {
    name: 'process adapter (C example)',
    group: 'harness',
    async run(): Promise<BenchResult[]> {
      const binary = ensureBuilt();
      const { vectors, from } = benchVectors();
      const note = `${vectors.length} vectors from ${from}, ${availableParallelism()} processes`;
      const rate = await adapterRate(processFactory('process:c-example', binary), vectors);
      return [
        { name: 'process adapter, C example', value: Math.round(rate.wall), unit: 'vectors/s', target: { op: '>=', value: 50_000 }, note: `${note}; ${Math.round(rate.perCpuSecond)} vectors per CPU-second of the harness (the C processes not counted)` },
        { name: 'runner with the C example (judged)', value: Math.round(await runnerRate(processFactory('process:c-example', binary), vectors)), unit: 'vectors/s', note },
      ];
    },
  },
];
