// The permitted set and the judge (docs/paging.md "Permitted outcomes"): each kind of
// wrong answer gets a diff at the right JSON path naming the clause it breaks, and a
// diff no single clause explains carries no clause at all.
//
// Tables (SDM Vol. 3A §4.5.4): CR3 0x1000; PML4E 0x1000 = 0x2003, PDPTE 0x2000 = 0x3003,
// PDE 0x3010 = 0x4003 (index 2 of VA 0x403000), PTE 0x4018 (index 3) given per case:
// VA 0x403000 maps page 0x5000. Upper entries are P|RW, supervisor.
import { describe, expect, it } from 'vitest';
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import { expectToJson, judgePaging, permittedOutcome, type ObservedOutcome, type PermittedOutcome } from './expectation.ts';
import { accessOf, stateOf, type HandCase } from './handcomputed/support.ts';
import type { PhysAddr } from './addr.ts';
import { PF_ID, PF_P, PF_PK, PF_RSVD, PF_US, PF_WR } from './types.ts';
import { fromBigInt, type U64 } from './u64.ts';

function designCase(pte: bigint, kind: 'read' | 'write', expectOutcome: HandCase['expect']): HandCase {
  return {
    name: `PTE ${pte.toString(16)}, ${kind} of 0x403000`,
    clauses: [],
    cr3: 0x1000n,
    memory: [[0x1000, 0x2003n], [0x2000, 0x3003n], [0x3010, 0x4003n], [0x4018, pte]],
    access: { va: 0x403000n, kind },
    expect: expectOutcome,
  };
}

/** The case's permitted outcome and its input memory list (in the case's order). */
function setUp(c: HandCase): { expect: PermittedOutcome; input: { pa: PhysAddr; value: U64 }[] } {
  const input = c.memory.map(([pa, v]) => ({ pa: pa as PhysAddr, value: fromBigInt(v) }));
  return { expect: permittedOutcome(stateOf(c), accessOf(c)).expect, input };
}

const q = (values: readonly bigint[]): U64[] => values.map(fromBigInt);

// Supervisor write to a read-only page with CR0.WP = 1: #PF, error code P | W/R = 0x3 (SDM §4.6.1, §4.7).
const WRITE_DENIED = designCase(0x5001n, 'write', { pf: 0x3 });
const UNCHANGED = q([0x2003n, 0x3003n, 0x4003n, 0x5001n]);

describe('permittedOutcome', () => {
  it('lists the qwords that may change in ascending address order, whatever order the walk reads them', () => {
    // Tables placed downwards: PML4 0x8000, PDPT 0x7000, PD 0x6000, PT 0x5000, page 0x1000.
    // A read sets A (bit 5) in every entry used (PG.AD.ACCESSED, SDM §4.8).
    const c: HandCase = {
      name: 'tables at descending addresses', clauses: ['PG.AD.ACCESSED'], cr3: 0x8000n,
      memory: [[0x8000, 0x7003n], [0x7000, 0x6003n], [0x6010, 0x5003n], [0x5018, 0x1003n]],
      access: { va: 0x403000n, kind: 'read' }, expect: { pa: 0x1000 },
    };
    expect(expectToJson(setUp(c).expect)).toEqual({
      outcome: 'ok', pa: '0x1000',
      memory: [
        { pa: '0x5018', oneOf: ['0x1023'] }, { pa: '0x6010', oneOf: ['0x5023'] },
        { pa: '0x7000', oneOf: ['0x6023'] }, { pa: '0x8000', oneOf: ['0x7023'] },
      ],
    });
  });
});

describe('judgePaging: the fault itself', () => {
  const { expect: fault, input } = setUp(WRITE_DENIED);
  const observe = (over: Partial<Extract<ObservedOutcome, { outcome: 'fault' }>>): ObservedOutcome =>
    ({ outcome: 'fault', vector: 14, errorCode: 0x3, cr2: fromBigInt(0x403000n), memory: UNCHANGED, ...over });

  it('accepts the exact fault', () => {
    expect(judgePaging(input, fault, observe({}))).toEqual([]);
  });

  // Each error-code bit has its own clause (SDM §4.7); a single wrong bit is one diff naming it.
  const bits: [number, PagingClauseId][] = [
    [PF_P, 'PG.PF.EC.P'], [PF_WR, 'PG.PF.EC.WR'], [PF_US, 'PG.PF.EC.US'],
    [PF_RSVD, 'PG.PF.EC.RSVD'], [PF_ID, 'PG.PF.EC.ID'], [PF_PK, 'PG.PF.EC.PK'],
  ];
  for (const [bit, clause] of bits) {
    it(`an error code with bit ${bit.toString(16)} flipped breaks ${clause}`, () => {
      const ec = 0x3 ^ bit;
      expect(judgePaging(input, fault, observe({ errorCode: ec }))).toStrictEqual([
        { path: '$.errorCode', expected: '0x3', observed: `0x${ec.toString(16)}`, clause },
      ]);
    });
  }

  it('a #PF without an error code is reported at $.errorCode [PG.PF.VECTOR]', () => {
    const { errorCode: _, ...noCode } = observe({}) as Extract<ObservedOutcome, { outcome: 'fault' }>;
    expect(judgePaging(input, fault, noCode)).toStrictEqual([
      { path: '$.errorCode', expected: '0x3', observed: null, clause: 'PG.PF.VECTOR' },
    ]);
  });

  it('a wrong CR2 is reported with the value observed [PG.PF.CR2]', () => {
    expect(judgePaging(input, fault, observe({ cr2: fromBigInt(0x403008n) }))).toStrictEqual([
      { path: '$.cr2', expected: '0x403000', observed: '0x403008', clause: 'PG.PF.CR2' },
    ]);
  });

  // PG.AD.FAULT_LEAF_UNCHANGED (SDM §4.8): a fault may set A above the faulting entry, never D.
  it('D set in an upper entry on a fault breaks PG.AD.FAULT_LEAF_UNCHANGED', () => {
    const memory = q([0x2063n, 0x3003n, 0x4003n, 0x5001n]);
    expect(judgePaging(input, fault, observe({ memory }))).toStrictEqual([
      { path: '$.memory[0]', expected: ['0x2003', '0x2023'], observed: '0x2063', clause: 'PG.AD.FAULT_LEAF_UNCHANGED' },
    ]);
  });
});

describe('judgePaging: a translation', () => {
  // Read of a present page (PTE 0x5001): ok at 0x5000, A set in all four entries (SDM §4.8).
  const { expect: ok, input } = setUp(designCase(0x5001n, 'read', { pa: 0x5000 }));
  const after = q([0x2023n, 0x3023n, 0x4023n, 0x5021n]);

  it('a fault where a translation was due is one diff with no clause', () => {
    expect(judgePaging(input, ok, { outcome: 'fault', vector: 14, errorCode: 0, cr2: fromBigInt(0x403000n), memory: after })).toStrictEqual([
      { path: '$.outcome', expected: 'ok', observed: 'fault' },
    ]);
  });

  // A and D are bits 6:5; a change in the high half is no A/D rule, so no clause is named.
  it('a qword changed outside A and D (bit 32) is a diff with no clause', () => {
    const memory = [...after.slice(0, 3), fromBigInt(0x1_0000_5021n)];
    expect(judgePaging(input, ok, { outcome: 'ok', pa: 0x5000 as PhysAddr, memory })).toStrictEqual([
      { path: '$.memory[3]', expected: ['0x5021'], observed: '0x100005021' },
    ]);
  });

  it('a write that leaves D clear in a leaf whose A was already set breaks PG.AD.DIRTY.WRITE_ONLY, not PG.AD.STICKY', () => {
    // PTE 0x5023 = P | RW | A: the write must end with 0x5063 (D, bit 6, set in the leaf).
    const { expect: w, input: wInput } = setUp(designCase(0x5023n, 'write', { pa: 0x5000 }));
    const memory = q([0x2023n, 0x3023n, 0x4023n, 0x5023n]);
    expect(judgePaging(wInput, w, { outcome: 'ok', pa: 0x5000 as PhysAddr, memory })).toStrictEqual([
      { path: '$.memory[3]', expected: ['0x5063'], observed: '0x5023', clause: 'PG.AD.DIRTY.WRITE_ONLY' },
    ]);
  });
});
