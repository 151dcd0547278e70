// Canonical addresses: a non-canonical address raises #GP(0) whatever the tables, the
// registers or the access are, reads no entry and changes nothing; a canonical one never
// raises #GP.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walk } from '../../model/paging/walk.ts';
import { performAccess } from '../../model/paging/access.ts';
import { numRuns } from '../support/runs.ts';
import { accessModeArb, canonicalVaArb, nonCanonicalVaArb } from '../support/arbitraries.ts';
import { pagingStateOf, scenarioArb } from '../support/arbitraries-tables.ts';
import { accessOf, memoryDiff, memoryMap } from '../support/compare.ts';

describe('canonical addresses', () => {
  it('a non-canonical address gives #GP(0), never #PF, reads no entry and writes nothing [PG.CANON.GP, PG.CANON.NO_WALK]', () => {
    fc.assert(fc.property(scenarioArb, nonCanonicalVaArb, accessModeArb, (s, va, mode) => {
      const st = pagingStateOf(s);
      const before = memoryMap(st.memory);
      const r = performAccess(st, accessOf({ va, ...mode }));
      expect(r.outcome).toBe('fault');
      if (r.outcome !== 'fault') return;
      expect(r.vector).toBe(13);
      expect(r.errorCode).toBe(0);
      expect(r.trace).toEqual([]);
      expect(r.updates).toEqual([]);
      expect(memoryDiff(before, memoryMap(st.memory))).toEqual(new Map());
    }), { numRuns: numRuns(300) });
  });

  it('a canonical address, upper half included, never gives #GP [PG.CANON.UPPER_HALF, PG.CANON.GP]', () => {
    fc.assert(fc.property(scenarioArb, canonicalVaArb, accessModeArb, (s, va, mode) => {
      const r = walk(pagingStateOf(s), accessOf({ va, ...mode }));
      expect(r.outcome === 'fault' && r.vector === 13).toBe(false);
      expect(r.trace.length).toBeGreaterThan(0);
    }), { numRuns: numRuns(300) });
  });
});
