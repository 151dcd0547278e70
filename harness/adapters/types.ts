/**
 * How the runner obtains adapters. One `Adapter` (harness/types.ts) is one lane of work:
 * one child process, one worker-pool handle, one QEMU batch runner. The runner asks an
 * `AdapterFactory` for as many lanes as `--jobs` allows and feeds each lane batches.
 */
import type { DiffEntry } from '../results.ts';
import type { Adapter, AdapterKind, JsonObject, Vector } from '../types.ts';

/** What a factory learns about the lane it creates an adapter for. */
export interface AdapterContext {
  /** The `--impl` text as the user gave it. */
  readonly spec: string;
  /** This lane's index, 0-based. */
  readonly lane: number;
  /** How many lanes the run uses. */
  readonly lanes: number;
  /** A scratch directory for this run (under out/), created before `create` is called. */
  readonly workDir: string;
}

/** Everything the runner needs to drive one implementation. */
export interface AdapterFactory {
  readonly kind: AdapterKind;
  /** The `--impl` text it was made from. */
  readonly spec: string;
  /** Cases per `run` call this adapter prefers (QEMU compiles a whole batch into one image). */
  readonly batchSize: number;
  /** At most this many lanes, whatever `--jobs` says (default: `--jobs`). */
  readonly maxLanes?: number;
  create(context: AdapterContext): Adapter | Promise<Adapter>;
  /** Releases what the lanes shared (a worker pool) once every lane is closed. */
  dispose?(): Promise<void>;
}

/**
 * Adapters that talk to something with an stderr (a process, QEMU) expose its tail so
 * the results file can keep it for the report (`ImplementationRun.stderr`).
 */
export interface HasStderr {
  stderrTail(): string;
}

export function hasStderr(adapter: Adapter): adapter is Adapter & HasStderr {
  return typeof (adapter as Partial<HasStderr>).stderrTail === 'function';
}

/** Whether a named adapter can run here; `reason` says what is missing (e.g. the apt-get line). */
export type Availability = boolean | { readonly available: boolean; readonly reason?: string };

/**
 * Adapters for implementations with documented deviations (spec/deviations) name the
 * deviation a failing case shows; the runner records it in `CaseResult.deviation`
 * (the verdict stays `fail`, and the report shows it as documented).
 */
export interface HasDeviations {
  deviationFor(vector: Vector, output: JsonObject, diff: readonly DiffEntry[]): string | undefined;
}

export function hasDeviations(adapter: Adapter): adapter is Adapter & HasDeviations {
  return typeof (adapter as Partial<HasDeviations>).deviationFor === 'function';
}
