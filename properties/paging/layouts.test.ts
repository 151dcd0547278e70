// Layouts: with identity, offset (direct map) and recursive layouts installed in one
// space, for every mapped address and every level whose entry exists, each layout's
// window walks to the entry's physical address, so reading the entry through any of them
// gives the qword physical memory holds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { physAddr } from '../../model/paging/addr.ts';
import { identityLayout, offsetLayout, RecursiveLayout, type TableLayout } from '../../model/paging/layouts.ts';
import { pageFlags } from '../../model/paging/mapper-flags.ts';
import { walk } from '../../model/paging/walk.ts';
import { toHex } from '../../model/paging/u64.ts';
import type { Level } from '../../model/paging/types.ts';
import { numRuns } from '../support/runs.ts';
import { canonical, toVirt } from '../support/arbitraries.ts';
import { AbstractSpace, configArb, mapRequestArb, newFixture, probesOf, TABLE_RANGE } from '../support/mapper-fixture.ts';

/** Linux's direct map, PML4 slot 273. */
const DIRECT_MAP = 0xffff_8880_0000_0000n;
const RECURSIVE_SLOT = 510;

const layoutCase = configArb.chain((config) =>
  fc.record({ config: fc.constant(config), requests: fc.array(mapRequestArb(config), { minLength: 1, maxLength: 16 }) }));

describe('page-table layouts', () => {
  it('identity, offset and recursive windows all show the entry physical memory holds [PG.WALK.PML4E.ADDR, PG.WALK.PDPTE.ADDR, PG.WALK.PDE.ADDR, PG.WALK.PTE.ADDR, PG.CR3.PML4_BASE]', () => {
    fc.assert(fc.property(layoutCase, ({ config, requests }) => {
      const fx = newFixture(config);
      const rw = pageFlags({ writable: true, executable: true });
      const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
        if (!r.ok) throw new Error(`layout failed: ${JSON.stringify(r.error)}`);
        return r.value;
      };
      const layouts: TableLayout[] = [
        unwrap(identityLayout(fx.space, [TABLE_RANGE], rw)),
        unwrap(offsetLayout(fx.space, toVirt(DIRECT_MAP), [TABLE_RANGE], rw)),
        unwrap(RecursiveLayout.install(fx.space, RECURSIVE_SLOT)),
      ];
      const abs = new AbstractSpace();
      for (const r of requests) {
        if (r.va48 < 2 ** 30 || abs.predictMap(r.va48, r.size, false) !== 'ok') continue; // the identity map lives in the first GiB
        const done = fx.space.map(toVirt(canonical(BigInt(r.va48))), r.frame as never, r.size, r.flags);
        expect(done.ok ? 'ok' : done.error.kind).toBe('ok');
        abs.applyMap({ base: r.va48, size: r.size, frame: r.frame, flags: r.flags });
      }
      const state = fx.space.pagingState();
      const got: string[] = [];
      const want: string[] = [];
      for (const page of abs.pages.values()) {
        for (const va48 of probesOf(page)) {
          const va = toVirt(canonical(BigInt(va48)));
          for (const level of [4, 3, 2, 1] as Level[]) {
            const entryPa = fx.space.entryPhysAddr(va, level);
            for (const layout of layouts) {
              const window = layout.entryVirtAddr(va, level);
              const label = `${toHex(va)} L${level} ${layout.kind}`;
              if (!entryPa.ok) {
                got.push(`${label} ${window.ok ? 'window' : 'none'}`);
                want.push(`${label} none`);
                continue;
              }
              if (!window.ok) {
                got.push(`${label} no window: ${window.error.kind}`);
                want.push(`${label} 0x${entryPa.value.toString(16)}`);
                continue;
              }
              const r = walk(state, { va: window.value, kind: 'read', implicit: false });
              got.push(`${label} ${r.outcome === 'ok' ? '0x' + r.pa.toString(16) : 'fault'}`);
              want.push(`${label} 0x${entryPa.value.toString(16)}`);
              if (r.outcome === 'ok') expect(fx.memory.read64(physAddr(r.pa))).toEqual(fx.memory.read64(entryPa.value));
            }
          }
        }
      }
      expect(got).toEqual(want);
    }), { numRuns: numRuns(30) });
  });
});
