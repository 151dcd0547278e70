/**
 * Names of register, entry and error-code bits, for display only: the report decodes a
 * paging case into named bits so a reader need not do it by hand. The rules these bits
 * take part in live in model/paging (and cite their clauses there); nothing here decides
 * an outcome.
 */
import { bit, field, type U64 } from '../model/paging/u64.ts';
import type { BitView } from './types.ts';

/** A flag (one bit) or a field (`hi..lo`) of a 64-bit value. */
export interface BitName {
  readonly name: string;
  readonly lo: number;
  readonly hi?: number;
}

const flag = (name: string, lo: number): BitName => ({ name, lo });
const fieldOf = (name: string, hi: number, lo: number): BitName => ({ name, lo, hi });

/** SDM Vol. 3A §2.5: the CR0 bits that exist. */
export const CR0_BITS: readonly BitName[] = [
  flag('PE', 0), flag('MP', 1), flag('EM', 2), flag('TS', 3), flag('ET', 4), flag('NE', 5),
  flag('WP', 16), flag('AM', 18), flag('NW', 29), flag('CD', 30), flag('PG', 31),
];

/** SDM Vol. 3A §2.5: CR4 bits up to PKS. */
export const CR4_BITS: readonly BitName[] = [
  flag('VME', 0), flag('PVI', 1), flag('TSD', 2), flag('DE', 3), flag('PSE', 4), flag('PAE', 5),
  flag('MCE', 6), flag('PGE', 7), flag('PCE', 8), flag('OSFXSR', 9), flag('OSXMMEXCPT', 10),
  flag('UMIP', 11), flag('LA57', 12), flag('VMXE', 13), flag('SMXE', 14), flag('FSGSBASE', 16),
  flag('PCIDE', 17), flag('OSXSAVE', 18), flag('SMEP', 20), flag('SMAP', 21), flag('PKE', 22),
  flag('CET', 23), flag('PKS', 24),
];

/** SDM Vol. 3A §2.2.1: IA32_EFER. */
export const EFER_BITS: readonly BitName[] = [flag('SCE', 0), flag('LME', 8), flag('LMA', 10), flag('NXE', 11)];

/** SDM Vol. 1 §3.4.3: the RFLAGS bits paging cares about and their neighbours. */
export const RFLAGS_BITS: readonly BitName[] = [
  flag('CF', 0), flag('PF', 2), flag('AF', 4), flag('ZF', 6), flag('SF', 7), flag('TF', 8), flag('IF', 9),
  flag('DF', 10), flag('OF', 11), fieldOf('IOPL', 13, 12), flag('NT', 14), flag('RF', 16), flag('VM', 17), flag('AC', 18),
];

/** SDM Vol. 3A Table 4-12 (CR3 with CR4.PCIDE = 0); the base is shown as a field up to bit 51. */
export const CR3_BITS: readonly BitName[] = [flag('PWT', 3), flag('PCD', 4), fieldOf('base', 51, 12)];

/** SDM Vol. 3A Tables 4-15..4-20: the bits of a paging-structure entry. */
export function entryBits(level: number): readonly BitName[] {
  const leafCapable = level === 3 || level === 2;
  return [
    flag('P', 0), flag('R/W', 1), flag('U/S', 2), flag('PWT', 3), flag('PCD', 4), flag('A', 5),
    flag('D', 6), flag(level === 1 ? 'PAT' : leafCapable ? 'PS' : 'PS(rsvd)', 7), flag('G', 8),
    fieldOf('addr', 51, 12), fieldOf('PK', 62, 59), flag('XD', 63),
  ];
}

/** SDM Vol. 3A §4.7: #PF error-code bits. */
export const PF_ERROR_BITS: readonly BitName[] = [
  flag('P', 0), flag('W/R', 1), flag('U/S', 2), flag('RSVD', 3), flag('I/D', 4), flag('PK', 5), flag('SS', 6), flag('SGX', 15),
];

/** Decodes `v` into named bits: flags as 1/0, fields as hex (a field's value is shifted down). */
export function decodeBits(v: U64, names: readonly BitName[]): BitView[] {
  return names.map((n) => {
    if (n.hi === undefined) {
      const on = bit(v, n.lo);
      return { name: n.name, bits: String(n.lo), value: on ? '1' : '0', set: on };
    }
    const value = wideField(v, n.hi, n.lo);
    return { name: n.name, bits: `${n.hi}:${n.lo}`, value: '0x' + value.toString(16), set: value !== 0n };
  });
}

function wideField(v: U64, hi: number, lo: number): bigint {
  if (hi - lo < 32) return BigInt(field(v, hi, lo));
  const full = (BigInt(v.hi) << 32n) | BigInt(v.lo);
  return (full >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);
}
