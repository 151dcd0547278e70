/**
 * Suite `handoff`: a loader's state at the switch (spec/schemas/handoff-state.schema.json)
 * under `state`, plus, for states the OVMF test application can boot, where it places
 * the loader region, trampoline and kernel (`ovmf`). Output: what the CPU does
 * (`outcome`: runs / triple-fault / exception / invalid, with `stage`, `vector` and for a #PF
 * the faulting `address`) and the HANDOFF.* clauses broken (`violations`, sorted). An
 * implementation that can only watch a machine (OVMF) may leave out `vector`, `address`
 * and `violations`.
 */
import type { DiffEntry } from '../../harness/results.ts';
import type { JsonObject, JsonValue, Vector } from '../../harness/types.ts';
import { checkHandoff } from '../../model/handoff/checker.ts';
import { parseHandoffState, type Json } from '../../model/handoff/json.ts';
import type { HandoffState } from '../../model/handoff/state.ts';
import type { VirtAddr } from '../../model/paging/addr.ts';
import { parseHex, toHex, toNumber } from '../../model/paging/u64.ts';

export class HandoffInputError extends Error {
  override readonly name = 'HandoffInputError';
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
  }
}

export interface OvmfPlacementJson {
  readonly regionBase: number;
  readonly regionBytes: number;
  readonly trampolinePa: number;
  readonly kernelPa: number;
  readonly bootInfoVa: VirtAddr;
}

export interface HandoffInput {
  readonly state: HandoffState;
  readonly ovmf?: OvmfPlacementJson;
}

function hexNum(v: JsonValue | undefined, path: string): number {
  const h = typeof v === 'string' ? parseHex(v) : undefined;
  if (h === undefined || toNumber(h) >= 2 ** 52) throw new HandoffInputError(path, 'expected a "0x…" physical address');
  return toNumber(h);
}

/** Reads a `handoff` vector input; throws HandoffInputError with the JSON path of the first problem. */
export function parseHandoffInput(input: JsonObject): HandoffInput {
  const parsed = parseHandoffState(input.state as Json);
  if (!parsed.ok) {
    const p = parsed.problems[0]!;
    throw new HandoffInputError(p.path.replace(/^\$/, '$.input.state'), p.message);
  }
  if (input.ovmf === undefined) return { state: parsed.state };
  const o = input.ovmf;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new HandoffInputError('$.input.ovmf', 'expected an object');
  const va = typeof o.bootInfoVa === 'string' ? parseHex(o.bootInfoVa) : undefined;
  if (va === undefined) throw new HandoffInputError('$.input.ovmf.bootInfoVa', 'expected a "0x…" value');
  return {
    state: parsed.state,
    ovmf: {
      regionBase: hexNum(o.regionBase, '$.input.ovmf.regionBase'),
      regionBytes: hexNum(o.regionBytes, '$.input.ovmf.regionBytes'),
      trampolinePa: hexNum(o.trampolinePa, '$.input.ovmf.trampolinePa'),
      kernelPa: hexNum(o.kernelPa, '$.input.ovmf.kernelPa'),
      bootInfoVa: va as VirtAddr,
    },
  };
}

/** The model's answer: the checker's prediction and the sorted set of clauses broken. */
export function handoffModelAnswer(input: HandoffInput): JsonObject {
  const r = checkHandoff(input.state);
  const p = r.prediction;
  const out: { [k: string]: JsonValue } = { outcome: p.outcome };
  if (p.outcome === 'triple-fault' || p.outcome === 'exception') {
    out.stage = p.stage;
    out.vector = p.vector;
    if (p.address !== undefined) out.address = toHex(p.address);
  }
  out.violations = [...new Set(r.violations.map((v) => v.clause))].sort();
  return out;
}

/** Compares an implementation's answer with the expectation (clause-named differences). */
export function judgeHandoff(expect: JsonObject, output: JsonObject): DiffEntry[] {
  const out: DiffEntry[] = [];
  if (output.outcome !== expect.outcome) {
    out.push({ path: '$.outcome', expected: expect.outcome ?? null, observed: output.outcome ?? null, clause: 'HANDOFF.FAULT.TRIPLE' });
    return out;
  }
  if (expect.stage !== undefined && output.stage !== expect.stage) out.push({ path: '$.stage', expected: expect.stage, observed: output.stage ?? null });
  if (expect.vector !== undefined && output.vector !== undefined && output.vector !== expect.vector) out.push({ path: '$.vector', expected: expect.vector, observed: output.vector });
  // The faulting address (CR2), compared as numbers so either hex case passes.
  if (expect.address !== undefined && output.address !== undefined) {
    const want = typeof expect.address === 'string' ? parseHex(expect.address) : undefined;
    const got = typeof output.address === 'string' ? parseHex(output.address) : undefined;
    if (got === undefined || want === undefined || got.hi !== want.hi || got.lo !== want.lo) out.push({ path: '$.address', expected: expect.address, observed: output.address });
  }
  if (output.violations !== undefined) {
    const want = new Set(expect.violations as string[]);
    const got = Array.isArray(output.violations) ? new Set(output.violations.filter((v): v is string => typeof v === 'string')) : new Set<string>();
    for (const c of want) if (!got.has(c)) out.push({ path: '$.violations', expected: c, observed: null, clause: c });
    for (const c of got) if (!want.has(c)) out.push({ path: '$.violations', expected: null, observed: c, clause: c });
  }
  return out;
}

/** The vector envelope for a state (helper for cases.ts and tests). */
export function handoffVector(id: string, title: string, input: JsonObject, extraClauses: readonly string[] = []): Vector {
  const expect = handoffModelAnswer(parseHandoffInput(input));
  const clauses = [...new Set([...(expect.violations as string[]), ...extraClauses])].sort();
  return { id, suite: 'handoff', title, clauses, input, expect };
}
