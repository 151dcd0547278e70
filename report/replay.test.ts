import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../harness/results.ts';
import type { ImplInfo } from '../harness/types.ts';
import { replayCommand, shellQuote, vectorLine } from './replay.ts';

const ROOT = join(import.meta.dirname, '..');
const DIR = join(ROOT, 'out', 'report-test', 'replay');
const impl: ImplInfo = { spec: "process:'./my mmu --fast'", kind: 'process', name: 'mine', version: '1', suites: ['elf'] };

function caseWith(input: Record<string, string>, file: string, line: number): CaseResult {
  return { id: 'x/1', suite: 'elf', title: "it's odd", clauses: [], verdict: 'fail', source: { file, line }, input, expect: { outcome: 'loaded' } };
}

/** Runs the part of a replay command that writes the one-line vector file (before `npx`). */
function writeStep(cmd: string): string {
  return cmd.slice(0, cmd.indexOf(' && npx ')).replaceAll('out/replay-', `${DIR.slice(ROOT.length + 1)}/replay-`);
}

describe('replay commands', () => {
  it('quote shell words only when needed', () => {
    expect(shellQuote('out/a.jsonl')).toBe('out/a.jsonl');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('a short vector travels inside the command, quotes and all', () => {
    mkdirSync(DIR, { recursive: true });
    const c = caseWith({ note: "a 'quoted' $HOME `x`" }, 'vectors/elf/rules.jsonl', 3);
    const cmd = replayCommand(impl, c);
    expect(cmd).toContain("--impl 'process:'\\''./my mmu --fast'\\'''");
    execFileSync('sh', ['-c', writeStep(cmd)], { cwd: ROOT });
    expect(readFileSync(join(DIR, 'replay-x_1.jsonl'), 'utf8')).toBe(vectorLine(c) + '\n');
  });

  it('a long vector is cut from its corpus file by line number', () => {
    mkdirSync(DIR, { recursive: true });
    const c = caseWith({ bytes: 'A'.repeat(5000) }, `${DIR.slice(ROOT.length + 1)}/corpus.jsonl`, 2);
    writeFileSync(join(DIR, 'corpus.jsonl'), `{"first":1}\n${vectorLine(c)}\n{"third":3}\n`);
    const cmd = replayCommand(impl, c);
    expect(cmd.length).toBeLessThan(400);
    expect(cmd).toContain('sed -n 2p');
    execFileSync('sh', ['-c', writeStep(cmd)], { cwd: ROOT });
    expect(readFileSync(join(DIR, 'replay-x_1.jsonl'), 'utf8')).toBe(vectorLine(c) + '\n');
  });

  it('without the vector, the whole file is re-run', () => {
    const c: CaseResult = { ...caseWith({}, 'vectors/elf/rules.jsonl', 3), input: undefined };
    expect(vectorLine(c)).toBeUndefined();
    expect(replayCommand(impl, c)).toBe("npx x64spec run --impl 'process:'\\''./my mmu --fast'\\''' --suite elf --vectors vectors/elf/rules.jsonl --out out/replay.json");
  });
});
