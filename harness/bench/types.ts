/**
 * The shape every benchmark module in `harness/bench/*.ts` exports as
 * `export const benchmarks: Benchmark[]`; `x64spec bench` discovers and runs them.
 */

/** A goal a result should meet: `value op target.value`. */
export interface BenchTarget {
  readonly op: '>=' | '<=';
  readonly value: number;
}

/** One measured figure. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  /** e.g. 'translations/s', 'ms', 'ratio'. */
  readonly unit: string;
  readonly target?: BenchTarget;
  /** A short remark printed under the table (what was measured, why a figure is missing). */
  readonly note?: string;
}

export interface Benchmark {
  readonly name: string;
  /** Groups rows in the table and in `out/bench.json` (e.g. 'paging', 'qemu'). */
  readonly group: string;
  run(): Promise<BenchResult[]>;
}

/** A result as `out/bench.json` stores it. */
export interface BenchRecord extends BenchResult {
  readonly group: string;
  readonly benchmark: string;
  /** Whether the target is met; absent when there is no target. */
  readonly met?: boolean;
}

export function meetsTarget(value: number, target: BenchTarget): boolean {
  return target.op === '>=' ? value >= target.value : value <= target.value;
}
