/**
 * Finds the benchmark modules: every `harness/bench/*.ts` file (tests and this folder's
 * own plumbing excepted) that exports `benchmarks: Benchmark[]`. A module that fails to
 * load becomes a problem entry instead of stopping the others, so `x64spec bench` works
 * with whichever modules are present.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark } from './types.ts';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

const NOT_MODULES = new Set(['index.ts', 'types.ts']);

/** A module that could not be used, and why. */
export interface BenchModuleProblem {
  readonly module: string;
  readonly message: string;
}

export interface Discovery {
  readonly benchmarks: readonly Benchmark[];
  readonly problems: readonly BenchModuleProblem[];
}

/** The module file names in `dir`, sorted. */
export function benchModuleFiles(dir = BENCH_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !NOT_MODULES.has(f))
    .sort();
}

function isBenchmark(x: unknown): x is Benchmark {
  if (typeof x !== 'object' || x === null) return false;
  const b = x as Record<string, unknown>;
  return typeof b.name === 'string' && typeof b.group === 'string' && typeof b.run === 'function';
}

/** Loads every benchmark module in `dir`. */
export async function discoverBenchmarks(dir = BENCH_DIR): Promise<Discovery> {
  const benchmarks: Benchmark[] = [];
  const problems: BenchModuleProblem[] = [];
  for (const file of benchModuleFiles(dir)) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
    } catch (e) {
      problems.push({ module: file, message: `failed to load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` });
      continue;
    }
    if (!('benchmarks' in mod)) continue; // a helper module, not a benchmark
    const list = mod.benchmarks;
    if (!Array.isArray(list) || !list.every(isBenchmark)) {
      problems.push({ module: file, message: "'benchmarks' is not an array of { name, group, run }" });
      continue;
    }
    benchmarks.push(...list);
  }
  return { benchmarks, problems };
}
