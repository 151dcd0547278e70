import { physAddr, virtAddr, type VirtAddr } from '../../model/paging/addr.ts';
import { P, PS, RW } from '../../model/paging/entry.ts';
import { PhysMemory } from '../../model/paging/memory.ts';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, CR4_PKE, CR4_SMAP, CR4_SMEP, EFER_LMA, EFER_LME, EFER_NXE, RFLAGS_AC } from '../../model/paging/regs.ts';
import type { Access, AccessKind, Cpl, Level, PagingState } from '../../model/paging/types.ts';
import { fromNumber, u64, type U64 } from '../../model/paging/u64.ts';
import type { CpuProfile } from './profiles.ts';

/**
 * A readable way to build one paging vector's state: a single chain of tables from
 * CR3 down to the page, at fixed small physical addresses inside the runner's vector
 * windows (spec/vector-constraints.ts), with the flags of each level given by name.
 *
 * Layout: PML4 at 0x1000, PDPT at 0x2000, PD at 0x3000, PT at 0x4000; a 4-KiB page at
 * 0x5000, a 2-MiB page at 0x200000, a 1-GiB page at frame 0 (the access offset puts the
 * byte inside the 1 MiB–128 MiB window).
 */
export const TABLE_PA: Record<Level, number> = { 4: 0x1000, 3: 0x2000, 2: 0x3000, 1: 0x4000 };
export const PAGE_PA = { '4K': 0x5000, '2M': 0x20_0000, '1G': 0 } as const;
export type PageSizeName = keyof typeof PAGE_PA;
export const LEAF_LEVEL: Record<PageSizeName, Level> = { '4K': 1, '2M': 2, '1G': 3 };

/** Changes to one entry, on top of the default P|RW (plus PS in a huge leaf). */
export interface EntryEdit {
  /** Low-half bits to set / clear. */
  readonly set?: number;
  readonly clear?: number;
  /** High-half bits (63:32) to set / clear. */
  readonly setHi?: number;
  readonly clearHi?: number;
  /** Replaces the frame address (default: the next table or the page). */
  readonly frame?: number;
}

export interface ScenarioOptions {
  readonly profile: CpuProfile;
  readonly kind?: AccessKind;
  readonly cpl?: Cpl;
  readonly implicit?: boolean;
  /** Control bits; defaults: WP 1, NXE 1 when the CPU has nx, SMEP/SMAP/PKE/AC 0. */
  readonly wp?: boolean;
  readonly nxe?: boolean;
  readonly smep?: boolean;
  readonly smap?: boolean;
  readonly pke?: boolean;
  readonly ac?: boolean;
  readonly pkru?: number;
  /** CR3 bits 11:0 (ignored by the walk with PCIDE = 0). */
  readonly cr3Low?: number;
  readonly pageSize?: PageSizeName;
  /** Indexes at PML4/PDPT/PD/PT level (defaults 0, 0, 2, 3) and the byte offset in the page (DEFAULT_OFFSET). */
  readonly index?: Partial<Record<Level, number>>;
  readonly offset?: number;
  /** Sign-extend bit 47 (default) or give bits 63:48 explicitly. */
  readonly vaHigh16?: number;
  readonly entries?: Partial<Record<Level, EntryEdit>>;
  /** Level whose entry is the last one written (the chain stops there); default the leaf. */
  readonly lastLevel?: Level;
  /** Write no chain at all: memory is exactly `extra` (recursive slots, shared tables). */
  readonly noChain?: boolean;
  /** Extra qwords to list (e.g. neighbour entries, a recursive slot); they win over the chain. */
  readonly extra?: readonly { readonly pa: number; readonly value: U64 }[];
}

export interface Scenario {
  readonly state: PagingState;
  readonly access: Access;
}

/**
 * Default byte offsets in the page: small ones, and for a 1-GiB page at frame 0 one
 * that lands inside the 1 MiB–128 MiB window.
 */
export const DEFAULT_OFFSET: Record<PageSizeName, number> = { '4K': 0x10, '2M': 0x3010, '1G': 0x40_3010 };

/** The linear address the options describe. */
export function scenarioVa(o: ScenarioOptions): VirtAddr {
  const idx = { 4: 0, 3: 0, 2: 2, 1: 3, ...o.index };
  const size = o.pageSize ?? '4K';
  let low = idx[4] * 2 ** 39 + idx[3] * 2 ** 30;
  const offset = o.offset ?? DEFAULT_OFFSET[size];
  if (size === '1G') low += offset;
  else if (size === '2M') low += idx[2] * 2 ** 21 + offset;
  else low += idx[2] * 2 ** 21 + idx[1] * 2 ** 12 + offset;
  const v = fromNumber(low);
  const high16 = o.vaHigh16 ?? ((v.hi & 0x8000) !== 0 ? 0xffff : 0);
  return virtAddr(u64(((high16 << 16) | (v.hi & 0xffff)) >>> 0, v.lo));
}

/** Builds the state and access the options describe. */
export function buildScenario(o: ScenarioOptions): Scenario {
  const size = o.pageSize ?? '4K';
  const leaf = LEAF_LEVEL[size];
  const last = o.lastLevel ?? leaf;
  const va = scenarioVa(o);
  const memory = new PhysMemory();
  const idx = indexesOf(va);
  for (let level = 4 as Level; !o.noChain && level >= last; level = (level - 1) as Level) {
    const edit = o.entries?.[level] ?? {};
    const isLeaf = level === leaf;
    const frame = edit.frame ?? (isLeaf ? PAGE_PA[size] : TABLE_PA[(level - 1) as Level]);
    let lo = (frame % 2 ** 32) | P | RW | (isLeaf && level > 1 ? PS : 0);
    let hi = Math.floor(frame / 2 ** 32);
    lo = (lo | (edit.set ?? 0)) & ~(edit.clear ?? 0);
    hi = (hi | (edit.setHi ?? 0)) & ~(edit.clearHi ?? 0);
    memory.write64(physAddr(TABLE_PA[level] + idx[level] * 8), u64(hi >>> 0, lo >>> 0));
    if (level === 1) break;
  }
  for (const q of o.extra ?? []) memory.write64(physAddr(q.pa), q.value);
  const nx = o.profile.features.includes('nx');
  const cr0 = CR0_PG | CR0_PE | (o.wp ?? true ? CR0_WP : 0) | 0x32; // ET, NE, MP as firmware leaves them
  const cr4 = CR4_PAE | (o.smep ? CR4_SMEP : 0) | (o.smap ? CR4_SMAP : 0) | (o.pke ? CR4_PKE : 0);
  const efer = EFER_LME | EFER_LMA | 0x1 /* SCE */ | (o.nxe ?? nx ? EFER_NXE : 0);
  return {
    state: {
      cpu: { maxPhyAddr: o.profile.maxphyaddr, features: new Set(o.profile.features) },
      regs: {
        cr0: u64(0, cr0), cr3: u64(0, TABLE_PA[4] | (o.cr3Low ?? 0)), cr4: u64(0, cr4), efer: u64(0, efer),
        rflags: u64(0, 0x2 | (o.ac ? RFLAGS_AC : 0)), pkru: o.pkru ?? 0, cpl: o.cpl ?? 0,
      },
      memory,
    },
    access: { va, kind: o.kind ?? 'read', implicit: o.implicit ?? false },
  };
}

/** The table index of `va` at each level. */
export function indexesOf(va: U64): Record<Level, number> {
  const low = (va.hi & 0xffff) * 2 ** 32 + va.lo;
  return {
    4: Math.floor(low / 2 ** 39) % 512,
    3: Math.floor(low / 2 ** 30) % 512,
    2: Math.floor(low / 2 ** 21) % 512,
    1: Math.floor(low / 2 ** 12) % 512,
  };
}
