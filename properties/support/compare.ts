/**
 * Small helpers the paging properties share: run the model on a scenario, read memory as
 * a map, and compare the model's answer with the independent oracle's.
 */
import { expect } from 'vitest';
import { toBigInt } from '../../model/paging/u64.ts';
import type { PhysMemory } from '../../model/paging/memory.ts';
import type { Access, WalkResult } from '../../model/paging/types.ts';
import type { OracleResult } from './oracle.ts';
import { toVirt } from './arbitraries.ts';
import type { ScenarioAccess } from './arbitraries-tables.ts';

export function accessOf(sa: Pick<ScenarioAccess, 'va' | 'kind' | 'implicit'>): Access {
  return { va: toVirt(sa.va), kind: sa.kind, implicit: sa.implicit };
}

/** Every non-zero qword of memory, by physical address. */
export function memoryMap(memory: PhysMemory): Map<bigint, bigint> {
  const m = new Map<bigint, bigint>();
  for (const [pa, v] of memory.nonZeroQwords()) m.set(BigInt(pa), toBigInt(v));
  return m;
}

/** The qwords whose value differs between two memory maps: pa → [before, after]. */
export function memoryDiff(before: ReadonlyMap<bigint, bigint>, after: ReadonlyMap<bigint, bigint>): Map<bigint, [bigint, bigint]> {
  const d = new Map<bigint, [bigint, bigint]>();
  for (const pa of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(pa) ?? 0n;
    const a = after.get(pa) ?? 0n;
    if (a !== b) d.set(pa, [b, a]);
  }
  return d;
}

/** A short, comparable form of an outcome. */
export type Outcome = { kind: 'ok'; pa: string } | { kind: 'pf'; errorCode: string; cr2: string } | { kind: 'gp' };

const hex = (v: bigint | number): string => '0x' + v.toString(16);

export function modelOutcome(r: WalkResult): Outcome {
  if (r.outcome === 'ok') return { kind: 'ok', pa: hex(r.pa) };
  if (r.vector === 13) return { kind: 'gp' };
  return { kind: 'pf', errorCode: hex(r.errorCode), cr2: hex(toBigInt(r.cr2)) };
}

export function oracleOutcome(o: OracleResult, va: bigint): Outcome {
  if (o.kind === 'ok') return { kind: 'ok', pa: hex(o.pa) };
  if (o.kind === 'gp') return { kind: 'gp' };
  return { kind: 'pf', errorCode: hex(o.errorCode), cr2: hex(va) };
}

/** The A/D updates a walk reports, as sorted [pa, after] hex pairs (changed qwords only, merged per qword). */
export function modelUpdates(r: WalkResult): [string, string][] {
  const m = new Map<bigint, bigint>();
  for (const u of r.updates) {
    const before = toBigInt(u.before);
    const after = toBigInt(u.after);
    if (after === before) continue;
    const pa = BigInt(u.pa);
    m.set(pa, (m.get(pa) ?? before) | after);
  }
  return sortPairs(m);
}

/** What the oracle says may or must change, in the same form. */
export function oracleUpdates(o: OracleResult): [string, string][] {
  const m = new Map<bigint, bigint>();
  if (o.kind === 'ok') {
    for (const f of o.finals) {
      const before = o.entries.find((e) => e.pa === f.pa)!.value;
      if (f.value !== before) m.set(f.pa, (m.get(f.pa) ?? before) | f.value);
    }
  } else if (o.kind === 'pf') {
    for (const e of o.mayGainA) if ((e.value & 0x20n) === 0n) m.set(e.pa, e.value | 0x20n);
  }
  return sortPairs(m);
}

function sortPairs(m: Map<bigint, bigint>): [string, string][] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([pa, v]) => [hex(pa), hex(v)]);
}

/** Fails with both answers when the model and the oracle disagree on the outcome. */
export function expectSameOutcome(r: WalkResult, o: OracleResult, va: bigint): void {
  expect(modelOutcome(r)).toEqual(oracleOutcome(o, va));
}
