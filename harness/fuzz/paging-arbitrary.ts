/**
 * A fast-check arbitrary of paging cases for differential fuzzing: a valid 4-level state
 * (a chain of tables from CR3 to a page of any size, every entry with random flags,
 * keys and occasional reserved bits) and one access. It is written against the model's
 * `PagingState`/`Access` only, so every case the model can walk may come up; each choice
 * is a plain value, so fast-check shrinks a failing case towards small flags, low
 * indexes and a short walk.
 *
 * The layout keeps to the runner's physical windows and never uses PML4 slot 320
 * (spec/vector-constraints.ts), so a shrunk case can also become a QEMU-runnable vector.
 */
import fc from 'fast-check';
import { physAddr, virtAddr } from '../../model/paging/addr.ts';
import { PhysMemory } from '../../model/paging/memory.ts';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, CR4_PGE, CR4_PKE, CR4_SMAP, CR4_SMEP, EFER_LMA, EFER_LME, EFER_NXE, RFLAGS_AC } from '../../model/paging/regs.ts';
import { FEATURES, type Access, type AccessKind, type Cpl, type Feature, type PagingState } from '../../model/paging/types.ts';
import { u64 } from '../../model/paging/u64.ts';
import { RUNNER_PML4_INDEX } from '../../spec/vector-constraints.ts';

/** One entry's choices: low flags (bits 11:0 and 12 for huge-page PAT), high bits, and a reserved bit to inject. */
export interface EntryChoice {
  readonly present: boolean;
  /** Bits 1..11 (RW, US, PWT, PCD, A, D, PS, G, ignored 9..11); P and PS are set apart. */
  readonly low: number;
  readonly xd: boolean;
  readonly pkey: number;
  /** 0 none; otherwise inject a reserved-bit pattern (an address bit above MAXPHYADDR, or a huge-page low bit). */
  readonly reserved: 0 | 1 | 2;
  /** Ignored high bits 52..58. */
  readonly ignoredHi: number;
  /** U/S, chosen apart from `low` so that all-user walks (keys, SMEP, SMAP) come up often. */
  readonly user: boolean;
}

export interface PagingChoice {
  readonly maxphyaddr: number;
  readonly features: readonly Feature[];
  readonly wp: boolean;
  readonly nxe: boolean;
  readonly smep: boolean;
  readonly smap: boolean;
  readonly pke: boolean;
  readonly pge: boolean;
  readonly ac: boolean;
  readonly pkru: number;
  readonly cpl: Cpl;
  readonly kind: AccessKind;
  readonly implicit: boolean;
  /** 4 = 4 KiB page, 2 = 2 MiB, 3 = 1 GiB: the leaf level. */
  readonly leaf: 1 | 2 | 3;
  readonly entries: readonly [EntryChoice, EntryChoice, EntryChoice, EntryChoice];
  /** Page-table indexes for levels 4..1. */
  readonly indexes: readonly [number, number, number, number];
  readonly offset: number;
  /** 0 canonical lower half; 1 canonical upper half; 2 non-canonical. */
  readonly canon: 0 | 1 | 2;
  /** Frame number of the page (scaled to its size inside the window). */
  readonly pageSlot: number;
}

const entryChoice: fc.Arbitrary<EntryChoice> = fc.record({
  present: fc.boolean(),
  low: fc.integer({ min: 0, max: 0x7ff }).map((n) => (n << 1) & 0xffe),
  xd: fc.boolean(),
  pkey: fc.integer({ min: 0, max: 15 }),
  reserved: fc.constantFrom<0 | 1 | 2>(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2),
  user: fc.constantFrom(true, true, true, false),
  ignoredHi: fc.integer({ min: 0, max: 0x7f }),
});

/** The choices; `fc` shrinks each field towards its first/smallest value. */
export const pagingChoice: fc.Arbitrary<PagingChoice> = fc.record({
  maxphyaddr: fc.constantFrom(46, 36, 40, 52, 39, 48),
  features: fc.subarray([...FEATURES]),
  wp: fc.boolean(),
  nxe: fc.boolean(),
  smep: fc.boolean(),
  smap: fc.boolean(),
  pke: fc.boolean(),
  pge: fc.boolean(),
  ac: fc.boolean(),
  pkru: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff_ffff }), fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 3 })).map(([key, bits]) => (bits << (2 * key)) >>> 0)),
  cpl: fc.constantFrom<Cpl>(0, 3, 1, 2),
  kind: fc.constantFrom<AccessKind>('read', 'write', 'fetch'),
  implicit: fc.boolean(),
  leaf: fc.constantFrom<1 | 2 | 3>(1, 2, 3),
  entries: fc.tuple(entryChoice, entryChoice, entryChoice, entryChoice),
  indexes: fc.tuple(fc.integer({ min: 0, max: 511 }), fc.integer({ min: 0, max: 511 }), fc.integer({ min: 0, max: 511 }), fc.integer({ min: 0, max: 511 })),
  // Qword-aligned, and 16 bytes (a guest runner's fetch span) stay inside the page.
  offset: fc.integer({ min: 0, max: 0xff0 }).map((n) => n & ~7),
  canon: fc.constantFrom<0 | 1 | 2>(0, 0, 0, 0, 0, 0, 1, 1, 2),
  pageSlot: fc.integer({ min: 0, max: 31 }),
}).map((c) => ({
  ...c,
  // Most entries present, so walks get deep: presence is forced for 7 out of 8 choices of pkey.
  entries: c.entries.map((e) => ({ ...e, present: e.present || e.pkey % 8 !== 0 })) as unknown as PagingChoice['entries'],
}));

/** Table frames (inside the low window) for levels 4..1. */
const TABLES = [0x1000, 0x2000, 0x3000, 0x4000] as const;

/** Builds the model state and access a choice describes. */
export function buildPagingCase(c: PagingChoice): { state: PagingState; access: Access } {
  const has = (f: Feature) => c.features.includes(f);
  const nxe = c.nxe && has('nx');
  const cr0 = CR0_PE | CR0_PG | (c.wp ? CR0_WP : 0);
  const cr4 = CR4_PAE | (c.pge ? CR4_PGE : 0) | (c.smep && has('smep') ? CR4_SMEP : 0) | (c.smap && has('smap') ? CR4_SMAP : 0) | (c.pke && has('pku') ? CR4_PKE : 0);
  const efer = EFER_LME | EFER_LMA | (nxe ? EFER_NXE : 0);
  const memory = new PhysMemory();
  const idx = [...c.indexes];
  // The upper half is PML4 slots 256..511; the runner's own slot is never used.
  if (c.canon === 1) idx[0] = idx[0]! | 256;
  if (idx[0] === RUNNER_PML4_INDEX) idx[0] = RUNNER_PML4_INDEX + 1;
  // A 1-GiB page sits at frame 0: keep the byte inside the 2 MiB..128 MiB window.
  if (c.leaf === 3) idx[2] = 1 + (idx[2]! % 63);
  // Page frame: 4 KiB pages and 2 MiB pages sit in 1 MiB..128 MiB; a 1 GiB page is frame 0.
  const page = c.leaf === 1 ? 0x10_0000 + c.pageSlot * 0x1000 : c.leaf === 2 ? 0x20_0000 * (1 + c.pageSlot % 32) : 0;
  const levelOf = (i: number) => 4 - i; // entries[0] is the PML4E
  for (let i = 0; i < 4; i++) {
    const level = levelOf(i);
    if (level < c.leaf) break;
    const e = c.entries[i]!;
    const isLeaf = level === c.leaf;
    let lo = (e.low & ~0x84) | (e.user ? 0x4 : 0); // PS decided below
    if (level === 3 || level === 2) lo &= ~0x1000;
    if (isLeaf && level > 1) lo |= 0x80;
    if (e.present) lo |= 1;
    let hi = (e.ignoredHi << 20) >>> 0;
    // XD without NXE is a reserved bit: inject it only as often as the other reserved patterns.
    if (e.xd && (nxe || e.reserved !== 0)) hi |= 0x8000_0000;
    if (isLeaf) hi = (hi | (e.pkey << 27)) >>> 0;
    const frame = isLeaf ? page : TABLES[i + 1]!;
    if (e.reserved === 1 && c.maxphyaddr < 52) hi |= 1 << (c.maxphyaddr - 32 + (e.pkey % (52 - c.maxphyaddr)));
    if (e.reserved === 2) {
      if (isLeaf && level === 2) lo |= 1 << (13 + (e.pkey % 8));
      else if (isLeaf && level === 3) lo |= 1 << (13 + e.pkey);
      else if (level === 4) lo |= 0x80;
    }
    const value = u64((hi | Math.floor(frame / 2 ** 32)) >>> 0, ((frame % 2 ** 32) | lo) >>> 0);
    memory.write64(physAddr(TABLES[i]! + idx[i]! * 8), value);
    // The walk never reads below a not-present entry: leave those tables empty (a smaller vector).
    if (!e.present) break;
  }
  // The linear address: indexes, offset inside the page, and the canonical choice.
  const pageOffset = c.leaf === 1 ? c.offset : c.leaf === 2 ? (idx[3]! << 12) | c.offset : (idx[2]! * 0x20_0000) + (idx[3]! << 12) + c.offset;
  const low39 = idx[1]! * 2 ** 30 + (c.leaf <= 2 ? idx[2]! * 2 ** 21 : 0) + (c.leaf === 1 ? idx[3]! * 2 ** 12 : 0) + pageOffset;
  const loVa = low39 % 2 ** 32;
  let hiVa = Math.floor(low39 / 2 ** 32) + idx[0]! * 2 ** 7;
  if ((hiVa & 0x8000) !== 0) hiVa |= 0xffff_0000;
  if (c.canon === 2) hiVa = (hiVa ^ 0x0001_0000) >>> 0; // bit 48 disagrees with bit 47
  const va = virtAddr(u64(hiVa >>> 0, loVa >>> 0));
  const rflags = 0x2 | (c.ac ? RFLAGS_AC : 0);
  return {
    state: {
      cpu: { maxPhyAddr: c.maxphyaddr, features: new Set(c.features) },
      regs: { cr0: u64(0, cr0 >>> 0), cr3: u64(0, TABLES[0]), cr4: u64(0, cr4 >>> 0), efer: u64(0, efer), rflags: u64(0, rflags), pkru: c.pkru >>> 0, cpl: c.cpl },
      memory,
    },
    access: { va, kind: c.kind, implicit: c.implicit && c.kind !== 'fetch' },
  };
}

/** Arbitrary of model cases. */
export const pagingCase: fc.Arbitrary<{ state: PagingState; access: Access }> = pagingChoice.map(buildPagingCase);
