/**
 * fast-check arbitraries for the exit flow: well-formed memory maps (aligned, no
 * overlaps, every type), firmware configurations, firmware activity, and loader plans
 * for the hand-off.
 */
import fc from 'fast-check';
import { layoutArb, quiet } from '../elf/arbitraries.ts';
import { DEFAULT_PLAN, LAYOUTS, type Layout, type LoaderPlan } from '../../model/handoff/loader.ts';
import { u64 } from '../../model/paging/u64.ts';
import {
  descriptor, EDK2_CONFIG, EFI_MEMORY_RUNTIME, EfiConventionalMemory, EfiRuntimeServicesCode, EfiRuntimeServicesData,
  type FirmwareConfig, type MemoryDescriptor, type Perturbation,
} from '../../model/uefi/index.ts';

/** A memory map: runs of descriptors of random types and sizes with random gaps, in random order. */
export const memoryMapArb: fc.Arbitrary<MemoryDescriptor[]> = fc.array(
  fc.record({
    gapPages: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 64 })),
    pages: fc.integer({ min: 1, max: 4096 }),
    type: fc.oneof(fc.integer({ min: 0, max: 15 }), fc.constant(EfiConventionalMemory), fc.constant(0x8000_0001)),
    attr: fc.constantFrom(0xf, 0x8, 0x1),
  }),
  { minLength: 1, maxLength: 40 },
).chain((runs) => {
  let at = 0x1000;
  const map = runs.map((r) => {
    at += r.gapPages * 4096;
    const runtime = r.type === EfiRuntimeServicesCode || r.type === EfiRuntimeServicesData;
    const d = descriptor(r.type, at, r.pages, runtime ? u64(0x8000_0000, r.attr) : u64(0, r.attr));
    at += r.pages * 4096;
    return d;
  });
  return fc.shuffledSubarray(map, { minLength: map.length, maxLength: map.length });
});

/** A map as a firmware would hand it out, plus room to allocate: the model firmware's starting point. */
export const firmwareMapArb: fc.Arbitrary<MemoryDescriptor[]> = memoryMapArb.map((m) => [
  ...m,
  descriptor(EfiConventionalMemory, 0x4000_0000, 0x4000),
  descriptor(EfiRuntimeServicesData, 0x5000_0000, 4, u64(EFI_MEMORY_RUNTIME.hi, 0xf)),
]);

export const firmwareConfigArb: fc.Arbitrary<FirmwareConfig> = fc.record({
  descriptorSize: fc.constantFrom(40, 48, 56, 64, 80),
  descriptorVersion: fc.constant(1),
  uefiRevision: fc.constantFrom(208, 209, 210, 270),
  stopsTimerOnExitAttempt: fc.boolean(),
  poolHeader: fc.constant(EDK2_CONFIG.poolHeader),
});

export const perturbationsArb: fc.Arbitrary<Perturbation[]> = fc.array(
  fc.record({
    beforeCall: fc.integer({ min: 0, max: 40 }),
    source: fc.constantFrom('timer' as const, 'notify' as const),
    action: fc.constantFrom('allocate' as const, 'allocate' as const, 'free' as const),
    pages: fc.integer({ min: 1, max: 4 }),
  }),
  { maxLength: 24 },
);

/** A loader plan for the hand-off: any layout, region, CPU count and stack size; sometimes an ELF kernel. */
export const loaderPlanArb: fc.Arbitrary<LoaderPlan> = fc.record({
  layout: fc.constantFrom<Layout>(...LAYOUTS),
  // 2 MiB-aligned regions inside the OVMF-like map's big conventional range [10 MiB, 208 MiB).
  regionSlot: fc.integer({ min: 5, max: 96 }),
  cpus: fc.integer({ min: 1, max: 8 }),
  stackPages: fc.integer({ min: 1, max: 8 }),
  maxPhyAddr: fc.constantFrom(36, 39, 40, 46, 52),
  elf: fc.option(layoutArb, { nil: undefined }),
}).filter((p) => p.elf === undefined || p.layout !== 'direct-map' || p.elf.start >= 0x8000_0000_0000_0000n)
  .map((p) => quiet({
    ...DEFAULT_PLAN,
    layout: p.layout,
    regionBase: p.regionSlot * 0x20_0000,
    cpus: p.cpus,
    stackPages: p.stackPages,
    maxPhyAddr: p.maxPhyAddr,
    ...(p.elf !== undefined ? { kernelElf: p.elf.bytes } : {}),
  }, { ...p, elf: p.elf === undefined ? undefined : JSON.parse(JSON.stringify(p.elf)) as unknown }));
