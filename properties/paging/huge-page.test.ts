// Huge-page override: mapping a 4 KiB page inside an existing 2 MiB or 1 GiB page either
// splits it — the new page maps its frame, every other translation of the huge page
// keeps its frame, rights, key, global bit and memory type — or fails with a typed error
// that leaves memory byte-for-byte as it was. Never a silent overwrite.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAGE_1G, PAGE_2M, PAGE_4K, type PageSize } from '../../model/paging/types.ts';
import { numRuns } from '../support/runs.ts';
import { canonical, toVirt } from '../support/arbitraries.ts';
import { memoryMap } from '../support/compare.ts';
import { configArb, flagsArb, frameArb, newFixture, pageVa48Arb, translationAt } from '../support/mapper-fixture.ts';

const hugeCase = configArb
  .map((c) => ({ ...c, hugePages1G: true }))
  .chain((config) =>
    fc.constantFrom<PageSize>(PAGE_2M, PAGE_1G).chain((size) =>
      fc.record({
        config: fc.constant(config),
        size: fc.constant(size),
        va48: pageVa48Arb(size),
        frame: frameArb(size, config.maxPhyAddr),
        flags: flagsArb(config),
        // which 4 KiB page inside the huge page
        inner: fc.oneof(fc.constantFrom(0, 1, 511, size / PAGE_4K - 1), fc.nat(size / PAGE_4K - 1)),
        smallFrame: frameArb(PAGE_4K, config.maxPhyAddr),
        smallFlags: flagsArb(config),
        split: fc.boolean(),
      })));

const sig = (t: { frame: number; size: number; flags: unknown }) => JSON.stringify(t);

describe('huge-page override', () => {
  it('a 4 KiB map inside a huge page splits it preserving every other translation, or fails typed with memory untouched [PG.WALK.PDE.PS, PG.WALK.PDPTE.PS, PG.WALK.PAGE_4K, PG.ENTRY.CACHE_BITS, PG.PK.KEY_FIELD, PG.TLB.GLOBAL]', () => {
    fc.assert(fc.property(hugeCase, (c) => {
      const fx = newFixture(c.config);
      const hugeVa = toVirt(canonical(BigInt(c.va48)));
      expect(fx.space.map(hugeVa, c.frame as never, c.size, c.flags).ok).toBe(true);
      const innerVa48 = c.va48 + c.inner * PAGE_4K;
      const before = memoryMap(fx.memory);
      const remaining = fx.allocator.remaining;
      const done = fx.space.map(toVirt(canonical(BigInt(innerVa48))), c.smallFrame as never, PAGE_4K, c.smallFlags, { onHugePage: c.split ? 'split' : 'fail' });
      const state = fx.space.pagingState();
      if (!c.split) {
        expect(done.ok ? 'ok' : done.error.kind).toBe('ParentIsHugePage');
        expect(memoryMap(fx.memory)).toEqual(before);
        expect(fx.allocator.remaining).toBe(remaining);
        expect(translationAt(state, innerVa48)).toMatch(new RegExp(`^ok 0x${(c.frame + c.inner * PAGE_4K).toString(16)} `));
        return;
      }
      expect(done.ok ? 'ok' : done.error.kind).toBe('ok');
      // The new page.
      const small = fx.space.translate(toVirt(canonical(BigInt(innerVa48))));
      expect(small.ok && sig({ frame: small.value.frame, size: small.value.size, flags: small.value.flags })).toBe(sig({ frame: c.smallFrame, size: PAGE_4K, flags: c.smallFlags }));
      // Every other 4 KiB page of the 2 MiB region that was split down to 4 KiB ...
      const region2m = innerVa48 - (innerVa48 % PAGE_2M);
      const got: string[] = [];
      const want: string[] = [];
      const expectPiece = (va48: number, size: PageSize): void => {
        const t = fx.space.translate(toVirt(canonical(BigInt(va48))));
        got.push(`${va48.toString(16)} ${t.ok ? sig({ frame: t.value.pa, size: t.value.size, flags: t.value.flags }) : t.error.kind}`);
        want.push(`${va48.toString(16)} ${sig({ frame: c.frame + (va48 - c.va48), size, flags: c.flags })}`);
      };
      for (let i = 0; i < 512; i++) {
        const va48 = region2m + i * PAGE_4K;
        if (va48 !== innerVa48) expectPiece(va48, PAGE_4K);
      }
      // ... and, for a 1 GiB page, every other 2 MiB piece (first and last 4 KiB of each).
      if (c.size === PAGE_1G) {
        for (let i = 0; i < 512; i++) {
          const base = c.va48 + i * PAGE_2M;
          if (base === region2m) continue;
          expectPiece(base, PAGE_2M);
          expectPiece(base + PAGE_2M - PAGE_4K, PAGE_2M);
        }
      }
      expect(got).toEqual(want);
      // The walk agrees with the tables for a sample of the pieces.
      for (const va48 of [region2m, region2m + PAGE_2M - 8, c.va48, c.va48 + c.size - 8]) {
        if (va48 - (va48 % PAGE_4K) === innerVa48) continue;
        expect(translationAt(state, va48)).toMatch(new RegExp(`^ok 0x${(c.frame + (va48 - c.va48)).toString(16)} `));
      }
    }), { numRuns: numRuns(40) });
  });
});
