/**
 * The report's public API. `writeReport` turns one or more results files (shards are
 * merged) into `report.html`, `report.json` and `junit.xml` in one folder; `makeReport`
 * gives the data without writing. docs/report.md describes the outputs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { walk } from '../model/paging/walk.ts';
import { buildReport, underRoot } from './build.ts';
import { findClauseRefs } from './clause-refs.ts';
import { renderHtml } from './html/page.ts';
import { readBenchmarks, readCodeCoverage } from './inputs.ts';
import { ReportInputError } from './errors.ts';
import { writeJunit } from './junit.ts';
import { loadResultsFile } from './load-results.ts';
import { mergeResults } from './merge.ts';
import type { WalkFn } from './paging-view.ts';
import type { ReportJson } from './types.ts';

export interface ReportOptions {
  /** Folder for report.html, report.json and junit.xml (default `out`, relative to `root`). */
  readonly outDir?: string;
  /** The project root: where tests are scanned and relative paths start (default: the current directory). */
  readonly root?: string;
  /** Folder of @vitest/coverage-v8's output (default `out/coverage`). */
  readonly coverageDir?: string;
  /** The benchmark figures (default `out/bench.json`). */
  readonly benchFile?: string;
  /** The walk that draws paging traces (default: the model's); a string says why there is none. */
  readonly walk?: WalkFn | string;
  /** The clock for `generatedAt` (tests fix it). */
  readonly now?: () => Date;
}

export interface ReportPaths {
  readonly htmlPath: string;
  readonly jsonPath: string;
  readonly junitPath: string;
}

function packageVersion(root: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Results paths with each directory replaced by the `*.json` files directly in it
 * (sorted), so a CI job can pass the folder its shards were downloaded to.
 */
export function expandResultsPaths(paths: readonly string[], root: string): string[] {
  return paths.flatMap((p) => {
    const full = resolve(root, p);
    if (!existsSync(full) || !statSync(full).isDirectory()) return [full];
    const files = readdirSync(full).filter((f) => f.endsWith('.json')).sort().map((f) => join(full, f));
    if (files.length === 0) throw new ReportInputError({ kind: 'unreadable', file: p, cause: 'the folder holds no .json results file' });
    return files;
  });
}

/**
 * Reads and merges the results files and builds the report data. Throws
 * ReportInputError (report/errors.ts) for a missing, malformed or conflicting results file.
 */
export function makeReport(resultsFiles: readonly string[], options: ReportOptions = {}): ReportJson {
  const root = resolve(options.root ?? process.cwd());
  const outDir = resolve(root, options.outDir ?? 'out');
  const loaded = expandResultsPaths(resultsFiles, root).map((f) => loadResultsFile(f, underRoot(f, root)));
  const benchFile = resolve(root, options.benchFile ?? 'out/bench.json');
  const benchmarks = readBenchmarks(benchFile, root);
  return buildReport({
    merged: mergeResults(loaded),
    clauseRefs: findClauseRefs(root),
    codeCoverage: readCodeCoverage(resolve(root, options.coverageDir ?? 'out/coverage'), outDir, root),
    benchmarks,
    walk: options.walk ?? walk,
    root,
    generatedAt: (options.now ?? (() => new Date()))().toISOString(),
    x64specVersion: packageVersion(root),
  });
}

/** Writes report.html, report.json and junit.xml for the given results files; resolves to their paths. */
export async function writeReport(resultsFiles: readonly string[], options: ReportOptions = {}): Promise<ReportPaths> {
  const root = resolve(options.root ?? process.cwd());
  const outDir = resolve(root, options.outDir ?? 'out');
  const report = makeReport(resultsFiles, options);
  mkdirSync(outDir, { recursive: true });
  const paths: ReportPaths = {
    htmlPath: join(outDir, 'report.html'),
    jsonPath: join(outDir, 'report.json'),
    junitPath: join(outDir, 'junit.xml'),
  };
  // Compact: with tens of thousands of cases, indentation alone adds megabytes (use jq to read it).
  writeFileSync(paths.jsonPath, JSON.stringify(report) + '\n');
  writeFileSync(paths.junitPath, writeJunit(report));
  writeFileSync(paths.htmlPath, renderHtml(report));
  return paths;
}

export { ReportInputError };
export type { ReportProblem } from './errors.ts';
export { REPORT_FORMAT, type ReportJson } from './types.ts';
export { mergeResults } from './merge.ts';
export { writeJunit } from './junit.ts';
export { renderHtml } from './html/page.ts';
