import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Vector } from '../../harness/types.ts';
import { modelExpectMismatch } from './model-expect.ts';

const line = (file: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../', file), 'utf8').split('\n')[0]!) as Vector;

describe('modelExpectMismatch', () => {
  const pg = line('paging/curated-ad.jsonl');
  const mp = line('mapper/curated.jsonl');

  it('agrees with the committed vectors', () => {
    expect(modelExpectMismatch(pg)).toBeNull();
    expect(modelExpectMismatch(mp)).toBeNull();
  });

  it('compares hex by value and permitted sets as sets', () => {
    const v = structuredClone(pg) as unknown as { expect: { pa: string; memory: { pa: string; oneOf: string[] }[] } };
    v.expect.pa = v.expect.pa.toUpperCase().replace('0X', '0x000');
    v.expect.memory.reverse();
    expect(modelExpectMismatch(v as unknown as Vector)).toBeNull();
  });

  it('names the first place a vector departs from the model', () => {
    const v = structuredClone(pg) as unknown as { expect: { pa: string } };
    v.expect.pa = '0x5018';
    expect(modelExpectMismatch(v as unknown as Vector)).toEqual({ path: '$.expect.pa', vector: '0x5018', model: '0x5010' });
    const m = structuredClone(mp) as unknown as { expect: { results: unknown[] } };
    m.expect.results[0] = { error: 'AlreadyMapped' };
    expect(modelExpectMismatch(m as unknown as Vector)).toEqual({ path: '$.expect.results[0].error', vector: 'AlreadyMapped', model: null });
  });

  it('leaves suites it cannot recompute alone', () => {
    expect(modelExpectMismatch({ ...pg, suite: 'elf' })).toBeUndefined();
  });
});
