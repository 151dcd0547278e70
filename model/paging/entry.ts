/**
 * Paging-structure entry bits for 4-level paging (SDM Vol. 3A Tables 4-15 to 4-20).
 * Bit numbers below 32 live in an entry's low half, the rest in its high half; the
 * `*_HI` constants are masks on the high half.
 */
import { u64, type U64 } from './u64.ts';

export const P = 1 << 0;
export const RW = 1 << 1;
export const US = 1 << 2;
export const PWT = 1 << 3;
export const PCD = 1 << 4;
export const A = 1 << 5;
export const D = 1 << 6;
/** Page size in PDPTEs and PDEs; PAT in PTEs. */
export const PS = 1 << 7;
export const PAT_4K = 1 << 7;
export const G = 1 << 8;
/** PAT in 2-MiB and 1-GiB leaves. */
export const PAT_HUGE = 1 << 12;
/** Execute-disable, bit 63. */
export const XD_HI = 1 << 31;
/** Protection key, bits 62:59 (high-half bits 30:27). */
export const PKEY_SHIFT_HI = 27;
export const PKEY_MASK_HI = 0xf << PKEY_SHIFT_HI;

/** Reserved bits of a 1-GiB PDPTE below its frame address: 29:13 (PG.RSVD.PDPTE_1G.LOW). */
export const RSVD_1G_LO = 0x3fff_e000;
/** Reserved bits of a 2-MiB PDE below its frame address: 20:13 (PG.RSVD.PDE_2M.LOW). */
export const RSVD_2M_LO = 0x001f_e000;

/** Frame-address bits 31:12, 31:21 and 31:30 of the low half, by what the entry maps. */
export const ADDR_4K_LO = 0xffff_f000;
export const ADDR_2M_LO = 0xffe0_0000;
export const ADDR_1G_LO = 0xc000_0000;

/**
 * High-half mask of physical-address bits MAXPHYADDR-1:32 (what an entry may use for
 * its frame) for a given MAXPHYADDR (32–52).
 */
export function addrMaskHi(maxPhyAddr: number): number {
  return (2 ** (maxPhyAddr - 32) - 1) >>> 0; // 0 for MAXPHYADDR 32
}

/** High-half mask of bits 51:MAXPHYADDR, reserved in every present entry (PG.RSVD.MAXPHYADDR). */
export function rsvdAddrMaskHi(maxPhyAddr: number): number {
  return (0x000f_ffff & ~addrMaskHi(maxPhyAddr)) >>> 0;
}

/** The protection key (0–15) in a leaf entry's bits 62:59 (PG.PK.KEY_FIELD). */
export function pkeyOf(hi: number): number {
  return (hi & PKEY_MASK_HI) >>> PKEY_SHIFT_HI;
}

/** Builds an entry from a frame address (a number below 2^52) and low/high flag bits. */
export function makeEntry(frame: number, flagsLo: number, flagsHi = 0): U64 {
  const hi = Math.floor(frame / 0x1_0000_0000);
  const lo = frame % 0x1_0000_0000;
  return u64(hi | flagsHi, (lo | flagsLo) >>> 0);
}
