import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SUITES, type LocatedVector, type Suite, type Vector } from '../../harness/types.ts';
import type { VectorProblem } from './problems.ts';
import { parseJsonObjectLine } from './safe-json.ts';
import { checkSchema, hasSchema } from './schemas.ts';
import { semanticProblems } from './semantic.ts';

/** What reading one or more vector files gives: every good vector and every problem. */
export interface ReadResult {
  readonly vectors: LocatedVector[];
  readonly problems: VectorProblem[];
}

export interface ReadOptions {
  /** Keep only vectors of these suites (others are still validated). Default: all. */
  readonly suites?: readonly Suite[];
}

const SUITE_SET: ReadonlySet<string> = new Set(SUITES);
/** Suites whose input/expect schemas the envelope schema (vector.schema.json) already applies. */
const ENVELOPE_CHECKED: ReadonlySet<string> = new Set(['paging', 'mapper']);

/**
 * Validates one line. Returns the vector, or the first problem on the line (its JSON path
 * included). `line` is 1-based.
 */
export function parseVectorLine(text: string, file: string, line: number): { vector: LocatedVector } | { problem: VectorProblem } {
  const at = (code: VectorProblem['code'], path: string, message: string, clause?: string): { problem: VectorProblem } =>
    ({ problem: clause === undefined ? { code, file, line, path, message } : { code, file, line, path, message, clause } });

  const parsed = parseJsonObjectLine(text);
  if (!parsed.ok) return at(parsed.code, parsed.path, parsed.message);
  const obj = parsed.value;
  const suite = obj.suite;
  if (typeof suite === 'string' && !SUITE_SET.has(suite)) {
    return at('unknown-suite', '$.suite', `unknown suite '${suite}' (known: ${SUITES.join(', ')})`);
  }
  const envelope = checkSchema('vector.schema.json', obj);
  if (envelope !== undefined) return at('schema', envelope.path, envelope.message);
  const vector = obj as unknown as Vector;
  if (!ENVELOPE_CHECKED.has(vector.suite)) {
    // Suites whose owners publish their schemas in spec/schemas get them applied here.
    for (const part of ['input', 'expect'] as const) {
      const id = `${vector.suite}-${part}.schema.json`;
      if (!hasSchema(id)) continue;
      const v = checkSchema(id, vector[part], `$.${part}`);
      if (v !== undefined) return at('schema', v.path, v.message);
    }
  }
  const semantic = semanticProblems(vector)[0];
  if (semantic !== undefined) return at('semantic', semantic.path, semantic.message, semantic.clause);
  return { vector: { ...vector, source: { file, line } } };
}

/** Validates the text of one JSONL file. Blank lines are skipped; ids must be unique within it. */
export function parseVectorText(text: string, file: string, options: ReadOptions = {}, seen = new Map<string, string>()): ReadResult {
  const vectors: LocatedVector[] = [];
  const problems: VectorProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (raw.trim() === '') continue;
    const r = parseVectorLine(raw, file, i + 1);
    if ('problem' in r) {
      problems.push(r.problem);
      continue;
    }
    const first = seen.get(r.vector.id);
    if (first !== undefined) {
      problems.push({ code: 'duplicate-id', file, line: i + 1, path: '$.id', message: `id '${r.vector.id}' already used at ${first}` });
      continue;
    }
    seen.set(r.vector.id, `${file}:${i + 1}`);
    if (options.suites === undefined || options.suites.includes(r.vector.suite)) vectors.push(r.vector);
  }
  return { vectors, problems };
}

/** Expands files and directories (recursively, `*.jsonl`, sorted) into a list of files. */
export function listVectorFiles(paths: readonly string[]): { files: string[]; problems: VectorProblem[] } {
  const files: string[] = [];
  const problems: VectorProblem[] = [];
  const visit = (p: string, top: boolean): void => {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      problems.push({ code: 'io', file: p, line: 0, path: '$', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const child = join(p, name);
        if (name.endsWith('.jsonl') || statSync(child).isDirectory()) visit(child, false);
      }
    } else if (top || p.endsWith('.jsonl')) {
      files.push(p);
    }
  };
  for (const p of paths) visit(p, true);
  return { files, problems };
}

/**
 * Reads vector files and directories. Ids must be unique across everything read; a
 * problem never stops the reading of the other lines.
 */
export function readVectorFiles(paths: readonly string[], options: ReadOptions = {}): ReadResult {
  const { files, problems } = listVectorFiles(paths);
  const vectors: LocatedVector[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push({ code: 'io', file, line: 0, path: '$', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      continue;
    }
    const r = parseVectorText(text, file, options, seen);
    vectors.push(...r.vectors);
    problems.push(...r.problems);
  }
  return { vectors, problems };
}
