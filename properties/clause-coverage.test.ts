// Every clause in the registry must be named by at least one test or property, and no
// test may name an id the registry does not know (a typo would otherwise make a test
// look like coverage while checking nothing in the report).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CLAUSES } from '../spec/clauses/index.ts';
import { CLAUSE_ID_PATTERN } from '../spec/clause.ts';
import { referencesByClause, scanSource, scanTests, stringLiterals } from './support/clause-scan.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('clause coverage', () => {
  // This file's own scanner examples name real ids; they are not coverage.
  const self = 'properties/clause-coverage.test.ts';
  const refs = scanTests(root).filter((r) => r.file !== self);
  const byClause = referencesByClause(refs);
  const known = new Set(ALL_CLAUSES.map((c) => c.id));

  it('every registry clause id is well formed and unique', () => {
    const bad = ALL_CLAUSES.filter((c) => !CLAUSE_ID_PATTERN.test(c.id)).map((c) => c.id);
    expect(bad).toEqual([]);
    expect(known.size).toBe(ALL_CLAUSES.length);
  });

  // One test per area, so a failure says whose clauses lack tests.
  for (const area of ['PG', 'ELF', 'UEFI', 'HANDOFF'] as const) {
    it(`every ${area} clause in the registry is named by at least one test or property`, () => {
      const uncovered = ALL_CLAUSES.filter((c) => c.id.startsWith(`${area}.`) && !byClause.has(c.id))
        .map((c) => `${c.id} (${c.source}): ${c.title}`);
      expect(uncovered, `${area} clauses no test names:\n${uncovered.join('\n')}`).toEqual([]);
    });
  }

  it('no test names a clause id that is not in the registry (typo guard)', () => {
    const unknown = refs.filter((r) => !known.has(r.id)).map((r) => `${r.file}:${r.line}: ${r.id}`);
    expect(unknown, `unknown clause ids:\n${unknown.join('\n')}`).toEqual([]);
  });
});

describe('the clause scanner', () => {
  it('finds ids in test names and tag lists, not in comments', () => {
    const src = [
      "// PG.WALK.PDE.PS in a comment does not count",
      "/* nor PG.WALK.PTE.ADDR here */",
      "it('walks a 2 MiB page [PG.WALK.PDE.PS, PG.PF.CR2]', () => {",
      "  const tags = ['PG.AD.ACCESSED'];",
      "  const s = \"it's PG.CANON.GP\";",
      "});",
      "test.prop([fc.nat()])(`x [PG.PK.AD]`, () => {});",
    ].join('\n');
    const refs = scanSource(src, 'x.test.ts');
    expect(refs.map((r) => [r.id, r.line, r.testName !== undefined])).toEqual([
      ['PG.WALK.PDE.PS', 3, true],
      ['PG.PF.CR2', 3, true],
      ['PG.AD.ACCESSED', 4, false],
      ['PG.CANON.GP', 5, false],
      ['PG.PK.AD', 7, true],
    ]);
  });

  it('does not take prefixes, globs or longer words for ids', () => {
    const src = "const a = 'PG.PERM'; const b = 'PG.PERM.SMAP.*'; const c = 'xPG.WALK.PDE.PS'; const d = 'PG.WALK.PDE.PS.';";
    expect(scanSource(src, 'x.test.ts')).toEqual([]);
  });

  it('skips lines marked as ignored', () => {
    const src = "const bad = 'PG.NOT.A.CLAUSE'; // clause-scan: ignore";
    expect(scanSource(src, 'x.test.ts')).toEqual([]);
  });

  it('reads escaped quotes and template literals', () => {
    expect(stringLiterals("'a\\'b' `c${1}d` \"e\"").map((l) => l.text)).toEqual(["a\\'b", 'c${1}d', 'e']);
  });
});
