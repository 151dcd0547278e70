/**
 * How the mapper reads existing paging-structure entries: where a level's index sits in
 * a linear address, where an entry points, and whether the processor would accept it.
 * The bit positions come from entry.ts; this file only combines them.
 */
import {
  ADDR_1G_LO, ADDR_2M_LO, ADDR_4K_LO, P, PAT_4K, PAT_HUGE, PS, RSVD_1G_LO, RSVD_2M_LO, RW, US, XD_HI,
  addrMaskHi, makeEntry, rsvdAddrMaskHi,
} from './entry.ts';
import type { Right } from './mapper-errors.ts';
import type { U64 } from './u64.ts';
import { PAGE_1G, PAGE_2M, PAGE_4K, type Level, type PageSize } from './types.ts';

/** What the mapper must know about the processor it builds tables for. */
export interface MapperConfig {
  /** MAXPHYADDR, 32–52: frame bits at or above it are reserved (PG.RSVD.MAXPHYADDR). */
  readonly maxPhyAddr: number;
  /** The CPU supports 1 GiB pages (CPUID pdpe1gb; PG.WALK.PDPTE.PS, PG.RSVD.PDPTE.PS_NO_1G). */
  readonly hugePages1G: boolean;
  /** EFER.NXE = 1, so XD may be set (PG.RSVD.XD_WITHOUT_NXE). */
  readonly noExecute: boolean;
}

const LEVEL_SHIFT: Record<Level, number> = { 1: 12, 2: 21, 3: 30, 4: 39 };

/** The 9-bit index that selects the entry at `level` for a linear address given by its low 48 bits. */
export function indexAt(va48: number, level: Level): number {
  return Math.floor(va48 / 2 ** LEVEL_SHIFT[level]) % 512;
}

/** The level whose leaf maps a page of `size`: 1 (PTE), 2 (PDE) or 3 (PDPTE). */
export function leafLevel(size: PageSize): Level {
  return size === PAGE_4K ? 1 : size === PAGE_2M ? 2 : 3;
}

/** The size of the page a leaf at `level` maps (levels 1–3). */
export function pageSizeAt(level: Level): PageSize {
  return level === 1 ? PAGE_4K : level === 2 ? PAGE_2M : PAGE_1G;
}

export function isPresent(e: U64): boolean {
  return (e.lo & P) !== 0;
}

/** A present PDPTE or PDE with PS = 1 maps a page instead of pointing to a table (PG.WALK.PDPTE.PS, PG.WALK.PDE.PS). */
export function isHugeLeaf(e: U64, level: Level): boolean {
  return level > 1 && (e.lo & PS) !== 0;
}

/** A present entry at `level` is a leaf (a PTE, or a PDPTE/PDE with PS = 1). */
export function isLeaf(e: U64, level: Level): boolean {
  return level === 1 || isHugeLeaf(e, level);
}

/** The 4 KiB-aligned table an intermediate entry points to (PG.WALK.*.ADDR). */
export function tableAddr(e: U64, config: MapperConfig): number {
  return (e.hi & addrMaskHi(config.maxPhyAddr)) * 0x1_0000_0000 + ((e.lo & ADDR_4K_LO) >>> 0);
}

/** The frame a leaf at `level` maps. */
export function leafFrame(e: U64, level: Level, config: MapperConfig): number {
  const loMask = level === 1 ? ADDR_4K_LO : level === 2 ? ADDR_2M_LO : ADDR_1G_LO;
  return (e.hi & addrMaskHi(config.maxPhyAddr)) * 0x1_0000_0000 + ((e.lo & loMask) >>> 0);
}

/**
 * Why the processor would fault on this present entry with RSVD = 1, or undefined when it
 * is well formed. The mapper never builds on such an entry (it only meets them in tables
 * it did not write).
 */
export function malformation(e: U64, level: Level, config: MapperConfig): string | undefined {
  if ((e.hi & rsvdAddrMaskHi(config.maxPhyAddr)) !== 0) return 'address bits at or above MAXPHYADDR are set (PG.RSVD.MAXPHYADDR)';
  if (!config.noExecute && (e.hi & XD_HI) !== 0) return 'XD is set while EFER.NXE = 0 (PG.RSVD.XD_WITHOUT_NXE)';
  if (level === 4 && (e.lo & PS) !== 0) return 'PS is set in a PML4E (PG.RSVD.PML4E.PS)';
  if (level === 3 && (e.lo & PS) !== 0) {
    if (!config.hugePages1G) return 'a 1 GiB page on a CPU without pdpe1gb (PG.RSVD.PDPTE.PS_NO_1G)';
    if ((e.lo & RSVD_1G_LO) !== 0) return 'reserved bits 29:13 of a 1 GiB leaf are set (PG.RSVD.PDPTE_1G.LOW)';
  }
  if (level === 2 && (e.lo & PS) !== 0 && (e.lo & RSVD_2M_LO) !== 0) return 'reserved bits 20:13 of a 2 MiB leaf are set (PG.RSVD.PDE_2M.LOW)';
  return undefined;
}

/** True when the entry withholds `right` from everything it maps (PG.PERM.RW/US/XD.COMBINE). */
export function withholds(e: U64, right: Right): boolean {
  switch (right) {
    case 'writable': return (e.lo & RW) === 0;
    case 'user': return (e.lo & US) === 0;
    case 'executable': return (e.hi & XD_HI) !== 0;
  }
}

/** `e` with `right` granted: R/W or U/S set, or XD cleared. */
export function grant(e: U64, right: Right): U64 {
  switch (right) {
    case 'writable': return { hi: e.hi, lo: (e.lo | RW) >>> 0 };
    case 'user': return { hi: e.hi, lo: (e.lo | US) >>> 0 };
    case 'executable': return { hi: (e.hi & ~XD_HI) >>> 0, lo: e.lo };
  }
}

/**
 * An intermediate entry the mapper writes: present and writable, user-accessible only when
 * something below needs it, XD clear. Permissive on purpose, so each leaf alone decides
 * its translation's rights (PG.PERM.*.COMBINE take the most restrictive entry).
 */
export function pointerEntry(table: number, user: boolean): U64 {
  return makeEntry(table, P | RW | (user ? US : 0));
}

/** `e` pointing at `table` instead, every flag kept. */
export function repointed(e: U64, table: number): U64 {
  return makeEntry(table, (e.lo & ~ADDR_4K_LO) >>> 0, (e.hi & 0xfff0_0000) >>> 0);
}

/**
 * The entry for piece `i` (0–511) when the huge leaf `e` at `level` (2 or 3) is split
 * into a table of leaves one level down. Frame and every attribute carry over; PAT moves
 * from bit 12 to bit 7 when the pieces are 4 KiB PTEs (PG.ENTRY.CACHE_BITS).
 */
export function splitPiece(e: U64, level: Level, i: number, config: MapperConfig): U64 {
  const frame = leafFrame(e, level, config) + i * pageSizeAt((level - 1) as Level);
  let lo = e.lo & 0x1fff;
  if (level === 2) lo = (lo & ~(PS | PAT_HUGE)) | ((lo & PAT_HUGE) !== 0 ? PAT_4K : 0);
  return makeEntry(frame, lo >>> 0, (e.hi & 0xfff0_0000) >>> 0);
}
