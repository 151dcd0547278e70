import type { ElfClauseId } from '../../spec/clauses/elf.ts';
import { TWO64, loadSegments } from './layout.ts';
import { R_X86_64_64, R_X86_64_RELATIVE, type DynamicInfo, type ElfFile } from './types.ts';

/** One 64-bit store the loader makes after copying the segments. */
export interface AppliedRelocation {
  /** Virtual address of the slot (r_offset + base). */
  readonly va: bigint;
  /** The 64-bit value stored there, little-endian. */
  readonly value: bigint;
  readonly kind: 'R_X86_64_RELATIVE' | 'R_X86_64_64' | 'RELR';
  readonly clause: ElfClauseId;
}

/**
 * The stores that relocate an ET_DYN image to `base`, in table order (RELA, then RELR).
 * The image must have passed `validate`: every type is one a boot loader applies and every
 * target lies inside a segment.
 */
export function applicableRelocations(file: ElfFile, dyn: DynamicInfo, base: bigint): AppliedRelocation[] {
  const out: AppliedRelocation[] = [];
  for (const r of dyn.rela) {
    if (r.type === R_X86_64_RELATIVE) {
      // ELF.RELOC.RELATIVE: B + A.
      out.push({ va: wrap(r.offset + base), value: wrap(base + r.addend), kind: 'R_X86_64_RELATIVE', clause: 'ELF.RELOC.RELATIVE' });
    } else if (r.type === R_X86_64_64) {
      // ELF.RELOC.ABS64: S + A; a defined symbol moves with the image, an undefined weak one is 0 (ELF.RELOC.SYMBOL).
      const s = r.symbol === undefined ? 0n : r.symbol.shndx === 0 ? 0n : r.symbol.value + base;
      out.push({ va: wrap(r.offset + base), value: wrap(s + r.addend), kind: 'R_X86_64_64', clause: 'ELF.RELOC.ABS64' });
    }
  }
  for (const r of dyn.relr) {
    // ELF.RELOC.RELR: the word already in the image (its link-time value) plus the base.
    out.push({ va: wrap(r.offset + base), value: wrap(linkTimeWord(file, r.offset) + base), kind: 'RELR', clause: 'ELF.RELOC.RELR' });
  }
  return out;
}

function wrap(v: bigint): bigint {
  return ((v % TWO64) + TWO64) % TWO64;
}

/** The little-endian qword the image holds at link-time address `addr` (file bytes; zero past p_filesz). */
export function linkTimeWord(file: ElfFile, addr: bigint): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(linkTimeByte(file, addr + BigInt(i)));
  return v;
}

function linkTimeByte(file: ElfFile, addr: bigint): number {
  for (const l of loadSegments(file)) {
    if (addr >= l.vaddr && addr < l.vaddr + l.memsz) {
      const i = addr - l.vaddr;
      return i < l.filesz ? file.bytes[Number(l.offset + i)] ?? 0 : 0;
    }
  }
  return 0;
}
