/**
 * The firmware's memory map as data: a list of descriptors sorted by PhysicalStart, with
 * adjacent ranges of the same type and attributes merged (as EDK2 keeps it). Pure
 * functions: every change returns a new map.
 */
import type { UefiClauseId } from '../../spec/clauses/uefi.ts';
import { eq } from '../paging/u64.ts';
import { EFI_PAGE_SIZE, endOf, type MemoryDescriptor } from './descriptor.ts';
import { EfiConventionalMemory, type MemoryType } from './memory-type.ts';

export type MemoryMap = readonly MemoryDescriptor[];

/** A reason a map is malformed, with the index of the descriptor at fault. */
export interface MapProblem {
  readonly index: number;
  readonly clause: UefiClauseId;
  readonly message: string;
}

/** Every rule of UEFI.MMAP.PAGES and UEFI.MMAP.NO_OVERLAP the map breaks (empty: well formed). */
export function mapProblems(map: MemoryMap): MapProblem[] {
  const problems: MapProblem[] = [];
  map.forEach((d, index) => {
    if (d.physicalStart % EFI_PAGE_SIZE !== 0) {
      problems.push({ index, clause: 'UEFI.MMAP.PAGES', message: `descriptor ${index} starts at 0x${d.physicalStart.toString(16)}, not on a 4 KiB boundary` });
    }
    if (!Number.isInteger(d.numberOfPages) || d.numberOfPages < 1) {
      problems.push({ index, clause: 'UEFI.MMAP.PAGES', message: `descriptor ${index} has ${d.numberOfPages} pages` });
    }
  });
  const order = map.map((d, i) => i).sort((a, b) => map[a]!.physicalStart - map[b]!.physicalStart);
  for (let k = 1; k < order.length; k++) {
    const prev = map[order[k - 1]!]!;
    const cur = map[order[k]!]!;
    if (cur.physicalStart < endOf(prev)) {
      problems.push({ index: order[k]!, clause: 'UEFI.MMAP.NO_OVERLAP', message: `descriptor ${order[k]} (from 0x${cur.physicalStart.toString(16)}) overlaps descriptor ${order[k - 1]} (to 0x${(endOf(prev) - 1).toString(16)})` });
    }
  }
  return problems;
}

function sameKind(a: MemoryDescriptor, b: MemoryDescriptor): boolean {
  return a.type === b.type && eq(a.attribute, b.attribute);
}

/** Sorts by start and merges touching descriptors of the same type and attributes. */
export function coalesce(map: MemoryMap): MemoryDescriptor[] {
  const sorted = [...map].sort((a, b) => a.physicalStart - b.physicalStart);
  const out: MemoryDescriptor[] = [];
  for (const d of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && sameKind(last, d) && endOf(last) === d.physicalStart) {
      out[out.length - 1] = { ...last, numberOfPages: last.numberOfPages + d.numberOfPages };
    } else {
      out.push(d);
    }
  }
  return out;
}

/** The type of every page of [start, start + pages·4K) when they all share one descriptor predicate, else undefined. */
export function rangeCoveredBy(map: MemoryMap, start: number, pages: number, accept: (d: MemoryDescriptor) => boolean): boolean {
  let cursor = start;
  const end = start + pages * EFI_PAGE_SIZE;
  for (const d of [...map].sort((a, b) => a.physicalStart - b.physicalStart)) {
    if (endOf(d) <= cursor || d.physicalStart > cursor) continue;
    if (!accept(d)) return false;
    cursor = endOf(d);
    if (cursor >= end) return true;
  }
  return false;
}

/**
 * The map with [start, start + pages·4K) retyped to `type` (attributes kept from the
 * descriptors it came from, or `attribute` when given). The range must be covered.
 */
export function retype(map: MemoryMap, start: number, pages: number, type: MemoryType): MemoryDescriptor[] {
  const end = start + pages * EFI_PAGE_SIZE;
  const out: MemoryDescriptor[] = [];
  for (const d of map) {
    const dEnd = endOf(d);
    if (dEnd <= start || d.physicalStart >= end) {
      out.push(d);
      continue;
    }
    if (d.physicalStart < start) out.push({ ...d, numberOfPages: (start - d.physicalStart) / EFI_PAGE_SIZE });
    const s = Math.max(start, d.physicalStart);
    const e = Math.min(end, dEnd);
    out.push({ ...d, type, physicalStart: s, numberOfPages: (e - s) / EFI_PAGE_SIZE });
    if (dEnd > end) out.push({ ...d, physicalStart: end, numberOfPages: (dEnd - end) / EFI_PAGE_SIZE });
  }
  return coalesce(out);
}

/**
 * Where a top-down allocator (EDK2's default) puts `pages` free pages whose last byte is
 * at most `maxAddress`; undefined when nothing fits.
 */
export function findFreeTopDown(map: MemoryMap, pages: number, maxAddress: number): number | undefined {
  const size = pages * EFI_PAGE_SIZE;
  let best: number | undefined;
  for (const d of map) {
    if (d.type !== EfiConventionalMemory) continue;
    const top = Math.min(endOf(d), Math.floor((maxAddress + 1) / EFI_PAGE_SIZE) * EFI_PAGE_SIZE);
    const start = top - size;
    if (start >= d.physicalStart && (best === undefined || start > best)) best = start;
  }
  return best;
}

/** Total bytes of descriptors whose type satisfies `pred`. */
export function bytesWhere(map: MemoryMap, pred: (type: MemoryType) => boolean): number {
  return map.reduce((n, d) => (pred(d.type) ? n + d.numberOfPages * EFI_PAGE_SIZE : n), 0);
}

/** The descriptor containing physical address `pa`, if any. */
export function descriptorAt(map: MemoryMap, pa: number): MemoryDescriptor | undefined {
  return map.find((d) => pa >= d.physicalStart && pa < endOf(d));
}
