// Error codes: every page fault's error code is consistent with the access (W/R), the
// privilege (U/S, implicit accesses are supervisor), CR4.SMEP/EFER.NXE (I/D under its
// exact condition), the entry that stopped the walk (P, RSVD) and protection keys (PK);
// no other bit is ever set, and CR2 is the whole linear address.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walk } from '../../model/paging/walk.ts';
import { toBigInt } from '../../model/paging/u64.ts';
import { numRuns } from '../support/runs.ts';
import { pagingStateOf, scenarioAccessArb } from '../support/arbitraries-tables.ts';
import { accessOf } from '../support/compare.ts';

describe('page-fault error codes', () => {
  it('each bit follows its rule [PG.PF.VECTOR, PG.PF.CR2, PG.PF.EC.P, PG.PF.EC.WR, PG.PF.EC.US, PG.PF.EC.RSVD, PG.PF.EC.ID, PG.PF.EC.PK, PG.MODE.USER_ACCESS, PG.MODE.IMPLICIT_SUPERVISOR]', () => {
    fc.assert(fc.property(scenarioAccessArb, (sa) => {
      const r = walk(pagingStateOf(sa.scenario), accessOf(sa));
      if (r.outcome !== 'fault') return;
      expect(r.vector).toBe(14);
      if (r.vector !== 14) return;
      const regs = sa.scenario.regs;
      const ec = r.errorCode;
      const last = r.trace[r.trace.length - 1]!;
      const notPresent = (last.entry.lo & 1) === 0;
      expect(toBigInt(r.cr2)).toBe(sa.va);
      expect(ec & ~0x3f).toBe(0);
      expect((ec & 0x1) === 0).toBe(notPresent);
      expect((ec & 0x2) !== 0).toBe(sa.kind === 'write');
      expect((ec & 0x4) !== 0).toBe(regs.cpl === 3 && !sa.implicit);
      const idCondition = sa.kind === 'fetch' && ((regs.efer & 0x800n) !== 0n || (regs.cr4 & (1n << 20n)) !== 0n);
      expect((ec & 0x10) !== 0).toBe(idCondition);
      if (ec & 0x8) expect(ec & 0x1).toBe(1);
      if (ec & 0x20) {
        // PK: a data access to a user-mode address with CR4.PKE = 1, on a present, well-formed path.
        expect(sa.kind).not.toBe('fetch');
        expect(ec & 0x9).toBe(0x1);
        expect((regs.cr4 & (1n << 22n)) !== 0n).toBe(true);
        expect(r.trace.every((t) => (t.entry.lo & 0x4) !== 0)).toBe(true);
      }
    }), { numRuns: numRuns(400) });
  });
});
