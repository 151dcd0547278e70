// Two walks for one access are different outcomes when they answer differently or leave
// different memory (SDM Vol. 3A §4.10.3.3 with §4.8): a walk that begins at a stale cached
// PDE reads another PTE than the fresh walk, and may translate to another address, fault
// with another error code, or set the A bit of another entry. The TLB model must keep
// each such outcome; only walks that answer the same and write the same may merge.
//
// VA1 = 0x80_8060_4567 and VA2 = 0x80_8060_5567 share PML4E 0x1008, PDPTE 0x2010 and PDE
// 0x3018 (page table 0x4000: PTEs 0x4020 and 0x4028). A read of VA1 caches the PDE; software
// then points the PDE at page table 0x6000 (VA2's PTE there: 0x6028) without invalidating.
// The upper entries have A = 1, so only a PTE's A bit can change; the walks below the cached
// PML4E and PDPTE read the new PDE and merge with the fresh walk.
import { describe, expect, it } from 'vitest';
import { physAddr } from '../addr.ts';
import { performAccess } from '../access.ts';
import { TlbModel } from '../tlb.ts';
import { fromBigInt } from '../u64.ts';
import type { AccessKind } from '../types.ts';
import { accessOf, stateOf, type HandCase } from './support.ts';
import { answerOf, updatedEntries, walkStarts } from './tlb-support.ts';

interface Case {
  readonly name: string;
  /** VA2's PTE in the old table (0x4028) and in the new one (0x6028). */
  readonly oldPte: bigint;
  readonly newPte: bigint;
  readonly kind: AccessKind;
  /** [start, answer, entries whose A/D bits the walk sets] for the fresh walk, then the stale one. */
  readonly expect: readonly (readonly [string, string, readonly string[]])[];
}

const CASES: readonly Case[] = [
  {
    name: 'different addresses, no memory written: 0x8567 and 0x9567',
    oldPte: 0x9027n, newPte: 0x8027n, kind: 'read',
    expect: [['CR3', 'ok 0x8567', []], ['PDE', 'ok 0x9567', []]],
  },
  {
    // Fresh: PTE 0x6028 not present, a write: W = 0x2. Stale: PTE 0x9025 is read-only and
    // CR0.WP = 1, so the CPL 0 write faults P | W = 0x3 (SDM §4.6.1).
    name: 'different error codes, no memory written: 0x2 and 0x3',
    oldPte: 0x9025n, newPte: 0n, kind: 'write',
    expect: [['CR3', 'pf 0x2', []], ['PDE', 'pf 0x3', []]],
  },
  {
    name: 'the same address 0x9567 but the A bit of another PTE: 0x6028 and 0x4028',
    oldPte: 0x9007n, newPte: 0x9007n, kind: 'read',
    expect: [['CR3', 'ok 0x9567', ['0x6028']], ['PDE', 'ok 0x9567', ['0x4028']]],
  },
];

describe('hand-computed distinct walks from a stale cached PDE (SDM Vol. 3A §4.10.3.3)', () => {
  for (const c of CASES) {
    it(`${c.name} are both permitted [PG.TLB.STRUCTURE_CACHE]`, () => {
      const h: HandCase = {
        name: c.name, clauses: [], cr3: 0x1000n,
        memory: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5027n], [0x4028, c.oldPte], [0x6028, c.newPte]],
        access: { va: 0x80_8060_4567n, kind: 'read' }, expect: { pa: 0x5567 },
      };
      const state = stateOf(h);
      const tlb = new TlbModel();
      const va1 = accessOf(h);
      tlb.record(va1, performAccess(state, va1));
      state.memory.write64(physAddr(0x3018), fromBigInt(0x6027n));
      const permitted = tlb.permitted(state, accessOf({ ...h, access: { va: 0x80_8060_5567n, kind: c.kind } }));
      const starts = walkStarts(permitted);
      expect(permitted.map((p, i) => [starts[i], answerOf(p), updatedEntries(p)])).toEqual(c.expect);
    });
  }
});
