import type { PhysAddr, VirtAddr } from './addr.ts';
import { EFER_LMA, EFER_LME, EFER_NXE, CR0_PE, CR0_PG, CR0_WP, CR4_PAE } from './regs.ts';
import type { FrameAllocator } from './frames.ts';
import { isHugeLeaf, isPresent, malformation, tableAddr, type MapperConfig } from './mapper-entries.ts';
import type { MapperError } from './mapper-errors.ts';
import type { PageFlags } from './mapper-flags.ts';
import { err, ok, type Result } from './mapper-result.ts';
import {
  copyTable, entryPhysAddr, mapPage, protectPage, translatePage, unmapPage,
  type MapOptions, type MapOutcome, type MappedPage, type SpaceState, type UnmapOutcome,
} from './mapper.ts';
import type { PhysMemory } from './memory.ts';
import { fromNumber, u64, type U64 } from './u64.ts';
import type { Feature, Level, PageSize, PagingState, Registers } from './types.ts';

/** Which existing tables an attached address space may write in place. */
export type Ownership = 'all' | 'none';

/**
 * One set of 4-level page tables (what one CR3 value selects) and the operations on it.
 * Address spaces made by `copyRoot` share lower tables; each space tracks the tables it
 * owns and copies any other table on a path before writing it, so a change through one
 * space never alters another space's translations.
 */
export class AddressSpace {
  private constructor(private readonly s: SpaceState) {}

  /** A new, empty address space: one zeroed PML4 from `allocator`. */
  static create(memory: PhysMemory, allocator: FrameAllocator, config: MapperConfig): Result<AddressSpace, MapperError> {
    const taken = allocator.allocate(1);
    if (!taken.ok) return err({ kind: 'FrameAllocationFailed', needed: 1, remaining: taken.error.remaining });
    const root = taken.value[0]!;
    return ok(new AddressSpace({ memory, allocator, config, root, owned: new Set([root]), recursiveSlot: undefined }));
  }

  /**
   * Tables someone else built, with their PML4 at `root`. With `'all'` the space owns
   * every table it can reach and writes them in place; with `'none'` (firmware tables that
   * must stay as they are, e.g. a read-only UEFI PML4) every write first copies the tables
   * on its path, the PML4 included, so `root` changes on the first write.
   */
  static attach(memory: PhysMemory, allocator: FrameAllocator, config: MapperConfig, root: PhysAddr, ownership: Ownership): AddressSpace {
    const owned = ownership === 'all' ? reachableTables(memory, config, root) : new Set<number>();
    return new AddressSpace({ memory, allocator, config, root, owned, recursiveSlot: undefined });
  }

  get memory(): PhysMemory {
    return this.s.memory;
  }

  get config(): MapperConfig {
    return this.s.config;
  }

  /** Physical address of the PML4 table. */
  get root(): PhysAddr {
    return this.s.root;
  }

  /** The CR3 value that selects this space (PWT = PCD = 0; PG.CR3.PML4_BASE). */
  get cr3(): U64 {
    return fromNumber(this.s.root);
  }

  /** The PML4 slot of an installed recursive layout, if any. */
  get recursiveSlot(): number | undefined {
    return this.s.recursiveSlot;
  }

  /** True when this space may write the table at `pa` in place. */
  ownsTable(pa: PhysAddr): boolean {
    return this.s.owned.has(pa);
  }

  /** The tables this space owns, ascending. */
  ownedTables(): PhysAddr[] {
    return [...this.s.owned].sort((a, b) => a - b) as PhysAddr[];
  }

  /** Maps the page of `size` at `va` to `frame`. See `mapPage`. */
  map(va: VirtAddr, frame: PhysAddr, size: PageSize, flags: PageFlags, options?: MapOptions): Result<MapOutcome, MapperError> {
    return mapPage(this.s, va, frame, size, flags, options);
  }

  /** Unmaps the page of `size` at `va`. See `unmapPage`. */
  unmap(va: VirtAddr, size: PageSize, options?: MapOptions): Result<UnmapOutcome, MapperError> {
    return unmapPage(this.s, va, size, options);
  }

  /** Changes the rights of the page of `size` at `va`. See `protectPage`. */
  protect(va: VirtAddr, size: PageSize, flags: PageFlags, options?: MapOptions): Result<MapOutcome, MapperError> {
    return protectPage(this.s, va, size, flags, options);
  }

  /** The page mapping `va`, read from the tables. */
  translate(va: VirtAddr): Result<MappedPage, MapperError> {
    return translatePage(this.s, va);
  }

  /** Physical address of the level-`level` entry used to translate `va`. */
  entryPhysAddr(va: VirtAddr, level: Level): Result<PhysAddr, MapperError> {
    return entryPhysAddr(this.s, va, level);
  }

  /**
   * A new address space whose PML4 is a copy of this one's in a fresh frame: the same
   * translations, sharing every lower table. From now on neither space owns the shared
   * tables; each copies them on its first write through them.
   */
  copyRoot(): Result<AddressSpace, MapperError> {
    const taken = this.s.allocator.allocate(1);
    if (!taken.ok) return err({ kind: 'FrameAllocationFailed', needed: 1, remaining: taken.error.remaining });
    const root = taken.value[0]!;
    copyTable(this.s, this.s.root, root, 4);
    this.s.owned = this.s.owned.has(this.s.root) ? new Set([this.s.root]) : new Set();
    return ok(new AddressSpace({ ...this.s, root, owned: new Set([root]) }));
  }

  /**
   * Points PML4 slot `slot` at the PML4 itself, so every table of this space is visible
   * in the 512 GiB window of that slot. The slot must be empty; writes supervisor-only,
   * writable, and (with NXE) non-executable.
   */
  installRecursiveSlot(slot: number): Result<PhysAddr, MapperError> {
    if (!Number.isInteger(slot) || slot < 0 || slot > 511) throw new RangeError(`PML4 slot must be 0–511, got ${slot}`);
    const entryPa = (this.s.root + slot * 8) as PhysAddr;
    const e = this.s.memory.read64(entryPa);
    const va = slotBase(slot);
    if (isPresent(e)) return err({ kind: 'TableInTheWay', va, level: 4, table: tableAddr(e, this.s.config) as PhysAddr });
    if (!this.s.owned.has(this.s.root)) {
      const taken = this.s.allocator.allocate(1);
      if (!taken.ok) return err({ kind: 'FrameAllocationFailed', needed: 1, remaining: taken.error.remaining });
      const copy = taken.value[0]!;
      copyTable(this.s, this.s.root, copy, 4);
      this.s.root = copy;
      this.s.owned.add(copy);
    }
    this.s.recursiveSlot = slot;
    const rootSlotPa = (this.s.root + slot * 8) as PhysAddr;
    // P | R/W, U/S clear so user code cannot reach the tables; XD when NXE allows it.
    this.s.memory.write64(rootSlotPa, u64(this.s.config.noExecute ? 0x8000_0000 : 0, (this.s.root + 0x3) >>> 0));
    return ok(rootSlotPa);
  }

  /**
   * A `PagingState` that runs this space: 4-level paging on (CR0.PG/PE, CR4.PAE,
   * EFER.LME/LMA), CR0.WP = 1, EFER.NXE as configured, CPL 0; `regs` overrides any of it.
   */
  pagingState(regs: Partial<Registers> = {}, extraFeatures: readonly Feature[] = []): PagingState {
    const features = new Set<Feature>(extraFeatures);
    if (this.s.config.noExecute) features.add('nx');
    if (this.s.config.hugePages1G) features.add('pdpe1gb');
    const base: Registers = {
      cr0: u64(0, (CR0_PE | CR0_PG | CR0_WP) >>> 0),
      cr3: this.cr3,
      cr4: u64(0, CR4_PAE),
      efer: u64(0, EFER_LME | EFER_LMA | (this.s.config.noExecute ? EFER_NXE : 0)),
      rflags: u64(0, 0x2),
      pkru: 0,
      cpl: 0,
    };
    return { cpu: { maxPhyAddr: this.s.config.maxPhyAddr, features }, regs: { ...base, ...regs }, memory: this.s.memory };
  }
}

/** The canonical linear address where PML4 slot `slot` begins. */
export function slotBase(slot: number): VirtAddr {
  const hi = slot * 0x80 + (slot >= 256 ? 0xffff_0000 : 0);
  return u64(hi, 0) as VirtAddr;
}

/**
 * Every well-formed table reachable from `root` (the root included). A frame can be a
 * table at more than one level (one entry names it as a PDPT, another as a PD): the walk
 * reads it as whatever level it arrives at (PG.WALK.*.ADDR, SDM §4.5.4), so each
 * (frame, level) is scanned once.
 */
function reachableTables(memory: PhysMemory, config: MapperConfig, root: PhysAddr): Set<number> {
  const found = new Set<number>([root]);
  const scanned = new Set<string>();
  const visit = (table: number, level: Level): void => {
    const key = `${table}@${level}`;
    if (scanned.has(key)) return;
    scanned.add(key);
    for (let i = 0; i < 512; i++) {
      const e = memory.read64((table + i * 8) as PhysAddr);
      if (!isPresent(e) || malformation(e, level, config) !== undefined || isHugeLeaf(e, level)) continue;
      const child = tableAddr(e, config);
      found.add(child);
      if (level > 2) visit(child, (level - 1) as Level);
    }
  };
  visit(root, 4);
  return found;
}

