/**
 * Turns a paging vector into a case the guest runner can perform, or says why it
 * cannot. The runner never guesses: a combination it has no faithful way to perform is
 * `unsupported` with the reason. Runs once per vector on the hot path (≈ 100,000 per
 * boot), so it parses each value once and builds no strings for vectors that are fine.
 */
import { RUNNER_PML4_INDEX, inVectorWindow } from '../../spec/vector-constraints.ts';
import { modeOf } from '../../model/paging/mode.ts';
import { isCanonical } from '../../model/paging/walk-core.ts';
import { validateAccess, validateState } from '../../model/paging/state.ts';
import { FEATURES, type AccessKind, type Cpl, type Feature, type Registers } from '../../model/paging/types.ts';
import { toNumber, u64, type U64 } from '../../model/paging/u64.ts';
import { low48, virtAddr } from '../../model/paging/addr.ts';
import type { JsonObject, JsonValue, Vector } from '../types.ts';
import type { GuestCase } from './batch.ts';
import type { QemuProfile } from './cpu.ts';

export interface PreparedCase {
  readonly guest: GuestCase;
  readonly profile: QemuProfile;
}

export type Preparation =
  | { readonly ok: true; readonly prepared: PreparedCase }
  | { readonly ok: false; readonly unsupported: string }
  | { readonly ok: false; readonly error: string };

const unsupported = (reason: string): Preparation => ({ ok: false, unsupported: reason });

/** Thrown inside prepare for input that does not have the paging schema's shape. */
class Malformed extends Error {}

/** A path, built only when a message needs it (prepare runs per qword of 100,000 vectors). */
type Path = string | (() => string);
const text = (p: Path): string => (typeof p === 'string' ? p : p());

function obj(v: JsonValue | undefined, path: Path): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Malformed(`${text(path)} is not an object`);
  return v;
}

/**
 * `0x…` (1–16 hex digits, either case) as a U64, without the regular expression and
 * substrings of u64.ts `parseHex` (this runs ~10 times per vector, 100,000 vectors a boot).
 */
function hex64(v: JsonValue | undefined, path: Path): U64 {
  if (typeof v !== 'string' || v.length < 3 || v.length > 18 || v.charCodeAt(0) !== 0x30 || (v.charCodeAt(1) | 0x20) !== 0x78) {
    throw new Malformed(`${text(path)} is not a 0x… value`);
  }
  let hi = 0;
  let lo = 0;
  for (let i = 2; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (d < 0) throw new Malformed(`${text(path)} is not a 0x… value`);
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | d) >>> 0;
  }
  return u64(hi, lo);
}

const KINDS: readonly AccessKind[] = ['read', 'write', 'fetch'];

/** The guest case for `vector`, or why there is none. */
export function prepare(vector: Vector): Preparation {
  if (vector.suite !== 'paging') return unsupported(`the QEMU runner performs paging vectors only, not '${vector.suite}'`);
  try {
    return prepareInput(vector.input);
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, error: `malformed paging input: ${err.message}` };
    throw err;
  }
}

function prepareInput(input: JsonObject): Preparation {
  const cpuJson = obj(input.cpu, '$.input.cpu');
  const regsJson = obj(input.regs, '$.input.regs');
  const accessJson = obj(input.access, '$.input.access');
  const maxphyaddr = cpuJson.maxphyaddr;
  if (typeof maxphyaddr !== 'number') throw new Malformed('$.input.cpu.maxphyaddr is not a number');
  const featureList = Array.isArray(cpuJson.features) ? cpuJson.features : [];
  const features = new Set<Feature>(FEATURES.filter((f) => featureList.includes(f)));
  const cpl = regsJson.cpl;
  if (cpl !== 0 && cpl !== 1 && cpl !== 2 && cpl !== 3) throw new Malformed('$.input.regs.cpl is not 0–3');
  const regs: Registers = {
    cr0: hex64(regsJson.cr0, '$.input.regs.cr0'), cr3: hex64(regsJson.cr3, '$.input.regs.cr3'),
    cr4: hex64(regsJson.cr4, '$.input.regs.cr4'), efer: hex64(regsJson.efer, '$.input.regs.efer'),
    rflags: hex64(regsJson.rflags, '$.input.regs.rflags'), pkru: hex64(regsJson.pkru, '$.input.regs.pkru').lo, cpl,
  };
  const kind = accessJson.kind as AccessKind;
  if (!KINDS.includes(kind)) throw new Malformed('$.input.access.kind is not read, write or fetch');
  const implicit = accessJson.implicit === true;
  const va = hex64(accessJson.va, '$.input.access.va');

  const problems = [...validateState({ maxPhyAddr: maxphyaddr, features }, regs), ...validateAccess({ va: virtAddr(va), kind, implicit })];
  if (problems.length > 0) {
    const p = problems[0]!;
    return unsupported(`the state cannot be loaded into a processor: ${p.path}: ${p.message}`);
  }
  if (implicit && kind !== 'read') {
    return unsupported(`an implicit supervisor-mode ${kind} has no faithful trigger in the runner (it performs implicit accesses as descriptor-table reads only)`);
  }
  if (implicit && !isCanonical(va.hi, va.lo)) {
    return unsupported('an implicit access at a non-canonical address: a descriptor table cannot be based there (LLDT itself faults)');
  }
  if (implicit && (va.lo & 0xfff) > 0xff8) {
    return unsupported('the 8-byte descriptor read at this address would cross into the next page (two translations)');
  }
  if (isCanonical(va.hi, va.lo) && (low48(va) / 2 ** 39 & 0x1ff) === RUNNER_PML4_INDEX) {
    return unsupported(`the address translates through PML4 slot ${RUNNER_PML4_INDEX}, which the runner keeps for itself (spec/vector-constraints.ts)`);
  }

  // PML4 base: CR3 bits MAXPHYADDR-1:12 (PG.CR3.PML4_BASE); validateState rejected higher bits.
  const slotPa = toNumber(u64(regs.cr3.hi, regs.cr3.lo & ~0xfff)) + RUNNER_PML4_INDEX * 8;
  if (!inVectorWindow(slotPa, 8)) {
    return unsupported(`the PML4 table (CR3 ${String(regsJson.cr3)}) lies outside the runner's vector windows (spec/vector-constraints.ts)`);
  }
  if (!Array.isArray(input.memory)) throw new Malformed('$.input.memory is not an array');
  const memory: { pa: number; value: U64 }[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < input.memory.length; i++) {
    const q = obj(input.memory[i], () => `$.input.memory[${i}]`);
    const pa = toNumber(hex64(q.pa, () => `$.input.memory[${i}].pa`));
    const value = hex64(q.value, () => `$.input.memory[${i}].value`);
    if (pa % 8 !== 0 || seen.has(pa)) throw new Malformed(`$.input.memory[${i}].pa is unaligned or repeated`);
    seen.add(pa);
    if (!inVectorWindow(pa, 8)) return unsupported(`memory[${i}] at ${String(q.pa)} lies outside the runner's vector windows (spec/vector-constraints.ts)`);
    if (pa === slotPa) return unsupported(`memory[${i}] is PML4 slot ${RUNNER_PML4_INDEX}, which the runner keeps for itself`);
    memory.push({ pa, value });
  }
  const mode = modeOf({ maxPhyAddr: maxphyaddr, features }, regs);
  const guest: GuestCase = {
    kind, implicit, cpl,
    wp: mode.wp, smep: mode.smep, smap: mode.smap, pke: mode.pke, nxe: mode.nxe, ac: mode.ac,
    pkru: regs.pkru,
    cr3: regs.cr3, va, slotPa, memory,
  };
  return { ok: true, prepared: { guest, profile: { maxphyaddr, pdpe1gb: features.has('pdpe1gb') } } };
}
