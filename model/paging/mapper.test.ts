import { describe, expect, it } from 'vitest';
import { physAddr, virtAddr, type PhysAddr, type VirtAddr } from './addr.ts';
import { AddressSpace } from './address-space.ts';
import { describeMapperError, type MapperError } from './mapper-errors.ts';
import { pageFlags, type PageFlags } from './mapper-flags.ts';
import { mapperFixture, memoryImage } from './mapper-fixture.ts';
import { parseHex, toHex, u64, type U64 } from './u64.ts';
import { walk } from './walk.ts';
import { PAGE_1G, PAGE_2M, PAGE_4K, PF_P, PF_WR, type AccessKind, type PagingState, type WalkResult } from './types.ts';
import type { Result } from './mapper-result.ts';

function va(hex: string): VirtAddr {
  const v = parseHex(hex);
  if (v === undefined) throw new Error(hex);
  return virtAddr(v);
}

function hex(e: U64): string {
  return toHex(e);
}

function unwrap<T>(r: Result<T, MapperError>): T {
  if (!r.ok) throw new Error(describeMapperError(r.error));
  return r.value;
}

function failure<T>(r: Result<T, MapperError>): MapperError {
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

function access(state: PagingState, at: VirtAddr, kind: AccessKind = 'read'): WalkResult {
  return walk(state, { va: at, kind, implicit: false });
}

/** The walk (the oracle) must translate `at` to `pa` with exactly `flags`' rights. */
function expectTranslation(state: PagingState, at: VirtAddr, pa: number, flags: PageFlags): void {
  const r = access(state, at);
  if (r.outcome !== 'ok') throw new Error(`${hex(at)}: ${r.outcome} ${r.vector}`);
  expect(r.pa).toBe(pa);
  expect(r.rights).toEqual({ writable: flags.writable, user: flags.user, executable: flags.executable });
  expect(r.global).toBe(flags.global);
  expect(r.pkey).toBe(flags.pkey);
}

const RW = pageFlags({ writable: true });

describe('map: exact entries (hand-computed)', () => {
  it('a writable supervisor 4 KiB page at 0x403000 → 0x5000 builds PML4[0], PDPT[0], PD[2], PT[3]', () => {
    // 0x403000: PML4 index 0, PDPT index 0, PD index 2 (bits 29:21 = 0x403000 >> 21), PT index 3.
    const { memory, space } = mapperFixture();
    const out = unwrap(space.map(va('0x403000'), physAddr(0x5000), PAGE_4K, RW));
    expect(space.root).toBe(0x10_0000);
    expect(hex(memory.read64(physAddr(0x10_0000)))).toBe('0x101003'); // PML4[0] → PDPT, P|R/W
    expect(hex(memory.read64(physAddr(0x10_1000)))).toBe('0x102003'); // PDPT[0] → PD
    expect(hex(memory.read64(physAddr(0x10_2010)))).toBe('0x103003'); // PD[2] → PT
    expect(hex(memory.read64(physAddr(0x10_3018)))).toBe('0x5003'); // PT[3]: frame 0x5000, P|R/W
    expect(out).toEqual({ entryPa: 0x10_3018, entry: u64(0, 0x5003), newTables: [0x10_1000, 0x10_2000, 0x10_3000] });
    // Those four qwords are all the map wrote: every other byte of memory is still zero.
    expect(memoryImage(memory)).toEqual(['0x100000=0x101003', '0x101000=0x102003', '0x102010=0x103003', '0x103018=0x5003']);
    expectTranslation(space.pagingState(), va('0x403abc'), 0x5abc, RW);
  });

  it('tables above 4 GiB: pointer entries carry address bits 45:32, and later maps follow them', () => {
    // Tables from [4 GiB, 4 GiB + 1 MiB): PML4 0x100000000, then PDPT, PD, PT one frame apart.
    // An entry's address field is bits 45:12 with MAXPHYADDR 46 (PG.WALK.*.ADDR, SDM §4.5),
    // so PML4[0] = 0x1_0000_1003 (hi 0x1, lo 0x1003).
    const { memory, space } = mapperFixture({}, { start: 0x1_0000_0000, end: 0x1_0010_0000 });
    unwrap(space.map(va('0x403000'), physAddr(0x5000), PAGE_4K, RW));
    expect(hex(memory.read64(physAddr(0x1_0000_0000)))).toBe('0x100001003');
    expect(hex(memory.read64(physAddr(0x1_0000_1000)))).toBe('0x100002003');
    expect(hex(memory.read64(physAddr(0x1_0000_2010)))).toBe('0x100003003');
    // The neighbouring page reuses all three tables: PT[4] of the PT at 0x1_0000_3000.
    expect(unwrap(space.map(va('0x404000'), physAddr(0x6000), PAGE_4K, RW)))
      .toEqual({ entryPa: 0x1_0000_3020, entry: u64(0, 0x6003), newTables: [] });
    expect(unwrap(space.translate(va('0x404010')))).toMatchObject({ pa: 0x6010, entryPa: 0x1_0000_3020 });
    expectTranslation(space.pagingState(), va('0x404010'), 0x6010, RW);
  });

  it('a user page sets U/S on the intermediate entries it creates, and only then', () => {
    const { memory, space } = mapperFixture();
    const user = pageFlags({ user: true });
    unwrap(space.map(va('0x1000'), physAddr(0x7000), PAGE_4K, user));
    expect(hex(memory.read64(physAddr(0x10_0000)))).toBe('0x101007');
    expect(hex(memory.read64(physAddr(0x10_3008)))).toBe('0x7005'); // P|U/S, read-only
    expectTranslation(space.pagingState(), va('0x1008'), 0x7008, user);
  });

  it('encodes XD, the protection key, G and the cache bits of a 4 KiB leaf', () => {
    const { memory, space } = mapperFixture();
    const flags = pageFlags({ writable: true, executable: false, global: true, pkey: 5, cache: { pwt: true, pcd: true, pat: true } });
    const out = unwrap(space.map(va('0x2000'), physAddr(0xabc_d000), PAGE_4K, flags));
    // hi: XD (bit 63) | key 5 in bits 62:59 = 0x80000000 | 0x28000000; lo: frame | G | PAT(7) | PCD | PWT | R/W | P
    expect(hex(out.entry)).toBe('0xa80000000abcd19b');
    expect(hex(memory.read64(out.entryPa))).toBe('0xa80000000abcd19b');
    expectTranslation(space.pagingState(), va('0x2010'), 0xabc_d010, flags);
  });

  it('a 2 MiB page at 0x200000 → 0x40000000 is PD[1] with PS, PAT in bit 12', () => {
    const { memory, space } = mapperFixture();
    const flags = pageFlags({ writable: true, cache: { pwt: false, pcd: false, pat: true } });
    unwrap(space.map(va('0x200000'), physAddr(0x4000_0000), PAGE_2M, flags));
    expect(hex(memory.read64(physAddr(0x10_2008)))).toBe('0x40001083');
    expectTranslation(space.pagingState(), va('0x3fffff'), 0x401f_ffff, flags);
  });

  it('a 1 GiB page at 0x40000000 → 0x80000000 is PDPT[1] with PS', () => {
    const { memory, space } = mapperFixture();
    unwrap(space.map(va('0x40000000'), physAddr(0x8000_0000), PAGE_1G, RW));
    expect(hex(memory.read64(physAddr(0x10_1008)))).toBe('0x80000083');
    expectTranslation(space.pagingState(), va('0x7fffffff'), 0xbfff_ffff, RW);
  });

  it('maps upper-half addresses through PML4 slot 256 and frames above 4 GiB', () => {
    const { memory, space } = mapperFixture();
    unwrap(space.map(va('0xffff800000000000'), physAddr(0x12_3456_7000), PAGE_4K, RW));
    expect(hex(memory.read64(physAddr(0x10_0800)))).toBe('0x101003');
    expect(hex(memory.read64(physAddr(0x10_3000)))).toBe('0x1234567003');
    expectTranslation(space.pagingState(), va('0xffff800000000123'), 0x12_3456_7123, RW);
  });

  it('reuses existing tables for neighbouring pages', () => {
    const { space, allocator } = mapperFixture();
    unwrap(space.map(va('0x1000'), physAddr(0x7000), PAGE_4K, RW));
    const before = allocator.remaining;
    const out = unwrap(space.map(va('0x2000'), physAddr(0x8000), PAGE_4K, RW));
    expect(out.newTables).toEqual([]);
    expect(allocator.remaining).toBe(before);
  });
});

describe('map: refusals leave memory byte-for-byte untouched', () => {
  function refused(make: (f: ReturnType<typeof mapperFixture>) => Result<unknown, MapperError>, setup?: (f: ReturnType<typeof mapperFixture>) => void,
    config?: Parameters<typeof mapperFixture>[0]): MapperError {
    const f = mapperFixture(config);
    setup?.(f);
    const image = memoryImage(f.memory);
    const left = f.allocator.remaining;
    const e = failure(make(f));
    expect(memoryImage(f.memory)).toEqual(image);
    expect(f.allocator.remaining).toBe(left);
    expect(describeMapperError(e).length).toBeGreaterThan(10);
    return e;
  }

  it('NonCanonical', () => {
    expect(refused(({ space }) => space.map(va('0x800000000000'), physAddr(0), PAGE_4K, RW)))
      .toEqual({ kind: 'NonCanonical', va: va('0x800000000000') });
  });

  it('Misaligned virtual address and frame', () => {
    expect(refused(({ space }) => space.map(va('0x201000'), physAddr(0x20_0000), PAGE_2M, RW)))
      .toMatchObject({ kind: 'Misaligned', what: 'virtual address', size: PAGE_2M });
    expect(refused(({ space }) => space.map(va('0x200000'), physAddr(0x20_1000), PAGE_2M, RW)))
      .toEqual({ kind: 'Misaligned', what: 'frame', value: u64(0, 0x20_1000), size: PAGE_2M });
  });

  it('HugePagesUnsupported for 1 GiB without pdpe1gb', () => {
    expect(refused(({ space }) => space.map(va('0x40000000'), physAddr(0), PAGE_1G, RW), undefined, { hugePages1G: false }))
      .toEqual({ kind: 'HugePagesUnsupported', size: PAGE_1G });
  });

  it('FrameAboveMaxPhyAddr: reserved address bits are never written', () => {
    expect(refused(({ space }) => space.map(va('0x1000'), physAddr(2 ** 36), PAGE_4K, RW), undefined, { maxPhyAddr: 36 }))
      .toEqual({ kind: 'FrameAboveMaxPhyAddr', frame: 2 ** 36, maxPhyAddr: 36 });
  });

  it('NoExecuteDisabled: XD is reserved while EFER.NXE = 0', () => {
    expect(refused(({ space }) => space.map(va('0x1000'), physAddr(0), PAGE_4K, pageFlags({ executable: false })), undefined, { noExecute: false }))
      .toEqual({ kind: 'NoExecuteDisabled' });
  });

  it('InvalidProtectionKey', () => {
    expect(refused(({ space }) => space.map(va('0x1000'), physAddr(0), PAGE_4K, pageFlags({ pkey: 16 }))))
      .toEqual({ kind: 'InvalidProtectionKey', pkey: 16 });
    expect(refused(({ space }) => space.map(va('0x1000'), physAddr(0), PAGE_4K, pageFlags({ pkey: 1.5 }))))
      .toEqual({ kind: 'InvalidProtectionKey', pkey: 1.5 });
    // The key field is four bits (PG.PK.KEY_FIELD): nothing below 0 either.
    expect(refused(({ space }) => space.map(va('0x1000'), physAddr(0), PAGE_4K, pageFlags({ pkey: -1 }))))
      .toEqual({ kind: 'InvalidProtectionKey', pkey: -1 });
  });

  it('AlreadyMapped for the same 4 KiB, 2 MiB and 1 GiB page', () => {
    const twice = (at: string, size: number, frame: number) => refused(
      ({ space }) => space.map(va(at), physAddr(frame), size, RW),
      ({ space }) => { unwrap(space.map(va(at), physAddr(frame), size, RW)); });
    expect(twice('0x1000', PAGE_4K, 0x9000)).toEqual({ kind: 'AlreadyMapped', va: va('0x1000'), level: 1, entry: u64(0, 0x9003) });
    expect(twice('0x200000', PAGE_2M, 0x20_0000)).toEqual({ kind: 'AlreadyMapped', va: va('0x200000'), level: 2, entry: u64(0, 0x20_0083) });
    expect(twice('0x40000000', PAGE_1G, 0)).toEqual({ kind: 'AlreadyMapped', va: va('0x40000000'), level: 3, entry: u64(0, 0x83) });
  });

  it('TableInTheWay: a huge page never silently drops a table of smaller pages', () => {
    const setup = ({ space }: ReturnType<typeof mapperFixture>) => { unwrap(space.map(va('0x201000'), physAddr(0x9000), PAGE_4K, RW)); };
    expect(refused(({ space }) => space.map(va('0x200000'), physAddr(0x20_0000), PAGE_2M, RW), setup))
      .toEqual({ kind: 'TableInTheWay', va: va('0x200000'), level: 2, table: 0x10_3000 });
    expect(refused(({ space }) => space.map(va('0x0'), physAddr(0), PAGE_1G, RW), setup))
      .toEqual({ kind: 'TableInTheWay', va: va('0x0'), level: 3, table: 0x10_2000 });
  });

  it("ParentIsHugePage with onHugePage 'fail' (the default)", () => {
    const setup = ({ space }: ReturnType<typeof mapperFixture>) => { unwrap(space.map(va('0x200000'), physAddr(0x4000_0000), PAGE_2M, RW)); };
    expect(refused(({ space }) => space.map(va('0x201000'), physAddr(0x9000), PAGE_4K, RW), setup))
      .toEqual({ kind: 'ParentIsHugePage', va: va('0x201000'), level: 2, entry: u64(0, 0x4000_0083) });
    expect(refused(({ space }) => space.map(va('0x201000'), physAddr(0x9000), PAGE_4K, RW, { onHugePage: 'fail' }), setup).kind)
      .toBe('ParentIsHugePage');
  });

  it('FrameAllocationFailed when the tables needed do not fit, taking none of them', () => {
    const f = mapperFixture({}, { start: 0x10_0000, end: 0x10_3000 }); // PML4 + 2 frames; a 4 KiB page needs 3 tables
    const image = memoryImage(f.memory);
    expect(failure(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, RW))).toEqual({ kind: 'FrameAllocationFailed', needed: 3, remaining: 2 });
    expect(memoryImage(f.memory)).toEqual(image);
    expect(f.allocator.remaining).toBe(2);
    unwrap(f.space.map(va('0x200000'), physAddr(0x20_0000), PAGE_2M, RW)); // two tables do fit a 2 MiB page
  });
});

describe('split: mapping inside a huge page', () => {
  it('carves a 4 KiB page out of a 2 MiB page; the other 511 keep frame and rights, PAT moves to bit 7', () => {
    const { memory, space } = mapperFixture();
    const huge = pageFlags({ writable: true, user: true, global: true, pkey: 3, executable: false, cache: { pwt: true, pcd: false, pat: true } });
    unwrap(space.map(va('0x200000'), physAddr(0x4000_0000), PAGE_2M, huge));
    const small = pageFlags({ writable: false });
    const out = unwrap(space.map(va('0x201000'), physAddr(0x9000), PAGE_4K, small, { onHugePage: 'split' }));
    expect(out.newTables).toEqual([0x10_3000]);
    // PD[1] now points at the new PT, permissive and user-accessible because the pieces are user pages.
    expect(hex(memory.read64(physAddr(0x10_2008)))).toBe('0x103007');
    // Piece 0: frame 0x40000000; G | PAT(bit 7) | PWT | U/S | R/W | P = 0x18f; hi: XD | key 3 (0x18000000).
    expect(hex(memory.read64(physAddr(0x10_3000)))).toBe('0x980000004000018f');
    expect(hex(memory.read64(physAddr(0x10_3008)))).toBe('0x9001');
    expect(hex(memory.read64(physAddr(0x10_3ff8)))).toBe('0x98000000401ff18f');
    const state = space.pagingState();
    for (let i = 0; i < 512; i++) {
      const at = virtAddr(u64(0, 0x20_0000 + i * PAGE_4K + 0x18));
      if (i === 1) expectTranslation(state, at, 0x9018, small);
      else expectTranslation(state, at, 0x4000_0000 + i * PAGE_4K + 0x18, huge);
    }
  });

  it('a split writes exactly the new table (512 entries) and the entry that points to it', () => {
    // Before: PML4[0] → PDPT 0x101000, PDPT[0] → PD 0x102000, PD[1] = 2 MiB page at 0x40000000.
    // The split PT is 0x103000; piece i maps 0x40000000 + i × 4 KiB with the huge page's
    // attributes (P | R/W, PS dropped), except piece 1, the new page.
    const { memory, space } = mapperFixture();
    unwrap(space.map(va('0x200000'), physAddr(0x4000_0000), PAGE_2M, RW));
    unwrap(space.map(va('0x201000'), physAddr(0x9000), PAGE_4K, RW, { onHugePage: 'split' }));
    const pieces: string[] = [];
    for (let i = 0; i < 512; i++) {
      pieces.push(`0x${(0x10_3000 + i * 8).toString(16)}=0x${(i === 1 ? 0x9003 : 0x4000_0003 + i * PAGE_4K).toString(16)}`);
    }
    expect(memoryImage(memory)).toEqual(['0x100000=0x101003', '0x101000=0x102003', '0x102008=0x103003', ...pieces]);
  });

  it('carves a 4 KiB page out of a 1 GiB page; the other 262,143 translations are unchanged', () => {
    const { memory, space } = mapperFixture();
    const huge = pageFlags({ writable: true, cache: { pwt: false, pcd: true, pat: true } });
    unwrap(space.map(va('0x40000000'), physAddr(0x1_c000_0000), PAGE_1G, huge));
    unwrap(space.map(va('0x40403000'), physAddr(0x9000), PAGE_4K, RW, { onHugePage: 'split' }));
    // PDPT[1] → new PD (0x102000); PD[2] → new PT (0x103000); the other PDEs are 2 MiB pieces with PAT in bit 12.
    expect(hex(memory.read64(physAddr(0x10_1008)))).toBe('0x102003');
    expect(hex(memory.read64(physAddr(0x10_2000)))).toBe('0x1c0001093');
    expect(hex(memory.read64(physAddr(0x10_2010)))).toBe('0x103003');
    expect(hex(memory.read64(physAddr(0x10_3000)))).toBe('0x1c0400093');
    const state = space.pagingState();
    for (let page = 0; page < 262_144; page++) {
      const r = access(state, virtAddr(u64(0, 0x4000_0000 + page * PAGE_4K)));
      if (r.outcome !== 'ok') throw new Error(`page ${page} faulted`);
      const want = page === 0x403 ? 0x9000 : 0x1_c000_0000 + page * PAGE_4K;
      if (r.pa !== want || !r.rights.writable || r.rights.user || !r.rights.executable) {
        throw new Error(`page ${page}: pa ${r.pa.toString(16)} rights ${JSON.stringify(r.rights)}`);
      }
    }
  });

  it('carves a 2 MiB page out of a 1 GiB page', () => {
    const { memory, space } = mapperFixture();
    unwrap(space.map(va('0x0'), physAddr(0x4000_0000), PAGE_1G, RW));
    unwrap(space.map(va('0x600000'), physAddr(0x20_0000), PAGE_2M, pageFlags({ user: true }), { onHugePage: 'split' }));
    expect(hex(memory.read64(physAddr(0x10_1000)))).toBe('0x102007');
    expect(hex(memory.read64(physAddr(0x10_2018)))).toBe('0x200085');
    expect(hex(memory.read64(physAddr(0x10_2020)))).toBe('0x40800083');
  });
});

describe('unmap', () => {
  it('clears the leaf and returns what it mapped; the address then faults not-present', () => {
    const { memory, space } = mapperFixture();
    const flags = pageFlags({ writable: true, pkey: 2 });
    unwrap(space.map(va('0x403000'), physAddr(0x5000), PAGE_4K, flags));
    unwrap(space.map(va('0x404000'), physAddr(0x6000), PAGE_4K, RW));
    expect(unwrap(space.unmap(va('0x403000'), PAGE_4K))).toEqual({ frame: 0x5000, flags, entryPa: 0x10_3018, newTables: [] });
    expect(memory.read64(physAddr(0x10_3018))).toEqual(u64(0, 0));
    const r = access(space.pagingState(), va('0x403000'), 'write');
    expect(r).toMatchObject({ outcome: 'fault', vector: 14, errorCode: PF_WR });
    expectTranslation(space.pagingState(), va('0x404000'), 0x6000, RW);
  });

  it('unmaps 2 MiB and 1 GiB pages', () => {
    const { space } = mapperFixture();
    unwrap(space.map(va('0x200000'), physAddr(0x20_0000), PAGE_2M, RW));
    unwrap(space.map(va('0x40000000'), physAddr(0x4000_0000), PAGE_1G, RW));
    expect(unwrap(space.unmap(va('0x200000'), PAGE_2M)).frame).toBe(0x20_0000);
    expect(unwrap(space.unmap(va('0x40000000'), PAGE_1G)).frame).toBe(0x4000_0000);
    expect(access(space.pagingState(), va('0x40000000'))).toMatchObject({ outcome: 'fault', errorCode: 0 });
  });

  it('NotMapped names the level whose entry is not present', () => {
    const { space } = mapperFixture();
    expect(failure(space.unmap(va('0x1000'), PAGE_4K))).toEqual({ kind: 'NotMapped', va: va('0x1000'), level: 4 });
    unwrap(space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, RW));
    expect(failure(space.unmap(va('0x2000'), PAGE_4K))).toEqual({ kind: 'NotMapped', va: va('0x2000'), level: 1 });
    expect(failure(space.unmap(va('0x40000000'), PAGE_4K))).toEqual({ kind: 'NotMapped', va: va('0x40000000'), level: 3 });
  });

  it('SizeMismatch when smaller pages map the region', () => {
    const { space } = mapperFixture();
    unwrap(space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, RW));
    expect(failure(space.unmap(va('0x0'), PAGE_2M))).toEqual({ kind: 'SizeMismatch', va: va('0x0'), requested: PAGE_2M, level: 2 });
  });

  it("inside a huge page: ParentIsHugePage, or with 'split' the rest stays mapped", () => {
    const { memory, space } = mapperFixture();
    unwrap(space.map(va('0x200000'), physAddr(0x4000_0000), PAGE_2M, RW));
    expect(failure(space.unmap(va('0x202000'), PAGE_4K)).kind).toBe('ParentIsHugePage');
    expect(unwrap(space.unmap(va('0x202000'), PAGE_4K, { onHugePage: 'split' })).frame).toBe(0x4000_2000);
    // PD[1] now points at the split PT 0x103000: P | R/W, and no U/S, since the huge page was
    // supervisor-only and nothing below it needs user access. PT[2] is the cleared piece.
    expect(hex(memory.read64(physAddr(0x10_2008)))).toBe('0x103003');
    expect(memory.read64(physAddr(0x10_3010))).toEqual(u64(0, 0));
    expect(hex(memory.read64(physAddr(0x10_3018)))).toBe('0x40003003');
    const state = space.pagingState();
    expect(access(state, va('0x202000'))).toMatchObject({ outcome: 'fault', errorCode: 0 });
    expectTranslation(state, va('0x203000'), 0x4000_3000, RW);
    expectTranslation(state, va('0x201fff'), 0x4000_1fff, RW);
  });

  it('checks the address first', () => {
    const { space } = mapperFixture();
    expect(failure(space.unmap(va('0x1001'), PAGE_4K)).kind).toBe('Misaligned');
  });
});

describe('protect', () => {
  it('replaces rights and attributes, keeping the frame and the A/D flags', () => {
    const { memory, space } = mapperFixture();
    const out = unwrap(space.map(va('0x5000'), physAddr(0x9000), PAGE_4K, RW));
    memory.write64(out.entryPa, u64(0, 0x9063)); // the processor set A and D
    const ro = pageFlags({ executable: false, pkey: 1 });
    const done = unwrap(space.protect(va('0x5000'), PAGE_4K, ro));
    expect(hex(done.entry)).toBe('0x8800000000009061');
    const r = access(space.pagingState(), va('0x5000'), 'write');
    expect(r).toMatchObject({ outcome: 'fault', vector: 14, errorCode: PF_P | PF_WR });
  });

  it('grants U/S on intermediate entries it made for supervisor pages', () => {
    const { memory, space } = mapperFixture();
    unwrap(space.map(va('0x5000'), physAddr(0x9000), PAGE_4K, RW));
    unwrap(space.map(va('0x6000'), physAddr(0xa000), PAGE_4K, RW));
    const user = pageFlags({ user: true, writable: true });
    unwrap(space.protect(va('0x5000'), PAGE_4K, user));
    expect(hex(memory.read64(physAddr(0x10_0000)))).toBe('0x101007');
    const state = space.pagingState();
    expectTranslation(state, va('0x5000'), 0x9000, user);
    expectTranslation(state, va('0x6000'), 0xa000, RW); // still supervisor: its leaf says so
  });

  it('protects a 2 MiB piece of a 1 GiB page with a split, and refuses without one', () => {
    const { space } = mapperFixture();
    unwrap(space.map(va('0x0'), physAddr(0x4000_0000), PAGE_1G, RW));
    expect(failure(space.protect(va('0x200000'), PAGE_2M, pageFlags())).kind).toBe('ParentIsHugePage');
    unwrap(space.protect(va('0x200000'), PAGE_2M, pageFlags(), { onHugePage: 'split' }));
    const state = space.pagingState();
    expectTranslation(state, va('0x200000'), 0x4020_0000, pageFlags());
    expectTranslation(state, va('0x400000'), 0x4040_0000, RW);
  });

  it('refuses bad flags and unmapped pages', () => {
    const { space } = mapperFixture({ noExecute: false });
    expect(failure(space.protect(va('0x1000'), PAGE_4K, pageFlags({ executable: false })))).toEqual({ kind: 'NoExecuteDisabled' });
    expect(failure(space.protect(va('0x1000'), PAGE_4K, pageFlags())).kind).toBe('NotMapped');
  });
});

describe('rights of existing intermediate entries (tables the mapper did not write)', () => {
  /** A PML4E whose PDPT the mapper did not build, with `pml4eFlags`, and one 4 KiB page below it. */
  function foreign(pml4eLo: number, pml4eHi: number, leafLo: number) {
    const f = mapperFixture();
    f.memory.write64(physAddr(0x10_0000), u64(pml4eHi, 0x50_0000 | pml4eLo));
    f.memory.write64(physAddr(0x50_0000), u64(0, 0x50_1007));
    f.memory.write64(physAddr(0x50_1000), u64(0, 0x50_2007));
    f.memory.write64(physAddr(0x50_2000), u64(0, 0x70_0000 | leafLo)); // va 0 → 0x700000
    // Owning every table it reaches, the space writes them in place.
    return { ...f, space: AddressSpace.attach(f.memory, f.allocator, f.space.config, f.space.root, 'all') };
  }

  it('grants a right when no other translation below would gain it', () => {
    const f = foreign(0x1, 0, 0x1); // PML4E read-only supervisor; the leaf too
    unwrap(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, pageFlags({ writable: true, user: true })));
    expect(hex(f.memory.read64(physAddr(0x10_0000)))).toBe('0x500007');
    const state = f.space.pagingState();
    expectTranslation(state, va('0x0'), 0x70_0000, pageFlags());
    expectTranslation(state, va('0x1000'), 0x9000, pageFlags({ writable: true, user: true }));
  });

  it('clears XD on an existing entry when the only translation below is itself non-executable', () => {
    const f = foreign(0x7, 0x8000_0000, 0x7);
    f.memory.write64(physAddr(0x50_2000), u64(0x8000_0000, 0x70_0007));
    unwrap(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, pageFlags({ writable: true, user: true })));
    expect(hex(f.memory.read64(physAddr(0x10_0000)))).toBe('0x500007');
    expectTranslation(f.space.pagingState(), va('0x0'), 0x70_0000, pageFlags({ writable: true, user: true, executable: false }));
  });

  it('grants nothing the new page does not ask for', () => {
    // PML4E read-only, supervisor-only and XD; below it va 0 has a leaf allowing everything.
    // A read-only supervisor non-executable page needs none of the rights the PML4E
    // withholds (PG.PERM.RW/US/XD.COMBINE: the path's most restrictive entry decides), so
    // the PML4E stays as it is and only PT[1] is written.
    const f = foreign(0x1, 0x8000_0000, 0x7);
    const image = memoryImage(f.memory);
    const page = pageFlags({ executable: false });
    expect(unwrap(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, page)))
      .toEqual({ entryPa: 0x50_2008, entry: u64(0x8000_0000, 0x9001), newTables: [] });
    expect(memoryImage(f.memory)).toEqual([...image, '0x502008=0x8000000000009001']);
    expectTranslation(f.space.pagingState(), va('0x1000'), 0x9000, page);
  });

  it('protect grants a right on a parent when the only translation below it is the page itself', () => {
    // PML4E read-only; its one translation, va 0, has a writable supervisor leaf, so the
    // page is read-only only because of the PML4E (PG.PERM.RW.COMBINE). Making it writable
    // sets R/W in the PML4E: no other translation sits below it to gain write access.
    const f = foreign(0x1, 0, 0x3);
    expectTranslation(f.space.pagingState(), va('0x0'), 0x70_0000, pageFlags());
    expect(unwrap(f.space.protect(va('0x0'), PAGE_4K, RW))).toEqual({ entryPa: 0x50_2000, entry: u64(0, 0x70_0003), newTables: [] });
    expect(hex(f.memory.read64(physAddr(0x10_0000)))).toBe('0x500003');
    expectTranslation(f.space.pagingState(), va('0x0'), 0x70_0000, RW);
  });

  it('a right withheld at two levels of the path: granting both would expose the translations below the lower one', () => {
    // PML4E and PDPTE[0] both read-only; PT[0] (va 0) is a writable leaf. Mapping a writable
    // page at 0x1000 would need R/W in both entries, and then va 0 would become writable too.
    const f = foreign(0x1, 0, 0x3);
    f.memory.write64(physAddr(0x50_0000), u64(0, 0x50_1001));
    const image = memoryImage(f.memory);
    expect(failure(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, RW)))
      .toEqual({ kind: 'ParentRestrictsRights', va: va('0x1000'), level: 4, right: 'writable' });
    expect(memoryImage(f.memory)).toEqual(image);
  });

  it('ParentRestrictsRights when granting would change another translation', () => {
    for (const [pml4eLo, pml4eHi, right] of [[0x5, 0, 'writable'], [0x3, 0, 'user'], [0x7, 0x8000_0000, 'executable']] as const) {
      const f = foreign(pml4eLo, pml4eHi, 0x7); // the existing leaf allows everything
      const image = memoryImage(f.memory);
      expect(failure(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, pageFlags({ writable: true, user: true }))))
        .toEqual({ kind: 'ParentRestrictsRights', va: va('0x1000'), level: 4, right });
      expect(memoryImage(f.memory)).toEqual(image);
    }
  });

  it('a leaf off the path at the same index as the target still counts', () => {
    // PML4E withholds U/S; PDPT[0] → PD → PT (the path, empty at index 1); PDPT[1] → PD' → PT'
    // whose entry 1 is a user leaf (va 0x40001000). Granting U/S on the PML4E would expose it.
    const f = mapperFixture();
    const w = (pa: number, lo: number) => f.memory.write64(physAddr(pa), u64(0, lo));
    w(0x10_0000, 0x50_0003);
    w(0x50_0000, 0x50_1007); w(0x50_1000, 0x50_2007);
    w(0x50_0008, 0x50_3007); w(0x50_3000, 0x50_4007); w(0x50_4008, 0x70_0007);
    const space = AddressSpace.attach(f.memory, f.allocator, f.space.config, f.space.root, 'all');
    expect(failure(space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, pageFlags({ user: true }))))
      .toEqual({ kind: 'ParentRestrictsRights', va: va('0x1000'), level: 4, right: 'user' });
    expect(walk(space.pagingState({ cpl: 3 }), { va: va('0x40001000'), kind: 'read', implicit: false }).outcome).toBe('fault');
  });

  it('a split huge page counts as another translation', () => {
    const f = mapperFixture();
    f.memory.write64(physAddr(0x10_0000), u64(0, 0x50_0001)); // read-only PML4E
    f.memory.write64(physAddr(0x50_0000), u64(0, 0x50_1003));
    f.memory.write64(physAddr(0x50_1000), u64(0, 0x4000_0083)); // writable 2 MiB page at 0
    expect(failure(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, RW, { onHugePage: 'split' })).kind).toBe('ParentRestrictsRights');
  });

  it('MalformedEntry for each reserved-bit reason', () => {
    const cases: [Parameters<typeof mapperFixture>[0], U64, number, string][] = [
      [{ maxPhyAddr: 36 }, u64(0x10, 0x50_0003), 4, 'MAXPHYADDR'],
      [{ noExecute: false }, u64(0x8000_0000, 0x50_0003), 4, 'NXE'],
      [{}, u64(0, 0x50_0083), 4, 'PML4E'],
    ];
    for (const [config, pml4e, level, reason] of cases) {
      const f = mapperFixture(config);
      f.memory.write64(physAddr(0x10_0000), pml4e);
      const e = failure(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, pageFlags()));
      expect(e).toMatchObject({ kind: 'MalformedEntry', level, entryPa: 0x10_0000, entry: pml4e });
      expect(e.kind === 'MalformedEntry' && e.reason).toContain(reason);
    }
    const lower: [Parameters<typeof mapperFixture>[0], number, number, string][] = [
      [{ hugePages1G: false }, 0x50_0000, 0x4000_0083, 'pdpe1gb'],
      [{}, 0x50_0000, 0x4000_2083, '29:13'],
      [{}, 0x50_1000, 0x4000_2083, '20:13'],
    ];
    for (const [config, at, entry, reason] of lower) {
      const f = mapperFixture(config);
      f.memory.write64(physAddr(0x10_0000), u64(0, 0x50_0003));
      f.memory.write64(physAddr(0x50_0000), u64(0, 0x50_1003));
      f.memory.write64(physAddr(at), u64(0, entry));
      const e = failure(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, pageFlags(), { onHugePage: 'split' }));
      expect(e.kind === 'MalformedEntry' && e.reason).toContain(reason);
      expect(failure(f.space.translate(va('0x1000'))).kind).toBe('MalformedEntry');
      expect(failure(f.space.entryPhysAddr(va('0x1000'), 1)).kind).toBe('MalformedEntry');
    }
  });

  it('the grant scan ignores malformed and not-present entries below', () => {
    const f = foreign(0x1, 0, 0x1);
    f.memory.write64(physAddr(0x50_1008), u64(0, 0x4000_2083)); // malformed 2 MiB leaf (bit 13)
    unwrap(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, RW));
  });
});

describe('translate and entryPhysAddr', () => {
  it('reads a mapping back from the tables', () => {
    const { space } = mapperFixture();
    const flags = pageFlags({ writable: true, global: true });
    unwrap(space.map(va('0x40000000'), physAddr(0x8000_0000), PAGE_1G, flags));
    expect(unwrap(space.translate(va('0x40001234')))).toEqual({
      frame: 0x8000_0000, pa: 0x8000_1234, size: PAGE_1G, flags, level: 3, entryPa: 0x10_1008, entry: u64(0, 0x8000_0183),
    });
    expect(failure(space.translate(va('0x1000')))).toEqual({ kind: 'NotMapped', va: va('0x1000'), level: 3 });
    expect(failure(space.translate(va('0x8000000000000000'))).kind).toBe('NonCanonical');
  });

  it('locates the entry of each level, or says why there is none', () => {
    const { space } = mapperFixture();
    unwrap(space.map(va('0x403000'), physAddr(0x5000), PAGE_4K, RW));
    unwrap(space.map(va('0x40000000'), physAddr(0x8000_0000), PAGE_1G, RW));
    expect([4, 3, 2, 1].map((l) => unwrap(space.entryPhysAddr(va('0x403000'), l as 1 | 2 | 3 | 4))))
      .toEqual([0x10_0000, 0x10_1000, 0x10_2010, 0x10_3018]);
    expect(failure(space.entryPhysAddr(va('0x40000000'), 2))).toMatchObject({ kind: 'ParentIsHugePage', level: 3 });
    expect(failure(space.entryPhysAddr(va('0x8000000000'), 3))).toEqual({ kind: 'NotMapped', va: va('0x8000000000'), level: 4 });
    expect(failure(space.entryPhysAddr(va('0x800000000000'), 4)).kind).toBe('NonCanonical');
  });

  it('a frame that is not a physical address is a programming error', () => {
    const { space } = mapperFixture();
    expect(() => space.map(va('0x1000'), -4096 as PhysAddr, PAGE_4K, RW)).toThrow(RangeError);
    expect(() => space.map(va('0x1000'), 0.5 as PhysAddr, PAGE_4K, RW)).toThrow('frame is not a physical address: 0.5');
  });
});
