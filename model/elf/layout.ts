import { PF_W, PF_X, PT_LOAD, hasFlag, type ElfFile, type ProgramHeader } from './types.ts';

export const PAGE = 4096n;
export const TWO64 = 1n << 64n;
/** Lowest canonical upper-half address and the end of the lower half (4-level paging, 48-bit linear). */
export const UPPER_HALF = 0xffff_8000_0000_0000n;
export const LOWER_END = 0x0000_8000_0000_0000n;
/** The kernel code model's range starts here (psABI §3.5.1). */
export const KERNEL_MODEL_START = 0xffff_ffff_8000_0000n;

/** The PT_LOAD entries with memory (p_memsz > 0), in ascending p_vaddr order. */
export function loadSegments(file: ElfFile): ProgramHeader[] {
  return file.programHeaders.filter((p) => p.type === PT_LOAD && p.memsz > 0n).sort((a, b) => (a.vaddr < b.vaddr ? -1 : a.vaddr > b.vaddr ? 1 : a.index - b.index));
}

export interface SegmentRights {
  readonly writable: boolean;
  readonly executable: boolean;
}

/** The page rights a segment asks for (ELF.LOAD.RIGHTS): W → writable, X → executable; always readable. */
export function rightsOf(p: ProgramHeader): SegmentRights {
  return { writable: hasFlag(p, PF_W), executable: hasFlag(p, PF_X) };
}

export function sameRights(a: SegmentRights, b: SegmentRights): boolean {
  return a.writable === b.writable && a.executable === b.executable;
}

export function isPowerOfTwo(v: bigint): boolean {
  return v > 0n && (v & (v - 1n)) === 0n;
}

/** True when [start, end) (end ≤ 2^64, start < end) lies in one canonical half. */
export function canonicalRange(start: bigint, end: bigint): boolean {
  return (end <= LOWER_END) || (start >= UPPER_HALF && end <= TWO64);
}

/** The largest PT_LOAD alignment, at least one page (ELF.LOAD.BASE_ALIGN). */
export function baseAlignment(file: ElfFile): bigint {
  let a = PAGE;
  for (const p of file.programHeaders) if (p.type === PT_LOAD && isPowerOfTwo(p.align) && p.align > a) a = p.align;
  return a;
}
