// Hand-computed accessed/dirty updates (SDM Vol. 3A §4.8), page-fault reporting (§4.7,
// §6.15) and canonical addresses (Vol. 1 §3.3.7.1).
// A = 0x20, D = 0x40. Error code: P 0x1, W 0x2, U 0x4, RSVD 0x8, I/D 0x10, PK 0x20.
// VA = 0x0000_0080_8060_4567: entries at 0x1008, 0x2010, 0x3018, 0x4020; PA 0x5567.
import { describe, expect, it } from 'vitest';
import { checkHandCase, EFER_NO_NXE, stateOf, accessOf, dump, type HandCase } from './support.ts';
import { walk } from '../walk.ts';
import { performAccess } from '../access.ts';

const VA = 0x0000_0080_8060_4567n;

function chain(f4: bigint, f3: bigint, f2: bigint, f1: bigint): [number, bigint][] {
  return [[0x1008, 0x2000n | f4], [0x2010, 0x3000n | f3], [0x3018, 0x4000n | f2], [0x4020, 0x5000n | f1]];
}

const adCases: HandCase[] = [
  {
    name: 'a read sets A in all four entries and D nowhere',
    clauses: ['PG.AD.ACCESSED', 'PG.AD.DIRTY.WRITE_ONLY'],
    cr3: 0x1000n,
    memory: chain(0x3n, 0x3n, 0x3n, 0x3n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x5023n]],
  },
  {
    name: 'a fetch sets A only',
    clauses: ['PG.AD.DIRTY.WRITE_ONLY'],
    cr3: 0x1000n,
    memory: chain(0x3n, 0x3n, 0x3n, 0x3n),
    access: { va: VA, kind: 'fetch' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x5023n]],
  },
  {
    name: 'a write sets A everywhere and D (0x40) in the PTE only',
    clauses: ['PG.AD.DIRTY.WRITE_ONLY', 'PG.AD.DIRTY.LEAF_ONLY', 'PG.AD.ACCESSED'],
    cr3: 0x1000n,
    memory: chain(0x3n, 0x3n, 0x3n, 0x3n),
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x5063n]],
  },
  {
    name: 'a write through a 2 MiB page sets D in the PDE (the leaf), A only above it',
    clauses: ['PG.AD.DIRTY.LEAF_ONLY'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2003n], [0x2010, 0x3003n], [0x3018, 0x1_2340_0083n]],
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x1_2340_4567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x1_2340_00e3n]], // 0x83 | 0x60 = 0xe3
  },
  {
    name: 'a write through a 1 GiB page sets D in the PDPTE, A only in the PML4E',
    clauses: ['PG.AD.DIRTY.LEAF_ONLY', 'PG.AD.ACCESSED'],
    cr3: 0x1000n,
    memory: [[0x1008, 0x2003n], [0x2010, 0xc000_0083n]],
    access: { va: VA, kind: 'write' },
    expect: { pa: 0xc060_4567 }, // 0xc000_0000 + 0x60_4567
    after: [[0x1008, 0x2023n], [0x2010, 0xc000_00e3n]],
  },
  {
    name: 'entries that already have A and D stay as they are (nothing to write)',
    clauses: ['PG.AD.STICKY'],
    cr3: 0x1000n,
    memory: chain(0x63n, 0x63n, 0x63n, 0x63n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [],
  },
  {
    name: 'a read never clears a D already set in the PTE',
    clauses: ['PG.AD.STICKY', 'PG.AD.DIRTY.WRITE_ONLY'],
    cr3: 0x1000n,
    memory: chain(0x3n, 0x3n, 0x3n, 0x43n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x5063n]],
  },
  {
    name: 'a not-present PDE: the PML4E and PDPTE may gain A, the PDE and PTE may not',
    clauses: ['PG.AD.FAULT_MAY_SET_UPPER', 'PG.AD.FAULT_LEAF_UNCHANGED'],
    cr3: 0x1000n,
    memory: chain(0x3n, 0x3n, 0x2n, 0x3n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x2 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n]],
  },
  {
    name: 'a denied user write: the leaf keeps A = 0 and no D appears anywhere',
    clauses: ['PG.AD.FAULT_LEAF_UNCHANGED', 'PG.AD.FAULT_MAY_SET_UPPER'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x5n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x7 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n]],
  },
  {
    name: 'a denied write through a 2 MiB page: the PDE leaf keeps A and D clear',
    clauses: ['PG.AD.FAULT_LEAF_UNCHANGED'],
    cpl: 3, cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x1_2340_0085n]],
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x7 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n]],
  },
];

const pfCases: HandCase[] = [
  {
    name: 'a not-present fault raises vector 14 with CR2 = the full upper-half address',
    clauses: ['PG.PF.VECTOR', 'PG.PF.CR2'],
    cr3: 0x1000n,
    memory: [],
    access: { va: 0xffff_8123_4567_89abn, kind: 'read' },
    expect: { pf: 0x0 },
    after: [],
  },
  {
    name: 'CR2 keeps the low 12 bits: 0x0000_7fff_ffff_ffff',
    clauses: ['PG.PF.CR2'],
    cpl: 3, cr3: 0x1000n,
    memory: [],
    access: { va: 0x0000_7fff_ffff_ffffn, kind: 'write' },
    expect: { pf: 0x6 },
    after: [],
  },
  {
    name: 'P = 0 for not present, P = 1 for a protection fault on the same address',
    clauses: ['PG.PF.EC.P'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x3n),
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x5 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n]],
  },
  {
    name: 'W/R = 0 for a read, a fetch reports I/D instead (NXE = 1)',
    clauses: ['PG.PF.EC.WR', 'PG.PF.EC.ID'],
    cr3: 0x1000n,
    memory: [],
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x10 },
    after: [],
  },
  {
    name: 'I/D with SMEP = 1 and NXE = 0 on a not-present fetch: 0x10',
    clauses: ['PG.PF.EC.ID'],
    cr4: 0x10_0020n, efer: EFER_NO_NXE, cr3: 0x1000n,
    memory: [],
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x10 },
    after: [],
  },
  {
    name: 'no I/D when NXE = 0 and SMEP = 0, even for a fetch at CPL 3: 0x4',
    clauses: ['PG.PF.EC.ID', 'PG.PF.EC.US'],
    efer: EFER_NO_NXE, cpl: 3, cr3: 0x1000n,
    memory: [],
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x4 },
    after: [],
  },
  {
    name: 'no I/D on a read even with NXE and SMEP: 0x0',
    clauses: ['PG.PF.EC.ID'],
    cr4: 0x10_0020n, cr3: 0x1000n,
    memory: [],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x0 },
    after: [],
  },
  {
    name: 'U/S = 0 for a write at CPL 1 (supervisor): 0x2',
    clauses: ['PG.PF.EC.US'],
    cpl: 1, cr3: 0x1000n,
    memory: [],
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x2 },
    after: [],
  },
  {
    name: 'U/S = 0 for an implicit write at CPL 3',
    clauses: ['PG.PF.EC.US', 'PG.MODE.IMPLICIT_SUPERVISOR'],
    cpl: 3, cr3: 0x1000n,
    memory: [],
    access: { va: VA, kind: 'write', implicit: true },
    expect: { pf: 0x2 },
    after: [],
  },
  {
    name: 'RSVD with P: bit 13 in a 2 MiB PDE on a CPL 3 write gives 0xf',
    clauses: ['PG.PF.EC.RSVD', 'PG.PF.EC.P'],
    cpl: 3, cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x1_2340_2087n]],
    access: { va: VA, kind: 'write' },
    expect: { pf: 0xf },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n]],
  },
];

const canonCases: HandCase[] = [
  {
    name: '0x0000_8000_0000_0000 (bit 47 set, 63:48 clear) is not canonical: #GP though the tables map it',
    clauses: ['PG.CANON.GP', 'PG.CANON.NO_WALK'],
    cr3: 0x1000n,
    // PML4 index 256 would be entry 0x1800 if the walk (wrongly) used bits 47:39
    memory: [[0x1800, 0x2003n], [0x2000, 0x3003n], [0x3000, 0x4003n], [0x4000, 0x5003n]],
    access: { va: 0x0000_8000_0000_0000n, kind: 'read' },
    expect: { gp: true },
    after: [],
  },
  {
    name: '0xffff_0000_0000_0000 (bit 47 clear, 63:48 set) is not canonical: #GP',
    clauses: ['PG.CANON.GP'],
    cr3: 0x1000n, cpl: 3,
    memory: [[0x1000, 0x2007n], [0x2000, 0x3007n], [0x3000, 0x4007n], [0x4000, 0x5007n]],
    access: { va: 0xffff_0000_0000_0000n, kind: 'write' },
    expect: { gp: true },
    after: [],
  },
  {
    name: '0x8000_0000_0000_1000 (only bit 63 set) is not canonical: #GP',
    clauses: ['PG.CANON.GP'],
    cr3: 0x1000n,
    memory: [[0x1000, 0x2007n], [0x2000, 0x3007n], [0x3000, 0x4007n], [0x4008, 0x5007n]],
    access: { va: 0x8000_0000_0000_1000n, kind: 'fetch' },
    expect: { gp: true },
    after: [],
  },
  {
    name: '0xffff_7fff_ffff_ffff (bit 47 clear under ones) is not canonical: #GP',
    clauses: ['PG.CANON.GP', 'PG.CANON.UPPER_HALF'],
    cr3: 0x1000n,
    memory: [],
    access: { va: 0xffff_7fff_ffff_ffffn, kind: 'read' },
    expect: { gp: true },
    after: [],
  },
];

describe('hand-computed accessed and dirty flags (SDM Vol. 3A §4.8)', () => {
  for (const c of adCases) {
    it(`${c.name} [${c.clauses.join(', ')}]`, () => checkHandCase(c));
  }
  it('a second identical write changes nothing: A and D are already set [PG.AD.STICKY]', () => {
    const c = adCases[2]!;
    const state = stateOf(c);
    performAccess(state, accessOf(c));
    const once = dump(state.memory);
    performAccess(state, accessOf(c));
    expect(dump(state.memory)).toEqual(once);
    expect(once.get(0x4020)).toBe(0x5063n);
  });
});

describe('hand-computed page-fault reporting (SDM Vol. 3A §4.7)', () => {
  for (const c of pfCases) {
    it(`${c.name} [${c.clauses.join(', ')}]`, () => checkHandCase(c));
  }
});

describe('hand-computed canonical checks (SDM Vol. 1 §3.3.7.1)', () => {
  for (const c of canonCases) {
    it(`${c.name} [${c.clauses.join(', ')}]`, () => checkHandCase(c));
  }
  it('a non-canonical access reads no entry: the trace is empty [PG.CANON.NO_WALK]', () => {
    const c = canonCases[0]!;
    const r = walk(stateOf(c), accessOf(c));
    expect(r.outcome).toBe('fault');
    expect(r.trace).toEqual([]);
    expect(r.updates).toEqual([]);
    expect('cr2' in r).toBe(false);
  });
});
