import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definition } from '../../harness/suites/paging.ts';
import { profileMismatch } from '../../harness/runner/profile.ts';
import { walk } from '../../model/paging/walk.ts';
import { PAGING_CLAUSES } from '../../spec/clauses/paging.ts';
import { runnerConstraintProblems } from '../generate/constraints.ts';
import { pagingCorpusFiles } from '../generate/corpus.ts';
import { COMMON_PROFILES, NOT_SINGLE_ACCESS, clauseApplies, singleAccessClauses } from '../generate/profiles.ts';
import { formatVectorFile, readVectorFiles } from '../io/index.ts';
import { asPagingInput, pagingInputToModel } from '../io/paging.ts';

const DIR = join(import.meta.dirname, '.');
const corpus = readVectorFiles([DIR]);

describe('the committed paging corpus', () => {
  it('reads without a single problem and holds at least 10,000 vectors', () => {
    expect(corpus.problems).toEqual([]);
    expect(corpus.vectors.length).toBeGreaterThanOrEqual(10_000);
  });

  // Any model change that alters an expectation shows up here and in the diff of the files.
  it.each(pagingCorpusFiles().map((f) => [f.name, f] as const))('%s is exactly what the generator produces', (name, f) => {
    expect(readFileSync(join(DIR, name), 'utf8') === formatVectorFile(f.build())).toBe(true);
  });

  it('exercises every clause a single access can exercise', () => {
    const covered = new Set(corpus.vectors.flatMap((v) => v.clauses));
    expect(singleAccessClauses().filter((c) => !covered.has(c))).toEqual([]);
    // …and the clauses it does not cover are exactly the ones documented as out of reach.
    expect(PAGING_CLAUSES.map((c) => c.id).filter((c) => !covered.has(c)).sort()).toEqual([...NOT_SINGLE_ACCESS.keys()].sort());
  });

  it('has a curated vector for every such clause (not only generated ones)', () => {
    const covered = new Set(corpus.vectors.filter((v) => !v.id.startsWith('pg-gen-')).flatMap((v) => v.clauses));
    expect(singleAccessClauses().filter((c) => !covered.has(c))).toEqual([]);
  });

  it.each(COMMON_PROFILES.map((p) => [p.name, p] as const))('exercises every applicable clause under profile %s', (_name, p) => {
    const fit = corpus.vectors.filter((v) => profileMismatch({ maxphyaddr: p.maxphyaddr, features: p.features }, v.input) === undefined);
    const covered = new Set(fit.flatMap((v) => v.clauses));
    expect(singleAccessClauses().filter((c) => clauseApplies(c, p) && !covered.has(c))).toEqual([]);
  });

  it('names only registered clauses', () => {
    const known = new Set(PAGING_CLAUSES.map((c) => c.id));
    expect(corpus.vectors.flatMap((v) => v.clauses).filter((c) => !known.has(c as never))).toEqual([]);
  });

  it('can run in the QEMU guest runner (spec/vector-constraints.ts)', () => {
    const bad: string[] = [];
    for (const v of corpus.vectors) {
      const input = asPagingInput(v.input);
      const { state, access } = pagingInputToModel(input);
      for (const p of runnerConstraintProblems(input, walk(state, access))) bad.push(`${v.id}: ${p}`);
    }
    expect(bad).toEqual([]);
  });

  it('is passed by the model through the suite definition', () => {
    const failures: string[] = [];
    for (const v of corpus.vectors) {
      const answer = definition.modelAnswer(v.input);
      if ('unsupported' in answer) failures.push(`${v.id}: unsupported`);
      else if (definition.judge(v, answer).length > 0) failures.push(v.id);
    }
    expect(failures).toEqual([]);
  });

  it('has outcomes of every kind', () => {
    const kinds = new Set(corpus.vectors.map((v) => {
      const e = v.expect as { outcome: string; vector?: number; errorCode?: string };
      return e.outcome === 'ok' ? 'ok' : `${e.vector}:${e.errorCode}`;
    }));
    for (const k of ['ok', '13:0x0', '14:0x0', '14:0x1', '14:0x3', '14:0x5', '14:0x7', '14:0x9', '14:0x11', '14:0x15', '14:0x25', '14:0x27']) expect(kinds).toContain(k);
  });
});
