// The allocation-free walk (walk-core.ts) on its own: the scratch record of a #GP, a walk
// that starts at a cached upper entry, and the per-level frame memo, which must never
// hide a change to memory or a read outside a dump.
//
// Tables (SDM Vol. 3A §4.5.4): CR3 0x1000; PML4E 0x1000 = 0x2003, PDPTE 0x2000 = 0x3003,
// PDE 0x3010 = 0x4003, PTE 0x4018 = 0x5003, all P|RW supervisor: VA 0x403000 → 0x5000.
import { describe, expect, it } from 'vitest';
import { DumpMemory } from './dump-memory.ts';
import { accessOf, stateOf, type HandCase } from './handcomputed/support.ts';
import type { PhysAddr } from './addr.ts';
import { modeOf } from './mode.ts';
import { u64 } from './u64.ts';
import { walk } from './walk.ts';
import { GP, OK, PF, walkCore, walkFrom, WalkScratch } from './walk-core.ts';

const TABLES: HandCase = {
  name: 'four tables mapping 0x403000 to 0x5000', clauses: ['PG.WALK.PAGE_4K'], cr3: 0x1000n,
  memory: [[0x1000, 0x2003n], [0x2000, 0x3003n], [0x3010, 0x4003n], [0x4018, 0x5003n]],
  access: { va: 0x403000n, kind: 'read' }, expect: { pa: 0x5000 },
};

describe('walkCore record', () => {
  it('a non-canonical address ends with #GP(0) and the rule PG.CANON.GP, reading nothing', () => {
    const state = stateOf(TABLES);
    const out = new WalkScratch();
    // 0x0000_8000_0000_0000: bit 47 set, bits 63:48 clear (SDM Vol. 1 §3.3.7.1).
    walkCore(state.memory, modeOf(state.cpu, state.regs), 0x8000, 0, 'read', false, out);
    expect([out.status, out.errorCode, out.cause, out.steps]).toEqual([GP, 0, 'PG.CANON.GP', 0]);
  });
});

describe('walkFrom a cached upper entry (PG.TLB.MAY_CACHE, SDM §4.10.3)', () => {
  // Starting at the page table with XD inherited from a cached entry above: with
  // EFER.NXE = 1, XD in any entry used makes the page non-executable (SDM §4.6.1), so a
  // fetch faults with P | I/D = 0x11 (SDM §4.7) while a read still translates.
  const state = stateOf(TABLES);
  const mode = modeOf(state.cpu, state.regs);
  const start = { level: 1, tableHi: 0, tableLo: 0x4000, writable: true, user: false, xd: true } as const;

  it('a fetch faults on the XD of the cached entry', () => {
    const out = new WalkScratch();
    walkFrom(state.memory, mode, 0, 0x403000, 'fetch', false, out, start);
    expect([out.status, out.errorCode, out.steps]).toEqual([PF, 0x11, 1]);
  });
  it('a read through the same cached entry translates', () => {
    const out = new WalkScratch();
    walkFrom(state.memory, mode, 0, 0x403000, 'read', false, out, start);
    expect([out.status, out.pa, out.steps]).toEqual([OK, 0x5000, 1]);
  });
});

describe('the walk sees every change to memory between walks', () => {
  it('a page table zeroed since the last walk is not present, even after other frames were created', () => {
    const state = stateOf(TABLES);
    const access = accessOf(TABLES);
    expect(walk(state, access)).toMatchObject({ outcome: 'ok', pa: 0x5000 });
    state.memory.zeroFrame(0x4000 as PhysAddr);
    state.memory.write64(0x8000 as PhysAddr, u64(0, 1));
    // The PTE now reads 0: #PF, error code 0 (not present, read, supervisor; SDM §4.7).
    expect(walk(state, access)).toMatchObject({ outcome: 'fault', vector: 14, errorCode: 0, cause: 'PG.WALK.PTE.NOT_PRESENT' });
  });

  it('each walk that needs a frame outside a dump records the read, even when an earlier walk needed it too', () => {
    // A dump of 0x1000..0x2fff holds the PML4 and PDPT; the page directory at 0x3000 is not in it.
    const bytes = new Uint8Array(0x2000);
    const view = new DataView(bytes.buffer);
    view.setUint32(0x0, 0x2003, true);
    view.setUint32(0x1000, 0x3003, true);
    const memory = new DumpMemory(bytes, 0x1000);
    const state = { ...stateOf(TABLES), memory };
    for (const va of [0x0n, 0x1000n]) {
      const r = walk(state, accessOf({ ...TABLES, access: { va, kind: 'read' } }));
      expect(r).toMatchObject({ outcome: 'fault', cause: 'PG.WALK.PDE.NOT_PRESENT' });
    }
    expect(memory.outsideReads).toEqual([0x3000, 0x3000]);
  });
});
