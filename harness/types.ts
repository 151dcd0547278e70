/**
 * The harness's shared vocabulary: vectors as the corpus stores them, the answers an
 * implementation gives, and the adapter interface every kind of implementation (the
 * model, an in-process module, an external process, QEMU, OVMF) sits behind.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type Suite = 'paging' | 'mapper' | 'elf' | 'uefi' | 'handoff';
export const SUITES: readonly Suite[] = ['paging', 'mapper', 'elf', 'uefi', 'handoff'];

/** One vector: the envelope DESIGN.md fixes; `input`/`expect` have per-suite schemas in spec/schemas. */
export interface Vector {
  readonly id: string;
  readonly suite: Suite;
  readonly title: string;
  readonly clauses: readonly string[];
  readonly input: JsonObject;
  readonly expect: JsonObject;
}

/** Where a vector came from, so reports can point at the exact line. */
export interface VectorSource {
  readonly file: string;
  /** 1-based line number in `file`. */
  readonly line: number;
}

export interface LocatedVector extends Vector {
  readonly source: VectorSource;
}

/** A CPU profile an implementation is fixed to (x64spec-impl/1 hello `profile`). */
export interface Profile {
  readonly maxphyaddr: number;
  readonly features: readonly string[];
}

export type AdapterKind = 'model' | 'module' | 'process' | 'qemu' | 'ovmf';

/** Who answered: filled from the implementation's hello (or the adapter's own knowledge). */
export interface ImplInfo {
  /** What the user passed to --impl (`model`, a path, `process:'…'`, `qemu`, …). */
  readonly spec: string;
  readonly kind: AdapterKind;
  readonly name: string;
  readonly version: string;
  readonly suites: readonly Suite[];
  readonly profile?: Profile;
  /** Free-form facts worth showing in the report (QEMU version, -cpu model, MAXPHYADDR…). */
  readonly details?: Readonly<Record<string, string>>;
}

/** An implementation's answer to one case. */
export type Answer =
  | { readonly id: string; readonly output: JsonObject }
  | { readonly id: string; readonly unsupported: string }
  | { readonly id: string; readonly error: string };

export interface RunOptions {
  /** Time limit per case, in milliseconds. */
  readonly timeoutMs: number;
}

/**
 * An implementation under test. The runner calls `hello` once, then `run` with batches
 * of cases (a process adapter streams them; QEMU and OVMF compile a batch into a guest
 * image), then `close`. `run` resolves to exactly one answer per case, in order, and
 * never rejects for a problem of one case: that case's answer is an `error`.
 */
export interface Adapter {
  readonly kind: AdapterKind;
  hello(suites: readonly Suite[]): Promise<ImplInfo>;
  run(cases: readonly Vector[], options: RunOptions): Promise<Answer[]>;
  close(): Promise<void>;
}
