import { fromNumber, u64, type U64 } from './u64.ts';

/**
 * A physical address. MAXPHYADDR is at most 52, so every physical address is an exact
 * JS number (below 2^53); the brand keeps physical and virtual addresses apart.
 */
export type PhysAddr = number & { readonly __brand: 'PhysAddr' };

/** A 64-bit linear (virtual) address, canonical or not. */
export type VirtAddr = U64 & { readonly __brand: 'VirtAddr' };

export function physAddr(n: number): PhysAddr {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 2 ** 52) throw new RangeError(`physical address out of range: ${n}`);
  return n as PhysAddr;
}

export function virtAddr(v: U64): VirtAddr {
  return v as VirtAddr;
}

/** A linear address from its low 48 bits, sign-extended from bit 47 (always canonical). */
export function canonicalFrom48(low48: number): VirtAddr {
  const v = fromNumber(low48 % 2 ** 48);
  const hi = v.hi & 0x8000 ? v.hi | 0xffff_0000 : v.hi;
  return u64(hi, v.lo) as VirtAddr;
}

/** Bits 47..0 of a linear address as a number. */
export function low48(va: U64): number {
  return (va.hi & 0xffff) * 0x1_0000_0000 + va.lo;
}
