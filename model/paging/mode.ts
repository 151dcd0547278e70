import { addrMaskHi, ADDR_4K_LO, rsvdAddrMaskHi } from './entry.ts';
import { CR0_WP, CR4_PKE, CR4_SMAP, CR4_SMEP, EFER_NXE, RFLAGS_AC } from './regs.ts';
import type { Cpl, CpuModel, Registers } from './types.ts';

/**
 * The facts of a CPU and register state that a walk needs, decoded once so the walk
 * itself only tests booleans and masks.
 */
export interface Mode {
  readonly maxPhyAddr: number;
  /** High-half mask of usable frame-address bits (MAXPHYADDR-1:32). */
  readonly addrHi: number;
  /** High-half mask of reserved address bits 51:MAXPHYADDR. */
  readonly rsvdHi: number;
  /** PML4 base (PG.CR3.PML4_BASE), as halves. */
  readonly pml4Hi: number;
  readonly pml4Lo: number;
  readonly nxe: boolean;
  readonly wp: boolean;
  readonly smep: boolean;
  readonly smap: boolean;
  readonly ac: boolean;
  readonly pke: boolean;
  readonly pkru: number;
  readonly cpl: Cpl;
  readonly pdpe1gb: boolean;
}

export function modeOf(cpu: CpuModel, regs: Registers): Mode {
  const addrHi = addrMaskHi(cpu.maxPhyAddr);
  return {
    maxPhyAddr: cpu.maxPhyAddr,
    addrHi,
    rsvdHi: rsvdAddrMaskHi(cpu.maxPhyAddr),
    // PG.CR3.PML4_BASE: bits MAXPHYADDR-1:12; PG.CR3.LOW_BITS_IGNORED: bits 11:0 play no part.
    pml4Hi: regs.cr3.hi & addrHi,
    pml4Lo: (regs.cr3.lo & ADDR_4K_LO) >>> 0,
    nxe: (regs.efer.lo & EFER_NXE) !== 0,
    wp: (regs.cr0.lo & CR0_WP) !== 0,
    smep: (regs.cr4.lo & CR4_SMEP) !== 0,
    smap: (regs.cr4.lo & CR4_SMAP) !== 0,
    ac: (regs.rflags.lo & RFLAGS_AC) !== 0,
    pke: (regs.cr4.lo & CR4_PKE) !== 0,
    pkru: regs.pkru >>> 0,
    cpl: regs.cpl,
    pdpe1gb: cpu.features.has('pdpe1gb'),
  };
}
