import type { PhysAddr, VirtAddr } from '../paging/addr.ts';
import { AddressSpace } from '../paging/address-space.ts';
import { RangeFrameAllocator } from '../paging/frames.ts';
import type { MapperError } from '../paging/mapper-errors.ts';
import { pageFlags } from '../paging/mapper-flags.ts';
import { PhysMemory } from '../paging/memory.ts';
import { fromBigInt } from '../paging/u64.ts';
import { PAGE_4K, type PagingState } from '../paging/types.ts';
import { sourceOf, type Diagnostic } from './diagnostics.ts';
import { hex } from './errors.ts';
import { PAGE } from './layout.ts';
import { physOf, planLoad, type LoadOptions, type LoadPlan } from './plan.ts';
import type { ElfFile } from './types.ts';

/** Options for loading into the paging model. */
export interface LoadIntoOptions extends LoadOptions {
  /** Physical memory to load into (a fresh one by default). */
  readonly memory?: PhysMemory;
  /** MAXPHYADDR of the modelled CPU (default 52). */
  readonly maxPhyAddr?: number;
}

export type LoadResult =
  | {
    readonly ok: true;
    readonly plan: LoadPlan;
    readonly file: ElfFile;
    readonly memory: PhysMemory;
    readonly space: AddressSpace;
    /** 4-level paging with CR3 at the new tables, CR0.WP and EFER.NXE set, CPL 0. */
    readonly state: PagingState;
  }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Loads an ELF image into the paging model: plans it (`planLoad`), zeroes every page the
 * plan maps, copies the file bytes (ELF.LOAD.FILE_BYTES) so that the rest up to p_memsz
 * reads zero (ELF.LOAD.ZERO_TAIL), applies the relocations, then builds 4-level tables
 * mapping exactly the planned pages (ELF.LOAD.ONLY_SEGMENTS) with the planned rights
 * (ELF.LOAD.RIGHTS, RELRO already read-only: ELF.LOAD.RELRO_READONLY). Page tables take
 * frames just above the highest frame the image uses.
 */
export function loadElf(bytes: Uint8Array, options: LoadIntoOptions = {}): LoadResult {
  const planned = planLoad(bytes, options);
  if (!planned.ok) return planned;
  const { plan, file } = planned;
  const memory = options.memory ?? new PhysMemory();
  const maxPhyAddr = options.maxPhyAddr ?? 52;

  let top = 0;
  for (const r of plan.pages) {
    for (let i = 0; i < r.count; i++) memory.zeroFrame((r.pa + i * 4096) as PhysAddr);
    top = Math.max(top, r.pa + r.count * 4096);
  }
  for (const s of plan.segments) copySegment(memory, plan, file, s.vaddr, s.offset, s.filesz);
  for (const rel of plan.relocations) writeQword(memory, plan, rel.va, rel.value);

  const pageTotal = plan.pages.reduce((n, r) => n + r.count, 0);
  // Enough for every table level of every page, plus slack; the allocator fails cleanly if not.
  const tableFrames = 1 + 3 * plan.pages.length + 3 * Math.ceil(pageTotal / 512) + 8;
  const tablesEnd = top + tableFrames * 4096;
  if (tablesEnd > 2 ** maxPhyAddr) return mapFailure({ kind: 'FrameAboveMaxPhyAddr', frame: top, maxPhyAddr });
  const allocator = RangeFrameAllocator.create(memory, [{ start: top, end: tablesEnd }]);
  /* v8 ignore next -- the range above is aligned, non-empty and below 2^52 by construction */
  if (!allocator.ok) throw new Error(`internal: table frame range rejected: ${allocator.error.reason}`);
  const created = AddressSpace.create(memory, allocator.value, { maxPhyAddr, hugePages1G: false, noExecute: true });
  /* v8 ignore next -- a fresh allocator always has the root frame */
  if (!created.ok) return mapFailure(created.error);
  const space = created.value;
  for (const r of plan.pages) {
    const flags = pageFlags({ writable: r.writable, executable: r.executable, user: false });
    for (let i = 0; i < r.count; i++) {
      const va = fromBigInt(r.va + BigInt(i) * PAGE) as VirtAddr;
      const m = space.map(va, (r.pa + i * 4096) as PhysAddr, PAGE_4K, flags);
      if (!m.ok) return mapFailure(m.error);
    }
  }
  return { ok: true, plan, file, memory, space, state: space.pagingState() };
}

function mapFailure(e: MapperError): LoadResult {
  const clause = e.kind === 'FrameAboveMaxPhyAddr' ? 'ELF.LOAD.PADDR' : 'ELF.LOAD.SIZE_LIMIT';
  return {
    ok: false,
    diagnostics: [{ clause, source: sourceOf(clause), severity: 'error', field: 'load', offset: 0, message: `the page tables could not be built: ${JSON.stringify(e)}` }],
  };
}

/** Copies a segment's file bytes page by page to wherever the plan put each page. */
function copySegment(memory: PhysMemory, plan: LoadPlan, file: ElfFile, vaddr: bigint, offset: bigint, filesz: bigint): void {
  let done = 0n;
  while (done < filesz) {
    const va = vaddr + done;
    const chunk = minBig(filesz - done, PAGE - (va % PAGE));
    const pa = physOf(plan.pages, va)!;
    const start = Number(offset + done);
    memory.writeBytes(pa as PhysAddr, file.bytes.subarray(start, start + Number(chunk)));
    done += chunk;
  }
}

/** Writes a little-endian qword at a virtual address of the image (it may straddle a page). */
function writeQword(memory: PhysMemory, plan: LoadPlan, va: bigint, value: bigint): void {
  for (let i = 0; i < 8; i++) {
    const pa = physOf(plan.pages, va + BigInt(i));
    /* v8 ignore next -- validate (ELF.RELOC.TARGET) guarantees every target byte is mapped */
    if (pa === undefined) throw new Error(`internal: relocation target ${hex(va)} is not mapped`);
    memory.writeByte(pa as PhysAddr, Number((value >> BigInt(8 * i)) & 0xffn));
  }
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
