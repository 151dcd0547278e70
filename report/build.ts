/**
 * Builds the report's data (`ReportJson`) from merged results and the optional inputs.
 * Pure apart from the walk it is handed: the same inputs give the same report, except
 * for `generatedAt`.
 */
import { isAbsolute, relative } from 'node:path';
import type { CaseResult } from '../harness/results.ts';
import type { Suite } from '../harness/types.ts';
import { ALL_CLAUSES } from '../spec/clauses/index.ts';
import type { ClauseRefs } from './clause-refs.ts';
import type { MergedResults, MergedRun } from './merge.ts';
import { pagingView, type WalkFn } from './paging-view.ts';
import { replayCommand, vectorLine } from './replay.ts';
import {
  REPORT_FORMAT, VERDICTS, type Benchmarks, type CaseDetail, type CaseRow, type ClauseRow, type CodeCoverage,
  type ReportJson, type RunSummary, type UncoveredReason, type VerdictCounts,
} from './types.ts';

export interface BuildInputs {
  readonly merged: MergedResults;
  readonly clauseRefs: ClauseRefs;
  readonly codeCoverage: CodeCoverage;
  readonly benchmarks: Benchmarks;
  /** The model's walk for paging traces, or why it is unavailable. */
  readonly walk: WalkFn | string;
  readonly generatedAt: string;
  readonly x64specVersion: string;
  /** The project root: vector paths inside it are shown relative to it. */
  readonly root: string;
}

/** `file` relative to `root` when it lies inside it (results may hold absolute vector paths). */
export function underRoot(file: string, root: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(root, file).split('\\').join('/');
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

export const zeroCounts = (): VerdictCounts => ({ pass: 0, fail: 0, unsupported: 0, error: 0 });

export function buildReport(inputs: BuildInputs): ReportJson {
  const { merged } = inputs;
  const runs = merged.runs.map(summarise);
  const cases: CaseRow[] = merged.runs.flatMap((run, index) =>
    run.cases.map((c) => caseRow({ ...c, source: { file: underRoot(c.source.file, inputs.root), line: c.source.line } }, index, run, inputs.walk)));
  const clauses = clauseRows(merged.runs, inputs.clauseRefs);
  const notes = [...merged.notes];
  const unknown = clauses.filter((c) => !c.registered).map((c) => c.id);
  if (unknown.length > 0) {
    notes.push(`${unknown.length} clause id${unknown.length > 1 ? 's' : ''} cited by cases ${unknown.length > 1 ? 'are' : 'is'} not in the registry (spec/clauses): ${unknown.join(', ')}.`);
  }
  if (typeof inputs.walk === 'string') notes.push(`Walk traces are not shown: ${inputs.walk}.`);
  if (!inputs.codeCoverage.available) notes.push(`Code coverage is not shown: ${inputs.codeCoverage.reason}.`);
  if (!inputs.benchmarks.available) notes.push(`Benchmarks are not shown: ${inputs.benchmarks.reason}.`);
  const registered = clauses.filter((c) => c.registered);
  return {
    format: REPORT_FORMAT,
    generatedAt: inputs.generatedAt,
    x64specVersion: inputs.x64specVersion,
    sources: merged.sources,
    notes,
    runs,
    clauses,
    clauseCoverage: {
      clauses: registered.length,
      withVector: registered.filter((c) => c.vectors > 0).length,
      withProperty: registered.filter((c) => c.properties.length > 0).length,
      withBoth: registered.filter((c) => c.uncovered.length === 0).length,
      propertySource: inputs.clauseRefs.source,
    },
    cases,
    codeCoverage: inputs.codeCoverage,
    benchmarks: inputs.benchmarks,
  };
}

function summarise(run: MergedRun, index: number): RunSummary {
  const counts = zeroCounts();
  const countsBySuite: Partial<Record<Suite, VerdictCounts>> = {};
  let caseTimeMs = 0;
  let timed = false;
  let deviations = 0;
  for (const c of run.cases) {
    if (c.deviation !== undefined) deviations += 1;
    counts[c.verdict] += 1;
    (countsBySuite[c.suite] ??= zeroCounts())[c.verdict] += 1;
    if (c.durationMs !== undefined) {
      caseTimeMs += c.durationMs;
      timed = true;
    }
  }
  return {
    index, key: run.key, impl: run.impl, suites: run.suites, startedAt: run.startedAt, durationMs: run.durationMs,
    shards: run.shards, seeds: run.seeds, machines: run.machines, counts, countsBySuite,
    ...(timed ? { caseTimeMs } : {}),
    ...(deviations > 0 ? { deviations } : {}),
    ...(run.stderr !== undefined ? { stderr: run.stderr } : {}),
  };
}

function caseRow(c: CaseResult, run: number, merged: MergedRun, walk: WalkFn | string): CaseRow {
  const row: CaseRow = {
    run, id: c.id, suite: c.suite, title: c.title, clauses: c.clauses, verdict: c.verdict, source: c.source,
    ...(c.durationMs !== undefined ? { durationMs: c.durationMs } : {}),
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.deviation !== undefined ? { deviation: c.deviation } : {}),
  };
  if (c.verdict === 'pass' && c.input === undefined) return row;
  const line = vectorLine(c);
  const paging = c.suite === 'paging' && c.input !== undefined ? pagingView(c.input, c.expect, c.observed, walk) : undefined;
  const detail: CaseDetail = {
    ...(c.input !== undefined ? { input: c.input } : {}),
    ...(c.expect !== undefined ? { expect: c.expect } : {}),
    ...(c.observed !== undefined ? { observed: c.observed } : {}),
    ...(c.diff !== undefined ? { diff: c.diff } : {}),
    replay: replayCommand(merged.impl, c),
    ...(line !== undefined ? { vectorLine: line } : {}),
    ...(paging !== undefined ? { paging } : {}),
  };
  return { ...row, detail };
}

function splitId(id: string): { area: string; topic: string } {
  const [area = id, topic = ''] = id.split('.');
  return { area, topic };
}

function clauseRows(runs: readonly MergedRun[], refs: ClauseRefs): ClauseRow[] {
  const cells = new Map<string, VerdictCounts[]>();
  const vectorIds = new Map<string, Set<string>>();
  const cellsFor = (id: string): VerdictCounts[] => {
    let v = cells.get(id);
    if (v === undefined) {
      v = runs.map(zeroCounts);
      cells.set(id, v);
      vectorIds.set(id, new Set());
    }
    return v;
  };
  runs.forEach((run, r) => {
    for (const c of run.cases) {
      for (const id of new Set(c.clauses)) {
        cellsFor(id)[r]![c.verdict] += 1;
        vectorIds.get(id)!.add(c.id);
      }
    }
  });
  const known = new Set(ALL_CLAUSES.map((c) => c.id));
  const row = (id: string, title: string, source: string, summary: string, registered: boolean): ClauseRow => {
    const properties = refs.byClause.get(id) ?? [];
    const vectors = vectorIds.get(id)?.size ?? 0;
    const uncovered: UncoveredReason[] = [];
    if (vectors === 0) uncovered.push('no-vector');
    if (properties.length === 0) uncovered.push('no-property');
    return { id, ...splitId(id), title, source, summary, registered, vectors, properties, uncovered, cells: cells.get(id) ?? runs.map(zeroCounts) };
  };
  const rows = ALL_CLAUSES.map((c) => row(c.id, c.title, c.source, c.summary, true));
  const unknown = [...cells.keys()].filter((id) => !known.has(id)).sort();
  for (const id of unknown) rows.push(row(id, '(not in the registry)', '—', 'A case cites this id but spec/clauses does not define it.', false));
  return rows;
}

export { VERDICTS };
