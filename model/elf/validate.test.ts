// Validation rules under the loader profiles: each check fires on a minimal image and
// is reported with its clause, severity, field and file offset. Clauses: every
// ELF.IDENT/HDR/PH/DYN/RELOC/ENTRY/KERNEL rule and ELF.LOAD.PADDR, ELF.LOAD.BASE_ALIGN,
// ELF.LOAD.SIZE_LIMIT.
import { describe, expect, it } from 'vitest';
import { planLoad, type LoadOptions } from './plan.ts';
import { PROFILES } from './profiles.ts';
import { synthElf, type PhSpec } from './synth.ts';
import { SLOTS, pieImage } from './testdata/pie.ts';
import {
  DT_JMPREL, DT_NEEDED, DT_REL, ET_DYN, PT_DYNAMIC, PT_GNU_RELRO, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_NOTE, PT_PHDR, PT_TLS,
  R_X86_64_64, R_X86_64_RELATIVE,
} from './types.ts';

const text = (vaddr = 0xffffffff80000000n, extra: Partial<PhSpec> = {}): PhSpec => ({ type: PT_LOAD, flags: 5, vaddr, data: new Uint8Array(0x40).fill(0x90), ...extra });
const data = (vaddr = 0xffffffff80001000n, extra: Partial<PhSpec> = {}): PhSpec => ({ type: PT_LOAD, flags: 6, vaddr, data: new Uint8Array(0x40).fill(1), ...extra });
const kernel = (phdrs: PhSpec[] = [text(), data()], entry?: bigint) => synthElf({ phdrs, entry: entry ?? 0xffffffff80000000n });

function findings(bytes: Uint8Array, options: LoadOptions = {}): [string, string][] {
  const r = planLoad(bytes, options);
  return (r.ok ? r.plan.warnings : r.diagnostics).map((d) => [d.clause, d.severity]);
}
function first(bytes: Uint8Array, options: LoadOptions = {}) {
  const r = planLoad(bytes, options);
  const d = r.ok ? r.plan.warnings[0] : r.diagnostics[0];
  if (d === undefined) throw new Error('no finding');
  return d;
}
function patch(bytes: Uint8Array, at: number, size: 1 | 2 | 4 | 8, value: number | bigint): Uint8Array {
  const v = new DataView(bytes.buffer);
  if (size === 1) v.setUint8(at, Number(value));
  else if (size === 2) v.setUint16(at, Number(value), true);
  else if (size === 4) v.setUint32(at, Number(value), true);
  else v.setBigUint64(at, BigInt(value), true);
  return bytes;
}
function messages(bytes: Uint8Array, options: LoadOptions = {}): string[] {
  const r = planLoad(bytes, options);
  return (r.ok ? r.plan.warnings : r.diagnostics).map((d) => d.message);
}
const PH = (i: number, field: number): number => 64 + i * 56 + field;

describe('validation', () => {
  it('a clean higher-half kernel has no findings', () => {
    expect(findings(kernel())).toEqual([]);
  });

  it('header rules: ELF.IDENT.VERSION, ELF.HDR.MACHINE, ELF.HDR.TYPE, ELF.HDR.EHSIZE', () => {
    expect(findings(patch(patch(kernel(), 6, 1, 0), 20, 4, 2))).toEqual([['ELF.IDENT.VERSION', 'error'], ['ELF.IDENT.VERSION', 'error']]);
    expect(first(patch(kernel(), 18, 2, 3))).toMatchObject({ clause: 'ELF.HDR.MACHINE', field: 'e_machine', offset: 18, source: 'gABI ch. 4 "ELF Header" (e_machine); x86-64 psABI §4.1.1' });
    expect(first(patch(kernel(), 16, 2, 1))).toMatchObject({ clause: 'ELF.HDR.TYPE', field: 'e_type', offset: 16 });
    expect(first(pieImage(), { profile: PROFILES.grub })).toMatchObject({ clause: 'ELF.HDR.TYPE', severity: 'error' });
    expect(findings(patch(kernel(), 52, 2, 52))).toEqual([['ELF.HDR.EHSIZE', 'warning']]);
  });

  it('base rules: ELF.RELOC.EXEC_STATIC (base for ET_EXEC, relocations left in ET_EXEC), ELF.LOAD.BASE_ALIGN', () => {
    expect(findings(kernel(), { base: 0x200000n })).toEqual([['ELF.RELOC.EXEC_STATIC', 'error']]);
    const exec = patch(pieImage({ rela: [{ offset: SLOTS, type: R_X86_64_RELATIVE, addend: 0n }] }), 16, 2, 2);
    expect(findings(exec)).toContainEqual(['ELF.RELOC.EXEC_STATIC', 'warning']);
    expect(findings(pieImage(), { base: 0x1800n })).toEqual([['ELF.LOAD.BASE_ALIGN', 'error']]);
    expect(findings(pieImage(), { base: 0x7000_0000_0000n })).toEqual([]);
  });

  it('segment rules: ELF.PH.ALIGN.POWER_OF_TWO, ELF.PH.FILESZ_LE_MEMSZ, ELF.PH.FILE_RANGE, ELF.PH.ALIGN.CONGRUENT', () => {
    expect(first(kernel([text(undefined, { align: 3n }), data()]))).toMatchObject({ clause: 'ELF.PH.ALIGN.POWER_OF_TWO', field: 'phdr[0].p_align', offset: PH(0, 48) });
    expect(first(kernel([text(undefined, { memsz: 0x10n }), data()]))).toMatchObject({ clause: 'ELF.PH.FILESZ_LE_MEMSZ', field: 'phdr[0].p_filesz', offset: PH(0, 32) });
    expect(first(kernel([text(), data(undefined, { offset: 0x7fff_ffffn })]))).toMatchObject({ clause: 'ELF.PH.FILE_RANGE', field: 'phdr[1].p_offset', offset: PH(1, 8) });
    expect(first(kernel([text(), data(undefined, { offset: 0x10n })]))).toMatchObject({ clause: 'ELF.PH.ALIGN.CONGRUENT', field: 'phdr[1].p_vaddr' });
  });

  it('address rules: ELF.PH.ADDR_RANGE (wrap, non-canonical), ELF.PH.LOAD.SORTED, ELF.PH.LOAD.PRESENT, ELF.PH.LOAD.OVERLAP', () => {
    expect(first(kernel([text(0xffff_ffff_ffff_f000n, { memsz: 0x2000n })], 0xffff_ffff_ffff_f000n))).toMatchObject({ clause: 'ELF.PH.ADDR_RANGE', field: 'phdr[0].p_memsz' });
    expect(first(kernel([text(0x7fff_ffff_f000n, { memsz: 0x2000n })], 0x7fff_ffff_f000n))).toMatchObject({ clause: 'ELF.PH.ADDR_RANGE', field: 'phdr[0].p_vaddr' });
    expect(findings(kernel([data(0xffffffff80004000n), text()]))).toEqual([['ELF.PH.LOAD.SORTED', 'error']]);
    expect(findings(kernel([data(0xffffffff80004000n), text()]), { profile: PROFILES.limine })).toEqual([['ELF.PH.LOAD.SORTED', 'warning']]);
    expect(findings(synthElf({ phdrs: [{ type: PT_NOTE }] }))).toEqual([['ELF.PH.LOAD.PRESENT', 'error'], ['ELF.ENTRY.EXECUTABLE', 'error']]);
    expect(first(kernel([text(undefined, { memsz: 0x1800n }), data()]))).toMatchObject({ clause: 'ELF.PH.LOAD.OVERLAP', field: 'phdr[1].p_vaddr' });
  });

  it('ELF.PH.LOAD.PAGE_SHARED: an error under strict and limine, a warning under rust-osdev, not reported under grub', () => {
    const shared = kernel([text(), data(0xffffffff80000800n)]);
    expect(findings(shared)).toEqual([['ELF.PH.LOAD.PAGE_SHARED', 'error']]);
    expect(findings(shared, { profile: PROFILES.limine })).toEqual([['ELF.PH.LOAD.PAGE_SHARED', 'error']]);
    expect(findings(shared, { profile: PROFILES['rust-osdev'] })).toEqual([['ELF.PH.LOAD.PAGE_SHARED', 'warning']]);
    const placed = kernel([text(undefined, { paddr: 0x100000n }), data(0xffffffff80000800n, { paddr: 0x100800n })]);
    expect(findings(placed, { profile: PROFILES.grub })).toEqual([]);
    // Same rights on a shared page is fine.
    expect(findings(kernel([text(), text(0xffffffff80000800n)]))).toEqual([]);
  });

  it('special segments: ELF.PH.INTERP.PLACEMENT, ELF.PH.PHDR.PLACEMENT, ELF.PH.TLS, ELF.PH.GNU_STACK, ELF.PH.GNU_RELRO', () => {
    expect(findings(kernel([{ type: PT_INTERP }, text(), data()]))).toEqual([['ELF.PH.INTERP.PLACEMENT', 'warning']]);
    expect(first(kernel([text(), { type: PT_INTERP }, data()])).message).toMatch(/after a PT_LOAD/);
    expect(findings(kernel([{ type: PT_PHDR, within: { entry: 1, at: 0 }, filesz: 8n }, text(), data()]))).toEqual([]);
    expect(first(kernel([text(), { type: PT_PHDR, within: { entry: 0, at: 0 } }, data()])).message).toMatch(/after a PT_LOAD/);
    expect(first(kernel([{ type: PT_PHDR, vaddr: 0x5000n, memsz: 8n }, text(), data()]))).toMatchObject({ clause: 'ELF.PH.PHDR.PLACEMENT', field: 'phdr[0].p_vaddr' });
    expect(findings(kernel([text(), data(), { type: PT_TLS, within: { entry: 1, at: 0 }, filesz: 8n, memsz: 16n }]))).toEqual([['ELF.PH.TLS', 'warning']]);
    expect(first(kernel([text(), data(), { type: PT_TLS, within: { entry: 1, at: 0 }, filesz: 8n, memsz: 16n }, { type: PT_TLS }])).message).toMatch(/loader does not build/);
    expect(findings(kernel([text(), data(), { type: PT_TLS, within: { entry: 1, at: 0 }, filesz: 8n, memsz: 16n }, { type: PT_TLS, memsz: 0n }])).length).toBe(2);
    expect(first(kernel([text(), data(), { type: PT_TLS, within: { entry: 1, at: 0 }, filesz: 16n, memsz: 8n }]))).toMatchObject({ clause: 'ELF.PH.TLS', severity: 'error' });
    expect(findings(kernel([text(), data(), { type: PT_GNU_STACK, flags: 7 }]))).toEqual([['ELF.PH.GNU_STACK', 'warning']]);
    expect(findings(kernel([text(), data(), { type: PT_GNU_STACK, flags: 6 }]))).toEqual([]);
    expect(findings(kernel([text(), data(), { type: PT_GNU_RELRO, within: { entry: 0, at: 0 } }]))).toEqual([['ELF.PH.GNU_RELRO', 'error']]);
    expect(findings(kernel([text(), data(), { type: PT_GNU_RELRO, within: { entry: 1, at: 0 } }]))).toEqual([]);
  });

  it('dynamic rules: ELF.DYN.IN_LOAD, ELF.DYN.REL, ELF.DYN.PLT, ELF.DYN.NEEDED', () => {
    const outside = pieImage();
    patch(outside, PH(2, 16), 8, 0x9000n); // PT_DYNAMIC's p_vaddr no longer inside a PT_LOAD
    expect(findings(outside)).toEqual([['ELF.DYN.IN_LOAD', 'error']]);
    // DT_NEEDED names the library from DT_STRTAB (here the string table is the slot area).
    const named = pieImage({ slots: [0x6f732e6362696c00n], extraDynamic: [[DT_NEEDED, 1n], [5n, SLOTS]] });
    expect(messages(named)).toEqual(["the image depends on the shared library 'libc.so'"]);
    expect(messages(pieImage({ extraDynamic: [[DT_NEEDED, 1n], [5n, 0x9000n]] }))).toEqual(['the image depends on the shared library at string-table offset 0x1']);
    expect(findings(pieImage({ extraDynamic: [[DT_REL, 0n], [DT_JMPREL, 0n], [DT_NEEDED, 1n]] }))).toEqual([
      ['ELF.DYN.REL', 'error'], ['ELF.DYN.PLT', 'error'], ['ELF.DYN.NEEDED', 'error'],
    ]);
  });

  it('relocation rules: ELF.RELOC.TYPE_SUPPORTED (one finding per type), ELF.RELOC.SYMBOL, ELF.RELOC.TARGET', () => {
    const glob = [{ offset: SLOTS, type: 6, addend: 0n }, { offset: SLOTS + 8n, type: 6, addend: 0n }, { offset: SLOTS, type: 0, addend: 0n }];
    const d = first(pieImage({ rela: glob }));
    expect(d).toMatchObject({ clause: 'ELF.RELOC.TYPE_SUPPORTED', field: 'rela[0].r_info' });
    expect(d.message).toMatch(/R_X86_64_GLOB_DAT \(2 of them\)/);
    expect(first(pieImage({ rela: [{ offset: SLOTS, type: 200, addend: 0n }] })).message).toMatch(/^type 200 \(1 of them\)/);
    const symbols = [{ value: 0n, shndx: 0, bind: 0 }, { value: 0n, shndx: 0, bind: 1 }, { value: 0n, shndx: 0, bind: 2 }];
    expect(findings(pieImage({ symbols, rela: [{ offset: SLOTS, type: R_X86_64_64, sym: 1, addend: 0n }] }))).toEqual([['ELF.RELOC.SYMBOL', 'error']]);
    expect(findings(pieImage({ symbols, rela: [{ offset: SLOTS, type: R_X86_64_64, sym: 2, addend: 0n }] }))).toEqual([]);
    expect(first(pieImage({ rela: [{ offset: 0x9000n, type: R_X86_64_RELATIVE, addend: 0n }] }))).toMatchObject({ clause: 'ELF.RELOC.TARGET', field: 'rela[0].r_offset' });
    expect(first(pieImage({ relr: [0x9000n] }))).toMatchObject({ clause: 'ELF.RELOC.TARGET', field: 'relr[0]' });
  });

  it('ELF.ENTRY.EXECUTABLE: the entry must be in an X segment', () => {
    expect(first(kernel(undefined, 0xffffffff80001000n))).toMatchObject({ clause: 'ELF.ENTRY.EXECUTABLE', field: 'e_entry', offset: 24 });
  });

  it('kernel layout: ELF.KERNEL.CODE_MODEL (strict warns), ELF.KERNEL.HIGHER_HALF (limine refuses lower-half ET_EXEC)', () => {
    const mid = kernel([text(0x1000_0000_0000n), data(0x1000_0000_1000n)], 0x1000_0000_0000n);
    expect(findings(mid)).toEqual([['ELF.KERNEL.CODE_MODEL', 'warning']]);
    const low = kernel([text(0x100000n), data(0x101000n)], 0x100000n);
    expect(findings(low)).toEqual([]);
    expect(first(low, { profile: PROFILES.limine })).toMatchObject({ clause: 'ELF.KERNEL.HIGHER_HALF', severity: 'error', field: 'phdr[0].p_vaddr' });
    // A PIE is slid to 0xffffffff80000000 by default under limine; an explicit low base is refused.
    const slid = planLoad(pieImage(), { profile: PROFILES.limine });
    expect(slid.ok && slid.plan.base).toBe(0xffffffff80000000n);
    expect(findings(pieImage(), { profile: PROFILES.limine, base: 0x4000_0000n })).toEqual([['ELF.KERNEL.HIGHER_HALF', 'error']]);
    expect(findings(kernel([text(0xffff_ff80_0000_0000n), data(0xffff_ff80_0000_1000n)], 0xffff_ff80_0000_0000n), { profile: PROFILES.limine })).toEqual([['ELF.KERNEL.HIGHER_HALF', 'error']]);
  });

  it('ELF.LOAD.PADDR: congruence, the 52-bit limit, physical overlap and a shared page placed twice', () => {
    const p = { placement: 'paddr' } as const;
    expect(first(kernel([text(undefined, { paddr: 0x100010n }), data(undefined, { paddr: 0x200000n })]), p)).toMatchObject({ clause: 'ELF.LOAD.PADDR', field: 'phdr[0].p_paddr' });
    expect(first(kernel([text(undefined, { paddr: 0x10_0000_0000_0000n }), data(undefined, { paddr: 0x200000n })]), p).message).toMatch(/52-bit/);
    expect(first(kernel([text(undefined, { paddr: 0x100000n }), data(undefined, { paddr: 0x100000n })]), p).message).toMatch(/overlap in physical memory/);
    const union = { ...p, profile: PROFILES['rust-osdev'] };
    const twice = kernel([text(undefined, { paddr: 0x100000n }), data(0xffffffff80000800n, { paddr: 0x300800n })]);
    expect(messages(twice, union).join()).toMatch(/different physical pages/);
    expect(findings(kernel([text(undefined, { paddr: 0x100000n }), data(undefined, { paddr: 0x101000n })]), p)).toEqual([]);
  });

  it('ELF.LOAD.SIZE_LIMIT: p_memsz = 2^40 is refused before anything is allocated', () => {
    expect(findings(kernel([text(0x100000n), data(0x200000n, { memsz: 1n << 40n })], 0x100000n))).toContainEqual(["ELF.LOAD.SIZE_LIMIT", "error"]);
    expect(findings(kernel(), { maxPages: 1 })).toEqual([['ELF.LOAD.SIZE_LIMIT', 'error']]);
    // 5,000 one-byte segments: refused at once, before any pairwise check.
    const many = synthElf({ phdrs: Array.from({ length: 5000 }, (_, i): PhSpec => ({ type: PT_LOAD, flags: 5, vaddr: 0x400000n + BigInt(i) * 0x1000n, memsz: 1n })) });
    expect(first(many)).toMatchObject({ clause: 'ELF.LOAD.SIZE_LIMIT', field: 'e_phnum', offset: 56 });
    expect(findings(many, { maxSegments: 5000, maxPages: 10 })).toEqual([['ELF.LOAD.SIZE_LIMIT', 'error']]);
  });

  it('a parse failure and a dynamic failure come back as diagnostics', () => {
    expect(findings(new Uint8Array([0x7f, 0x45, 0x4c]))).toEqual([['ELF.FILE.TRUNCATED', 'error']]);
    const b = pieImage();
    patch(b, PH(2, 32), 8, 0x10_0000n);
    expect(findings(b)).toContainEqual(['ELF.DYN.IN_LOAD', 'error']);
    expect(PT_DYNAMIC + ET_DYN).toBe(5);
  });
});
