// Translations of two page sizes for one address (SDM Vol. 3A §4.10.2.3): when software
// changes the page size of a range without invalidating, the TLBs may then hold a
// translation of each size for the range, and an access may use either. Each is checked
// against the current mode with the rights it was cached with (§4.10.4.3).
//
// VA = 0x80_8060_0123: PML4E 0x1008, PDPTE 0x2010, PDE 0x3018 — the first 4 KiB of the
// 2-MiB region at 0x80_8060_0000, so a 2-MiB page and a 4-KiB page there share their base.
// Phase 1: the PDE maps a 2-MiB page at 0x20_0000 (PA 0x20_0123); it is cached.
// Phase 2: the PDE points at page table 0x4000 whose PTE 0x4000 maps 0x5000 (PA 0x5123); it
// is cached. Phase 3: the PTE is pointed at 0x6000 (PA 0x6123), again without INVLPG.
// Every entry has A = 1, so no walk writes memory.
import { describe, expect, it } from 'vitest';
import { physAddr } from '../addr.ts';
import { performAccess } from '../access.ts';
import { TlbModel } from '../tlb.ts';
import { fromBigInt } from '../u64.ts';
import type { Cpl, PagingState } from '../types.ts';
import { accessOf, stateOf, type HandCase } from './support.ts';
import { answerOf } from './tlb-support.ts';

const VA = 0x80_8060_0123n;
const CR4_PKE = 0x40_0020n; // PKE (bit 22) | PAE

function phase1(pde2M: bigint, cr4 = 0x20n): HandCase {
  return {
    name: 'sizes', clauses: [], cr3: 0x1000n, cr4,
    memory: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, pde2M]],
    access: { va: VA, kind: 'read' }, expect: { pa: 0x20_0123 },
  };
}

const read = accessOf(phase1(0n));

function at(state: PagingState, cpl: Cpl, pkru: number): PagingState {
  return { ...state, regs: { ...state.regs, cpl, pkru } };
}

/** Runs phases 1 and 2 (CPL 0 reads, PKRU = 0), recording both into a TLB model. */
function bothSizesCached(c: HandCase, pte: bigint): { state: PagingState; tlb: TlbModel } {
  const state = stateOf(c);
  const tlb = new TlbModel();
  const ok1 = performAccess(state, read);
  expect(ok1).toMatchObject({ outcome: 'ok', pa: 0x20_0123 });
  tlb.record(read, ok1);
  state.memory.write64(physAddr(0x3018), fromBigInt(0x4027n));
  state.memory.write64(physAddr(0x4000), fromBigInt(pte));
  const ok2 = performAccess(state, read);
  expect(ok2).toMatchObject({ outcome: 'ok', pa: 0x5123 });
  tlb.record(read, ok2);
  state.memory.write64(physAddr(0x4000), fromBigInt(0x6027n));
  return { state, tlb };
}

describe('hand-computed TLB: a 2-MiB and a 4-KiB translation for one address (SDM Vol. 3A §4.10.2.3)', () => {
  it('after the PDE becomes a page-table pointer, both stale translations and the fresh walk are permitted [PG.TLB.MAY_CACHE]', () => {
    // Supervisor entries below the PDPTE: a CPL 0 read is allowed by PG.PERM.SUP.READ.
    const { state, tlb } = bothSizesCached(phase1(0x20_00a3n), 0x5023n);
    const permitted = tlb.permitted(state, read);
    expect(permitted.map(answerOf).sort()).toEqual(['ok 0x200123', 'ok 0x5123', 'ok 0x6123']);
    for (const p of permitted) {
      if (p.source === 'cache') expect(p.clauses).toEqual(['PG.TLB.MAY_CACHE', 'PG.PERM.SUP.READ']);
    }
  });

  it('at CPL 3 with PKRU.AD1 = 1 the two cached translations fault differently: P|U = 0x5 (2-MiB supervisor page) and P|U|PK = 0x25 (4-KiB page with key 1) [PG.TLB.SPURIOUS_FAULT, PG.PERM.USER.SUPERVISOR_PAGE, PG.PK.AD]', () => {
    // The 2-MiB page has U/S = 0 (0xa3); the 4-KiB PTE has U/S = 1 and key 1 (bits 62:59).
    // The fresh walk reaches PTE 0x6027 (key 0, user): a CPL 3 read is allowed.
    const { state, tlb } = bothSizesCached(phase1(0x20_00a3n, CR4_PKE), 0x0800_0000_0000_5027n);
    const permitted = tlb.permitted(at(state, 3, 0b100), read);
    expect(permitted.map(answerOf).sort()).toEqual(['ok 0x6123', 'pf 0x25', 'pf 0x5']);
    const cached = permitted.flatMap((p) => (p.source === 'cache' && p.outcome === 'fault' ? [p] : [])).sort((a, b) => a.errorCode - b.errorCode);
    expect(cached.map((p) => [p.errorCode, p.clauses.slice(0, 2)])).toEqual([
      [0x5, ['PG.TLB.MAY_CACHE', 'PG.TLB.SPURIOUS_FAULT']],
      [0x25, ['PG.TLB.MAY_CACHE', 'PG.TLB.SPURIOUS_FAULT']],
    ]);
    expect(cached[0]!.clauses).toContain('PG.PERM.USER.SUPERVISOR_PAGE');
    expect(cached[1]!.clauses).toContain('PG.PK.AD');
  });
});
