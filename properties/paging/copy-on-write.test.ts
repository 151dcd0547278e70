// PML4 copy-on-write: copying the root gives an address space with identical
// translations; later maps, unmaps and protects through the copy never alter the
// original's translations, and the reverse. The UEFI case: firmware tables that the
// firmware itself maps read-only with CR0.WP = 1 cannot be written (a supervisor write
// faults P|W), while a loader that attaches to them without owning them gets copies it
// can write, and the firmware's tables stay byte-for-byte as they were.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../model/paging/address-space.ts';
import { RangeFrameAllocator } from '../../model/paging/frames.ts';
import { identityLayout } from '../../model/paging/layouts.ts';
import { pageFlags } from '../../model/paging/mapper-flags.ts';
import { walk } from '../../model/paging/walk.ts';
import { PAGE_4K } from '../../model/paging/types.ts';
import type { MapperConfig } from '../../model/paging/mapper-entries.ts';
import { numRuns } from '../support/runs.ts';
import { canonical, toVirt } from '../support/arbitraries.ts';
import { memoryMap } from '../support/compare.ts';
import {
  AbstractSpace, configArb, expectSpaceMatches, mapRequestArb, newFixture, pageVa48Arb, type MapRequest,
} from '../support/mapper-fixture.ts';

type Op = { op: 'map'; req: MapRequest } | { op: 'unmap'; pick: number } | { op: 'protect'; pick: number; writable: boolean; user: boolean };

function opArb(config: MapperConfig): fc.Arbitrary<Op> {
  return fc.oneof(
    { weight: 3, arbitrary: mapRequestArb(config).map((req): Op => ({ op: 'map', req })) },
    { weight: 1, arbitrary: fc.nat().map((pick): Op => ({ op: 'unmap', pick })) },
    { weight: 1, arbitrary: fc.record({ pick: fc.nat(), writable: fc.boolean(), user: fc.boolean() }).map((p): Op => ({ op: 'protect', ...p })) },
  );
}

/** Applies `op` to the space and its abstract model (only when the model says it must succeed). */
function apply(space: AddressSpace, abs: AbstractSpace, op: Op): void {
  const pages = [...abs.pages.values()];
  if (op.op === 'map') {
    if (abs.predictMap(op.req.va48, op.req.size, false) !== 'ok') return;
    const done = space.map(toVirt(canonical(BigInt(op.req.va48))), op.req.frame as never, op.req.size, op.req.flags);
    expect(done.ok ? 'ok' : done.error.kind).toBe('ok');
    abs.applyMap({ base: op.req.va48, size: op.req.size, frame: op.req.frame, flags: op.req.flags });
  } else if (pages.length > 0) {
    const p = pages[op.pick % pages.length]!;
    const va = toVirt(canonical(BigInt(p.base)));
    if (op.op === 'unmap') {
      expect(space.unmap(va, p.size).ok).toBe(true);
      abs.pages.delete(p.base);
    } else {
      const flags = pageFlags({ ...p.flags, writable: op.writable, user: op.user });
      expect(space.protect(va, p.size, flags).ok).toBe(true);
      abs.pages.set(p.base, { ...p, flags });
    }
  }
}

const cowCase = configArb.chain((config) =>
  fc.record({
    config: fc.constant(config),
    setup: fc.array(mapRequestArb(config), { minLength: 1, maxLength: 16, size: 'medium' }),
    onCopy: fc.array(opArb(config), { maxLength: 12 }),
    onOriginal: fc.array(opArb(config), { maxLength: 12 }),
    extra: fc.array(pageVa48Arb(PAGE_4K), { maxLength: 6 }),
  }));

describe('PML4 copy-on-write', () => {
  it('the copy translates like the original; changes through either never reach the other [PG.CR3.PML4_BASE, PG.WALK.PML4E.ADDR, PG.WALK.PDPTE.ADDR, PG.WALK.PDE.ADDR, PG.WALK.PTE.ADDR]', () => {
    fc.assert(fc.property(cowCase, ({ config, setup, onCopy, onOriginal, extra }) => {
      const fx = newFixture(config);
      const a = fx.space;
      const absA = new AbstractSpace();
      for (const req of setup) apply(a, absA, { op: 'map', req });
      const copied = a.copyRoot();
      expect(copied.ok).toBe(true);
      if (!copied.ok) return;
      const b = copied.value;
      expect(b.root).not.toBe(a.root);
      const absB = absA.clone();
      expectSpaceMatches(b.pagingState(), absB, config, extra);
      for (const op of onCopy) apply(b, absB, op);
      expectSpaceMatches(a.pagingState(), absA, config, extra);
      expectSpaceMatches(b.pagingState(), absB, config, extra);
      for (const op of onOriginal) apply(a, absA, op);
      expectSpaceMatches(a.pagingState(), absA, config, extra);
      expectSpaceMatches(b.pagingState(), absB, config, extra);
    }), { numRuns: numRuns(40) });
  });

  it('UEFI: firmware tables mapped read-only with WP = 1 fault on a write; the loader\'s copy is writable and the firmware tables stay untouched [PG.PERM.WP.SUPERVISOR_WRITE, PG.PERM.RW.COMBINE, PG.PF.EC.P, PG.PF.EC.WR]', () => {
    const config: MapperConfig = { maxPhyAddr: 46, hugePages1G: true, noExecute: true };
    fc.assert(fc.property(fc.array(mapRequestArb(config), { minLength: 1, maxLength: 8 }), (loaderMaps) => {
      // Firmware: tables in [16 MiB, 32 MiB), identity-mapped read-only (as OVMF maps its page tables);
      // loader memory [32 MiB, 48 MiB) identity-mapped writable.
      const fw = newFixture(config);
      const firmwareTables = { start: 0x100_0000, end: 0x200_0000 };
      const loaderRam = { start: 0x200_0000, end: 0x300_0000 };
      expect(identityLayout(fw.space, [firmwareTables], pageFlags({ writable: false })).ok).toBe(true);
      expect(identityLayout(fw.space, [loaderRam], pageFlags({ writable: true })).ok).toBe(true);
      const fwRoot = fw.space.root;
      const fwState = fw.space.pagingState();
      const write = (va48: number) => ({ va: toVirt(canonical(BigInt(va48))), kind: 'write' as const, implicit: false });
      // A supervisor write to the firmware PML4 through its identity mapping: #PF, P|W.
      const denied = walk(fwState, write(fwRoot));
      expect(denied.outcome === 'fault' && denied.vector === 14 ? denied.errorCode : 'no #PF').toBe(0x3);

      // The loader attaches without owning anything, with frames from its own RAM.
      const fwBytes = memoryMap(fw.memory);
      const loaderAlloc = RangeFrameAllocator.create(fw.memory, [loaderRam]);
      if (!loaderAlloc.ok) throw new Error('bad range');
      const loader = AddressSpace.attach(fw.memory, loaderAlloc.value, config, fwRoot, 'none');
      const abs = new AbstractSpace();
      let mappedSomething = false;
      for (const req of loaderMaps) {
        // keep clear of the identity maps of the two ranges (first 1 GiB of slot 0)
        if (req.va48 < 2 ** 30) continue;
        if (abs.predictMap(req.va48, req.size, false) !== 'ok') continue;
        const done = loader.map(toVirt(canonical(BigInt(req.va48))), req.frame as never, req.size, req.flags);
        expect(done.ok ? 'ok' : done.error.kind).toBe('ok');
        abs.applyMap({ base: req.va48, size: req.size, frame: req.frame, flags: req.flags });
        mappedSomething = true;
      }
      if (!mappedSomething) return;
      // The loader's PML4 is a copy in its own writable RAM, and writing it is allowed.
      expect(loader.root).not.toBe(fwRoot);
      expect(loader.root >= loaderRam.start && loader.root < loaderRam.end).toBe(true);
      expect(walk(loader.pagingState(), write(loader.root)).outcome).toBe('ok');
      // The firmware tables did not change: every qword in their range is as before.
      const now = memoryMap(fw.memory);
      for (const [pa, v] of fwBytes) if (pa >= BigInt(firmwareTables.start) && pa < BigInt(firmwareTables.end)) expect(now.get(pa)).toBe(v);
      // Firmware translations are unchanged; the loader's new pages exist only in the loader's space.
      expectSpaceMatches(loader.pagingState(), abs, config);
      expectSpaceMatches(fw.space.pagingState(), new AbstractSpace(), config, [...abs.pages.keys()]);
    }), { numRuns: numRuns(30) });
  });
});
