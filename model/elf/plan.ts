import { Findings, type Diagnostic } from './diagnostics.ts';
import { readDynamic } from './dynamic.ts';
import { hex } from './errors.ts';
import { PAGE, TWO64, loadSegments, rightsOf } from './layout.ts';
import { parseElf } from './parse.ts';
import { PROFILES, type LoaderProfile, type Placement } from './profiles.ts';
import { applicableRelocations, type AppliedRelocation } from './relocate.ts';
import { ET_DYN, PT_GNU_RELRO, PT_LOAD, type DynamicInfo, type ElfFile } from './types.ts';
import { validate } from './validate.ts';

/** How to load: the loader profile and the choices it leaves open. */
export interface LoadOptions {
  readonly profile?: LoaderProfile;
  /** Load base for ET_DYN images (default: the profile's `defaultBase`, else 0); must be 0 for ET_EXEC. */
  readonly base?: bigint;
  /** Overrides the profile's placement. */
  readonly placement?: Placement;
  /** First physical address of allocated frames (placement `allocate`); default 2 MiB. */
  readonly physBase?: number;
  /** The most 4-KiB pages the load may map (ELF.LOAD.SIZE_LIMIT); default 65,536 (256 MiB). */
  readonly maxPages?: number;
  /** The most PT_LOAD entries the loader handles (ELF.LOAD.SIZE_LIMIT); default 1,024. */
  readonly maxSegments?: number;
}

/** One loaded segment: where it sits once loaded. */
export interface PlannedSegment {
  /** Index in the program-header table. */
  readonly index: number;
  /** Virtual address of its first byte (p_vaddr + base). */
  readonly vaddr: bigint;
  readonly memsz: bigint;
  readonly filesz: bigint;
  readonly offset: bigint;
  /** Physical address of its first byte. */
  readonly paddr: number;
  readonly writable: boolean;
  readonly executable: boolean;
}

/** A run of consecutive 4-KiB pages with the same rights, at consecutive physical frames. */
export interface PageRange {
  readonly va: bigint;
  readonly count: number;
  readonly pa: number;
  /** Final rights (after RELRO). */
  readonly writable: boolean;
  readonly executable: boolean;
  /** The pages lie inside PT_GNU_RELRO and were made read-only after relocation (ELF.LOAD.RELRO_READONLY). */
  readonly relro: boolean;
  /** Program-header indexes of the segments that touch these pages. */
  readonly segments: readonly number[];
}

/** Where everything goes: the answer of a loader, before any byte is written. */
export interface LoadPlan {
  readonly type: 'EXEC' | 'DYN';
  readonly base: bigint;
  readonly entry: bigint;
  readonly placement: Placement;
  readonly segments: readonly PlannedSegment[];
  readonly pages: readonly PageRange[];
  readonly relocations: readonly AppliedRelocation[];
  /** Warnings (no errors: a plan exists only when there were none). */
  readonly warnings: readonly Diagnostic[];
}

export type PlanResult =
  | { readonly ok: true; readonly file: ElfFile; readonly dynamic: DynamicInfo | undefined; readonly plan: LoadPlan }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export const DEFAULT_PHYS_BASE = 0x20_0000;
export const DEFAULT_MAX_PAGES = 65_536;
export const DEFAULT_MAX_SEGMENTS = 1024;

/**
 * Parses, validates and plans the load of an ELF image under a profile. Either a plan
 * (with the warnings) or every diagnostic, at least one of them an error. Never throws on
 * any input bytes.
 */
export function planLoad(bytes: Uint8Array, options: LoadOptions = {}): PlanResult {
  const profile = options.profile ?? PROFILES.strict;
  const placement = options.placement ?? profile.placement;
  const f = new Findings(profile);
  const parsed = parseElf(bytes);
  if (!parsed.ok) {
    f.addError(parsed.error);
    return { ok: false, diagnostics: f.list };
  }
  const file = parsed.value;
  const base = options.base ?? (file.header.type === ET_DYN ? profile.defaultBase ?? 0n : 0n);
  // Checked first: the layout checks compare segments pairwise, so their count bounds the work.
  const loadCount = file.programHeaders.filter((p) => p.type === PT_LOAD).length;
  const maxSegments = options.maxSegments ?? DEFAULT_MAX_SEGMENTS;
  if (loadCount > maxSegments) {
    f.add('ELF.LOAD.SIZE_LIMIT', 'e_phnum', 56, `the image has ${loadCount} PT_LOAD segments; the loader handles at most ${maxSegments}`);
    return { ok: false, diagnostics: f.list };
  }
  const dyn = readDynamic(file);
  if (!dyn.ok) f.addError(dyn.error);
  const dynamic = dyn.ok ? dyn.value : undefined;
  f.list.push(...validate(file, dynamic, { profile, base, placement }));
  const pageCount = loadSegments(file).reduce((n, l) => n + Number(pagesOf(l.vaddr + base, l.memsz)), 0);
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  if (!f.hasErrors && pageCount > maxPages) {
    f.add('ELF.LOAD.SIZE_LIMIT', 'p_memsz', 0, `the segments need ${pageCount} pages; the loader maps at most ${maxPages}`);
  }
  if (f.hasErrors) return { ok: false, diagnostics: f.list };
  const isDyn = file.header.type === ET_DYN;
  const effectiveBase = isDyn ? base : 0n;
  const pages = pageRanges(file, effectiveBase, placement, options.physBase ?? DEFAULT_PHYS_BASE, f);
  if (f.hasErrors) return { ok: false, diagnostics: f.list };
  const segments = loadSegments(file).map((l): PlannedSegment => {
    const vaddr = l.vaddr + effectiveBase;
    return { index: l.index, vaddr, memsz: l.memsz, filesz: l.filesz, offset: l.offset, paddr: physOf(pages, vaddr)!, ...rightsOf(l) };
  });
  const plan: LoadPlan = {
    type: isDyn ? 'DYN' : 'EXEC',
    base: effectiveBase,
    entry: (file.header.entry + effectiveBase) % TWO64,
    placement,
    segments,
    pages,
    relocations: isDyn && dynamic !== undefined ? applicableRelocations(file, dynamic, effectiveBase) : [],
    warnings: f.list,
  };
  return { ok: true, file, dynamic, plan };
}

function pagesOf(start: bigint, size: bigint): bigint {
  return (start + size - 1n) / PAGE - start / PAGE + 1n;
}

/** The physical address backing virtual `va` under the plan's pages, or undefined when unmapped. */
export function physOf(pages: readonly PageRange[], va: bigint): number | undefined {
  for (const r of pages) {
    if (va >= r.va && va < r.va + BigInt(r.count) * PAGE) return r.pa + Number(va - r.va);
  }
  return undefined;
}

/**
 * Splits the pages the segments touch into ranges of equal rights (ELF.LOAD.RIGHTS,
 * ELF.LOAD.ONLY_SEGMENTS): boundaries fall at the first and last page of each segment and
 * at the RELRO edges, so at most a few ranges per segment exist whatever p_memsz is.
 */
function pageRanges(file: ElfFile, base: bigint, placement: Placement, physBase: number, f: Findings): PageRange[] {
  const loads = loadSegments(file).map((l) => ({ l, first: (l.vaddr + base) / PAGE, end: (l.vaddr + base + l.memsz - 1n) / PAGE + 1n }));
  const relroPh = file.programHeaders.find((p) => p.type === PT_GNU_RELRO);
  // RELRO protects whole pages: the start rounds down, the end rounds down (ELF.LOAD.RELRO_READONLY).
  const relro = relroPh === undefined ? undefined : { first: (relroPh.vaddr + base) / PAGE, end: (relroPh.vaddr + base + relroPh.memsz) / PAGE };
  const cuts = new Set<bigint>();
  for (const s of loads) for (const c of [s.first, s.first + 1n, s.end - 1n, s.end]) cuts.add(c);
  if (relro !== undefined) cuts.add(relro.first).add(relro.end);
  const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: PageRange[] = [];
  let cursor = physBase;
  for (let i = 0; i + 1 < points.length; i++) {
    const p = points[i]!;
    const q = points[i + 1]!;
    const covering = loads.filter((s) => s.first <= p && p < s.end);
    if (covering.length === 0) continue;
    const count = Number(q - p);
    const va = p * PAGE;
    const isRelro = relro !== undefined && p >= relro.first && q <= relro.end;
    const writable = covering.some((s) => rightsOf(s.l).writable) && !isRelro;
    const executable = covering.some((s) => rightsOf(s.l).executable);
    let pa: number;
    if (placement === 'allocate') {
      pa = cursor;
      cursor += count * 4096;
    } else {
      const pas = covering.map((s) => s.l.paddr + (va - (s.l.vaddr + base)));
      pa = Number(pas[0]!);
      if (pas.some((x) => x !== pas[0])) {
        f.add('ELF.LOAD.PADDR', `phdr[${covering[1]!.l.index}].p_paddr`, covering[1]!.l.at + 24,
          `segments ${covering.map((s) => s.l.index).join(' and ')} share the virtual page ${hex(va)} but place it at different physical pages`);
      }
    }
    const segments = covering.map((s) => s.l.index);
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.va + BigInt(prev.count) * PAGE === va && prev.pa + prev.count * 4096 === pa &&
      prev.writable === writable && prev.executable === executable && prev.relro === isRelro && prev.segments.join() === segments.join()) {
      out[out.length - 1] = { ...prev, count: prev.count + count };
    } else {
      out.push({ va, count, pa, writable, executable, relro: isRelro, segments });
    }
  }
  return out;
}
