// Rights kept with cached upper-level entries (SDM Vol. 3A §4.10.3.1): a cached PDPTE holds
// the AND of the R/W (and U/S) flags and the OR of the XD flags of the PML4E and the PDPTE;
// a cached PDE combines the PML4E, PDPTE and PDE the same way. A walk that begins below a
// cached entry (§4.10.3.3) checks the access against those combined rights (§4.6), so an
// entry above that denied the access still denies it, although it is not read again.
//
// VA H = 0x80_8060_4567 uses PML4E 0x1008, PDPTE 0x2010, PDE 0x3018 and PTE 0x4020 (frame
// 0x5000). V = 0x80_8060_5567 (PTE 0x4028, frame 0x6000) and W = 0x80_8060_6567 (PTE 0x4030,
// frame 0x7000) share H's upper entries but were never cached as translations, so their
// only permitted outcomes are walks: from CR3, or from a cached PML4E, PDPTE or PDE.
import { describe, expect, it } from 'vitest';
import { performAccess } from '../access.ts';
import { TlbModel } from '../tlb.ts';
import type { AccessKind, PagingState } from '../types.ts';
import { walk } from '../walk.ts';
import { stateOf, type HandCase } from './support.ts';
import { accessAt as at, answerOf, walkStarts } from './tlb-support.ts';

const H = 0x80_8060_4567n;
const V = 0x80_8060_5567n;
const W = 0x80_8060_6567n;
const XD = 0x8000_0000_0000_0000n;

/** The tables with these PML4E, PDPTE and PDE values, and these flags in each PTE. */
function tables(pml4e: bigint, pdpte: bigint, pde: bigint, pteFlags: bigint): PagingState {
  const c: HandCase = {
    name: 'rights', clauses: [], cr3: 0x1000n,
    memory: [[0x1008, pml4e], [0x2010, pdpte], [0x3018, pde], [0x4020, 0x5000n | pteFlags], [0x4028, 0x6000n | pteFlags], [0x4030, 0x7000n | pteFlags]],
    access: { va: H, kind: 'read' }, expect: { pa: 0x5567 },
  };
  return stateOf(c);
}

/** A TLB model that performed (and recorded) a read of H: its upper entries are cached. */
function afterReadOfH(state: PagingState): TlbModel {
  const tlb = new TlbModel();
  tlb.record(at(H, 'read'), performAccess(state, at(H, 'read')));
  return tlb;
}

/** The distinct answers the TLB model permits for `kind` at `va`. */
function answers(tlb: TlbModel, state: PagingState, va: bigint, kind: AccessKind): string[] {
  return [...new Set(tlb.permitted(state, at(va, kind)).map(answerOf))].sort();
}

describe('hand-computed rights of cached upper-level entries (SDM Vol. 3A §4.10.3.1)', () => {
  it('with XD = 0 everywhere a fetch below any cached entry is allowed: only 0x6567 [PG.TLB.STRUCTURE_CACHE]', () => {
    // Supervisor entries P | R/W | A (0x23), NXE = 1, CPL 0: a fetch is allowed (SDM §4.6.1).
    const state = tables(0x2023n, 0x3023n, 0x4023n, 0x23n);
    const tlb = afterReadOfH(state);
    expect(answers(tlb, state, V, 'fetch')).toEqual(['ok 0x6567']);
  });

  it('XD = 1 in the PDPTE (NXE = 1): a fetch below the cached PDPTE or PDE still faults P | I/D = 0x11 [PG.TLB.STRUCTURE_CACHE, PG.PERM.XD.COMBINE, PG.PERM.SUP.FETCH_XD]', () => {
    const state = tables(0x2023n, XD | 0x3023n, 0x4023n, 0x23n);
    const tlb = afterReadOfH(state); // a read is not stopped by XD
    expect(answers(tlb, state, V, 'fetch')).toEqual(['pf 0x11']);
  });

  it('R/W = 0 in the PDPTE (CR0.WP = 1): a CPL 0 write below the cached PDPTE or PDE still faults P | W = 0x3 [PG.TLB.STRUCTURE_CACHE, PG.PERM.RW.COMBINE, PG.PERM.WP.SUPERVISOR_WRITE]', () => {
    const state = tables(0x2023n, 0x3021n, 0x4023n, 0x23n);
    const tlb = afterReadOfH(state);
    expect(answers(tlb, state, V, 'write')).toEqual(['pf 0x3']);
  });

  it('entries cached by a walk that began below a cached PML4E with XD = 1 keep its XD: a fetch at W faults 0x11 [PG.TLB.STRUCTURE_CACHE, PG.PERM.XD.COMBINE, PG.PERM.SUP.FETCH_XD]', () => {
    // Nothing has A = 1 and H is recorded from `walk` (no memory written), so the walks for
    // V from CR3 and from each cached entry set different A bits and all stay permitted.
    const state = tables(XD | 0x2003n, 0x3003n, 0x4003n, 0x3n);
    const tlb = new TlbModel();
    tlb.record(at(H, 'read'), walk(state, at(H, 'read')));
    const forV = tlb.permitted(state, at(V, 'read'));
    expect(walkStarts(forV)).toEqual(['CR3', 'PML4E', 'PDPTE', 'PDE']);
    // The walk below the cached PML4E reads the PDPTE and PDE again and caches them anew,
    // each combined with the cached PML4E's XD.
    const belowPml4e = forV[1]!;
    if (belowPml4e.source !== 'walk') throw new Error('expected a walk');
    tlb.record(at(V, 'read'), belowPml4e.result);
    expect(tlb.cachedStructures.map((e) => [e.level, e.xd])).toEqual([[4, true], [3, true], [2, true]]);
    expect(answers(tlb, state, W, 'fetch')).toEqual(['pf 0x11']);
  });
});
