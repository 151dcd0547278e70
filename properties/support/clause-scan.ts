/**
 * Finds which tests name which clauses. A clause counts as named by a test file when its
 * id appears inside a string literal of that file (a test or property name such as
 * `'… [PG.PERM.RW.COMBINE]'`, or a `clauses: ['PG.WALK.PDE.PS']` tag). Ids in comments do
 * not count: a comment is not a check.
 *
 * Used by `properties/clause-coverage.test.ts` (every clause needs a test, no test may
 * name an unknown id) and by the report (which tests exercise a clause).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One place a clause id is named. */
export interface ClauseReference {
  /** The id as written. */
  readonly id: string;
  /** Test file, relative to the scanned root, with `/` separators. */
  readonly file: string;
  /** 1-based line of the string literal holding the id. */
  readonly line: number;
  /**
   * The name of the test when the literal is the first argument of `it(`, `test(`,
   * `describe(` or one of their `.each`/`.prop`/`.skip`-style forms; undefined for any
   * other literal (a tag list, a table entry).
   */
  readonly testName: string | undefined;
}

/** Text that looks like a clause id: a known area, then two or more upper-case segments. */
const ID_IN_TEXT = /(?<![A-Za-z0-9_.])(?:PG|ELF|UEFI|HANDOFF)(?:\.[A-Z0-9_]+){2,}(?![A-Za-z0-9_.*])/g;

/** A literal on a line with this marker is not scanned (for tests of the id checker itself). */
export const IGNORE_MARKER = 'clause-scan: ignore';

const SKIP_DIRS = new Set(['node_modules', 'out', 'build', '.git', '.stryker-tmp', 'reports']);

/** Every `*.test.ts` under `root`, skipping dependency and build folders. */
export function findTestFiles(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (SKIP_DIRS.has(name)) continue;
      const full = join(dir, name);
      const st = statSync(full);
      if (st.isDirectory()) visit(full);
      else if (name.endsWith('.test.ts')) found.push(full);
    }
  };
  visit(root);
  return found;
}

interface Literal {
  readonly text: string;
  readonly start: number;
}

/**
 * The string literals of a TypeScript source, comments skipped. A small lexer, not a
 * parser: it knows quotes, template literals (their `${…}` parts are kept as text) and
 * comments, which is all the scan needs. A `/` that starts a regular expression is read
 * as division; test files that put quote characters in regex literals should not rely
 * on the scan around them.
 */
export function stringLiterals(source: string): Literal[] {
  const out: Literal[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      i = end === -1 ? n : end;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n && source[j] !== c) {
        if (source[j] === '\\') j++;
        else if (c !== '`' && source[j] === '\n') break; // unterminated: stop at the line end
        j++;
      }
      out.push({ text: source.slice(i + 1, j), start: i });
      i = j + 1;
    } else {
      i++;
    }
  }
  return out;
}

const TEST_CALL = /(?:^|[^A-Za-z0-9_$.])(?:it|test|describe|bench)(?:\.[A-Za-z]+)*(?:\((?:[^()]|\([^()]*\))*\))?\s*\(\s*$/;

/** Every clause-looking id named in a string literal of `source`. */
export function scanSource(source: string, file: string): ClauseReference[] {
  const refs: ClauseReference[] = [];
  const lineStarts = [0];
  for (let k = 0; k < source.length; k++) if (source[k] === '\n') lineStarts.push(k + 1);
  const lineOf = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const lines = source.split('\n');
  for (const lit of stringLiterals(source)) {
    const ids = lit.text.match(ID_IN_TEXT);
    if (ids === null) continue;
    const line = lineOf(lit.start);
    if (lines[line - 1]!.includes(IGNORE_MARKER)) continue;
    const before = source.slice(Math.max(0, lit.start - 80), lit.start);
    const testName = TEST_CALL.test(before) ? lit.text : undefined;
    for (const id of ids) refs.push({ id, file, line, testName });
  }
  return refs;
}

/** Every clause-looking id named by the test files under `root`. */
export function scanTests(root: string): ClauseReference[] {
  const refs: ClauseReference[] = [];
  for (const full of findTestFiles(root)) {
    const file = relative(root, full).split('\\').join('/');
    refs.push(...scanSource(readFileSync(full, 'utf8'), file));
  }
  return refs;
}

/** References grouped by clause id (ids in first-seen order). */
export function referencesByClause(refs: readonly ClauseReference[]): Map<string, ClauseReference[]> {
  const by = new Map<string, ClauseReference[]>();
  for (const r of refs) {
    const list = by.get(r.id);
    if (list === undefined) by.set(r.id, [r]);
    else list.push(r);
  }
  return by;
}
