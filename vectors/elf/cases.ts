/**
 * The `elf` corpus: which images, options and probes each vector holds. Synthetic images
 * (built with model/elf/synth.ts) cover every ELF.* rule; the gcc-built test kernels
 * (model/elf/testdata) cover real toolchain output. `buildVector` derives the
 * expectation from the model.
 */
import { PROFILES, type Placement, type ProfileName } from '../../model/elf/profiles.ts';
import { planLoad } from '../../model/elf/plan.ts';
import { synthElf, type PhSpec } from '../../model/elf/synth.ts';
import { SLOTS, pieImage } from '../../model/elf/testdata/pie.ts';
import {
  DT_JMPREL, DT_NEEDED, DT_REL, DT_RELA, DT_RELAENT, DT_RELASZ, DT_RELR, DT_RELRSZ, DT_SYMTAB, DT_SYMENT,
  PT_GNU_RELRO, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_NOTE, PT_PHDR, PT_TLS, R_X86_64_64, R_X86_64_RELATIVE,
} from '../../model/elf/types.ts';
import type { JsonObject, Vector } from '../../harness/types.ts';
import { elfModelAnswer, type ElfProbe } from './io.ts';

export interface ElfVectorCase {
  readonly id: string;
  readonly title: string;
  readonly bytes: Uint8Array;
  readonly profile?: ProfileName;
  readonly base?: bigint;
  readonly placement?: Placement;
  /** Clauses the case is about, beyond those the outcome names. */
  readonly clauses?: readonly string[];
}

const hex = (v: bigint | number): string => '0x' + v.toString(16);

/** Probes: each segment's first and last file qword, a qword in its zero tail, and every relocated slot. */
function probesFor(c: ElfVectorCase): ElfProbe[] {
  const r = planLoad(c.bytes, { profile: PROFILES[c.profile ?? 'strict'], ...(c.base !== undefined ? { base: c.base } : {}), ...(c.placement ? { placement: c.placement } : {}) });
  if (!r.ok) return [];
  const probes: ElfProbe[] = [];
  for (const s of r.plan.segments) {
    if (s.memsz < 8n) continue;
    if (s.filesz >= 8n) probes.push({ va: s.vaddr, clause: 'ELF.LOAD.FILE_BYTES' }, { va: s.vaddr + s.filesz - 8n, clause: 'ELF.LOAD.FILE_BYTES' });
    if (s.memsz - s.filesz >= 8n) {
      const firstZero = s.vaddr + s.filesz;
      probes.push({ va: firstZero, clause: 'ELF.LOAD.ZERO_TAIL' }, { va: s.vaddr + s.memsz - 8n, clause: 'ELF.LOAD.ZERO_TAIL' });
    }
  }
  for (const rel of r.plan.relocations.slice(0, 24)) probes.push({ va: rel.va, clause: rel.clause });
  return probes;
}

/** The vector for a case: input from the case, expectation from the model. */
export function buildVector(c: ElfVectorCase): Vector {
  const probes = probesFor(c);
  const options: JsonObject = { profile: c.profile ?? 'strict' };
  if (c.base !== undefined) options.base = hex(c.base);
  if (c.placement !== undefined) options.placement = c.placement;
  const input: JsonObject = {
    elf: Buffer.from(c.bytes).toString('base64'),
    options,
    probes: probes.map((p) => ({ va: hex(p.va), clause: p.clause })),
  };
  const expect = elfModelAnswer({ bytes: c.bytes, profile: c.profile ?? 'strict', base: c.base, placement: c.placement, physBase: undefined, probes });
  const clauses = new Set<string>(c.clauses ?? []);
  if (expect.outcome === 'refused') {
    for (const e of expect.errors as JsonObject[]) clauses.add(e.clause as string);
  } else {
    ['ELF.LOAD.FILE_BYTES', 'ELF.LOAD.RIGHTS', 'ELF.LOAD.ONLY_SEGMENTS'].forEach((x) => clauses.add(x));
    for (const p of probes) clauses.add(p.clause);
    for (const w of expect.warnings as string[]) clauses.add(w);
    if ((expect.pages as JsonObject[]).some((p) => p.relro === true)) clauses.add('ELF.LOAD.RELRO_READONLY');
    if ((c.placement ?? PROFILES[c.profile ?? 'strict'].placement) === 'paddr') clauses.add('ELF.LOAD.PADDR');
    if (expect.type === 'DYN' && (expect.relocations as JsonObject[]).length > 0) clauses.add('ELF.LOAD.BASE_ALIGN');
    if (c.profile === 'limine') clauses.add('ELF.KERNEL.HIGHER_HALF');
  }
  return { id: c.id, suite: 'elf', title: c.title, clauses: [...clauses].sort(), input, expect };
}

// ── Synthetic images ───────────────────────────────────────────────────────────────

const K = 0xffffffff80000000n;
const text = (vaddr = K, extra: Partial<PhSpec> = {}): PhSpec => ({ type: PT_LOAD, flags: 5, vaddr, paddr: vaddr - K + 0x100000n, data: fill(0x60, 0x90), ...extra });
const data = (vaddr = K + 0x1000n, extra: Partial<PhSpec> = {}): PhSpec => ({ type: PT_LOAD, flags: 6, vaddr, paddr: vaddr - K + 0x100000n, data: fill(0x48, 0x11), memsz: 0x2100n, ...extra });
const kernel = (phdrs: PhSpec[] = [text(), data()], entry = K): Uint8Array => synthElf({ phdrs, entry });

function fill(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (seed + i * 37) & 0xff;
  return b;
}

function patched(bytes: Uint8Array, edits: readonly [number, 1 | 2 | 4 | 8, bigint | number][]): Uint8Array {
  const b = bytes.slice();
  const v = new DataView(b.buffer);
  for (const [at, size, value] of edits) {
    if (size === 1) v.setUint8(at, Number(value));
    else if (size === 2) v.setUint16(at, Number(value), true);
    else if (size === 4) v.setUint32(at, Number(value), true);
    else v.setBigUint64(at, BigInt(value), true);
  }
  return b;
}

const PH = (i: number, off: number): number => 64 + i * 56 + off;
const withXnum = (): Uint8Array => {
  const b = kernel();
  const out = new Uint8Array(b.length + 64);
  out.set(b);
  const v = new DataView(out.buffer);
  v.setUint16(56, 0xffff, true);
  v.setBigUint64(40, BigInt(b.length), true);
  v.setUint32(b.length + 44, 2, true);
  return out;
};
const relaTables: [bigint, bigint][] = [[DT_RELA, SLOTS - 0x300n], [DT_RELASZ, 24n], [DT_RELAENT, 24n]];
const symbols = [{ value: 0n, shndx: 0, bind: 0 }, { value: 0x1008n, shndx: 1, bind: 1 }, { value: 0n, shndx: 0, bind: 1 }, { value: 0n, shndx: 0, bind: 2 }];

export function syntheticCases(): ElfVectorCase[] {
  const k = kernel();
  return [
    // Loads
    { id: 'elf-load-higher-half', title: 'higher-half kernel, text RX and data RW with .bss tail', bytes: k },
    { id: 'elf-load-paddr', title: 'the same placed at p_paddr (1 MiB)', bytes: k, placement: 'paddr' },
    { id: 'elf-load-grub', title: 'GRUB profile places ET_EXEC at p_paddr', bytes: k, profile: 'grub' },
    { id: 'elf-load-partial-page-tail', title: '.bss starts mid-page after 0x20 file bytes; the file holds other bytes after them, yet the page rest reads zero', bytes: kernel([text(), data(K + 0x1000n, { filesz: 0x20n, memsz: 0x1000n })]) },
    { id: 'elf-load-shared-union', title: 'code and data share a page; rust-osdev maps the union with a warning', bytes: kernel([text(), data(K + 0x800n)]), profile: 'rust-osdev' },
    { id: 'elf-load-low-small-model', title: 'lower-half kernel at 1 MiB (small code model) under strict', bytes: kernel([text(0x100000n), data(0x101000n)], 0x100000n) },
    { id: 'elf-load-interp-ignored', title: 'PT_INTERP before PT_LOAD is reported and ignored', bytes: kernel([{ type: PT_INTERP }, text(), data()]) },
    { id: 'elf-load-phdr', title: 'PT_PHDR inside the data segment is fine', bytes: kernel([{ type: PT_PHDR, within: { entry: 2, at: 0 }, filesz: 8n }, text(), data()]), clauses: ['ELF.PH.PHDR.PLACEMENT'] },
    { id: 'elf-load-tls', title: 'PT_TLS is reported: the loader does not build the TLS block', bytes: kernel([text(), data(), { type: PT_TLS, within: { entry: 1, at: 0 }, filesz: 8n, memsz: 16n }]) },
    { id: 'elf-load-gnu-stack-x', title: 'PT_GNU_STACK asks for an executable stack', bytes: kernel([text(), data(), { type: PT_GNU_STACK, flags: 7 }]) },
    { id: 'elf-load-code-model', title: 'segments outside both 2-GiB code-model windows', bytes: kernel([text(0x1000_0000_0000n), data(0x1000_0000_1000n, { paddr: 0x200000n })], 0x1000_0000_0000n) },
    { id: 'elf-load-ehsize', title: 'odd e_ehsize is a warning', bytes: patched(k, [[52, 2, 52]]) },
    { id: 'elf-load-xnum', title: 'PN_XNUM: the program-header count comes from section header 0', bytes: withXnum(), clauses: ['ELF.HDR.PHNUM_XNUM'] },
    { id: 'elf-load-unsorted-limine', title: 'unsorted PT_LOADs are a warning under limine', bytes: kernel([data(K + 0x4000n), text()]), profile: 'limine' },
    { id: 'elf-load-exec-relocs-left', title: 'relocations left in an ET_EXEC are not applied', bytes: patched(pieImage({ rela: [{ offset: SLOTS, type: R_X86_64_RELATIVE, addend: 8n }] }), [[16, 2, 2]]) },
    // PIE
    ...[0n, 0xffffffff80000000n, 0x7f00_0000_0000n].map((base, i): ElfVectorCase => ({
      id: `elf-pie-${i}`, title: `PIE with RELATIVE, R_X86_64_64 (defined and weak symbols) and RELR at base ${hex(base)}`, base,
      bytes: pieImage({
        symbols,
        rela: [{ offset: SLOTS, type: R_X86_64_RELATIVE, addend: 0x1000n }, { offset: SLOTS + 8n, type: R_X86_64_64, sym: 1, addend: 0x10n },
          { offset: SLOTS + 16n, type: R_X86_64_64, sym: 3, addend: 0x20n }, { offset: SLOTS + 24n, type: 0, addend: 0n }],
        relr: [SLOTS + 32n, 0b1011n],
        slots: [0n, 0n, 0n, 0n, 0x2000n, 0x1010n, 0n, 0x3000n],
        relro: true,
        bss: 0x1800n,
      }),
      clauses: ['ELF.RELOC.SYMBOL'],
    })),
    // Refusals, one per rule
    { id: 'elf-bad-truncated', title: 'a file shorter than the ELF header', bytes: k.subarray(0, 40) },
    { id: 'elf-bad-magic', title: 'not ELF magic', bytes: patched(k, [[1, 1, 0x41]]) },
    { id: 'elf-bad-class', title: 'ELFCLASS32', bytes: patched(k, [[4, 1, 1]]) },
    { id: 'elf-bad-data', title: 'big-endian', bytes: patched(k, [[5, 1, 2]]) },
    { id: 'elf-bad-version', title: 'e_version 0', bytes: patched(k, [[20, 4, 0]]) },
    { id: 'elf-bad-machine', title: 'e_machine is i386', bytes: patched(k, [[18, 2, 3]]) },
    { id: 'elf-bad-type-rel', title: 'a relocatable object', bytes: patched(k, [[16, 2, 1]]) },
    { id: 'elf-bad-type-grub-dyn', title: 'GRUB profile refuses ET_DYN', bytes: pieImage(), profile: 'grub' },
    { id: 'elf-bad-phentsize', title: 'e_phentsize 32', bytes: patched(k, [[54, 2, 32]]) },
    { id: 'elf-bad-pht', title: 'program-header table past the end of the file', bytes: patched(k, [[32, 8, 0xffff_0000n]]) },
    { id: 'elf-bad-xnum', title: 'PN_XNUM without section header 0', bytes: patched(k, [[56, 2, 0xffff]]) },
    { id: 'elf-bad-no-load', title: 'no PT_LOAD', bytes: synthElf({ phdrs: [{ type: PT_NOTE }] }) },
    { id: 'elf-bad-filesz', title: 'p_filesz larger than p_memsz', bytes: kernel([text(K, { memsz: 0x10n }), data()]) },
    { id: 'elf-bad-file-range', title: 'segment bytes past the end of the file', bytes: patched(k, [[PH(1, 8), 8, 0x7fff_0000n]]) },
    { id: 'elf-bad-addr-wrap', title: 'p_vaddr + p_memsz wraps past 2^64', bytes: kernel([text(0xffff_ffff_ffff_f000n, { memsz: 0x2000n, paddr: 0x100000n })], 0xffff_ffff_ffff_f000n) },
    { id: 'elf-bad-noncanonical', title: 'segment straddles the non-canonical hole', bytes: kernel([text(0x7fff_ffff_f000n, { memsz: 0x2000n, paddr: 0x100000n })], 0x7fff_ffff_f000n) },
    { id: 'elf-bad-align-pow2', title: 'p_align 0x3000', bytes: kernel([text(K, { align: 0x3000n }), data()]) },
    { id: 'elf-bad-congruent', title: 'p_offset not congruent to p_vaddr', bytes: kernel([text(), data(K + 0x1000n, { offset: 0x110n })]) },
    { id: 'elf-bad-unsorted', title: 'PT_LOADs out of order under strict', bytes: kernel([data(K + 0x4000n), text()]) },
    { id: 'elf-bad-overlap', title: 'two PT_LOADs overlap', bytes: kernel([text(K, { memsz: 0x1800n }), data()]) },
    { id: 'elf-bad-shared-strict', title: 'pages shared with different rights under strict', bytes: kernel([text(), data(K + 0x800n)]) },
    { id: 'elf-bad-relro', title: 'PT_GNU_RELRO over the read-only text', bytes: kernel([text(), data(), { type: PT_GNU_RELRO, within: { entry: 0, at: 0 } }]) },
    { id: 'elf-bad-tls', title: 'PT_TLS with p_filesz > p_memsz', bytes: kernel([text(), data(), { type: PT_TLS, within: { entry: 1, at: 0 }, filesz: 16n, memsz: 8n }]) },
    { id: 'elf-bad-entry', title: 'entry point in the data segment', bytes: kernel(undefined, K + 0x1000n) },
    { id: 'elf-bad-limine-low', title: 'limine refuses a lower-half ET_EXEC', bytes: kernel([text(0x100000n), data(0x101000n)], 0x100000n), profile: 'limine' },
    { id: 'elf-bad-limine-pie-low', title: 'limine refuses a PIE placed below the top 2 GiB by an explicit base', bytes: pieImage(), profile: 'limine', base: 0x4000_0000n },
    { id: 'elf-bad-paddr-congruent', title: 'p_paddr not congruent to p_vaddr modulo 4 KiB', bytes: kernel([text(K, { paddr: 0x100010n }), data()]), placement: 'paddr' },
    { id: 'elf-bad-size-limit', title: 'p_memsz of 1 TiB', bytes: kernel([text(0x100000n), data(0x200000n, { memsz: 1n << 40n })], 0x100000n) },
    { id: 'elf-bad-exec-base', title: 'an ET_EXEC cannot be moved', bytes: k, base: 0x200000n },
    { id: 'elf-bad-base-align', title: 'PIE base not 4-KiB aligned', bytes: pieImage(), base: 0x1800n },
    { id: 'elf-bad-dyn-in-load', title: 'PT_DYNAMIC outside every PT_LOAD', bytes: patched(pieImage(), [[PH(2, 16), 8, 0x9000n]]) },
    { id: 'elf-bad-dyn-addr', title: 'DT_RELA points outside the file bytes', bytes: pieImage({ dynamic: [[DT_RELA, 0x9000n], [DT_RELASZ, 24n], [DT_RELAENT, 24n]] }) },
    { id: 'elf-bad-dyn-rela', title: 'DT_RELA without DT_RELASZ', bytes: pieImage({ dynamic: [[DT_RELA, SLOTS - 0x300n], [DT_RELAENT, 24n]] }) },
    { id: 'elf-bad-dyn-relr', title: 'DT_RELRSZ without DT_RELR', bytes: pieImage({ dynamic: [[DT_RELRSZ, 8n]] }) },
    { id: 'elf-bad-dyn-rel', title: 'a DT_REL table', bytes: pieImage({ extraDynamic: [[DT_REL, 0n]] }) },
    { id: 'elf-bad-dyn-plt', title: 'PLT relocations', bytes: pieImage({ extraDynamic: [[DT_JMPREL, 0n]] }) },
    { id: 'elf-bad-dyn-needed', title: 'a shared-library dependency', bytes: pieImage({ extraDynamic: [[DT_NEEDED, 1n]] }) },
    { id: 'elf-bad-reloc-type', title: 'R_X86_64_GLOB_DAT', bytes: pieImage({ rela: [{ offset: SLOTS, type: 6, addend: 0n }] }) },
    { id: 'elf-bad-reloc-symbol', title: 'R_X86_64_64 against an undefined global symbol', bytes: pieImage({ symbols, rela: [{ offset: SLOTS, type: R_X86_64_64, sym: 2, addend: 0n }] }) },
    { id: 'elf-bad-reloc-nosymtab', title: 'R_X86_64_64 with no DT_SYMTAB', bytes: pieImage({ dynamic: relaTables, rela: [{ offset: SLOTS, type: R_X86_64_64, sym: 1, addend: 0n }] }) },
    { id: 'elf-bad-reloc-target', title: 'relocation target outside the image', bytes: pieImage({ rela: [{ offset: 0x9000n, type: R_X86_64_RELATIVE, addend: 0n }] }) },
    { id: 'elf-bad-relr-target', title: 'RELR target outside the image', bytes: pieImage({ relr: [0x9000n] }), clauses: ['ELF.RELOC.RELR'] },
    { id: 'elf-bad-syment', title: 'DT_SYMENT 16', bytes: pieImage({ dynamic: [...relaTables, [DT_SYMTAB, SLOTS - 0x200n], [DT_SYMENT, 16n]], rela: [{ offset: SLOTS, type: R_X86_64_64, sym: 1, addend: 0n }] }) },
    { id: 'elf-bad-relr-size', title: 'DT_RELR with a size not a multiple of 8', bytes: pieImage({ dynamic: [[DT_RELR, SLOTS - 0x100n], [DT_RELRSZ, 12n], [37n, 8n]] }) },
  ];
}

/** The gcc-built kernels (model/elf/testdata) under the loader choices a kernel author meets. */
export function kernelCases(kernel: (name: 'higher-half' | 'pml4-511' | 'static-pie' | 'static-pie-relr' | 'shared-page' | 'static-pie-exec') => Uint8Array): ElfVectorCase[] {
  return [
    { id: 'elf-gcc-higher-half', title: 'gcc kernel linked at 0xffffffff80100000 with AT() (p_paddr 1 MiB), strict', bytes: kernel('higher-half') },
    { id: 'elf-gcc-higher-half-paddr', title: 'the same placed at p_paddr', bytes: kernel('higher-half'), placement: 'paddr' },
    { id: 'elf-gcc-higher-half-grub', title: 'the same under the GRUB profile', bytes: kernel('higher-half'), profile: 'grub' },
    { id: 'elf-gcc-higher-half-limine', title: 'the same under the limine profile', bytes: kernel('higher-half'), profile: 'limine' },
    { id: 'elf-gcc-static-pie-limine', title: 'gcc -static-pie kernel under limine: slid to 0xffffffff80000000 by default', bytes: kernel('static-pie'), profile: 'limine' },
    { id: 'elf-gcc-pml4-511-limine', title: 'limine refuses the 0xffffff8000000000 layout (below the top 2 GiB)', bytes: kernel('pml4-511'), profile: 'limine' },
    { id: 'elf-gcc-pml4-511', title: 'gcc kernel at 0xffffff8000000000 (large code model)', bytes: kernel('pml4-511') },
    { id: 'elf-gcc-pml4-511-paddr', title: 'the 0xffffff8000000000 kernel placed at p_paddr', bytes: kernel('pml4-511'), placement: 'paddr' },
    ...[0n, 0xffffffff80000000n, 0x5555_5555_4000n].map((base, i): ElfVectorCase => ({
      id: `elf-gcc-static-pie-${i}`, title: `gcc -static-pie kernel (RELATIVE) at base ${hex(base)}`, bytes: kernel('static-pie'), base,
    })),
    ...[0n, 0xffff_c000_0000_0000n].map((base, i): ElfVectorCase => ({
      id: `elf-gcc-static-pie-relr-${i}`, title: `gcc -static-pie -z pack-relative-relocs kernel (RELR) at base ${hex(base)}`, bytes: kernel('static-pie-relr'), base,
    })),
    { id: 'elf-gcc-static-pie-exec', title: 'gcc -static-pie -Ttext-segment=0xffffffff80000000: ET_EXEC with PT_DYNAMIC, relocations left unapplied', bytes: kernel('static-pie-exec') },
    { id: 'elf-gcc-shared-page-strict', title: 'gcc kernel whose code and data share a page, strict', bytes: kernel('shared-page') },
    { id: 'elf-gcc-shared-page-union', title: 'the shared-page kernel under rust-osdev (union of rights)', bytes: kernel('shared-page'), profile: 'rust-osdev' },
    { id: 'elf-gcc-shared-page-paddr', title: 'the shared-page kernel placed at p_paddr (one physical page)', bytes: kernel('shared-page'), profile: 'rust-osdev', placement: 'paddr' },
  ];
}

/** One JSON Lines file's text for a list of cases. */
export function corpusText(cases: readonly ElfVectorCase[]): string {
  return cases.map((c) => JSON.stringify(buildVector(c))).join('\n') + '\n';
}
