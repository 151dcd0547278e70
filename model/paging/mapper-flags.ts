import { G, P, PAT_4K, PAT_HUGE, PCD, PKEY_MASK_HI, PKEY_SHIFT_HI, PS, PWT, RW, US, XD_HI, pkeyOf } from './entry.ts';
import type { U64 } from './u64.ts';
import { PAGE_4K, type PageSize } from './types.ts';

/**
 * The memory-type selector bits of a leaf (PG.ENTRY.CACHE_BITS): PWT, PCD and PAT index
 * the PAT MSR together. The mapper stores them as given; where PAT sits depends on the
 * page size (bit 7 in a PTE, bit 12 in a 2 MiB or 1 GiB leaf), which the encoder handles.
 */
export interface CacheBits {
  readonly pwt: boolean;
  readonly pcd: boolean;
  readonly pat: boolean;
}

/** PWT = PCD = PAT = 0: PAT entry 0, write-back with the power-on PAT. */
export const WRITE_BACK: CacheBits = { pwt: false, pcd: false, pat: false };

/**
 * The rights and attributes of one mapping, as the leaf entry encodes them. Intermediate
 * entries are made permissive by the mapper, so these are the translation's rights.
 */
export interface PageFlags {
  /** R/W = 1 (PG.PERM.RW.COMBINE). */
  readonly writable: boolean;
  /** U/S = 1: user-mode accesses allowed (PG.PERM.US.COMBINE). */
  readonly user: boolean;
  /** XD = 0. Mapping with `executable: false` sets XD, which needs EFER.NXE (PG.RSVD.XD_WITHOUT_NXE). */
  readonly executable: boolean;
  /** G = 1: the translation survives CR3 writes when CR4.PGE = 1 (PG.TLB.GLOBAL). */
  readonly global: boolean;
  /** Protection key 0–15 in bits 62:59 (PG.PK.KEY_FIELD). */
  readonly pkey: number;
  readonly cache: CacheBits;
}

/** Flags with defaults for what is not given: read-only, supervisor, executable, not global, key 0, write-back. */
export function pageFlags(given: Partial<PageFlags> = {}): PageFlags {
  return {
    writable: given.writable ?? false,
    user: given.user ?? false,
    executable: given.executable ?? true,
    global: given.global ?? false,
    pkey: given.pkey ?? 0,
    cache: given.cache ?? WRITE_BACK,
  };
}

/** The low and high flag bits of a present leaf of `size` carrying `flags` (frame bits excluded). */
export function leafBits(flags: PageFlags, size: PageSize): { readonly lo: number; readonly hi: number } {
  let lo = P;
  if (flags.writable) lo |= RW;
  if (flags.user) lo |= US;
  if (flags.cache.pwt) lo |= PWT;
  if (flags.cache.pcd) lo |= PCD;
  if (flags.global) lo |= G;
  if (size === PAGE_4K) {
    if (flags.cache.pat) lo |= PAT_4K;
  } else {
    lo |= PS;
    if (flags.cache.pat) lo |= PAT_HUGE;
  }
  let hi = (flags.pkey << PKEY_SHIFT_HI) & PKEY_MASK_HI;
  if (!flags.executable) hi |= XD_HI;
  return { lo: lo >>> 0, hi: hi >>> 0 };
}

/** The flags a present leaf entry of `size` carries (the inverse of `leafBits`). */
export function flagsOfLeaf(entry: U64, size: PageSize): PageFlags {
  const patBit = size === PAGE_4K ? PAT_4K : PAT_HUGE;
  return {
    writable: (entry.lo & RW) !== 0,
    user: (entry.lo & US) !== 0,
    executable: (entry.hi & XD_HI) === 0,
    global: (entry.lo & G) !== 0,
    pkey: pkeyOf(entry.hi),
    cache: { pwt: (entry.lo & PWT) !== 0, pcd: (entry.lo & PCD) !== 0, pat: (entry.lo & patBit) !== 0 },
  };
}
