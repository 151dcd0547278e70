// What a walk says about itself: the exact set of deciding clauses and the level-by-level
// trace (DESIGN.md: each outcome records the clauses that decided it). Each case is a
// hand-built table; the outcome (PA or error code, A/D changes) is checked by
// `checkHandCase`, and the explanation below was worked out by hand from the rules:
// SDM Vol. 3A §4.5 (walk, page sizes), §4.5.4/§4.7 (not-present and reserved-bit faults),
// §4.6.1 (rights), §4.6.2 (protection keys), §4.8 (A/D), Vol. 1 §3.3.7.1 (canonical).
//
// VA = 0x0000_0080_8060_4567: PML4 index 1, PDPT index 2, PD index 3, PT index 4, so with
// CR3 = 0x1000 and tables at 0x1000/0x2000/0x3000/0x4000 the entries are at 0x1008,
// 0x2010, 0x3018, 0x4020. Entry bits: P 0x1, R/W 0x2, U/S 0x4, A 0x20, D 0x40, PS 0x80.
import { describe, expect, it } from 'vitest';
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import { accessOf, checkHandCase, stateOf, type HandCase } from './handcomputed/support.ts';
import type { Level } from './types.ts';
import { walk } from './walk.ts';

const VA = 0x0000_0080_8060_4567n;
/** The same low 39 bits in the upper half: bits 63:47 all 1, PML4 index 0x101. */
const VA_UPPER = 0xffff_8080_8060_4567n;
const CR4_PKE = 0x40_0020n; // PAE | PKE (bit 22)

/** One trace step: its level, its exact clauses, and what its note must say. */
interface Step {
  readonly level: Level;
  readonly clauses: readonly PagingClauseId[];
  readonly note: RegExp;
}

interface ExplainedCase {
  readonly hand: HandCase;
  /** Every clause that decided the outcome (order does not matter). */
  readonly decidedBy: readonly PagingClauseId[];
  readonly trace: readonly Step[];
}

// Steps above the last: the entry is present and points at the next table.
const PML4E_NEXT: Step = { level: 4, clauses: ['PG.WALK.PML4E.ADDR'], note: /^PML4E present; next table/ };
const PDPTE_NEXT: Step = { level: 3, clauses: ['PG.WALK.PDPTE.ADDR'], note: /^PDPTE present; next table/ };
const PDE_NEXT: Step = { level: 2, clauses: ['PG.WALK.PDE.ADDR'], note: /^PDE present; next table/ };
// Leaf steps: the entry maps a page of its level's size.
const PTE_4K: Step = { level: 1, clauses: ['PG.WALK.PTE.ADDR', 'PG.WALK.PAGE_4K'], note: /^PTE maps a 4-KiB page$/ };
const PDE_2M: Step = { level: 2, clauses: ['PG.WALK.PDE.ADDR', 'PG.WALK.PDE.PS'], note: /^PDE maps a 2-MiB page$/ };
const PDPTE_1G: Step = { level: 3, clauses: ['PG.WALK.PDPTE.ADDR', 'PG.WALK.PDPTE.PS'], note: /^PDPTE maps a 1-GiB page$/ };

const WALK_4K: PagingClauseId[] = ['PG.CR3.PML4_BASE', 'PG.WALK.PML4E.ADDR', 'PG.WALK.PDPTE.ADDR', 'PG.WALK.PDE.ADDR', 'PG.WALK.PTE.ADDR'];
const WALK_2M: PagingClauseId[] = ['PG.CR3.PML4_BASE', 'PG.WALK.PML4E.ADDR', 'PG.WALK.PDPTE.ADDR', 'PG.WALK.PDE.ADDR'];
/** Every page fault names the vector, CR2 and the P and U/S bits of its error code. */
const PF: PagingClauseId[] = ['PG.PF.VECTOR', 'PG.PF.CR2', 'PG.PF.EC.P', 'PG.PF.EC.US'];

// Successful walks, then faults.
const cases: ExplainedCase[] = [
  {
    hand: {
      name: 'CPL 0 read of a 4-KiB user page, PKE = 0: SMAP is off and keys are disabled',
      clauses: ['PG.PERM.SMAP.OFF', 'PG.PK.DISABLED'],
      cr3: 0x1000n,
      memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x5007n]],
      access: { va: VA, kind: 'read' },
      expect: { pa: 0x5567 },
      after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5027n]],
    },
    // A lower-half address, so no PG.CANON.UPPER_HALF. The supervisor may read a user page
    // because CR4.SMAP = 0; keys would govern this user page but CR4.PKE = 0.
    decidedBy: [...WALK_4K, 'PG.WALK.PAGE_4K', 'PG.PERM.SMAP.OFF', 'PG.PERM.US.COMBINE', 'PG.PK.DISABLED', 'PG.AD.ACCESSED'],
    trace: [PML4E_NEXT, PDPTE_NEXT, PDE_NEXT, PTE_4K],
  },
  {
    hand: {
      name: 'CPL 3 write to a 2-MiB user page with PKE = 1 and key 0 unrestricted',
      clauses: ['PG.WALK.PDE.PS', 'PG.PK.KEY_FIELD'],
      cr3: 0x1000n, cr4: CR4_PKE, cpl: 3, pkru: 0,
      // PDE 0x40_0087: 2-MiB frame 0x40_0000, PS|U|W|P; VA bits 20:0 = 0x4567.
      memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x40_0087n]],
      access: { va: VA, kind: 'write' },
      expect: { pa: 0x40_4567 },
      after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x40_00e7n]],
    },
    // R/W = 1 everywhere allows the user write; keys apply (PKE = 1, user page, data
    // access) and key 0's AD = WD = 0, so the key field is read but no key rule denies.
    decidedBy: [...WALK_2M, 'PG.WALK.PDE.PS', 'PG.PERM.RW.COMBINE', 'PG.PK.KEY_FIELD',
      'PG.AD.ACCESSED', 'PG.AD.DIRTY.WRITE_ONLY', 'PG.AD.DIRTY.LEAF_ONLY'],
    trace: [PML4E_NEXT, PDPTE_NEXT, PDE_2M],
  },
  {
    hand: {
      name: 'CPL 0 fetch from a 1-GiB supervisor page at an upper-half address, PKE = 1',
      clauses: ['PG.WALK.PDPTE.PS', 'PG.CANON.UPPER_HALF', 'PG.PK.FETCH_UNAFFECTED'],
      cr3: 0x1000n, cr4: CR4_PKE, pkru: 0xffff_ffff,
      // PML4E at 0x1000 + 0x101 * 8 = 0x1808. PDPTE 0x4000_0083: 1-GiB frame 0x4000_0000,
      // PS|W|P, U/S = 0; VA bits 29:0 = 0x0060_4567.
      memory: [[0x1808, 0x2007n], [0x2010, 0x4000_0083n]],
      access: { va: VA_UPPER, kind: 'fetch' },
      expect: { pa: 0x4060_4567 },
      after: [[0x1808, 0x2027n], [0x2010, 0x4000_00a3n]],
    },
    // NXE = 1 and XD = 0 let the supervisor fetch a supervisor page; keys never govern
    // fetches, so even PKRU with every AD and WD set plays no part.
    decidedBy: ['PG.CANON.UPPER_HALF', 'PG.CR3.PML4_BASE', 'PG.WALK.PML4E.ADDR', 'PG.WALK.PDPTE.ADDR', 'PG.WALK.PDPTE.PS',
      'PG.PERM.XD.COMBINE', 'PG.PK.FETCH_UNAFFECTED', 'PG.AD.ACCESSED'],
    trace: [PML4E_NEXT, PDPTE_1G],
  },
  {
    hand: {
      name: 'CPL 3 fetch from a 4-KiB user page, PKE = 0: keys never govern fetches',
      clauses: ['PG.PERM.US.COMBINE'],
      cr3: 0x1000n, cpl: 3,
      memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x5007n]],
      access: { va: VA, kind: 'fetch' },
      expect: { pa: 0x5567 },
      after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n], [0x4020, 0x5027n]],
    },
    // A user fetch needs a user page and XD = 0 (NXE = 1). PG.PK.DISABLED is not named:
    // keys would not govern a fetch even with PKE = 1.
    decidedBy: [...WALK_4K, 'PG.WALK.PAGE_4K', 'PG.PERM.US.COMBINE', 'PG.AD.ACCESSED'],
    trace: [PML4E_NEXT, PDPTE_NEXT, PDE_NEXT, PTE_4K],
  },
  {
    hand: {
      name: 'CPL 0 write to a 2-MiB supervisor page, PKE = 0: no key clause for a supervisor page',
      clauses: ['PG.PERM.RW.COMBINE'],
      cr3: 0x1000n,
      memory: [[0x1008, 0x2003n], [0x2010, 0x3003n], [0x3018, 0x40_0083n]],
      access: { va: VA, kind: 'write' },
      expect: { pa: 0x40_4567 },
      after: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x40_00e3n]],
    },
    decidedBy: [...WALK_2M, 'PG.WALK.PDE.PS', 'PG.PERM.RW.COMBINE',
      'PG.AD.ACCESSED', 'PG.AD.DIRTY.WRITE_ONLY', 'PG.AD.DIRTY.LEAF_ONLY'],
    trace: [PML4E_NEXT, PDPTE_NEXT, PDE_2M],
  },
  {
    hand: {
      name: 'CPL 0 read of a 4-KiB supervisor page with PKE = 1 and A already set everywhere',
      clauses: ['PG.PK.USER_PAGES_ONLY', 'PG.AD.STICKY'],
      cr3: 0x1000n, cr4: CR4_PKE, pkru: 0xffff_ffff,
      memory: [[0x1008, 0x2023n], [0x2010, 0x3023n], [0x3018, 0x4023n], [0x4020, 0x5023n]],
      access: { va: VA, kind: 'read' },
      expect: { pa: 0x5567 },
      after: [],
    },
    // Keys govern only user-mode addresses, so the all-denying PKRU plays no part.
    decidedBy: [...WALK_4K, 'PG.WALK.PAGE_4K', 'PG.PERM.SUP.READ', 'PG.PK.USER_PAGES_ONLY', 'PG.AD.ACCESSED', 'PG.AD.STICKY'],
    trace: [PML4E_NEXT, PDPTE_NEXT, PDE_NEXT, PTE_4K],
  },
  {
    hand: {
      name: 'PDE not present on a CPL 0 read: the walk stops there',
      clauses: ['PG.WALK.PDE.NOT_PRESENT', 'PG.WALK.NOT_PRESENT_IGNORES_REST'],
      cr3: 0x1000n,
      // The PML4E already has A; only the PDPTE may gain it.
      memory: [[0x1008, 0x2027n], [0x2010, 0x3007n], [0x3018, 0x4006n]],
      access: { va: VA, kind: 'read' },
      expect: { pf: 0x0 },
      after: [[0x2010, 0x3027n]],
    },
    decidedBy: [...WALK_2M, 'PG.WALK.PDE.NOT_PRESENT', 'PG.WALK.NOT_PRESENT_IGNORES_REST', ...PF,
      'PG.AD.FAULT_MAY_SET_UPPER', 'PG.AD.FAULT_LEAF_UNCHANGED'],
    trace: [PML4E_NEXT, PDPTE_NEXT,
      { level: 2, clauses: ['PG.WALK.PDE.ADDR', 'PG.WALK.PDE.NOT_PRESENT'], note: /^PDE not present \(P = 0\)/ }],
  },
  {
    hand: {
      name: '2-MiB PDE with reserved bit 13 set on a CPL 0 write: RSVD fault',
      clauses: ['PG.RSVD.PDE_2M.LOW', 'PG.RSVD.STOPS_WALK'],
      cr3: 0x1000n,
      memory: [[0x1008, 0x2003n], [0x2010, 0x3003n], [0x3018, 0x40_2083n]],
      access: { va: VA, kind: 'write' },
      expect: { pf: 0xb }, // P | W | RSVD
      after: [[0x1008, 0x2023n], [0x2010, 0x3023n]],
    },
    decidedBy: [...WALK_2M, 'PG.RSVD.PDE_2M.LOW', 'PG.RSVD.STOPS_WALK', ...PF, 'PG.PF.EC.WR', 'PG.PF.EC.RSVD',
      'PG.AD.FAULT_MAY_SET_UPPER', 'PG.AD.FAULT_LEAF_UNCHANGED'],
    trace: [PML4E_NEXT, PDPTE_NEXT,
      { level: 2, clauses: ['PG.WALK.PDE.ADDR', 'PG.RSVD.PDE_2M.LOW'], note: /^PDE has a reserved bit set \(PG\.RSVD\.PDE_2M\.LOW\).*RSVD = 1/ }],
  },
  // Protection faults happen at a present leaf: its trace step is a leaf step.
  {
    hand: {
      name: 'CPL 3 write denied by WD of key 1 (PKRU bit 3)',
      clauses: ['PG.PK.WD.USER', 'PG.PK.KEY_FIELD', 'PG.PF.EC.PK'],
      cr3: 0x1000n, cr4: CR4_PKE, cpl: 3, pkru: 0x8,
      // PTE key 1 in bits 62:59: 1 << 59 = 0x0800_0000_0000_0000.
      memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x0800_0000_0000_5007n]],
      access: { va: VA, kind: 'write' },
      expect: { pf: 0x27 }, // P | W | U | PK
      after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n]],
    },
    // The rights allow the write (R/W = 1 everywhere); the key's WD denies it.
    decidedBy: [...WALK_4K, 'PG.PK.WD.USER', 'PG.PERM.RW.COMBINE', 'PG.PK.KEY_FIELD', ...PF, 'PG.PF.EC.WR', 'PG.PF.EC.PK',
      'PG.AD.FAULT_MAY_SET_UPPER', 'PG.AD.FAULT_LEAF_UNCHANGED'],
    trace: [PML4E_NEXT, PDPTE_NEXT, PDE_NEXT, PTE_4K],
  },
  {
    hand: {
      name: 'CPL 3 write to a read-only page of key 1 with AD1 (PKRU bit 2): R/W and the key both deny',
      clauses: ['PG.PERM.USER.WRITE_READONLY', 'PG.PK.AD', 'PG.PF.EC.PK'],
      cr3: 0x1000n, cr4: CR4_PKE, cpl: 3, pkru: 0x4,
      // PTE 0x0800_0000_0000_5005: key 1, U|P, R/W = 0.
      memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x4007n], [0x4020, 0x0800_0000_0000_5005n]],
      access: { va: VA, kind: 'write' },
      expect: { pf: 0x27 }, // P | W | U | PK: the key violation is reported too
      after: [[0x1008, 0x2027n], [0x2010, 0x3027n], [0x3018, 0x4027n]],
    },
    // Both rules that deny are named: the read-only page and the key's AD.
    decidedBy: [...WALK_4K, 'PG.PERM.USER.WRITE_READONLY', 'PG.PERM.RW.COMBINE', 'PG.PK.KEY_FIELD', 'PG.PK.AD', ...PF,
      'PG.PF.EC.WR', 'PG.PF.EC.PK', 'PG.AD.FAULT_MAY_SET_UPPER', 'PG.AD.FAULT_LEAF_UNCHANGED'],
    trace: [PML4E_NEXT, PDPTE_NEXT, PDE_NEXT, PTE_4K],
  },
  {
    hand: {
      name: 'CPL 3 read of a supervisor 2-MiB page, PKE = 0: denied by U/S',
      clauses: ['PG.PERM.USER.SUPERVISOR_PAGE'],
      cr3: 0x1000n, cpl: 3,
      memory: [[0x1008, 0x2007n], [0x2010, 0x3007n], [0x3018, 0x40_0083n]],
      access: { va: VA, kind: 'read' },
      expect: { pf: 0x5 }, // P | U
      after: [[0x1008, 0x2027n], [0x2010, 0x3027n]],
    },
    // A supervisor page: PG.PK.DISABLED is not named, keys would not govern it anyway.
    decidedBy: [...WALK_2M, 'PG.PERM.USER.SUPERVISOR_PAGE', 'PG.PERM.US.COMBINE', ...PF,
      'PG.AD.FAULT_MAY_SET_UPPER', 'PG.AD.FAULT_LEAF_UNCHANGED'],
    trace: [PML4E_NEXT, PDPTE_NEXT, PDE_2M],
  },
];

describe('walk explanation: deciding clauses and trace', () => {
  it.each(cases)('$hand.name', ({ hand, decidedBy, trace }) => {
    checkHandCase(hand);
    const r = walk(stateOf(hand), accessOf(hand));
    expect([...r.clauses].sort()).toEqual([...new Set(decidedBy)].sort());
    expect(r.trace.map((t) => ({ level: t.level, clauses: t.clauses }))).toEqual(trace.map((t) => ({ level: t.level, clauses: t.clauses })));
    r.trace.forEach((t, i) => expect(t.note).toMatch(trace[i]!.note));
  });
});
