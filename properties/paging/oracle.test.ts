// The model against an independent reading of the SDM (properties/support/oracle.ts) over
// generated, adversarial page tables: every outcome, physical address, error code, CR2,
// combined rights and A/D update must agree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walk } from '../../model/paging/walk.ts';
import { performAccess } from '../../model/paging/access.ts';
import { validateAccess, validateState } from '../../model/paging/state.ts';
import { numRuns } from '../support/runs.ts';
import { oracleAccess } from '../support/oracle.ts';
import { oracleStateOf, pagingStateOf, scenarioAccessArb, scenarioArb } from '../support/arbitraries-tables.ts';
import { accessOf, expectSameOutcome, memoryDiff, memoryMap, modelUpdates, oracleUpdates } from '../support/compare.ts';

describe('the model agrees with an independent reading of the SDM', () => {
  it('every generated CPU and register state is one the model accepts [PG.STATE.FEATURE_BITS, PG.STATE.MAXPHYADDR, PG.CR3.RESERVED, PG.MODE.FOUR_LEVEL]', () => {
    fc.assert(fc.property(scenarioArb, (s) => {
      const st = pagingStateOf(s);
      expect(validateState(st.cpu, st.regs)).toEqual([]);
    }), { numRuns: numRuns(100) });
  });

  it('outcome, physical address, error code and CR2 match [PG.WALK.PML4E.ADDR, PG.WALK.PDPTE.ADDR, PG.WALK.PDE.ADDR, PG.WALK.PTE.ADDR, PG.WALK.PAGE_4K, PG.WALK.PDE.PS, PG.WALK.PDPTE.PS, PG.CR3.PML4_BASE, PG.CR3.LOW_BITS_IGNORED, PG.ENTRY.IGNORED_BITS, PG.ENTRY.CACHE_BITS, PG.PF.VECTOR, PG.PF.CR2]', () => {
    fc.assert(fc.property(scenarioAccessArb, (sa) => {
      const access = accessOf(sa);
      expect(validateAccess(access)).toEqual([]);
      const r = walk(pagingStateOf(sa.scenario), access);
      const o = oracleAccess(oracleStateOf(sa.scenario), sa.va, sa.kind, sa.implicit);
      expectSameOutcome(r, o, sa.va);
    }), { numRuns: numRuns(400) });
  });

  it('combined rights of a translation match the AND of R/W and U/S and the OR of XD [PG.PERM.RW.COMBINE, PG.PERM.US.COMBINE, PG.PERM.XD.COMBINE, PG.PERM.NXE_OFF]', () => {
    fc.assert(fc.property(scenarioAccessArb, (sa) => {
      const r = walk(pagingStateOf(sa.scenario), accessOf(sa));
      const o = oracleAccess(oracleStateOf(sa.scenario), sa.va, sa.kind, sa.implicit);
      if (r.outcome !== 'ok' || o.kind !== 'ok') return;
      expect(r.rights).toEqual({ writable: o.writable, user: o.user, executable: o.executable });
      expect(BigInt(r.pageSize)).toBe(o.size);
    }), { numRuns: numRuns(300) });
  });

  it('the A/D updates (required on success, permitted on a fault) match [PG.AD.ACCESSED, PG.AD.DIRTY.WRITE_ONLY, PG.AD.DIRTY.LEAF_ONLY, PG.AD.FAULT_MAY_SET_UPPER, PG.AD.FAULT_LEAF_UNCHANGED]', () => {
    fc.assert(fc.property(scenarioAccessArb, (sa) => {
      const r = walk(pagingStateOf(sa.scenario), accessOf(sa));
      const o = oracleAccess(oracleStateOf(sa.scenario), sa.va, sa.kind, sa.implicit);
      expect(modelUpdates(r)).toEqual(oracleUpdates(o));
    }), { numRuns: numRuns(300) });
  });

  it('walk reads only; performAccess writes exactly the oracle\'s final entries on success and nothing on a fault [PG.AD.ACCESSED, PG.AD.STICKY]', () => {
    fc.assert(fc.property(scenarioAccessArb, (sa) => {
      const st = pagingStateOf(sa.scenario);
      const before = memoryMap(st.memory);
      walk(st, accessOf(sa));
      expect(memoryDiff(before, memoryMap(st.memory))).toEqual(new Map());
      const r = performAccess(st, accessOf(sa));
      const diff = memoryDiff(before, memoryMap(st.memory));
      const o = oracleAccess(oracleStateOf(sa.scenario), sa.va, sa.kind, sa.implicit);
      if (r.outcome !== 'ok') {
        expect(diff).toEqual(new Map());
        return;
      }
      const expected = new Map<bigint, [bigint, bigint]>();
      for (const [pa, after] of oracleUpdates(o)) {
        const p = BigInt(pa);
        expected.set(p, [before.get(p) ?? 0n, BigInt(after)]);
      }
      expect(diff).toEqual(expected);
    }), { numRuns: numRuns(200) });
  });
});
