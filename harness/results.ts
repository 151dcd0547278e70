/**
 * The results file (`out/results.json`), format `x64spec-results/1`. It is the contract
 * between `x64spec run` and `x64spec report`; its JSON Schema is
 * spec/schemas/results.schema.json. Stable: fields are only ever added.
 */
import type { ImplInfo, JsonObject, JsonValue, Suite, VectorSource } from './types.ts';

export const RESULTS_FORMAT = 'x64spec-results/1';

export type Verdict = 'pass' | 'fail' | 'unsupported' | 'error';

/** One difference between what the vector permits and what the implementation did. */
export interface DiffEntry {
  /** JSON path into the output, e.g. `$.errorCode` or `$.memory[2]`. */
  readonly path: string;
  /** The permitted value(s), as the vector states them. */
  readonly expected: JsonValue;
  readonly observed: JsonValue;
  /** The clause the difference breaks, when one can be named. */
  readonly clause?: string;
}

export interface CaseResult {
  readonly id: string;
  readonly suite: Suite;
  readonly title: string;
  readonly clauses: readonly string[];
  readonly verdict: Verdict;
  readonly source: VectorSource;
  /** Wall time for the case when the adapter measures it per case, in milliseconds. */
  readonly durationMs?: number;
  /** Why: the unsupported reason, the error (timeout, crash, malformed answer), or a fail summary. */
  readonly reason?: string;
  /** For `fail`: every difference. */
  readonly diff?: readonly DiffEntry[];
  /** For `fail` and `error`: the vector's input and expectation and what was observed. */
  readonly input?: JsonObject;
  readonly expect?: JsonObject;
  readonly observed?: JsonValue;
  /** Set when the failure is a documented deviation (spec/deviations), with its id. */
  readonly deviation?: string;
}

export interface ImplementationRun {
  readonly impl: ImplInfo;
  readonly suites: readonly Suite[];
  readonly startedAt: string;
  readonly durationMs: number;
  /** The implementation's stderr (truncated to its last 64 KiB), kept for the report. */
  readonly stderr?: string;
  readonly counts: Readonly<Record<Verdict, number>>;
  readonly cases: readonly CaseResult[];
}

export interface MachineInfo {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
}

export interface ResultsFile {
  readonly format: typeof RESULTS_FORMAT;
  readonly x64specVersion: string;
  /** The command line that produced the file. */
  readonly command: readonly string[];
  readonly startedAt: string;
  readonly durationMs: number;
  /** The seed of generated parts (fuzzing), when any. */
  readonly seed?: number;
  /** This file's shard when the run was split (`--shard i/N`, 1-based index). */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly machine: MachineInfo;
  readonly runs: readonly ImplementationRun[];
}
