/**
 * One pass over every page-table entry reachable from a CR3: the frames that hold
 * tables, the present entries with XD set, and the entries whose address has bits at or
 * above MAXPHYADDR. A table reachable twice (a recursive slot, shared tables) is read
 * once.
 */
import { canonicalFrom48, type PhysAddr, type VirtAddr } from '../paging/addr.ts';
import { P, PS, XD_HI } from '../paging/entry.ts';
import type { PhysMemory } from '../paging/memory.ts';
import type { Level } from '../paging/types.ts';

/** One entry the scan flags, with the linear range it covers (entries below it included). */
export interface FlaggedEntry {
  readonly level: Level;
  readonly entryPa: number;
  /** First linear address whose walk uses this entry. */
  readonly va: VirtAddr;
  /** Bytes of linear address space under this entry. */
  readonly span: number;
}

export interface TableScan {
  /** Physical addresses of every table frame reached (PML4 included), ascending. */
  readonly tables: readonly number[];
  readonly xdEntries: readonly FlaggedEntry[];
  readonly beyondMaxPhyAddr: readonly FlaggedEntry[];
}

const SPAN: Record<Level, number> = { 4: 2 ** 39, 3: 2 ** 30, 2: 2 ** 21, 1: 2 ** 12 };

/** Scans the tables under `pml4` (a physical address). */
export function scanTables(memory: PhysMemory, pml4: number, maxPhyAddr: number): TableScan {
  const tables = new Set<number>();
  const xdEntries: FlaggedEntry[] = [];
  const beyond: FlaggedEntry[] = [];
  // Bits 51:MAXPHYADDR of an entry's high half (entries carry addresses up to bit 51).
  const beyondMaskHi = maxPhyAddr >= 52 ? 0 : (0x000f_ffff & ~((2 ** Math.max(0, maxPhyAddr - 32)) - 1)) >>> 0;

  const visit = (table: number, level: Level, vaBase: number): void => {
    if (tables.has(table)) return;
    tables.add(table);
    for (let i = 0; i < 512; i++) {
      const entryPa = table + i * 8;
      const e = memory.read64(entryPa as PhysAddr);
      const lo = e.lo;
      if ((lo & P) === 0) continue;
      const hi = e.hi;
      const va48 = vaBase + i * SPAN[level];
      const flagged = { level, entryPa, va: canonicalFrom48(va48), span: SPAN[level] };
      if ((hi & XD_HI) !== 0) xdEntries.push(flagged);
      if ((hi & beyondMaskHi) !== 0) {
        beyond.push(flagged);
        continue;
      }
      const leaf = level === 1 || (level !== 4 && (lo & PS) !== 0);
      if (!leaf) visit((hi & 0x000f_ffff) * 2 ** 32 + ((lo & 0xffff_f000) >>> 0), (level - 1) as Level, va48);
    }
  };
  visit(pml4, 4, 0);
  return { tables: [...tables].sort((a, b) => a - b), xdEntries, beyondMaxPhyAddr: beyond };
}
