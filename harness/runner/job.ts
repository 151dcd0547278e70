/**
 * One `x64spec run` job: several implementations over one set of vectors, written to one
 * results file. Shared by `x64spec run` and `npm start`.
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { adapterFactory } from '../adapters/index.ts';
import type { ImplementationRun, ResultsFile } from '../results.ts';
import type { LocatedVector } from '../types.ts';
import { runImplementation } from './run.ts';
import { resultsFile, writeResults } from './results-file.ts';
import { inShard, type Shard } from './shard.ts';

export interface JobOptions {
  readonly impls: readonly string[];
  readonly vectors: readonly LocatedVector[];
  readonly out: string;
  readonly jobs?: number;
  readonly timeoutMs?: number;
  readonly shard?: Shard;
  readonly seed?: number;
  readonly command: readonly string[];
  readonly progress?: boolean;
  /** Called after each implementation finishes (for printing as it goes). */
  readonly onRun?: (run: ImplementationRun) => void;
}

export const DEFAULT_TIMEOUT_MS = 5000;

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

export async function runJob(options: JobOptions): Promise<{ file: ResultsFile; exitCode: number }> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const vectors = options.shard !== undefined ? options.vectors.filter((v) => inShard(v.id, options.shard!)) : options.vectors;
  const runs: ImplementationRun[] = [];
  // Resolve every spec first: a typo in the third --impl fails before the first one runs.
  const factories = [];
  for (const spec of options.impls) factories.push(await adapterFactory(spec));
  for (const [k, factory] of factories.entries()) {
    const run = await runImplementation(factory, vectors, {
      jobs: options.jobs ?? defaultJobs(),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      workDir: join(dirname(options.out), 'work', `${process.pid}-${k}`),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.progress !== undefined ? { progress: options.progress } : {}),
    });
    runs.push(run);
    options.onRun?.(run);
  }
  const file = resultsFile(runs, {
    command: options.command,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.shard !== undefined ? { shard: options.shard } : {}),
  });
  writeResults(options.out, file);
  // A failure that a documented deviation explains (spec/deviations) is known and
  // re-checked by its own test; only unexplained failures and errors make the run red.
  const bad = runs.some((r) => r.counts.error > 0 || r.cases.some((c) => c.verdict === 'fail' && c.deviation === undefined));
  return { file, exitCode: bad ? 1 : 0 };
}

/** A few lines about one run: counts, time, and the first failures with their reasons. */
export function summariseRun(run: ImplementationRun, maxCases = 5): string {
  const c = run.counts;
  const who = `${run.impl.name}${run.impl.version !== '' ? ' ' + run.impl.version : ''} (${run.impl.spec})`;
  const documented = run.cases.filter((x) => x.verdict === 'fail' && x.deviation !== undefined).length;
  const fail = documented > 0 ? `${c.fail} fail (${documented} documented deviations)` : `${c.fail} fail`;
  const lines = [`${who}: ${c.pass} pass, ${fail}, ${c.unsupported} unsupported, ${c.error} error in ${(run.durationMs / 1000).toFixed(1)} s`];
  const bad = run.cases.filter((x) => x.verdict === 'fail' || x.verdict === 'error');
  for (const x of bad.slice(0, maxCases)) lines.push(`  ${x.verdict} ${x.id} (${x.source.file}:${x.source.line}): ${x.reason ?? ''}`);
  if (bad.length > maxCases) lines.push(`  … ${bad.length - maxCases} more in the results file`);
  return lines.join('\n');
}
