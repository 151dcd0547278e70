import { canonicalFrom48, physAddr } from '../../model/paging/addr.ts';
import { ADDR_1G_LO, ADDR_2M_LO, ADDR_4K_LO, G, P, PS, RW, US, XD_HI, pkeyOf } from '../../model/paging/entry.ts';
import type { PhysMemory } from '../../model/paging/memory.ts';
import { modeOf, type Mode } from '../../model/paging/mode.ts';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, EFER_LMA, EFER_LME, EFER_NXE } from '../../model/paging/regs.ts';
import { reservedBitRule } from '../../model/paging/rules.ts';
import type { CpuModel, Level } from '../../model/paging/types.ts';
import { toHex, u64, fromNumber } from '../../model/paging/u64.ts';
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import type { PageSizeName } from '../io/mapper.ts';

/**
 * The meaning of a set of page tables, independent of where its tables live: every
 * translation they give, as merged ranges. Two mappers that allocate frames differently
 * but map the same pages with the same rights give the same list (suite `mapper`).
 */
export type { PageSizeName } from '../io/mapper.ts';

export interface TranslationFlags {
  /** R/W = 1 at every level (PG.PERM.RW.COMBINE). */
  readonly writable: boolean;
  /** U/S = 1 at every level (PG.PERM.US.COMBINE). */
  readonly user: boolean;
  /** No XD at any level, or NXE = 0 (PG.PERM.XD.COMBINE, PG.PERM.NXE_OFF). */
  readonly executable: boolean;
  /** G in the leaf. */
  readonly global: boolean;
  /** Protection key of the leaf (PG.PK.KEY_FIELD). */
  readonly pkey: number;
}

/** `length` bytes from linear address bits 47:0 `va48` map to `pa` onwards. */
export interface TranslationRange {
  readonly va48: number;
  readonly pa: number;
  readonly length: number;
  readonly pageSize: PageSizeName;
  readonly flags: TranslationFlags;
}

/** A present entry the processor would fault on: it gives no translation. */
export interface MalformedEntry {
  readonly entryPa: number;
  readonly level: Level;
  readonly clause: PagingClauseId;
}

export interface TranslationSet {
  readonly ranges: TranslationRange[];
  readonly malformed: MalformedEntry[];
  /** More than `limit` leaves: the list stops there (recursive or heavily shared tables). */
  readonly truncated: boolean;
}

const SHIFT: Record<Level, number> = { 4: 39, 3: 30, 2: 21, 1: 12 };
const SIZE_AT: Record<Level, PageSizeName> = { 4: '4K', 3: '1G', 2: '2M', 1: '4K' };

/** The mode a mapper's tables are read under: 4-level paging, NXE as given. */
export function mapperMode(cpu: CpuModel, cr3: number, nxe: boolean): Mode {
  return modeOf(cpu, {
    cr0: u64(0, (CR0_PG | CR0_PE | CR0_WP) >>> 0), cr3: fromNumber(cr3), cr4: u64(0, CR4_PAE),
    efer: u64(0, EFER_LME | EFER_LMA | (nxe ? EFER_NXE : 0)), rflags: u64(0, 2), pkru: 0, cpl: 0,
  });
}

/** Every translation of the tables under `cr3`, in ascending linear-address order. */
export function enumerateTranslations(memory: PhysMemory, cpu: CpuModel, cr3: number, nxe: boolean, limit = 1 << 20): TranslationSet {
  const mode = mapperMode(cpu, cr3, nxe);
  const ranges: TranslationRange[] = [];
  const malformed: MalformedEntry[] = [];
  let leaves = 0;
  let truncated = false;

  const add = (r: TranslationRange) => {
    const prev = ranges[ranges.length - 1];
    if (prev !== undefined && prev.pageSize === r.pageSize && prev.va48 + prev.length === r.va48 && prev.pa + prev.length === r.pa && sameFlags(prev.flags, r.flags)) {
      ranges[ranges.length - 1] = { ...prev, length: prev.length + r.length };
    } else ranges.push(r);
  };

  const visit = (table: number, level: Level, base48: number, writable: boolean, user: boolean, xd: boolean): void => {
    // Tables are 4 KiB-aligned, so one frame holds all 512 entries; a frame never written maps nothing.
    const words = memory.frameWords(physAddr(table));
    if (words === undefined) return;
    for (let i = 0; i < 512 && !truncated; i++) {
      const entryPa = table + i * 8;
      const lo = words[2 * i]!;
      if ((lo & P) === 0) continue;
      const hi = words[2 * i + 1]!;
      const rule = reservedBitRule(level, lo, hi, mode);
      if (rule !== null) {
        malformed.push({ entryPa, level, clause: rule });
        continue;
      }
      const va48 = base48 + i * 2 ** SHIFT[level];
      const w = writable && (lo & RW) !== 0;
      const u = user && (lo & US) !== 0;
      const x = xd || (mode.nxe && (hi & XD_HI) !== 0);
      const leaf = level === 1 || (level < 4 && (lo & PS) !== 0);
      if (!leaf) {
        visit((hi & mode.addrHi) * 2 ** 32 + ((lo & ADDR_4K_LO) >>> 0), (level - 1) as Level, va48, w, u, x);
        continue;
      }
      if (++leaves > limit) {
        truncated = true;
        return;
      }
      const frameLo = level === 3 ? ADDR_1G_LO : level === 2 ? ADDR_2M_LO : ADDR_4K_LO;
      add({
        va48, pa: (hi & mode.addrHi) * 2 ** 32 + ((lo & frameLo) >>> 0), length: 2 ** SHIFT[level], pageSize: SIZE_AT[level],
        flags: { writable: w, user: u, executable: !x, global: (lo & G) !== 0, pkey: pkeyOf(hi) },
      });
    }
  };
  visit(mode.pml4Hi * 2 ** 32 + mode.pml4Lo, 4, 0, true, true, false);
  return { ranges, malformed, truncated };
}

function sameFlags(a: TranslationFlags, b: TranslationFlags): boolean {
  return a.writable === b.writable && a.user === b.user && a.executable === b.executable && a.global === b.global && a.pkey === b.pkey;
}

/** The JSON form of a range (spec/schemas/mapper-expect.schema.json `translation`). */
export interface TranslationJson {
  va: string;
  pa: string;
  length: string;
  pageSize: PageSizeName;
  flags: { writable: boolean; user: boolean; executable: boolean; global: boolean; pkey: number };
}

export function translationToJson(r: TranslationRange): TranslationJson {
  return {
    va: toHex(canonicalFrom48(r.va48)), pa: toHex(fromNumber(r.pa)), length: toHex(fromNumber(r.length)), pageSize: r.pageSize,
    flags: { writable: r.flags.writable, user: r.flags.user, executable: r.flags.executable, global: r.flags.global, pkey: r.flags.pkey },
  };
}
