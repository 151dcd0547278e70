/**
 * Documented ways QEMU departs from the SDM (spec/deviations/qemu.json, explained in
 * spec/deviations/qemu.md). Each deviation names an `effect`: a rule that turns the
 * SDM's permitted outcome of a vector into the outcome QEMU shows. A disagreement is a
 * documented deviation when some combination of effects makes QEMU's answer conform;
 * anything else is a failure. The data lives in JSON so the harness and the report can
 * read it; the effects' meaning lives here, in one place.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { A, P, PS } from '../../model/paging/entry.ts';
import { judgePaging, permittedOutcome, type MemoryExpectation, type PagingDiff, type PermittedOutcome } from '../../model/paging/expectation.ts';
import { PF_P, PF_RSVD, type Feature, type PagingState } from '../../model/paging/types.ts';
import { CR4_SMAP, RFLAGS_AC } from '../../model/paging/regs.ts';
import { u64 } from '../../model/paging/u64.ts';
import { expectFromJson, hex, hexPa, pagingInputToModel, type PagingExpectJson, type PagingInputJson } from '../../vectors/io/paging.ts';
import type { JsonObject, Vector } from '../types.ts';
import { observedFromOutput } from './observed.ts';

/** What QEMU does instead of what the SDM says. */
export type DeviationEffect =
  /** #PF error codes with RSVD set lack the P bit. */
  | { readonly kind: 'rsvd-fault-without-p' }
  /** The CPU acts as if it had `feature` whatever CPUID says. */
  | { readonly kind: 'feature-ignored'; readonly feature: Feature }
  /** A present PDPTE with PS = 1 gets A set even when the access then faults. */
  | { readonly kind: 'huge-pdpte-accessed-on-fault' }
  /** RFLAGS.AC lifts SMAP for implicit supervisor-mode accesses at CPL < 3 too. */
  | { readonly kind: 'smap-ac-lifts-implicit' };

export interface Deviation {
  readonly id: string;
  /** The clause QEMU breaks. */
  readonly clause: string;
  /** Where the SDM states the rule. */
  readonly sdm: string;
  /** The QEMU version it was seen on. */
  readonly qemu: string;
  readonly summary: string;
  readonly effect: DeviationEffect;
  /** A minimal vector (a corpus line) that shows it; the tests re-run it. */
  readonly vector: Vector;
}

export const DEVIATIONS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'spec', 'deviations', 'qemu.json');

/** Thrown for a deviations file that does not have the documented shape. */
export class DeviationsFileError extends Error {
  override readonly name = 'DeviationsFileError';
}

const EFFECT_KINDS = new Set(['rsvd-fault-without-p', 'feature-ignored', 'huge-pdpte-accessed-on-fault', 'smap-ac-lifts-implicit']);

/** Reads and checks spec/deviations/qemu.json (or `file`). */
export function loadDeviations(file = DEVIATIONS_FILE): Deviation[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DeviationsFileError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const list = (data as { deviations?: unknown }).deviations;
  if (!Array.isArray(list)) throw new DeviationsFileError(`${file}: $.deviations must be an array`);
  const ids = new Set<string>();
  list.forEach((d: unknown, i) => {
    const at = `${file}: $.deviations[${i}]`;
    if (typeof d !== 'object' || d === null) throw new DeviationsFileError(`${at} must be an object`);
    const o = d as Record<string, unknown>;
    for (const k of ['id', 'clause', 'sdm', 'qemu', 'summary']) {
      if (typeof o[k] !== 'string' || o[k] === '') throw new DeviationsFileError(`${at}.${k} must be a non-empty string`);
    }
    const effect = o.effect as { kind?: unknown; feature?: unknown } | undefined;
    if (typeof effect !== 'object' || effect === null || typeof effect.kind !== 'string' || !EFFECT_KINDS.has(effect.kind)) {
      throw new DeviationsFileError(`${at}.effect.kind must be one of ${[...EFFECT_KINDS].join(', ')}`);
    }
    if (effect.kind === 'feature-ignored' && typeof effect.feature !== 'string') throw new DeviationsFileError(`${at}.effect.feature must be a feature name`);
    const v = o.vector as Record<string, unknown> | undefined;
    if (typeof v !== 'object' || v === null || v.suite !== 'paging' || typeof v.input !== 'object' || typeof v.expect !== 'object') {
      throw new DeviationsFileError(`${at}.vector must be a paging vector line`);
    }
    if (ids.has(o.id as string)) throw new DeviationsFileError(`${at}.id '${String(o.id)}' is listed twice`);
    ids.add(o.id as string);
  });
  return list as Deviation[];
}

/** The outcome QEMU shows for `vector` if it has exactly the given deviations. */
export function expectationUnder(vector: Vector, effects: readonly DeviationEffect[]): PermittedOutcome {
  const input = vector.input as unknown as PagingInputJson;
  const model = pagingInputToModel(input);
  let state: PagingState = model.state;
  let access = model.access;
  let recompute = false;
  for (const e of effects) {
    if (e.kind === 'feature-ignored' && !state.cpu.features.has(e.feature)) {
      state = { ...state, cpu: { ...state.cpu, features: new Set([...state.cpu.features, e.feature]) } };
      recompute = true;
    }
    if (e.kind === 'smap-ac-lifts-implicit' && access.implicit && state.regs.cpl < 3
      && (state.regs.cr4.lo & CR4_SMAP) !== 0 && (state.regs.rflags.lo & RFLAGS_AC) !== 0) {
      access = { ...access, implicit: false };
      recompute = true;
    }
  }
  const permitted = permittedOutcome(state, access);
  let expect: PermittedOutcome = recompute ? permitted.expect : expectFromJson(vector.expect as unknown as PagingExpectJson);
  for (const e of effects) {
    if (e.kind === 'rsvd-fault-without-p' && expect.outcome === 'fault' && expect.vector === 14 && (expect.errorCode & PF_RSVD) !== 0) {
      expect = { ...expect, errorCode: expect.errorCode & ~PF_P };
    }
    if (e.kind === 'huge-pdpte-accessed-on-fault' && expect.outcome === 'fault') {
      const step = permitted.result.trace.find((s) => s.level === 3 && (s.entry.lo & P) !== 0 && (s.entry.lo & PS) !== 0);
      if (step !== undefined) expect = { ...expect, memory: allowAccessed(expect.memory, step.entryPa, step.entry.hi, step.entry.lo) };
    }
  }
  return expect;
}

function allowAccessed(memory: readonly MemoryExpectation[], pa: number, hi: number, lo: number): MemoryExpectation[] {
  const withA = u64(hi, lo | A);
  const existing = memory.find((m) => m.pa === pa);
  if (existing === undefined) {
    return [...memory, { pa: pa as MemoryExpectation['pa'], oneOf: [u64(hi, lo), withA] }];
  }
  const extra = existing.oneOf.map((v) => u64(v.hi, v.lo | A));
  return memory.map((m) => (m.pa === pa ? { pa: m.pa, oneOf: [...m.oneOf, ...extra] } : m));
}

/** Differences between QEMU's output and the outcome under `effects`. */
export function diffUnder(vector: Vector, output: JsonObject, effects: readonly DeviationEffect[]): PagingDiff[] {
  const input = vector.input as unknown as PagingInputJson;
  const inputMemory = input.memory.map((q) => ({ pa: hexPa(q.pa), value: hex(q.value) }));
  return judgePaging(inputMemory, expectationUnder(vector, effects), observedFromOutput(output));
}

/**
 * The smallest set of deviations that explains QEMU's disagreeing `output`, or
 * undefined when none does. `diff` is the disagreement against the vector's own
 * expectation (non-empty).
 */
export function matchDeviations(deviations: readonly Deviation[], vector: Vector, output: JsonObject): Deviation[] | undefined {
  const n = deviations.length;
  const subsets: number[] = [];
  for (let mask = 1; mask < 1 << n; mask++) subsets.push(mask);
  subsets.sort((a, b) => popcount(a) - popcount(b) || a - b);
  for (const mask of subsets) {
    const chosen = deviations.filter((_, i) => (mask >> i) & 1);
    try {
      if (diffUnder(vector, output, chosen.map((d) => d.effect)).length === 0) return chosen;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v !== 0; v &= v - 1) c++;
  return c;
}

/** For agreement.ts: the deviation id(s) explaining a disagreement, joined with '+'. */
export function matchDeviation(deviations: readonly Deviation[], vector: Vector, output: JsonObject, diff: readonly PagingDiff[]): { id: string } | undefined {
  if (diff.length === 0) return undefined;
  const found = matchDeviations(deviations, vector, output);
  return found === undefined ? undefined : { id: found.map((d) => d.id).join('+') };
}

let documented: Deviation[] | undefined;

/**
 * For the harness and the fuzzer: the documented deviation(s) explaining a QEMU answer
 * that failed its vector (ids joined with '+'), or undefined when none does or the
 * implementation is not QEMU. Reads spec/deviations/qemu.json once.
 */
export function documentedDeviation(implKind: string, vector: Vector, output: JsonObject): string | undefined {
  if (implKind !== 'qemu' || vector.suite !== 'paging') return undefined;
  documented ??= loadDeviations();
  return matchDeviations(documented, vector, output)?.map((d) => d.id).join('+');
}
