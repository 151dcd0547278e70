import { describe, expect, it } from 'vitest';
import { canonicalFrom48, type PhysAddr, type VirtAddr } from '../paging/addr.ts';
import { AddressSpace } from '../paging/address-space.ts';
import { RangeFrameAllocator } from '../paging/frames.ts';
import { pageFlags } from '../paging/mapper-flags.ts';
import { PhysMemory } from '../paging/memory.ts';
import { fromBigInt, u64 } from '../paging/u64.ts';
import { walk } from '../paging/walk.ts';
import { descriptor, EFI_MEMORY_RUNTIME, EfiRuntimeServicesCode } from '../uefi/index.ts';
import { checkHandoff, pagingStateOf } from './checker.ts';
import { handoffStateToJson, parseHandoffState } from './json.ts';
import { BOOT_INFO_VA, buildHandoff, DEFAULT_PLAN } from './loader.ts';
import { describeFault } from './probe.ts';
import type { HandoffState } from './state.ts';

const va = (n: bigint): VirtAddr => fromBigInt(n) as VirtAddr;

/** A hand-built state: PML4 at 0x1000, PDPT at 0x2000 with a 1 GiB identity page at 0 and `extra` PDPTEs. */
function tiny(extra: [number, number, number][], efer = 0xd00): HandoffState {
  const m = new PhysMemory();
  m.write64(0x1000 as PhysAddr, u64(0, 0x2003));
  m.write64(0x2000 as PhysAddr, u64(0, 0x83));
  for (const [index, hi, lo] of extra) m.write64((0x2000 + index * 8) as PhysAddr, u64(hi, lo));
  return {
    cpu: { maxPhyAddr: 40, features: new Set(['nx', 'pdpe1gb']) },
    cr0: u64(0, 0x8001_0033), cr3: u64(0, 0x1000), cr4: u64(0, 0x20), efer: u64(0, efer), memory: m,
    switchCode: { va: canonicalFrom48(0x10_0000), length: 16 },
    stack: { rsp: canonicalFrom48(0x20_0000), bytes: 8 },
    entry: { va: canonicalFrom48(0x30_0000), length: 16 },
    idtr: { base: canonicalFrom48(0), limit: 0 },
    kernelReclaims: ['free'],
  };
}

describe('single flagged entries and wording', () => {
  it('HANDOFF.NXE.XD_RESERVED / HANDOFF.MAP.PHYS_WIDTH: one entry each, named exactly', () => {
    const s = tiny([[1, 0x8000_0000, 0x4000_0083], [2, 0x100, 0x83]], 0x500);
    const r = checkHandoff(s);
    expect(r.prediction).toEqual({ outcome: 'runs' });
    expect(r.violations.find((v) => v.clause === 'HANDOFF.NXE.XD_RESERVED')!.message)
      .toBe('IA32_EFER.NXE is 0 but 1 present entry has XD set (PDPTE at 0x2008 (linear 0x40000000…)): the first access through any of them raises #PF with RSVD = 1. Set EFER.NXE or clear the XD bits.');
    expect(r.violations.find((v) => v.clause === 'HANDOFF.MAP.PHYS_WIDTH')!.message)
      .toBe('1 entry points at physical addresses this 40-bit CPU does not have (PDPTE at 0x2010 (linear 0x80000000…)): any access through them raises #PF with RSVD = 1. Size the direct map from the memory map, not a fixed 64 TiB.');
    // Without a memory map there is nothing to say about memory types.
    expect(r.violations.some((v) => v.clause === 'HANDOFF.MEM.NOT_FREE')).toBe(false);
  });
  it('HANDOFF.CR3.VALID: without the firmware tables the #GP is still a triple fault, with the caveat', () => {
    const r = checkHandoff({ ...tiny([]), cr3: u64(0x0100_0000, 0x1000) });
    expect(r.prediction).toMatchObject({ outcome: 'triple-fault', stage: 'mov-cr3' });
    expect(r.prediction.outcome === 'triple-fault' && r.prediction.explanation).toContain('depends on the firmware');
  });
  it('other reserved bits, SMAP denials and reads are worded by their cause', () => {
    const s = tiny([[3, 0, 0xc000_0083 | 0x2000]]);
    const ps = pagingStateOf(s);
    const rsvd = walk(ps, { va: canonicalFrom48(0xc000_0000), kind: 'read', implicit: false });
    expect(rsvd.outcome === 'fault' && describeFault(rsvd, 40)).toBe('the PDPTE at physical 0x2018 (0xc0002083) has a reserved bit set (PG.RSVD.PDPTE_1G.LOW)');
    // A user page under SMAP: supervisor writes and reads are refused.
    const smap = { ...s, cpu: { ...s.cpu, features: new Set(['nx', 'pdpe1gb', 'smap'] as const) }, cr4: u64(0, 0x20 | (1 << 21)) };
    smap.memory.write64(0x1000 as PhysAddr, u64(0, 0x2007));
    smap.memory.write64(0x2000 as PhysAddr, u64(0, 0x87));
    const r = checkHandoff(smap);
    expect(r.violations[0]!.message).toContain('the write is denied (PG.PERM.SMAP.WRITE_USER)');
    const read = walk(pagingStateOf(smap), { va: canonicalFrom48(0x1000), kind: 'read', implicit: false });
    expect(read.outcome === 'fault' && describeFault(read, 40)).toBe('the access is denied (PG.PERM.SMAP.READ_USER)');
  });
});

describe('firmware tables, IDT, runtime code', () => {
  it('HANDOFF.CR3.NEXT_FETCH_MAPPED: switch code the firmware tables do not map is flagged as a warning', () => {
    const b = buildHandoff(DEFAULT_PLAN);
    const frames = RangeFrameAllocator.create(b.state.memory, [{ start: 0x300_0000, end: 0x301_0000 }]);
    const fw = frames.ok ? AddressSpace.create(b.state.memory, frames.value, { maxPhyAddr: 52, hugePages1G: true, noExecute: true }) : undefined;
    if (fw === undefined || !fw.ok) throw new Error('setup');
    fw.value.map(canonicalFrom48(0x500_0000), 0x500_0000 as PhysAddr, 4096, pageFlags());
    const r = checkHandoff({ ...b.state, firmwareCr3: fw.value.cr3 });
    expect(r.prediction).toEqual({ outcome: 'runs' });
    expect(r.violations[0]).toMatchObject({ clause: 'HANDOFF.CR3.NEXT_FETCH_MAPPED', severity: 'warning' });
  });
  it('HANDOFF.IDT.USABLE: a mapped IDT and GDT leave nothing to report', () => {
    const b = buildHandoff(DEFAULT_PLAN);
    const r = checkHandoff({ ...b.state, idtr: { base: BOOT_INFO_VA, limit: 0xfff }, gdtr: { base: BOOT_INFO_VA, limit: 0x17, used: false } });
    expect(r).toEqual({ prediction: { outcome: 'runs' }, violations: [] });
  });
  it('HANDOFF.RUNTIME.MAPPED: runtime code must be executable at its address', () => {
    const b = buildHandoff({ ...DEFAULT_PLAN, layout: 'identity-higher-half' });
    const code = descriptor(EfiRuntimeServicesCode, 0x700_0000, 1, EFI_MEMORY_RUNTIME);
    const r = checkHandoff({ ...b.state, memoryMap: [...b.state.memoryMap!.filter((d) => (d.attribute.hi >>> 31) === 0), code], runtimeServices: { calls: true, virtualAddressMap: false } });
    expect(r.violations.find((v) => v.clause === 'HANDOFF.RUNTIME.MAPPED')!.message).toContain('is not mapped executable at 0x7000000 (identity)');
    const virtual = checkHandoff({ ...b.state, memoryMap: [{ ...code, virtualStart: va(0xffff_ffff_f000_0000n) }], runtimeServices: { calls: true, virtualAddressMap: true } });
    expect(virtual.violations.find((v) => v.clause === 'HANDOFF.RUNTIME.MAPPED')!.message).toContain('at 0xfffffffff0000000 (its virtual address)');
  });
  it('a state without boot information or GDT round-trips through JSON; features default to none', () => {
    const s = tiny([]);
    const back = parseHandoffState(JSON.parse(JSON.stringify(handoffStateToJson(s))));
    expect(back.ok && back.state.bootInfo).toBeUndefined();
    const noFeatures = JSON.parse(JSON.stringify(handoffStateToJson(s))) as { cpu: { features?: string[] } };
    delete noFeatures.cpu.features;
    const parsed = parseHandoffState(noFeatures as never);
    expect(parsed.ok && parsed.state.cpu.features.size).toBe(0);
  });
});
