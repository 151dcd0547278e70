/**
 * Page-table layouts: ways to make a space's own tables readable through its virtual
 * memory, sharing one interface as the `x86_64` crate's offset, recursive and mapped
 * page tables do. Identity and offset (direct-map) layouts map physical ranges at
 * VA = offset + PA with the largest pages that fit; the recursive layout points a PML4
 * slot at the PML4 itself. Each can say where the entry for a given address and level
 * is visible, so a test can read it through the walk and compare with physical memory.
 */
import { canonicalFrom48, low48, type PhysAddr, type VirtAddr } from './addr.ts';
import type { AddressSpace } from './address-space.ts';
import type { PhysRange } from './frames.ts';
import { indexAt } from './mapper-entries.ts';
import type { MapperError } from './mapper-errors.ts';
import type { PageFlags } from './mapper-flags.ts';
import { err, ok, type Result } from './mapper-result.ts';
import type { MapOptions } from './mapper.ts';
import { fromNumber } from './u64.ts';
import { PAGE_1G, PAGE_2M, PAGE_4K, type Level, type PageSize } from './types.ts';

/** What every layout can tell. */
export interface TableLayout {
  readonly kind: 'identity' | 'offset' | 'recursive';
  /**
   * The linear address at which the entry that translates `va` at `level` is visible in
   * this space. Errors when that entry does not exist (a level above is not present or is
   * a huge leaf) or the address would not be canonical.
   */
  entryVirtAddr(va: VirtAddr, level: Level): Result<VirtAddr, MapperError>;
}

/** How many pages of each size a range took. */
export interface RangeSummary {
  readonly pages4K: number;
  readonly pages2M: number;
  readonly pages1G: number;
}

/** A range mapping stopped at `va`: the pages before it (`mappedBytes`) stay mapped. */
export interface RangeFailure {
  readonly kind: 'RangeFailed';
  readonly va: VirtAddr;
  readonly mappedBytes: number;
  readonly cause: MapperError;
}

/**
 * `base + delta` as a canonical address, or undefined when it leaves base's canonical
 * half (PG.CANON.GP: the hole between the halves holds no address).
 */
export function addToVirt(base: VirtAddr, delta: number): VirtAddr | undefined {
  const b = low48(base);
  const sum = b + delta;
  const limit = b >= 2 ** 47 ? 2 ** 48 : 2 ** 47;
  return sum < limit ? canonicalFrom48(sum) : undefined;
}

/** The largest page that fits at this point of a range (1 GiB only with pdpe1gb). */
function largestFit(space: AddressSpace, va: VirtAddr, pa: number, left: number): PageSize {
  const fits = (size: number): boolean => low48(va) % size === 0 && pa % size === 0 && left >= size;
  if (space.config.hugePages1G && fits(PAGE_1G)) return PAGE_1G;
  return fits(PAGE_2M) ? PAGE_2M : PAGE_4K;
}

/** Maps `range` at `start` (VA of range.start) page by page, largest pages first. */
export function mapLinearRange(
  space: AddressSpace, start: VirtAddr, range: PhysRange, flags: PageFlags, options?: MapOptions,
): Result<RangeSummary, RangeFailure> {
  const counts = { pages4K: 0, pages2M: 0, pages1G: 0 };
  for (const edge of [range.start, range.end]) {
    if (!Number.isSafeInteger(edge) || edge < 0) {
      return err({ kind: 'RangeFailed', va: start, mappedBytes: 0, cause: { kind: 'NotAnAddress', what: 'range edge', value: edge } });
    }
    if (edge % PAGE_4K !== 0) {
      return err({ kind: 'RangeFailed', va: start, mappedBytes: 0, cause: { kind: 'Misaligned', what: 'frame', value: fromNumber(edge), size: PAGE_4K } });
    }
  }
  for (let pa = range.start; pa < range.end;) {
    const mapped = pa - range.start;
    const va = addToVirt(start, mapped);
    if (va === undefined) {
      return err({ kind: 'RangeFailed', va: start, mappedBytes: mapped, cause: { kind: 'NonCanonical', va: start } });
    }
    const size = largestFit(space, va, pa, range.end - pa);
    const done = space.map(va, pa as PhysAddr, size, flags, options);
    if (!done.ok) return err({ kind: 'RangeFailed', va, mappedBytes: mapped, cause: done.error });
    if (size === PAGE_1G) counts.pages1G++;
    else if (size === PAGE_2M) counts.pages2M++;
    else counts.pages4K++;
    pa += size;
  }
  return ok(counts);
}

/** Tables visible at VA = offset + PA (the identity layout is offset 0), for PAs in `ranges`. */
export class LinearLayout implements TableLayout {
  constructor(
    private readonly space: AddressSpace,
    readonly kind: 'identity' | 'offset',
    readonly offset: VirtAddr,
    readonly ranges: readonly PhysRange[],
  ) {}

  entryVirtAddr(va: VirtAddr, level: Level): Result<VirtAddr, MapperError> {
    const pa = this.space.entryPhysAddr(va, level);
    if (!pa.ok) return pa;
    if (!this.ranges.some((r) => pa.value >= r.start && pa.value < r.end)) {
      return err({ kind: 'EntryNotVisible', va, level, entryPa: pa.value });
    }
    // The frame lies in a range this layout mapped at offset + PA, so the sum is canonical.
    return ok(addToVirt(this.offset, pa.value)!);
  }
}

/**
 * Identity-maps `ranges` (VA = PA, largest pages that fit) and returns the layout. The
 * ranges must lie below 2^47 (the lower canonical half).
 */
export function identityLayout(
  space: AddressSpace, ranges: readonly PhysRange[], flags: PageFlags, options?: MapOptions,
): Result<LinearLayout, RangeFailure> {
  return offsetLayout(space, canonicalFrom48(0), ranges, flags, options, 'identity');
}

/**
 * Maps `ranges` at VA = `offset` + PA (a direct map, e.g. Linux's 0xffff888000000000)
 * with the largest pages that fit, and returns the layout.
 */
export function offsetLayout(
  space: AddressSpace, offset: VirtAddr, ranges: readonly PhysRange[], flags: PageFlags, options?: MapOptions,
  kind: 'identity' | 'offset' = 'offset',
): Result<LinearLayout, RangeFailure> {
  for (const range of ranges) {
    const start = addToVirt(offset, range.start);
    if (start === undefined) return err({ kind: 'RangeFailed', va: offset, mappedBytes: 0, cause: { kind: 'NonCanonical', va: offset } });
    const done = mapLinearRange(space, start, range, flags, options);
    if (!done.ok) return done;
  }
  return ok(new LinearLayout(space, kind, offset, ranges));
}

/** Tables visible through a PML4 slot that points at the PML4 itself. */
export class RecursiveLayout implements TableLayout {
  readonly kind = 'recursive';

  private constructor(
    private readonly space: AddressSpace,
    readonly slot: number,
  ) {}

  /** Installs the recursive slot in `space` (it must be empty) and returns the layout. */
  static install(space: AddressSpace, slot: number): Result<RecursiveLayout, MapperError> {
    const done = space.installRecursiveSlot(slot);
    return done.ok ? ok(new RecursiveLayout(space, slot)) : done;
  }

  /**
   * Each pass through the slot makes the walk stop one level early, so what it reaches
   * last is a table: the level-`level` entry for `va` sits at the slot repeated `level`
   * times, then va's indices for the levels above `level`, then the entry's offset.
   */
  entryVirtAddr(va: VirtAddr, level: Level): Result<VirtAddr, MapperError> {
    const exists = this.space.entryPhysAddr(va, level);
    if (!exists.ok) return exists;
    const va48 = low48(va);
    const indices: number[] = [];
    for (let k = 0; k < level; k++) indices.push(this.slot);
    for (let l = 4; l > level; l--) indices.push(indexAt(va48, l as Level));
    let at = indexAt(va48, level) * 8;
    for (const [k, index] of indices.entries()) at += index * 2 ** (39 - 9 * k);
    return ok(canonicalFrom48(at));
  }
}
