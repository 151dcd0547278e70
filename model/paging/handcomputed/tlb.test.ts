// Hand-computed TLB staleness (SDM Vol. 3A §4.10): which answers a processor may give
// after the tables change, worked out from the caching and invalidation rules.
// VA = 0x0000_0080_8060_4567: entries at 0x1008, 0x2010, 0x3018, 0x4020 (see walk.test.ts).
// The PTE first maps frame 0x5000 (PA 0x5567); software then points it at 0x6000
// (PA 0x6567) or changes its rights.
import { describe, expect, it } from 'vitest';
import { physAddr, virtAddr } from '../addr.ts';
import { performAccess } from '../access.ts';
import { TlbModel } from '../tlb.ts';
import { fromBigInt } from '../u64.ts';
import { walk } from '../walk.ts';
import { accessOf, stateOf, type HandCase } from './support.ts';
import { answerOf } from './tlb-support.ts';
import type { AccessKind, Cpl, PagingState } from '../types.ts';

const VA = 0x0000_0080_8060_4567n;
const CR4_PGE = 0xa0n; // PGE (bit 7) | PAE

function base(pte: bigint, cr4 = 0x20n): HandCase {
  return {
    name: 'tlb', clauses: [], cr3: 0x1000n, cr4,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, pte]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0 },
  };
}

function at(state: PagingState, kind: AccessKind, cpl: Cpl = 0) {
  return { state: { ...state, regs: { ...state.regs, cpl } }, access: accessOf({ ...base(0n), access: { va: VA, kind } }) };
}

/** Does `kind` at `cpl` through the TLB model, performing (and recording) the fresh walk. */
function doAccess(tlb: TlbModel, state: PagingState, kind: AccessKind, cpl: Cpl = 0): void {
  const a = at(state, kind, cpl);
  tlb.record(a.access, performAccess(a.state, a.access));
}

/** The permitted outcomes as short strings: 'ok 0x5567' or 'pf 0x5'. */
function outcomes(tlb: TlbModel, state: PagingState, kind: AccessKind, cpl: Cpl = 0): string[] {
  const a = at(state, kind, cpl);
  return tlb.permitted(a.state, a.access).map(answerOf).sort();
}

function setPte(state: PagingState, value: bigint): void {
  state.memory.write64(physAddr(0x4020), fromBigInt(value));
}

describe('hand-computed TLB staleness (SDM Vol. 3A §4.10)', () => {
  it('after a read through PTE 0x5007, repointing it at 0x6000 permits both 0x6567 and the stale 0x5567 [PG.TLB.MAY_CACHE]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5007n));
    doAccess(tlb, s, 'read');
    setPte(s, 0x6027n);
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x5567', 'ok 0x6567']);
  });

  it('a refill from the repointed PTE does not retire the older translation: 0x5567, 0x6567 and 0x7567 until INVLPG [PG.TLB.MAY_CACHE, PG.TLB.INVLPG]', () => {
    // Nothing in §4.10.2 makes a new TLB entry replace an older one for the same page
    // (a processor may have several TLBs), so both cached frames stay usable.
    const tlb = new TlbModel();
    const s = stateOf(base(0x5007n));
    doAccess(tlb, s, 'read');
    setPte(s, 0x6027n);
    doAccess(tlb, s, 'read'); // a walk that refills from frame 0x6000
    setPte(s, 0x7027n);
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x5567', 'ok 0x6567', 'ok 0x7567']);
    tlb.invlpg(virtAddr(fromBigInt(VA)));
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x7567']);
  });

  it('INVLPG of the page leaves only the fresh walk [PG.TLB.INVLPG]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5107n, CR4_PGE)); // global page: INVLPG drops it all the same
    doAccess(tlb, s, 'read');
    setPte(s, 0x6127n);
    tlb.invlpg(virtAddr(fromBigInt(0x0000_0080_8060_4000n)));
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x6567']);
  });

  it('INVLPG of another page keeps the stale translation [PG.TLB.INVLPG]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5007n));
    doAccess(tlb, s, 'read');
    setPte(s, 0x6027n);
    tlb.invlpg(virtAddr(fromBigInt(0x0000_0080_8060_5000n))); // the next 4 KiB page
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x5567', 'ok 0x6567']);
  });

  it('a CR3 write drops a non-global translation even with PGE = 1 [PG.TLB.CR3_WRITE]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5007n, CR4_PGE));
    doAccess(tlb, s, 'read');
    setPte(s, 0x6027n);
    tlb.writeCr3(true);
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x6567']);
  });

  it('a global page (G = 0x100) with PGE = 1 may survive a CR3 write [PG.TLB.GLOBAL]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5107n, CR4_PGE));
    doAccess(tlb, s, 'read');
    setPte(s, 0x6127n);
    tlb.writeCr3(true);
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x5567', 'ok 0x6567']);
  });

  it('with PGE = 0 the G bit means nothing: a CR3 write drops it [PG.TLB.GLOBAL, PG.TLB.CR3_WRITE]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5107n));
    doAccess(tlb, s, 'read');
    setPte(s, 0x6127n);
    tlb.writeCr3(false);
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x6567']);
  });

  it('toggling CR4.PGE drops global translations too [PG.TLB.PGE_TOGGLE]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5107n, CR4_PGE));
    doAccess(tlb, s, 'read');
    setPte(s, 0x6127n);
    tlb.togglePge();
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x6567']);
  });

  it('a fault is not cached: making the PTE present takes effect at once [PG.TLB.NOT_PRESENT_NOT_CACHED]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5006n));
    doAccess(tlb, s, 'read'); // faults, P = 0
    expect(tlb.cached).toEqual([]);
    setPte(s, 0x5007n);
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x5567']);
  });

  it('a translation cached clean (D = 0) cannot serve a write: only the fresh walk [PG.TLB.DIRTY_REWALK]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5007n));
    doAccess(tlb, s, 'read'); // caches with D = 0
    setPte(s, 0x6027n);
    expect(outcomes(tlb, s, 'write')).toEqual(['ok 0x6567']);
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x5567', 'ok 0x6567']);
  });

  it('a translation cached by a write (D = 1) may serve a later write [PG.TLB.DIRTY_REWALK, PG.TLB.MAY_CACHE]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5007n));
    doAccess(tlb, s, 'write'); // PTE becomes 0x5067
    setPte(s, 0x6067n);
    expect(outcomes(tlb, s, 'write')).toEqual(['ok 0x5567', 'ok 0x6567']);
  });

  it('a page fault on the address drops its cached translation [PG.TLB.FAULT_INVALIDATES]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5007n));
    doAccess(tlb, s, 'read');
    setPte(s, 0x5026n); // not present now
    // before any fault the stale translation may still answer
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x5567', 'pf 0x0']);
    doAccess(tlb, s, 'read'); // the walk faults, which invalidates the page
    expect(outcomes(tlb, s, 'read')).toEqual(['pf 0x0']);
  });

  it('granting U/S without INVLPG: a CPL 3 read may still fault with P|U = 0x5 [PG.TLB.SPURIOUS_FAULT]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5003n)); // supervisor page
    doAccess(tlb, s, 'read', 0);
    setPte(s, 0x5027n); // now a user page
    expect(outcomes(tlb, s, 'read', 3)).toEqual(['ok 0x5567', 'pf 0x5']);
  });

  it('granting R/W without INVLPG: a write through a dirty read-only entry may fault P|W = 0x3 [PG.TLB.SPURIOUS_FAULT]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5045n)); // read-only, already dirty
    doAccess(tlb, s, 'read', 0);
    setPte(s, 0x5067n);
    expect(outcomes(tlb, s, 'write', 0)).toEqual(['ok 0x5567', 'pf 0x3']);
  });

  it('a fetch may use a stale translation of an executable page (XD = 0, NXE = 1): 0x5567 as well as 0x6567 [PG.TLB.MAY_CACHE]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5007n));
    doAccess(tlb, s, 'read');
    setPte(s, 0x6027n);
    expect(outcomes(tlb, s, 'fetch')).toEqual(['ok 0x5567', 'ok 0x6567']);
  });

  it('clearing XD without INVLPG: a fetch may still fault P | I/D = 0x11 from the translation cached with XD = 1 [PG.TLB.SPURIOUS_FAULT]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x8000_0000_0000_5007n));
    doAccess(tlb, s, 'read');
    setPte(s, 0x5027n);
    expect(outcomes(tlb, s, 'fetch')).toEqual(['ok 0x5567', 'pf 0x11']);
  });

  it('filling the TLB for the next page keeps this page\'s stale translation [PG.TLB.MAY_CACHE]', () => {
    const tlb = new TlbModel();
    const s = stateOf({ ...base(0x5007n), memory: [...base(0x5007n).memory, [0x4028, 0x7007n]] });
    doAccess(tlb, s, 'read');
    const next = accessOf({ ...base(0n), access: { va: VA + 0x1000n, kind: 'read' } }); // PTE 0x4028
    tlb.record(next, performAccess(s, next));
    setPte(s, 0x6027n);
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x5567', 'ok 0x6567']);
  });

  it('a non-canonical address with the same low 48 bits is #GP, never answered from the TLB [PG.CANON.GP, PG.CANON.NO_WALK]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5007n));
    doAccess(tlb, s, 'read');
    const bad = accessOf({ ...base(0n), access: { va: VA | 0x0001_0000_0000_0000n, kind: 'read' } });
    expect(tlb.permitted(s, bad).map(answerOf)).toEqual(['gp']);
  });

  it('a #GP is not a page fault: it leaves the translation of the same low 48 bits cached [PG.TLB.FAULT_INVALIDATES, PG.CANON.NO_WALK]', () => {
    const tlb = new TlbModel();
    const s = stateOf(base(0x5007n));
    doAccess(tlb, s, 'read');
    setPte(s, 0x6027n);
    const bad = accessOf({ ...base(0n), access: { va: VA | 0x0001_0000_0000_0000n, kind: 'read' } });
    tlb.record(bad, walk(s, bad));
    expect(outcomes(tlb, s, 'read')).toEqual(['ok 0x5567', 'ok 0x6567']);
  });
});
