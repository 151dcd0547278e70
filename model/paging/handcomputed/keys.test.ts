// Hand-computed protection-key decisions (SDM Vol. 3A §4.6.2, §4.7).
// CR4.PKE is bit 22: CR4 = 0x40_0020 (PKE | PAE). The key of a page is bits 62:59 of its
// leaf: key k is k << 59 (key 1 = 0x0800_0000_0000_0000, key 5 = 0x2800_0000_0000_0000,
// key 15 = 0x7800_0000_0000_0000). In PKRU, key k's AD is bit 2k and WD bit 2k+1
// (AD1 = 0x4, WD1 = 0x8, AD5 = 0x400, WD5 = 0x800, AD15 = 0x4000_0000, WD15 = 0x8000_0000).
// Error code PK is 0x20, on top of P (0x1), W (0x2), U (0x4).
//
// VA = 0x0000_0080_8060_4567: entries at 0x1008, 0x2010, 0x3018, 0x4020; PA 0x5567.
import { describe, it } from 'vitest';
import { checkHandCase, CR0_NO_WP, type HandCase } from './support.ts';

const VA = 0x0000_0080_8060_4567n;
const CR4_PKE = 0x40_0020n;
const KEY1 = 0x0800_0000_0000_0000n;
const KEY5 = 0x2800_0000_0000_0000n;
const KEY15 = 0x7800_0000_0000_0000n;

function chain(f4: bigint, f3: bigint, f2: bigint, f1: bigint): [number, bigint][] {
  return [[0x1008, 0x2000n | f4], [0x2010, 0x3000n | f3], [0x3018, 0x4000n | f2], [0x4020, 0x5000n | f1]];
}
function uppersWithA(f4: bigint, f3: bigint, f2: bigint): [number, bigint][] {
  return [[0x1008, 0x2020n | f4], [0x2010, 0x3020n | f3], [0x3018, 0x4020n | f2]];
}
function allWithA(f4: bigint, f3: bigint, f2: bigint, f1: bigint): [number, bigint][] {
  return [...uppersWithA(f4, f3, f2), [0x4020, 0x5020n | f1]];
}

const cases: HandCase[] = [
  {
    name: 'PKE = 0: PKRU = 0xffff_ffff and key 1 have no effect on a user write',
    clauses: ['PG.PK.DISABLED'],
    cpl: 3, pkru: 0xffff_ffff, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    after: [...uppersWithA(0x7n, 0x7n, 0x7n), [0x4020, KEY1 | 0x5067n]],
  },
  {
    name: 'key 5 in the PTE with AD5 set: user read faults P|U|PK = 0x25',
    clauses: ['PG.PK.KEY_FIELD', 'PG.PK.AD', 'PG.PF.EC.PK'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x400, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY5 | 0x7n),
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x25 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'key 5 in the PDE of a 4 KiB page is ignored: the PTE key 0 decides, AD5 does not apply',
    clauses: ['PG.PK.KEY_FIELD'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x400, cr3: 0x1000n,
    memory: chain(KEY5 | 0x7n, KEY5 | 0x7n, KEY5 | 0x7n, 0x7n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: allWithA(KEY5 | 0x7n, KEY5 | 0x7n, KEY5 | 0x7n, 0x7n),
  },
  {
    name: 'key 15 in a 2 MiB PDE with AD15: user read faults 0x25',
    clauses: ['PG.PK.KEY_FIELD', 'PG.PK.AD'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x4000_0000, cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, KEY15 | 0x1_2340_0087n]],
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x25 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n]],
  },
  {
    name: 'key 1 in a 1 GiB PDPTE with WD1: user write faults P|W|U|PK = 0x27',
    clauses: ['PG.PK.KEY_FIELD', 'PG.PK.WD.USER'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x8, cr3: 0x1000n,
    memory: [[0x1008, 0x2007n], [0x2010, KEY1 | 0x4000_0087n]],
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x27 },
    after: [[0x1008, 0x2027n]],
  },
  {
    name: 'key 5 with AD5 on a supervisor page: CPL 0 read and write are not affected',
    clauses: ['PG.PK.USER_PAGES_ONLY'],
    cr4: CR4_PKE, pkru: 0xc00, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY5 | 0x3n),
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    after: [...uppersWithA(0x7n, 0x7n, 0x7n), [0x4020, KEY5 | 0x5063n]],
  },
  {
    name: 'key 5 with AD5 on a page made supervisor by its PML4E: CPL 0 read is not affected',
    clauses: ['PG.PK.USER_PAGES_ONLY', 'PG.PERM.US.COMBINE'],
    cr4: CR4_PKE, pkru: 0x400, cr3: 0x1000n,
    memory: chain(0x3n, 0x7n, 0x7n, KEY5 | 0x7n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: allWithA(0x3n, 0x7n, 0x7n, KEY5 | 0x7n),
  },
  {
    name: 'AD1 blocks a supervisor read of a user page (SMAP off): P|PK = 0x21',
    clauses: ['PG.PK.AD', 'PG.PF.EC.PK'],
    cr4: CR4_PKE, pkru: 0x4, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x21 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'AD1 blocks a user write: P|W|U|PK = 0x27',
    clauses: ['PG.PK.AD'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x4, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x27 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'AD of another key (AD2 = 0x10) does not touch key 1',
    clauses: ['PG.PK.AD', 'PG.PK.KEY_FIELD'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x10, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: allWithA(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
  },
  {
    name: 'WD1 lets a user read through',
    clauses: ['PG.PK.WD.USER'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x8, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: allWithA(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
  },
  {
    name: 'WD1 blocks a user write even with WP = 0: 0x27',
    clauses: ['PG.PK.WD.USER'],
    cr4: CR4_PKE, cr0: CR0_NO_WP, cpl: 3, pkru: 0x8, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x27 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'WD5 (PKRU bit 11 = 0x800) blocks a user write to a key-5 page; AD5 alone (0x400) would block the read too: 0x27',
    clauses: ['PG.PK.WD.USER', 'PG.PK.KEY_FIELD'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x800, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY5 | 0x7n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x27 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'WD1 set but key 5 on the page (PKRU 0x8): a user write to the key-5 page goes through',
    clauses: ['PG.PK.WD.USER', 'PG.PK.KEY_FIELD'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x8, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY5 | 0x7n),
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    after: [...uppersWithA(0x7n, 0x7n, 0x7n), [0x4020, KEY5 | 0x5067n]],
  },
  {
    name: 'WD1 with WP = 1 blocks a supervisor write to a writable user page: P|W|PK = 0x23',
    clauses: ['PG.PK.WD.SUPERVISOR'],
    cr4: CR4_PKE, pkru: 0x8, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x23 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'WD1 with WP = 0 lets a supervisor write to a user page through',
    clauses: ['PG.PK.WD.SUPERVISOR'],
    cr4: CR4_PKE, cr0: CR0_NO_WP, pkru: 0x8, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    after: [...uppersWithA(0x7n, 0x7n, 0x7n), [0x4020, KEY1 | 0x5067n]],
  },
  {
    name: 'WD1 with WP = 1 blocks an implicit write at CPL 3 (a supervisor write): 0x23',
    clauses: ['PG.PK.WD.SUPERVISOR', 'PG.MODE.IMPLICIT_SUPERVISOR'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x8, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
    access: { va: VA, kind: 'write', implicit: true },
    expect: { pf: 0x23 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'AD1 and WD1 do not stop a user fetch',
    clauses: ['PG.PK.FETCH_UNAFFECTED'],
    cr4: CR4_PKE, cpl: 3, pkru: 0xc, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
    access: { va: VA, kind: 'fetch' },
    expect: { pa: 0x5567 },
    after: allWithA(0x7n, 0x7n, 0x7n, KEY1 | 0x7n),
  },
  {
    name: 'PK is reported even when R/W also denies: user write to a read-only page with AD1 gives 0x27',
    clauses: ['PG.PF.EC.PK', 'PG.PERM.USER.WRITE_READONLY'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x4, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x5n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x27 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'no PK bit for a user access to a supervisor page with AD1: P|U = 0x5',
    clauses: ['PG.PF.EC.PK', 'PG.PK.USER_PAGES_ONLY'],
    cr4: CR4_PKE, cpl: 3, pkru: 0x4, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, KEY1 | 0x3n),
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x5 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
];

describe('hand-computed protection keys (SDM Vol. 3A §4.6.2)', () => {
  for (const c of cases) {
    it(`${c.name} [${c.clauses.join(', ')}]`, () => checkHandCase(c));
  }
});
