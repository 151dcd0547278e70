/**
 * A concrete, fast MMU: the model's walk behind a direct-mapped software TLB, as a
 * processor would do it (PG.TLB.MAY_CACHE). It performs the A/D updates of each walk
 * in memory. Because it caches, it sees table changes only after `invlpg` or `flush`
 * — exactly the staleness `TlbModel` permits; a page fault invalidates the address
 * (PG.TLB.FAULT_INVALIDATES). Use `walk` for reference answers and this for speed.
 */
import type { VirtAddr } from './addr.ts';
import { D } from './entry.ts';
import type { PhysMemory } from './memory.ts';
import { modeOf, type Mode } from './mode.ts';
import type { AccessKind, PagingState } from './types.ts';
import { keyDenial, pageRightsDecision } from './rules.ts';
import { applySuccessUpdates, OK, successLo, walkCore, WalkScratch } from './walk-core.ts';

const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
const KIND_BIT: Record<AccessKind, number> = { read: 1, write: 2, fetch: 4 };
const DIRTY = 8;

export class Mmu {
  private readonly memory: PhysMemory;
  private readonly mode: Mode;
  private readonly scratch = new WalkScratch();
  /** Tag: 4-KiB page number (bits 47:12) + 1; 0 = empty. */
  private readonly tag = new Float64Array(TLB_SIZE);
  /** Physical frame of the 4-KiB page. */
  private readonly frame = new Float64Array(TLB_SIZE);
  /** First 4-KiB page number of the page the entry came from, and its size in 4-KiB pages. */
  private readonly basePage = new Float64Array(TLB_SIZE);
  private readonly span = new Uint32Array(TLB_SIZE);
  /** Access kinds a walk has shown allowed for the entry (KIND_BIT), and DIRTY. */
  private readonly allow = new Uint8Array(TLB_SIZE);
  /** allowedKinds by (R/W, U/S, XD, key) of a walk; -1 until first needed (the mode is fixed). */
  private readonly kindsByRights = new Int8Array(128).fill(-1);
  /** After a fault: its vector (13 or 14) and error code. */
  faultVector = 0;
  faultErrorCode = 0;
  hits = 0;
  misses = 0;

  /**
   * An MMU fixed to `state`'s CPU and registers (a register change is a new Mmu,
   * which is also a full flush). Explicit accesses only; for implicit supervisor
   * accesses use `walk`.
   */
  constructor(state: PagingState) {
    this.memory = state.memory;
    this.mode = modeOf(state.cpu, state.regs);
  }

  /** Translates and performs an access; the physical address, or -1 after a fault. */
  access(va: VirtAddr, kind: AccessKind): number {
    return this.accessHalves(va.hi, va.lo, kind);
  }

  /** `access` with the linear address as halves (no object per call). */
  accessHalves(vaHi: number, vaLo: number, kind: AccessKind): number {
    const page = (vaHi & 0xffff) * 0x10_0000 + (vaLo >>> 12);
    const slot = page & (TLB_SIZE - 1);
    if (this.tag[slot] === page + 1 && (vaHi >>> 15 === 0 || vaHi >>> 15 === 0x1ffff)) {
      const allow = this.allow[slot]!;
      // A write through a clean entry must walk to set D (PG.TLB.DIRTY_REWALK).
      if ((allow & KIND_BIT[kind]) !== 0 && (kind !== 'write' || (allow & DIRTY) !== 0)) {
        this.hits++;
        return this.frame[slot]! + (vaLo & 0xfff);
      }
    }
    this.misses++;
    return this.miss(vaHi, vaLo, kind, page, slot);
  }

  private miss(vaHi: number, vaLo: number, kind: AccessKind, page: number, slot: number): number {
    const out = this.scratch;
    walkCore(this.memory, this.mode, vaHi, vaLo, kind, false, out);
    if (out.status !== OK) {
      this.faultVector = out.status;
      this.faultErrorCode = out.errorCode;
      this.invalidatePage(page);
      return -1;
    }
    applySuccessUpdates(this.memory, out, kind);
    const leafLo = successLo(out, out.steps - 1, kind);
    const frame = out.pa - (vaLo & 0xfff);
    this.tag[slot] = page + 1;
    this.frame[slot] = frame;
    const span = out.pageSize / 4096;
    this.span[slot] = span;
    this.basePage[slot] = page - (page % span);
    // PG.TLB.MAY_CACHE (SDM §4.10.2): like a processor's TLB entry, the slot holds the rights
    // this walk found (SDM §4.6), for every access kind at once: a read that fills it also lets a later write to a dirty,
    // writable page through without another walk.
    const rights = (out.writable ? 1 : 0) | (out.user ? 2 : 0) | (out.executable ? 0 : 4) | (out.pkey << 3);
    let kinds = this.kindsByRights[rights]!;
    if (kinds < 0) this.kindsByRights[rights] = kinds = allowedKinds(this.mode, out);
    this.allow[slot] = kinds | ((leafLo & D) !== 0 ? DIRTY : 0);
    return out.pa;
  }

  /**
   * INVLPG for the page holding `va` (PG.TLB.INVLPG). Entries are cached per 4 KiB,
   * so every piece of a 2-MiB or 1-GiB page that holds `va` goes too.
   */
  invlpg(va: VirtAddr): void {
    this.invalidatePage((va.hi & 0xffff) * 0x10_0000 + (va.lo >>> 12));
  }

  private invalidatePage(page: number): void {
    for (let i = 0; i < TLB_SIZE; i++) {
      if (page >= this.basePage[i]! && page < this.basePage[i]! + this.span[i]!) this.tag[i] = 0;
    }
  }

  /** Drops every cached translation (what a CR3 write does here; globals are not kept). */
  flush(): void {
    this.tag.fill(0);
  }
}

const KINDS: readonly AccessKind[] = ['read', 'write', 'fetch'];

/** The explicit access kinds the rights of a successful walk allow (SDM §4.6), as KIND_BIT flags. */
function allowedKinds(mode: Mode, out: WalkScratch): number {
  const leafHi = out.hi[out.steps - 1]!;
  let kinds = 0;
  for (const kind of KINDS) {
    if (pageRightsDecision(mode, out.writable, out.user, !out.executable, kind, false).allowed
      && keyDenial(mode, out.user, leafHi, kind, false) === null) kinds |= KIND_BIT[kind];
  }
  return kinds;
}
