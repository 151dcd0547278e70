import type { PhysAddr, VirtAddr } from './addr.ts';
import { LEVEL_NAMES, PAGE_2M, PAGE_4K, type Level, type PageSize } from './types.ts';
import { toHex, type U64 } from './u64.ts';

/** A right an intermediate entry can withhold from everything below it (PG.PERM.*.COMBINE). */
export type Right = 'writable' | 'user' | 'executable';

/**
 * Everything the mapper can refuse, as data. Each variant names the address and the
 * paging level involved so a message can say exactly what went wrong; on any error the
 * operation has written nothing and taken no frames.
 */
export type MapperError =
  /** The linear address's bits 63:47 are not all equal (PG.CANON.GP). */
  | { readonly kind: 'NonCanonical'; readonly va: VirtAddr }
  /** A physical range edge is not a non-negative safe integer (negative, fractional, NaN, 2^53 or more). */
  | { readonly kind: 'NotAnAddress'; readonly what: 'range edge'; readonly value: number }
  /** The virtual address or frame is not aligned to the page size. */
  | { readonly kind: 'Misaligned'; readonly what: 'virtual address' | 'frame'; readonly value: U64; readonly size: PageSize }
  /** A 1 GiB page on a CPU without 1 GiB-page support (PG.RSVD.PDPTE.PS_NO_1G). */
  | { readonly kind: 'HugePagesUnsupported'; readonly size: PageSize }
  /** The frame has address bits at or above MAXPHYADDR, which are reserved in entries (PG.RSVD.MAXPHYADDR). */
  | { readonly kind: 'FrameAboveMaxPhyAddr'; readonly frame: number; readonly maxPhyAddr: number }
  /** `executable: false` asks for XD, which is reserved while EFER.NXE = 0 (PG.RSVD.XD_WITHOUT_NXE). */
  | { readonly kind: 'NoExecuteDisabled' }
  /** The protection key is not an integer 0–15 (PG.PK.KEY_FIELD). */
  | { readonly kind: 'InvalidProtectionKey'; readonly pkey: number }
  /** The address lies in the PML4 slot that maps the page tables themselves. */
  | { readonly kind: 'InRecursiveWindow'; readonly va: VirtAddr; readonly slot: number }
  /** A present leaf already translates the page. */
  | { readonly kind: 'AlreadyMapped'; readonly va: VirtAddr; readonly level: Level; readonly entry: U64 }
  /** A huge page was asked for where a table of smaller pages is; mapping it would drop that subtree. */
  | { readonly kind: 'TableInTheWay'; readonly va: VirtAddr; readonly level: Level; readonly table: PhysAddr }
  /** A larger page covers the address and the caller chose `onHugePage: 'fail'`. */
  | { readonly kind: 'ParentIsHugePage'; readonly va: VirtAddr; readonly level: Level; readonly entry: U64 }
  /** Not enough frames for the tables the operation needs. */
  | { readonly kind: 'FrameAllocationFailed'; readonly needed: number; readonly remaining: number }
  /** Nothing is mapped there: the entry at `level` is not present. */
  | { readonly kind: 'NotMapped'; readonly va: VirtAddr; readonly level: Level }
  /** The page is mapped with smaller pages (a table sits at `level`), not as one page of the size asked for. */
  | { readonly kind: 'SizeMismatch'; readonly va: VirtAddr; readonly requested: PageSize; readonly level: Level }
  /**
   * An existing intermediate entry withholds a right the new leaf needs, and granting it
   * there would change another translation below that entry.
   */
  | { readonly kind: 'ParentRestrictsRights'; readonly va: VirtAddr; readonly level: Level; readonly right: Right }
  /** The entry exists at `entryPa`, but that frame lies outside the physical ranges the layout maps. */
  | { readonly kind: 'EntryNotVisible'; readonly va: VirtAddr; readonly level: Level; readonly entryPa: PhysAddr }
  /** An existing entry on the path is one the processor would fault on (reserved bits); the mapper will not build on it. */
  | { readonly kind: 'MalformedEntry'; readonly va: VirtAddr; readonly level: Level; readonly entryPa: PhysAddr; readonly entry: U64; readonly reason: string };

/** '4 KiB', '2 MiB' or '1 GiB'. */
export function sizeName(size: PageSize): string {
  return size === PAGE_4K ? '4 KiB' : size === PAGE_2M ? '2 MiB' : '1 GiB';
}

/** One line saying what went wrong, for CLI output and test failures. */
export function describeMapperError(e: MapperError): string {
  switch (e.kind) {
    case 'NonCanonical': return `virtual address ${toHex(e.va)} is not canonical`;
    case 'NotAnAddress': return `${e.what} ${e.value} is not a physical address (a non-negative safe integer)`;
    case 'Misaligned': return `${e.what} ${toHex(e.value)} is not aligned to ${sizeName(e.size)}`;
    case 'HugePagesUnsupported': return `${sizeName(e.size)} pages need the pdpe1gb feature`;
    case 'FrameAboveMaxPhyAddr': return `frame 0x${e.frame.toString(16)} is beyond MAXPHYADDR ${e.maxPhyAddr}`;
    case 'NoExecuteDisabled': return 'a non-executable page needs EFER.NXE = 1 (XD is reserved otherwise)';
    case 'InvalidProtectionKey': return `protection key ${e.pkey} is not an integer 0–15`;
    case 'InRecursiveWindow': return `virtual address ${toHex(e.va)} is in the recursive page-table slot ${e.slot}`;
    case 'AlreadyMapped': return `${toHex(e.va)} is already mapped by the ${LEVEL_NAMES[e.level]} ${toHex(e.entry)}`;
    case 'TableInTheWay': return `${toHex(e.va)}: the ${LEVEL_NAMES[e.level]} points to a table at 0x${e.table.toString(16)}; a huge page there would drop it`;
    case 'ParentIsHugePage': return `${toHex(e.va)} lies inside a huge page (${LEVEL_NAMES[e.level]} ${toHex(e.entry)})`;
    case 'FrameAllocationFailed': return `needed ${e.needed} page-table frame(s), only ${e.remaining} left`;
    case 'NotMapped': return `${toHex(e.va)} is not mapped (${LEVEL_NAMES[e.level]} not present)`;
    case 'SizeMismatch': return `${toHex(e.va)} is mapped with pages smaller than ${sizeName(e.requested)} (the ${LEVEL_NAMES[e.level]} points to a table)`;
    case 'ParentRestrictsRights': return `${toHex(e.va)}: the ${LEVEL_NAMES[e.level]} withholds '${e.right}' and granting it would change other translations`;
    case 'EntryNotVisible': return `${toHex(e.va)}: its ${LEVEL_NAMES[e.level]} at 0x${e.entryPa.toString(16)} is outside the ranges the layout maps`;
    case 'MalformedEntry': return `${toHex(e.va)}: the ${LEVEL_NAMES[e.level]} at 0x${e.entryPa.toString(16)} (${toHex(e.entry)}) is malformed: ${e.reason}`;
  }
}
