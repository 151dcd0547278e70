import { describe, expect, it } from 'vitest';
import { u64 } from '../paging/u64.ts';
import {
  decodeMap, describeDescriptor, descriptor, encodeMap, EFI_MEMORY_RUNTIME, endOf, isValidDescriptorSize,
} from './descriptor.ts';
import { bytesWhere, coalesce, descriptorAt, findFreeTopDown, mapProblems, rangeCoveredBy, retype } from './memory-map.ts';
import {
  EfiACPIMemoryNVS, EfiACPIReclaimMemory, EfiBootServicesCode, EfiBootServicesData, EfiConventionalMemory, EfiLoaderCode,
  EfiLoaderData, EfiMemoryMappedIO, EfiPersistentMemory, EfiReservedMemoryType, EfiRuntimeServicesData, EfiUnacceptedMemoryType,
  isAllocatableType, memoryTypeName, parseMemoryType, reuseAfterExit,
} from './memory-type.ts';
import { normaliseBytes, normaliseMap, rangesBytes, rangesWhere } from './normalize.ts';
import { smallMap } from './sample-maps.ts';
import { statusFromValue, statusValue } from './status.ts';

describe('descriptor bytes', () => {
  it('UEFI.MMAP.DESCRIPTOR_SIZE: descriptors are DescriptorSize apart and round-trip at 40, 48 and 64', () => {
    const map = [...smallMap(), { ...descriptor(EfiRuntimeServicesData, 0x1_2345_6000, 3, EFI_MEMORY_RUNTIME), virtualStart: u64(0xffffffff, 0x80000000) }];
    for (const size of [40, 48, 64]) {
      const bytes = encodeMap(map, size);
      expect(bytes.length).toBe(map.length * size);
      expect(new DataView(bytes.buffer).getUint32(size, true)).toBe(map[1]!.type);
      const back = decodeMap(bytes, bytes.length, size);
      expect(back).toEqual({ ok: true, map });
    }
  });
  it('UEFI.MMAP.DESCRIPTOR_SIZE: striding by the structure size misreads a 48-byte map', () => {
    const bytes = encodeMap(smallMap(), 48);
    const wrong = decodeMap(bytes, 40 * 6, 40);
    expect(wrong.ok && wrong.map[1]!.type).not.toBe(EfiConventionalMemory);
  });
  it('UEFI.MMAP.DESCRIPTOR_SIZE: bad sizes and truncated buffers are reported with the byte offset', () => {
    const bytes = encodeMap(smallMap(), 48);
    expect(isValidDescriptorSize(44)).toBe(false);
    expect(() => encodeMap([], 32)).toThrow(/DescriptorSize 32/);
    expect(decodeMap(bytes, 48, 36)).toMatchObject({ ok: false, problem: { offset: 0 } });
    expect(decodeMap(bytes, 1000, 48)).toMatchObject({ ok: false, problem: { offset: bytes.length } });
    expect(decodeMap(bytes, 100, 48)).toMatchObject({ ok: false, problem: { offset: 96 } });
    const huge = encodeMap([descriptor(EfiConventionalMemory, 0, 1)], 48);
    huge[15] = 0xff;
    expect(decodeMap(huge, 48, 48)).toMatchObject({ ok: false, problem: { offset: 0, message: expect.stringContaining('2^52') } });
  });
  it('UEFI.MMAP.PAGES: a descriptor ends NumberOfPages × 4 KiB after its start and prints readably', () => {
    const d = descriptor(EfiLoaderData, 0x10_0000, 3);
    expect(endOf(d)).toBe(0x10_3000);
    expect(describeDescriptor(d)).toBe('EfiLoaderData 0x100000-0x102fff (3 pages, attr 0x8)');
  });
});

describe('memory map operations', () => {
  it('UEFI.MMAP.NO_OVERLAP / UEFI.MMAP.PAGES: overlaps, unaligned starts and empty descriptors are found', () => {
    const probs = mapProblems([descriptor(EfiConventionalMemory, 0x1000, 4), descriptor(EfiLoaderData, 0x3000, 1), descriptor(EfiLoaderData, 0x8800, 0)]);
    expect(probs.map((p) => [p.index, p.clause])).toEqual([[2, 'UEFI.MMAP.PAGES'], [2, 'UEFI.MMAP.PAGES'], [1, 'UEFI.MMAP.NO_OVERLAP']]);
    expect(mapProblems(smallMap())).toEqual([]);
  });
  it('UEFI.ALLOC.PAGES: retype splits a descriptor in three and coalesce merges it back', () => {
    const m = [descriptor(EfiConventionalMemory, 0, 10)];
    const split = retype(m, 0x3000, 2, EfiLoaderData);
    expect(split.map((d) => [d.type, d.physicalStart, d.numberOfPages])).toEqual([[7, 0, 3], [2, 0x3000, 2], [7, 0x5000, 5]]);
    expect(retype(split, 0x3000, 2, EfiConventionalMemory)).toEqual(m);
    expect(coalesce([descriptor(7, 0x1000, 1), descriptor(7, 0, 1)])).toEqual([descriptor(7, 0, 2)]);
  });
  it('UEFI.ALLOC.PAGES: the top-down search respects the maximum address and coverage checks span descriptors', () => {
    const m = [descriptor(EfiConventionalMemory, 0, 4), descriptor(EfiLoaderData, 0x4000, 1), descriptor(EfiConventionalMemory, 0x5000, 4)];
    expect(findFreeTopDown(m, 2, 2 ** 40)).toBe(0x7000);
    expect(findFreeTopDown(m, 2, 0x5fff)).toBe(0x2000);
    expect(findFreeTopDown(m, 5, 2 ** 40)).toBeUndefined();
    expect(rangeCoveredBy(m, 0x3000, 3, () => true)).toBe(true);
    expect(rangeCoveredBy(m, 0x3000, 3, (d) => d.type === EfiConventionalMemory)).toBe(false);
    expect(rangeCoveredBy(m, 0x8000, 2, () => true)).toBe(false);
    expect(bytesWhere(m, (t) => t === EfiConventionalMemory)).toBe(8 * 4096);
    expect(descriptorAt(m, 0x4fff)?.type).toBe(EfiLoaderData);
    expect(descriptorAt(m, 0x9000)).toBeUndefined();
  });
});

describe('normalising', () => {
  it('UEFI.MMAP.DESCRIPTOR_SIZE: normalising bytes uses the stride and merges neighbours', () => {
    const m = [descriptor(EfiConventionalMemory, 0x2000, 1), descriptor(EfiConventionalMemory, 0x1000, 1), descriptor(EfiLoaderData, 0x3000, 1)];
    const r = normaliseBytes(encodeMap(m, 48), 144, 48);
    expect(r).toEqual({ ok: true, map: [descriptor(EfiConventionalMemory, 0x1000, 2), descriptor(EfiLoaderData, 0x3000, 1)] });
    expect(normaliseBytes(encodeMap(m, 48), 144, 40)).toMatchObject({ ok: false, clause: 'UEFI.MMAP.DESCRIPTOR_SIZE', message: expect.stringContaining('byte 120') });
  });
  it('UEFI.MMAP.NO_OVERLAP / UEFI.MMAP.PAGES: overlaps are refused; unaligned starts keep only whole pages', () => {
    expect(normaliseMap([descriptor(7, 0, 2), descriptor(2, 0x1000, 1)])).toMatchObject({ ok: false, clause: 'UEFI.MMAP.NO_OVERLAP' });
    const r = normaliseMap([descriptor(7, 0x1800, 2), descriptor(7, 0x8800, 1), descriptor(7, 0x9000, 0)]);
    expect(r).toEqual({ ok: true, map: [descriptor(7, 0x2000, 1)] });
  });
  it('UEFI.REUSE.FREE_AFTER_EXIT: free ranges merge across conventional and boot-services memory', () => {
    const m = [descriptor(EfiConventionalMemory, 0, 1), descriptor(EfiBootServicesCode, 0x1000, 1), descriptor(EfiBootServicesData, 0x2000, 1), descriptor(EfiLoaderData, 0x3000, 1), descriptor(EfiACPIReclaimMemory, 0x5000, 1), descriptor(EfiConventionalMemory, 0x5800, 1)];
    expect(rangesWhere(m)).toEqual([[0, 0x3000], [0x6000, 0x6000 + 0x800 + 0x800 - 0x1000 + 0x1000]].slice(0, 1));
    expect(rangesWhere(m, ['free', 'free-when-done'])).toEqual([[0, 0x4000]]);
    expect(rangesBytes(rangesWhere(m, ['free-after-acpi']))).toBe(0x1000);
  });
});

describe('memory types', () => {
  it('UEFI.REUSE.*: each type maps to its reuse rule and clause', () => {
    expect(reuseAfterExit(EfiConventionalMemory)).toEqual({ reuse: 'free', clause: 'UEFI.REUSE.FREE_AFTER_EXIT' });
    expect(reuseAfterExit(EfiLoaderCode)).toEqual({ reuse: 'free-when-done', clause: 'UEFI.REUSE.FREE_AFTER_EXIT' });
    expect(reuseAfterExit(EfiACPIReclaimMemory)).toEqual({ reuse: 'free-after-acpi', clause: 'UEFI.REUSE.ACPI_RECLAIM' });
    expect(reuseAfterExit(EfiRuntimeServicesData)).toEqual({ reuse: 'keep', clause: 'UEFI.REUSE.KEEP_RUNTIME' });
    expect(reuseAfterExit(EfiACPIMemoryNVS)).toEqual({ reuse: 'keep', clause: 'UEFI.REUSE.KEEP_ACPI_NVS' });
    for (const t of [EfiReservedMemoryType, EfiMemoryMappedIO, EfiPersistentMemory, EfiUnacceptedMemoryType, 0x7000_0000]) {
      expect(reuseAfterExit(t)).toEqual({ reuse: 'keep', clause: 'UEFI.REUSE.KEEP_RESERVED' });
    }
  });
  it('UEFI.ALLOC.PAGES: names, parsing and which types may be allocated', () => {
    expect(memoryTypeName(4)).toBe('EfiBootServicesData');
    expect(memoryTypeName(0x7000_0001)).toBe('OEM 0x70000001');
    expect(memoryTypeName(0x8000_0000)).toBe('OS 0x80000000');
    expect(memoryTypeName(0x20)).toBe('invalid 0x20');
    expect(parseMemoryType('EfiLoaderData')).toBe(2);
    expect(parseMemoryType('0x7')).toBe(7);
    expect(parseMemoryType(9)).toBe(9);
    expect(parseMemoryType(-1)).toBeUndefined();
    expect(parseMemoryType('bogus')).toBeUndefined();
    expect([0, 1, 6, 7, 13, 14, 15, 16, 0x6fff_ffff, 0x7000_0000, 0xffff_ffff].map(isAllocatableType))
      .toEqual([true, true, true, false, true, false, false, false, false, true, true]);
  });
  it('EFI_STATUS values round-trip with bit 63 marking errors', () => {
    expect(statusValue('EFI_SUCCESS')).toEqual(u64(0, 0));
    expect(statusValue('EFI_BUFFER_TOO_SMALL')).toEqual(u64(0x8000_0000, 5));
    expect(statusFromValue(u64(0x8000_0000, 17))).toBe('EFI_NO_MAPPING');
    expect(statusFromValue(u64(0, 5))).toBeUndefined();
  });
});
