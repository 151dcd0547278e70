/**
 * Problems found while reading vector files. Every problem names the file, the 1-based
 * line and the JSON path inside that line's object, so a user can go straight to it.
 * Readers return problems as data; they never throw for bad input.
 */

export type VectorProblemCode =
  /** The file could not be read. */
  | 'io'
  /** The line is not one JSON object. */
  | 'json'
  /** A key such as `__proto__`, `constructor` or `prototype` appears anywhere in the line. */
  | 'forbidden-key'
  /** `suite` names no known suite. */
  | 'unknown-suite'
  /** The object breaks the envelope or the suite's JSON Schema. */
  | 'schema'
  /** The object is well-formed but means something impossible (misaligned address, impossible CPU state…). */
  | 'semantic'
  /** The id was already used by an earlier vector. */
  | 'duplicate-id';

export interface VectorProblem {
  readonly code: VectorProblemCode;
  readonly file: string;
  /** 1-based line number; 0 for a problem with the whole file. */
  readonly line: number;
  /** JSON path inside the line's object, e.g. `$.input.memory[2].pa`; `$` for the whole line. */
  readonly path: string;
  readonly message: string;
  /** The clause that makes the value impossible, when one applies. */
  readonly clause?: string;
}

/** `file:line: path: message` — the one-line form the CLI prints. */
export function formatProblem(p: VectorProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  const clause = p.clause === undefined ? '' : ` [${p.clause}]`;
  return `${where}: ${p.path}: ${p.message}${clause} (${p.code})`;
}
