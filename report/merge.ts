/**
 * Merges results files (shards of one run, or runs of different implementations) into
 * one set of implementation runs. One implementation is identified by
 * `spec|name|version` across files; its cases are the union of every file's cases,
 * ordered by where the vector lives (file, line, id) so the order does not depend on how
 * the corpus was split. A case that appears twice for one implementation is an error:
 * the report cannot tell which verdict to believe.
 */
import type { CaseResult, ImplementationRun, MachineInfo } from '../harness/results.ts';
import { SUITES, type ImplInfo, type Suite } from '../harness/types.ts';
import { ReportInputError } from './errors.ts';
import type { LoadedResults } from './load-results.ts';
import { VERDICTS, type ReportSource } from './types.ts';

export interface MergedRun {
  readonly key: string;
  readonly impl: ImplInfo;
  readonly suites: readonly Suite[];
  readonly startedAt: string;
  readonly durationMs: number;
  readonly shards: number;
  readonly seeds: readonly number[];
  readonly machines: readonly MachineInfo[];
  readonly stderr?: string;
  readonly cases: readonly CaseResult[];
}

export interface MergedResults {
  readonly sources: readonly ReportSource[];
  readonly runs: readonly MergedRun[];
  readonly notes: readonly string[];
}

export function runKey(impl: ImplInfo): string {
  return `${impl.spec}|${impl.name}|${impl.version}`;
}

function machineKey(m: MachineInfo): string {
  return [m.cpuModel, m.cpus, m.memoryBytes, m.platform, m.arch, m.node].join('|');
}

/** Orders cases by their vector's location, then id; the same for any split of the corpus. */
export function compareCases(a: CaseResult, b: CaseResult): number {
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  if (a.source.line !== b.source.line) return a.source.line - b.source.line;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

interface Acc {
  impl: ImplInfo;
  suites: Set<Suite>;
  startedAt: string;
  durationMs: number;
  shards: number;
  seeds: Set<number>;
  machines: Map<string, MachineInfo>;
  stderr: { file: string; text: string }[];
  cases: Map<string, { c: CaseResult; file: string }>;
}

export function mergeResults(files: readonly LoadedResults[]): MergedResults {
  if (files.length === 0) throw new ReportInputError({ kind: 'no-input' });
  const notes: string[] = [];
  const accs = new Map<string, Acc>();

  for (const { file, results } of files) {
    for (const run of results.runs) {
      const key = runKey(run.impl);
      let acc = accs.get(key);
      if (acc === undefined) {
        acc = {
          impl: run.impl, suites: new Set(), startedAt: run.startedAt, durationMs: 0, shards: 0,
          seeds: new Set(), machines: new Map(), stderr: [], cases: new Map(),
        };
        accs.set(key, acc);
      }
      addRun(acc, run, file, results.seed, results.machine, notes);
    }
  }
  notes.push(...shardNotes(files));

  const runs: MergedRun[] = [...accs.entries()].map(([key, a]) => ({
    key,
    impl: a.impl,
    suites: SUITES.filter((s) => a.suites.has(s)),
    startedAt: a.startedAt,
    durationMs: a.durationMs,
    shards: a.shards,
    seeds: [...a.seeds].sort((x, y) => x - y),
    machines: [...a.machines.values()],
    ...(a.stderr.length > 0 ? { stderr: joinStderr(a.stderr) } : {}),
    cases: [...a.cases.values()].map((x) => x.c).sort(compareCases),
  }));

  const sources: ReportSource[] = files.map(({ file, results: r }) => ({
    file,
    command: r.command,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    ...(r.seed !== undefined ? { seed: r.seed } : {}),
    ...(r.shard !== undefined ? { shard: r.shard } : {}),
    machine: r.machine,
    x64specVersion: r.x64specVersion,
  }));
  return { sources, runs, notes };
}

/** One process's stderr as is; several (shards) each under a line naming its results file. */
function joinStderr(parts: readonly { file: string; text: string }[]): string {
  if (parts.length === 1) return parts[0]!.text;
  return parts.map((p) => `── ${p.file} ──\n${p.text}`).join('\n');
}

function addRun(acc: Acc, run: ImplementationRun, file: string, seed: number | undefined, machine: MachineInfo, notes: string[]): void {
  for (const s of run.suites) acc.suites.add(s);
  if (run.startedAt < acc.startedAt) acc.startedAt = run.startedAt;
  acc.durationMs += run.durationMs;
  acc.shards += 1;
  if (seed !== undefined) acc.seeds.add(seed);
  acc.machines.set(machineKey(machine), machine);
  if (run.stderr !== undefined && run.stderr !== '') acc.stderr.push({ file, text: run.stderr.replace(/\n$/, '') });
  const counted = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<string, number>;
  for (const c of run.cases) {
    counted[c.verdict]! += 1;
    const seen = acc.cases.get(c.id);
    if (seen !== undefined) {
      throw new ReportInputError({ kind: 'duplicate-case', id: c.id, impl: run.impl.spec, files: [seen.file, file] });
    }
    acc.cases.set(c.id, { c, file });
  }
  const disagree = VERDICTS.filter((v) => counted[v] !== run.counts[v]);
  if (disagree.length > 0) {
    notes.push(`${file}: the counts stated for ${run.impl.name} (${disagree.map((v) => `${v} ${run.counts[v]}`).join(', ')}) disagree with its cases; the report counts the cases.`);
  }
}

/** Says which shards of a split run are missing, so a partial merge is never silent. */
function shardNotes(files: readonly LoadedResults[]): string[] {
  const byCount = new Map<number, Set<number>>();
  let unsharded = 0;
  for (const { results } of files) {
    if (results.shard === undefined) unsharded += 1;
    else {
      const set = byCount.get(results.shard.count) ?? new Set<number>();
      set.add(results.shard.index);
      byCount.set(results.shard.count, set);
    }
  }
  const notes: string[] = [];
  for (const [count, have] of byCount) {
    const missing: number[] = [];
    for (let i = 1; i <= count; i++) if (!have.has(i)) missing.push(i);
    if (missing.length > 0) {
      notes.push(`Shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: the report covers only part of the corpus.`);
    }
  }
  if (unsharded > 0 && byCount.size > 0) {
    notes.push('Sharded and unsharded results files were merged; check that they do not cover the same vectors for different implementations.');
  }
  return notes;
}
