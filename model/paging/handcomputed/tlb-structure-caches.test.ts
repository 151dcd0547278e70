// Paging-structure caches (SDM Vol. 3A §4.10.3): besides whole translations, a processor
// may cache upper-level entries (PML4E, PDPTE, PDE) and, on a TLB miss, start the walk
// from a cached entry instead of reading it again from memory (§4.10.3.3). After
// software changes such an entry without INVLPG or a CR3 write (§4.10.4.2), an access
// to a page that was never in the TLB may therefore still go through the old entry.
//
// VA1 = 0x0000_0080_8060_4567 and VA2 = 0x0000_0080_8060_5567 share the PML4E (0x1008),
// PDPTE (0x2010) and PDE (0x3018); their PTEs are entries 4 (0x4020) and 5 (0x4028) of
// the page table at 0x4000. A read of VA1 may cache the PDE 0x4007. Software then points
// the PDE at a new page table 0x6000 (entry 5 at 0x6028 maps 0x8000) without
// invalidating. A read of VA2 was never cached as a translation, but may use the cached
// PDE: old table 0x4000, entry 5 = 0x9007, so PA 0x9000 + 0x567 = 0x9567. The fresh
// walk gives 0x8000 + 0x567 = 0x8567. Both are permitted.
import { describe, expect, it } from 'vitest';
import { physAddr } from '../addr.ts';
import { performAccess } from '../access.ts';
import { TlbModel } from '../tlb.ts';
import { fromBigInt } from '../u64.ts';
import { accessOf, stateOf, type HandCase } from './support.ts';
import { answerOf } from './tlb-support.ts';

const base: HandCase = {
  name: 'psc', clauses: [], cr3: 0x1000n,
  memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x5007n], [0x4028, 0x9007n], [0x6028, 0x8007n]],
  access: { va: 0x0000_0080_8060_4567n, kind: 'read' },
  expect: { pf: 0 },
};

describe('hand-computed paging-structure-cache staleness (SDM Vol. 3A §4.10.3)', () => {
  it('a PDE changed without INVLPG may still be used for a page never cached: 0x9567 as well as 0x8567 [PG.TLB.STRUCTURE_CACHE, PG.TLB.MAY_CACHE]', () => {
    const state = stateOf(base);
    const tlb = new TlbModel();
    const va1 = accessOf(base);
    tlb.record(va1, performAccess(state, va1));
    state.memory.write64(physAddr(0x3018), fromBigInt(0x6027n)); // new page table, no INVLPG
    const va2 = accessOf({ ...base, access: { va: 0x0000_0080_8060_5567n, kind: 'read' } });
    const outcomes = tlb.permitted(state, va2).map(answerOf);
    expect(outcomes).toContain('ok 0x8567');
    expect(outcomes).toContain('ok 0x9567');
  });
});
