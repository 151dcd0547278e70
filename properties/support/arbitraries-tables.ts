/**
 * Page tables written qword by qword, realistic and adversarial at once: a pool of table
 * frames (low memory and just under MAXPHYADDR), walks built around a few target
 * addresses whose indices repeat (0, 1, 255, 256, 511) so tables and entries are shared
 * between them, pointers that may point back at any table of the pool (shared tables,
 * loops, a recursive PML4), leaves of all three sizes, not-present entries full of
 * garbage, every low flag combination (A and D included), XD, protection keys, ignored
 * high bits, and now and then one bit that may be reserved (above MAXPHYADDR, PS in a
 * PML4E, 20:13 / 29:13 of huge leaves, XD without NXE).
 */
import fc from 'fast-check';
import { physAddr } from '../../model/paging/addr.ts';
import { PhysMemory } from '../../model/paging/memory.ts';
import { fromBigInt } from '../../model/paging/u64.ts';
import type { CpuModel, PagingState } from '../../model/paging/types.ts';
import type { OracleState } from './oracle.ts';
import { accessModeArb, canonical, cpuArb, regsArb, toRegisters, type RegBits } from './arbitraries.ts';
import type { AccessKind } from '../../model/paging/types.ts';

/** One generated situation: a CPU, its registers, the non-zero qwords of memory, and addresses to try. */
export interface Scenario {
  readonly cpu: CpuModel;
  readonly regs: RegBits;
  /** Physical address → qword, only non-zero ones. */
  readonly memory: ReadonlyMap<bigint, bigint>;
  /** Canonical addresses the tables were built around. */
  readonly targets: readonly bigint[];
  /** The table frames of the pool (PML4 first). */
  readonly tables: readonly bigint[];
}

type EntryKind = 'pointer' | 'leaf' | 'absent';

interface EntryChoice {
  readonly kind: EntryKind;
  readonly tableIndex: number;
  readonly low: number;
  readonly pat: boolean;
  readonly xd: boolean;
  readonly pkey: number;
  readonly ignoredHi: number;
  readonly frame: bigint;
  readonly reservedBit: number | null;
  readonly garbage: bigint;
}

const entryChoiceArb: fc.Arbitrary<EntryChoice> = fc.record({
  kind: fc.oneof(
    { weight: 5, arbitrary: fc.constant<EntryKind>('pointer') },
    { weight: 3, arbitrary: fc.constant<EntryKind>('leaf') },
    { weight: 1, arbitrary: fc.constant<EntryKind>('absent') },
  ),
  tableIndex: fc.nat(15),
  // Every combination of the low 12 flag bits (P and PS are then fixed by the kind).
  low: fc.integer({ min: 0, max: 0xfff }),
  pat: fc.boolean(),
  xd: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  pkey: fc.nat(15),
  ignoredHi: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0x7f })),
  frame: fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }),
  // Mostly none; about one entry in thirteen gets one bit that may be reserved.
  reservedBit: fc.oneof(
    { weight: 12, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom(7, 13, 20, 21, 29, 51, 63), fc.integer({ min: 12, max: 51 })) },
  ),
  garbage: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
});

/** An index at one level: mostly from a small alphabet so addresses share tables. */
const indexArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 255, 256, 511) },
  { weight: 1, arbitrary: fc.nat(511) },
);

export const targetVaArb: fc.Arbitrary<bigint> = fc
  .record({ i4: indexArb, i3: indexArb, i2: indexArb, i1: indexArb, off: fc.oneof(fc.constant(0), fc.nat(0xfff), fc.constant(0xff8)) })
  .map(({ i4, i3, i2, i1, off }) =>
    canonical((BigInt(i4) << 39n) | (BigInt(i3) << 30n) | (BigInt(i2) << 21n) | (BigInt(i1) << 12n) | BigInt(off)));

const mask = (hiBit: number, loBit: number): bigint => ((1n << BigInt(hiBit + 1)) - 1n) ^ ((1n << BigInt(loBit)) - 1n);

/** Table frames: some in low memory, some just below 2^MAXPHYADDR. */
function tablePoolArb(maxPhyAddr: number): fc.Arbitrary<bigint[]> {
  const top = (1n << BigInt(maxPhyAddr - 12)) - 1n;
  const frameNumber = fc.oneof(
    fc.bigInt({ min: 1n, max: 0x3ffn }),
    fc.bigInt({ min: top - 0x3ffn, max: top }),
    fc.bigInt({ min: 1n, max: top }),
  );
  return fc.uniqueArray(frameNumber, { minLength: 2, maxLength: 8 }).map((fs) => fs.map((n) => n << 12n));
}

function makeEntry(c: EntryChoice, level: number, cpu: CpuModel, nxe: boolean, pool: readonly bigint[]): bigint {
  if (c.kind === 'absent') return c.garbage & ~1n;
  let low = BigInt(c.low) | 1n;
  let frame: bigint;
  const leaf = c.kind === 'leaf' && level < 4;
  if (!leaf) {
    low &= ~0x80n; // PS = 0: points to a table
    frame = pool[c.tableIndex % pool.length]!;
  } else {
    const shift = level === 1 ? 12 : level === 2 ? 21 : 30;
    frame = c.frame & mask(cpu.maxPhyAddr - 1, shift);
    if (level > 1) {
      low |= 0x80n; // PS = 1
      if (c.pat) low |= 0x1000n; // PAT of a huge leaf
    }
  }
  let hi = (BigInt(c.pkey) << 59n) | (BigInt(c.ignoredHi) << 52n);
  // XD only where NXE makes it meaningful; without NXE bit 63 comes from the reserved-bit choice.
  if (c.xd && nxe) hi |= 1n << 63n;
  let e = hi | frame | low;
  if (c.reservedBit !== null) e |= 1n << BigInt(c.reservedBit);
  return e;
}

/**
 * Builds the tables: walks each target from the PML4, writing an entry from the next
 * choice wherever the walk meets an unwritten slot, and following the entries as the
 * processor would (a written entry is reused, which is how sharing happens).
 */
function build(
  cpu: CpuModel, nxe: boolean, pool: readonly bigint[], targets: readonly bigint[], choices: readonly EntryChoice[],
): Map<bigint, bigint> {
  const memory = new Map<bigint, bigint>();
  const addrMask = mask(cpu.maxPhyAddr - 1, 12);
  let next = 0;
  for (const va of targets) {
    let table = pool[0]!;
    for (let level = 4; level >= 1; level--) {
      const pa = table + ((va >> BigInt(12 + 9 * (level - 1))) & 0x1ffn) * 8n;
      let e = memory.get(pa);
      if (e === undefined) {
        e = makeEntry(choices[next++ % choices.length]!, level, cpu, nxe, pool);
        memory.set(pa, e);
      }
      if ((e & 1n) === 0n) break;
      if (level === 1 || (level < 4 && (e & 0x80n) !== 0n)) break;
      table = e & addrMask;
    }
  }
  for (const [pa, v] of memory) if (v === 0n) memory.delete(pa);
  return memory;
}

/** Tables, a CPU and registers built together (registers only use the CPU's features). */
export const scenarioArb: fc.Arbitrary<Scenario> = cpuArb.chain((cpu) =>
  tablePoolArb(cpu.maxPhyAddr).chain((pool) =>
    fc
      .record({
        regs: regsArb(cpu, fc.constant(pool[0]!)),
        targets: fc.array(targetVaArb, { minLength: 1, maxLength: 6 }),
        choices: fc.array(entryChoiceArb, { minLength: 4, maxLength: 24 }),
      })
      .map(({ regs, targets, choices }) => ({
        cpu, regs, targets, tables: pool, memory: build(cpu, (regs.efer & 0x800n) !== 0n, pool, targets, choices),
      })),
  ),
);

/** A scenario with one access to one of its targets (or, rarely, anywhere). */
export interface ScenarioAccess {
  readonly scenario: Scenario;
  readonly va: bigint;
  readonly kind: AccessKind;
  readonly implicit: boolean;
}

export const scenarioAccessArb: fc.Arbitrary<ScenarioAccess> = scenarioArb.chain((scenario) =>
  fc.record({
    va: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...scenario.targets) }, { weight: 1, arbitrary: targetVaArb }),
    mode: accessModeArb,
  }).map(({ va, mode }) => ({ scenario, va, kind: mode.kind, implicit: mode.implicit })),
);

/** The model's state for a scenario (fresh memory each call). */
export function pagingStateOf(s: Scenario, regs: RegBits = s.regs): PagingState {
  const memory = new PhysMemory();
  for (const [pa, v] of s.memory) memory.write64(physAddr(Number(pa)), fromBigInt(v));
  return { cpu: s.cpu, regs: toRegisters(regs), memory };
}

/** The oracle's view of a scenario (reads the given map). */
export function oracleStateOf(s: Scenario, memory: ReadonlyMap<bigint, bigint> = s.memory, regs: RegBits = s.regs): OracleState {
  return {
    maxPhyAddr: s.cpu.maxPhyAddr,
    pdpe1gb: s.cpu.features.has('pdpe1gb'),
    cr0: regs.cr0, cr3: regs.cr3, cr4: regs.cr4, efer: regs.efer, rflags: regs.rflags, pkru: regs.pkru, cpl: regs.cpl,
    read: (pa) => memory.get(pa) ?? 0n,
  };
}
