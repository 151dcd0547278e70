/**
 * The CPU QEMU emulates for a vector. A vector's `cpu` fixes MAXPHYADDR (reserved-bit
 * faults depend on it, PG.RSVD.MAXPHYADDR) and whether 1-GiB pages exist (PS in a PDPTE
 * is reserved without them, PG.RSVD.PDPTE.PS_NO_1G); nx, smep, smap and pku only act when
 * a register turns them on, and a vector for a CPU without them never does
 * (PG.STATE.FEATURE_BITS), so QEMU always has those four. One profile = one -cpu line.
 */

export interface QemuProfile {
  /** MAXPHYADDR, 32–52 (QEMU's phys-bits). */
  readonly maxphyaddr: number;
  readonly pdpe1gb: boolean;
}

/** The base model: plain qemu64 so no paging feature comes from the host or a newer QEMU. */
export const QEMU_CPU_BASE = 'qemu64';

/** The features every profile has. */
export const ALWAYS_FEATURES = ['nx', 'smep', 'smap', 'pku'] as const;

/** The `-cpu` argument for a profile. */
export function qemuCpuArg(p: QemuProfile): string {
  return `${QEMU_CPU_BASE},${ALWAYS_FEATURES.map((f) => `+${f}`).join(',')},${p.pdpe1gb ? '+' : '-'}pdpe1gb,phys-bits=${p.maxphyaddr}`;
}

/** A stable key for grouping cases by profile. */
export function profileKey(p: QemuProfile): string {
  return `${p.maxphyaddr}${p.pdpe1gb ? '+1g' : ''}`;
}
