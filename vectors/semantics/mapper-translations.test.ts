import { describe, expect, it } from 'vitest';
import { physAddr } from '../../model/paging/addr.ts';
import { PhysMemory } from '../../model/paging/memory.ts';
import type { CpuModel } from '../../model/paging/types.ts';
import { u64 } from '../../model/paging/u64.ts';
import { enumerateTranslations, translationToJson } from './mapper-translations.ts';

const cpu: CpuModel = { maxPhyAddr: 40, features: new Set(['nx', 'pdpe1gb']) };

function mem(qwords: [number, number, number][]): PhysMemory {
  const m = new PhysMemory();
  for (const [pa, hi, lo] of qwords) m.write64(physAddr(pa), u64(hi, lo));
  return m;
}

describe('enumerateTranslations', () => {
  // PML4 0x1000 → PDPT 0x2000 → PD 0x3000 → PT 0x4000; PT[0..2] map 0x10000.. contiguously, PT[3] elsewhere.
  const tables: [number, number, number][] = [
    [0x1000, 0, 0x2007], [0x2000, 0, 0x3007], [0x3000, 0, 0x4003],
    [0x4000, 0, 0x10003], [0x4008, 0, 0x11063], [0x4010, 0, 0x12023], [0x4018, 0, 0x40003],
  ];

  it('merges contiguous pages with equal flags, combines rights over the levels, ignores A/D', () => {
    const t = enumerateTranslations(mem(tables), cpu, 0x1000, true);
    expect(t.malformed).toEqual([]);
    expect(t.ranges.map(translationToJson)).toEqual([
      // U/S is 1 above but 0 in the PDE: supervisor pages (PG.PERM.US.COMBINE).
      { va: '0x0', pa: '0x10000', length: '0x3000', pageSize: '4K', flags: { writable: true, user: false, executable: true, global: false, pkey: 0 } },
      { va: '0x3000', pa: '0x40000', length: '0x1000', pageSize: '4K', flags: { writable: true, user: false, executable: true, global: false, pkey: 0 } },
    ]);
  });

  it('reads XD only with NXE, keys and G from the leaf, and upper-half addresses canonically', () => {
    const m = mem([[0x1ff8, 0, 0x2007], [0x2ff8, 0x8000_0000, 0x4000_0087 | 0x100], [0x2000, 0x2800_0000, 0x8000_0085]]);
    const t = enumerateTranslations(m, cpu, 0x1000, true).ranges.map(translationToJson);
    expect(t).toEqual([
      { va: '0xffffff8000000000', pa: '0x80000000', length: '0x40000000', pageSize: '1G', flags: { writable: false, user: true, executable: true, global: false, pkey: 5 } },
      { va: '0xffffffffc0000000', pa: '0x40000000', length: '0x40000000', pageSize: '1G', flags: { writable: true, user: true, executable: false, global: true, pkey: 0 } },
    ]);
    expect(enumerateTranslations(m, cpu, 0x1000, false).malformed).toEqual([{ entryPa: 0x2ff8, level: 3, clause: 'PG.RSVD.XD_WITHOUT_NXE' }]);
  });

  it('lists present entries with reserved bits instead of translating through them', () => {
    const m = mem([[0x1000, 0, 0x2007], [0x2000, 0x100, 0x3007]]); // bit 40 set at MAXPHYADDR 40
    expect(enumerateTranslations(m, cpu, 0x1000, true)).toEqual({ ranges: [], malformed: [{ entryPa: 0x2000, level: 3, clause: 'PG.RSVD.MAXPHYADDR' }], truncated: false });
  });

  it('stops at the leaf limit (recursive tables)', () => {
    const m = mem([[0x1000, 0, 0x1003]]); // PML4[0] points at the PML4 itself
    const t = enumerateTranslations(m, cpu, 0x1000, true, 0);
    expect(t.truncated).toBe(true);
  });
});
