/**
 * The parsed form of an ELF64 file. 64-bit fields are `bigint`: ELF loading is not a hot
 * path, and exact 64-bit arithmetic (p_vaddr + p_memsz overflow, alignment, relocation
 * values) is what the rules are about. Values convert to the paging model's `U64` at
 * the edge (model/elf/load.ts). File offsets of each structure are kept so every
 * diagnostic can name where in the file it comes from.
 */

export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_X86_64 = 62;

export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** e_phnum value meaning "the count is in section header 0's sh_info" (ELF.HDR.PHNUM_XNUM). */
export const PN_XNUM = 0xffff;

export const EHDR_SIZE = 64;
export const PHDR_SIZE = 56;
export const SHDR_SIZE = 64;
export const DYN_SIZE = 16;
export const RELA_SIZE = 24;
export const RELR_SIZE = 8;
export const SYM_SIZE = 24;

export interface ElfHeader {
  readonly osabi: number;
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  readonly entry: bigint;
  readonly phoff: bigint;
  readonly shoff: bigint;
  readonly flags: number;
  readonly ehsize: number;
  readonly phentsize: number;
  /** e_phnum as stored (0xffff means PN_XNUM). */
  readonly phnumRaw: number;
  readonly shentsize: number;
  readonly shnum: number;
  readonly shstrndx: number;
  /** The identification version byte (EI_VERSION). */
  readonly identVersion: number;
}

export interface ProgramHeader {
  /** Index in the program-header table. */
  readonly index: number;
  /** File offset of this entry. */
  readonly at: number;
  readonly type: number;
  readonly flags: number;
  readonly offset: bigint;
  readonly vaddr: bigint;
  readonly paddr: bigint;
  readonly filesz: bigint;
  readonly memsz: bigint;
  readonly align: bigint;
}

export interface ElfFile {
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  /** The program headers (the real count, after PN_XNUM). */
  readonly programHeaders: readonly ProgramHeader[];
}

/** One entry of the dynamic array. */
export interface DynEntry {
  readonly tag: bigint;
  readonly value: bigint;
  /** File offset of the entry. */
  readonly at: number;
}

export const DT_NULL = 0n;
export const DT_NEEDED = 1n;
export const DT_PLTRELSZ = 2n;
export const DT_SYMTAB = 6n;
export const DT_RELA = 7n;
export const DT_RELASZ = 8n;
export const DT_RELAENT = 9n;
export const DT_SYMENT = 11n;
export const DT_REL = 17n;
export const DT_RELSZ = 18n;
export const DT_RELENT = 19n;
export const DT_TEXTREL = 22n;
export const DT_JMPREL = 23n;
export const DT_RELRSZ = 35n;
export const DT_RELR = 36n;
export const DT_RELRENT = 37n;

export const DT_STRTAB = 5n;

export const R_X86_64_NONE = 0;
export const R_X86_64_64 = 1;
export const R_X86_64_RELATIVE = 8;

/** The symbol a relocation refers to (read from DT_SYMTAB). */
export interface SymbolRef {
  readonly index: number;
  readonly value: bigint;
  /** st_shndx: 0 means undefined. */
  readonly shndx: number;
  /** st_info >> 4: 0 local, 1 global, 2 weak. */
  readonly bind: number;
}

export interface Rela {
  /** File offset of the entry. */
  readonly at: number;
  readonly offset: bigint;
  readonly type: number;
  readonly sym: number;
  readonly addend: bigint;
  readonly symbol?: SymbolRef;
}

/** What PT_DYNAMIC says about relocation. */
export interface DynamicInfo {
  /** File offset of the dynamic array. */
  readonly at: number;
  readonly entries: readonly DynEntry[];
  readonly rela: readonly Rela[];
  /** Addresses (link-time) that RELR relocates, in table order, with the file offset of the entry that named them. */
  readonly relr: readonly { readonly offset: bigint; readonly at: number }[];
}

export function hasFlag(ph: ProgramHeader, flag: number): boolean {
  return (ph.flags & flag) !== 0;
}

const RELOC_NAMES: Readonly<Record<number, string>> = {
  0: 'NONE', 1: '64', 2: 'PC32', 3: 'GOT32', 4: 'PLT32', 5: 'COPY', 6: 'GLOB_DAT', 7: 'JUMP_SLOT', 8: 'RELATIVE',
  9: 'GOTPCREL', 10: '32', 11: '32S', 12: '16', 13: 'PC16', 14: '8', 15: 'PC8', 16: 'DTPMOD64', 17: 'DTPOFF64',
  18: 'TPOFF64', 19: 'TLSGD', 20: 'TLSLD', 21: 'DTPOFF32', 22: 'GOTTPOFF', 23: 'TPOFF32', 24: 'PC64', 25: 'GOTOFF64',
  26: 'GOTPC32', 32: 'SIZE32', 33: 'SIZE64', 34: 'GOTPC32_TLSDESC', 35: 'TLSDESC_CALL', 36: 'TLSDESC', 37: 'IRELATIVE',
  41: 'GOTPCRELX', 42: 'REX_GOTPCRELX',
};

/** The psABI name of an x86-64 relocation type (`R_X86_64_GLOB_DAT`), or its number. */
export function relocationTypeName(type: number): string {
  const n = RELOC_NAMES[type];
  return n === undefined ? `type ${type}` : `R_X86_64_${n}`;
}

/** Human-readable name of a segment type (readelf's spelling for the common ones). */
export function segmentTypeName(type: number): string {
  switch (type) {
    case PT_NULL: return 'NULL';
    case PT_LOAD: return 'LOAD';
    case PT_DYNAMIC: return 'DYNAMIC';
    case PT_INTERP: return 'INTERP';
    case PT_NOTE: return 'NOTE';
    case 5: return 'SHLIB';
    case PT_PHDR: return 'PHDR';
    case PT_TLS: return 'TLS';
    case 0x6474e550: return 'GNU_EH_FRAME';
    case PT_GNU_STACK: return 'GNU_STACK';
    case PT_GNU_RELRO: return 'GNU_RELRO';
    case 0x6474e553: return 'GNU_PROPERTY';
    default: return '0x' + type.toString(16);
  }
}
