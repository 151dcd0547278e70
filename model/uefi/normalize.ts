/**
 * Normalising a memory map the way a kernel's early memory code does: read it with the
 * firmware's stride, reject overlaps, sort, shrink free ranges to whole pages and merge
 * neighbours. What the kernel may allocate from must come out exactly as it went in.
 */
import type { UefiClauseId } from '../../spec/clauses/uefi.ts';
import { decodeMap, EFI_PAGE_SIZE, endOf, type MemoryDescriptor } from './descriptor.ts';
import { coalesce, mapProblems, type MemoryMap } from './memory-map.ts';
import { reuseAfterExit, type Reuse } from './memory-type.ts';

export type NormaliseResult =
  | { readonly ok: true; readonly map: MemoryDescriptor[] }
  | { readonly ok: false; readonly clause: UefiClauseId; readonly message: string };

/** Decodes `mapSize` bytes with `descriptorSize` stride (UEFI.MMAP.DESCRIPTOR_SIZE) and normalises them. */
export function normaliseBytes(bytes: Uint8Array, mapSize: number, descriptorSize: number): NormaliseResult {
  const decoded = decodeMap(bytes, mapSize, descriptorSize);
  if (!decoded.ok) return { ok: false, clause: 'UEFI.MMAP.DESCRIPTOR_SIZE', message: `byte ${decoded.problem.offset}: ${decoded.problem.message}` };
  return normaliseMap(decoded.map);
}

/** Sorts, drops empty descriptors, rejects overlaps (UEFI.MMAP.NO_OVERLAP) and merges neighbours of one type and attribute. */
export function normaliseMap(map: MemoryMap): NormaliseResult {
  const nonEmpty = map.filter((d) => d.numberOfPages > 0).map(alignDescriptor).filter((d) => d.numberOfPages > 0);
  const overlap = mapProblems(nonEmpty).find((p) => p.clause === 'UEFI.MMAP.NO_OVERLAP');
  if (overlap !== undefined) return { ok: false, clause: overlap.clause, message: overlap.message };
  return { ok: true, map: coalesce(nonEmpty) };
}

/** A descriptor with a start that is not page-aligned keeps only the whole pages it covers (UEFI.MMAP.PAGES). */
function alignDescriptor(d: MemoryDescriptor): MemoryDescriptor {
  if (d.physicalStart % EFI_PAGE_SIZE === 0) return d;
  const start = Math.ceil(d.physicalStart / EFI_PAGE_SIZE) * EFI_PAGE_SIZE;
  const end = Math.floor(endOf(d) / EFI_PAGE_SIZE) * EFI_PAGE_SIZE;
  return { ...d, physicalStart: start, numberOfPages: Math.max(0, (end - start) / EFI_PAGE_SIZE) };
}

/** Half-open physical ranges [start, end), sorted and merged. */
export type Ranges = readonly (readonly [number, number])[];

/** The whole 4 KiB pages whose reuse after exit is in `kinds` (default: free only), merged. */
export function rangesWhere(map: MemoryMap, kinds: readonly Reuse[] = ['free']): Ranges {
  const raw = map
    .filter((d) => kinds.includes(reuseAfterExit(d.type).reuse))
    .map((d) => alignDescriptor(d))
    .filter((d) => d.numberOfPages > 0)
    .map((d) => [d.physicalStart, endOf(d)] as const)
    .sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of raw) {
    const last = out[out.length - 1];
    if (last !== undefined && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Total bytes in `ranges`. */
export function rangesBytes(ranges: Ranges): number {
  return ranges.reduce((n, [s, e]) => n + (e - s), 0);
}
