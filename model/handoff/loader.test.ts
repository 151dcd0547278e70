import { describe, expect, it } from 'vitest';
import { EfiBootServicesData, EfiLoaderCode, descriptorAt } from '../uefi/index.ts';
import { checkHandoff } from './checker.ts';
import { BOOT_INFO_MAGIC, BREAKAGES, buildHandoff, DEFAULT_PLAN, LAYOUTS, LoaderError, RECURSIVE_SLOT } from './loader.ts';
import { scanTables } from './scan.ts';

describe("the model's own loader", () => {
  it('HANDOFF.CR3.NEXT_FETCH_MAPPED / HANDOFF.STACK.WRITABLE: every layout without breakage runs', () => {
    for (const layout of LAYOUTS) {
      const b = buildHandoff({ ...DEFAULT_PLAN, layout });
      expect(checkHandoff(b.state).prediction).toEqual({ outcome: 'runs' });
      expect(b.state.memory.read64(b.bootInfoPa as never)).toEqual(BOOT_INFO_MAGIC);
      expect(descriptorAt(b.state.memoryMap!, b.kernelPa)?.type).toBe(EfiLoaderCode);
    }
  });
  it('HANDOFF.FAULT.TRIPLE: every breakage in every layout is caught at its stage', () => {
    const stage = { 'trampoline-unmapped': 'after-cr3', 'stack-unmapped': 'stack', 'xd-with-nxe-off': 'stack', 'entry-not-executable': 'entry', 'boot-info-unmapped': 'boot-info' } as const;
    for (const layout of LAYOUTS) {
      for (const breakage of BREAKAGES) {
        const r = checkHandoff(buildHandoff({ ...DEFAULT_PLAN, layout, breakage }).state);
        if (breakage === 'none' || breakage === 'tables-in-boot-services-data') expect(r.prediction.outcome).toBe('runs');
        else expect(r.prediction).toMatchObject({ outcome: 'triple-fault', stage: stage[breakage] });
      }
    }
    const bs = buildHandoff({ ...DEFAULT_PLAN, breakage: 'tables-in-boot-services-data' });
    expect(descriptorAt(bs.state.memoryMap!, bs.kernelPa)?.type).toBe(EfiBootServicesData);
  });
  it('HANDOFF.MEM.NOT_FREE: the recursive slot is visited once and the tables are all in the loader region', () => {
    const b = buildHandoff(DEFAULT_PLAN);
    const pml4 = b.state.cr3.lo & ~0xfff;
    const scan = scanTables(b.state.memory, pml4, 40);
    expect(scan.tables[0]).toBe(pml4);
    expect(scan.tables.every((t) => t >= 0x210_0000 && t < 0x240_0000)).toBe(true);
    // The recursive slot's PML4E has XD set (the mapper sets it when NXE is on).
    expect(scan.xdEntries.some((e) => e.level === 4 && e.entryPa === pml4 + RECURSIVE_SLOT * 8)).toBe(true);
  });
  it('a region too small for the tables, or a misaligned one, is a LoaderError naming what failed', () => {
    expect(() => buildHandoff({ ...DEFAULT_PLAN, tableFrames: 3 })).toThrow(/^trampoline: needed 3 page-table frame/);
    expect(() => buildHandoff({ ...DEFAULT_PLAN, layout: 'direct-map', tableFrames: 8 })).toThrow(LoaderError);
    expect(() => buildHandoff({ ...DEFAULT_PLAN, regionBase: 0x200_0800 })).toThrow('frame allocator: the table frames [0x2100800, 0x2400800) are misaligned');
  });
});
