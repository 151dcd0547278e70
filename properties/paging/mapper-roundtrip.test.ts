// Map-then-walk round trip and unmap: after any sequence of maps of mixed sizes, every
// mapped address walks to its frame plus offset with the requested rights, a map that
// collides fails with a typed error and changes nothing, unmapped addresses fault
// not-present with the exact error code; unmapping one page makes exactly that page
// fault and leaves every other translation as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walk } from '../../model/paging/walk.ts';
import { PAGE_4K } from '../../model/paging/types.ts';
import { numRuns } from '../support/runs.ts';
import { canonical, toVirt } from '../support/arbitraries.ts';
import { memoryMap } from '../support/compare.ts';
import {
  AbstractSpace, configArb, expectSpaceMatches, mapRequestArb, newFixture, pageVa48Arb, probesOf, type MapRequest,
} from '../support/mapper-fixture.ts';
import type { MapperConfig } from '../../model/paging/mapper-entries.ts';
import { pageFlags } from '../../model/paging/mapper-flags.ts';

const scenario = configArb.chain((config) =>
  fc.record({
    config: fc.constant(config),
    requests: fc.array(mapRequestArb(config), { minLength: 1, maxLength: 24, size: 'medium' }),
    unmapped: fc.array(pageVa48Arb(PAGE_4K), { maxLength: 8 }),
    pick: fc.nat(),
  }));

/** Maps every request into a fresh space, checking each outcome against the abstract model. */
function buildSpace(config: MapperConfig, requests: readonly MapRequest[]) {
  const fx = newFixture(config);
  const abs = new AbstractSpace();
  for (const r of requests) {
    const predicted = abs.predictMap(r.va48, r.size, false);
    const before = memoryMap(fx.memory);
    const remaining = fx.allocator.remaining;
    const done = fx.space.map(toVirt(canonical(BigInt(r.va48))), r.frame as never, r.size, r.flags);
    if (predicted === 'ok') {
      expect(done.ok ? 'ok' : done.error.kind).toBe('ok');
      abs.applyMap({ base: r.va48, size: r.size, frame: r.frame, flags: r.flags });
    } else {
      expect(done.ok ? 'ok' : done.error.kind).toBe(predicted);
      // A refused map writes nothing and takes no frame.
      expect(memoryMap(fx.memory)).toEqual(before);
      expect(fx.allocator.remaining).toBe(remaining);
    }
  }
  return { fx, abs };
}

describe('map, walk, unmap', () => {
  it('every mapped address walks to frame + offset with the requested rights; collisions fail typed and change nothing [PG.WALK.PAGE_4K, PG.WALK.PDE.PS, PG.WALK.PDPTE.PS, PG.PERM.RW.COMBINE, PG.PERM.US.COMBINE, PG.PERM.XD.COMBINE, PG.CR3.PML4_BASE]', () => {
    fc.assert(fc.property(scenario, ({ config, requests, unmapped }) => {
      const { fx, abs } = buildSpace(config, requests);
      expectSpaceMatches(fx.space.pagingState(), abs, config, unmapped.filter((va) => abs.covering(va) === undefined));
    }), { numRuns: numRuns(60) });
  });

  it('unmapped addresses fault not-present with the exact error code for each access [PG.PF.EC.P, PG.PF.EC.WR, PG.PF.EC.US, PG.PF.EC.ID, PG.WALK.PTE.NOT_PRESENT, PG.WALK.PDE.NOT_PRESENT, PG.WALK.PDPTE.NOT_PRESENT, PG.WALK.PML4E.NOT_PRESENT]', () => {
    fc.assert(fc.property(scenario, ({ config, requests, unmapped }) => {
      const { fx, abs } = buildSpace(config, requests);
      for (const va48 of unmapped) {
        if (abs.covering(va48) !== undefined) continue;
        const va = toVirt(canonical(BigInt(va48)));
        for (const cpl of [0, 3] as const) {
          const state = fx.space.pagingState({ cpl });
          for (const kind of ['read', 'write', 'fetch'] as const) {
            const r = walk(state, { va, kind, implicit: false });
            // P = 0; W/R for writes; U/S at CPL 3; I/D for fetches when NXE is on (SMEP is off here).
            const ec = (kind === 'write' ? 2 : 0) | (cpl === 3 ? 4 : 0) | (kind === 'fetch' && config.noExecute ? 0x10 : 0);
            expect(r.outcome === 'fault' && r.vector === 14 ? r.errorCode : 'no #PF').toBe(ec);
          }
        }
      }
    }), { numRuns: numRuns(40) });
  });

  it('after unmap the page faults and no other translation changes [PG.WALK.PTE.NOT_PRESENT, PG.WALK.PDE.NOT_PRESENT, PG.WALK.PDPTE.NOT_PRESENT, PG.PF.EC.P]', () => {
    fc.assert(fc.property(scenario, ({ config, requests, pick }) => {
      const { fx, abs } = buildSpace(config, requests);
      const pages = [...abs.pages.values()];
      if (pages.length === 0) return;
      const victim = pages[pick % pages.length]!;
      const done = fx.space.unmap(toVirt(canonical(BigInt(victim.base))), victim.size);
      expect(done.ok).toBe(true);
      if (!done.ok) return;
      expect(done.value.frame).toBe(victim.frame);
      expect(done.value.flags).toEqual(victim.flags);
      abs.pages.delete(victim.base);
      expectSpaceMatches(fx.space.pagingState(), abs, config, probesOf(victim));
      // Unmapping it again is a typed error that changes nothing.
      const before = memoryMap(fx.memory);
      const again = fx.space.unmap(toVirt(canonical(BigInt(victim.base))), victim.size);
      expect(again.ok ? 'ok' : again.error.kind).toBe('NotMapped');
      expect(memoryMap(fx.memory)).toEqual(before);
    }), { numRuns: numRuns(60) });
  });

  it('protect changes the rights of exactly one page and keeps its frame [PG.PERM.RW.COMBINE, PG.PERM.US.COMBINE, PG.PERM.XD.COMBINE]', () => {
    fc.assert(fc.property(scenario, fc.record({ writable: fc.boolean(), user: fc.boolean(), executable: fc.boolean() }), ({ config, requests, pick }, rights) => {
      const { fx, abs } = buildSpace(config, requests);
      const pages = [...abs.pages.values()];
      if (pages.length === 0) return;
      const victim = pages[pick % pages.length]!;
      const flags = pageFlags({ ...victim.flags, ...rights, executable: rights.executable || !config.noExecute });
      const done = fx.space.protect(toVirt(canonical(BigInt(victim.base))), victim.size, flags);
      expect(done.ok ? 'ok' : done.error.kind).toBe('ok');
      abs.pages.set(victim.base, { ...victim, flags });
      expectSpaceMatches(fx.space.pagingState(), abs, config);
    }), { numRuns: numRuns(60) });
  });
});
