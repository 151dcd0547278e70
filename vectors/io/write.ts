import type { Vector } from '../../harness/types.ts';

/**
 * The one-line JSON form of a vector, keys in envelope order (id, suite, title, clauses,
 * input, expect). Generated files are built only through this, so regenerating them
 * gives the same bytes.
 */
export function formatVectorLine(v: Vector): string {
  return JSON.stringify({ id: v.id, suite: v.suite, title: v.title, clauses: v.clauses, input: v.input, expect: v.expect });
}

/** A whole JSONL file: one line per vector, each ending in a newline. */
export function formatVectorFile(vectors: readonly Vector[]): string {
  return vectors.map((v) => formatVectorLine(v) + '\n').join('');
}
