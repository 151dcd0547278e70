/**
 * Writes the inputs the report's tests read, under `out/report-test/<name>/`: the test
 * corpus, results files (unsharded and two shards), a coverage summary and benchmark
 * figures in the shapes @vitest/coverage-v8 and `npm run bench` write.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResultsFile } from '../../harness/results.ts';
import { loadVectors } from '../../harness/runner/corpus.ts';
import type { LocatedVector } from '../../harness/types.ts';
import { writeTestCorpus } from './corpus.ts';
import { synthResults } from './results.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export interface Fixture {
  readonly dir: string;
  /** Paths relative to ROOT. */
  readonly unsharded: string;
  readonly shards: readonly [string, string];
  readonly coverageDir: string;
  readonly benchFile: string;
  readonly vectors: readonly LocatedVector[];
  readonly results: ResultsFile;
}

const rel = (p: string): string => p.slice(ROOT.length + 1);

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 1) + '\n');
}

export function makeFixture(name: string): Fixture {
  const dir = join(ROOT, 'out', 'report-test', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const corpus = join(dir, 'corpus.jsonl');
  writeTestCorpus(corpus);
  const vectors = loadVectors([rel(corpus)], ['paging']);
  const results = synthResults(vectors, undefined, '2026-01-01T10:00:00.000Z');
  writeJson(join(dir, 'results.json'), results);
  writeJson(join(dir, 'shard-1.json'), synthResults(vectors, { index: 1, count: 2 }, '2026-01-01T11:00:00.000Z'));
  writeJson(join(dir, 'shard-2.json'), synthResults(vectors, { index: 2, count: 2 }, '2026-01-01T12:00:00.000Z'));
  const coverageDir = join(dir, 'coverage');
  mkdirSync(coverageDir, { recursive: true });
  const m = (total: number, covered: number) => ({ total, covered, skipped: 0, pct: (100 * covered) / total });
  const file = (lines: number, covered: number) => ({ lines: m(lines, covered), statements: m(lines, covered), functions: m(10, 9), branches: m(40, 37) });
  writeJson(join(coverageDir, 'coverage-summary.json'), {
    total: file(300, 290),
    [join(ROOT, 'model/paging/walk.ts')]: file(100, 100),
    [join(ROOT, 'model/paging/u64.ts')]: file(100, 95),
    [join(ROOT, 'report/junit.ts')]: file(100, 95),
  });
  writeFileSync(join(coverageDir, 'index.html'), '<!doctype html><title>coverage</title><p>coverage fixture</p>\n');
  const benchFile = join(dir, 'bench.json');
  writeJson(benchFile, [
    { group: 'paging walk throughput', name: 'model (TS, U64 halves)', value: 2_050_000, unit: 'walks/s', target: { op: '>=', value: 1_000_000 } },
    { group: 'paging walk throughput', name: 'C walker (harness/examples/c)', value: 41_000_000, unit: 'walks/s' },
    { group: 'paging walk throughput', name: 'QEMU TCG batch runner', value: 85_000, unit: 'walks/s', target: { op: '>=', value: 100_000 }, note: 'one guest boot per batch' },
    { group: 'TLB', name: 'hit', value: 35.2, unit: 'ns', target: { op: '<=', value: 50 } },
    { group: 'TLB', name: 'miss + walk', value: 410, unit: 'ns' },
  ]);
  return {
    dir, unsharded: rel(join(dir, 'results.json')), shards: [rel(join(dir, 'shard-1.json')), rel(join(dir, 'shard-2.json'))],
    coverageDir: rel(coverageDir), benchFile: rel(benchFile), vectors, results,
  };
}
