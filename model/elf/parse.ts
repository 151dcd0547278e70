import { catchElf, fail, hex, type ElfResult } from './errors.ts';
import { ByteReader } from './reader.ts';
import {
  EHDR_SIZE, PHDR_SIZE, PN_XNUM, SHDR_SIZE,
  type ElfFile, type ElfHeader, type ProgramHeader,
} from './types.ts';

const MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;

/**
 * Parses the ELF header and the program-header table: exactly what `readelf -hl` shows.
 * It fails (with a typed error naming field and file offset) only when the file cannot be
 * read as ELF64 little-endian at all; rules about the values (machine, type, ranges,
 * alignment…) are checked by `validate`, so a loader can report all of them at once.
 * Allocation is bounded by the file size: the table must lie in the file before any entry
 * is read.
 */
export function parseElf(bytes: Uint8Array): ElfResult<ElfFile> {
  return catchElf(() => parseOrThrow(bytes));
}

function parseOrThrow(bytes: Uint8Array): ElfFile {
  const r = new ByteReader(bytes);
  for (let i = 0; i < 4; i++) {
    if (r.u8(`e_ident[${i}]`, i) !== MAGIC[i]) {
      fail('ELF.IDENT.MAGIC', `e_ident[${i}]`, i, 'not an ELF file: the first four bytes are not 0x7f "ELF"');
    }
  }
  const cls = r.u8('e_ident[EI_CLASS]', 4);
  if (cls !== ELFCLASS64) fail('ELF.IDENT.CLASS64', 'e_ident[EI_CLASS]', 4, `EI_CLASS is ${cls}; an x86-64 kernel is ELFCLASS64 (2)`);
  const data = r.u8('e_ident[EI_DATA]', 5);
  if (data !== ELFDATA2LSB) fail('ELF.IDENT.DATA2LSB', 'e_ident[EI_DATA]', 5, `EI_DATA is ${data}; x86-64 is little-endian (1)`);
  r.need('ELF header', 0, EHDR_SIZE);

  const header: ElfHeader = {
    identVersion: r.u8('e_ident[EI_VERSION]', 6),
    osabi: r.u8('e_ident[EI_OSABI]', 7),
    type: r.u16('e_type', 16),
    machine: r.u16('e_machine', 18),
    version: r.u32('e_version', 20),
    entry: r.u64('e_entry', 24),
    phoff: r.u64('e_phoff', 32),
    shoff: r.u64('e_shoff', 40),
    flags: r.u32('e_flags', 48),
    ehsize: r.u16('e_ehsize', 52),
    phentsize: r.u16('e_phentsize', 54),
    phnumRaw: r.u16('e_phnum', 56),
    shentsize: r.u16('e_shentsize', 58),
    shnum: r.u16('e_shnum', 60),
    shstrndx: r.u16('e_shstrndx', 62),
  };

  const phnum = programHeaderCount(r, header);
  if (phnum === 0) return { bytes, header, programHeaders: [] };
  if (header.phentsize !== PHDR_SIZE) {
    fail('ELF.HDR.PHENTSIZE', 'e_phentsize', 54, `e_phentsize is ${header.phentsize}; ELF64 program headers are ${PHDR_SIZE} bytes`);
  }
  const tableEnd = header.phoff + BigInt(phnum) * BigInt(PHDR_SIZE);
  if (tableEnd > BigInt(bytes.length)) {
    fail('ELF.HDR.PHT_IN_FILE', 'e_phoff', 32,
      `the program-header table (${phnum} entries at ${hex(header.phoff)}) ends at ${hex(tableEnd)}, past the end of the ${bytes.length}-byte file`);
  }
  const programHeaders: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) programHeaders.push(readProgramHeader(r, i, Number(header.phoff) + i * PHDR_SIZE));
  return { bytes, header, programHeaders };
}

/** e_phnum, or with PN_XNUM the sh_info of section header 0 (ELF.HDR.PHNUM_XNUM). */
function programHeaderCount(r: ByteReader, h: ElfHeader): number {
  if (h.phnumRaw !== PN_XNUM) return h.phnumRaw;
  if (h.shoff === 0n) fail('ELF.HDR.PHNUM_XNUM', 'e_shoff', 40, 'e_phnum is PN_XNUM (0xffff) but there is no section header 0 to hold the count');
  if (h.shoff + BigInt(SHDR_SIZE) > BigInt(r.size)) {
    fail('ELF.HDR.PHNUM_XNUM', 'e_shoff', 40, `e_phnum is PN_XNUM but section header 0 at ${hex(h.shoff)} is not inside the ${r.size}-byte file`);
  }
  return r.u32('shdr[0].sh_info', Number(h.shoff) + 44);
}

function readProgramHeader(r: ByteReader, index: number, at: number): ProgramHeader {
  const f = (name: string): string => `phdr[${index}].${name}`;
  return {
    index,
    at,
    type: r.u32(f('p_type'), at),
    flags: r.u32(f('p_flags'), at + 4),
    offset: r.u64(f('p_offset'), at + 8),
    vaddr: r.u64(f('p_vaddr'), at + 16),
    paddr: r.u64(f('p_paddr'), at + 24),
    filesz: r.u64(f('p_filesz'), at + 32),
    memsz: r.u64(f('p_memsz'), at + 40),
    align: r.u64(f('p_align'), at + 48),
  };
}
