// Model-based test of the mapper: long random sequences of map (with split or fail on
// huge pages), unmap, protect and copy-root over several address spaces that share
// tables, run against an abstract `page → {frame, size, rights}` model per space. After
// every command, each space walks exactly as its abstract model says; a command the model
// says must fail fails with the predicted typed error and changes no byte of memory.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AddressSpace } from '../../model/paging/address-space.ts';
import type { MapperConfig } from '../../model/paging/mapper-entries.ts';
import type { PageFlags } from '../../model/paging/mapper-flags.ts';
import type { PhysMemory } from '../../model/paging/memory.ts';
import type { PageSize } from '../../model/paging/types.ts';
import { commandsReplayPath, numRuns } from '../support/runs.ts';
import { canonical, toVirt } from '../support/arbitraries.ts';
import { memoryMap } from '../support/compare.ts';
import {
  AbstractSpace, configArb, expectSpaceMatches, flagsArb, frameArb, newFixture, pageVa48Arb, probesOf, sizeArb, type Prediction,
} from '../support/mapper-fixture.ts';

const MAX_SPACES = 3;
/** Pages checked per space after each command (spread over all of them); all are checked at the end. */
const CHECK_LIMIT = 48;

interface Model {
  readonly config: MapperConfig;
  readonly spaces: AbstractSpace[];
  /** Commands run so far in this sequence. */
  ran: number;
}
interface Real {
  readonly memory: PhysMemory;
  readonly spaces: AddressSpace[];
}

const va = (va48: number) => toVirt(canonical(BigInt(va48)));

/** Runs `act`, which must end as `predicted`; a failure must leave memory untouched. */
function expectOutcome(real: Real, predicted: Prediction, act: () => { ok: true } | { ok: false; error: { kind: string } }): boolean {
  const before = predicted === 'ok' ? undefined : memoryMap(real.memory);
  const done = act();
  expect(done.ok ? 'ok' : done.error.kind).toBe(predicted);
  if (before !== undefined) expect(memoryMap(real.memory)).toEqual(before);
  return done.ok;
}

function checkAll(m: Model, r: Real, extra: readonly number[], limit: number): void {
  m.ran++;
  m.spaces.forEach((abs, i) => expectSpaceMatches(r.spaces[i]!.pagingState(), abs, m.config, extra, limit));
}

class MapCmd implements fc.Command<Model, Real> {
  constructor(readonly space: number, readonly va48: number, readonly frame: number, readonly size: PageSize, readonly flags: PageFlags, readonly split: boolean) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const i = this.space % m.spaces.length;
    const abs = m.spaces[i]!;
    const predicted = abs.predictMap(this.va48, this.size, this.split);
    const ok = expectOutcome(r, predicted, () => r.spaces[i]!.map(va(this.va48), this.frame as never, this.size, this.flags, { onHugePage: this.split ? 'split' : 'fail' }));
    if (ok) abs.applyMap({ base: this.va48, size: this.size, frame: this.frame, flags: this.flags });
    checkAll(m, r, [this.va48], CHECK_LIMIT);
  }
  toString = (): string => `map(space ${this.space}, 0x${this.va48.toString(16)} -> 0x${this.frame.toString(16)}, ${this.size}, ${JSON.stringify(this.flags)}, ${this.split ? 'split' : 'fail'})`;
}

class UnmapCmd implements fc.Command<Model, Real> {
  constructor(readonly space: number, readonly pick: number, readonly va48: number, readonly size: PageSize) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const i = this.space % m.spaces.length;
    const abs = m.spaces[i]!;
    // Half the time unmap a page that exists, otherwise whatever the address is.
    const pages = [...abs.pages.values()];
    const target = this.pick % 2 === 0 && pages.length > 0 ? pages[this.pick % pages.length]! : { base: this.va48, size: this.size };
    const predicted = abs.predictExact(target.base, target.size);
    const ok = expectOutcome(r, predicted, () => r.spaces[i]!.unmap(va(target.base), target.size));
    const probes = ok ? probesOf(abs.pages.get(target.base)!) : [];
    if (ok) abs.pages.delete(target.base);
    checkAll(m, r, [target.base, ...probes], CHECK_LIMIT);
  }
  toString = (): string => `unmap(space ${this.space}, pick ${this.pick} / 0x${this.va48.toString(16)}, ${this.size})`;
}

class ProtectCmd implements fc.Command<Model, Real> {
  constructor(readonly space: number, readonly pick: number, readonly flags: PageFlags) {}
  check = (m: Readonly<Model>): boolean => m.spaces[this.space % m.spaces.length]!.pages.size > 0;
  run(m: Model, r: Real): void {
    const i = this.space % m.spaces.length;
    const abs = m.spaces[i]!;
    const pages = [...abs.pages.values()];
    const p = pages[this.pick % pages.length]!;
    expectOutcome(r, 'ok', () => r.spaces[i]!.protect(va(p.base), p.size, this.flags));
    abs.pages.set(p.base, { ...p, flags: this.flags });
    checkAll(m, r, [p.base], CHECK_LIMIT);
  }
  toString = (): string => `protect(space ${this.space}, pick ${this.pick}, ${JSON.stringify(this.flags)})`;
}

class CopyRootCmd implements fc.Command<Model, Real> {
  constructor(readonly space: number) {}
  check = (m: Readonly<Model>): boolean => m.spaces.length < MAX_SPACES;
  run(m: Model, r: Real): void {
    const i = this.space % m.spaces.length;
    const copied = r.spaces[i]!.copyRoot();
    expect(copied.ok).toBe(true);
    if (!copied.ok) return;
    r.spaces.push(copied.value);
    m.spaces.push(m.spaces[i]!.clone());
    checkAll(m, r, [], CHECK_LIMIT);
  }
  toString = (): string => `copyRoot(space ${this.space})`;
}

function commandsArb(config: MapperConfig): fc.Arbitrary<Iterable<fc.Command<Model, Real>>> {
  const space = fc.nat(MAX_SPACES - 1);
  const mapCmd = fc.record({ space, size: sizeArb(config), split: fc.boolean() }).chain(({ space, size, split }) =>
    fc.record({ va48: pageVa48Arb(size), frame: frameArb(size, config.maxPhyAddr), flags: flagsArb(config) })
      .map(({ va48, frame, flags }) => new MapCmd(space, va48, frame, size, flags, split)));
  const unmapCmd = fc.record({ space, pick: fc.nat(), size: sizeArb(config) }).chain(({ space, pick, size }) =>
    pageVa48Arb(size).map((va48) => new UnmapCmd(space, pick, va48, size)));
  const protectCmd = fc.record({ space, pick: fc.nat(), flags: flagsArb(config) }).map(({ space, pick, flags }) => new ProtectCmd(space, pick, flags));
  const copyCmd = space.map((s) => new CopyRootCmd(s));
  return fc.commands([
    mapCmd, mapCmd, mapCmd, unmapCmd, protectCmd, copyCmd,
  ], { size: 'medium', maxCommands: 200, replayPath: commandsReplayPath() });
}

describe('mapper, model-based', () => {
  it('long map/unmap/protect/copy-root sequences keep every space walking as its abstract model says [PG.WALK.PAGE_4K, PG.WALK.PDE.PS, PG.WALK.PDPTE.PS, PG.WALK.PTE.NOT_PRESENT, PG.PERM.RW.COMBINE, PG.PERM.US.COMBINE, PG.PERM.XD.COMBINE, PG.CR3.PML4_BASE]', () => {
    const lengths: number[] = [];
    fc.assert(fc.property(configArb.chain((config) => fc.tuple(fc.constant(config), commandsArb(config))), ([config, cmds]) => {
      const fx = newFixture(config);
      const model: Model = { config, spaces: [new AbstractSpace()], ran: 0 };
      const real: Real = { memory: fx.memory, spaces: [fx.space] };
      fc.modelRun(() => ({ model, real }), cmds);
      lengths.push(model.ran);
      checkAll(model, real, [], Infinity);
    }), { numRuns: numRuns(20) });
    // The sequences must really be long (fast-check's default size would cap them near 10).
    const sorted = [...lengths].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeGreaterThanOrEqual(20);
  });
});
