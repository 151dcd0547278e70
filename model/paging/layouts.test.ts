import { describe, expect, it } from 'vitest';
import { physAddr, virtAddr, type VirtAddr } from './addr.ts';
import { addToVirt, identityLayout, mapLinearRange, offsetLayout, RecursiveLayout, type TableLayout } from './layouts.ts';
import { describeMapperError, type MapperError } from './mapper-errors.ts';
import { pageFlags } from './mapper-flags.ts';
import { mapperFixture } from './mapper-fixture.ts';
import type { Result } from './mapper-result.ts';
import { parseHex, toHex } from './u64.ts';
import { walk } from './walk.ts';
import { PAGE_1G, PAGE_2M, PAGE_4K, type Level, type PagingState } from './types.ts';
import type { AddressSpace } from './address-space.ts';

const va = (hex: string): VirtAddr => virtAddr(parseHex(hex)!);
const RW = pageFlags({ writable: true });

function unwrap<T, E>(r: Result<T, E>): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

/**
 * For each address and level: the layout's window shows, through the model's walk, the
 * very qword that physical memory holds at the entry's address.
 */
function checkWindow(space: AddressSpace, layout: TableLayout, state: PagingState, addresses: readonly VirtAddr[]): number {
  let checked = 0;
  for (const at of addresses) {
    for (const level of [4, 3, 2, 1] as Level[]) {
      const entryPa = space.entryPhysAddr(at, level);
      const window = layout.entryVirtAddr(at, level);
      expect(window.ok).toBe(entryPa.ok);
      if (!entryPa.ok || !window.ok) continue;
      const r = walk(state, { va: window.value, kind: 'read', implicit: false });
      if (r.outcome !== 'ok') throw new Error(`${toHex(window.value)} (entry of ${toHex(at)} at level ${level}) faulted`);
      expect(r.pa).toBe(entryPa.value);
      expect(space.memory.read64(physAddr(r.pa))).toEqual(space.memory.read64(entryPa.value));
      checked++;
    }
  }
  return checked;
}

describe('identity layout', () => {
  it('maps a range with the largest pages that fit, and tables are visible at their physical address', () => {
    const { space } = mapperFixture();
    const layout = unwrap(identityLayout(space, [{ start: 0x1000, end: 0x8040_2000 }], RW));
    expect(layout.kind).toBe('identity');
    // 4 KiB up to 2 MiB (511), 2 MiB up to 1 GiB (511), one 1 GiB, then 2 × 2 MiB and 2 × 4 KiB.
    const state = space.pagingState();
    for (const [at, size] of [['0x1000', PAGE_4K], ['0x1ff000', PAGE_4K], ['0x200000', PAGE_2M], ['0x3fe00000', PAGE_2M],
      ['0x40000000', PAGE_1G], ['0x80200000', PAGE_2M], ['0x80401000', PAGE_4K]] as const) {
      const r = walk(state, { va: va(at), kind: 'write', implicit: false });
      expect(r).toMatchObject({ outcome: 'ok', pa: Number(at), pageSize: size });
    }
    expect(walk(state, { va: va('0x80402000'), kind: 'read', implicit: false }).outcome).toBe('fault');
    expect(walk(state, { va: va('0x0'), kind: 'read', implicit: false }).outcome).toBe('fault');
    expect(checkWindow(space, layout, state, [va('0x1000'), va('0x1ff000'), va('0x40001000'), va('0x80401000')])).toBe(4 + 4 + 2 + 4);
  });

  it('a huge page needs both the linear and the physical address aligned to its size', () => {
    // A 2 MiB page maps VA bits 20:0 onto a 2 MiB-aligned frame (PG.WALK.PDE.PS, SDM §4.5), so a
    // range whose VA and PA disagree modulo 2 MiB takes 4 KiB pages only, whichever is aligned.
    const f = mapperFixture();
    expect(unwrap(mapLinearRange(f.space, va('0x200000'), { start: 0x1000, end: 0x20_1000 }, RW))).toEqual({ pages4K: 512, pages2M: 0, pages1G: 0 });
    expect(unwrap(mapLinearRange(f.space, va('0x40001000'), { start: 0x20_0000, end: 0x40_0000 }, RW))).toEqual({ pages4K: 512, pages2M: 0, pages1G: 0 });
    const state = f.space.pagingState();
    expect(walk(state, { va: va('0x3ff123'), kind: 'write', implicit: false })).toMatchObject({ outcome: 'ok', pa: 0x20_0123, pageSize: PAGE_4K });
    expect(walk(state, { va: va('0x40200fff'), kind: 'write', implicit: false })).toMatchObject({ outcome: 'ok', pa: 0x3f_ffff, pageSize: PAGE_4K });
  });

  it('counts pages per size, and uses 2 MiB pages without pdpe1gb', () => {
    const { space } = mapperFixture({ hugePages1G: false });
    expect(unwrap(mapLinearRange(space, va('0x0'), { start: 0, end: PAGE_1G + PAGE_4K }, RW))).toEqual({ pages4K: 1, pages2M: 512, pages1G: 0 });
    const f = mapperFixture();
    expect(unwrap(mapLinearRange(f.space, va('0x0'), { start: 0, end: PAGE_1G + PAGE_4K }, RW))).toEqual({ pages4K: 1, pages2M: 0, pages1G: 1 });
  });

  it('stops at the first page that fails and says how far it got', () => {
    const { space } = mapperFixture();
    unwrap(space.map(va('0x3000'), physAddr(0x3000), PAGE_4K, RW));
    expect(identityLayout(space, [{ start: 0x1000, end: 0x5000 }], RW)).toEqual({
      ok: false, error: { kind: 'RangeFailed', va: va('0x3000'), mappedBytes: 0x2000, cause: { kind: 'AlreadyMapped', va: va('0x3000'), level: 1, entry: { hi: 0, lo: 0x3003 } } },
    });
  });

  it('refuses ranges that are misaligned or not identity-mappable in the lower half', () => {
    const { space } = mapperFixture({ maxPhyAddr: 52 });
    const misaligned = identityLayout(space, [{ start: 0x1800, end: 0x3000 }], RW);
    expect(misaligned).toEqual({ ok: false, error: { kind: 'RangeFailed', va: va('0x1800'), mappedBytes: 0, cause: { kind: 'Misaligned', what: 'frame', value: { hi: 0, lo: 0x1800 }, size: PAGE_4K } } });
    // An edge that is no physical address at all is refused as data, before anything is mapped.
    for (const edge of [-0x1000, 4096.5, Number.NaN, 2 ** 53]) {
      const bad = mapLinearRange(space, va('0x0'), { start: 0, end: edge }, RW);
      expect(bad).toEqual({ ok: false, error: { kind: 'RangeFailed', va: va('0x0'), mappedBytes: 0, cause: { kind: 'NotAnAddress', what: 'range edge', value: edge } } });
    }
    expect(space.translate(va('0x0')).ok).toBe(false);
    const badEnd = mapLinearRange(space, va('0x1000'), { start: 0x1000, end: 0x1001 }, RW);
    expect(badEnd.ok ? undefined : badEnd.error.cause).toMatchObject({ kind: 'Misaligned', value: { hi: 0, lo: 0x1001 } });
    // VA 2^47 is not canonical (PG.CANON.GP): the range's first page has no address.
    const high = identityLayout(space, [{ start: 2 ** 47, end: 2 ** 47 + 0x1000 }], RW);
    expect(high).toEqual({ ok: false, error: { kind: 'RangeFailed', va: va('0x0'), mappedBytes: 0, cause: { kind: 'NonCanonical', va: va('0x0') } } });
    const crossing = identityLayout(space, [{ start: 2 ** 47 - 0x1000, end: 2 ** 47 + 0x1000 }], RW);
    expect(crossing).toEqual({
      ok: false, error: { kind: 'RangeFailed', va: va('0x7ffffffff000'), mappedBytes: 0x1000, cause: { kind: 'NonCanonical', va: va('0x7ffffffff000') } },
    });
  });
});

describe('offset (direct-map) layout', () => {
  it('maps 0–4 GiB at 0xffff888000000000 with 1 GiB pages; entries are visible at offset + PA', () => {
    const { space } = mapperFixture();
    unwrap(space.map(va('0x403000'), physAddr(0x5000), PAGE_4K, RW));
    const layout = unwrap(offsetLayout(space, va('0xffff888000000000'), [{ start: 0, end: 4 * PAGE_1G }], RW));
    expect(layout.kind).toBe('offset');
    const state = space.pagingState();
    const r = walk(state, { va: va('0xffff8880f3456789'), kind: 'read', implicit: false });
    expect(r).toMatchObject({ outcome: 'ok', pa: 0xf345_6789, pageSize: PAGE_1G });
    // The PTE for 0x403000 is PT[3] at 0x103018, visible at 0xffff888000103018.
    expect(toHex(unwrap(layout.entryVirtAddr(va('0x403000'), 1)))).toBe('0xffff888000103018');
    expect(checkWindow(space, layout, state, [va('0x403000'), va('0xffff888000000000'), va('0xffff888080000000')])).toBe(4 + 2 + 2);
  });

  it('reports an entry outside the mapped ranges, and an offset range that leaves the canonical half', () => {
    const { space } = mapperFixture();
    const layout = unwrap(offsetLayout(space, va('0x7ffffffff000'), [{ start: 0, end: 0x1000 }], RW));
    expect(layout.entryVirtAddr(va('0x7ffffffff000'), 4)).toEqual({ ok: false, error: { kind: 'EntryNotVisible', va: va('0x7ffffffff000'), level: 4, entryPa: 0x10_07f8 } });
    expect(layout.entryVirtAddr(va('0x1000'), 1)).toEqual({ ok: false, error: { kind: 'NotMapped', va: va('0x1000'), level: 4 } });
    const beyond = offsetLayout(space, va('0xfffffffffffff000'), [{ start: 0x1000, end: 0x2000 }], RW);
    expect(beyond).toEqual({
      ok: false, error: { kind: 'RangeFailed', va: va('0xfffffffffffff000'), mappedBytes: 0, cause: { kind: 'NonCanonical', va: va('0xfffffffffffff000') } },
    });
  });

  it('an entry is visible only when its physical address lies inside one of the mapped ranges', () => {
    // Identity map of the page at 0 and of the table frames [1 MiB, 2 MiB): va 0 needs a PDPT,
    // PD and PT (0x101000–0x103000), all inside the second range; the PML4 at 1 MiB too.
    const a = mapperFixture();
    const both = unwrap(identityLayout(a.space, [{ start: 0, end: 0x1000 }, { start: 0x10_0000, end: 0x20_0000 }], RW));
    expect(toHex(unwrap(both.entryVirtAddr(va('0x0'), 1)))).toBe('0x103000');
    expect(toHex(unwrap(both.entryVirtAddr(va('0x0'), 4)))).toBe('0x100000');
    // The low 1 MiB ends where the PML4 begins: [0, 0x100000) does not contain 0x100000.
    const b = mapperFixture();
    const low = unwrap(identityLayout(b.space, [{ start: 0, end: 0x10_0000 }], RW));
    expect(low.entryVirtAddr(va('0x0'), 4)).toEqual({ ok: false, error: { kind: 'EntryNotVisible', va: va('0x0'), level: 4, entryPa: 0x10_0000 } });
    // A range above the tables shows none of them.
    const c = mapperFixture();
    const above = unwrap(identityLayout(c.space, [{ start: 0x20_0000, end: 0x40_0000 }], RW));
    expect(above.entryVirtAddr(va('0x200000'), 2)).toEqual({ ok: false, error: { kind: 'EntryNotVisible', va: va('0x200000'), level: 2, entryPa: 0x10_2008 } });
  });
});

describe('recursive layout', () => {
  it('shows the entry of each level at the hand-computed window address', () => {
    const { space } = mapperFixture();
    unwrap(space.map(va('0x403000'), physAddr(0x5000), PAGE_4K, RW));
    unwrap(space.map(va('0xffff800040200000'), physAddr(0x4000_0000), PAGE_2M, RW));
    const layout = unwrap(RecursiveLayout.install(space, 510));
    expect(layout.kind).toBe('recursive');
    expect(layout.slot).toBe(510);
    // Slot 510 is linear 0xffffff0000000000. PTE of 0x403000: indices 510,0,0,2 then 3 × 8.
    const at = (level: Level) => toHex(unwrap(layout.entryVirtAddr(va('0x403000'), level)));
    expect(at(1)).toBe('0xffffff0000002018');
    expect(at(2)).toBe('0xffffff7f80000010'); // 510,510,0,0 then 2 × 8
    expect(at(3)).toBe('0xffffff7fbfc00000'); // 510,510,510,0 then 0
    expect(at(4)).toBe('0xffffff7fbfdfe000'); // 510 four times then 0
    const state = space.pagingState();
    expect(checkWindow(space, layout, state, [va('0x403000'), va('0xffff800040200000')])).toBe(4 + 3);
  });

  it('says when the level asked for does not exist for the address', () => {
    const { space } = mapperFixture();
    unwrap(space.map(va('0x200000'), physAddr(0x20_0000), PAGE_2M, RW));
    const layout = unwrap(RecursiveLayout.install(space, 511));
    expect(layout.entryVirtAddr(va('0x200000'), 1)).toMatchObject({ ok: false, error: { kind: 'ParentIsHugePage', level: 2 } });
    expect(RecursiveLayout.install(space, 0)).toMatchObject({ ok: false, error: { kind: 'TableInTheWay' } });
  });

  it('a layout built in one space stays valid in a copy made afterwards', () => {
    const { space } = mapperFixture();
    unwrap(space.map(va('0x403000'), physAddr(0x5000), PAGE_4K, RW));
    unwrap(RecursiveLayout.install(space, 300));
    const copy = unwrap(space.copyRoot());
    unwrap(copy.map(va('0x404000'), physAddr(0x6000), PAGE_4K, RW));
    const copyLayout = unwrap(RecursiveLayout.install(copy, 301));
    expect(checkWindow(copy, copyLayout, copy.pagingState(), [va('0x403000'), va('0x404000')])).toBe(8);
  });
});

describe('addToVirt', () => {
  it('stays inside the canonical half of its base', () => {
    expect(toHex(addToVirt(va('0xffff800000000000'), 0x1000)!)).toBe('0xffff800000001000');
    expect(addToVirt(va('0xfffffffffffff000'), 0x1000)).toBeUndefined();
    expect(addToVirt(va('0x7ffffffff000'), 0x1000)).toBeUndefined();
  });
});

describe('errors have messages', () => {
  it('every mapper error kind describes itself', () => {
    const samples: MapperError[] = [
      { kind: 'NonCanonical', va: va('0x800000000000') },
      { kind: 'Misaligned', what: 'frame', value: { hi: 0, lo: 1 }, size: PAGE_4K },
      { kind: 'HugePagesUnsupported', size: PAGE_1G },
      { kind: 'FrameAboveMaxPhyAddr', frame: 2 ** 40, maxPhyAddr: 40 },
      { kind: 'NoExecuteDisabled' },
      { kind: 'InvalidProtectionKey', pkey: 16 },
      { kind: 'InRecursiveWindow', va: va('0x0'), slot: 0 },
      { kind: 'AlreadyMapped', va: va('0x0'), level: 1, entry: { hi: 0, lo: 3 } },
      { kind: 'TableInTheWay', va: va('0x0'), level: 2, table: physAddr(0x1000) },
      { kind: 'ParentIsHugePage', va: va('0x0'), level: 2, entry: { hi: 0, lo: 0x83 } },
      { kind: 'FrameAllocationFailed', needed: 2, remaining: 1 },
      { kind: 'NotMapped', va: va('0x0'), level: 4 },
      { kind: 'SizeMismatch', va: va('0x0'), requested: PAGE_2M, level: 2 },
      { kind: 'ParentRestrictsRights', va: va('0x0'), level: 3, right: 'user' },
      { kind: 'EntryNotVisible', va: va('0x0'), level: 1, entryPa: physAddr(0x1000) },
      { kind: 'MalformedEntry', va: va('0x0'), level: 4, entryPa: physAddr(0), entry: { hi: 0, lo: 0x83 }, reason: 'PS is set in a PML4E' },
      { kind: 'NotAnAddress', what: 'range edge', value: -4096 },
    ];
    const lines = samples.map(describeMapperError);
    expect(new Set(lines).size).toBe(samples.length);
    expect(lines[1]).toBe('frame 0x1 is not aligned to 4 KiB');
    expect(lines[2]).toBe('1 GiB pages need the pdpe1gb feature');
    expect(lines[12]).toBe('0x0 is mapped with pages smaller than 2 MiB (the PDE points to a table)');
    expect(lines[16]).toBe('range edge -4096 is not a physical address (a non-negative safe integer)');
  });
});
