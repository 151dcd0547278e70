// Hand-computed access-rights decisions (SDM Vol. 3A §4.6, §4.6.1, §4.7).
// Error-code bits: P 0x1, W/R 0x2, U/S 0x4, RSVD 0x8, I/D 0x10, PK 0x20.
// A protection fault has P = 1. The leaf of a denied access keeps A = 0; the entries
// above it may gain A (PG.AD.FAULT_MAY_SET_UPPER, PG.AD.FAULT_LEAF_UNCHANGED).
//
// VA = 0x0000_0080_8060_4567: entries at 0x1008 (PML4E), 0x2010 (PDPTE), 0x3018 (PDE),
// 0x4020 (PTE), page frame 0x5000, so PA = 0x5567.
// CR4 values: PAE 0x20, SMEP 0x10_0000 (bit 20), SMAP 0x20_0000 (bit 21).
import { describe, it } from 'vitest';
import { checkHandCase, CR0_NO_WP, EFER_NO_NXE, RFLAGS_AC, type HandCase } from './support.ts';

const VA = 0x0000_0080_8060_4567n;
const XD = 0x8000_0000_0000_0000n;
const CR4_SMEP = 0x10_0020n;
const CR4_SMAP = 0x20_0020n;
const CR4_SMEP_SMAP = 0x30_0020n;

/** Four entries (PML4E, PDPTE, PDE, PTE) with the given low flags and high bits. */
function chain(f4: bigint, f3: bigint, f2: bigint, f1: bigint): [number, bigint][] {
  return [[0x1008, 0x2000n | f4], [0x2010, 0x3000n | f3], [0x3018, 0x4000n | f2], [0x4020, 0x5000n | f1]];
}
/** The same entries with A (0x20) set in the three upper levels: what a fault may leave. */
function uppersWithA(f4: bigint, f3: bigint, f2: bigint): [number, bigint][] {
  return [[0x1008, 0x2020n | f4], [0x2010, 0x3020n | f3], [0x3018, 0x4020n | f2]];
}

const cases: HandCase[] = [
  // ── U/S ──────────────────────────────────────────────────────────────────────
  {
    name: 'CPL 3 read, U/S = 0 only in the PDE: supervisor address, fault P|U = 0x5',
    clauses: ['PG.PERM.US.COMBINE', 'PG.PERM.USER.SUPERVISOR_PAGE', 'PG.MODE.USER_ACCESS'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x3n, 0x7n),
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x5 },
    after: uppersWithA(0x7n, 0x7n, 0x3n),
  },
  {
    name: 'CPL 3 read, U/S = 1 in all four entries: user address, allowed',
    clauses: ['PG.PERM.US.COMBINE', 'PG.MODE.USER_ACCESS'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x5n, 0x5n, 0x5n, 0x5n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2025n], [0x2010, 0x3025n], [0x3018, 0x4025n], [0x4020, 0x5025n]],
  },
  {
    name: 'CPL 2 is supervisor: reading a supervisor page is allowed',
    clauses: ['PG.MODE.USER_ACCESS', 'PG.PERM.SUP.READ'],
    cpl: 2, cr3: 0x1000n,
    memory: chain(0x1n, 0x1n, 0x1n, 0x1n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2021n], [0x2010, 0x3021n], [0x3018, 0x4021n], [0x4020, 0x5021n]],
  },
  {
    name: 'CPL 3 fetch from a supervisor page: P|U|I/D = 0x15',
    clauses: ['PG.PERM.USER.SUPERVISOR_PAGE', 'PG.PF.EC.ID'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x3n),
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x15 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'CPL 3 implicit read of a supervisor page is a supervisor access: allowed',
    clauses: ['PG.MODE.IMPLICIT_SUPERVISOR'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x3n, 0x3n, 0x3n, 0x1n),
    access: { va: VA, kind: 'read', implicit: true },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x5021n]],
  },
  {
    name: 'CPL 3 implicit write to a read-only supervisor page with WP = 1: fault W = 0x3, no U',
    clauses: ['PG.MODE.IMPLICIT_SUPERVISOR', 'PG.PF.EC.US', 'PG.PERM.WP.SUPERVISOR_WRITE'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x3n, 0x3n, 0x3n, 0x1n),
    access: { va: VA, kind: 'write', implicit: true },
    expect: { pf: 0x3 },
    after: uppersWithA(0x3n, 0x3n, 0x3n),
  },
  // ── R/W and CR0.WP ──────────────────────────────────────────────────────────
  {
    name: 'CPL 3 write, R/W = 0 only in the PDPTE: P|W|U = 0x7',
    clauses: ['PG.PERM.RW.COMBINE', 'PG.PERM.USER.WRITE_READONLY'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x7n, 0x5n, 0x7n, 0x7n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x7 },
    after: uppersWithA(0x7n, 0x5n, 0x7n),
  },
  {
    name: 'CPL 3 write to a read-only user page faults even with WP = 0',
    clauses: ['PG.PERM.USER.WRITE_READONLY'],
    cpl: 3, cr0: CR0_NO_WP, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x5n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x7 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'CPL 3 write with R/W = 1 everywhere: allowed, D in the PTE',
    clauses: ['PG.PERM.RW.COMBINE'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x7n),
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5067n]],
  },
  {
    name: 'WP = 1: supervisor write to a supervisor page with R/W = 0 in the PTE: P|W = 0x3',
    clauses: ['PG.PERM.WP.SUPERVISOR_WRITE'],
    cr3: 0x1000n,
    memory: chain(0x3n, 0x3n, 0x3n, 0x1n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x3 },
    after: uppersWithA(0x3n, 0x3n, 0x3n),
  },
  {
    name: 'WP = 1: supervisor write to a read-only user page (SMAP off): P|W = 0x3',
    clauses: ['PG.PERM.WP.SUPERVISOR_WRITE', 'PG.PERM.SMAP.OFF'],
    cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x5n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x3 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'WP = 0: supervisor write to a read-only supervisor page is allowed and sets D',
    clauses: ['PG.PERM.WP.OFF'],
    cr0: CR0_NO_WP, cr3: 0x1000n,
    memory: chain(0x1n, 0x1n, 0x1n, 0x1n),
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2021n], [0x2010, 0x3021n], [0x3018, 0x4021n], [0x4020, 0x5061n]],
  },
  {
    name: 'WP = 0, SMAP off: supervisor write to a read-only user page is allowed',
    clauses: ['PG.PERM.WP.OFF', 'PG.PERM.SMAP.OFF'],
    cr0: CR0_NO_WP, cr3: 0x1000n,
    memory: chain(0x5n, 0x5n, 0x5n, 0x5n),
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2025n], [0x2010, 0x3025n], [0x3018, 0x4025n], [0x4020, 0x5065n]],
  },
  {
    name: 'supervisor read of a read-only, execute-disabled supervisor page is allowed',
    clauses: ['PG.PERM.SUP.READ'],
    cr3: 0x1000n,
    memory: chain(XD | 0x1n, XD | 0x1n, XD | 0x1n, XD | 0x1n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, XD | 0x2021n], [0x2010, XD | 0x3021n], [0x3018, XD | 0x4021n], [0x4020, XD | 0x5021n]],
  },
  // ── XD / NXE ────────────────────────────────────────────────────────────────
  {
    name: 'NXE = 1, XD only in the PML4E: supervisor fetch faults P|I/D = 0x11',
    clauses: ['PG.PERM.XD.COMBINE', 'PG.PERM.SUP.FETCH_XD', 'PG.PF.EC.ID'],
    cr3: 0x1000n,
    memory: chain(XD | 0x3n, 0x3n, 0x3n, 0x3n),
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x11 },
    after: uppersWithA(XD | 0x3n, 0x3n, 0x3n),
  },
  {
    name: 'NXE = 1, no XD anywhere: supervisor fetch is allowed, no D',
    clauses: ['PG.PERM.XD.COMBINE', 'PG.AD.DIRTY.WRITE_ONLY'],
    cr3: 0x1000n,
    memory: chain(0x3n, 0x3n, 0x3n, 0x1n),
    access: { va: VA, kind: 'fetch' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x5021n]],
  },
  {
    name: 'NXE = 1, XD in the PTE: CPL 3 fetch from a user page faults P|U|I/D = 0x15',
    clauses: ['PG.PERM.USER.FETCH_XD', 'PG.PERM.XD.COMBINE'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, XD | 0x7n),
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x15 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'NXE = 0: CPL 3 fetch from a user page is allowed (no execute protection)',
    clauses: ['PG.PERM.NXE_OFF'],
    efer: EFER_NO_NXE, cpl: 3, cr3: 0x1000n,
    memory: chain(0x5n, 0x5n, 0x5n, 0x5n),
    access: { va: VA, kind: 'fetch' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2025n], [0x2010, 0x3025n], [0x3018, 0x4025n], [0x4020, 0x5025n]],
  },
  {
    name: 'NXE = 0, SMEP = 0: CPL 3 fetch from a supervisor page faults P|U = 0x5 (I/D stays 0)',
    clauses: ['PG.PERM.NXE_OFF', 'PG.PF.EC.ID'],
    efer: EFER_NO_NXE, cpl: 3, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x3n),
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x5 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  // ── SMEP ────────────────────────────────────────────────────────────────────
  {
    name: 'SMEP = 1, NXE = 0: supervisor fetch from a user page faults P|I/D = 0x11',
    clauses: ['PG.PERM.SMEP.FETCH_USER', 'PG.PF.EC.ID'],
    cr4: CR4_SMEP, efer: EFER_NO_NXE, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x7n),
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x11 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'SMEP = 1: supervisor fetch from a supervisor page (U/S = 0 in the PML4E only) is allowed',
    clauses: ['PG.PERM.SMEP.FETCH_USER', 'PG.PERM.US.COMBINE'],
    cr4: CR4_SMEP, cr3: 0x1000n,
    memory: chain(0x3n, 0x7n, 0x7n, 0x7n),
    access: { va: VA, kind: 'fetch' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2023n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5027n]],
  },
  {
    name: 'SMEP = 0: supervisor fetch from a user page without XD is allowed',
    clauses: ['PG.PERM.SMEP.OFF'],
    cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x5n),
    access: { va: VA, kind: 'fetch' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5025n]],
  },
  {
    name: 'SMEP = 0 but XD on a user page: supervisor fetch faults P|I/D = 0x11',
    clauses: ['PG.PERM.SMEP.OFF', 'PG.PERM.SUP.FETCH_XD'],
    cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, XD | 0x7n, 0x7n),
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x11 },
    after: uppersWithA(0x7n, 0x7n, XD | 0x7n),
  },
  // ── SMAP ────────────────────────────────────────────────────────────────────
  {
    name: 'SMAP = 1, AC = 0: CPL 0 read of a user page faults P = 0x1',
    clauses: ['PG.PERM.SMAP.READ_USER'],
    cr4: CR4_SMAP, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x7n),
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x1 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'SMAP = 1, AC = 0: CPL 1 read of a user page faults too (CPL 1 is supervisor)',
    clauses: ['PG.PERM.SMAP.READ_USER', 'PG.MODE.USER_ACCESS'],
    cr4: CR4_SMAP, cpl: 1, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x7n),
    access: { va: VA, kind: 'read' },
    expect: { pf: 0x1 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'SMAP = 1, AC = 0, WP = 0: CPL 0 write to a writable user page faults P|W = 0x3',
    clauses: ['PG.PERM.SMAP.WRITE_USER'],
    cr4: CR4_SMAP, cr0: CR0_NO_WP, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x7n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x3 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'SMAP = 1, AC = 1: CPL 0 read of a user page is allowed',
    clauses: ['PG.PERM.SMAP.AC'],
    cr4: CR4_SMAP, rflags: RFLAGS_AC, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x5n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5025n]],
  },
  {
    name: 'SMAP = 1, AC = 1, WP = 1: CPL 0 write to a read-only user page still faults P|W = 0x3',
    clauses: ['PG.PERM.SMAP.AC', 'PG.PERM.WP.SUPERVISOR_WRITE'],
    cr4: CR4_SMAP, rflags: RFLAGS_AC, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x5n),
    access: { va: VA, kind: 'write' },
    expect: { pf: 0x3 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'SMAP = 1, AC = 1, WP = 0: CPL 0 write to a read-only user page is allowed',
    clauses: ['PG.PERM.SMAP.AC', 'PG.PERM.WP.OFF'],
    cr4: CR4_SMAP, rflags: RFLAGS_AC, cr0: CR0_NO_WP, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x5n),
    access: { va: VA, kind: 'write' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5065n]],
  },
  {
    name: 'SMAP = 1, AC = 1: an implicit read of a user page at CPL 3 faults P = 0x1 (no U)',
    clauses: ['PG.PERM.SMAP.IMPLICIT', 'PG.MODE.IMPLICIT_SUPERVISOR'],
    cr4: CR4_SMAP, rflags: RFLAGS_AC, cpl: 3, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x7n),
    access: { va: VA, kind: 'read', implicit: true },
    expect: { pf: 0x1 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'SMAP = 1, AC = 1: an implicit write to a user page at CPL 0 faults P|W = 0x3',
    clauses: ['PG.PERM.SMAP.IMPLICIT'],
    cr4: CR4_SMAP, rflags: RFLAGS_AC, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x7n),
    access: { va: VA, kind: 'write', implicit: true },
    expect: { pf: 0x3 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'SMAP = 0: an implicit read of a user page at CPL 3 is allowed',
    clauses: ['PG.PERM.SMAP.OFF', 'PG.MODE.IMPLICIT_SUPERVISOR'],
    cpl: 3, cr3: 0x1000n,
    memory: chain(0x5n, 0x5n, 0x5n, 0x5n),
    access: { va: VA, kind: 'read', implicit: true },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2025n], [0x2010, 0x3025n], [0x3018, 0x4025n], [0x4020, 0x5025n]],
  },
  {
    name: 'SMAP = 0: CPL 0 read of a user page is allowed',
    clauses: ['PG.PERM.SMAP.OFF'],
    cr3: 0x1000n,
    memory: chain(0x5n, 0x5n, 0x5n, 0x5n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2025n], [0x2010, 0x3025n], [0x3018, 0x4025n], [0x4020, 0x5025n]],
  },
  {
    name: 'SMAP = 1, AC = 0, SMEP = 0: CPL 0 fetch from a user page is allowed',
    clauses: ['PG.PERM.SMAP.FETCH_UNAFFECTED'],
    cr4: CR4_SMAP, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x5n),
    access: { va: VA, kind: 'fetch' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5025n]],
  },
  {
    name: 'SMAP = 1, SMEP = 1, AC = 1: CPL 0 fetch from a user page faults by SMEP, P|I/D = 0x11',
    clauses: ['PG.PERM.SMAP.FETCH_UNAFFECTED', 'PG.PERM.SMEP.FETCH_USER'],
    cr4: CR4_SMEP_SMAP, rflags: RFLAGS_AC, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x7n),
    access: { va: VA, kind: 'fetch' },
    expect: { pf: 0x11 },
    after: uppersWithA(0x7n, 0x7n, 0x7n),
  },
  {
    name: 'SMAP = 1, AC = 0: CPL 0 read of a supervisor page (U/S = 0 in the PTE only) is allowed',
    clauses: ['PG.PERM.SMAP.READ_USER', 'PG.PERM.SUP.READ'],
    cr4: CR4_SMAP, cr3: 0x1000n,
    memory: chain(0x7n, 0x7n, 0x7n, 0x3n),
    access: { va: VA, kind: 'read' },
    expect: { pa: 0x5567 },
    after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5023n]],
  },
];

describe('hand-computed access rights (SDM Vol. 3A §4.6.1)', () => {
  for (const c of cases) {
    it(`${c.name} [${c.clauses.join(', ')}]`, () => checkHandCase(c));
  }
});
