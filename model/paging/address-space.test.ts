import { describe, expect, it } from 'vitest';
import { physAddr, virtAddr, type VirtAddr } from './addr.ts';
import { AddressSpace, slotBase } from './address-space.ts';
import { RangeFrameAllocator } from './frames.ts';
import { describeMapperError, type MapperError } from './mapper-errors.ts';
import { pageFlags } from './mapper-flags.ts';
import { mapperFixture, memoryImage } from './mapper-fixture.ts';
import type { Result } from './mapper-result.ts';
import { PhysMemory } from './memory.ts';
import { parseHex, toHex, u64 } from './u64.ts';
import { walk } from './walk.ts';
import { CR0_PE, CR0_PG } from './regs.ts';
import { PAGE_2M, PAGE_4K, PF_P, PF_WR, type PagingState } from './types.ts';

const va = (hex: string): VirtAddr => virtAddr(parseHex(hex)!);
const RW = pageFlags({ writable: true });

function unwrap<T>(r: Result<T, MapperError>): T {
  if (!r.ok) throw new Error(describeMapperError(r.error));
  return r.value;
}

/** Where `at` translates for a read, or the fault's error code as a string. */
function where(state: PagingState, at: string): number | string {
  const r = walk(state, { va: va(at), kind: 'read', implicit: false });
  return r.outcome === 'ok' ? r.pa : `fault ${r.vector}/${r.errorCode}`;
}

describe('AddressSpace basics', () => {
  it('the fixture refuses a bad table range or one with no room for the PML4', () => {
    expect(() => mapperFixture({}, { start: 0x1800, end: 0x3000 })).toThrow('bad table range: misaligned');
  });

  it('create takes one zeroed PML4 frame, or fails typed', () => {
    const memory = new PhysMemory();
    const empty = RangeFrameAllocator.create(memory, []);
    if (!empty.ok) throw new Error();
    expect(AddressSpace.create(memory, empty.value, { maxPhyAddr: 46, hugePages1G: true, noExecute: true }))
      .toEqual({ ok: false, error: { kind: 'FrameAllocationFailed', needed: 1, remaining: 0 } });
    const { space } = mapperFixture();
    expect(space.cr3).toEqual(u64(0, 0x10_0000));
    expect(space.ownedTables()).toEqual([0x10_0000]);
    expect(space.recursiveSlot).toBeUndefined();
    expect(space.memory).toBeInstanceOf(PhysMemory);
  });

  it('pagingState runs the space under 4-level paging, with overrides', () => {
    const { space } = mapperFixture({ noExecute: false, hugePages1G: false });
    const s = space.pagingState({ cpl: 3 }, ['smep']);
    expect(toHex(s.regs.cr0)).toBe('0x80010001');
    expect(toHex(s.regs.efer)).toBe('0x500');
    expect(s.regs.cpl).toBe(3);
    expect([...s.cpu.features]).toEqual(['smep']);
    expect(toHex(mapperFixture().space.pagingState().regs.efer)).toBe('0xd00');
    expect(space.pagingState({ cr0: u64(0, CR0_PE | CR0_PG) }).regs.cr0.lo >>> 0).toBe(0x8000_0001);
  });

  it('pagingState reports the CPU features the mapper config assumes, and nothing else', () => {
    // NXE on needs the nx feature (PG.PERM.XD.COMBINE); 1 GiB pages need pdpe1gb (PG.WALK.PDPTE.PS).
    expect(mapperFixture().space.pagingState().cpu.features).toEqual(new Set(['nx', 'pdpe1gb']));
    expect(mapperFixture({ hugePages1G: false }).space.pagingState().cpu.features).toEqual(new Set(['nx']));
  });

  it('slotBase gives the canonical start of a PML4 slot', () => {
    expect(toHex(slotBase(1))).toBe('0x8000000000');
    expect(toHex(slotBase(256))).toBe('0xffff800000000000');
    expect(toHex(slotBase(511))).toBe('0xffffff8000000000');
  });
});

describe('copyRoot: path copy-on-write', () => {
  function twoSpaces() {
    const f = mapperFixture();
    unwrap(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, RW));
    unwrap(f.space.map(va('0x2000'), physAddr(0xa000), PAGE_4K, RW));
    unwrap(f.space.map(va('0x40000000'), physAddr(0x4000_0000), PAGE_2M, RW));
    const copy = unwrap(f.space.copyRoot());
    return { ...f, copy };
  }

  it('the copy has a fresh PML4 with the same entries and the same translations', () => {
    const { memory, space, copy } = twoSpaces();
    expect(copy.root).toBe(0x10_0000 + 5 * PAGE_4K);
    for (let i = 0; i < 512; i++) expect(memory.read64(physAddr(copy.root + i * 8))).toEqual(memory.read64(physAddr(space.root + i * 8)));
    for (const at of ['0x1000', '0x2fff', '0x40000000', '0x401fffff', '0x3000']) {
      expect(where(copy.pagingState(), at)).toEqual(where(space.pagingState(), at));
    }
    expect(space.ownedTables()).toEqual([space.root]);
    expect(copy.ownedTables()).toEqual([copy.root]);
    expect(space.ownsTable(space.root)).toBe(true);
    expect(space.ownsTable(copy.root)).toBe(false);
  });

  it('a change through the copy copies the shared tables on its path and leaves the original alone', () => {
    const { memory, space, copy } = twoSpaces();
    const original = memoryImage(memory).filter((line) => !line.startsWith(`0x${copy.root.toString(16).slice(0, 3)}`));
    unwrap(copy.map(va('0x3000'), physAddr(0xb000), PAGE_4K, RW));
    expect(where(copy.pagingState(), '0x3000')).toBe(0xb000);
    expect(where(space.pagingState(), '0x3000')).toBe('fault 14/0');
    // The copy now owns copies of PDPT, PD and PT (three frames after its PML4), the original owns only its root.
    expect(copy.ownedTables()).toEqual([copy.root, copy.root + 0x1000, copy.root + 0x2000, copy.root + 0x3000]);
    expect(space.ownedTables()).toEqual([space.root]);
    // Every table of the original is byte-for-byte what it was.
    const now = new Set(memoryImage(memory));
    for (const line of original) expect(now.has(line)).toBe(true);
    // unmap and protect through the original copy its own path; the copy keeps its translations.
    unwrap(space.unmap(va('0x1000'), PAGE_4K));
    unwrap(space.protect(va('0x40000000'), PAGE_2M, pageFlags()));
    expect(where(copy.pagingState(), '0x1000')).toBe(0x9000);
    expect(where(space.pagingState(), '0x1000')).toBe('fault 14/0');
    const w = walk(copy.pagingState(), { va: va('0x40000000'), kind: 'write', implicit: false });
    expect(w.outcome).toBe('ok');
    const w2 = walk(space.pagingState(), { va: va('0x40000000'), kind: 'write', implicit: false });
    expect(w2).toMatchObject({ outcome: 'fault', errorCode: PF_P | PF_WR });
  });

  it('a split through the copy leaves the original huge page whole', () => {
    const { memory, space, copy } = twoSpaces();
    unwrap(copy.map(va('0x40001000'), physAddr(0xb000), PAGE_4K, RW, { onHugePage: 'split' }));
    expect(where(copy.pagingState(), '0x40001000')).toBe(0xb000);
    expect(where(copy.pagingState(), '0x40002000')).toBe(0x4000_2000);
    expect(where(space.pagingState(), '0x40001000')).toBe(0x4000_1000);
    const leaf = unwrap(space.translate(va('0x40001000')));
    expect(leaf).toMatchObject({ size: PAGE_2M, entry: u64(0, 0x4000_0083) });
    expect(memory.read64(leaf.entryPa)).toEqual(u64(0, 0x4000_0083));
  });

  it('a second write through the same path copies nothing more', () => {
    const { copy, allocator } = twoSpaces();
    unwrap(copy.map(va('0x3000'), physAddr(0xb000), PAGE_4K, RW));
    const left = allocator.remaining;
    expect(unwrap(copy.map(va('0x4000'), physAddr(0xc000), PAGE_4K, RW)).newTables).toEqual([]);
    expect(allocator.remaining).toBe(left);
  });

  it('fails typed when there is no frame for the new PML4, or for the path copies', () => {
    const f = mapperFixture({}, { start: 0x10_0000, end: 0x10_5000 });
    unwrap(f.space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, RW));
    const copy = unwrap(f.space.copyRoot());
    expect(f.space.copyRoot()).toEqual({ ok: false, error: { kind: 'FrameAllocationFailed', needed: 1, remaining: 0 } });
    const image = memoryImage(f.memory);
    expect(copy.map(va('0x2000'), physAddr(0xa000), PAGE_4K, RW)).toEqual({ ok: false, error: { kind: 'FrameAllocationFailed', needed: 3, remaining: 0 } });
    expect(memoryImage(f.memory)).toEqual(image);
  });
});

describe('attach: tables built elsewhere', () => {
  /** A firmware-style PML4 at 0x800000 mapping 0–2 MiB with a 2 MiB page, and its tables. */
  function firmware() {
    const memory = new PhysMemory();
    memory.write64(physAddr(0x80_0000), u64(0, 0x80_1003));
    memory.write64(physAddr(0x80_1000), u64(0, 0x80_2003));
    memory.write64(physAddr(0x80_2000), u64(0, 0x83));
    memory.write64(physAddr(0x80_2008), u64(0, 0x80_3003)); // a PT for 2–4 MiB
    memory.write64(physAddr(0x80_3000), u64(0, 0x20_0003));
    const allocator = RangeFrameAllocator.create(memory, [{ start: 0x10_0000, end: 0x20_0000 }]);
    if (!allocator.ok) throw new Error();
    return { memory, allocator: allocator.value, config: { maxPhyAddr: 46, hugePages1G: true, noExecute: true } };
  }

  it("'all' owns every reachable table and writes in place", () => {
    const { memory, allocator, config } = firmware();
    const space = AddressSpace.attach(memory, allocator, config, physAddr(0x80_0000), 'all');
    expect(space.ownedTables()).toEqual([0x80_0000, 0x80_1000, 0x80_2000, 0x80_3000]);
    expect(unwrap(space.map(va('0x201000'), physAddr(0x9000), PAGE_4K, RW)).entryPa).toBe(0x80_3008);
  });

  it("'all' does not own what a malformed entry points to", () => {
    // PML4[1] has address bit 46 set, reserved with MAXPHYADDR 46 (PG.RSVD.MAXPHYADDR): a walk
    // through it faults, so the frame it names (0x900000 once bit 46 is dropped) is no table.
    const { memory, allocator, config } = firmware();
    memory.write64(physAddr(0x80_0008), u64(0x4000, 0x90_0003));
    const space = AddressSpace.attach(memory, allocator, config, physAddr(0x80_0000), 'all');
    expect(space.ownedTables()).toEqual([0x80_0000, 0x80_1000, 0x80_2000, 0x80_3000]);
  });

  it("'all' counts a table reached through two entries once", () => {
    const { memory, allocator, config } = firmware();
    memory.write64(physAddr(0x80_0008), u64(0, 0x80_1003)); // PML4[1] shares PML4[0]'s PDPT
    const space = AddressSpace.attach(memory, allocator, config, physAddr(0x80_0000), 'all');
    expect(space.ownedTables()).toEqual([0x80_0000, 0x80_1000, 0x80_2000, 0x80_3000]);
  });

  it("'all' owns a frame as a table at every level a walk reaches it", () => {
    // PML4[1] names the PD at 0x802000 as a PDPT. Walking under PML4[1], its entry 1 names
    // the PT at 0x803000 as a PD, whose entry 0 names 0x200000 as a PT: a walk of
    // 0x80_4000_0000 reads its PTE from frame 0x200000, so 'all' owns that frame too.
    const { memory, allocator, config } = firmware();
    memory.write64(physAddr(0x80_0008), u64(0, 0x80_2003));
    const space = AddressSpace.attach(memory, allocator, config, physAddr(0x80_0000), 'all');
    expect(space.ownedTables()).toEqual([0x20_0000, 0x80_0000, 0x80_1000, 0x80_2000, 0x80_3000]);
  });

  it("'none' (the read-only UEFI PML4): the first write copies the path, PML4 included; the firmware tables stay as they were", () => {
    const { memory, allocator, config } = firmware();
    const before = memoryImage(memory);
    const space = AddressSpace.attach(memory, allocator, config, physAddr(0x80_0000), 'none');
    expect(space.ownedTables()).toEqual([]);
    const out = unwrap(space.map(va('0x202000'), physAddr(0xa000), PAGE_4K, RW));
    expect(out.newTables).toEqual([0x10_0000, 0x10_1000, 0x10_2000, 0x10_3000]);
    expect(space.root).toBe(0x10_0000);
    const now = new Set(memoryImage(memory));
    for (const line of before) expect(now.has(line)).toBe(true);
    const fw = { ...space.pagingState(), regs: { ...space.pagingState().regs, cr3: u64(0, 0x80_0000) } };
    expect(where(fw, '0x202000')).toBe('fault 14/0');
    expect(where(space.pagingState(), '0x202000')).toBe(0xa000);
    expect(where(space.pagingState(), '0x200000')).toBe(0x20_0000); // firmware PT[0], seen through the copies
    // copyRoot of an unowned root leaves the source owning nothing.
    const other = AddressSpace.attach(memory, allocator, config, physAddr(0x80_0000), 'none');
    unwrap(other.copyRoot());
    expect(other.ownedTables()).toEqual([]);
  });
});

describe('recursive slot', () => {
  it('points the slot at the PML4; copies of the PML4 point at themselves', () => {
    const { memory, space } = mapperFixture();
    expect(unwrap(space.installRecursiveSlot(510))).toBe(0x10_0ff0);
    expect(toHex(memory.read64(physAddr(0x10_0ff0)))).toBe('0x8000000000100003');
    const copy = unwrap(space.copyRoot());
    expect(toHex(memory.read64(physAddr(copy.root + 510 * 8)))).toBe(toHex(u64(0x8000_0000, copy.root + 3)));
    expect(copy.recursiveSlot).toBe(510);
  });

  it('a lower table copied on write keeps its entry at the slot index: only a PML4 points at itself', () => {
    // va 0x140000000: PML4 index 0, PDPT index 5. With recursive slot 5, PDPT[5] is an
    // ordinary entry (→ the PD at 0x102000) and must survive the PDPT's copy unchanged.
    const { memory, space } = mapperFixture();
    unwrap(space.map(va('0x140000000'), physAddr(0x9000), PAGE_4K, RW));
    unwrap(space.installRecursiveSlot(5));
    const copy = unwrap(space.copyRoot()); // PML4 copy at 0x104000
    // Mapping 0x1000 through the copy copies the shared PDPT (0x105000), then builds PD and PT.
    expect(unwrap(copy.map(va('0x1000'), physAddr(0xa000), PAGE_4K, RW)).newTables).toEqual([0x10_5000, 0x10_6000, 0x10_7000]);
    expect(toHex(memory.read64(physAddr(0x10_4000)))).toBe('0x105003');
    expect(toHex(memory.read64(physAddr(0x10_4028)))).toBe('0x8000000000104003');
    expect(toHex(memory.read64(physAddr(0x10_5028)))).toBe('0x102003');
    expect(where(copy.pagingState(), '0x140000000')).toBe(0x9000);
    expect(where(copy.pagingState(), '0x1000')).toBe(0xa000);
  });

  it('a slot number outside 0–511 is a programming error', () => {
    const { space } = mapperFixture();
    for (const slot of [-1, 1.5, 512]) expect(() => space.installRecursiveSlot(slot)).toThrow(`PML4 slot must be 0–511, got ${slot}`);
    expect(memoryImage(space.memory)).toEqual([]);
  });

  it('refuses an occupied slot, a bad slot number, and mappings inside the window', () => {
    const { space } = mapperFixture({ noExecute: false });
    unwrap(space.map(va('0x1000'), physAddr(0x9000), PAGE_4K, RW));
    expect(space.installRecursiveSlot(0)).toEqual({ ok: false, error: { kind: 'TableInTheWay', va: va('0x0'), level: 4, table: 0x10_1000 } });
    expect(() => space.installRecursiveSlot(512)).toThrow(RangeError);
    unwrap(space.installRecursiveSlot(1));
    expect(toHex(space.memory.read64(physAddr(0x10_0008)))).toBe('0x100003');
    expect(space.map(va('0x8000001000'), physAddr(0x9000), PAGE_4K, RW)).toEqual({ ok: false, error: { kind: 'InRecursiveWindow', va: va('0x8000001000'), slot: 1 } });
  });

  it('on an attached read-only root, installing copies the root first (or fails typed)', () => {
    const f = mapperFixture({}, { start: 0x10_0000, end: 0x10_2000 });
    const ro = AddressSpace.attach(f.memory, f.allocator, f.space.config, f.space.root, 'none');
    unwrap(ro.installRecursiveSlot(5));
    expect(ro.root).toBe(0x10_1000);
    expect(toHex(f.memory.read64(physAddr(0x10_1028)))).toBe('0x8000000000101003');
    expect(f.memory.read64(physAddr(0x10_0028))).toEqual(u64(0, 0));
    const again = AddressSpace.attach(f.memory, f.allocator, f.space.config, f.space.root, 'none');
    expect(again.installRecursiveSlot(5)).toEqual({ ok: false, error: { kind: 'FrameAllocationFailed', needed: 1, remaining: 0 } });
  });
});
