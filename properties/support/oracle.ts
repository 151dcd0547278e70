/**
 * An independent statement of 4-level paging, written for the properties from SDM
 * Vol. 3A §4.5–§4.8 without looking at the model's code: plain BigInt arithmetic, one
 * straight-line function, no shared helpers with `model/paging`. Properties compare the
 * model with it over generated tables; when the two disagree, one of them misreads the
 * manual, and the hand-computed cases in model/paging/handcomputed decide which.
 */
import type { AccessKind } from '../../model/paging/types.ts';

export interface OracleState {
  readonly maxPhyAddr: number;
  readonly pdpe1gb: boolean;
  readonly cr0: bigint;
  readonly cr3: bigint;
  readonly cr4: bigint;
  readonly efer: bigint;
  readonly rflags: bigint;
  readonly pkru: number;
  readonly cpl: number;
  /** Reads the qword at a physical address (unwritten memory reads as zero). */
  readonly read: (pa: bigint) => bigint;
}

export interface OracleEntry {
  readonly level: number;
  readonly pa: bigint;
  readonly value: bigint;
}

export type OracleResult =
  | { readonly kind: 'gp' }
  | {
      readonly kind: 'ok';
      readonly pa: bigint;
      readonly size: bigint;
      readonly entries: readonly OracleEntry[];
      /** Every used entry's final value: A set, D set in the leaf on a write. */
      readonly finals: readonly OracleEntry[];
      readonly writable: boolean;
      readonly user: boolean;
      readonly executable: boolean;
    }
  | {
      readonly kind: 'pf';
      readonly errorCode: number;
      readonly cause: 'not-present' | 'reserved' | 'rights' | 'key';
      readonly entries: readonly OracleEntry[];
      /** Entries above the one that decided the fault: each may gain A. */
      readonly mayGainA: readonly OracleEntry[];
    };

const bitsFrom = (lo: number, hi: number): bigint => ((1n << BigInt(hi + 1)) - 1n) ^ ((1n << BigInt(lo)) - 1n);
const has = (v: bigint, n: number): boolean => ((v >> BigInt(n)) & 1n) === 1n;

/** What the SDM says one access does. */
export function oracleAccess(s: OracleState, va: bigint, kind: AccessKind, implicit: boolean): OracleResult {
  const top = va >> 47n;
  if (top !== 0n && top !== 0x1ffffn) return { kind: 'gp' };

  const nxe = has(s.efer, 11);
  const wp = has(s.cr0, 16);
  const smep = has(s.cr4, 20);
  const smap = has(s.cr4, 21);
  const pke = has(s.cr4, 22);
  const ac = has(s.rflags, 18);
  const userAccess = s.cpl === 3 && !implicit;
  const addrMask = bitsFrom(12, s.maxPhyAddr - 1);
  const reservedAddr = s.maxPhyAddr < 52 ? bitsFrom(s.maxPhyAddr, 51) : 0n;

  // Error-code bits that depend only on the access (§4.7).
  let ecBase = 0;
  if (kind === 'write') ecBase |= 2;
  if (userAccess) ecBase |= 4;
  if (kind === 'fetch' && (nxe || smep)) ecBase |= 0x10;

  let table = s.cr3 & addrMask;
  let rw = true;
  let us = true;
  let xd = false;
  const entries: OracleEntry[] = [];
  for (let level = 4; level >= 1; level--) {
    const index = (va >> BigInt(12 + 9 * (level - 1))) & 0x1ffn;
    const pa = table + index * 8n;
    const e = s.read(pa);
    entries.push({ level, pa, value: e });
    const upper = entries.slice(0, -1);
    if (!has(e, 0)) return { kind: 'pf', errorCode: ecBase, cause: 'not-present', entries, mayGainA: upper };
    const ps = has(e, 7);
    const reserved =
      (e & reservedAddr) !== 0n ||
      (!nxe && has(e, 63)) ||
      (level === 4 && ps) ||
      (level === 3 && ps && (!s.pdpe1gb || (e & bitsFrom(13, 29)) !== 0n)) ||
      (level === 2 && ps && (e & bitsFrom(13, 20)) !== 0n);
    if (reserved) return { kind: 'pf', errorCode: ecBase | 0x9, cause: 'reserved', entries, mayGainA: upper };
    rw &&= has(e, 1);
    us &&= has(e, 2);
    xd ||= nxe && has(e, 63);
    const leaf = level === 1 || ((level === 2 || level === 3) && ps);
    if (!leaf) {
      table = e & addrMask;
      continue;
    }
    const shift = level === 1 ? 12 : level === 2 ? 21 : 30;
    const size = 1n << BigInt(shift);
    const frame = e & bitsFrom(shift, s.maxPhyAddr - 1);
    const out = frame | (va & (size - 1n));

    // Page-level rights (§4.6.1).
    let denied: boolean;
    if (userAccess) {
      denied = !us || (kind === 'write' && !rw) || (kind === 'fetch' && xd);
    } else if (kind === 'fetch') {
      denied = (smep && us) || xd;
    } else {
      const smapBlocks = us && smap && (implicit || !ac);
      denied = smapBlocks || (kind === 'write' && !rw && wp);
    }
    // Protection keys (§4.6.2): data accesses to user-mode addresses only.
    let keyDenied = false;
    if (pke && us && kind !== 'fetch') {
      const key = Number((e >> 59n) & 0xfn);
      const adBit = (s.pkru >>> (2 * key)) & 1;
      const wdBit = (s.pkru >>> (2 * key + 1)) & 1;
      keyDenied = adBit === 1 || (kind === 'write' && wdBit === 1 && (userAccess || wp));
    }
    if (denied || keyDenied) {
      return {
        kind: 'pf', errorCode: ecBase | 1 | (keyDenied ? 0x20 : 0), cause: denied ? 'rights' : 'key', entries, mayGainA: upper,
      };
    }
    // Accessed and dirty (§4.8): A on every entry used, D on the leaf of a write.
    const finals = entries.map((x, i) => ({
      ...x,
      value: x.value | 0x20n | (i === entries.length - 1 && kind === 'write' ? 0x40n : 0n),
    }));
    return { kind: 'ok', pa: out, size, entries, finals, writable: rw, user: us, executable: !xd };
  }
  throw new Error('unreachable: level 1 is always a leaf');
}
