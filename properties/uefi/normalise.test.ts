// Normalising a memory map (stride by DescriptorSize, sort, merge, page-align) keeps
// exactly the memory the kernel may use; striding by the structure size does not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeMap, encodeMap, endOf, mapProblems, normaliseBytes, rangesWhere, reuseAfterExit, type MemoryDescriptor,
} from '../../model/uefi/index.ts';
import { numRuns } from '../support/runs.ts';
import { memoryMapArb } from './arbitraries.ts';

/** Splits some descriptors into adjacent pieces of the same kind (what a firmware may report). */
const splitArb = (map: MemoryDescriptor[]): fc.Arbitrary<MemoryDescriptor[]> =>
  fc.array(fc.integer({ min: 0, max: 4095 }), { minLength: map.length, maxLength: map.length }).map((cuts) =>
    map.flatMap((d, i) => {
      const cut = cuts[i]! % d.numberOfPages;
      if (cut === 0) return [d];
      return [{ ...d, numberOfPages: cut }, { ...d, physicalStart: d.physicalStart + cut * 4096, numberOfPages: d.numberOfPages - cut }];
    }));

describe('memory-map normalisation', () => {
  it('UEFI.MMAP.DESCRIPTOR_SIZE / UEFI.REUSE.FREE_AFTER_EXIT: decoding with DescriptorSize and normalising keeps the usable memory exactly', () => {
    fc.assert(fc.property(memoryMapArb.chain((m) => splitArb(m)), fc.constantFrom(40, 48, 56, 64, 96), (map, size) => {
      const bytes = encodeMap(map, size);
      const r = normaliseBytes(bytes, bytes.length, size);
      if (!r.ok) throw new Error(r.message);
      for (const kinds of [['free'], ['free', 'free-when-done'], ['keep'], ['free-after-acpi']] as const) {
        expect(rangesWhere(r.map, kinds)).toEqual(rangesWhere(map, kinds));
      }
      // Sorted, disjoint, and no two touching neighbours of the same kind left unmerged.
      expect(mapProblems(r.map)).toEqual([]);
      r.map.forEach((d, i) => {
        const next = r.map[i + 1];
        if (next === undefined) return;
        expect(next.physicalStart).toBeGreaterThanOrEqual(endOf(d));
        if (next.physicalStart === endOf(d)) expect(next.type !== d.type || next.attribute.lo !== d.attribute.lo || next.attribute.hi !== d.attribute.hi).toBe(true);
      });
      expect(r.map.length).toBeLessThanOrEqual(map.length);
    }), { numRuns: numRuns(200) });
  });

  it('UEFI.MMAP.DESCRIPTOR_SIZE: striding a 48-byte map by the 40-byte structure misreads it', () => {
    fc.assert(fc.property(memoryMapArb.filter((m) => m.length >= 2), (map) => {
      const bytes = encodeMap(map, 48);
      const wrong = decodeMap(bytes, Math.floor(bytes.length / 40) * 40, 40);
      expect(wrong.ok && wrong.map.slice(0, map.length)).not.toEqual(map);
    }), { numRuns: numRuns(100) });
  });

  it('UEFI.REUSE.KEEP_RUNTIME / UEFI.REUSE.KEEP_ACPI_NVS / UEFI.REUSE.KEEP_RESERVED: no kept page is ever free', () => {
    fc.assert(fc.property(memoryMapArb, (map) => {
      const free = rangesWhere(map, ['free', 'free-when-done', 'free-after-acpi']);
      for (const d of map) {
        if (reuseAfterExit(d.type).reuse !== 'keep') continue;
        expect(free.some(([s, e]) => s < endOf(d) && d.physicalStart < e)).toBe(false);
      }
    }), { numRuns: numRuns(100) });
  });
});
