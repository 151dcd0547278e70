// Accessed and dirty flags: a successful access sets A in every entry it used and D only
// in the leaf and only for a write, touching no other bit; repeating it changes nothing;
// a faulting access may set only the A bits the model's permitted set lists (entries
// above the one that decided the fault), and the model's own performAccess sets none.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { performAccess } from '../../model/paging/access.ts';
import { permittedOutcome } from '../../model/paging/expectation.ts';
import { toBigInt } from '../../model/paging/u64.ts';
import { numRuns } from '../support/runs.ts';
import { pagingStateOf, scenarioAccessArb } from '../support/arbitraries-tables.ts';
import { accessOf, memoryDiff, memoryMap } from '../support/compare.ts';

describe('accessed and dirty flags', () => {
  it('a success sets A on every entry used and D only on the leaf of a write, nothing else [PG.AD.ACCESSED, PG.AD.DIRTY.WRITE_ONLY, PG.AD.DIRTY.LEAF_ONLY]', () => {
    fc.assert(fc.property(scenarioAccessArb, (sa) => {
      const st = pagingStateOf(sa.scenario);
      const before = memoryMap(st.memory);
      const r = performAccess(st, accessOf(sa));
      if (r.outcome !== 'ok') return;
      const after = memoryMap(st.memory);
      const used = new Set(r.trace.map((t) => BigInt(t.entryPa)));
      const leafPa = BigInt(r.trace[r.trace.length - 1]!.entryPa);
      for (const [pa, [b, a]] of memoryDiff(before, after)) {
        expect(used.has(pa)).toBe(true);
        expect(a & ~(b | 0x60n)).toBe(0n); // only A and D can appear
        expect(b & ~a).toBe(0n); // nothing cleared
        if ((a & ~b & 0x40n) !== 0n) {
          expect(sa.kind).toBe('write');
          expect(pa).toBe(leafPa);
        }
      }
      for (const t of r.trace) expect((after.get(BigInt(t.entryPa))! & 0x20n) !== 0n).toBe(true);
      if (sa.kind === 'write') expect((after.get(leafPa)! & 0x40n) !== 0n).toBe(true);
    }), { numRuns: numRuns(300) });
  });

  it('repeating a successful access changes nothing [PG.AD.STICKY]', () => {
    fc.assert(fc.property(scenarioAccessArb, (sa) => {
      const st = pagingStateOf(sa.scenario);
      const first = performAccess(st, accessOf(sa));
      if (first.outcome !== 'ok') return;
      const once = memoryMap(st.memory);
      const again = performAccess(st, accessOf(sa));
      expect(again.outcome).toBe('ok');
      expect(again.updates).toEqual([]);
      expect(memoryDiff(once, memoryMap(st.memory))).toEqual(new Map());
    }), { numRuns: numRuns(200) });
  });

  it('a fault permits only A bits above the deciding entry, never a D, and performAccess writes nothing [PG.AD.FAULT_MAY_SET_UPPER, PG.AD.FAULT_LEAF_UNCHANGED]', () => {
    fc.assert(fc.property(scenarioAccessArb, (sa) => {
      const st = pagingStateOf(sa.scenario);
      const before = memoryMap(st.memory);
      const { expect: permitted, result } = permittedOutcome(st, accessOf(sa));
      if (result.outcome !== 'fault') return;
      const upper = result.trace.slice(0, -1).map((t) => BigInt(t.entryPa));
      for (const m of permitted.memory) {
        const pa = BigInt(m.pa);
        expect(upper).toContain(pa);
        const v = before.get(pa) ?? 0n;
        expect(m.oneOf.map(toBigInt).sort()).toEqual([v, v | 0x20n].sort());
      }
      performAccess(st, accessOf(sa));
      expect(memoryDiff(before, memoryMap(st.memory))).toEqual(new Map());
    }), { numRuns: numRuns(200) });
  });
});
