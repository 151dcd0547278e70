// The fast MMU (mmu.ts) as a processor with a TLB: hand-worked accesses checking what it
// caches, what INVLPG and faults drop, and that a write through a clean translation sets D.
// Its promise (PG.TLB.MAY_CACHE): it answers from its TLB until INVLPG or a flush, so after
// a table change without invalidation it gives the stale answer; after INVLPG only a walk.
//
// VA H = 0x80_8060_4567 (bits 47:32 = 0x80) uses PML4E 0x1008, PDPTE 0x2010, PDE 0x3018 and
// PTE 0x4020. The upper-half U = 0xffff_8080_8060_4567 differs only in its PML4 index (257:
// PML4E 0x1808). Upper entries are supervisor P | R/W | A (0x23); NXE = 1, CR0.WP = 1, CPL 0.
import { describe, expect, it } from 'vitest';
import { physAddr, virtAddr } from './addr.ts';
import { Mmu } from './mmu.ts';
import { fromBigInt, toHex } from './u64.ts';
import type { PagingState } from './types.ts';
import { CR0_NO_WP, stateOf, type HandCase } from './handcomputed/support.ts';

const H = 0x80_8060_4567n;
const U = 0xffff_8080_8060_4567n;

function tables(pde: bigint, pte = 0n): PagingState {
  const c: HandCase = {
    name: 'mmu', clauses: [], cr3: 0x1000n,
    memory: [[0x1008, 0x2023n], [0x1808, 0x2023n], [0x2010, 0x3023n], [0x3018, pde], [0x4020, pte]],
    access: { va: H, kind: 'read' }, expect: { pa: 0 },
  };
  return stateOf(c);
}

const va = (v: bigint) => virtAddr(fromBigInt(v));
const set = (state: PagingState, pa: number, value: bigint) => state.memory.write64(physAddr(pa), fromBigInt(value));
const qword = (state: PagingState, pa: number) => toHex(state.memory.read64(physAddr(pa)));

/** What an access answered: 'ok 0x...' or 'fault <vector> 0x<error code>'. */
function answer(mmu: Mmu, pa: number): string {
  return pa >= 0 ? `ok 0x${pa.toString(16)}` : `fault ${mmu.faultVector} 0x${mmu.faultErrorCode.toString(16)}`;
}

describe('Mmu: caching and INVLPG of 4-KiB pages [PG.TLB.MAY_CACHE, PG.TLB.INVLPG]', () => {
  it('a page with bits 47:32 set is cached (a stale answer after a remap) until INVLPG of that page', () => {
    const state = tables(0x4023n, 0x5023n);
    const mmu = new Mmu(state);
    expect(mmu.access(va(H), 'read')).toBe(0x5567);
    set(state, 0x4020, 0x6023n); // remap without invalidating
    expect(mmu.access(va(H), 'read')).toBe(0x5567);
    mmu.invlpg(va(H & ~0xfffn));
    expect(mmu.access(va(H), 'read')).toBe(0x6567);
  });

  it('an upper-half page is served from the TLB like a lower-half one', () => {
    const state = tables(0x4023n, 0x5023n);
    const mmu = new Mmu(state);
    expect(mmu.access(va(U), 'read')).toBe(0x5567);
    set(state, 0x4020, 0x6023n);
    expect(mmu.access(va(U), 'read')).toBe(0x5567);
    expect([mmu.misses, mmu.hits]).toEqual([1, 1]);
  });

  it('after INVLPG the rights come from the fresh walk only: a write to a page made read-only faults P | W = 0x3 [PG.PERM.WP.SUPERVISOR_WRITE]', () => {
    const state = tables(0x4023n, 0x5063n); // writable, A and D set: no memory changes below
    const mmu = new Mmu(state);
    expect(mmu.access(va(H), 'write')).toBe(0x5567);
    expect(mmu.access(va(H), 'read')).toBe(0x5567);
    set(state, 0x4020, 0x5061n); // same frame, R/W = 0
    mmu.invlpg(va(H));
    expect(mmu.access(va(H), 'read')).toBe(0x5567);
    expect(answer(mmu, mmu.access(va(H), 'write'))).toBe('fault 14 0x3');
  });

  it('rights shown for one frame never carry over to another: a write after the page moved to a read-only frame is 0x5567 (stale) or #PF 0x3, never 0x6567', () => {
    const state = tables(0x4023n, 0x5063n);
    const mmu = new Mmu(state);
    expect(mmu.access(va(H), 'write')).toBe(0x5567);
    expect(mmu.access(va(H), 'read')).toBe(0x5567);
    set(state, 0x4020, 0x6061n); // frame 0x6000, R/W = 0, no INVLPG
    // The cached translation (0x5567) or a fresh walk (0x6567) may answer (SDM §4.10.2).
    expect(['ok 0x5567', 'ok 0x6567']).toContain(answer(mmu, mmu.access(va(H), 'fetch')));
    // Permitted: the old writable translation (0x5567), or a walk / a read-only
    // translation of the new frame, both of which fault P | W (SDM §4.6.1, §4.10.2).
    expect(['ok 0x5567', 'fault 14 0x3']).toContain(answer(mmu, mmu.access(va(H), 'write')));
  });
});

describe('Mmu: a write through a clean translation sets D [PG.TLB.DIRTY_REWALK, PG.AD.DIRTY.WRITE_ONLY]', () => {
  it('a read caches the clean PTE; the next write walks again and sets D', () => {
    const state = tables(0x4023n, 0x5023n);
    const mmu = new Mmu(state);
    expect(mmu.access(va(H), 'read')).toBe(0x5567);
    expect(qword(state, 0x4020)).toBe('0x5023'); // a read sets no D
    const misses = mmu.misses;
    expect(mmu.access(va(H), 'write')).toBe(0x5567);
    expect(mmu.misses).toBe(misses + 1); // the cached entry had D = 0: it may not serve the write
    expect(qword(state, 0x4020)).toBe('0x5063');
    expect(mmu.access(va(H), 'write')).toBe(0x5567);
    expect(mmu.misses).toBe(misses + 1); // now cached with D = 1
  });
});

describe('Mmu: INVLPG and a 2-MiB page [PG.TLB.INVLPG]', () => {
  // PDE 0x3018 maps the 2-MiB page 0x80_8060_0000..0x80_807f_ffff at 0x20_0000 (P|R/W|A|PS
  // = 0xa3). P = 0x80_8070_0000 lies in its middle (PA 0x30_0000). The PDE is then pointed
  // at 0x40_0000 (P would be PA 0x50_0000) without invalidating, and INVLPG is given an
  // address: one inside the 2-MiB page drops the cached piece, one outside keeps it.
  const P = 0x80_8070_0000n;
  const cases: readonly (readonly [string, bigint, number])[] = [
    ['the byte before the page keeps it', 0x80_805f_ffffn, 0x30_0000],
    ['the first byte of the page drops it', 0x80_8060_0000n, 0x50_0000],
    ['the last byte of the page drops it', 0x80_807f_ffffn, 0x50_0000],
    ['the byte past the page keeps it', 0x80_8080_0000n, 0x30_0000],
  ];
  for (const [name, target, pa] of cases) {
    it(`INVLPG of ${name}`, () => {
      const state = tables(0x20_00a3n);
      const mmu = new Mmu(state);
      expect(mmu.access(va(P), 'read')).toBe(0x30_0000);
      set(state, 0x3018, 0x40_00a3n);
      mmu.invlpg(va(target));
      expect(mmu.access(va(P), 'read')).toBe(pa);
    });
  }
});

describe('Mmu: a translation filled by a read keeps the page rights for other kinds [PG.TLB.MAY_CACHE]', () => {
  // The tables do not change, so a cached answer must equal the fresh walk's (SDM §4.10.2).
  it('a fetch after a read of an XD page (NXE = 1) faults P | I/D = 0x11 [PG.PERM.SUP.FETCH_XD]', () => {
    const state = tables(0x4023n, 0x8000_0000_0000_5023n);
    const mmu = new Mmu(state);
    expect(answer(mmu, mmu.access(va(H), 'read'))).toBe('ok 0x5567');
    expect(answer(mmu, mmu.access(va(H), 'fetch'))).toBe('fault 14 0x11');
  });

  it('a CPL 3 write after a read of a dirty page whose key 1 has WD = 1 faults P | W | U/S | PK = 0x27 [PG.PK.WD.USER]', () => {
    // CR4 = PAE | PKE (bit 22); PKRU bit 3 is WD for key 1; the PTE carries key 1 in bits 62:59.
    const c: HandCase = {
      name: 'mmu-pk', clauses: [], cr3: 0x1000n, cr4: 0x40_0020n, pkru: 0x8, cpl: 3,
      memory: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x0800_0000_0000_5067n]],
      access: { va: H, kind: 'read' }, expect: { pa: 0 },
    };
    const mmu = new Mmu(stateOf(c));
    expect(answer(mmu, mmu.access(va(H), 'read'))).toBe('ok 0x5567');
    expect(answer(mmu, mmu.access(va(H), 'write'))).toBe('fault 14 0x27');
  });
});

describe('Mmu: rights cached at CPL 3 are user-mode rights, with CR0.WP = 0 [PG.MODE.USER_ACCESS]', () => {
  // With WP = 0 a supervisor write ignores R/W and WD (SDM §4.6.1, §4.6.2); a CPL 3 write
  // does not, so a read-filled entry must not let the user write through.
  function userCase(pte: bigint, pkru: number): PagingState {
    return stateOf({
      name: 'mmu-user', clauses: [], cr3: 0x1000n, cr0: CR0_NO_WP, cr4: 0x40_0020n, pkru, cpl: 3,
      memory: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, pte]],
      access: { va: H, kind: 'read' }, expect: { pa: 0 },
    });
  }

  it('a write to a read-only user page faults P | W | U/S = 0x7 [PG.PERM.USER.WRITE_READONLY]', () => {
    const mmu = new Mmu(userCase(0x5065n, 0)); // P | U/S | A | D, R/W = 0, key 0
    expect(answer(mmu, mmu.access(va(H), 'read'))).toBe('ok 0x5567');
    expect(answer(mmu, mmu.access(va(H), 'write'))).toBe('fault 14 0x7');
  });

  it('a write to a writable user page whose key 1 has WD = 1 faults 0x27 [PG.PK.WD.USER]', () => {
    const mmu = new Mmu(userCase(0x0800_0000_0000_5067n, 0x8));
    expect(answer(mmu, mmu.access(va(H), 'read'))).toBe('ok 0x5567');
    expect(answer(mmu, mmu.access(va(H), 'write'))).toBe('fault 14 0x27');
  });
});
