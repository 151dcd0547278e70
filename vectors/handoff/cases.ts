/**
 * The curated `handoff` vectors: every layout of the model's loader with every classic
 * breakage (each bootable on OVMF through the test application), and hand-built states
 * for the rules a boot cannot show (IDT delivery, runtime regions, the framebuffer, the
 * GDT, CR3 width, the firmware's view of the trampoline).
 */
import type { JsonObject, Vector } from '../../harness/types.ts';
import { handoffStateToJson } from '../../model/handoff/json.ts';
import { BOOT_INFO_VA, BREAKAGES, buildHandoff, DEFAULT_PLAN, LAYOUTS, REGION_BYTES, type BuiltHandoff } from '../../model/handoff/loader.ts';
import type { HandoffState } from '../../model/handoff/state.ts';
import { canonicalFrom48, type VirtAddr } from '../../model/paging/addr.ts';
import { fromBigInt, toHex, u64 } from '../../model/paging/u64.ts';
import { descriptor, EFI_MEMORY_RUNTIME, EfiRuntimeServicesCode, EfiRuntimeServicesData } from '../../model/uefi/index.ts';
import { handoffVector } from './io.ts';
import { pagingStateOf } from '../../model/handoff/checker.ts';
import { walk } from '../../model/paging/walk.ts';

const hx = (n: number): string => `0x${n.toString(16)}`;
const va = (n: bigint): VirtAddr => fromBigInt(n) as VirtAddr;

function bootable(b: BuiltHandoff): JsonObject {
  return {
    state: handoffStateToJson(b.state),
    ovmf: { regionBase: hx(b.plan.regionBase), regionBytes: hx(REGION_BYTES), trampolinePa: hx(b.trampolinePa), kernelPa: hx(b.kernelPa), bootInfoVa: toHex(b.bootInfoVa) },
  };
}

const stateOnly = (s: HandoffState): JsonObject => ({ state: handoffStateToJson(s) });

const TITLES: Record<string, string> = {
  recursive: 'gnu-efi style loader: identity-mapped trampoline, higher-half kernel, NX data, guard-paged per-CPU stacks, recursive slot 510',
  'direct-map': 'direct map of 64 TiB at 0xffff888000000000 in 1 GiB pages plus an identity map of the first 4 GiB',
  'identity-higher-half': 'identity map of the loader region plus a higher-half kernel',
};

export function handoffVectors(): Vector[] {
  const out: Vector[] = [];
  for (const layout of LAYOUTS) {
    for (const breakage of BREAKAGES) {
      const b = buildHandoff({ ...DEFAULT_PLAN, layout, breakage });
      out.push(handoffVector(`handoff-${layout}-${breakage}`, `${TITLES[layout]}${breakage === 'none' ? '' : `; broken: ${breakage}`}`, bootable(b)));
    }
  }
  const ok = buildHandoff(DEFAULT_PLAN).state;
  const stackBroken = buildHandoff({ ...DEFAULT_PLAN, breakage: 'stack-unmapped' }).state;
  const idHigh = buildHandoff({ ...DEFAULT_PLAN, layout: 'identity-higher-half' }).state;
  const rtMap = [
    ...idHigh.memoryMap!.filter((d) => (d.attribute.hi >>> 31) === 0),
    descriptor(EfiRuntimeServicesCode, 0x210_0000, 1, EFI_MEMORY_RUNTIME),
    descriptor(EfiRuntimeServicesData, 0x600_0000, 2, EFI_MEMORY_RUNTIME),
  ];
  const xdTrampoline = buildHandoff(DEFAULT_PLAN).state;
  const tramp = walk(pagingStateOf(xdTrampoline), { va: xdTrampoline.switchCode.va, kind: 'read', implicit: false });
  const pte = tramp.trace[tramp.trace.length - 1]!;
  xdTrampoline.memory.write64(pte.entryPa, u64(pte.entry.hi | 0x8000_0000, pte.entry.lo));
  const hand: [string, string, HandoffState][] = [
    ['handoff-trampoline-xd', 'the trampoline page is mapped but execute-disable (XD with NXE on)', xdTrampoline],
    ['handoff-idt-delivers', 'a mapped IDT: the stack fault is delivered to the kernel\'s handler instead of triple-faulting', { ...stackBroken, idtr: { base: BOOT_INFO_VA, limit: 0xfff } }],
    ['handoff-idt-double-fault', 'an IDT that reaches vector 8 but not 14: the stack fault becomes a double fault', { ...stackBroken, idtr: { base: BOOT_INFO_VA, limit: 0x8f } }],
    ['handoff-idt-gdt-unmapped', 'a mapped IDT but an unmapped GDT: delivery fails and the CPU triple-faults', { ...stackBroken, idtr: { base: BOOT_INFO_VA, limit: 0xfff }, gdtr: { base: va(0xffff_ffff_9000_0000n), limit: 0x17, used: false } }],
    ['handoff-gdt-reload-unmapped', 'the kernel reloads its segments from a GDT the new tables do not map', { ...ok, gdtr: { base: va(0xffff_ffff_9000_0000n), limit: 0x27, used: true } }],
    ['handoff-cr3-too-wide', 'CR3 with bits above the 40-bit physical width: MOV CR3 raises #GP', { ...ok, cr3: u64(0x100, ok.cr3.lo) }],
    ['handoff-la57', 'CR4.LA57 set: not 4-level paging, the checker cannot judge it', { ...ok, cr4: u64(0, 0x1668) }],
    ['handoff-runtime-unmapped', 'the kernel will call runtime services but one runtime data region is not identity-mapped', { ...idHigh, memoryMap: rtMap, runtimeServices: { calls: true, virtualAddressMap: false } }],
    ['handoff-framebuffer-unmapped', 'the kernel draws on a framebuffer at 0x80000000 that the new tables do not map', { ...idHigh, framebuffer: { va: canonicalFrom48(0x8000_0000), pa: 0x8000_0000, size: 0x30_0000 } }],
    ['handoff-reclaims-loader-memory', 'a kernel that also reclaims EfiLoaderCode/Data would free its own tables, stack and kernel', { ...ok, kernelReclaims: ['free', 'free-when-done'] }],
  ];
  for (const [id, title, s] of hand) out.push(handoffVector(id, title, stateOnly(s)));
  return out;
}

export function handoffCorpusText(): string {
  return handoffVectors().map((v) => JSON.stringify(v)).join('\n') + '\n';
}
