/**
 * A second ELF loader, written straight from the rules and sharing no code with the
 * model's planner (model/elf/plan.ts, load.ts): it uses only the parser and the dynamic
 * reader, keeps the image as a map of 4-KiB pages, and answers suite `elf` in the
 * x64spec-impl/1 output form. Whether to refuse an image it leaves to the model's
 * validator (`planLoad`); everything it reports for an accepted image is its own.
 *
 * It can also be built with the classic boot-loader bugs switched on (see
 * buggy-loader.ts), which is how the tests show that the `elf` vectors catch them.
 * Run it like any third-party loader:  x64spec run --impl vectors/elf/examples/simple-loader.ts --suite elf
 */
import { readDynamic } from '../../../model/elf/dynamic.ts';
import { parseElf } from '../../../model/elf/parse.ts';
import { planLoad } from '../../../model/elf/plan.ts';
import { PROFILES } from '../../../model/elf/profiles.ts';
import { PF_W, PF_X, PT_GNU_RELRO, PT_LOAD, R_X86_64_64, R_X86_64_RELATIVE } from '../../../model/elf/types.ts';
import type { JsonObject } from '../../../harness/types.ts';
import { parseElfInput } from '../io.ts';

export type Bug =
  /** Copies whole file pages, so bytes after p_filesz on the last file page come from the file (rust-osdev/bootloader #3). */
  | 'copy-whole-pages'
  /** A page shared by two segments keeps the first segment's rights (bootloader #131, Limine #400). */
  | 'first-segment-rights'
  /** Always allocates frames, even when asked to place at p_paddr. */
  | 'ignore-paddr'
  /** Leaves PT_GNU_RELRO writable. */
  | 'no-relro'
  /** Applies R_X86_64_RELATIVE only (Limine #245). */
  | 'relative-only';

const P = 4096n;
const hex = (v: bigint): string => '0x' + v.toString(16);

export function makeLoader(bugs: ReadonlySet<Bug> = new Set()): (input: JsonObject) => JsonObject {
  return (input): JsonObject => {
    const c = parseElfInput(input);
    const placement = c.placement ?? PROFILES[c.profile].placement;
    const verdict = planLoad(c.bytes, { profile: PROFILES[c.profile], ...(c.base !== undefined ? { base: c.base } : {}), placement, ...(c.physBase !== undefined ? { physBase: c.physBase } : {}) });
    if (!verdict.ok) {
      return { outcome: 'refused', errors: verdict.diagnostics.filter((d) => d.severity === 'error').map((d): JsonObject => ({ clause: d.clause })) };
    }
    const parsed = parseElf(c.bytes);
    if (!parsed.ok) throw new Error('accepted by the validator but not parseable');
    const file = parsed.value;
    const dyn = readDynamic(file);
    const isDyn = file.header.type === 3;
    // The base is the profile's policy (its default slide); the model's plan states it.
    const base = isDyn ? verdict.plan.base : 0n;
    const loads = file.programHeaders.filter((p) => p.type === PT_LOAD && p.memsz > 0n);

    // Pages: rights are the union of every segment touching the page (or the first's, with the bug).
    const pages = new Map<bigint, { w: boolean; x: boolean; pa: bigint; bytes: Uint8Array }>();
    let nextFrame = BigInt(c.physBase ?? 0x20_0000);
    const sorted = [...loads].sort((a, b) => (a.vaddr < b.vaddr ? -1 : 1));
    for (const l of sorted) {
      const start = l.vaddr + base;
      for (let va = (start / P) * P; va < start + l.memsz; va += P) {
        const w = (l.flags & PF_W) !== 0;
        const x = (l.flags & PF_X) !== 0;
        const old = pages.get(va);
        if (old !== undefined) {
          if (!bugs.has('first-segment-rights')) {
            old.w ||= w;
            old.x ||= x;
          }
          continue;
        }
        let pa: bigint;
        if (placement === 'paddr' && !bugs.has('ignore-paddr')) pa = l.paddr + (va - start);
        else {
          pa = nextFrame;
          nextFrame += P;
        }
        pages.set(va, { w, x, pa, bytes: new Uint8Array(4096) });
      }
    }
    const write = (va: bigint, byte: number): void => {
      pages.get((va / P) * P)!.bytes[Number(va % P)] = byte;
    };
    for (const l of sorted) {
      const start = l.vaddr + base;
      const count = bugs.has('copy-whole-pages') ? ((l.filesz + (start % P) + P - 1n) / P) * P - (start % P) : l.filesz;
      for (let i = 0n; i < count && i < l.memsz + P; i++) {
        const off = Number(l.offset + i);
        if (off < c.bytes.length && pages.has(((start + i) / P) * P)) write(start + i, c.bytes[off]!);
      }
    }
    const read64 = (va: bigint): bigint | undefined => {
      let v = 0n;
      for (let i = 7n; i >= 0n; i--) {
        const p = pages.get(((va + i) / P) * P);
        if (p === undefined) return undefined;
        v = (v << 8n) | BigInt(p.bytes[Number((va + i) % P)]!);
      }
      return v;
    };
    const write64 = (va: bigint, v: bigint): void => {
      for (let i = 0n; i < 8n; i++) write(va + i, Number((v >> (8n * i)) & 0xffn));
    };

    // Relocations (ET_DYN only), then RELRO.
    const relocations: JsonObject[] = [];
    if (isDyn && dyn.ok && dyn.value !== undefined) {
      const store = (va: bigint, v: bigint): void => {
        const value = BigInt.asUintN(64, v);
        write64(va, value);
        relocations.push({ va: hex(va), value: hex(value) });
      };
      for (const r of dyn.value.rela) {
        if (r.type === R_X86_64_RELATIVE) store(r.offset + base, base + r.addend);
        else if (r.type === R_X86_64_64 && !bugs.has('relative-only')) {
          const s = r.symbol === undefined || r.symbol.shndx === 0 ? 0n : r.symbol.value + base;
          store(r.offset + base, s + r.addend);
        }
      }
      if (!bugs.has('relative-only')) for (const r of dyn.value.relr) store(r.offset + base, read64(r.offset + base)! + base);
    }
    const relro = file.programHeaders.find((p) => p.type === PT_GNU_RELRO);
    if (relro !== undefined && !bugs.has('no-relro')) {
      for (let va = ((relro.vaddr + base) / P) * P; va + P <= relro.vaddr + base + relro.memsz; va += P) {
        const p = pages.get(va);
        if (p !== undefined) p.w = false;
      }
    }

    return {
      outcome: 'loaded',
      type: isDyn ? 'DYN' : 'EXEC',
      entry: hex(file.header.entry + base),
      pages: [...pages].map(([va, p]) => ({ va: hex(va), count: 1, pa: hex(p.pa), writable: p.w, executable: p.x })),
      relocations,
      probes: c.probes.map((p) => {
        const v = read64(p.va);
        return v === undefined ? null : hex(v);
      }),
    };
  };
}

export const implementation = { name: 'x64spec simple ELF loader (example)', version: '1.0.0' };

/** Suite `elf`: the loader without bugs. */
export const elf = makeLoader();
