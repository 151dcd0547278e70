import type { JsonObject } from '../../harness/types.ts';
import { physAddr, virtAddr, type PhysAddr } from '../../model/paging/addr.ts';
import { PhysMemory } from '../../model/paging/memory.ts';
import { validateAccess, validateState } from '../../model/paging/state.ts';
import { FEATURES, type Access, type AccessKind, type Cpl, type CpuModel, type Feature, type PagingState, type Registers } from '../../model/paging/types.ts';
import { fromNumber, toHex, toNumber, u64, type U64 } from '../../model/paging/u64.ts';
import { childPath, dottedToPath } from './json-path.ts';
import type { ExpectJson, PermittedOutcome } from '../../model/paging/expectation.ts';

/**
 * The paging suite's input in its JSON form (spec/schemas/paging-input.schema.json) and
 * its conversion to and from the model's `PagingState` + `Access`.
 */
export interface PagingInputJson {
  readonly cpu: { readonly maxphyaddr: number; readonly features: readonly Feature[] };
  readonly regs: {
    readonly cr0: string; readonly cr3: string; readonly cr4: string; readonly efer: string;
    readonly rflags: string; readonly pkru: string; readonly cpl: Cpl;
  };
  readonly memory: readonly { readonly pa: string; readonly value: string }[];
  readonly access: { readonly va: string; readonly kind: AccessKind; readonly implicit: boolean };
}

/** A problem with a paging input's meaning, with its path below `$.input`. */
export interface InputProblem {
  readonly path: string;
  readonly message: string;
  readonly clause?: string;
}

/**
 * Parses a `0x…` value (either case, 1–16 digits); throws a TypeError on anything else.
 * The same values as the model's `parseHex`, written as one pass over the characters:
 * every vector has a dozen of them, and the model adapter answers many thousands a second.
 */
export function hex(text: string): U64 {
  const n = typeof text === 'string' ? text.length : 0;
  if (n < 3 || n > 18 || text.charCodeAt(0) !== 0x30 || (text.charCodeAt(1) | 0x20) !== 0x78) throw notHex(text);
  const split = Math.max(2, n - 8); // the last 8 digits are bits 31:0
  let hi = 0;
  let lo = 0;
  for (let i = 2; i < n; i++) {
    const d = hexDigit(text.charCodeAt(i));
    if (d < 0) throw notHex(text);
    if (i < split) hi = hi * 16 + d;
    else lo = lo * 16 + d;
  }
  return u64(hi, lo);
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

function notHex(text: unknown): TypeError {
  return new TypeError(`not a 0x… value: ${JSON.stringify(text)}`);
}

/** A hex string the schema accepted as a physical address (below 2^52). */
export function hexPa(text: string): PhysAddr {
  return physAddr(toNumber(hex(text)));
}

/** The model's CPU model from the JSON `cpu` object. */
export function cpuFromJson(cpu: PagingInputJson['cpu']): CpuModel {
  return { maxPhyAddr: cpu.maxphyaddr, features: new Set(cpu.features) };
}

/** The JSON `cpu` object; features in the canonical order of `FEATURES`. */
export function cpuToJson(cpu: CpuModel): PagingInputJson['cpu'] {
  return { maxphyaddr: cpu.maxPhyAddr, features: FEATURES.filter((f) => cpu.features.has(f)) };
}

function regsFromJson(r: PagingInputJson['regs']): Registers {
  return {
    cr0: hex(r.cr0), cr3: hex(r.cr3), cr4: hex(r.cr4), efer: hex(r.efer), rflags: hex(r.rflags),
    pkru: hex(r.pkru).lo, cpl: r.cpl,
  };
}

function regsToJson(r: Registers): PagingInputJson['regs'] {
  return {
    cr0: toHex(r.cr0), cr3: toHex(r.cr3), cr4: toHex(r.cr4), efer: toHex(r.efer), rflags: toHex(r.rflags),
    pkru: toHex(u64(0, r.pkru)), cpl: r.cpl,
  };
}

/**
 * Problems with the meaning of a schema-valid paging input: misaligned or repeated
 * qwords, and CPU/register states the processor could never be in or that the model
 * does not cover (model/paging/state.ts). Paths are below `base`.
 */
export function pagingInputProblems(input: PagingInputJson, base = '$.input'): InputProblem[] {
  const problems: InputProblem[] = [];
  const seen = new Map<number, number>();
  input.memory.forEach((q, i) => {
    const pa = toNumber(hex(q.pa));
    const path = childPath(childPath(childPath(base, 'memory'), i), 'pa');
    if (pa % 8 !== 0) problems.push({ path, message: `qword address ${q.pa} is not 8-byte aligned` });
    const first = seen.get(pa);
    if (first !== undefined) problems.push({ path, message: `qword ${q.pa} is listed twice (first at memory[${first}])` });
    else seen.set(pa, i);
  });
  const cpu = cpuFromJson(input.cpu);
  for (const p of [...validateState(cpu, regsFromJson(input.regs)), ...validateAccess(accessFromJson(input.access))]) {
    const path = dottedToPath(p.path, base);
    const message = p.unsupported ? `${p.message} (not modelled by x64spec)` : p.message;
    problems.push(p.clause === undefined ? { path, message } : { path, message, clause: p.clause });
  }
  return problems;
}

function accessFromJson(a: PagingInputJson['access']): Access {
  return { va: virtAddr(hex(a.va)), kind: a.kind, implicit: a.implicit };
}

/**
 * The model's state and access for a paging input that passed validation. `memory`
 * (default: a fresh one) receives the input's qwords; it must read as all zeros.
 */
export function pagingInputToModel(input: PagingInputJson, memory: PhysMemory = new PhysMemory()): { state: PagingState; access: Access } {
  for (const q of input.memory) memory.write64(hexPa(q.pa), hex(q.value));
  return {
    state: { cpu: cpuFromJson(input.cpu), regs: regsFromJson(input.regs), memory },
    access: accessFromJson(input.access),
  };
}

/**
 * The JSON input for a model state and access. Memory lists every non-zero qword in
 * ascending address order (the vector format's canonical form); zero qwords read as
 * zero anyway.
 */
export function pagingInputFromModel(state: PagingState, access: Access): PagingInputJson {
  const memory: { pa: string; value: string }[] = [];
  for (const [pa, value] of state.memory.nonZeroQwords()) memory.push({ pa: toHex(fromNumber(pa)), value: toHex(value) });
  return {
    cpu: cpuToJson(state.cpu),
    regs: regsToJson(state.regs),
    memory,
    access: { va: toHex(access.va), kind: access.kind, implicit: access.implicit },
  };
}

/** Narrows a schema-checked JSON object to the paging input type. */
export function asPagingInput(input: JsonObject): PagingInputJson {
  return input as unknown as PagingInputJson;
}

/** The paging expectation in its JSON form (spec/schemas/paging-expect.schema.json). */
export type PagingExpectJson = ExpectJson;

/** The model's permitted outcome from a schema-valid `expect` object. */
export function expectFromJson(e: PagingExpectJson): PermittedOutcome {
  const memory = e.memory.map((m) => ({ pa: hexPa(m.pa), oneOf: m.oneOf.map(hex) }));
  if (e.outcome === 'ok') return { outcome: 'ok', pa: hexPa(e.pa!), memory };
  if (e.vector === 13) return { outcome: 'fault', vector: 13, errorCode: 0, memory };
  return { outcome: 'fault', vector: 14, errorCode: hex(e.errorCode!).lo, cr2: virtAddr(hex(e.cr2!)), memory };
}

/** Problems with a schema-valid expectation against its input: every qword it lets change must be listed in the input. */
export function pagingExpectProblems(input: PagingInputJson, e: PagingExpectJson, base = '$.expect'): InputProblem[] {
  const listed = new Set(input.memory.map((q) => toNumber(hex(q.pa))));
  const problems: InputProblem[] = [];
  e.memory.forEach((m, i) => {
    const path = childPath(childPath(childPath(base, 'memory'), i), 'pa');
    if (!listed.has(toNumber(hex(m.pa)))) problems.push({ path, message: `qword ${m.pa} is not listed in input.memory` });
  });
  return problems;
}
