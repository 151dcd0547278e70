// Hand-computed reserved-bit faults (SDM Vol. 3A §4.5.4, Tables 4-14 to 4-20, §4.7).
// A reserved-bit fault has error code P (0x1) | RSVD (0x8) = 0x9, plus W (0x2), U (0x4)
// and I/D (0x10) as the access says. The walk stops at the offending entry: only the
// entries above it may gain A (PG.AD.FAULT_MAY_SET_UPPER); it and everything below stay.
//
// VA = 0x0000_0080_8060_4567: entries at 0x1008 (PML4E), 0x2010 (PDPTE), 0x3018 (PDE),
// 0x4020 (PTE); see walk.test.ts for the arithmetic.
import { describe, it } from 'vitest';
import { checkHandCase, EFER_NO_NXE, type HandCase } from './support.ts';

const VA = 0x0000_0080_8060_4567n;

const cases: HandCase[] = [
  {
    name: 'MAXPHYADDR 36: bit 36 in a PTE is reserved (0x10_0000_5003)',
    clauses: ['PG.RSVD.MAXPHYADDR', 'PG.PF.EC.RSVD'],
    maxphyaddr: 36,
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x10_0000_5007n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x9 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n]],
  },
  {
    name: 'MAXPHYADDR 40: bit 51 in the PML4E is reserved; nothing may change',
    clauses: ['PG.RSVD.MAXPHYADDR', 'PG.RSVD.STOPS_WALK'],
    maxphyaddr: 40,
    cr3: 0x1000n,
    memory: [[0x1008, 0x0008_0000_0000_2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x5007n]],
    access: { va: VA, kind: 'write' },
    expect: { pf: 0xb }, // P 0x1 | W 0x2 | RSVD 0x8
    after: [],
  },
  {
    name: 'MAXPHYADDR 46: bit 46 in the PDE is reserved, bit 45 would not be',
    clauses: ['PG.RSVD.MAXPHYADDR'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4000_0000_4007n], [0x4020, 0x5007n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x9 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n]],
  },
  {
    name: 'MAXPHYADDR 52: bit 51 is an address bit, PTE 0xf_ffff_ffff_f003 maps 0xf_ffff_ffff_f567',
    clauses: ['PG.RSVD.MAXPHYADDR', 'PG.WALK.PAGE_4K'],
    maxphyaddr: 52,
    cr3: 0x1000n,
    memory: [[0x1008, 0x2003n], [0x2010, 0x3003n], [0x3018, 0x4003n], [0x4020, 0xf_ffff_ffff_f003n]],
    access: { va: VA, kind: 'read' },
    expect: { pa: 0xf_ffff_ffff_f567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0xf_ffff_ffff_f023n]],
  },
  {
    name: 'PS (bit 7) in a present PML4E is reserved',
    clauses: ['PG.RSVD.PML4E.PS'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2087n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x5007n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x9 },
    after: [],
  },
  {
    name: 'without 1 GiB pages, PS in a PDPTE is reserved',
    clauses: ['PG.RSVD.PDPTE.PS_NO_1G'],
    features: ['nx', 'smep', 'smap', 'pku'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x4000_0087n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x9 },
    after: [[0x1008, 0x2027n]],
  },
  {
    name: 'bit 13 in a 1 GiB PDPTE (0x4000_2083) is reserved',
    clauses: ['PG.RSVD.PDPTE_1G.LOW'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x4000_2087n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x9 },
    after: [[0x1008, 0x2027n]],
  },
  {
    name: 'bit 29 in a 1 GiB PDPTE (0x6000_0083) is reserved',
    clauses: ['PG.RSVD.PDPTE_1G.LOW'],
    cr3: 0x1000n,
    cpl: 3,
    memory: [[0x1008, 0x2007n], [0x2010, 0x6000_0087n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0xd }, // P 0x1 | U 0x4 | RSVD 0x8
    after: [[0x1008, 0x2027n]],
  },
  {
    name: 'bit 13 in a 2 MiB PDE (0x1_2340_2087) is reserved',
    clauses: ['PG.RSVD.PDE_2M.LOW'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x1_2340_2087n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x9 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n]],
  },
  {
    name: 'bit 20 in a 2 MiB PDE (0x1_2350_0087) is reserved',
    clauses: ['PG.RSVD.PDE_2M.LOW'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x1_2350_0087n]],
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x19 }, // P | RSVD | I/D 0x10 (NXE = 1)
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n]],
  },
  {
    name: 'bits 20:13 of a non-leaf PDE are address bits: PT at 0x1f_e000 is fine',
    clauses: ['PG.RSVD.PDE_2M.LOW', 'PG.WALK.PTE.ADDR'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2003n], [0x2010, 0x3003n], [0x3018, 0x1f_e003n], [0x1f_e020, 0x5003n]],
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x1f_e023n], [0x1f_e020, 0x5023n]],
  },
  {
    name: 'NXE = 0: XD (bit 63) in a PTE is reserved, even for a read',
    clauses: ['PG.RSVD.XD_WITHOUT_NXE'],
    efer: EFER_NO_NXE,
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x8000_0000_0000_5007n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x9 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n]],
  },
  {
    name: 'NXE = 0: XD in the PML4E is reserved; a fetch reports no I/D (NXE = SMEP = 0)',
    clauses: ['PG.RSVD.XD_WITHOUT_NXE', 'PG.PF.EC.ID'],
    efer: EFER_NO_NXE,
    cr3: 0x1000n,
    memory: [[0x1008, 0x8000_0000_0000_2007n]],
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x9 },
    after: [],
  },
  {
    name: 'a reserved PDPTE stops the walk before rights: a user write through a read-only supervisor PML4E still gets RSVD',
    clauses: ['PG.RSVD.STOPS_WALK', 'PG.PF.EC.RSVD'],
    cpl: 3,
    cr3: 0x1000n,
    // PML4E 0x2001: present, read-only, supervisor. PDPTE has bit 51 set (MAXPHYADDR 46).
    // Its PD (0x3000) is empty: a walk that went on would see P=0 and report P=0.
    memory: [[0x1008, 0x2001n], [0x2010, 0x0008_0000_0000_3007n]],
    access: { va: VA, kind: 'write' },
    expect: { pf: 0xf }, // P 0x1 | W 0x2 | U 0x4 | RSVD 0x8
    after: [[0x1008, 0x2021n]],
  },
];

describe('hand-computed reserved-bit faults (SDM Vol. 3A §4.5.4, §4.7)', () => {
  for (const c of cases) {
    it(`${c.name} [${c.clauses.join(', ')}]`, () => checkHandCase(c));
  }
});
