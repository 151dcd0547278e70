/**
 * Results files for the report's tests, made in-process with the harness's own pieces:
 * the paging suite's model answer and judge (harness/suites/paging.ts), the runner's
 * verdict rules (judge.ts, profile.ts) and its results-file builder, with the vectors
 * split by the runner's shard rule. Two implementations: the model (all pass) and the
 * deliberately wrong `wp-blind` (fail, error and unsupported cases).
 */
import type { ImplementationRun, ResultsFile } from '../../harness/results.ts';
import { judgeAnswer, unsupportedResult } from '../../harness/runner/judge.ts';
import { profileMismatch } from '../../harness/runner/profile.ts';
import { countVerdicts } from '../../harness/runner/run.ts';
import { resultsFile } from '../../harness/runner/results-file.ts';
import { inShard, type Shard } from '../../harness/runner/shard.ts';
import { definition, pagingModelAnswer } from '../../harness/suites/paging.ts';
import type { Answer, ImplInfo, JsonObject, LocatedVector } from '../../harness/types.ts';
import { implementation as wpBlind, paging as wpBlindPaging } from './wp-blind-impl.ts';

export const MODEL_INFO: ImplInfo = { spec: 'model', kind: 'model', name: 'x64spec model', version: '0.1.0', suites: ['paging'] };
export const WP_BLIND_INFO: ImplInfo = {
  spec: 'report/testdata/wp-blind-impl.ts', kind: 'module', name: wpBlind.name, version: wpBlind.version, suites: ['paging'],
  profile: wpBlind.profile, details: { module: 'report/testdata/wp-blind-impl.ts' },
};

function answer(id: string, fn: (input: JsonObject) => unknown, input: JsonObject): Answer {
  try {
    const out = fn(input) as JsonObject | { unsupported: string };
    return 'unsupported' in out && typeof out.unsupported === 'string' ? { id, unsupported: out.unsupported } : { id, output: out as JsonObject };
  } catch (err) {
    return { id, error: `the implementation threw: ${(err as Error).message}` };
  }
}

/** Runs one implementation over the vectors the way the runner judges them. */
export function synthRun(info: ImplInfo, vectors: readonly LocatedVector[], fn: (input: JsonObject) => unknown, startedAt: string): ImplementationRun {
  const t0 = performance.now();
  const cases = vectors.map((v) => {
    const mismatch = info.profile ? profileMismatch(info.profile, v.input) : undefined;
    if (mismatch !== undefined) return unsupportedResult(v, mismatch);
    return judgeAnswer(definition, v, answer(v.id, fn, v.input));
  });
  return { impl: info, suites: ['paging'], startedAt, durationMs: Math.round(performance.now() - t0), counts: countVerdicts(cases), cases,
    stderr: info.kind === 'module' ? 'wp-blind: CR0.WP is ignored on purpose (report test fixture)\n' : undefined };
}

/** A results file with the model and wp-blind over `vectors` (only `shard`'s part when given). */
export function synthResults(vectors: readonly LocatedVector[], shard?: Shard, startedAt = new Date().toISOString()): ResultsFile {
  const mine = shard === undefined ? vectors : vectors.filter((v) => inShard(v.id, shard));
  const runs = [
    synthRun(MODEL_INFO, mine, pagingModelAnswer, startedAt),
    synthRun(WP_BLIND_INFO, mine, wpBlindPaging, startedAt),
  ];
  return resultsFile(runs, {
    command: ['x64spec', 'run', '--impl', 'model', '--impl', WP_BLIND_INFO.spec, ...(shard ? ['--shard', `${shard.index}/${shard.count}`] : [])],
    startedAt, durationMs: runs.reduce((n, r) => n + r.durationMs, 0), seed: 1234,
    ...(shard !== undefined ? { shard } : {}),
  });
}
