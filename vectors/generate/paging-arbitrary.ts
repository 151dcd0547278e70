import fc from 'fast-check';
import { physAddr, virtAddr } from '../../model/paging/addr.ts';
import { A, D, G, P, PCD, PS, PWT, RW, RSVD_1G_LO, RSVD_2M_LO, US, XD_HI } from '../../model/paging/entry.ts';
import { PhysMemory } from '../../model/paging/memory.ts';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, CR4_PGE, CR4_PKE, CR4_SMAP, CR4_SMEP, EFER_LMA, EFER_LME, EFER_NXE, RFLAGS_AC } from '../../model/paging/regs.ts';
import { FEATURES, type Access, type AccessKind, type Cpl, type Feature, type Level, type PagingState } from '../../model/paging/types.ts';
import { fromNumber, u64 } from '../../model/paging/u64.ts';
import { RUNNER_PML4_INDEX } from '../../spec/vector-constraints.ts';
import { COMMON_PROFILES, type CpuProfile } from './profiles.ts';
import { pagingInputFromModel, type PagingInputJson } from '../io/paging.ts';

/**
 * fast-check arbitraries for whole paging cases (state + access) that the QEMU guest
 * runner can execute (spec/vector-constraints.ts): page tables in the low window
 * (0x1000–0x9efff), pages in the 1 MiB–128 MiB window, never PML4 slot 320. Entries get
 * every flag at random, with occasional reserved bits, keys, ignored and memory-type
 * bits, and tables shared between levels. Used by the corpus generator and by
 * `x64spec fuzz`.
 */
export interface PagingCase {
  readonly state: PagingState;
  readonly access: Access;
}

/** Frames the arbitrary puts tables in: the low window, 4 KiB frames 1..0x9e. */
const TABLE_FRAMES = { min: 0x1, max: 0x9e } as const;
/** 4 KiB pages: frames of the 1 MiB–128 MiB window, keeping 16 bytes inside (offset ≤ 0xff0). */
const PAGE_4K_FRAMES = { min: 0x100, max: 0x7fff } as const;
/** 2 MiB pages inside the window. */
const PAGE_2M_FRAMES = { min: 1, max: 63 } as const;

type SizeName = '4K' | '2M' | '1G';
const LEAF: Record<SizeName, Level> = { '4K': 1, '2M': 2, '1G': 3 };

const profileArb: fc.Arbitrary<CpuProfile> = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...COMMON_PROFILES) },
  {
    weight: 1,
    arbitrary: fc.record({
      maxphyaddr: fc.integer({ min: 32, max: 52 }),
      features: fc.subarray([...FEATURES]),
    }).map(({ maxphyaddr, features }) => ({ name: `p${maxphyaddr}`, maxphyaddr, features: features as Feature[] })),
  },
);

/** One entry's flags, before the frame is put in. */
interface EntryBits {
  readonly lo: number;
  readonly hi: number;
}

function entryBitsArb(level: Level, isLeaf: boolean, maxphyaddr: number): fc.Arbitrary<EntryBits> {
  const flag = (p: number, bit: number) => fc.oneof({ weight: Math.round(p * 100), arbitrary: fc.constant(bit) }, { weight: Math.round((1 - p) * 100), arbitrary: fc.constant(0) });
  const reservedHi = maxphyaddr < 52 ? fc.integer({ min: maxphyaddr, max: 51 }).map((b) => (1 << (b - 32)) >>> 0) : fc.constant(0);
  const rsvdLo = level === 3 ? RSVD_1G_LO : level === 2 ? RSVD_2M_LO : 0;
  return fc.record({
    p: flag(0.95, P), rw: flag(0.8, RW), us: flag(0.85, US), pwt: flag(0.1, PWT), pcd: flag(0.1, PCD),
    a: flag(0.4, A), d: flag(0.3, D), g: flag(0.15, G), avail: flag(0.1, 0xe00),
    ps: level === 4 ? flag(0.03, PS) : fc.constant(isLeaf && level > 1 ? PS : 0),
    xd: flag(0.08, XD_HI),
    pkey: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }).map((k) => (k << 27) >>> 0) }),
    // Ignored bits 52 and 58 (high-half bits 20 and 26); PG.ENTRY.IGNORED_BITS.
    ignoredHi: flag(0.05, (1 << 20) | (1 << 26)),
    reserved: fc.oneof({ weight: 40, arbitrary: fc.constant({ lo: 0, hi: 0 }) }, { weight: 1, arbitrary: reservedHi.map((hi) => ({ lo: 0, hi })) },
      { weight: rsvdLo === 0 ? 0 : 1, arbitrary: fc.integer({ min: 13, max: level === 3 ? 29 : 20 }).map((b) => ({ lo: ((1 << b) & rsvdLo) >>> 0, hi: 0 })) }),
  }).map((f) => ({
    lo: (f.p | f.rw | f.us | f.pwt | f.pcd | f.a | f.d | f.g | f.avail | f.ps | f.reserved.lo) >>> 0,
    hi: (f.xd | f.pkey | f.ignoredHi | f.reserved.hi) >>> 0,
  }));
}

interface RegChoice {
  wp: boolean; nxe: boolean; smep: boolean; smap: boolean; pke: boolean; pge: boolean; ac: boolean;
  pkru: number; cpl: Cpl; cr3Low: number;
}

function regsArb(p: CpuProfile): fc.Arbitrary<RegChoice> {
  const has = (f: Feature) => p.features.includes(f);
  const maybe = (f: Feature) => (has(f) ? fc.boolean() : fc.constant(false));
  return fc.record({
    wp: fc.boolean(), nxe: maybe('nx'), smep: maybe('smep'), smap: maybe('smap'), pke: maybe('pku'), pge: fc.boolean(), ac: fc.boolean(),
    pkru: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 15 }).map((k) => (3 << (2 * k)) >>> 0)),
    cpl: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<Cpl>(0, 3) }, { weight: 1, arbitrary: fc.constantFrom<Cpl>(1, 2) }),
    cr3Low: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xfff }) }),
  });
}

interface Layout {
  size: SizeName;
  idx: [number, number, number, number];
  offset: number;
  tables: [number, number, number, number];
  page: number;
  nonCanonicalHigh: number | null;
}

const layoutArb: fc.Arbitrary<Layout> = fc.record({
  size: fc.oneof({ weight: 6, arbitrary: fc.constant<SizeName>('4K') }, { weight: 2, arbitrary: fc.constant<SizeName>('2M') }, { weight: 2, arbitrary: fc.constant<SizeName>('1G') }),
  idx4: fc.integer({ min: 0, max: 510 }).map((i) => (i >= RUNNER_PML4_INDEX ? i + 1 : i)),
  idx3: fc.integer({ min: 0, max: 511 }), idx2: fc.integer({ min: 0, max: 511 }), idx1: fc.integer({ min: 0, max: 511 }),
  low12: fc.integer({ min: 0, max: 0xff0 }),
  page4k: fc.integer(PAGE_4K_FRAMES), page2m: fc.integer(PAGE_2M_FRAMES),
  off1g: fc.integer({ min: 0x100, max: 0x7ffe }),
  // Mostly distinct tables; sometimes levels share a frame (aliasing, recursive-like walks).
  tables: fc.oneof(
    { weight: 9, arbitrary: fc.uniqueArray(fc.integer(TABLE_FRAMES), { minLength: 4, maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: TABLE_FRAMES.min, max: TABLE_FRAMES.min + 2 }), { minLength: 4, maxLength: 4 }) },
  ),
  nonCanonical: fc.oneof({ weight: 19, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 0xfffe }) }),
}).map((r) => {
  const idx: [number, number, number, number] = [r.idx4, r.idx3, r.idx2, r.idx1];
  let offset = r.low12;
  let page = r.page4k * 0x1000;
  if (r.size === '2M') { page = r.page2m * 0x20_0000; offset = r.idx1 * 0x1000 + r.low12; }
  if (r.size === '1G') {
    page = 0;
    const off = r.off1g * 0x1000 + r.low12; // bits 29:0 land inside the 1 MiB–128 MiB window
    idx[2] = Math.floor(off / 0x20_0000); idx[3] = Math.floor(off / 0x1000) % 512; offset = off;
  }
  const t = r.tables.map((f) => f * 0x1000) as [number, number, number, number];
  return { size: r.size, idx, offset, tables: t, page, nonCanonicalHigh: r.nonCanonical };
});

const accessArb = fc.record({
  kind: fc.constantFrom<AccessKind>('read', 'write', 'fetch'),
  implicit: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** Random neighbour entries in the tables the walk uses (they must change nothing). */
const noiseArb = fc.array(fc.record({ table: fc.integer({ min: 0, max: 3 }), index: fc.integer({ min: 0, max: 511 }), lo: fc.integer({ min: 0, max: 0xffff_ffff }), hi: fc.integer({ min: 0, max: 0xffff_ffff }) }), { maxLength: 3 });

/** Random paging cases the guest runner can execute. */
export function pagingCaseArbitrary(): fc.Arbitrary<PagingCase> {
  return profileArb.chain((profile) => fc.record({
    profile: fc.constant(profile),
    regs: regsArb(profile),
    layout: layoutArb,
    access: accessArb,
    noise: noiseArb,
    entries: fc.tuple(
      entryBitsArb(4, false, profile.maxphyaddr), entryBitsArb(3, false, profile.maxphyaddr), entryBitsArb(3, true, profile.maxphyaddr),
      entryBitsArb(2, false, profile.maxphyaddr), entryBitsArb(2, true, profile.maxphyaddr), entryBitsArb(1, true, profile.maxphyaddr),
    ),
  })).map(buildCase);
}

interface Choices {
  profile: CpuProfile; regs: RegChoice; layout: Layout; access: { kind: AccessKind; implicit: boolean };
  noise: { table: number; index: number; lo: number; hi: number }[];
  entries: [EntryBits, EntryBits, EntryBits, EntryBits, EntryBits, EntryBits];
}

function buildCase(c: Choices): PagingCase {
  const { layout: l, regs: r, profile } = c;
  const memory = new PhysMemory();
  for (const n of c.noise) {
    // Noise never lands in the runner's PML4 slot (spec/vector-constraints.ts).
    const index = n.table === 0 && n.index === RUNNER_PML4_INDEX ? n.index + 1 : n.index;
    memory.write64(physAddr(l.tables[n.table]! + index * 8), u64(n.hi, n.lo));
  }
  const leaf = LEAF[l.size];
  const [e4, e3, e3leaf, e2, e2leaf, e1] = c.entries;
  const bits: Record<Level, EntryBits> = { 4: e4, 3: leaf === 3 ? e3leaf : e3, 2: leaf === 2 ? e2leaf : e2, 1: e1 };
  for (const level of [4, 3, 2, 1] as Level[]) {
    if (level < leaf) break;
    const table = l.tables[4 - level]!;
    const frame = level === leaf ? l.page : l.tables[5 - level]!;
    const f = fromNumber(frame);
    memory.write64(physAddr(table + l.idx[4 - level]! * 8), u64(f.hi | bits[level].hi, f.lo | bits[level].lo));
  }
  const low48 = l.idx[0] * 2 ** 39 + l.idx[1] * 2 ** 30 + (leaf === 3 ? l.offset : l.idx[2] * 2 ** 21 + (leaf === 2 ? l.offset : l.idx[3] * 2 ** 12 + l.offset));
  const v = fromNumber(low48);
  const high16 = l.nonCanonicalHigh ?? ((v.hi & 0x8000) !== 0 ? 0xffff : 0);
  const va = virtAddr(u64(((high16 << 16) | (v.hi & 0xffff)) >>> 0, v.lo));
  // An implicit access is a data access (PG.MODE.IMPLICIT_SUPERVISOR): never a fetch.
  const access: Access = { va, kind: c.access.kind, implicit: c.access.implicit && c.access.kind !== 'fetch' };
  const cr4 = CR4_PAE | (r.smep ? CR4_SMEP : 0) | (r.smap ? CR4_SMAP : 0) | (r.pke ? CR4_PKE : 0) | (r.pge ? CR4_PGE : 0);
  return {
    state: {
      cpu: { maxPhyAddr: profile.maxphyaddr, features: new Set(profile.features) },
      regs: {
        cr0: u64(0, CR0_PG | CR0_PE | 0x32 | (r.wp ? CR0_WP : 0)),
        cr3: u64(0, l.tables[0] | r.cr3Low),
        cr4: u64(0, cr4),
        efer: u64(0, EFER_LME | EFER_LMA | (r.nxe ? EFER_NXE : 0)),
        rflags: u64(0, 0x2 | (r.ac ? RFLAGS_AC : 0)),
        pkru: r.pkru >>> 0,
        cpl: r.cpl,
      },
      memory,
    },
    access,
  };
}

/**
 * fast-check `path` for corpus generation: none. Explicit, so a replay path set globally
 * for a failing property (X64SPEC_PATH) never changes what the corpus generator draws.
 */
export const NO_REPLAY = '';

/** The same cases in the vector format's JSON input form (spec/schemas/paging-input.schema.json). */
export function pagingInputArbitrary(): fc.Arbitrary<PagingInputJson> {
  return pagingCaseArbitrary().map((c) => pagingInputFromModel(c.state, c.access));
}
