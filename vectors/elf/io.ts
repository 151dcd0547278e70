/**
 * Suite `elf`: the JSON forms of its input, output and expectation, the model's answer
 * and the judge. One vector = an ELF file (base64) and loader options; the answer is the
 * load plan (pages with rights and physical placement, relocations applied, qwords read
 * back at probe addresses) or the refusal with the clauses of its errors.
 *
 * input  {"elf":"<base64>","options":{"profile":"strict","base":"0x0","placement":"allocate","physBase":"0x200000"},
 *         "probes":[{"va":"0x…","clause":"ELF.LOAD.ZERO_TAIL"}]}
 * output {"outcome":"loaded","type":"EXEC","entry":"0x…","pages":[{"va":"0x…","count":1,"pa":"0x…","writable":false,"executable":true}],
 *         "relocations":[{"va":"0x…","value":"0x…"}],"probes":["0x…"]}
 *     or {"outcome":"refused","errors":[{"clause":"ELF.PH.LOAD.OVERLAP","field":"phdr[1].p_vaddr","offset":120}]}
 * expect = the model's output (pages may also carry "relro"; relocations "kind" and "clause"; "warnings" lists clauses).
 */
import { loadElf } from '../../model/elf/load.ts';
import { PROFILES, PROFILE_NAMES, type Placement, type ProfileName } from '../../model/elf/profiles.ts';
import { readVirtual } from '../../model/elf/readback.ts';
import { ELF_CLAUSES } from '../../spec/clauses/elf.ts';
import type { JsonObject, JsonValue } from '../../harness/types.ts';

export interface ElfProbe {
  readonly va: bigint;
  readonly clause: string;
}

export interface ElfCase {
  readonly bytes: Uint8Array;
  readonly profile: ProfileName;
  /** Undefined: the profile's default base. */
  readonly base: bigint | undefined;
  readonly placement: Placement | undefined;
  readonly physBase: number | undefined;
  readonly probes: readonly ElfProbe[];
}

/** A problem with a vector's input, at a JSON path. */
export class ElfInputError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
  }
}

const HEX = /^0[xX][0-9a-fA-F]{1,16}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const CLAUSE_IDS = new Set<string>(ELF_CLAUSES.map((c) => c.id));
const hex = (v: bigint | number): string => '0x' + v.toString(16);

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hexAt(v: JsonValue | undefined, path: string): bigint {
  if (typeof v !== 'string' || !HEX.test(v)) throw new ElfInputError(path, `expected a hex string "0x…" (1–16 digits), got ${JSON.stringify(v)}`);
  return BigInt(v);
}

/** Reads and checks a vector's input; throws `ElfInputError` naming the JSON path of the first problem. */
export function parseElfInput(input: JsonObject, base = '$.input'): ElfCase {
  for (const k of Object.keys(input)) if (!['elf', 'options', 'probes'].includes(k)) throw new ElfInputError(`${base}.${k}`, 'unknown property');
  const elf = input.elf;
  if (typeof elf !== 'string' || elf.length % 4 !== 0 || !BASE64.test(elf)) throw new ElfInputError(`${base}.elf`, 'expected the ELF file as standard base64');
  const bytes = new Uint8Array(Buffer.from(elf, 'base64'));
  const options = input.options ?? {};
  if (!isObject(options)) throw new ElfInputError(`${base}.options`, 'expected an object');
  for (const k of Object.keys(options)) {
    if (!['profile', 'base', 'placement', 'physBase'].includes(k)) throw new ElfInputError(`${base}.options.${k}`, 'unknown option');
  }
  const profile = options.profile ?? 'strict';
  if (typeof profile !== 'string' || !(PROFILE_NAMES as readonly string[]).includes(profile)) {
    throw new ElfInputError(`${base}.options.profile`, `expected one of ${PROFILE_NAMES.join(', ')}`);
  }
  const placement = options.placement;
  if (placement !== undefined && placement !== 'paddr' && placement !== 'allocate') throw new ElfInputError(`${base}.options.placement`, 'expected "paddr" or "allocate"');
  const physBase = options.physBase === undefined ? undefined : hexAt(options.physBase, `${base}.options.physBase`);
  if (physBase !== undefined && (physBase % 4096n !== 0n || physBase >= 1n << 52n)) throw new ElfInputError(`${base}.options.physBase`, 'must be 4-KiB aligned and below 2^52');
  const probesJson = input.probes ?? [];
  if (!Array.isArray(probesJson)) throw new ElfInputError(`${base}.probes`, 'expected an array');
  const probes = probesJson.map((p, i): ElfProbe => {
    const path = `${base}.probes[${i}]`;
    if (!isObject(p)) throw new ElfInputError(path, 'expected {"va":"0x…","clause":"ELF.…"}');
    const clause = p.clause;
    if (typeof clause !== 'string' || !CLAUSE_IDS.has(clause)) throw new ElfInputError(`${path}.clause`, 'expected an ELF clause id');
    return { va: hexAt(p.va, `${path}.va`), clause };
  });
  return {
    bytes,
    profile: profile as ProfileName,
    base: options.base === undefined ? undefined : hexAt(options.base, `${base}.options.base`),
    placement: placement as Placement | undefined,
    physBase: physBase === undefined ? undefined : Number(physBase),
    probes,
  };
}

/** The model's answer to a case, in the x64spec-impl/1 output form (plus the expectation-only details). */
export function elfModelAnswer(c: ElfCase): JsonObject {
  const r = loadElf(c.bytes, {
    profile: PROFILES[c.profile],
    ...(c.base !== undefined ? { base: c.base } : {}),
    ...(c.placement !== undefined ? { placement: c.placement } : {}),
    ...(c.physBase !== undefined ? { physBase: c.physBase } : {}),
  });
  if (!r.ok) {
    return {
      outcome: 'refused',
      errors: r.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ clause: d.clause, field: d.field, offset: d.offset })),
    };
  }
  const probes: JsonValue[] = c.probes.map((p) => {
    const b = readVirtual(r.state, p.va, 8);
    return b === undefined ? null : hex(new DataView(b.buffer).getBigUint64(0, true));
  });
  return {
    outcome: 'loaded',
    type: r.plan.type,
    entry: hex(r.plan.entry),
    pages: r.plan.pages.map((p) => ({ va: hex(p.va), count: p.count, pa: hex(p.pa), writable: p.writable, executable: p.executable, relro: p.relro })),
    relocations: r.plan.relocations.map((x) => ({ va: hex(x.va), value: hex(x.value), kind: x.kind, clause: x.clause })),
    probes,
    warnings: [...new Set(r.plan.warnings.map((w) => w.clause))],
  };
}

/** One difference the judge found (the harness's DiffEntry shape). */
export interface ElfDiff {
  readonly path: string;
  readonly expected: JsonValue;
  readonly observed: JsonValue;
  readonly clause?: string;
}

interface PageFact {
  readonly pa: bigint;
  readonly writable: boolean;
  readonly executable: boolean;
  readonly relro: boolean;
}

/** Expands page ranges into one fact per 4-KiB page (ranges may be split differently on each side). */
function pagesOf(v: JsonValue | undefined, path: string, diffs: ElfDiff[]): Map<bigint, PageFact> | undefined {
  const out = new Map<bigint, PageFact>();
  if (!Array.isArray(v)) {
    diffs.push({ path, expected: 'an array of page ranges', observed: v ?? null });
    return undefined;
  }
  for (const [i, r] of v.entries()) {
    const p = `${path}[${i}]`;
    if (!isObject(r) || typeof r.va !== 'string' || !HEX.test(r.va) || typeof r.pa !== 'string' || !HEX.test(r.pa) ||
      typeof r.count !== 'number' || !Number.isInteger(r.count) || r.count < 1 || r.count > 1 << 20 ||
      typeof r.writable !== 'boolean' || typeof r.executable !== 'boolean') {
      diffs.push({ path: p, expected: '{"va":"0x…","count":n,"pa":"0x…","writable":bool,"executable":bool}', observed: r });
      return undefined;
    }
    for (let k = 0; k < r.count; k++) {
      out.set(BigInt(r.va) + BigInt(k) * 4096n, { pa: BigInt(r.pa) + BigInt(k) * 4096n, writable: r.writable, executable: r.executable, relro: r.relro === true });
    }
  }
  return out;
}

/**
 * Compares an implementation's output with the expectation. Physical addresses are
 * compared only when the case asks for placement at p_paddr; with allocated frames any
 * distinct 4-KiB-aligned frames will do.
 */
export function judgeElf(c: ElfCase, expect: JsonObject, output: JsonObject): ElfDiff[] {
  const diffs: ElfDiff[] = [];
  if (output.outcome !== expect.outcome) {
    const errs = Array.isArray(expect.errors) ? expect.errors : [];
    const first = isObject(errs[0]) && typeof errs[0].clause === 'string' ? errs[0].clause : undefined;
    const d: ElfDiff = { path: '$.outcome', expected: expect.outcome ?? null, observed: output.outcome ?? null };
    return [first === undefined ? d : { ...d, clause: first }];
  }
  if (expect.outcome === 'refused') {
    const allowed = new Set((expect.errors as JsonObject[]).map((e) => e.clause as string));
    const named = Array.isArray(output.errors) ? output.errors.map((e) => (isObject(e) ? e.clause : e)).filter((x): x is string => typeof x === 'string') : [];
    if (named.length > 0 && !named.some((n) => allowed.has(n))) {
      diffs.push({ path: '$.errors', expected: [...allowed], observed: named, clause: [...allowed][0]! });
    }
    return diffs;
  }
  if (output.entry !== expect.entry && !(typeof output.entry === 'string' && HEX.test(output.entry) && BigInt(output.entry) === BigInt(expect.entry as string))) {
    diffs.push({ path: '$.entry', expected: expect.entry ?? null, observed: output.entry ?? null, clause: 'ELF.ENTRY.EXECUTABLE' });
  }
  judgePages(c, expect, output, diffs);
  judgeRelocations(expect, output, diffs);
  const want = (expect.probes ?? []) as JsonValue[];
  const got = output.probes;
  c.probes.forEach((p, i) => {
    const o = Array.isArray(got) ? got[i] : undefined;
    const same = typeof o === 'string' && HEX.test(o) && typeof want[i] === 'string' && BigInt(o) === BigInt(want[i] as string);
    if (!same && !(o === null && want[i] === null)) diffs.push({ path: `$.probes[${i}]`, expected: want[i] ?? null, observed: o ?? null, clause: p.clause });
  });
  return diffs;
}

function judgePages(c: ElfCase, expect: JsonObject, output: JsonObject, diffs: ElfDiff[]): void {
  const want = pagesOf(expect.pages, '$.pages', [])!;
  const got = pagesOf(output.pages, '$.pages', diffs);
  if (got === undefined) return;
  const paddr = (c.placement ?? PROFILES[c.profile].placement) === 'paddr';
  const frames = new Map<bigint, bigint>();
  for (const [va, w] of want) {
    const g = got.get(va);
    const path = `$.pages[va=${hex(va)}]`;
    if (g === undefined) {
      diffs.push({ path, expected: 'mapped', observed: 'not mapped', clause: 'ELF.LOAD.ONLY_SEGMENTS' });
      continue;
    }
    if (g.writable !== w.writable || g.executable !== w.executable) {
      diffs.push({ path, expected: { writable: w.writable, executable: w.executable }, observed: { writable: g.writable, executable: g.executable },
        clause: w.relro && g.writable ? 'ELF.LOAD.RELRO_READONLY' : 'ELF.LOAD.RIGHTS' });
    }
    if (paddr && g.pa !== w.pa) diffs.push({ path: `${path}.pa`, expected: hex(w.pa), observed: hex(g.pa), clause: 'ELF.LOAD.PADDR' });
    if (!paddr) {
      const other = frames.get(g.pa);
      if (g.pa % 4096n !== 0n || other !== undefined) {
        diffs.push({ path: `${path}.pa`, expected: 'a 4-KiB frame of its own', observed: hex(g.pa), clause: 'ELF.LOAD.ONLY_SEGMENTS' });
      }
      frames.set(g.pa, va);
    }
  }
  for (const va of got.keys()) {
    if (!want.has(va)) diffs.push({ path: `$.pages[va=${hex(va)}]`, expected: 'not mapped', observed: 'mapped', clause: 'ELF.LOAD.ONLY_SEGMENTS' });
  }
}

function judgeRelocations(expect: JsonObject, output: JsonObject, diffs: ElfDiff[]): void {
  const want = new Map<string, JsonObject>();
  for (const r of expect.relocations as JsonObject[]) want.set(BigInt(r.va as string).toString(16), r);
  const got = new Map<string, string>();
  const list = output.relocations;
  if (!Array.isArray(list)) {
    diffs.push({ path: '$.relocations', expected: 'an array of {"va","value"}', observed: list ?? null });
    return;
  }
  for (const [i, r] of list.entries()) {
    if (!isObject(r) || typeof r.va !== 'string' || !HEX.test(r.va) || typeof r.value !== 'string' || !HEX.test(r.value)) {
      diffs.push({ path: `$.relocations[${i}]`, expected: '{"va":"0x…","value":"0x…"}', observed: r });
      return;
    }
    got.set(BigInt(r.va).toString(16), BigInt(r.value).toString(16));
  }
  for (const [va, w] of want) {
    const g = got.get(va);
    const value = BigInt(w.value as string).toString(16);
    if (g !== value) diffs.push({ path: `$.relocations[va=0x${va}]`, expected: w.value ?? null, observed: g === undefined ? null : '0x' + g, clause: w.clause as string });
  }
  for (const va of got.keys()) {
    if (!want.has(va)) diffs.push({ path: `$.relocations[va=0x${va}]`, expected: null, observed: '0x' + got.get(va)!, clause: 'ELF.RELOC.TYPE_SUPPORTED' });
  }
}
