// Hand-computed state checks (SDM Vol. 3A §2.5, §4.1, Table 4-12): which register
// states a processor can be in and which the model walks.
//   CR0: PE bit 0, WP bit 16, PG bit 31.   CR4: PAE bit 5 (0x20), LA57 bit 12 (0x1000),
//   SMEP bit 20 (0x10_0000), SMAP bit 21 (0x20_0000), PKE bit 22 (0x40_0000).
//   EFER: LME bit 8 (0x100), LMA bit 10 (0x400), NXE bit 11 (0x800).
import { describe, expect, it } from 'vitest';
import type { PagingClauseId } from '../../../spec/clauses/paging.ts';
import { validateState } from '../state.ts';
import { fromBigInt } from '../u64.ts';
import { FEATURES, type Feature } from '../types.ts';

interface StateCase {
  readonly name: string;
  readonly clauses: readonly PagingClauseId[];
  readonly maxphyaddr?: number;
  readonly features?: readonly Feature[];
  readonly cr0?: bigint;
  readonly cr3?: bigint;
  readonly cr4?: bigint;
  readonly efer?: bigint;
  /** The problems expected, as [path, clause, unsupported]; [] for a state the model walks. */
  readonly problems: readonly (readonly [string, PagingClauseId | undefined, boolean])[];
}

const cases: StateCase[] = [
  {
    name: 'CR0 0x80010033, CR4 0x20, EFER 0xd00, CR3 0x1000 is a valid 4-level state',
    clauses: ['PG.MODE.FOUR_LEVEL'],
    problems: [],
  },
  {
    name: 'CR4.PAE = 0 (CR4 = 0) is not 4-level paging',
    clauses: ['PG.MODE.FOUR_LEVEL'],
    cr4: 0x0n,
    problems: [['regs.cr4', 'PG.MODE.FOUR_LEVEL', true]],
  },
  {
    name: 'CR4.LA57 = 1 (CR4 = 0x1020) selects 5-level paging',
    clauses: ['PG.MODE.FOUR_LEVEL'],
    cr4: 0x1020n,
    problems: [['regs.cr4', 'PG.MODE.FOUR_LEVEL', true]],
  },
  {
    name: 'CR0.PG = 0 (CR0 = 0x10033): paging off',
    clauses: ['PG.MODE.FOUR_LEVEL'],
    cr0: 0x1_0033n,
    problems: [['regs.cr0', 'PG.MODE.FOUR_LEVEL', true]],
  },
  {
    name: 'EFER.LME = 0 (EFER = 0x800): not IA-32e paging',
    clauses: ['PG.MODE.FOUR_LEVEL'],
    efer: 0x800n,
    problems: [['regs.efer', 'PG.MODE.FOUR_LEVEL', true]],
  },
  {
    name: 'CR4.SMEP on a CPU without SMEP cannot be loaded',
    clauses: ['PG.STATE.FEATURE_BITS'],
    features: ['nx', 'smap', 'pku', 'pdpe1gb'],
    cr4: 0x10_0020n,
    problems: [['regs.cr4', 'PG.STATE.FEATURE_BITS', false]],
  },
  {
    name: 'CR4.SMAP on a CPU without SMAP cannot be loaded',
    clauses: ['PG.STATE.FEATURE_BITS'],
    features: ['nx', 'smep', 'pku', 'pdpe1gb'],
    cr4: 0x20_0020n,
    problems: [['regs.cr4', 'PG.STATE.FEATURE_BITS', false]],
  },
  {
    name: 'CR4.PKE on a CPU without PKU cannot be loaded',
    clauses: ['PG.STATE.FEATURE_BITS'],
    features: ['nx', 'smep', 'smap', 'pdpe1gb'],
    cr4: 0x40_0020n,
    problems: [['regs.cr4', 'PG.STATE.FEATURE_BITS', false]],
  },
  {
    name: 'EFER.NXE on a CPU without NX cannot be loaded',
    clauses: ['PG.STATE.FEATURE_BITS'],
    features: ['smep', 'smap', 'pku', 'pdpe1gb'],
    problems: [['regs.efer', 'PG.STATE.FEATURE_BITS', false]],
  },
  {
    name: 'every feature bit set on a CPU with every feature is fine (CR4 0x70_0020)',
    clauses: ['PG.STATE.FEATURE_BITS'],
    cr4: 0x70_0020n,
    problems: [],
  },
  {
    name: 'MAXPHYADDR 53 does not exist',
    clauses: ['PG.STATE.MAXPHYADDR'],
    maxphyaddr: 53,
    problems: [['cpu.maxphyaddr', 'PG.STATE.MAXPHYADDR', false]],
  },
  {
    name: 'MAXPHYADDR 52 exists',
    clauses: ['PG.STATE.MAXPHYADDR'],
    maxphyaddr: 52,
    problems: [],
  },
  {
    name: 'MAXPHYADDR 40: CR3 0xff_ffff_f000 (bits 39:12) is fine',
    clauses: ['PG.CR3.RESERVED'],
    maxphyaddr: 40,
    cr3: 0xff_ffff_f000n,
    problems: [],
  },
  {
    name: 'MAXPHYADDR 40: CR3 with bit 40 (0x100_0000_0000) cannot be loaded',
    clauses: ['PG.CR3.RESERVED'],
    maxphyaddr: 40,
    cr3: 0x100_0000_1000n,
    problems: [['regs.cr3', 'PG.CR3.RESERVED', false]],
  },
  {
    name: 'MAXPHYADDR 52: CR3 bit 52 is still reserved',
    clauses: ['PG.CR3.RESERVED'],
    maxphyaddr: 52,
    cr3: 0x10_0000_0000_1000n,
    problems: [['regs.cr3', 'PG.CR3.RESERVED', false]],
  },
  {
    name: 'CR3 bit 63 is reserved',
    clauses: ['PG.CR3.RESERVED'],
    cr3: 0x8000_0000_0000_1000n,
    problems: [['regs.cr3', 'PG.CR3.RESERVED', false]],
  },
];

describe('hand-computed state validation (SDM Vol. 3A §2.5, §4.1)', () => {
  for (const c of cases) {
    it(`${c.name} [${c.clauses.join(', ')}]`, () => {
      const problems = validateState(
        { maxPhyAddr: c.maxphyaddr ?? 46, features: new Set(c.features ?? FEATURES) },
        {
          cr0: fromBigInt(c.cr0 ?? 0x8001_0033n), cr3: fromBigInt(c.cr3 ?? 0x1000n), cr4: fromBigInt(c.cr4 ?? 0x20n),
          efer: fromBigInt(c.efer ?? 0xd00n), rflags: fromBigInt(0x2n), pkru: 0, cpl: 0,
        },
      );
      expect(problems.map((p) => [p.path, p.clause, p.unsupported])).toEqual(c.problems);
      for (const p of problems) expect(p.message.length).toBeGreaterThan(10);
    });
  }
  it('MAXPHYADDR 31 does not exist either [PG.STATE.MAXPHYADDR]', () => {
    const problems = validateState({ maxPhyAddr: 31, features: new Set(FEATURES) }, {
      cr0: fromBigInt(0x8001_0033n), cr3: fromBigInt(0x1000n), cr4: fromBigInt(0x20n), efer: fromBigInt(0xd00n),
      rflags: fromBigInt(0x2n), pkru: 0, cpl: 0,
    });
    expect(problems.map((p) => p.clause)).toEqual(['PG.STATE.MAXPHYADDR']);
  });
});
