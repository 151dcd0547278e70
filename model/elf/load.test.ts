// Relocation values and loading into the paging model. Clauses: ELF.RELOC.RELATIVE,
// ELF.RELOC.ABS64, ELF.RELOC.SYMBOL, ELF.RELOC.RELR, ELF.LOAD.BASE_ALIGN,
// ELF.LOAD.FILE_BYTES, ELF.LOAD.ZERO_TAIL, ELF.LOAD.RIGHTS, ELF.LOAD.ONLY_SEGMENTS,
// ELF.LOAD.RELRO_READONLY, ELF.LOAD.PADDR, ELF.LOAD.SIZE_LIMIT.
import { describe, expect, it } from 'vitest';
import type { PhysAddr } from '../paging/addr.ts';
import { PhysMemory } from '../paging/memory.ts';
import { loadElf } from './load.ts';
import { physOf, planLoad } from './plan.ts';
import { readVirtual, viewPage } from './readback.ts';
import { linkTimeWord } from './relocate.ts';
import { synthElf } from './synth.ts';
import { DATA, SLOTS, pieImage } from './testdata/pie.ts';
import { PT_LOAD, R_X86_64_64, R_X86_64_NONE, R_X86_64_RELATIVE } from './types.ts';

const qword = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);

describe('relocation and loading', () => {
  const image = pieImage({
    symbols: [{ value: 0n, shndx: 0, bind: 0 }, { value: 0x1010n, shndx: 1, bind: 1 }, { value: 0n, shndx: 0, bind: 2 }],
    rela: [
      { offset: SLOTS, type: R_X86_64_RELATIVE, addend: 0x1234n },
      { offset: SLOTS + 8n, type: R_X86_64_64, sym: 1, addend: 8n },
      { offset: SLOTS + 16n, type: R_X86_64_64, sym: 2, addend: 0x40n },
      { offset: SLOTS + 24n, type: R_X86_64_64, addend: 0x77n },
      { offset: SLOTS + 32n, type: R_X86_64_NONE, addend: 0n },
    ],
    relr: [SLOTS + 40n, 0b1011n],
    slots: [0n, 0n, 0n, 0n, 0xdeadn, 0x2000n, 0x1000n, 0n, 0x1234n],
    bss: 0x2000n,
    relro: true,
  });
  const base = 0xffff_8000_4000_0000n;

  it('stores B + A, S + A (a defined symbol moves, an undefined weak one is 0) and RELR word + B', () => {
    const r = loadElf(image, { base });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.relocations.map((x) => [x.va - base, x.kind, x.value])).toEqual([
      [SLOTS, 'R_X86_64_RELATIVE', base + 0x1234n],
      [SLOTS + 8n, 'R_X86_64_64', base + 0x1018n],
      [SLOTS + 16n, 'R_X86_64_64', 0x40n],
      [SLOTS + 24n, 'R_X86_64_64', 0x77n],
      [SLOTS + 40n, 'RELR', base + 0x2000n],
      [SLOTS + 48n, 'RELR', base + 0x1000n],
      [SLOTS + 64n, 'RELR', base + 0x1234n],
    ]);
    for (const rel of r.plan.relocations) expect(qword(readVirtual(r.state, rel.va, 8)!)).toBe(rel.value);
    // The untouched NONE slot keeps its file bytes.
    expect(qword(readVirtual(r.state, base + SLOTS + 32n, 8)!)).toBe(0xdeadn);
  });

  it('maps exactly the planned pages with planned rights; RELRO read-only; .bss zero', () => {
    const memory = new PhysMemory();
    memory.writeByte(0x20_5000 as PhysAddr, 0xff); // garbage where .bss will land is cleared
    const r = loadElf(image, { base, memory });
    if (!r.ok) throw new Error('load failed');
    expect(r.memory).toBe(memory);
    expect(r.plan.pages.map((p) => [p.va - base, p.count, p.writable, p.executable, p.relro])).toEqual([
      [0x1000n, 1, false, true, false], [0x2000n, 1, false, false, true], [0x3000n, 2, true, false, false],
    ]);
    expect(viewPage(r.state, base)).toEqual({ mapped: false });
    expect(viewPage(r.state, base + 0x5000n)).toEqual({ mapped: false });
    expect(viewPage(r.state, base + 0x3000n)).toMatchObject({ mapped: true, writable: true, executable: false, user: false });
    const bss = readVirtual(r.state, base + DATA + 0x800n, 0x2000)!;
    expect(bss.every((b) => b === 0)).toBe(true);
    expect(readVirtual(r.state, base + 0x5000n, 1)).toBeUndefined();
    expect(physOf(r.plan.pages, base)).toBeUndefined();
  });

  it('reads link-time words across the file/zero boundary and outside segments', () => {
    const p = planLoad(image);
    if (!p.ok) throw new Error('plan failed');
    expect(linkTimeWord(p.file, SLOTS + 40n)).toBe(0x2000n);
    expect(linkTimeWord(p.file, DATA + 0x1000n)).toBe(0n);
    expect(linkTimeWord(p.file, 0x9000n)).toBe(0n);
  });

  it('fails with a typed diagnostic when tables cannot be placed below MAXPHYADDR', () => {
    const r = loadElf(image, { maxPhyAddr: 21 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ clause: 'ELF.LOAD.PADDR', severity: 'error' });
    const bad = loadElf(new Uint8Array(10));
    expect(bad.ok).toBe(false);
  });

  it('merges contiguous pages of one segment into one range and places frames from physBase', () => {
    const big = synthElf({ phdrs: [{ type: PT_LOAD, flags: 7, vaddr: 0x400000n, data: new Uint8Array(0x5000).fill(3), memsz: 0x9000n }] });
    const r = planLoad(big, { physBase: 0x100_0000 });
    expect(r.ok && r.plan.pages.map((p) => [p.va, p.count, p.pa])).toEqual([[0x400000n, 9, 0x100_0000]]);
  });
});
