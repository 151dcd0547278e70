/**
 * What TLB caching permits (SDM Vol. 3A §4.10). A processor may answer an access from
 * a translation it cached earlier instead of walking, until that translation is
 * invalidated; the model therefore tracks what *may* be cached and answers with the set
 * of permitted outcomes: the fresh walk plus every stale cached answer.
 */
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import type { PhysAddr, VirtAddr } from './addr.ts';
import { low48 } from './addr.ts';
import { D, RW, US, XD_HI } from './entry.ts';
import { modeOf, type Mode } from './mode.ts';
import { keyDenial, pageFaultErrorCode, pageRightsDecision } from './rules.ts';
import type { Access, PagingState, PageSize, Rights, WalkResult } from './types.ts';
import { walk, walkWithModeFrom } from './walk.ts';
import type { WalkStart } from './walk-core.ts';

/** A translation that may still be cached. */
export interface CachedTranslation {
  /** Bits 47:0 of the first linear address of the page. */
  readonly pageBase: number;
  readonly pageSize: PageSize;
  /** Physical address of the page's first byte. */
  readonly frame: number;
  readonly rights: Rights;
  readonly pkey: number;
  readonly global: boolean;
  /** D was 1 in the leaf when cached (after a write, or already set). */
  readonly dirty: boolean;
}

/** A cached upper-level entry: a paging-structure-cache entry (PG.TLB.STRUCTURE_CACHE). */
export interface CachedStructureEntry {
  /** Level of the cached entry: 4 (PML4E), 3 (PDPTE) or 2 (PDE). */
  readonly level: 4 | 3 | 2;
  /** Bits 47:0 of the first linear address the entry serves, and how many bytes it serves. */
  readonly regionBase: number;
  readonly regionSize: number;
  /** Physical address of the table the entry points to. */
  readonly table: number;
  /** Rights combined over this entry and the ones above it. */
  readonly writable: boolean;
  readonly user: boolean;
  readonly xd: boolean;
}

const REGION_SIZE: Record<4 | 3 | 2, number> = { 4: 2 ** 39, 3: 2 ** 30, 2: 2 ** 21 };

/** One permitted outcome of an access with its justification. */
export type PermittedResult =
  /** A walk through memory: from CR3, or (`from`) beginning below a cached upper-level entry. */
  | { readonly source: 'walk'; readonly result: WalkResult; readonly from?: CachedStructureEntry }
  | { readonly source: 'cache'; readonly entry: CachedTranslation; readonly outcome: 'ok'; readonly pa: PhysAddr; readonly clauses: readonly PagingClauseId[] }
  | { readonly source: 'cache'; readonly entry: CachedTranslation; readonly outcome: 'fault'; readonly vector: 14; readonly errorCode: number; readonly cr2: VirtAddr; readonly clauses: readonly PagingClauseId[] };

/** The set of translations a processor may hold, and the operations that shrink it. */
export class TlbModel {
  private entries: CachedTranslation[] = [];
  private structures: CachedStructureEntry[] = [];
  /** Where each structure-cache walk began, so `record` can cache what it read below. */
  private readonly starts = new WeakMap<WalkResult, WalkStart>();

  /** Every translation that may be cached now. */
  get cached(): readonly CachedTranslation[] {
    return this.entries;
  }

  /** Every upper-level entry that may be cached now (paging-structure caches). */
  get cachedStructures(): readonly CachedStructureEntry[] {
    return this.structures;
  }

  /**
   * The outcomes a processor may produce for `access` now: the fresh walk, and each
   * cached translation covering the address (PG.TLB.MAY_CACHE) checked against the
   * current mode with its cached rights — which may fault even though the tables now
   * grant the access (PG.TLB.SPURIOUS_FAULT). A cached entry with D = 0 cannot serve a
   * write (PG.TLB.DIRTY_REWALK). A cached answer writes no memory. Each cached
   * upper-level entry covering the address adds a walk that begins below it and reads
   * the rest from memory (PG.TLB.STRUCTURE_CACHE). A non-canonical address raises #GP
   * before any lookup (PG.CANON.NO_WALK), so no cache can answer it.
   */
  permitted(state: PagingState, access: Access): PermittedResult[] {
    const fresh = walk(state, access);
    const out: PermittedResult[] = [{ source: 'walk', result: fresh }];
    if (fresh.cause === 'PG.CANON.GP') return out;
    const mode = modeOf(state.cpu, state.regs);
    const va = low48(access.va);
    for (const entry of this.structures) {
      if (va < entry.regionBase || va >= entry.regionBase + entry.regionSize) continue;
      const start: WalkStart = {
        level: (entry.level - 1) as 3 | 2 | 1,
        tableHi: Math.floor(entry.table / 0x1_0000_0000), tableLo: entry.table % 0x1_0000_0000,
        writable: entry.writable, user: entry.user, xd: entry.xd,
      };
      const result = walkWithModeFrom(state, mode, access, start);
      this.starts.set(result, start);
      out.push({ source: 'walk', result, from: entry });
    }
    for (const entry of this.covering(access.va)) {
      if (access.kind === 'write' && !entry.dirty) continue;
      out.push(cachedOutcome(mode, entry, access, va));
    }
    return distinctOutcomes(out);
  }

  /**
   * Records what an access did. A success may be cached (only translations from
   * successful walks are: PG.TLB.NOT_PRESENT_NOT_CACHED); a page fault invalidates the
   * address (PG.TLB.FAULT_INVALIDATES). The upper-level entries a successful walk read
   * may be kept in the paging-structure caches (PG.TLB.STRUCTURE_CACHE). Pass a result
   * from `walk`, `performAccess` or `permitted`.
   */
  record(access: Access, result: WalkResult): void {
    if (result.outcome === 'ok') {
      this.recordStructures(access, result, this.starts.get(result));
      const base = Math.floor(low48(access.va) / result.pageSize) * result.pageSize;
      const leaf = result.trace[result.trace.length - 1]!;
      const leafDirty = (leaf.entry.lo & D) !== 0 || access.kind === 'write';
      const frame = result.pa - (low48(access.va) - base);
      // PG.TLB.MAY_CACHE: a refill does not retire an older translation of the same page;
      // nothing in SDM §4.10.2 makes it (a processor may hold several TLBs, and may cache a
      // large page as 4-KiB pieces filled at different times), so each stays until invalidated.
      const cached: CachedTranslation = {
        pageBase: base, pageSize: result.pageSize, frame, rights: result.rights, pkey: result.pkey,
        global: result.global, dirty: leafDirty,
      };
      // Every entry is built here with the same field order, so equal JSON is an equal entry.
      const key = JSON.stringify(cached);
      if (!this.entries.some((e) => JSON.stringify(e) === key)) this.entries.push(cached);
    } else if (result.vector === 14) {
      // PG.TLB.FAULT_INVALIDATES: translations and structure entries for this address go.
      const a = low48(access.va);
      this.dropTranslations(access.va);
      this.structures = this.structures.filter((e) => a < e.regionBase || a >= e.regionBase + e.regionSize);
    }
  }

  private recordStructures(access: Access, result: WalkResult, start: WalkStart | undefined): void {
    const va = low48(access.va);
    let writable = start?.writable ?? true;
    let user = start?.user ?? true;
    let xd = start?.xd ?? false;
    const steps = result.trace;
    for (let i = 0; i < steps.length - 1; i++) {
      const step = steps[i]!;
      writable &&= (step.entry.lo & RW) !== 0;
      user &&= (step.entry.lo & US) !== 0;
      xd ||= (step.entry.hi & XD_HI) !== 0;
      const level = step.level as 4 | 3 | 2;
      const regionSize = REGION_SIZE[level];
      const regionBase = Math.floor(va / regionSize) * regionSize;
      const table = Math.floor(steps[i + 1]!.entryPa / 4096) * 4096;
      this.structures = this.structures.filter((e) => !(e.level === level && e.regionBase === regionBase));
      this.structures.push({ level, regionBase, regionSize, table, writable, user, xd });
    }
  }

  /**
   * INVLPG: drops every translation of the page holding `va`, global ones too, and every
   * paging-structure-cache entry whatever address it covers (PG.TLB.INVLPG).
   */
  invlpg(va: VirtAddr): void {
    this.dropTranslations(va);
    this.structures = [];
  }

  private dropTranslations(va: VirtAddr): void {
    const covering = new Set(this.covering(va));
    this.entries = this.entries.filter((e) => !covering.has(e));
  }

  /**
   * MOV to CR3 with PCIDE = 0: drops non-global translations (PG.TLB.CR3_WRITE); with
   * CR4.PGE = 1 global ones may stay (PG.TLB.GLOBAL), with PGE = 0 G means nothing.
   */
  writeCr3(pge: boolean): void {
    this.entries = pge ? this.entries.filter((e) => e.global) : [];
    this.structures = [];
  }

  /** A MOV to CR4 that changes PGE drops everything (PG.TLB.PGE_TOGGLE). */
  togglePge(): void {
    this.entries = [];
    this.structures = [];
  }

  private covering(va: VirtAddr): CachedTranslation[] {
    const a = low48(va);
    return this.entries.filter((e) => a >= e.pageBase && a < e.pageBase + e.pageSize);
  }
}

/**
 * Keeps one result per observable outcome (translation or fault, and the memory it
 * leaves): a walk from a cached entry that reads what a fresh walk reads, and writes
 * the same flags, is the same outcome.
 */
function distinctOutcomes(results: PermittedResult[]): PermittedResult[] {
  const seen = new Set<string>();
  return results.filter((p) => {
    const key = observableKey(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function observableKey(p: PermittedResult): string {
  if (p.source === 'cache') return p.outcome === 'ok' ? `ok ${p.pa}` : `pf ${p.errorCode}`;
  const r = p.result;
  // Only #PF reaches here: `permitted` answers a #GP with the fresh walk alone.
  const head = r.outcome === 'ok' ? `ok ${r.pa}` : `pf ${r.errorCode}`;
  return `${head} ${r.updates.map((u) => `${u.pa}=${u.after.hi}:${u.after.lo}`).join(',')}`;
}

function cachedOutcome(mode: Mode, entry: CachedTranslation, access: Access, va: number): PermittedResult {
  const decision = pageRightsDecision(mode, entry.rights.writable, entry.rights.user, !entry.rights.executable, access.kind, access.implicit);
  const key = keyDenial(mode, entry.rights.user, entry.pkey << 27, access.kind, access.implicit);
  if (decision.allowed && key === null) {
    return { source: 'cache', entry, outcome: 'ok', pa: (entry.frame + (va - entry.pageBase)) as PhysAddr, clauses: ['PG.TLB.MAY_CACHE', ...decision.clauses] };
  }
  const errorCode = pageFaultErrorCode(mode, 'protection', access.kind, access.implicit, key !== null);
  return {
    source: 'cache', entry, outcome: 'fault', vector: 14, errorCode, cr2: access.va,
    clauses: ['PG.TLB.MAY_CACHE', 'PG.TLB.SPURIOUS_FAULT', ...(decision.allowed ? [key!] : decision.clauses)],
  };
}
