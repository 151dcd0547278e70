// Hand-computed walks: addresses of each level's entry, the three page sizes, CR3,
// ignored and memory-type bits, upper-half addresses. Every expected number below was
// worked out from SDM Vol. 3A §4.5 by hand; the arithmetic is in the comments.
//
// The usual address VA = 0x0000_0080_8060_4567 splits as
//   bits 47:39 = 1 (PML4 index)   1 << 39 = 0x80_0000_0000
//   bits 38:30 = 2 (PDPT index)   2 << 30 = 0x8000_0000
//   bits 29:21 = 3 (PD index)     3 << 21 = 0x60_0000
//   bits 20:12 = 4 (PT index)     4 << 12 = 0x4000
//   bits 11:0  = 0x567 (offset)
// With CR3 = 0x1000 and tables at 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD),
// 0x4000 (PT), the walk reads 0x1000+1*8 = 0x1008, 0x2000+2*8 = 0x2010,
// 0x3000+3*8 = 0x3018, 0x4000+4*8 = 0x4020.
// Entry low bits: P=0x1 RW=0x2 US=0x4 PWT=0x8 PCD=0x10 A=0x20 D=0x40 PS=0x80 G=0x100.
import { describe, it } from 'vitest';
import { checkHandCase, CR0_DEFAULT, type HandCase } from './support.ts';

const VA = 0x0000_0080_8060_4567n;

const cases: HandCase[] = [
  {
    name: '4 KiB read walks PML4E 0x1008, PDPTE 0x2010, PDE 0x3018, PTE 0x4020 to 0x5567',
    clauses: ['PG.MODE.FOUR_LEVEL', 'PG.CR3.PML4_BASE', 'PG.WALK.PML4E.ADDR', 'PG.WALK.PDPTE.ADDR', 'PG.WALK.PDE.ADDR', 'PG.WALK.PTE.ADDR', 'PG.WALK.PAGE_4K', 'PG.AD.ACCESSED'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x5007n],
      // decoys at index 0 of every table: a walk that ignored an index bit would land here
      [0x1000, 0x9007n], [0x2000, 0x9007n], [0x3000, 0x9007n], [0x4000, 0x9007n]],
    access: { va: VA, kind: 'read' },
    // PTE frame 0x5000 + offset 0x567 = 0x5567; each used entry gains A (| 0x20)
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5027n]],
  },
  {
    name: 'CR3 high in a 46-bit space: PML4 at 0x1234_5678_9000, PML4E at +8',
    clauses: ['PG.CR3.PML4_BASE', 'PG.WALK.PML4E.ADDR'],
    cr3: 0x1234_5678_9000n,
    memory: [[0x1234_5678_9008, 0x2003n], [0x2010, 0x3003n], [0x3018, 0x4003n], [0x4020, 0x5003n]],
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1234_5678_9008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x5023n]],
  },
  {
    name: 'CR3 = 0x1fff: bits 11:0 (PWT, PCD and the ignored bits) do not move the PML4 from 0x1000',
    clauses: ['PG.CR3.LOW_BITS_IGNORED', 'PG.CR3.PML4_BASE'],
    cr3: 0x1fffn,
    memory: [[0x1008, 0x2003n], [0x2010, 0x3003n], [0x3018, 0x4003n], [0x4020, 0x5003n], [0x1ff8, 0x7003n]],
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x5023n]],
  },
  {
    name: 'PML4E with P=0 (0x2006): not-present fault, nothing may change',
    clauses: ['PG.WALK.PML4E.NOT_PRESENT', 'PG.PF.EC.P'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2006n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x5007n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x0 }, // P=0, read, supervisor
    after: [],
  },
  {
    name: 'PDPTE with P=0: not-present fault; only the PML4E may gain A',
    clauses: ['PG.WALK.PDPTE.NOT_PRESENT', 'PG.AD.FAULT_MAY_SET_UPPER'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3006n], [0x3018, 0x4007n], [0x4020, 0x5007n]],
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x2 }, // P=0, W=1 (0x2)
    after: [[0x1008, 0x2027n]],
  },
  {
    name: 'PDE with P=0 at CPL 3: error code U|W = 0x6; PML4E and PDPTE may gain A',
    clauses: ['PG.WALK.PDE.NOT_PRESENT', 'PG.PF.EC.US', 'PG.PF.EC.WR'],
    cr3: 0x1000n,
    cpl: 3,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4006n], [0x4020, 0x5007n]],
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x6 }, // W 0x2 | U 0x4
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n]],
  },
  {
    name: 'PTE with P=0: fault; the three upper entries may gain A, the PTE stays',
    clauses: ['PG.WALK.PTE.NOT_PRESENT', 'PG.AD.FAULT_MAY_SET_UPPER', 'PG.AD.FAULT_LEAF_UNCHANGED'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x5006n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x0 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n]],
  },
  {
    name: 'a PTE with every bit but P set is simply not present: no RSVD',
    clauses: ['PG.WALK.NOT_PRESENT_IGNORES_REST', 'PG.PF.EC.RSVD'],
    cr3: 0x1000n,
    maxphyaddr: 36,
    cpl: 3,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0xffff_ffff_ffff_fffen]],
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x6 }, // P=0, W 0x2, U 0x4, RSVD stays 0
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n]],
  },
  {
    name: 'a PML4E with PS and XD but P=0 (NXE=0) is not present, not reserved',
    clauses: ['PG.WALK.NOT_PRESENT_IGNORES_REST'],
    cr3: 0x1000n,
    efer: 0x500n,
    memory: [[0x1008, 0x8000_0000_0000_2086n]],
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x0 }, // fetch, but NXE=0 and SMEP=0, so I/D stays 0
    after: [],
  },
  {
    name: '1 GiB page: PDPTE 0x4000_0087 maps 0x4000_0000; PA = 0x4000_0000 + (VA bits 29:0 = 0x60_4567)',
    clauses: ['PG.WALK.PDPTE.PS', 'PG.AD.ACCESSED'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x4000_0087n], [0x3018, 0x4007n]],
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x4060_4567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x4000_00a7n]], // PS|US|RW|P 0x87 + A 0x20 = 0xa7
  },
  {
    name: '1 GiB page at the top of a 46-bit space: frame 0x3fff_c000_0000 (bits 45:30)',
    clauses: ['PG.WALK.PDPTE.PS'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3fff_c000_0087n]],
    access: { va: VA, kind: 'write' },
    // 0x3fff_c000_0000 + 0x60_4567; write sets A and D in the leaf: 0x87|0x60 = 0xe7
    expect: { pa: 0x3fff_c060_4567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3fff_c000_00e7n]],
  },
  {
    name: '2 MiB page: PDE 0x1_2340_0087 maps 0x1_2340_0000; PA = frame + (VA bits 20:0 = 0x4567)',
    clauses: ['PG.WALK.PDE.PS'],
    cr3: 0x1000n,
    // VA bits 20:0: 0x60_4567 & 0x1f_ffff = 0x4567 (0x60_0000 is the PD index 3)
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x1_2340_0087n], [0x4020, 0x5007n]],
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x1_2340_4567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x1_2340_00a7n]],
  },
  {
    name: '4 KiB page at the top of a 46-bit space: PTE frame 0x3fff_ffff_f000',
    clauses: ['PG.WALK.PAGE_4K', 'PG.WALK.PTE.ADDR'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x3fff_ffff_f007n]],
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x3fff_ffff_f567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x3fff_ffff_f027n]],
  },
  {
    name: 'tables in high memory: each non-leaf entry supplies bits 45:12 of the next table',
    clauses: ['PG.WALK.PDPTE.ADDR', 'PG.WALK.PDE.ADDR', 'PG.WALK.PTE.ADDR'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2000_0000_1007n], [0x2000_0000_1010, 0x2000_0000_2007n],
      [0x2000_0000_2018, 0x2000_0000_3007n], [0x2000_0000_3020, 0x5007n]],
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2000_0000_1027n], [0x2000_0000_1010, 0x2000_0000_2027n],
      [0x2000_0000_2018, 0x2000_0000_3027n], [0x2000_0000_3020, 0x5027n]],
  },
  {
    name: 'ignored bits (62:52, 11:8 and 6 of non-leaf entries; 58:52 and 11:9 of the PTE) change nothing',
    clauses: ['PG.ENTRY.IGNORED_BITS'],
    cr3: 0x1000n,
    // non-leaf: 0x7ff0_0000_0000_0000 (62:52) | 0xf00 (11:8) | 0x40 (6) | 0x7
    // PTE:      0x07f0_0000_0000_0000 (58:52) | 0xe00 (11:9) | 0x7
    memory: [[0x1008, 0x7ff0_0000_0000_2f47n], [0x2010, 0x7ff0_0000_0000_3f47n],
      [0x3018, 0x7ff0_0000_0000_4f47n], [0x4020, 0x07f0_0000_0000_5e07n]],
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    // A (0x20) everywhere; D (0x40) in the PTE: 0xe07|0x60 = 0xe67. Bit 6 of non-leaf entries was already 1.
    after: [[0x1008, 0x7ff0_0000_0000_2f67n], [0x2010, 0x7ff0_0000_0000_3f67n],
      [0x3018, 0x7ff0_0000_0000_4f67n], [0x4020, 0x07f0_0000_0000_5e67n]],
  },
  {
    name: 'ignored bits do not hide the frame: bit 52 (ignored) next to bit 45 (address) in a PTE',
    clauses: ['PG.ENTRY.IGNORED_BITS', 'PG.WALK.PAGE_4K'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2003n], [0x2010, 0x3003n], [0x3018, 0x4003n], [0x4020, 0x0010_2000_0000_5003n]],
    access: { va: VA, kind: 'read' },
    // frame = bits 45:12 = 0x2000_0000_5000; bit 52 is dropped
    expect: { pa: 0x2000_0000_5567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x0010_2000_0000_5023n]],
  },
  {
    name: 'PWT, PCD and PAT in every entry (PAT bit 7 in a PTE) change neither address nor rights',
    clauses: ['PG.ENTRY.CACHE_BITS'],
    cr3: 0x1018n, // CR3 PWT|PCD
    cpl: 3,
    memory: [[0x1008, 0x201fn], [0x2010, 0x301fn], [0x3018, 0x401fn], [0x4020, 0x509fn]],
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x203fn], [0x2010, 0x303fn], [0x3018, 0x403fn], [0x4020, 0x50ffn]],
  },
  {
    name: 'PAT (bit 12) in a 2 MiB PDE is not an address bit and not reserved',
    clauses: ['PG.ENTRY.CACHE_BITS', 'PG.WALK.PDE.PS'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2003n], [0x2010, 0x3003n], [0x3018, 0x1_2340_1083n]],
    access: { va: VA, kind: 'read' },
    // frame = bits 45:21 = 0x1_2340_0000 (bit 12 excluded) + 0x4567
    expect: { pa: 0x1_2340_4567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x1_2340_10a3n]],
  },
  {
    name: 'PAT (bit 12) in a 1 GiB PDPTE is not an address bit and not reserved',
    clauses: ['PG.ENTRY.CACHE_BITS', 'PG.WALK.PDPTE.PS'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2003n], [0x2010, 0x4000_1083n]],
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x4060_4567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x4000_10a3n]],
  },
  {
    name: 'upper-half VA 0xffff_8000_0000_1234: PML4 index 256 (entry 0x1800), PT index 1 (entry 0x4008)',
    clauses: ['PG.CANON.UPPER_HALF', 'PG.WALK.PML4E.ADDR'],
    cr3: 0x1000n,
    // bits 47:39 = 0x100 = 256 -> 0x1000 + 256*8 = 0x1800; 38:30 = 0; 29:21 = 0; 20:12 = 1 -> 0x4008
    memory: [[0x1800, 0x2003n], [0x2000, 0x3003n], [0x3000, 0x4003n], [0x4008, 0x6003n]],
    access: { va: 0xffff_8000_0000_1234n, kind: 'read' },
    expect: { pa: 0x6234 },
    after: [[0x1800, 0x2023n], [0x2000, 0x3023n], [0x3000, 0x4023n], [0x4008, 0x6023n]],
  },
  {
    name: 'the last page 0xffff_ffff_ffff_f000: index 511 at every level (entries at +0xff8)',
    clauses: ['PG.CANON.UPPER_HALF', 'PG.WALK.PDPTE.ADDR', 'PG.WALK.PDE.ADDR', 'PG.WALK.PTE.ADDR'],
    cr3: 0x1000n,
    memory: [[0x1ff8, 0x2003n], [0x2ff8, 0x3003n], [0x3ff8, 0x4003n], [0x4ff8, 0x6003n]],
    access: { va: 0xffff_ffff_ffff_fff8n, kind: 'write' },
    expect: { pa: 0x6ff8 },
    after: [[0x1ff8, 0x2023n], [0x2ff8, 0x3023n], [0x3ff8, 0x4023n], [0x4ff8, 0x6063n]],
  },
  {
    name: 'CR0.WP does not matter to a plain walk: same VA, same PA with WP=1',
    clauses: ['PG.MODE.FOUR_LEVEL'],
    cr0: CR0_DEFAULT,
    cr3: 0x1000n,
    memory: [[0x1008, 0x2003n], [0x2010, 0x3003n], [0x3018, 0x4003n], [0x4020, 0x5003n]],
    access: { va: 0x0000_0080_8060_4000n, kind: 'read' },
    expect: { pa: 0x5000 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x5023n]],
  },
];

describe('hand-computed walks (SDM Vol. 3A §4.5)', () => {
  for (const c of cases) {
    it(`${c.name} [${c.clauses.join(', ')}]`, () => checkHandCase(c));
  }
});
