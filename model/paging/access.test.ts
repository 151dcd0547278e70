// performAccessUntraced (the model adapter's path): the same outcome as performAccess,
// with the A/D updates of a success written to memory and nothing written on a fault.
//
// Tables (SDM Vol. 3A §4.5.4): CR3 0x1000; PML4E 0x1000 = 0x2003, PDPTE 0x2000 = 0x3003,
// PDE 0x3010 = 0x4003, PTE 0x4018 given per case; VA 0x403000 maps page 0x5000.
import { describe, expect, it } from 'vitest';
import { performAccessUntraced } from './access.ts';
import { accessOf, dump, stateOf, type HandCase } from './handcomputed/support.ts';
import { OK, PF } from './walk-core.ts';

function writeCase(pte: bigint, expectOutcome: HandCase['expect']): HandCase {
  return {
    name: `write of 0x403000 through PTE ${pte.toString(16)}`, clauses: [], cr3: 0x1000n,
    memory: [[0x1000, 0x2003n], [0x2000, 0x3003n], [0x3010, 0x4003n], [0x4018, pte]],
    access: { va: 0x403000n, kind: 'write' }, expect: expectOutcome,
  };
}

describe('performAccessUntraced', () => {
  it('a write to a writable page sets A in every entry and D in the leaf (PG.AD.ACCESSED, PG.AD.DIRTY.LEAF_ONLY, SDM §4.8)', () => {
    const c = writeCase(0x5003n, { pa: 0x5000 });
    const state = stateOf(c);
    const out = performAccessUntraced(state, accessOf(c));
    expect([out.status, out.pa]).toEqual([OK, 0x5000]);
    expect(dump(state.memory)).toEqual(new Map([[0x1000, 0x2023n], [0x2000, 0x3023n], [0x3010, 0x4023n], [0x4018, 0x5063n]]));
  });

  it('a write to a read-only page faults (P | W/R, SDM §4.6.1, §4.7) and writes nothing', () => {
    const c = writeCase(0x5001n, { pf: 0x3 });
    const state = stateOf(c);
    const out = performAccessUntraced(state, accessOf(c));
    expect([out.status, out.errorCode]).toEqual([PF, 0x3]);
    expect(dump(state.memory)).toEqual(new Map(c.memory));
  });
});
