/**
 * What TLB caching permits (SDM Vol. 3A §4.10). A processor may answer an access from
 * a translation it cached earlier instead of walking, until that translation is
 * invalidated; the model therefore tracks what *may* be cached and answers with the set
 * of permitted outcomes: the fresh walk plus every stale cached answer.
 */
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import type { PhysAddr, VirtAddr } from './addr.ts';
import { low48 } from './addr.ts';
import { modeOf, type Mode } from './mode.ts';
import { keyDenial, pageFaultErrorCode, pageRightsDecision } from './rules.ts';
import type { Access, PagingState, PageSize, Rights, WalkResult } from './types.ts';
import { walk } from './walk.ts';

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

/** One permitted outcome of an access with its justification. */
export type PermittedResult =
  | { readonly source: 'walk'; readonly result: WalkResult }
  | { readonly source: 'cache'; readonly entry: CachedTranslation; readonly outcome: 'ok'; readonly pa: PhysAddr; readonly clauses: readonly PagingClauseId[] }
  | { readonly source: 'cache'; readonly entry: CachedTranslation; readonly outcome: 'fault'; readonly vector: 14; readonly errorCode: number; readonly cr2: VirtAddr; readonly clauses: readonly PagingClauseId[] };

/** The set of translations a processor may hold, and the operations that shrink it. */
export class TlbModel {
  private entries: CachedTranslation[] = [];

  /** Everything that may be cached now. */
  get cached(): readonly CachedTranslation[] {
    return this.entries;
  }

  /**
   * The outcomes a processor may produce for `access` now: the fresh walk, and each
   * cached translation covering the address (PG.TLB.MAY_CACHE) checked against the
   * current mode with its cached rights — which may fault even though the tables now
   * grant the access (PG.TLB.SPURIOUS_FAULT). A cached entry with D = 0 cannot serve a
   * write (PG.TLB.DIRTY_REWALK). A cached answer writes no memory.
   */
  permitted(state: PagingState, access: Access): PermittedResult[] {
    const out: PermittedResult[] = [{ source: 'walk', result: walk(state, access) }];
    const mode = modeOf(state.cpu, state.regs);
    const va = low48(access.va);
    for (const entry of this.covering(access.va)) {
      if (access.kind === 'write' && !entry.dirty) continue;
      out.push(cachedOutcome(mode, entry, access, va));
    }
    return out;
  }

  /**
   * Records what an access did. A success may be cached (only translations from
   * successful walks are: PG.TLB.NOT_PRESENT_NOT_CACHED); a page fault invalidates the
   * address (PG.TLB.FAULT_INVALIDATES).
   */
  record(access: Access, result: WalkResult): void {
    if (result.outcome === 'ok') {
      const base = Math.floor(low48(access.va) / result.pageSize) * result.pageSize;
      const leaf = result.trace[result.trace.length - 1]!;
      const leafDirty = (leaf.entry.lo & 0x40) !== 0 || access.kind === 'write';
      const frame = result.pa - (low48(access.va) - base);
      this.entries = this.entries.filter((e) => !(e.pageBase === base && e.pageSize === result.pageSize));
      this.entries.push({
        pageBase: base, pageSize: result.pageSize, frame, rights: result.rights, pkey: result.pkey,
        global: result.global, dirty: leafDirty,
      });
    } else if (result.vector === 14) {
      this.invlpg(access.va);
    }
  }

  /** INVLPG: drops every translation of the page holding `va`, global ones too (PG.TLB.INVLPG). */
  invlpg(va: VirtAddr): void {
    const covering = new Set(this.covering(va));
    this.entries = this.entries.filter((e) => !covering.has(e));
  }

  /**
   * MOV to CR3 with PCIDE = 0: drops non-global translations (PG.TLB.CR3_WRITE); with
   * CR4.PGE = 1 global ones may stay (PG.TLB.GLOBAL), with PGE = 0 G means nothing.
   */
  writeCr3(pge: boolean): void {
    this.entries = pge ? this.entries.filter((e) => e.global) : [];
  }

  /** A MOV to CR4 that changes PGE drops everything (PG.TLB.PGE_TOGGLE). */
  togglePge(): void {
    this.entries = [];
  }

  private covering(va: VirtAddr): CachedTranslation[] {
    const a = low48(va);
    return this.entries.filter((e) => a >= e.pageBase && a < e.pageBase + e.pageSize);
  }
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
