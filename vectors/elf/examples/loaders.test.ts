// Third-party loaders against the `elf` vectors: an independent simple loader passes
// every vector, and each classic boot-loader bug, switched on alone, fails vectors with
// the clause it breaks. One run goes through `x64spec run` to show the module plumbing.
// Clauses: ELF.LOAD.ZERO_TAIL, ELF.LOAD.RIGHTS, ELF.LOAD.PADDR, ELF.LOAD.RELRO_READONLY,
// ELF.RELOC.ABS64, ELF.RELOC.RELR.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definition } from '../../../harness/suites/elf.ts';
import type { Vector } from '../../../harness/types.ts';
import { parseVectorText } from '../../io/read.ts';
import { KERNELS_FILE, RULES_FILE } from '../generate.ts';
import { makeLoader, type Bug } from './simple-loader.ts';

const vectors: Vector[] = [RULES_FILE, KERNELS_FILE].flatMap((f) => parseVectorText(readFileSync(f, 'utf8'), f).vectors);

function failures(bugs: Bug[]): Map<string, Set<string>> {
  const load = makeLoader(new Set(bugs));
  const out = new Map<string, Set<string>>();
  for (const v of vectors) {
    const diffs = definition.judge(v, load(v.input));
    if (diffs.length > 0) out.set(v.id, new Set(diffs.map((d) => d.clause ?? '?')));
  }
  return out;
}

describe('third-party loaders on the elf vectors', () => {
  it('the independent simple loader passes every vector', () => {
    expect([...failures([])]).toEqual([]);
  });

  const cases: [Bug, string, string][] = [
    ['copy-whole-pages', 'ELF.LOAD.ZERO_TAIL', 'elf-load-partial-page-tail'],
    ['copy-whole-pages', 'ELF.LOAD.ZERO_TAIL', 'elf-gcc-static-pie-0'],
    ['first-segment-rights', 'ELF.LOAD.RIGHTS', 'elf-gcc-shared-page-union'],
    ['ignore-paddr', 'ELF.LOAD.PADDR', 'elf-gcc-higher-half-paddr'],
    ['no-relro', 'ELF.LOAD.RELRO_READONLY', 'elf-gcc-static-pie-1'],
    ['relative-only', 'ELF.RELOC.RELR', 'elf-gcc-static-pie-relr-1'],
    ['relative-only', 'ELF.RELOC.ABS64', 'elf-pie-1'],
  ];
  for (const [bug, clause, id] of cases) {
    it(`the ${bug} bug fails ${id} on ${clause}`, () => {
      const f = failures([bug]);
      expect(f.get(id), [...f.keys()].join(', ')).toBeDefined();
      expect([...f.get(id)!]).toContain(clause);
      // Every failure the bug causes names a clause.
      for (const clauses of f.values()) expect(clauses.has('?')).toBe(false);
    });
  }

  it('x64spec run --impl <module> runs a loader module over the suite (ELF.LOAD.RIGHTS)', () => {
    const out = 'out/elf-buggy-results.json';
    let code = 0;
    try {
      execFileSync('node', ['bin/x64spec.js', 'run', '--impl', 'vectors/elf/examples/buggy-loader.ts', '--suite', 'elf', '--out', out], { stdio: 'pipe' });
    } catch (e) {
      code = (e as { status: number }).status;
    }
    expect(code).toBe(1);
    const results = JSON.parse(readFileSync(out, 'utf8')) as { runs: { counts: Record<string, number>; cases: { id: string; verdict: string; diff?: { clause?: string }[] }[] }[] };
    const run = results.runs[0]!;
    expect(run.counts.pass! + run.counts.fail!).toBe(vectors.length);
    expect(run.counts.fail).toBeGreaterThan(5);
    const shared = run.cases.find((c) => c.id === 'elf-gcc-shared-page-union')!;
    expect(shared.verdict).toBe('fail');
    expect(shared.diff!.map((d) => d.clause)).toContain('ELF.LOAD.RIGHTS');
  });
});
