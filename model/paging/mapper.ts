/**
 * The page-table manager: map, unmap and protect 4 KiB, 2 MiB and 1 GiB pages in 4-level
 * tables held in `PhysMemory`, in the style of the rust-osdev `x86_64` crate's `Mapper`.
 *
 * Every operation runs in two phases. The first only reads: it walks the existing tables,
 * decides every error, and counts the frames it needs. Then it takes all those frames at
 * once and writes. So an operation that returns an error has written nothing and taken no
 * frame, and memory is byte-for-byte as it was.
 *
 * Tables may be shared between address spaces after `copyRoot`; a write through one space
 * first copies every table on its path that the space does not own (path copy-on-write).
 */
import type { PhysAddr, VirtAddr } from './addr.ts';
import { low48 } from './addr.ts';
import { A, D, US, makeEntry } from './entry.ts';
import type { FrameAllocator } from './frames.ts';
import {
  grant, indexAt, isHugeLeaf, isLeaf, isPresent, leafFrame, leafLevel, malformation, pageSizeAt,
  pointerEntry, repointed, splitPiece, tableAddr, withholds, type MapperConfig,
} from './mapper-entries.ts';
import type { MapperError, Right } from './mapper-errors.ts';
import { flagsOfLeaf, leafBits, type PageFlags } from './mapper-flags.ts';
import { err, ok, type Result } from './mapper-result.ts';
import type { PhysMemory } from './memory.ts';
import { isCanonical } from './walk-core.ts';
import { fromNumber, ZERO, type U64 } from './u64.ts';
import { PAGE_1G, type Level, type PageSize } from './types.ts';

/** What to do when the page asked for lies inside a larger page that is already mapped. */
export type OnHugePage = 'split' | 'fail';

export interface MapOptions {
  /**
   * `'fail'` (the default): return `ParentIsHugePage` and change nothing. `'split'`: turn
   * the huge page into a table of smaller pages first; every other translation it made
   * keeps its frame and rights exactly.
   */
  readonly onHugePage?: OnHugePage;
}

/** The mutable state of one address space; `AddressSpace` wraps it. */
export interface SpaceState {
  readonly memory: PhysMemory;
  readonly allocator: FrameAllocator;
  readonly config: MapperConfig;
  /** The PML4 table (what CR3 holds). */
  root: PhysAddr;
  /** Tables this space may write in place; any other table on a path is copied first. */
  owned: Set<number>;
  /** The PML4 slot that points at the PML4 itself, when a recursive layout is installed. */
  recursiveSlot: number | undefined;
}

/** Where the leaf of a mapped page lives and what it now holds. */
export interface MapOutcome {
  readonly entryPa: PhysAddr;
  readonly entry: U64;
  /** Frames the operation took for new, split or copied tables, in the order taken. */
  readonly newTables: readonly PhysAddr[];
}

/** What an unmap removed. */
export interface UnmapOutcome {
  readonly frame: PhysAddr;
  readonly flags: PageFlags;
  readonly entryPa: PhysAddr;
  readonly newTables: readonly PhysAddr[];
}

/** A page found by `translate`, read from the tables (not through the walk). */
export interface MappedPage {
  /** The frame the page maps. */
  readonly frame: PhysAddr;
  /** The physical address the linear address translates to (frame + offset). */
  readonly pa: PhysAddr;
  readonly size: PageSize;
  readonly flags: PageFlags;
  readonly level: Level;
  readonly entryPa: PhysAddr;
  readonly entry: U64;
}

// ── Requests ──────────────────────────────────────────────────────────────────────

function checkVa(s: SpaceState, va: VirtAddr, size: PageSize): MapperError | undefined {
  if (!isCanonical(va.hi, va.lo)) return { kind: 'NonCanonical', va };
  if (low48(va) % size !== 0) return { kind: 'Misaligned', what: 'virtual address', value: va, size };
  if (size === PAGE_1G && !s.config.hugePages1G) return { kind: 'HugePagesUnsupported', size };
  // No index equals an absent slot, so this needs no separate `!== undefined` test.
  if (indexAt(low48(va), 4) === s.recursiveSlot) {
    return { kind: 'InRecursiveWindow', va, slot: s.recursiveSlot };
  }
  return undefined;
}

function checkFrame(s: SpaceState, frame: PhysAddr, size: PageSize): MapperError | undefined {
  if (!Number.isSafeInteger(frame) || frame < 0) throw new RangeError(`frame is not a physical address: ${frame}`);
  if (frame % size !== 0) return { kind: 'Misaligned', what: 'frame', value: fromNumber(frame), size };
  if (frame >= 2 ** s.config.maxPhyAddr) return { kind: 'FrameAboveMaxPhyAddr', frame, maxPhyAddr: s.config.maxPhyAddr };
  return undefined;
}

function checkFlags(s: SpaceState, flags: PageFlags): MapperError | undefined {
  if (!Number.isInteger(flags.pkey) || flags.pkey < 0 || flags.pkey > 15) return { kind: 'InvalidProtectionKey', pkey: flags.pkey };
  if (!flags.executable && !s.config.noExecute) return { kind: 'NoExecuteDisabled' };
  return undefined;
}

function rightsOf(flags: PageFlags): Right[] {
  const rights: Right[] = [];
  if (flags.writable) rights.push('writable');
  if (flags.user) rights.push('user');
  if (flags.executable) rights.push('executable');
  return rights;
}

// ── Phase 1: look, decide, count ──────────────────────────────────────────────────

/** What the read-only descent found. */
interface Plan {
  /** The existing tables on the path, PML4 first; `tables[i]` holds level `4 - i` entries. */
  readonly tables: readonly PhysAddr[];
  /**
   * Level of the deepest entry read: the target's, or a higher one where the path ends
   * early (that entry is not present, or is a larger leaf); the levels in between are built.
   */
  readonly stopLevel: Level;
  /** The deepest entry is a larger leaf covering the target, to be split (`onHugePage: 'split'`). */
  readonly huge: boolean;
  readonly stopEntry: U64;
}

function inspect(s: SpaceState, va: VirtAddr, target: Level, onHuge: OnHugePage): Result<Plan, MapperError> {
  const va48 = low48(va);
  const tables: PhysAddr[] = [s.root];
  let level: Level = 4;
  for (;;) {
    const entryPa = (tables[tables.length - 1]! + indexAt(va48, level) * 8) as PhysAddr;
    const e = s.memory.read64(entryPa);
    if (!isPresent(e)) return ok({ tables, stopLevel: level, huge: false, stopEntry: e });
    const bad = malformation(e, level, s.config);
    if (bad !== undefined) return err({ kind: 'MalformedEntry', va, level, entryPa, entry: e, reason: bad });
    if (level === target) return ok({ tables, stopLevel: level, huge: false, stopEntry: e });
    if (isHugeLeaf(e, level)) {
      if (onHuge === 'fail') return err({ kind: 'ParentIsHugePage', va, level, entry: e });
      return ok({ tables, stopLevel: level, huge: true, stopEntry: e });
    }
    tables.push(tableAddr(e, s.config) as PhysAddr);
    level = (level - 1) as Level;
  }
}

/**
 * The rights to grant on existing intermediate entries of the path, or the error when
 * granting one would change a translation other than the target's.
 */
function planGrants(s: SpaceState, va: VirtAddr, target: Level, plan: Plan, rights: readonly Right[]): Result<Right[], MapperError> {
  const va48 = low48(va);
  const grants: Right[] = [];
  for (const right of rights) {
    // Intermediate entries on the path: in tables[0 .. n-2], each leading to the next table.
    for (let i = 0; i < plan.tables.length - 1; i++) {
      const level = (4 - i) as Level;
      const e = s.memory.read64((plan.tables[i]! + indexAt(va48, level) * 8) as PhysAddr);
      if (!withholds(e, right)) continue;
      // The highest entry that withholds it: everything below it that would gain the right is checked.
      if (grantsElsewhere(s, plan.tables[i + 1]!, (level - 1) as Level, true, right, va48, target, plan.stopLevel)) {
        return err({ kind: 'ParentRestrictsRights', va, level, right });
      }
      grants.push(right);
      break;
    }
  }
  return ok(grants);
}

/**
 * Would some translation below `table` (other than the one being replaced) gain `right`
 * once every path entry above `stopLevel` grants it? `onPath`: `table` is one of the
 * tables on the path to the target (only there does va's index select the path entry).
 */
function grantsElsewhere(
  s: SpaceState, table: number, level: Level, onPath: boolean, right: Right, va48: number, target: Level, stopLevel: Level,
): boolean {
  const pathIndex = onPath ? indexAt(va48, level) : -1;
  for (let i = 0; i < 512; i++) {
    const e = s.memory.read64((table + i * 8) as PhysAddr);
    if (!isPresent(e) || malformation(e, level, s.config) !== undefined) continue;
    const pathEntry = i === pathIndex;
    if (pathEntry && level === target) continue; // the translation being replaced
    const grantedByUs = pathEntry && level > stopLevel;
    if (!grantedByUs && withholds(e, right)) continue;
    if (isLeaf(e, level)) return true;
    if (grantsElsewhere(s, tableAddr(e, s.config), (level - 1) as Level, pathEntry, right, va48, target, stopLevel)) return true;
  }
  return false;
}

// ── Phase 2: take frames, copy, grant, build ──────────────────────────────────────

/** The target entry once the path is ready to be written. */
interface Slot {
  readonly entryPa: PhysAddr;
  readonly newTables: readonly PhysAddr[];
}

/**
 * Makes the path to the level-`target` entry for `va` writable by this space: checks,
 * takes frames, copies shared tables, grants rights, builds missing or split tables.
 * `check` sees the plan before anything is written and may refuse it.
 */
function prepare(
  s: SpaceState, va: VirtAddr, target: Level, onHuge: OnHugePage, rights: readonly Right[], needUser: boolean,
  check: (plan: Plan) => MapperError | undefined,
): Result<Slot, MapperError> {
  const planned = inspect(s, va, target, onHuge);
  if (!planned.ok) return planned;
  const plan = planned.value;
  const refused = check(plan);
  if (refused !== undefined) return err(refused);
  const grants = planGrants(s, va, target, plan, rights);
  if (!grants.ok) return grants;

  const copies = plan.tables.filter((t) => !s.owned.has(t)).length;
  const built = plan.stopLevel - target;
  const taken = s.allocator.allocate(copies + built);
  if (!taken.ok) return err({ kind: 'FrameAllocationFailed', needed: taken.error.requested, remaining: taken.error.remaining });
  const frames = [...taken.value];

  const va48 = low48(va);
  const tables = ownPath(s, plan.tables, va48, frames);
  for (let i = 0; i < tables.length - 1; i++) {
    const entryPa = (tables[i]! + indexAt(va48, (4 - i) as Level) * 8) as PhysAddr;
    let e = s.memory.read64(entryPa);
    for (const right of grants.value) e = grant(e, right);
    s.memory.write64(entryPa, e);
  }
  let table = tables[tables.length - 1]!;
  let huge = plan.stopEntry;
  for (let level = plan.stopLevel; level > target; level--) {
    const fresh = frames.shift()!;
    s.owned.add(fresh);
    const entryPa = (table + indexAt(va48, level as Level) * 8) as PhysAddr;
    if (plan.huge) {
      for (let i = 0; i < 512; i++) s.memory.write64((fresh + i * 8) as PhysAddr, splitPiece(huge, level as Level, i, s.config));
      s.memory.write64(entryPa, pointerEntry(fresh, needUser || (huge.lo & US) !== 0));
      huge = s.memory.read64((fresh + indexAt(va48, (level - 1) as Level) * 8) as PhysAddr);
    } else {
      s.memory.write64(entryPa, pointerEntry(fresh, needUser));
    }
    table = fresh;
  }
  return ok({ entryPa: (table + indexAt(va48, target) * 8) as PhysAddr, newTables: taken.value });
}

/**
 * Copies, top-down, every table of the path this space does not own into a frame from
 * `frames`, repointing the parent entry (or the root) at the copy. Returns the path as
 * this space now sees it.
 */
function ownPath(s: SpaceState, path: readonly PhysAddr[], va48: number, frames: PhysAddr[]): PhysAddr[] {
  const tables = [...path];
  for (let i = 0; i < tables.length; i++) {
    if (s.owned.has(tables[i]!)) continue;
    const copy = frames.shift()!;
    copyTable(s, tables[i]!, copy, (4 - i) as Level);
    if (i === 0) {
      s.root = copy;
    } else {
      const parentPa = (tables[i - 1]! + indexAt(va48, (5 - i) as Level) * 8) as PhysAddr;
      s.memory.write64(parentPa, repointed(s.memory.read64(parentPa), copy));
    }
    s.owned.add(copy);
    tables[i] = copy;
  }
  return tables;
}

/** Copies a table's 512 entries; a PML4's recursive slot is pointed at the copy itself. */
export function copyTable(s: SpaceState, from: PhysAddr, to: PhysAddr, level: Level): void {
  for (let i = 0; i < 512; i++) s.memory.write64((to + i * 8) as PhysAddr, s.memory.read64((from + i * 8) as PhysAddr));
  if (level === 4 && s.recursiveSlot !== undefined) {
    const slotPa = (to + s.recursiveSlot * 8) as PhysAddr;
    s.memory.write64(slotPa, repointed(s.memory.read64(slotPa), to));
  }
}

// ── Operations ────────────────────────────────────────────────────────────────────

/** Maps the page of `size` at `va` to `frame` with `flags`. */
export function mapPage(
  s: SpaceState, va: VirtAddr, frame: PhysAddr, size: PageSize, flags: PageFlags, options: MapOptions = {},
): Result<MapOutcome, MapperError> {
  const bad = checkVa(s, va, size) ?? checkFrame(s, frame, size) ?? checkFlags(s, flags);
  if (bad !== undefined) return err(bad);
  const target = leafLevel(size);
  const slot = prepare(s, va, target, options.onHugePage ?? 'fail', rightsOf(flags), flags.user, (plan) => {
    if (plan.huge || !isPresent(plan.stopEntry)) return undefined;
    if (isLeaf(plan.stopEntry, target)) return { kind: 'AlreadyMapped', va, level: target, entry: plan.stopEntry };
    return { kind: 'TableInTheWay', va, level: target, table: tableAddr(plan.stopEntry, s.config) as PhysAddr };
  });
  if (!slot.ok) return slot;
  const bits = leafBits(flags, size);
  const entry = makeEntry(frame, bits.lo, bits.hi);
  s.memory.write64(slot.value.entryPa, entry);
  return ok({ entryPa: slot.value.entryPa, entry, newTables: slot.value.newTables });
}

/** Refuses unless a leaf of exactly the target size maps `va` (or would, after splitting a larger one). */
function requireLeaf(va: VirtAddr, target: Level, size: PageSize): (plan: Plan) => MapperError | undefined {
  return (plan) => {
    if (!isPresent(plan.stopEntry)) return { kind: 'NotMapped', va, level: plan.stopLevel };
    // A present entry that is not a leaf can only be the target's (the descent goes on past tables above it).
    if (!isLeaf(plan.stopEntry, plan.stopLevel)) return { kind: 'SizeMismatch', va, requested: size, level: target };
    return undefined;
  };
}

/** Removes the mapping of the page of `size` at `va`; returns what it mapped. Emptied tables stay in place. */
export function unmapPage(s: SpaceState, va: VirtAddr, size: PageSize, options: MapOptions = {}): Result<UnmapOutcome, MapperError> {
  const bad = checkVa(s, va, size);
  if (bad !== undefined) return err(bad);
  const target = leafLevel(size);
  const slot = prepare(s, va, target, options.onHugePage ?? 'fail', [], false, requireLeaf(va, target, size));
  if (!slot.ok) return slot;
  const old = s.memory.read64(slot.value.entryPa);
  s.memory.write64(slot.value.entryPa, ZERO);
  return ok({
    frame: leafFrame(old, target, s.config) as PhysAddr,
    flags: flagsOfLeaf(old, size),
    entryPa: slot.value.entryPa,
    newTables: slot.value.newTables,
  });
}

/**
 * Replaces the rights and attributes of the page of `size` at `va`, keeping its frame
 * and its accessed/dirty flags.
 */
export function protectPage(
  s: SpaceState, va: VirtAddr, size: PageSize, flags: PageFlags, options: MapOptions = {},
): Result<MapOutcome, MapperError> {
  const bad = checkVa(s, va, size) ?? checkFlags(s, flags);
  if (bad !== undefined) return err(bad);
  const target = leafLevel(size);
  const slot = prepare(s, va, target, options.onHugePage ?? 'fail', rightsOf(flags), flags.user, requireLeaf(va, target, size));
  if (!slot.ok) return slot;
  const old = s.memory.read64(slot.value.entryPa);
  const bits = leafBits(flags, size);
  // Accessed and dirty are status the processor keeps (PG.AD.STICKY), not rights: they stay.
  const entry = makeEntry(leafFrame(old, target, s.config), (bits.lo | (old.lo & (A | D))) >>> 0, bits.hi);
  s.memory.write64(slot.value.entryPa, entry);
  return ok({ entryPa: slot.value.entryPa, entry, newTables: slot.value.newTables });
}

/**
 * Where the entry at `level` that translates `va` lives: the table at that level must
 * exist (every entry above it present and not a huge leaf).
 */
export function entryPhysAddr(s: SpaceState, va: VirtAddr, level: Level): Result<PhysAddr, MapperError> {
  if (!isCanonical(va.hi, va.lo)) return err({ kind: 'NonCanonical', va });
  const va48 = low48(va);
  let table: number = s.root;
  for (let l: Level = 4; ; l = (l - 1) as Level) {
    const entryPa = (table + indexAt(va48, l) * 8) as PhysAddr;
    if (l === level) return ok(entryPa);
    const e = s.memory.read64(entryPa);
    if (!isPresent(e)) return err({ kind: 'NotMapped', va, level: l });
    const bad = malformation(e, l, s.config);
    if (bad !== undefined) return err({ kind: 'MalformedEntry', va, level: l, entryPa, entry: e, reason: bad });
    if (isHugeLeaf(e, l)) return err({ kind: 'ParentIsHugePage', va, level: l, entry: e });
    table = tableAddr(e, s.config);
  }
}

/** The page that maps `va`, read from the tables as the mapper built them. */
export function translatePage(s: SpaceState, va: VirtAddr): Result<MappedPage, MapperError> {
  if (!isCanonical(va.hi, va.lo)) return err({ kind: 'NonCanonical', va });
  const va48 = low48(va);
  let table: number = s.root;
  for (let level: Level = 4; ; level = (level - 1) as Level) {
    const entryPa = (table + indexAt(va48, level) * 8) as PhysAddr;
    const e = s.memory.read64(entryPa);
    if (!isPresent(e)) return err({ kind: 'NotMapped', va, level });
    const bad = malformation(e, level, s.config);
    if (bad !== undefined) return err({ kind: 'MalformedEntry', va, level, entryPa, entry: e, reason: bad });
    if (isLeaf(e, level)) {
      const size = pageSizeAt(level);
      const frame = leafFrame(e, level, s.config);
      return ok({ frame: frame as PhysAddr, pa: (frame + (va48 % size)) as PhysAddr, size, flags: flagsOfLeaf(e, size), level, entryPa, entry: e });
    }
    table = tableAddr(e, s.config);
  }
}
