/**
 * The paging benchmark's workloads, built with the model's own mapper, and their export
 * to the binary file the C driver (walkbench.c) reads, so the model and the C walker
 * translate exactly the same addresses through exactly the same tables.
 *
 * File format (little-endian):
 *   "X64WALK1"                      8 bytes
 *   cr0 cr3 cr4 efer rflags         5 × u64
 *   pkru cpl maxphyaddr features    4 × u32 (features: bit0 nx, bit4 pdpe1gb, as paging.h)
 *   frameCount vaCount              2 × u64
 *   frameCount × (pa u64, 4096 bytes of the frame)
 *   vaCount × u64 linear address
 */
import { writeFileSync } from 'node:fs';
import { virtAddr, type PhysAddr, type VirtAddr } from '../../../model/paging/addr.ts';
import { performAccess } from '../../../model/paging/access.ts';
import { pageFlags } from '../../../model/paging/mapper-flags.ts';
import { mapperFixture } from '../../../model/paging/mapper-fixture.ts';
import { describeMapperError } from '../../../model/paging/mapper-errors.ts';
import type { AddressSpace } from '../../../model/paging/address-space.ts';
import { u64 } from '../../../model/paging/u64.ts';
import { PAGE_1G, PAGE_2M, PAGE_4K, type PageSize, type PagingState } from '../../../model/paging/types.ts';

export interface Workload {
  readonly name: string;
  readonly state: PagingState;
  /** The addresses to translate, in order (all mapped; every access is a supervisor read). */
  readonly vas: readonly VirtAddr[];
  readonly pages: { readonly pages4K: number; readonly pages2M: number; readonly pages1G: number };
}

/** mulberry32: a small deterministic PRNG, so every run measures the same addresses. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WB = pageFlags({ writable: true });

function mapOrThrow(space: AddressSpace, va: number, frame: number, size: PageSize): void {
  const done = space.map(virtAddr(u64(Math.floor(va / 2 ** 32), va % 2 ** 32)), frame as PhysAddr, size, WB);
  if (!done.ok) throw new Error(`building the workload: ${describeMapperError(done.error)}`);
}

interface Mapped { readonly va: number; readonly size: PageSize }

/** Picks `count` addresses: a random mapped page, then a random 8-byte-aligned offset in it. */
function addresses(mapped: readonly Mapped[], count: number, rand: () => number): VirtAddr[] {
  const vas: VirtAddr[] = [];
  for (let i = 0; i < count; i++) {
    const page = mapped[Math.floor(rand() * mapped.length)]!;
    const at = page.va + Math.floor(rand() * (page.size / 8)) * 8;
    vas.push(virtAddr(u64(Math.floor(at / 2 ** 32), at % 2 ** 32)));
  }
  return vas;
}

/** Sets the accessed flags every access will need, so no timed translation writes memory. */
function warm(state: PagingState, mapped: readonly Mapped[]): void {
  for (const m of mapped) {
    const r = performAccess(state, { va: virtAddr(u64(Math.floor(m.va / 2 ** 32), m.va % 2 ** 32)), kind: 'read', implicit: false });
    if (r.outcome !== 'ok') throw new Error(`workload page 0x${m.va.toString(16)} does not translate`);
  }
}

export interface RandomOptions {
  readonly pages4K?: number;
  readonly pages2M?: number;
  readonly pages1G?: number;
  readonly vaCount?: number;
  readonly seed?: number;
}

/**
 * 100k 4 KiB pages scattered over the first 4 GiB (about one slot in ten, so the walk
 * touches ~2,000 page tables), 64 2 MiB pages in the 64–66 GiB range, 4 1 GiB pages at
 * 512 GiB; addresses drawn uniformly over the mapped pages.
 */
export function randomWorkload(options: RandomOptions = {}): Workload {
  const { pages4K = 100_000, pages2M = 64, pages1G = 4, vaCount = 1 << 18, seed = 0x5eed } = options;
  const rand = prng(seed);
  const { space } = mapperFixture({}, { start: 0x100_0000, end: 0x500_0000 });
  const mapped: Mapped[] = [];
  const used = new Set<number>();
  while (used.size < pages4K) {
    const slot = Math.floor(rand() * (2 ** 32 / PAGE_4K));
    if (used.has(slot)) continue;
    used.add(slot);
    mapped.push({ va: slot * PAGE_4K, size: PAGE_4K });
  }
  const used2M = new Set<number>();
  while (used2M.size < pages2M) used2M.add(Math.floor(rand() * 1024));
  for (const i of used2M) mapped.push({ va: 64 * PAGE_1G + i * PAGE_2M, size: PAGE_2M });
  for (let i = 0; i < pages1G; i++) mapped.push({ va: 512 * PAGE_1G + i * PAGE_1G, size: PAGE_1G });
  for (const m of mapped) {
    // Data frames are never read by a walk; any aligned frame below MAXPHYADDR will do.
    const frame = m.size === PAGE_4K ? 0x4000_0000 + Math.floor(rand() * 2 ** 20) * PAGE_4K : 2 ** 40 + Math.floor(rand() * 64) * m.size;
    mapOrThrow(space, m.va, frame, m.size);
  }
  const state = space.pagingState();
  warm(state, mapped);
  return { name: 'random', state, vas: addresses(mapped, vaCount, rand), pages: { pages4K, pages2M, pages1G } };
}

/** 16 4 KiB pages spread over a few page tables, translated over and over. */
export function hotWorkload(vaCount = 1 << 16, seed = 0x407): Workload {
  const rand = prng(seed);
  const { space } = mapperFixture();
  const mapped: Mapped[] = [];
  for (let i = 0; i < 16; i++) {
    const va = 0x40_0000 + i * 37 * PAGE_4K * 16;
    mapOrThrow(space, va, 0x80_0000 + i * PAGE_4K, PAGE_4K);
    mapped.push({ va, size: PAGE_4K });
  }
  const state = space.pagingState();
  warm(state, mapped);
  return { name: 'hot', state, vas: addresses(mapped, vaCount, rand), pages: { pages4K: 16, pages2M: 0, pages1G: 0 } };
}

const FEATURE_BITS: Record<string, number> = { nx: 1, smep: 2, smap: 4, pku: 8, pdpe1gb: 16 };

/** Writes the workload in the walkbench file format; returns the number of bytes written. */
export function exportWorkload(w: Workload, path: string): number {
  const pfns = w.state.memory.framesInUse();
  const size = 8 + 5 * 8 + 4 * 4 + 2 * 8 + pfns.length * (8 + 4096) + w.vas.length * 8;
  const buf = Buffer.alloc(size);
  let at = buf.write('X64WALK1', 0, 'latin1');
  const r = w.state.regs;
  for (const v of [r.cr0, r.cr3, r.cr4, r.efer, r.rflags]) {
    buf.writeUInt32LE(v.lo, at);
    buf.writeUInt32LE(v.hi, at + 4);
    at += 8;
  }
  let features = 0;
  for (const f of w.state.cpu.features) features |= FEATURE_BITS[f] ?? 0;
  for (const v of [r.pkru, r.cpl, w.state.cpu.maxPhyAddr, features]) at = buf.writeUInt32LE(v >>> 0, at);
  at = buf.writeBigUInt64LE(BigInt(pfns.length), at);
  at = buf.writeBigUInt64LE(BigInt(w.vas.length), at);
  for (const pfn of pfns) {
    at = buf.writeBigUInt64LE(BigInt(pfn * PAGE_4K), at);
    const words = w.state.memory.frameWords((pfn * PAGE_4K) as PhysAddr)!;
    for (let i = 0; i < words.length; i++) at = buf.writeUInt32LE(words[i]!, at);
  }
  for (const va of w.vas) {
    buf.writeUInt32LE(va.lo, at);
    buf.writeUInt32LE(va.hi, at + 4);
    at += 8;
  }
  writeFileSync(path, buf);
  return size;
}
