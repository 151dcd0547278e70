import { describe, expect, it } from 'vitest';
import { fromBigInt as b } from '../../model/paging/u64.ts';
import type { GuestCase } from './batch.ts';
import { settingsOrder } from './order.ts';

const c = (over: Partial<GuestCase>): GuestCase => ({
  kind: 'read', implicit: false, cpl: 0, wp: false, smep: false, smap: false, pke: false, nxe: false, ac: false,
  pkru: 0, cr3: b(0x1000n), va: b(0x1000n), slotPa: 0x1a00, memory: [], ...over,
});

describe('settingsOrder', () => {
  it('puts equal CR0.WP/CR4/NXE/PKRU settings together and keeps the batch order within them', () => {
    const cases = [c({ wp: true }), c({}), c({ wp: true, va: b(2n) }), c({ pke: true, pkru: 8 }), c({ pke: true, pkru: 4 }), c({ ac: true })];
    expect(settingsOrder(cases)).toEqual([1, 5, 4, 3, 0, 2]);
  });

  it('puts equal CR3 values together within equal settings', () => {
    const cases = [c({ cr3: b(0x3000n) }), c({ cr3: b(0x1000n) }), c({ cr3: b(0x3000n) }), c({ wp: true, cr3: b(0x1000n) })];
    expect(settingsOrder(cases)).toEqual([1, 0, 2, 3]);
  });

  it('ignores PKRU when PKE is off (the runner does not load it then)', () => {
    expect(settingsOrder([c({ pkru: 8 }), c({ pkru: 4 })])).toEqual([0, 1]);
  });
});
