// Which addresses a cached upper-level entry serves (SDM Vol. 3A §4.10.3): a PML4E serves
// the 512 GiB its PML4 slot maps, a PDPTE 1 GiB, a PDE 2 MiB. A walk may begin below a
// cached entry only for an address inside that region (§4.10.3.3), and a page fault drops
// exactly the entries that would be used for the faulting address (§4.10.4.1).
//
// Tables: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. Every entry of each table points
// at the next table (value next | P | R/W = 0x3, A = 0, U/S = 0), and every PTE maps frame
// 0x5000, so every lower-half address translates. H = 0x80_8060_4567 uses PML4E 1, PDPTE 2,
// PDE 3; its entries' regions are
//   PML4E [0x80_0000_0000, 0x100_0000_0000)   PDPTE [0x80_8000_0000, 0x80_c000_0000)
//   PDE   [0x80_8060_0000, 0x80_8080_0000)
// H is recorded from `walk`, which writes nothing, so every A bit stays 0: a walk from CR3
// sets 4 A bits, one below the PML4E 3, below the PDPTE 2, below the PDE 1. The walks from
// different starts therefore leave different memory and all stay distinct outcomes.
import { describe, expect, it } from 'vitest';
import { TlbModel } from '../tlb.ts';
import type { Access, PagingState } from '../types.ts';
import { walk } from '../walk.ts';
import { stateOf, type HandCase } from './support.ts';
import { accessAt, walkStarts, type WalkStartName } from './tlb-support.ts';

const H = 0x80_8060_4567n;

function tables(): PagingState {
  const memory: [number, bigint][] = [];
  for (let i = 0; i < 512; i++) {
    memory.push([0x1000 + 8 * i, 0x2003n], [0x2000 + 8 * i, 0x3003n], [0x3000 + 8 * i, 0x4003n], [0x4000 + 8 * i, 0x5003n]);
  }
  const c: HandCase = { name: 'regions', clauses: [], cr3: 0x1000n, memory, access: { va: H, kind: 'read' }, expect: { pa: 0x5567 } };
  return stateOf(c);
}

const read = (va: bigint): Access => accessAt(va, 'read');

/** A TLB model that has cached H's PML4E, PDPTE and PDE. */
function cachedH(state: PagingState): TlbModel {
  const tlb = new TlbModel();
  tlb.record(read(H), walk(state, read(H)));
  return tlb;
}

const ALL: readonly WalkStartName[] = ['PDE', 'PDPTE', 'PML4E'];

/** For each address: the cached entries of H whose region holds it. */
const BOUNDARIES: readonly (readonly [string, bigint, readonly WalkStartName[]])[] = [
  ['byte before the PDE region', 0x80_805f_ffffn, ['PDPTE', 'PML4E']],
  ['first byte of the PDE region', 0x80_8060_0000n, ALL],
  ['last byte of the PDE region', 0x80_807f_ffffn, ALL],
  ['byte past the PDE region', 0x80_8080_0000n, ['PDPTE', 'PML4E']],
  ['byte before the PDPTE region', 0x80_7fff_ffffn, ['PML4E']],
  ['first byte of the PDPTE region', 0x80_8000_0000n, ['PDPTE', 'PML4E']],
  ['last byte of the PDPTE region', 0x80_bfff_ffffn, ['PDPTE', 'PML4E']],
  ['byte past the PDPTE region', 0x80_c000_0000n, ['PML4E']],
  ['byte before the PML4E region', 0x7f_ffff_ffffn, []],
  ['first byte of the PML4E region', 0x80_0000_0000n, ['PML4E']],
  ['last byte of the PML4E region', 0xff_ffff_ffffn, ['PML4E']],
  ['byte past the PML4E region', 0x100_0000_0000n, []],
];

describe('hand-computed paging-structure-cache regions (SDM Vol. 3A §4.10.3, §4.10.4.1)', () => {
  it('recording a walk caches each upper entry once, with its region, table and combined rights [PG.TLB.STRUCTURE_CACHE]', () => {
    const state = tables();
    const tlb = cachedH(state);
    tlb.record(read(H), walk(state, read(H))); // the same walk again replaces, never duplicates
    const rights = { writable: true, user: false, xd: false };
    expect(tlb.cachedStructures).toEqual([
      { level: 4, regionBase: 0x80_0000_0000, regionSize: 2 ** 39, table: 0x2000, ...rights },
      { level: 3, regionBase: 0x80_8000_0000, regionSize: 2 ** 30, table: 0x3000, ...rights },
      { level: 2, regionBase: 0x80_8060_0000, regionSize: 2 ** 21, table: 0x4000, ...rights },
    ]);
  });

  for (const [name, va, covering] of BOUNDARIES) {
    it(`a walk may begin below exactly the cached entries whose region holds the ${name} [PG.TLB.STRUCTURE_CACHE]`, () => {
      const state = tables();
      const tlb = cachedH(state);
      expect(walkStarts(tlb.permitted(state, read(va))).sort()).toEqual(['CR3', ...covering].sort());
    });

    it(`a page fault at the ${name} drops exactly the cached entries whose region holds it [PG.TLB.FAULT_INVALIDATES]`, () => {
      const state = tables();
      const tlb = cachedH(state);
      // A CPL 3 read of these supervisor-only tables faults with P | U/S (SDM §4.6.1).
      const user: PagingState = { ...state, regs: { ...state.regs, cpl: 3 } };
      const fault = walk(user, read(va));
      expect(fault).toMatchObject({ outcome: 'fault', vector: 14, errorCode: 0x5 });
      tlb.record(read(va), fault);
      const kept = ALL.filter((e) => !covering.includes(e));
      expect(walkStarts(tlb.permitted(state, read(H))).sort()).toEqual(['CR3', ...kept].sort());
    });
  }

  it('caching the PDE of the next 2-MiB region keeps this region\'s PDE [PG.TLB.STRUCTURE_CACHE]', () => {
    const state = tables();
    const tlb = cachedH(state);
    const next = 0x80_8080_4567n; // PDE 4 of the same PD
    tlb.record(read(next), walk(state, read(next)));
    expect(tlb.cachedStructures.filter((e) => e.level === 2).map((e) => e.regionBase).sort()).toEqual([0x80_8060_0000, 0x80_8080_0000]);
    expect(walkStarts(tlb.permitted(state, read(H))).sort()).toEqual(['CR3', ...ALL].sort());
  });
});
