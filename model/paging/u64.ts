/**
 * 64-bit values (page-table entries, linear addresses, control registers) as two
 * unsigned 32-bit halves. Measured (DESIGN.md "Values", NOTES.md): halves walk 3–5×
 * faster than BigInt, and every bit stays exact. BigInt appears only at the edges
 * (`fromBigInt` / `toBigInt`) for callers that prefer it.
 */
export interface U64 {
  /** Bits 63..32, as an unsigned 32-bit integer. */
  readonly hi: number;
  /** Bits 31..0, as an unsigned 32-bit integer. */
  readonly lo: number;
}

const TWO32 = 0x1_0000_0000;

export function u64(hi: number, lo: number): U64 {
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

export const ZERO: U64 = u64(0, 0);

/** From a non-negative integer below 2^53 (every physical address fits). */
export function fromNumber(n: number): U64 {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a non-negative safe integer: ${n}`);
  return u64(Math.floor(n / TWO32), n % TWO32);
}

/** To a number; exact only when the value is below 2^53 (check with `fitsNumber`). */
export function toNumber(v: U64): number {
  return v.hi * TWO32 + v.lo;
}

export function fitsNumber(v: U64): boolean {
  return v.hi < 0x20_0000;
}

export function fromBigInt(b: bigint): U64 {
  const m = BigInt.asUintN(64, b);
  return u64(Number(m >> 32n), Number(m & 0xffff_ffffn));
}

export function toBigInt(v: U64): bigint {
  return (BigInt(v.hi) << 32n) | BigInt(v.lo);
}

/** Lower-case hex with `0x` and no padding, the JSON form of every 64-bit value. */
export function toHex(v: U64): string {
  if (v.hi === 0) return '0x' + v.lo.toString(16);
  return '0x' + v.hi.toString(16) + v.lo.toString(16).padStart(8, '0');
}

const HEX = /^0[xX]([0-9a-fA-F]{1,16})$/;

/** Parses `0x…` (either case, 1–16 digits); undefined when the text is not of that form. */
export function parseHex(text: string): U64 | undefined {
  const m = HEX.exec(text);
  if (m === null) return undefined;
  const digits = m[1]!.padStart(16, '0');
  return u64(parseInt(digits.slice(0, 8), 16), parseInt(digits.slice(8), 16));
}

export function eq(a: U64, b: U64): boolean {
  return a.hi === b.hi && a.lo === b.lo;
}

export function and(a: U64, b: U64): U64 {
  return u64(a.hi & b.hi, a.lo & b.lo);
}

export function or(a: U64, b: U64): U64 {
  return u64(a.hi | b.hi, a.lo | b.lo);
}

export function andNot(a: U64, b: U64): U64 {
  return u64(a.hi & ~b.hi, a.lo & ~b.lo);
}

export function isZero(v: U64): boolean {
  return v.hi === 0 && v.lo === 0;
}

/** Bit `n` (0–63) of `v`. */
export function bit(v: U64, n: number): boolean {
  return n >= 32 ? ((v.hi >>> (n - 32)) & 1) === 1 : ((v.lo >>> n) & 1) === 1;
}

/** `v` with bit `n` set to `on`. */
export function withBit(v: U64, n: number, on: boolean): U64 {
  if (n >= 32) {
    const m = 1 << (n - 32);
    return u64(on ? v.hi | m : v.hi & ~m, v.lo);
  }
  const m = 1 << n;
  return u64(v.hi, on ? v.lo | m : v.lo & ~m);
}

/** The mask with bits hiBit..loBit (inclusive, 0–63) set. */
export function mask(hiBit: number, loBit: number): U64 {
  let hi = 0;
  let lo = 0;
  for (let b = loBit; b <= hiBit; b++) {
    if (b >= 32) hi |= 1 << (b - 32);
    else lo |= 1 << b;
  }
  return u64(hi, lo);
}

/** Bits hiBit..loBit of `v` as a number (the field must be at most 32 bits wide). */
export function field(v: U64, hiBit: number, loBit: number): number {
  const width = hiBit - loBit + 1;
  if (width > 32) throw new RangeError('field wider than 32 bits');
  const big = toBigInt(v) >> BigInt(loBit);
  return Number(big & ((1n << BigInt(width)) - 1n));
}
