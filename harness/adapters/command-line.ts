/**
 * Turns a `process:` command into what to spawn. A plain command (words, quotes,
 * backslash escapes) is split here and spawned directly, so the implementation is our
 * own child: killing it leaves no orphaned grandchild behind a shell. Anything that needs
 * a shell (pipes, `&&`, redirections, variables, globs) runs under `/bin/sh -c`, in its
 * own process group, which the adapter kills as a whole.
 */
export interface SpawnPlan {
  readonly file: string;
  readonly args: readonly string[];
  /** True when the command goes through `/bin/sh -c`. */
  readonly viaShell: boolean;
}

const SHELL_SYNTAX = /[|&;<>()$`*?[\]{}~#!]|\n/;

export function planSpawn(command: string): SpawnPlan {
  const words = splitWords(command);
  if (words === undefined || words.length === 0) return { file: '/bin/sh', args: ['-c', command], viaShell: true };
  return { file: words[0]!, args: words.slice(1), viaShell: false };
}

/** Splits on blanks honouring '…', "…" and backslashes; undefined when shell syntax is present. */
export function splitWords(command: string): string[] | undefined {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) return undefined;
      cur += command.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        const d = command[j]!;
        if (d === '$' || d === '`') return undefined;
        if (d === '\\' && j + 1 < command.length) cur += command[++j]!;
        else cur += d;
      }
      if (j >= command.length) return undefined;
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      cur += command[++i]!;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (SHELL_SYNTAX.test(c) || (c === '=' && !inWord)) {
      return undefined;
    } else {
      if (c === '=' && words.length === 0 && !cur.includes('/')) return undefined; // VAR=value prefix
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
