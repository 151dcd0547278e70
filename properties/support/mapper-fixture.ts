/**
 * What the mapper properties share: arbitraries for mapper configurations, page flags
 * and map requests; a fresh address space over its own memory; an abstract model of an
 * address space (page → frame, size, flags, plus which page tables exist) that predicts
 * whether each operation succeeds; and probes that check real translations with `walk`.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { physAddr, type PhysAddr } from '../../model/paging/addr.ts';
import { AddressSpace } from '../../model/paging/address-space.ts';
import { RangeFrameAllocator } from '../../model/paging/frames.ts';
import type { MapperConfig } from '../../model/paging/mapper-entries.ts';
import { pageFlags, type PageFlags } from '../../model/paging/mapper-flags.ts';
import { PhysMemory } from '../../model/paging/memory.ts';
import { walk } from '../../model/paging/walk.ts';
import { PAGE_1G, PAGE_2M, PAGE_4K, type PageSize, type PagingState } from '../../model/paging/types.ts';
import { toHex } from '../../model/paging/u64.ts';
import { canonical, toVirt } from './arbitraries.ts';

export const configArb: fc.Arbitrary<MapperConfig> = fc.record({
  maxPhyAddr: fc.constantFrom(36, 40, 46, 52),
  hugePages1G: fc.boolean(),
  noExecute: fc.boolean(),
});

/** Flags a mapper with `config` accepts (no XD without NXE), every combination otherwise. */
export function flagsArb(config: MapperConfig): fc.Arbitrary<PageFlags> {
  return fc.record({
    writable: fc.boolean(),
    user: fc.boolean(),
    executable: config.noExecute ? fc.boolean() : fc.constant(true),
    global: fc.boolean(),
    pkey: fc.oneof(fc.constant(0), fc.nat(15)),
    cache: fc.record({ pwt: fc.boolean(), pcd: fc.boolean(), pat: fc.boolean() }),
  }).map((f) => pageFlags(f));
}

export function sizeArb(config: MapperConfig): fc.Arbitrary<PageSize> {
  return config.hugePages1G
    ? fc.oneof({ weight: 6, arbitrary: fc.constant<PageSize>(PAGE_4K) }, { weight: 3, arbitrary: fc.constant<PageSize>(PAGE_2M) }, { weight: 1, arbitrary: fc.constant<PageSize>(PAGE_1G) })
    : fc.oneof({ weight: 2, arbitrary: fc.constant<PageSize>(PAGE_4K) }, { weight: 1, arbitrary: fc.constant<PageSize>(PAGE_2M) });
}

/**
 * A page-aligned linear address (low 48 bits) from a small alphabet of indices, so that
 * requests collide, nest inside each other's huge pages and share tables. PML4 slot 510
 * is left free for recursive layouts and slot 273 for the direct map.
 */
export function pageVa48Arb(size: PageSize): fc.Arbitrary<number> {
  return fc.record({
    i4: fc.constantFrom(0, 1, 256, 511),
    i3: fc.constantFrom(0, 1, 2, 511),
    i2: fc.constantFrom(0, 1, 2, 511),
    i1: fc.constantFrom(0, 1, 2, 511),
  }).map(({ i4, i3, i2, i1 }) => {
    const va = i4 * 2 ** 39 + i3 * 2 ** 30 + i2 * 2 ** 21 + i1 * 2 ** 12;
    return va - (va % size);
  });
}

/** A frame aligned to `size`, low or high in a `maxPhyAddr`-bit space. */
export function frameArb(size: PageSize, maxPhyAddr: number): fc.Arbitrary<number> {
  const count = 2 ** maxPhyAddr / size;
  return fc.oneof(fc.nat(Math.min(count - 1, 4096)), fc.integer({ min: Math.max(0, count - 4096), max: count - 1 }), fc.nat(count - 1))
    .map((n) => n * size);
}

export interface MapRequest {
  readonly va48: number;
  readonly frame: number;
  readonly size: PageSize;
  readonly flags: PageFlags;
}

export function mapRequestArb(config: MapperConfig): fc.Arbitrary<MapRequest> {
  return sizeArb(config).chain((size) =>
    fc.record({ va48: pageVa48Arb(size), frame: frameArb(size, config.maxPhyAddr), size: fc.constant(size), flags: flagsArb(config) }));
}

/** Where page tables come from: 16 MiB at 16 MiB (4,096 frames). */
export const TABLE_RANGE = { start: 0x100_0000, end: 0x200_0000 } as const;

export interface Fixture {
  readonly memory: PhysMemory;
  readonly allocator: RangeFrameAllocator;
  readonly space: AddressSpace;
}

export function newFixture(config: MapperConfig, range: { start: number; end: number } = TABLE_RANGE): Fixture {
  const memory = new PhysMemory();
  const alloc = RangeFrameAllocator.create(memory, [range]);
  if (!alloc.ok) throw new Error(`bad frame range: ${alloc.error.reason}`);
  const space = AddressSpace.create(memory, alloc.value, config);
  if (!space.ok) throw new Error(`cannot create a space: ${space.error.kind}`);
  return { memory, allocator: alloc.value, space: space.value };
}

// ── Abstract address space ────────────────────────────────────────────────────────

export interface AbstractPage {
  readonly base: number;
  readonly size: PageSize;
  readonly frame: number;
  readonly flags: PageFlags;
}

/** Why an operation must fail, or 'ok'. */
export type Prediction = 'ok' | 'AlreadyMapped' | 'ParentIsHugePage' | 'TableInTheWay' | 'NotMapped' | 'SizeMismatch';

/**
 * An address space as the SDM sees it after a mapper built it: which pages map where,
 * and which page tables exist (tables stay when their pages are unmapped).
 */
export class AbstractSpace {
  readonly pages = new Map<number, AbstractPage>();
  /** 1 GiB regions that have a page directory, 2 MiB regions that have a page table. */
  readonly pd = new Set<number>();
  readonly pt = new Set<number>();

  clone(): AbstractSpace {
    const c = new AbstractSpace();
    for (const [k, v] of this.pages) c.pages.set(k, v);
    for (const r of this.pd) c.pd.add(r);
    for (const r of this.pt) c.pt.add(r);
    return c;
  }

  /** The page that holds `va48`, if any. */
  covering(va48: number): AbstractPage | undefined {
    for (const size of [PAGE_4K, PAGE_2M, PAGE_1G] as const) {
      const p = this.pages.get(va48 - (va48 % size));
      if (p !== undefined && p.size === size) return p;
    }
    return undefined;
  }

  /** What `map` must do, with `split` when huge pages are split. */
  predictMap(va48: number, size: PageSize, split: boolean): Prediction {
    const g = va48 - (va48 % PAGE_1G);
    const m = va48 - (va48 % PAGE_2M);
    const huge1g = this.pages.get(g);
    if (huge1g !== undefined && huge1g.size === PAGE_1G) {
      if (size === PAGE_1G) return 'AlreadyMapped';
      return split ? 'ok' : 'ParentIsHugePage';
    }
    if (size === PAGE_1G) return this.pd.has(g) ? 'TableInTheWay' : 'ok';
    const huge2m = this.pages.get(m);
    if (huge2m !== undefined && huge2m.size === PAGE_2M) {
      if (size === PAGE_2M) return 'AlreadyMapped';
      return split ? 'ok' : 'ParentIsHugePage';
    }
    if (size === PAGE_2M) return this.pt.has(m) ? 'TableInTheWay' : 'ok';
    return this.pages.has(va48) ? 'AlreadyMapped' : 'ok';
  }

  /** Records a successful map (splitting any huge page it lands in). */
  applyMap(page: AbstractPage): void {
    const g = page.base - (page.base % PAGE_1G);
    const m = page.base - (page.base % PAGE_2M);
    const huge1g = this.pages.get(g);
    if (page.size !== PAGE_1G && huge1g !== undefined && huge1g.size === PAGE_1G) this.split(huge1g);
    const huge2m = this.pages.get(m);
    if (page.size === PAGE_4K && huge2m !== undefined && huge2m.size === PAGE_2M) this.split(huge2m);
    if (page.size !== PAGE_1G) this.pd.add(g);
    if (page.size === PAGE_4K) this.pt.add(m);
    this.pages.set(page.base, page);
  }

  private split(p: AbstractPage): void {
    const piece = p.size === PAGE_1G ? PAGE_2M : PAGE_4K;
    this.pages.delete(p.base);
    for (let i = 0; i < 512; i++) this.pages.set(p.base + i * piece, { base: p.base + i * piece, size: piece, frame: p.frame + i * piece, flags: p.flags });
    (p.size === PAGE_1G ? this.pd : this.pt).add(p.base);
  }

  /**
   * `unmap` and `protect` (without splitting) need a page of exactly this size at exactly
   * this address: inside a larger page they fail ParentIsHugePage, where a table of
   * smaller pages sits they fail SizeMismatch, otherwise NotMapped.
   */
  predictExact(va48: number, size: PageSize): Prediction {
    const p = this.pages.get(va48);
    if (p !== undefined && p.size === size) return 'ok';
    const around = this.covering(va48);
    if (around !== undefined && around.size > size) return 'ParentIsHugePage';
    if (size === PAGE_1G && this.pd.has(va48)) return 'SizeMismatch';
    if (size === PAGE_2M && this.pt.has(va48)) return 'SizeMismatch';
    return 'NotMapped';
  }
}

// ── Probes ────────────────────────────────────────────────────────────────────────

/** Addresses inside a page worth checking: its first and last qword and one in the middle. */
export function probesOf(p: AbstractPage): number[] {
  return [p.base, p.base + p.size - 8, p.base + (p.size / 2 + 0x458)];
}

/** The translation `walk` gives for a supervisor read, in a comparable form. */
export function translationAt(state: PagingState, va48: number): string {
  const r = walk(state, { va: toVirt(canonical(BigInt(va48))), kind: 'read', implicit: false });
  if (r.outcome === 'ok') return `ok 0x${r.pa.toString(16)} ${r.rights.writable ? 'w' : '-'}${r.rights.user ? 'u' : '-'}${r.rights.executable ? 'x' : '-'} ${r.pageSize}`;
  return r.vector === 14 ? `pf 0x${r.errorCode.toString(16)}` : 'gp';
}

/** What `translationAt` must say for an address of an abstract page. */
export function expectedTranslation(p: AbstractPage | undefined, va48: number, config: MapperConfig): string {
  if (p === undefined) return 'pf 0x0';
  const f = p.flags;
  const x = f.executable || !config.noExecute;
  return `ok 0x${(p.frame + (va48 - p.base)).toString(16)} ${f.writable ? 'w' : '-'}${f.user ? 'u' : '-'}${x ? 'x' : '-'} ${p.size}`;
}

/** Checks every probe of every page of `abs` (at most `limit` pages, spread evenly) plus `extra` addresses. */
export function expectSpaceMatches(
  state: PagingState, abs: AbstractSpace, config: MapperConfig, extra: readonly number[] = [], limit = Infinity,
): void {
  const pages = [...abs.pages.values()];
  const step = Math.max(1, Math.ceil(pages.length / limit));
  const got: string[] = [];
  const want: string[] = [];
  const check = (va48: number): void => {
    got.push(`${va48.toString(16)}: ${translationAt(state, va48)}`);
    want.push(`${va48.toString(16)}: ${expectedTranslation(abs.covering(va48), va48, config)}`);
  };
  for (let i = 0; i < pages.length; i += step) for (const va of probesOf(pages[i]!)) check(va);
  for (const va of extra) check(va);
  expect(got).toEqual(want);
}

export const hexVa = (va48: number): string => toHex(toVirt(canonical(BigInt(va48))));
export const pa = (n: number): PhysAddr => physAddr(n);
