import { describe, expect, it } from 'vitest';
import { canonicalFrom48, type PhysAddr, type VirtAddr } from '../paging/addr.ts';
import { fromBigInt, or, u64 } from '../paging/u64.ts';
import { walk } from '../paging/walk.ts';
import type { PagingState } from '../paging/types.ts';
import { descriptor, EFI_MEMORY_RUNTIME, EfiLoaderData, EfiRuntimeServicesCode, EfiRuntimeServicesData, retype } from '../uefi/index.ts';
import { checkHandoff, deliveryProblem, pagingStateOf } from './checker.ts';
import { buildHandoff, BOOT_INFO_VA, DEFAULT_PLAN, KERNEL_VA, type BuiltHandoff } from './loader.ts';
import type { HandoffState } from './state.ts';
import { AddressSpace } from '../paging/address-space.ts';
import { RangeFrameAllocator } from '../paging/frames.ts';
import { pageFlags } from '../paging/mapper-flags.ts';

const va = (n: bigint): VirtAddr => fromBigInt(n) as VirtAddr;
const ok = (): BuiltHandoff => buildHandoff(DEFAULT_PLAN);

/** Physical address of the last entry the walk of `at` reads (the PTE for 4 KiB pages). */
function walkPte(ps: PagingState, at: VirtAddr): number {
  const r = walk(ps, { va: at, kind: 'read', implicit: false });
  return r.trace[r.trace.length - 1]!.entryPa;
}
const clauses = (s: HandoffState): string[] => checkHandoff(s).violations.map((v) => v.clause);

describe('the switch, step by step', () => {
  it('HANDOFF.IDT.USABLE: a correct hand-off runs; with no IDT the checker warns that any exception would triple-fault', () => {
    const r = checkHandoff(ok().state);
    expect(r.prediction).toEqual({ outcome: 'runs' });
    expect(r.violations).toEqual([expect.objectContaining({ clause: 'HANDOFF.IDT.USABLE', severity: 'warning', path: '$.idtr' })]);
  });

  it('HANDOFF.CR3.NEXT_FETCH_MAPPED / HANDOFF.FAULT.TRIPLE: an unmapped trampoline triple-faults at the fetch after MOV CR3', () => {
    const r = checkHandoff(buildHandoff({ ...DEFAULT_PLAN, breakage: 'trampoline-unmapped' }).state);
    expect(r.prediction).toMatchObject({ outcome: 'triple-fault', stage: 'after-cr3', vector: 14 });
    expect(r.violations[0]).toMatchObject({ clause: 'HANDOFF.CR3.NEXT_FETCH_MAPPED', severity: 'fault', path: '$.switch' });
    expect(r.violations[0]!.message).toMatch(/^The fetch of the instruction after `mov cr3` at 0x2000031 faults .* is not present: #PF \(error code 0x10\)\.$/);
    expect(r.violations[1]).toMatchObject({ clause: 'HANDOFF.FAULT.TRIPLE' });
    expect(r.violations[1]!.message).toContain('triple-faults');
  });

  it('HANDOFF.CR3.NEXT_FETCH_EXECUTABLE: code after MOV CR3 on an XD page', () => {
    const b = ok();
    const pte = walkPte(pagingStateOf(b.state), b.state.switchCode.va);
    const e = b.state.memory.read64(pte as PhysAddr);
    b.state.memory.write64(pte as PhysAddr, u64(e.hi | 0x8000_0000, e.lo));
    const r = checkHandoff(b.state);
    expect(r.violations[0]).toMatchObject({ clause: 'HANDOFF.CR3.NEXT_FETCH_EXECUTABLE' });
    expect(r.violations[0]!.message).toContain('execute-disable');
  });

  it('HANDOFF.STACK.WRITABLE: an unmapped stack, and a read-only one under CR0.WP', () => {
    expect(checkHandoff(buildHandoff({ ...DEFAULT_PLAN, breakage: 'stack-unmapped' }).state).prediction).toMatchObject({ outcome: 'triple-fault', stage: 'stack' });
    const b = ok();
    const at = va(0xffff_ffff_c040_4ff8n);
    const pte = walkPte(pagingStateOf(b.state), at);
    const e = b.state.memory.read64(pte as PhysAddr);
    b.state.memory.write64(pte as PhysAddr, u64(e.hi, e.lo & ~2));
    const r = checkHandoff(b.state);
    expect(r.violations[0]).toMatchObject({ clause: 'HANDOFF.STACK.WRITABLE' });
    expect(r.violations[0]!.message).toContain('read-only (R/W = 0 on its path) and CR0.WP = 1');
  });

  it('HANDOFF.NXE.XD_RESERVED: XD bits with NXE off fault with RSVD at the first push', () => {
    const r = checkHandoff(buildHandoff({ ...DEFAULT_PLAN, breakage: 'xd-with-nxe-off' }).state);
    expect(r.prediction).toMatchObject({ outcome: 'triple-fault', stage: 'stack' });
    expect(r.violations[0]).toMatchObject({ clause: 'HANDOFF.NXE.XD_RESERVED' });
    expect(r.violations[0]!.message).toContain('error code 0xb');
  });

  it('HANDOFF.NXE.XD_RESERVED: XD bits that no step touches are reported as latent', () => {
    const b = ok();
    const s: HandoffState = { ...b.state, efer: u64(0, 0x500), stack: { rsp: KERNEL_VA, bytes: 0 } };
    // RSP at the kernel page (read-only, so make the stack probe zero bytes: nothing is written).
    const r = checkHandoff({ ...s, stack: { rsp: va(0xffff_ffff_8000_0008n), bytes: 0 }, bootInfo: undefined });
    expect(r.violations.find((v) => v.clause === 'HANDOFF.NXE.XD_RESERVED')).toMatchObject({ severity: 'latent' });
    expect(r.violations.find((v) => v.clause === 'HANDOFF.NXE.XD_RESERVED')!.message).toMatch(/and \d+ more/);
  });

  it('HANDOFF.ENTRY.EXECUTABLE and HANDOFF.BOOTINFO.MAPPED', () => {
    const entry = checkHandoff(buildHandoff({ ...DEFAULT_PLAN, breakage: 'entry-not-executable' }).state);
    expect(entry).toMatchObject({ prediction: { outcome: 'triple-fault', stage: 'entry' }, violations: [{ clause: 'HANDOFF.ENTRY.EXECUTABLE' }, { clause: 'HANDOFF.FAULT.TRIPLE' }] });
    const info = checkHandoff(buildHandoff({ ...DEFAULT_PLAN, breakage: 'boot-info-unmapped' }).state);
    expect(info.prediction).toMatchObject({ outcome: 'triple-fault', stage: 'boot-info' });
  });

  it('HANDOFF.GDT.MAPPED: a kernel that reloads segments needs the GDT mapped', () => {
    const b = ok();
    const r = checkHandoff({ ...b.state, gdtr: { base: va(0xffff_ffff_9000_0000n), limit: 0x27, used: true } });
    expect(r.prediction).toMatchObject({ outcome: 'triple-fault', stage: 'gdt' });
    expect(r.violations[0]).toMatchObject({ clause: 'HANDOFF.GDT.MAPPED', path: '$.gdtr' });
    expect(checkHandoff({ ...b.state, gdtr: { base: BOOT_INFO_VA, limit: 0x27, used: true } }).prediction).toEqual({ outcome: 'runs' });
  });

  it('HANDOFF.IDT.USABLE: a mapped IDT delivers the fault; one too short for #PF but long enough for #DF gives a double fault', () => {
    const b = buildHandoff({ ...DEFAULT_PLAN, breakage: 'stack-unmapped' });
    const idt = { base: BOOT_INFO_VA, limit: 0xfff };
    const delivered = checkHandoff({ ...b.state, idtr: idt });
    expect(delivered.prediction).toMatchObject({ outcome: 'exception', stage: 'stack', vector: 14 });
    expect(delivered.violations.map((v) => v.clause)).toEqual(['HANDOFF.STACK.WRITABLE']);
    const df = checkHandoff({ ...b.state, idtr: { base: BOOT_INFO_VA, limit: 8 * 16 + 15 } });
    expect(df.prediction).toMatchObject({ outcome: 'exception', vector: 8 });
    const unmapped = checkHandoff({ ...b.state, idtr: { base: va(0xffff_ffff_9000_0000n), limit: 0xfff } });
    expect(unmapped.prediction).toMatchObject({ outcome: 'triple-fault' });
    expect(unmapped.violations[1]!.message).toContain('IDT at 0xffffffff90000000 is not readable');
    const noGdt = checkHandoff({ ...b.state, idtr: idt, gdtr: { base: va(0xffff_ffff_9000_0000n), limit: 0x17, used: false } });
    expect(noGdt.prediction).toMatchObject({ outcome: 'triple-fault' });
    expect(noGdt.violations[1]!.message).toContain('GDT at 0xffffffff90000000');
    expect(deliveryProblem(pagingStateOf(b.state), idt, undefined, 3)).toBeUndefined();
  });

  it('HANDOFF.CR3.NEXT_FETCH_MAPPED: code that maps elsewhere than under the firmware tables runs other bytes', () => {
    const b = ok();
    // Firmware-like tables in the same memory that map the trampoline's page onto another frame.
    const frames = RangeFrameAllocator.create(b.state.memory, [{ start: 0x300_0000, end: 0x301_0000 }]);
    if (!frames.ok) throw new Error('frames');
    const fw = AddressSpace.create(b.state.memory, frames.value, { maxPhyAddr: 52, hugePages1G: true, noExecute: true });
    if (!fw.ok) throw new Error('space');
    fw.value.map(canonicalFrom48(0x200_0000), 0x500_0000 as PhysAddr, 4096, pageFlags());
    const r = checkHandoff({ ...b.state, firmwareCr3: fw.value.cr3 });
    expect(r.prediction).toMatchObject({ outcome: 'exception', stage: 'after-cr3', vector: 6 });
    expect(r.violations[0]!.message).toContain('maps to physical 0x2000031 in the new tables but ran from 0x5000031');
    expect(checkHandoff({ ...b.state, firmwareCr3: b.state.cr3 }).prediction).toEqual({ outcome: 'runs' });
  });
});

describe('CR3 and the paging mode', () => {
  it('HANDOFF.MODE.FOUR_LEVEL: registers that do not select 4-level paging cannot be judged', () => {
    const b = ok();
    expect(checkHandoff({ ...b.state, cr4: u64(0, 0x1668) })).toMatchObject({ prediction: { outcome: 'invalid' }, violations: [{ clause: 'HANDOFF.MODE.FOUR_LEVEL' }] });
    const noNx = checkHandoff({ ...b.state, cpu: { ...b.state.cpu, features: new Set() } });
    expect(noNx.prediction.outcome).toBe('invalid');
    expect(noNx.violations[0]!.message).toContain('NXE');
  });
  it('HANDOFF.CR3.VALID: CR3 bits above MAXPHYADDR make MOV CR3 raise #GP', () => {
    const b = ok();
    const bad = { ...b.state, cr3: u64(0x100, b.state.cr3.lo) };
    expect(checkHandoff(bad)).toMatchObject({ prediction: { outcome: 'triple-fault', stage: 'mov-cr3', vector: 13 }, violations: [{ clause: 'HANDOFF.CR3.VALID' }] });
    const withFw = checkHandoff({ ...bad, firmwareCr3: b.state.cr3, idtr: { base: BOOT_INFO_VA, limit: 0xfff } });
    expect(withFw.prediction).toMatchObject({ outcome: 'exception', stage: 'mov-cr3', vector: 13 });
  });
  it('HANDOFF.CR3.NEXT_FETCH_MAPPED: a non-canonical switch address raises #GP', () => {
    const b = ok();
    const r = checkHandoff({ ...b.state, switchCode: { va: u64(0x0001_0000, 0) as VirtAddr, length: 1 } });
    expect(r.prediction).toMatchObject({ outcome: 'triple-fault', vector: 13 });
    expect(r.violations[0]!.message).toContain('not canonical');
  });
});

describe('latent violations', () => {
  it('HANDOFF.MAP.PHYS_WIDTH: a 64 TiB direct map on a 40-bit machine', () => {
    const r = checkHandoff(buildHandoff({ ...DEFAULT_PLAN, layout: 'direct-map' }).state);
    expect(r.prediction).toEqual({ outcome: 'runs' });
    const v = r.violations.find((x) => x.clause === 'HANDOFF.MAP.PHYS_WIDTH')!;
    expect(v).toMatchObject({ severity: 'latent' });
    expect(v.message).toContain('64512 entries point at physical addresses this 40-bit CPU does not have');
    expect(clauses(buildHandoff({ ...DEFAULT_PLAN, layout: 'direct-map', maxPhyAddr: 52 }).state)).not.toContain('HANDOFF.MAP.PHYS_WIDTH');
  });
  it('HANDOFF.MAP.PHYS_WIDTH: a step through an entry beyond the width faults with that clause', () => {
    const b = buildHandoff({ ...DEFAULT_PLAN, layout: 'direct-map' });
    const r = checkHandoff({ ...b.state, bootInfo: { va: va(0xffff_8980_0000_0000n), length: 8 } });
    expect(r.violations[0]).toMatchObject({ clause: 'HANDOFF.MAP.PHYS_WIDTH', severity: 'fault' });
    expect(r.violations[0]!.message).toContain('40-bit physical address width');
  });
  it('HANDOFF.MEM.NOT_FREE: tables, stack, boot information and kernel in boot-services memory; memory outside the map', () => {
    const r = checkHandoff(buildHandoff({ ...DEFAULT_PLAN, breakage: 'tables-in-boot-services-data' }).state);
    const mem = r.violations.filter((v) => v.clause === 'HANDOFF.MEM.NOT_FREE');
    expect(mem.map((v) => v.path)).toEqual(['$.regs.cr3', '$.stack', '$.bootInfo', '$.entry']);
    expect(mem[0]!.message).toMatch(/^10 page-table frames \(0x2100000, .* and 6 more\) lie in EfiBootServicesData/);
    expect(mem[1]!.message).toMatch(/^1 stack page \(0x2013000\) lies in EfiBootServicesData/);
    const b = ok();
    const outside = checkHandoff({ ...b.state, memoryMap: retype(b.state.memoryMap!, 0x200_0000, 1, EfiLoaderData).filter((d) => d.physicalStart !== 0x200_1000) });
    expect(outside.violations.find((v) => v.clause === 'HANDOFF.MEM.NOT_FREE' && v.path === '$.entry')!.message).toMatch(/^1 kernel entry page \(0x2001000\) lies outside every memory-map entry/);
    const reclaimLoader = checkHandoff({ ...b.state, kernelReclaims: ['free', 'free-when-done'] });
    expect(reclaimLoader.violations.filter((v) => v.clause === 'HANDOFF.MEM.NOT_FREE')).toHaveLength(4);
  });
  it('HANDOFF.RUNTIME.MAPPED: identity, virtual and wrong-frame runtime mappings', () => {
    const b = buildHandoff({ ...DEFAULT_PLAN, layout: 'identity-higher-half' });
    const rtCode = { ...descriptor(EfiRuntimeServicesCode, 0x210_0000, 1, EFI_MEMORY_RUNTIME), virtualStart: u64(0, 0x210_0000) };
    const rtData = { ...descriptor(EfiRuntimeServicesData, 0x210_1000, 2, or(EFI_MEMORY_RUNTIME, u64(0, 8))), virtualStart: u64(0, 0x210_1000) };
    const map = [...b.state.memoryMap!.filter((d) => (d.attribute.hi & 0x8000_0000) === 0), rtCode, rtData];
    // The loader region (0x2000000–0x23fffff) is identity-mapped writable and executable.
    expect(clauses({ ...b.state, memoryMap: map, runtimeServices: { calls: true, virtualAddressMap: false } })).not.toContain('HANDOFF.RUNTIME.MAPPED');
    const away = checkHandoff({ ...b.state, memoryMap: [...map, descriptor(EfiRuntimeServicesData, 0x600_0000, 1, EFI_MEMORY_RUNTIME)], runtimeServices: { calls: true, virtualAddressMap: false } });
    expect(away.violations.find((v) => v.clause === 'HANDOFF.RUNTIME.MAPPED')!.message).toContain('not mapped writable at 0x6000000 (identity)');
    const shifted = map.map((d) => (d === rtData ? { ...d, virtualStart: u64(0, 0x210_0000) } : d));
    const wrong = checkHandoff({ ...b.state, memoryMap: shifted, runtimeServices: { calls: true, virtualAddressMap: true } });
    expect(wrong.violations.find((v) => v.clause === 'HANDOFF.RUNTIME.MAPPED')!.message).toContain('not onto itself');
    expect(clauses({ ...b.state, memoryMap: map, runtimeServices: { calls: false, virtualAddressMap: false } })).not.toContain('HANDOFF.RUNTIME.MAPPED');
  });
  it('HANDOFF.FB.MAPPED: the framebuffer must be writable and map onto itself', () => {
    const b = buildHandoff({ ...DEFAULT_PLAN, layout: 'identity-higher-half' });
    expect(clauses({ ...b.state, framebuffer: { va: canonicalFrom48(0x230_0000), pa: 0x230_0000, size: 0x2000 } })).not.toContain('HANDOFF.FB.MAPPED');
    const unmapped = checkHandoff({ ...b.state, framebuffer: { va: canonicalFrom48(0x8000_0000), pa: 0x8000_0000, size: 0x1000 } });
    expect(unmapped.violations.find((v) => v.clause === 'HANDOFF.FB.MAPPED')!.message).toContain('not fully writable');
    const elsewhere = checkHandoff({ ...b.state, framebuffer: { va: canonicalFrom48(0x230_0000), pa: 0x8000_0000, size: 0x1000 } });
    expect(elsewhere.violations.find((v) => v.clause === 'HANDOFF.FB.MAPPED')!.message).toContain('not into the framebuffer');
  });
});
