/**
 * Permitted outcomes (DESIGN.md "Outcomes are sets"): what a conforming processor may
 * do for one access from an empty TLB, and a judge that compares what an
 * implementation did against that set, naming the clause each difference breaks.
 */
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import type { PhysAddr, VirtAddr } from './addr.ts';
import { A, D } from './entry.ts';
import { PF_ID, PF_P, PF_PK, PF_RSVD, PF_US, PF_WR, type Access, type AdUpdate, type PagingState, type WalkResult } from './types.ts';
import { eq, toHex, u64, type U64 } from './u64.ts';
import { walk } from './walk.ts';

/** The allowed final values of one qword that may change. */
export interface MemoryExpectation {
  readonly pa: PhysAddr;
  readonly oneOf: readonly U64[];
}

export type PermittedOutcome =
  | { readonly outcome: 'ok'; readonly pa: PhysAddr; readonly memory: readonly MemoryExpectation[] }
  | { readonly outcome: 'fault'; readonly vector: 14; readonly errorCode: number; readonly cr2: VirtAddr; readonly memory: readonly MemoryExpectation[] }
  | { readonly outcome: 'fault'; readonly vector: 13; readonly errorCode: 0; readonly memory: readonly MemoryExpectation[] };

export interface Expectation {
  readonly expect: PermittedOutcome;
  /** The clauses that decided the outcome (a vector's `clauses`). */
  readonly clauses: readonly PagingClauseId[];
  /** The walk behind it, with its trace. */
  readonly result: WalkResult;
}

/** The permitted outcome of `access` under `state`, derived from `walk`. */
export function permittedOutcome(state: PagingState, access: Access): Expectation {
  const result = walk(state, access);
  const memory = memoryExpectations(result.updates, result.outcome === 'ok');
  const expect: PermittedOutcome = result.outcome === 'ok'
    ? { outcome: 'ok', pa: result.pa, memory }
    : result.vector === 14
      ? { outcome: 'fault', vector: 14, errorCode: result.errorCode, cr2: result.cr2, memory }
      : { outcome: 'fault', vector: 13, errorCode: 0, memory };
  return { expect, clauses: result.clauses, result };
}

/**
 * Merges updates by address (one qword can serve at two levels, as in a recursive
 * slot): the bits any use sets are ORed. Required updates allow only the final value;
 * optional ones (faults) allow the value before or after.
 */
function memoryExpectations(updates: readonly AdUpdate[], required: boolean): MemoryExpectation[] {
  const merged = new Map<number, { before: U64; setLo: number }>();
  for (const u of updates) {
    const m = merged.get(u.pa);
    const set = (u.after.lo & ~u.before.lo) >>> 0;
    if (m === undefined) merged.set(u.pa, { before: u.before, setLo: set });
    else m.setLo = (m.setLo | set) >>> 0;
  }
  return [...merged].sort(([a], [b]) => a - b).map(([pa, m]) => {
    const after = u64(m.before.hi, m.before.lo | m.setLo);
    return { pa: pa as PhysAddr, oneOf: required ? [after] : [m.before, after] };
  });
}

/** What an implementation reported for one paging case. */
export type ObservedOutcome =
  | { readonly outcome: 'ok'; readonly pa: PhysAddr; readonly memory: readonly U64[] }
  | { readonly outcome: 'fault'; readonly vector: number; readonly errorCode?: number; readonly cr2?: U64; readonly memory: readonly U64[] };

/** One way the observed outcome falls outside the permitted set. */
export interface PagingDiff {
  /** JSON path into the output, e.g. `$.errorCode`, `$.memory[2]`. */
  readonly path: string;
  readonly expected: string | number | readonly string[];
  readonly observed: string | number | null;
  readonly clause?: PagingClauseId;
}

const EC_BITS: readonly (readonly [number, PagingClauseId])[] = [
  [PF_P, 'PG.PF.EC.P'], [PF_WR, 'PG.PF.EC.WR'], [PF_US, 'PG.PF.EC.US'],
  [PF_RSVD, 'PG.PF.EC.RSVD'], [PF_ID, 'PG.PF.EC.ID'], [PF_PK, 'PG.PF.EC.PK'],
];

/** Every error-code bit the judge names a clause for. */
const KNOWN_EC_BITS = EC_BITS.reduce((m, [b]) => m | b, 0);

const hex = (n: number) => '0x' + n.toString(16);

/**
 * Compares an observed outcome with the permitted one. `inputMemory` is the vector's
 * memory list; `observed.memory` gives each of those qwords' final values in order.
 * An empty list means the observation conforms.
 */
export function judgePaging(
  inputMemory: readonly { readonly pa: PhysAddr; readonly value: U64 }[], expect: PermittedOutcome, observed: ObservedOutcome,
): PagingDiff[] {
  const diffs: PagingDiff[] = [];
  if (observed.outcome !== expect.outcome) {
    const clause = outcomeClause(expect);
    diffs.push(clause === undefined
      ? { path: '$.outcome', expected: expect.outcome, observed: observed.outcome }
      : { path: '$.outcome', expected: expect.outcome, observed: observed.outcome, clause });
  } else if (expect.outcome === 'ok') {
    const pa = (observed as { pa: PhysAddr }).pa;
    if (pa !== expect.pa) diffs.push({ path: '$.pa', expected: hex(expect.pa), observed: hex(pa) });
  } else {
    diffs.push(...judgeFault(expect, observed as Extract<ObservedOutcome, { outcome: 'fault' }>));
  }
  diffs.push(...judgeMemory(inputMemory, expect, observed.memory));
  return diffs;
}

/** The clause an unexpected outcome breaks: for a missing translation, the walk's leaf rule is in the vector's clauses. */
function judgeFault(
  expect: Extract<PermittedOutcome, { outcome: 'fault' }>, observed: Extract<ObservedOutcome, { outcome: 'fault' }>,
): PagingDiff[] {
  if (observed.vector !== expect.vector) {
    return [{ path: '$.vector', expected: expect.vector, observed: observed.vector, clause: expect.vector === 13 ? 'PG.CANON.GP' : 'PG.PF.VECTOR' }];
  }
  if (expect.vector === 13) return [];
  const diffs: PagingDiff[] = [];
  const ec = observed.errorCode;
  if (ec === undefined) diffs.push({ path: '$.errorCode', expected: hex(expect.errorCode), observed: null, clause: 'PG.PF.VECTOR' });
  else {
    for (const [bit, clause] of EC_BITS) {
      if ((ec & bit) !== (expect.errorCode & bit)) diffs.push({ path: '$.errorCode', expected: hex(expect.errorCode), observed: hex(ec), clause });
    }
    if ((ec & ~KNOWN_EC_BITS) !== (expect.errorCode & ~KNOWN_EC_BITS)) diffs.push({ path: '$.errorCode', expected: hex(expect.errorCode), observed: hex(ec) });
  }
  if (observed.cr2 === undefined || !eq(observed.cr2, expect.cr2)) {
    diffs.push({ path: '$.cr2', expected: toHex(expect.cr2), observed: observed.cr2 === undefined ? null : toHex(observed.cr2), clause: 'PG.PF.CR2' });
  }
  return diffs;
}

function outcomeClause(expect: PermittedOutcome): PagingClauseId | undefined {
  if (expect.outcome === 'ok') return undefined;
  return expect.vector === 13 ? 'PG.CANON.GP' : 'PG.PF.VECTOR';
}

function judgeMemory(
  inputMemory: readonly { readonly pa: PhysAddr; readonly value: U64 }[], expect: PermittedOutcome, observed: readonly U64[],
): PagingDiff[] {
  if (observed.length !== inputMemory.length) {
    return [{ path: '$.memory', expected: `${inputMemory.length} qwords`, observed: `${observed.length} qwords` }];
  }
  const allowed = new Map(expect.memory.map((m) => [m.pa as number, m.oneOf]));
  const diffs: PagingDiff[] = [];
  inputMemory.forEach((q, i) => {
    const got = observed[i]!;
    const oneOf = allowed.get(q.pa) ?? [q.value];
    if (oneOf.some((v) => eq(v, got))) return;
    const clause = memoryClause(q.value, got, oneOf, expect);
    const base = { path: `$.memory[${i}]`, expected: oneOf.map(toHex), observed: toHex(got) };
    diffs.push(clause === undefined ? base : { ...base, clause });
  });
  return diffs;
}

/** Names the A/D rule a wrong final qword breaks, when the difference is in A or D only. */
function memoryClause(before: U64, got: U64, oneOf: readonly U64[], expect: PermittedOutcome): PagingClauseId | undefined {
  const want = oneOf[oneOf.length - 1]!; // the value with every permitted update applied
  const changed = (want.lo ^ got.lo) >>> 0;
  // A and D live in the low half, so every permitted value keeps the input's high half.
  if (want.hi !== got.hi || (changed & ~(A | D)) !== 0) return undefined;
  if ((before.lo & ~got.lo & (A | D)) !== 0) return 'PG.AD.STICKY'; // a set flag was cleared
  if (expect.outcome === 'fault') return 'PG.AD.FAULT_LEAF_UNCHANGED';
  if (changed & D) return 'PG.AD.DIRTY.WRITE_ONLY';
  return 'PG.AD.ACCESSED';
}

/** The JSON form of a permitted outcome (DESIGN.md vector `expect`). */
export interface ExpectJson {
  outcome: 'ok' | 'fault';
  pa?: string;
  vector?: number;
  errorCode?: string;
  cr2?: string;
  memory: { pa: string; oneOf: string[] }[];
}

export function expectToJson(p: PermittedOutcome): ExpectJson {
  const memory = p.memory.map((m) => ({ pa: hex(m.pa), oneOf: m.oneOf.map(toHex) }));
  if (p.outcome === 'ok') return { outcome: 'ok', pa: hex(p.pa), memory };
  if (p.vector === 13) return { outcome: 'fault', vector: 13, errorCode: '0x0', memory };
  return { outcome: 'fault', vector: 14, errorCode: hex(p.errorCode), cr2: toHex(p.cr2), memory };
}
