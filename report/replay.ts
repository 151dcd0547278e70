/**
 * What the case view offers to copy: the command that re-runs one case against one
 * implementation, and the vector as the one JSON line a corpus file holds.
 */
import type { CaseResult } from '../harness/results.ts';
import type { ImplInfo } from '../harness/types.ts';
import { formatVectorLine } from '../vectors/io/write.ts';

/** Quotes a shell word only when it needs it (POSIX single quotes). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The vector's corpus line (envelope key order), when the result kept input and expectation. */
export function vectorLine(c: CaseResult): string | undefined {
  if (c.input === undefined || c.expect === undefined) return undefined;
  return formatVectorLine({ id: c.id, suite: c.suite, title: c.title, clauses: c.clauses, input: c.input, expect: c.expect });
}

/** Vector lines up to this length are written into the command itself; longer ones are cut from the corpus file. */
const INLINE_LIMIT = 2000;

/**
 * A command that re-runs just this case against the same implementation. `x64spec run`
 * selects vectors by file, so the command first puts the one vector in a one-line file:
 * written out in the command when the line is short (self-contained), cut from the
 * corpus file by line number when it is long (ELF vectors carry whole files), and the
 * vector's whole file when the result did not keep the vector.
 */
export function replayCommand(impl: ImplInfo, c: CaseResult): string {
  const line = vectorLine(c);
  const run = (file: string): string =>
    ['npx', 'x64spec', 'run', '--impl', impl.spec, '--suite', c.suite, '--vectors', file, '--out', 'out/replay.json'].map(shellQuote).join(' ');
  if (line === undefined) return run(c.source.file);
  const file = `out/replay-${c.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`;
  const write = line.length <= INLINE_LIMIT
    ? `printf '%s\\n' ${shellQuote(line)} > ${file}`
    : `sed -n ${c.source.line}p ${shellQuote(c.source.file)} > ${file}`;
  return `mkdir -p out && ${write} && ${run(file)}`;
}
