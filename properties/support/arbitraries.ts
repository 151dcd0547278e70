/**
 * fast-check arbitraries for processor state and accesses: CPUs (MAXPHYADDR 32–52, any
 * subset of features), register values that such a CPU can hold (CR0/CR4/EFER/RFLAGS/PKRU
 * bits only where the feature exists, PG.STATE.FEATURE_BITS; irrelevant bits random),
 * CPL 0–3, explicit and implicit accesses, canonical and non-canonical addresses.
 */
import fc from 'fast-check';
import { fromBigInt } from '../../model/paging/u64.ts';
import { virtAddr, type VirtAddr } from '../../model/paging/addr.ts';
import { FEATURES, type AccessKind, type Cpl, type CpuModel, type Feature, type Registers } from '../../model/paging/types.ts';

/** MAXPHYADDR values seen on real parts, plus the bounds. */
export const COMMON_MAXPHYADDR = [32, 36, 39, 40, 42, 43, 45, 46, 48, 52] as const;

export const maxPhyAddrArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...COMMON_MAXPHYADDR) },
  { weight: 1, arbitrary: fc.integer({ min: 32, max: 52 }) },
);

export const featuresArb: fc.Arbitrary<ReadonlySet<Feature>> = fc
  .subarray([...FEATURES], { minLength: 0 })
  .map((f) => new Set(f));

export const cpuArb: fc.Arbitrary<CpuModel> = fc.record({ maxPhyAddr: maxPhyAddrArb, features: featuresArb });

/** The register bits that decide paging, as plain values (BigInt for 64-bit registers). */
export interface RegBits {
  readonly cr0: bigint;
  readonly cr3: bigint;
  readonly cr4: bigint;
  readonly efer: bigint;
  readonly rflags: bigint;
  readonly pkru: number;
  readonly cpl: Cpl;
}

export const cplArb: fc.Arbitrary<Cpl> = fc.constantFrom(0, 1, 2, 3);

/**
 * Registers a CPU with `features` can hold in 4-level paging with PML4 at `pml4`:
 * CR0.PG/PE, CR4.PAE, EFER.LME/LMA always; WP, PGE, SMEP, SMAP, PKE, NXE and AC chosen at
 * random where the feature allows; bits that do not matter to paging (CR0.NE/ET/MP/AM,
 * RFLAGS arithmetic flags and IF, CR3's PWT/PCD and ignored low bits) random too.
 */
export function regsArb(cpu: CpuModel, pml4: fc.Arbitrary<bigint>): fc.Arbitrary<RegBits> {
  const f = cpu.features;
  const flag = (on: boolean): fc.Arbitrary<boolean> => (on ? fc.boolean() : fc.constant(false));
  return fc
    .record({
      pml4,
      cr3Low: fc.integer({ min: 0, max: 0xfff }),
      wp: fc.boolean(),
      cr0Other: fc.subarray([1, 2, 3, 4, 5, 18, 29, 30]),
      pge: fc.boolean(),
      smep: flag(f.has('smep')),
      smap: flag(f.has('smap')),
      pke: flag(f.has('pku')),
      nxe: flag(f.has('nx')),
      sce: fc.boolean(),
      ac: fc.boolean(),
      rflagsOther: fc.subarray([0, 2, 4, 6, 7, 8, 9, 10, 11]),
      pkru: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff_ffff }), fc.constant(0xffff_fffc)),
      cpl: cplArb,
    })
    .map((r) => ({
      cr0: 0x8000_0001n | (r.wp ? 1n << 16n : 0n) | r.cr0Other.reduce((m, b) => m | (1n << BigInt(b)), 0n),
      cr3: r.pml4 | BigInt(r.cr3Low),
      cr4: 0x20n | (r.pge ? 0x80n : 0n) | (r.smep ? 1n << 20n : 0n) | (r.smap ? 1n << 21n : 0n) | (r.pke ? 1n << 22n : 0n),
      efer: 0x500n | (r.nxe ? 0x800n : 0n) | (r.sce ? 1n : 0n),
      rflags: 0x2n | (r.ac ? 1n << 18n : 0n) | r.rflagsOther.reduce((m, b) => m | (1n << BigInt(b)), 0n),
      pkru: r.pkru,
      cpl: r.cpl,
    }));
}

/** The model's `Registers` for plain register bits. */
export function toRegisters(r: RegBits): Registers {
  return {
    cr0: fromBigInt(r.cr0), cr3: fromBigInt(r.cr3), cr4: fromBigInt(r.cr4), efer: fromBigInt(r.efer),
    rflags: fromBigInt(r.rflags), pkru: r.pkru, cpl: r.cpl,
  };
}

export const accessKindArb: fc.Arbitrary<AccessKind> = fc.constantFrom('read', 'write', 'fetch');

/** An access kind and whether it is implicit (implicit accesses are data accesses only). */
export const accessModeArb: fc.Arbitrary<{ kind: AccessKind; implicit: boolean }> = fc
  .record({ kind: accessKindArb, implicit: fc.boolean() })
  .map(({ kind, implicit }) => ({ kind, implicit: implicit && kind !== 'fetch' }));

/** Sign-extends a 48-bit value into a canonical 64-bit address. */
export function canonical(low48: bigint): bigint {
  const v = low48 & 0xffff_ffff_ffffn;
  return v & 0x8000_0000_0000n ? v | 0xffff_0000_0000_0000n : v;
}

/** Any canonical address: low half, high half, and the edges of both. */
export const canonicalVaArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }).map(canonical),
  fc.constantFrom(0n, 0x7fff_ffff_f000n, 0x7fff_ffff_ffffn, 0xffff_8000_0000_0000n, 0xffff_ffff_ffff_f000n, 0xffff_ffff_ffff_ffffn),
);

/** A non-canonical address: bits 63:47 neither all zero nor all one. */
export const nonCanonicalVaArb: fc.Arbitrary<bigint> = fc
  .record({
    low47: fc.bigInt({ min: 0n, max: (1n << 47n) - 1n }),
    top17: fc.oneof(
      fc.integer({ min: 1, max: 0x1fffe }),
      fc.constantFrom(1, 0x1fffe, 0x10000, 0x0ffff),
    ),
  })
  .map(({ low47, top17 }) => (BigInt(top17) << 47n) | low47);

export function toVirt(va: bigint): VirtAddr {
  return virtAddr(fromBigInt(va));
}
