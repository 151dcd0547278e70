/**
 * The model's own loader: lays out a kernel, its stacks and boot information in a
 * physical region, builds the new page tables with the mapper (model/paging/mapper.ts,
 * layouts.ts) in one of the common layouts, and returns the hand-off state. Breakages
 * reproduce the classic mistakes, one at a time, so the checker and OVMF can be
 * compared on each.
 */
import { canonicalFrom48, type PhysAddr, type VirtAddr } from '../paging/addr.ts';
import { AddressSpace } from '../paging/address-space.ts';
import { RangeFrameAllocator } from '../paging/frames.ts';
import { identityLayout, offsetLayout, RecursiveLayout, type RangeFailure } from '../paging/layouts.ts';
import { describeMapperError, type MapperError } from '../paging/mapper-errors.ts';
import type { Result } from '../paging/mapper-result.ts';
import type { BadFrameRange } from '../paging/frames.ts';
import { pageFlags, type PageFlags } from '../paging/mapper-flags.ts';
import { PhysMemory } from '../paging/memory.ts';
import { PAGE_1G, PAGE_4K, type Feature } from '../paging/types.ts';
import { fromBigInt, u64 } from '../paging/u64.ts';
import {
  EfiBootServicesData, EfiLoaderCode, ovmfLikeMap, retype, type MemoryDescriptor,
} from '../uefi/index.ts';
import type { HandoffState } from './state.ts';
import { planLoad } from '../elf/plan.ts';
import { PROFILES } from '../elf/profiles.ts';

export type Layout =
  /** gnu-efi style: trampoline identity-mapped, kernel in the higher half, NX data, guard-paged per-CPU stacks, recursive PML4 slot 510. */
  | 'recursive'
  /** A direct map of 64 TiB at 0xffff888000000000 in 1 GiB pages plus an identity map of the first 4 GiB. */
  | 'direct-map'
  /** Identity map of the loader region plus the higher-half kernel. */
  | 'identity-higher-half';

export const LAYOUTS: readonly Layout[] = ['recursive', 'direct-map', 'identity-higher-half'];

export type Breakage =
  | 'none'
  | 'trampoline-unmapped'
  | 'stack-unmapped'
  | 'xd-with-nxe-off'
  | 'entry-not-executable'
  | 'boot-info-unmapped'
  | 'tables-in-boot-services-data';

export const BREAKAGES: readonly Breakage[] = [
  'none', 'trampoline-unmapped', 'stack-unmapped', 'xd-with-nxe-off', 'entry-not-executable', 'boot-info-unmapped', 'tables-in-boot-services-data',
];

/** Where the code that runs at the switch lives inside its page (from the built trampoline). */
export interface CodeLayout {
  readonly trampolineLength: number;
  readonly afterCr3: number;
  readonly kernelLength: number;
}

/** The trampoline and kernel of harness/ovmf/app/switch.S (the OVMF tests pass the measured values). */
export const SWITCH_S_LAYOUT: CodeLayout = { trampolineLength: 0x42, afterCr3: 0x31, kernelLength: 0x37 };

export interface LoaderPlan {
  readonly layout: Layout;
  readonly breakage: Breakage;
  /** Physical base of the loader's region (4 MiB, 2 MiB-aligned). */
  readonly regionBase: number;
  readonly cpus: number;
  readonly stackPages: number;
  readonly maxPhyAddr: number;
  readonly code: CodeLayout;
  /** Frames set aside for page tables (default: the region from 1 MiB on, 768 frames). */
  readonly tableFrames?: number;
  /**
   * An ELF64 kernel to load instead of the one-page test kernel: its pages are planned by
   * model/elf (planLoad, rust-osdev profile: a page two segments share gets the union of
   * their rights) at physical addresses just above the region and mapped with those rights; the entry point is its e_entry. (The checker needs the mappings only,
   * so file bytes are not copied.)
   */
  readonly kernelElf?: Uint8Array;
}

export const DEFAULT_PLAN: LoaderPlan = {
  layout: 'recursive', breakage: 'none', regionBase: 0x200_0000, cpus: 4, stackPages: 4, maxPhyAddr: 40, code: SWITCH_S_LAYOUT,
};

export const REGION_BYTES = 0x40_0000;
export const KERNEL_VA = fromBigInt(0xffff_ffff_8000_0000n) as VirtAddr;
export const BOOT_INFO_VA = fromBigInt(0xffff_ffff_c020_0000n) as VirtAddr;
export const STACKS_VA = 0xffff_ffff_c040_0000n;
export const DIRECT_MAP_VA = fromBigInt(0xffff_8880_0000_0000n) as VirtAddr;
export const RECURSIVE_SLOT = 510;
/** The first qword of the boot information: the kernel prints it. */
export const BOOT_INFO_MAGIC = u64(0x7836_3473, 0x7065_6321);

/** A built hand-off: the checker's input and where the pieces are. */
export interface BuiltHandoff {
  readonly plan: LoaderPlan;
  readonly state: HandoffState;
  readonly trampolinePa: number;
  readonly kernelPa: number;
  readonly bootInfoPa: number;
  /** The boot-information pointer handed to the kernel. */
  readonly bootInfoVa: VirtAddr;
}

export class LoaderError extends Error {
  override readonly name = 'LoaderError';
}

type LoaderFailure = MapperError | RangeFailure | BadFrameRange;

function must<T>(r: Result<T, LoaderFailure>, what: string): T {
  if (r.ok) return r.value;
  const e = r.error;
  const detail = e.kind === 'RangeFailed' ? describeMapperError(e.cause)
    : e.kind === 'BadFrameRange' ? `the table frames [0x${e.range.start.toString(16)}, 0x${e.range.end.toString(16)}) are ${e.reason}`
      : describeMapperError(e);
  throw new LoaderError(`${what}: ${detail}`);
}

function vaAt(base: bigint): VirtAddr {
  return fromBigInt(base) as VirtAddr;
}

/** Builds the page tables and the hand-off state for `plan`. */
export function buildHandoff(plan: LoaderPlan = DEFAULT_PLAN): BuiltHandoff {
  const b = plan.regionBase;
  const trampolinePa = b;
  const kernelPa = b + 0x1000;
  const bootInfoPa = b + 0x2000;
  const stacksPa = b + 0x1_0000;
  const tablesPa = b + 0x10_0000;
  const nxeOn = plan.breakage !== 'xd-with-nxe-off';
  const memory = new PhysMemory();
  const tablesEnd = plan.tableFrames === undefined ? b + REGION_BYTES : tablesPa + plan.tableFrames * PAGE_4K;
  const allocator = must(RangeFrameAllocator.create(memory, [{ start: tablesPa, end: tablesEnd }]), 'frame allocator');
  // The loader's author assumed a 52-bit machine; the checker judges against plan.maxPhyAddr.
  const space = must(AddressSpace.create(memory, allocator, { maxPhyAddr: 52, hugePages1G: true, noExecute: true }), 'PML4');
  const map = (va: VirtAddr, pa: number, flags: PageFlags, what: string): void => {
    must(space.map(va, pa as PhysAddr, PAGE_4K, flags), what);
  };
  const data = pageFlags({ writable: true, executable: false });

  // The trampoline's page, identity-mapped (HANDOFF.CR3.NEXT_FETCH_MAPPED).
  if (plan.layout === 'direct-map') {
    must(identityLayout(space, [{ start: 0, end: 4 * PAGE_1G }], pageFlags({ writable: true })), 'identity map of 4 GiB');
    must(offsetLayout(space, DIRECT_MAP_VA, [{ start: 0, end: 64 * 1024 * PAGE_1G }], data), 'direct map of 64 TiB');
  } else if (plan.layout === 'identity-higher-half') {
    must(identityLayout(space, [{ start: b, end: b + REGION_BYTES }], pageFlags({ writable: true })), 'identity map of the loader region');
  } else if (plan.breakage !== 'trampoline-unmapped') {
    map(canonicalFrom48(trampolinePa), trampolinePa, pageFlags(), 'trampoline');
  }
  if (plan.breakage === 'trampoline-unmapped' && plan.layout !== 'recursive') {
    // Take the trampoline's page out of the broader map.
    must(space.unmap(canonicalFrom48(trampolinePa), PAGE_4K, { onHugePage: 'split' }), 'unmapping the trampoline');
  }

  let entryVa: VirtAddr = KERNEL_VA;
  let kernelRange: { start: number; end: number } | undefined;
  if (plan.kernelElf === undefined) {
    map(KERNEL_VA, kernelPa, pageFlags({ executable: plan.breakage !== 'entry-not-executable' }), 'kernel');
  } else {
    const planned = planLoad(plan.kernelElf, { profile: PROFILES['rust-osdev'], physBase: b + REGION_BYTES });
    if (!planned.ok) throw new LoaderError(`kernel ELF: ${planned.diagnostics.map((d) => d.message).join('; ')}`);
    for (const r of planned.plan.pages) {
      for (let i = 0; i < r.count; i++) {
        const executable = r.executable && !(plan.breakage === 'entry-not-executable' && BigInt(i) * 4096n + r.va <= planned.plan.entry && planned.plan.entry < r.va + BigInt(i + 1) * 4096n);
        map(vaAt(r.va + BigInt(i) * 4096n), r.pa + i * PAGE_4K, pageFlags({ writable: r.writable, executable }), `kernel ELF page at 0x${(r.va + BigInt(i) * 4096n).toString(16)}`);
      }
    }
    entryVa = vaAt(planned.plan.entry);
    const ends = planned.plan.pages.map((r) => r.pa + r.count * PAGE_4K);
    kernelRange = { start: b + REGION_BYTES, end: Math.max(b + REGION_BYTES, ...ends) };
  }
  let bootInfoVa = BOOT_INFO_VA;
  if (plan.layout === 'direct-map') bootInfoVa = vaAt(0xffff_8880_0000_0000n + BigInt(bootInfoPa));
  else if (plan.breakage !== 'boot-info-unmapped') map(BOOT_INFO_VA, bootInfoPa, pageFlags({ executable: false }), 'boot information');
  if (plan.breakage === 'boot-info-unmapped' && plan.layout === 'direct-map') bootInfoVa = BOOT_INFO_VA;
  memory.write64(bootInfoPa as PhysAddr, BOOT_INFO_MAGIC);

  // Per-CPU stacks with an unmapped guard page below each.
  for (let cpu = 0; cpu < plan.cpus; cpu++) {
    if (cpu === 0 && plan.breakage === 'stack-unmapped') continue;
    for (let p = 0; p < plan.stackPages; p++) {
      const va = STACKS_VA + BigInt((cpu * (plan.stackPages + 1) + 1 + p) * PAGE_4K);
      map(vaAt(va), stacksPa + (cpu * plan.stackPages + p) * PAGE_4K, data, `stack of CPU ${cpu}`);
    }
  }
  if (plan.layout === 'recursive') must(RecursiveLayout.install(space, RECURSIVE_SLOT), 'recursive slot');

  const features: Feature[] = ['nx', 'pdpe1gb'];
  const loaderType = plan.breakage === 'tables-in-boot-services-data' ? EfiBootServicesData : EfiLoaderCode;
  let finalMap: MemoryDescriptor[] = retype(ovmfLikeMap(), b, REGION_BYTES / PAGE_4K, loaderType);
  if (kernelRange !== undefined && kernelRange.end > kernelRange.start) {
    finalMap = retype(finalMap, kernelRange.start, (kernelRange.end - kernelRange.start) / PAGE_4K, loaderType);
  }
  const state: HandoffState = {
    cpu: { maxPhyAddr: plan.maxPhyAddr, features: new Set(features) },
    cr0: u64(0, 0x8001_0033),
    cr3: space.cr3,
    cr4: u64(0, 0x668),
    efer: u64(0, nxeOn ? 0xd00 : 0x500),
    memory,
    switchCode: { va: canonicalFrom48(trampolinePa + plan.code.afterCr3), length: plan.code.trampolineLength - plan.code.afterCr3 },
    stack: { rsp: vaAt(STACKS_VA + BigInt((1 + plan.stackPages) * PAGE_4K)), bytes: 8 },
    entry: { va: entryVa, length: plan.kernelElf === undefined ? plan.code.kernelLength : 1 },
    bootInfo: { va: bootInfoVa, length: 8 },
    idtr: { base: canonicalFrom48(0), limit: 0 },
    memoryMap: finalMap,
    kernelReclaims: ['free'],
  };
  return { plan, state, trampolinePa, kernelPa, bootInfoPa, bootInfoVa };
}
