/**
 * The report's data (`out/report.json`, format `x64spec-report/1`). The HTML page embeds
 * exactly this object and renders from it, so the JSON file and the page never disagree.
 * Its JSON Schema is report/report.schema.json; docs/report.md explains each field.
 * Stable: fields are only ever added.
 */
import type { ImplInfo, JsonObject, JsonValue, Suite } from '../harness/types.ts';
import type { CaseResult, DiffEntry, MachineInfo, Verdict } from '../harness/results.ts';

export const REPORT_FORMAT = 'x64spec-report/1';

export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'unsupported', 'error'];

export type VerdictCounts = Record<Verdict, number>;

/** One results file the report was made from. */
export interface ReportSource {
  readonly file: string;
  readonly command: readonly string[];
  readonly startedAt: string;
  readonly durationMs: number;
  readonly seed?: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly machine: MachineInfo;
  readonly x64specVersion: string;
}

/** One implementation, with its cases from every results file merged. */
export interface RunSummary {
  /** Index of this run in `runs`; cases refer to it. */
  readonly index: number;
  /** `spec|name|version`: what identifies one implementation across shards. */
  readonly key: string;
  readonly impl: ImplInfo;
  readonly suites: readonly Suite[];
  /** Earliest start over the shards that ran it. */
  readonly startedAt: string;
  /** Sum of the shards' durations for this implementation, in milliseconds. */
  readonly durationMs: number;
  /** How many results files contributed to this run. */
  readonly shards: number;
  /** The distinct seeds of the results files that contributed. */
  readonly seeds: readonly number[];
  /** The distinct machines (by CPU model, CPU count, memory, platform, Node) that ran it. */
  readonly machines: readonly MachineInfo[];
  readonly counts: VerdictCounts;
  readonly countsBySuite: Readonly<Partial<Record<Suite, VerdictCounts>>>;
  /** Sum of per-case durations where the adapter measured them, in milliseconds. */
  readonly caseTimeMs?: number;
  /** How many of the failures are documented deviations (spec/deviations); absent when none. */
  readonly deviations?: number;
  readonly stderr?: string;
}

/** Where a property refers to a clause (file and 1-based line). */
export interface PropertyRef {
  readonly file: string;
  readonly line: number;
  readonly name?: string;
}

export type UncoveredReason = 'no-vector' | 'no-property';

/** One row of the clause matrix. */
export interface ClauseRow {
  readonly id: string;
  /** First id segment (`PG`, `ELF`, `UEFI`, `HANDOFF`). */
  readonly area: string;
  /** Second id segment (`WALK`, `PERM`, …). */
  readonly topic: string;
  readonly title: string;
  readonly source: string;
  readonly summary: string;
  /** False for an id a case cites that the registry does not define. */
  readonly registered: boolean;
  /** Distinct vector ids citing the clause, over every run. */
  readonly vectors: number;
  readonly properties: readonly PropertyRef[];
  readonly uncovered: readonly UncoveredReason[];
  /** Verdict counts of the cases citing the clause, one entry per run (same order as `runs`). */
  readonly cells: readonly VerdictCounts[];
}

/** Everything the case view shows beyond the list row (only for cases with data to show). */
export interface CaseDetail {
  readonly input?: JsonObject;
  readonly expect?: JsonObject;
  readonly observed?: JsonValue;
  readonly diff?: readonly DiffEntry[];
  /** The command that re-runs just this case against this implementation. */
  readonly replay: string;
  /** The vector as one JSON line, ready to paste into a corpus file (when input and expect are known). */
  readonly vectorLine?: string;
  /** The paging case decoded for reading (paging suite only). */
  readonly paging?: PagingView;
}

/** A case as the results file has it (minus the bulky input/expect/diff), with its run and view. */
export type CaseRow = Pick<CaseResult, 'id' | 'suite' | 'title' | 'clauses' | 'verdict' | 'source' | 'durationMs' | 'reason' | 'deviation'> & {
  readonly run: number;
  readonly detail?: CaseDetail;
};

// ── The paging case view ───────────────────────────────────────────────────────────

/** One named bit (or field) of a register or entry. */
export interface BitView {
  readonly name: string;
  /** Bit position, or `hi:lo` for a field. */
  readonly bits: string;
  /** `1`/`0` for a flag, hex for a field. */
  readonly value: string;
  readonly set: boolean;
}

export interface RegisterView {
  readonly name: string;
  readonly value: string;
  readonly bits: readonly BitView[];
}

/** One paging-structure table the walk went through, with the entries the input gives it. */
export interface TableView {
  readonly level: number;
  readonly levelName: string;
  /** Physical address of the table (4-KiB aligned), hex. */
  readonly base: string;
  /** The index the linear address selects in this table. */
  readonly index: number;
  /** Entries of this table listed in the input memory (the selected one flagged). */
  readonly entries: readonly {
    readonly index: number;
    readonly pa: string;
    readonly value: string;
    readonly selected: boolean;
    readonly flags: readonly BitView[];
  }[];
}

export interface TraceStepView {
  readonly level: number;
  readonly levelName: string;
  readonly entryPa: string;
  readonly entry: string;
  readonly clauses: readonly string[];
  readonly note: string;
}

/** One qword of the input memory: its value before, the permitted final values, the observed one. */
export interface MemoryCompareRow {
  readonly pa: string;
  readonly input: string;
  readonly permitted: readonly string[];
  readonly observed?: string;
  readonly ok: boolean;
  /** For a mismatch: the entry bits in which the observed value differs from the fullest permitted one. */
  readonly differs?: string;
}

/** One field of the outcome: permitted vs observed. */
export interface OutcomeCompareRow {
  readonly field: string;
  readonly permitted: string;
  readonly observed: string;
  readonly ok: boolean;
  /** Named bits for error codes. */
  readonly bits?: { readonly permitted: readonly BitView[]; readonly observed: readonly BitView[] };
}

export interface PagingView {
  readonly access: { readonly va: string; readonly kind: string; readonly implicit: boolean; readonly cpl: string; readonly indices: readonly number[] };
  readonly cpu: { readonly maxphyaddr: string; readonly features: readonly string[] };
  readonly registers: readonly RegisterView[];
  readonly tables: readonly TableView[];
  /** The model's walk, step by step, with the deciding clauses; or why it is not available. */
  readonly trace: { readonly steps: readonly TraceStepView[]; readonly outcome: string; readonly clauses: readonly string[] } | { readonly unavailable: string };
  /** False when the implementation gave no output (an error): the comparison then has nothing to judge. */
  readonly observed: boolean;
  readonly outcome: readonly OutcomeCompareRow[];
  readonly memory: readonly MemoryCompareRow[];
}

// ── Coverage and benchmarks ────────────────────────────────────────────────────────

export interface CoverageMetric {
  readonly total: number;
  readonly covered: number;
  /** Percent, 0–100. */
  readonly pct: number;
}

export interface CoverageFigures {
  readonly lines: CoverageMetric;
  readonly statements: CoverageMetric;
  readonly functions: CoverageMetric;
  readonly branches: CoverageMetric;
}

export type CodeCoverage =
  | {
      readonly available: true;
      /** The summary file read, relative to the report folder. */
      readonly summaryFile: string;
      /** The HTML report of @vitest/coverage-v8, relative to the report folder (when present). */
      readonly htmlIndex?: string;
      readonly total: CoverageFigures;
      /** Per folder (files grouped by their directory), sorted by path. */
      readonly folders: readonly ({ readonly folder: string; readonly files: number } & CoverageFigures)[];
    }
  | { readonly available: false; readonly reason: string };

export interface ClauseCoverage {
  readonly clauses: number;
  readonly withVector: number;
  readonly withProperty: number;
  readonly withBoth: number;
  /** Where the property references came from. */
  readonly propertySource: string;
}

export interface BenchEntry {
  readonly group: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: { readonly op: '>=' | '<='; readonly value: number };
  readonly note?: string;
}

export type Benchmarks =
  | { readonly available: true; readonly file: string; readonly entries: readonly BenchEntry[] }
  | { readonly available: false; readonly reason: string };

// ── The whole report ───────────────────────────────────────────────────────────────

export interface ReportJson {
  readonly format: typeof REPORT_FORMAT;
  readonly generatedAt: string;
  readonly x64specVersion: string;
  readonly sources: readonly ReportSource[];
  /** Things the reader should know (missing shards, missing coverage, …), one sentence each. */
  readonly notes: readonly string[];
  readonly runs: readonly RunSummary[];
  readonly clauses: readonly ClauseRow[];
  readonly clauseCoverage: ClauseCoverage;
  readonly cases: readonly CaseRow[];
  readonly codeCoverage: CodeCoverage;
  readonly benchmarks: Benchmarks;
}
