import { Findings, type Diagnostic } from './diagnostics.ts';
import { fileOffsetOf } from './dynamic.ts';
import { hex } from './errors.ts';
import {
  KERNEL_MODEL_START, PAGE, TWO64, baseAlignment, canonicalRange, isPowerOfTwo, loadSegments, rightsOf, sameRights,
} from './layout.ts';
import type { LoaderProfile } from './profiles.ts';
import {
  DT_JMPREL, DT_NEEDED, DT_REL, DT_STRTAB, EM_X86_64, ET_DYN, ET_EXEC, PF_X, PT_DYNAMIC, PT_GNU_RELRO, PT_GNU_STACK, PT_INTERP, PT_LOAD,
  PT_PHDR, PT_TLS, R_X86_64_64, R_X86_64_NONE, R_X86_64_RELATIVE, hasFlag, relocationTypeName,
  type DynamicInfo, type ElfFile, type ProgramHeader,
} from './types.ts';

/** What `validate` checks an image against. */
export interface ValidateOptions {
  readonly profile: LoaderProfile;
  /** Load base for ET_DYN (0 for ET_EXEC). */
  readonly base: bigint;
  readonly placement: 'paddr' | 'allocate';
}

/**
 * Checks a parsed image against every ELF.* rule a loader applies before it maps
 * anything, under the profile's policy. Returns the findings (errors and warnings) in
 * file order of the checks; an empty list means the image loads cleanly.
 */
export function validate(file: ElfFile, dynamic: DynamicInfo | undefined, options: ValidateOptions): Diagnostic[] {
  const f = new Findings(options.profile);
  checkHeader(file, f, options);
  checkSegments(file, f, options);
  checkSpecialSegments(file, f);
  if (dynamic !== undefined) checkDynamic(file, dynamic, f);
  checkEntry(file, f, options.base);
  checkKernelLayout(file, f, options.base);
  if (options.placement === 'paddr') checkPhysical(file, f);
  return f.list;
}

const ph = (p: ProgramHeader, name: string): string => `phdr[${p.index}].${name}`;
const FIELD_OFFSET: Record<string, number> = { p_type: 0, p_flags: 4, p_offset: 8, p_vaddr: 16, p_paddr: 24, p_filesz: 32, p_memsz: 40, p_align: 48 };
const at = (p: ProgramHeader, name: string): number => p.at + FIELD_OFFSET[name]!;

function checkHeader(file: ElfFile, f: Findings, o: ValidateOptions): void {
  const h = file.header;
  if (h.identVersion !== 1) f.add('ELF.IDENT.VERSION', 'e_ident[EI_VERSION]', 6, `EI_VERSION is ${h.identVersion}; the current version is 1`);
  if (h.version !== 1) f.add('ELF.IDENT.VERSION', 'e_version', 20, `e_version is ${h.version}; the current version is 1`);
  if (h.machine !== EM_X86_64) f.add('ELF.HDR.MACHINE', 'e_machine', 18, `e_machine is ${h.machine}; an x86-64 kernel has EM_X86_64 (62)`);
  if (h.type !== ET_EXEC && h.type !== ET_DYN) {
    f.add('ELF.HDR.TYPE', 'e_type', 16, `e_type is ${h.type}; only ET_EXEC (2) and ET_DYN (3) can be loaded`);
  } else if (h.type === ET_DYN && !o.profile.relocatable) {
    f.add('ELF.HDR.TYPE', 'e_type', 16, `the ${o.profile.name} profile loads only ET_EXEC images; this one is ET_DYN`);
  }
  if (h.ehsize !== 64) f.add('ELF.HDR.EHSIZE', 'e_ehsize', 52, `e_ehsize is ${h.ehsize}; the ELF64 header is 64 bytes`, 'warning');
  if (h.type === ET_EXEC && o.base !== 0n) {
    f.add('ELF.RELOC.EXEC_STATIC', 'e_type', 16, `an ET_EXEC image cannot be moved to base ${hex(o.base)}; it runs at its link addresses`);
  }
  if (h.type === ET_DYN && o.base % baseAlignment(file) !== 0n) {
    f.add('ELF.LOAD.BASE_ALIGN', 'base', 0, `load base ${hex(o.base)} is not a multiple of ${hex(baseAlignment(file))}, the largest PT_LOAD alignment`);
  }
}

function checkSegments(file: ElfFile, f: Findings, o: ValidateOptions): void {
  const size = BigInt(file.bytes.length);
  let lastLoad: ProgramHeader | undefined;
  let loads = 0;
  for (const p of file.programHeaders) {
    if (p.align > 1n && !isPowerOfTwo(p.align)) f.add('ELF.PH.ALIGN.POWER_OF_TWO', ph(p, 'p_align'), at(p, 'p_align'), `p_align ${hex(p.align)} is not 0, 1 or a power of two`);
    if (p.type !== PT_LOAD) continue;
    loads++;
    if (p.filesz > p.memsz) f.add('ELF.PH.FILESZ_LE_MEMSZ', ph(p, 'p_filesz'), at(p, 'p_filesz'), `p_filesz ${hex(p.filesz)} exceeds p_memsz ${hex(p.memsz)}`);
    if (p.filesz > 0n && p.offset + p.filesz > size) {
      f.add('ELF.PH.FILE_RANGE', ph(p, 'p_offset'), at(p, 'p_offset'), `file bytes ${hex(p.offset)}..${hex(p.offset + p.filesz)} run past the end of the ${size}-byte file`);
    }
    if (p.align > 1n && isPowerOfTwo(p.align) && (p.vaddr - p.offset) % p.align !== 0n) {
      f.add('ELF.PH.ALIGN.CONGRUENT', ph(p, 'p_vaddr'), at(p, 'p_vaddr'), `p_vaddr ${hex(p.vaddr)} and p_offset ${hex(p.offset)} differ modulo p_align ${hex(p.align)}`);
    }
    if (p.memsz > 0n) {
      const start = p.vaddr + o.base;
      const end = start + p.memsz;
      if (end > TWO64) f.add('ELF.PH.ADDR_RANGE', ph(p, 'p_memsz'), at(p, 'p_memsz'), `${hex(start)} + p_memsz ${hex(p.memsz)} wraps past 2^64`);
      else if (!canonicalRange(start, end)) f.add('ELF.PH.ADDR_RANGE', ph(p, 'p_vaddr'), at(p, 'p_vaddr'), `${hex(start)}..${hex(end)} is not inside one canonical half`);
    }
    if (lastLoad !== undefined && p.vaddr < lastLoad.vaddr) {
      f.add('ELF.PH.LOAD.SORTED', ph(p, 'p_vaddr'), at(p, 'p_vaddr'), `PT_LOAD at ${hex(p.vaddr)} follows one at ${hex(lastLoad.vaddr)}`);
    }
    lastLoad = p;
  }
  if (loads === 0) f.add('ELF.PH.LOAD.PRESENT', 'e_phnum', 56, 'there is no PT_LOAD segment to load');
  const sorted = loadSegments(file);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.vaddr + a.memsz > b.vaddr) {
      f.add('ELF.PH.LOAD.OVERLAP', ph(b, 'p_vaddr'), at(b, 'p_vaddr'), `segment ${b.index} (${hex(b.vaddr)}) overlaps segment ${a.index} (${hex(a.vaddr)}..${hex(a.vaddr + a.memsz)})`);
    } else if ((a.vaddr + a.memsz - 1n) / PAGE === b.vaddr / PAGE && !sameRights(rightsOf(a), rightsOf(b))) {
      const union = o.profile.sharedPages === 'union';
      f.add('ELF.PH.LOAD.PAGE_SHARED', ph(b, 'p_flags'), at(b, 'p_flags'),
        `segments ${a.index} and ${b.index} share the page ${hex((b.vaddr / PAGE) * PAGE + o.base)} with different rights` +
        (union ? '; it is mapped with the union of both' : ''), union ? 'warning' : 'error');
    }
  }
}

function checkSpecialSegments(file: ElfFile, f: Findings): void {
  const firstLoad = file.programHeaders.find((p) => p.type === PT_LOAD)?.index ?? Infinity;
  const loads = loadSegments(file);
  const covered = (vaddr: bigint, size: bigint, writable: boolean): boolean =>
    loads.some((l) => vaddr >= l.vaddr && vaddr + size <= l.vaddr + l.memsz && (!writable || rightsOf(l).writable));
  const seen = new Set<number>();
  for (const p of file.programHeaders) {
    const again = seen.has(p.type);
    seen.add(p.type);
    switch (p.type) {
      case PT_INTERP:
        f.add('ELF.PH.INTERP.PLACEMENT', ph(p, 'p_type'), p.at,
          again || p.index > firstLoad ? 'PT_INTERP appears twice or after a PT_LOAD' : 'the image asks for a program interpreter, which a boot loader does not run', 'warning');
        break;
      case PT_PHDR:
        if (again || p.index > firstLoad) f.add('ELF.PH.PHDR.PLACEMENT', ph(p, 'p_type'), p.at, 'PT_PHDR appears twice or after a PT_LOAD', 'warning');
        else if (!covered(p.vaddr, p.memsz, false)) f.add('ELF.PH.PHDR.PLACEMENT', ph(p, 'p_vaddr'), at(p, 'p_vaddr'), 'the program-header table PT_PHDR describes is not inside a PT_LOAD', 'warning');
        break;
      case PT_TLS:
        if (p.filesz > p.memsz) f.add('ELF.PH.TLS', ph(p, 'p_filesz'), at(p, 'p_filesz'), `PT_TLS p_filesz ${hex(p.filesz)} exceeds p_memsz ${hex(p.memsz)}`);
        else f.add('ELF.PH.TLS', ph(p, 'p_type'), p.at, again ? 'more than one PT_TLS' : 'the image has thread-local storage; the loader does not build the TLS block', 'warning');
        break;
      case PT_GNU_STACK:
        if (hasFlag(p, PF_X)) f.add('ELF.PH.GNU_STACK', ph(p, 'p_flags'), at(p, 'p_flags'), 'PT_GNU_STACK asks for an executable stack', 'warning');
        break;
      case PT_GNU_RELRO:
        if (!covered(p.vaddr, p.memsz, true)) f.add('ELF.PH.GNU_RELRO', ph(p, 'p_vaddr'), at(p, 'p_vaddr'), `RELRO ${hex(p.vaddr)}..${hex(p.vaddr + p.memsz)} is not inside one writable PT_LOAD`);
        break;
      default:
        break;
    }
  }
}

function checkDynamic(file: ElfFile, dyn: DynamicInfo, f: Findings): void {
  const dp = file.programHeaders.find((p) => p.type === PT_DYNAMIC)!;
  const inLoad = loadSegments(file).some((l) => dp.vaddr >= l.vaddr && dp.vaddr + dp.filesz <= l.vaddr + l.filesz);
  if (!inLoad) f.add('ELF.DYN.IN_LOAD', ph(dp, 'p_vaddr'), at(dp, 'p_vaddr'), 'PT_DYNAMIC is not inside the file bytes of a PT_LOAD');
  for (const e of dyn.entries) {
    if (e.tag === DT_REL) f.add('ELF.DYN.REL', 'DT_REL', e.at, 'DT_REL relocations are not used on x86-64');
    if (e.tag === DT_JMPREL) f.add('ELF.DYN.PLT', 'DT_JMPREL', e.at, 'PLT relocations need a dynamic linker');
    if (e.tag === DT_NEEDED) f.add('ELF.DYN.NEEDED', 'DT_NEEDED', e.at, `the image depends on the shared library ${libraryName(file, dyn, e.value)}`);
  }
  const count = dyn.rela.length + dyn.relr.length;
  if (file.header.type === ET_EXEC) {
    if (count > 0) f.add('ELF.RELOC.EXEC_STATIC', 'PT_DYNAMIC', dyn.at, `${count} relocations are left in an ET_EXEC image; they are not applied`, 'warning');
    return;
  }
  const loads = loadSegments(file);
  const inImage = (off: bigint): boolean => loads.some((l) => off >= l.vaddr && off + 8n <= l.vaddr + l.memsz);
  const unsupported = new Map<number, { n: number; at: number; i: number }>();
  dyn.rela.forEach((r, i) => {
    if (r.type !== R_X86_64_NONE && r.type !== R_X86_64_RELATIVE && r.type !== R_X86_64_64) {
      const u = unsupported.get(r.type) ?? { n: 0, at: r.at + 8, i };
      unsupported.set(r.type, { ...u, n: u.n + 1 });
      return;
    }
    if (r.type === R_X86_64_NONE) return;
    if (r.type === R_X86_64_64 && r.symbol !== undefined && r.symbol.shndx === 0 && r.symbol.bind !== 2) {
      f.add('ELF.RELOC.SYMBOL', `rela[${i}].r_info`, r.at + 8, `symbol ${r.sym} is undefined and not weak; a kernel has nothing to resolve it against`);
    }
    if (!inImage(r.offset)) f.add('ELF.RELOC.TARGET', `rela[${i}].r_offset`, r.at, `relocation target ${hex(r.offset)} is not inside a PT_LOAD`);
  });
  for (const [type, u] of unsupported) {
    f.add('ELF.RELOC.TYPE_SUPPORTED', `rela[${u.i}].r_info`, u.at, `${relocationTypeName(type)} (${u.n} of them) is not a relocation a boot loader applies`);
  }
  dyn.relr.forEach((r, i) => {
    if (!inImage(r.offset)) f.add('ELF.RELOC.TARGET', `relr[${i}]`, r.at, `RELR target ${hex(r.offset)} is not inside a PT_LOAD`);
  });
}

/** The DT_NEEDED name from DT_STRTAB (at most 200 characters), or its string-table offset when it cannot be read. */
function libraryName(file: ElfFile, dyn: DynamicInfo, offset: bigint): string {
  const strtab = dyn.entries.find((e) => e.tag === DT_STRTAB);
  const at = strtab === undefined ? undefined : fileOffsetOf(file, strtab.value + offset, 1n);
  if (at === undefined) return `at string-table offset ${hex(offset)}`;
  let name = '';
  for (let i = at; i < file.bytes.length && file.bytes[i] !== 0 && name.length < 200; i++) name += String.fromCharCode(file.bytes[i]!);
  return `'${name}'`;
}

function checkEntry(file: ElfFile, f: Findings, base: bigint): void {
  const e = file.header.entry;
  const ok = loadSegments(file).some((l) => hasFlag(l, PF_X) && e >= l.vaddr && e < l.vaddr + l.memsz);
  if (!ok) f.add('ELF.ENTRY.EXECUTABLE', 'e_entry', 24, `entry ${hex(e + base)} is not inside an executable PT_LOAD`);
}

function checkKernelLayout(file: ElfFile, f: Findings, base: bigint): void {
  const loads = loadSegments(file);
  const below = loads.find((l) => l.vaddr + base < KERNEL_MODEL_START);
  if (below !== undefined) {
    f.add('ELF.KERNEL.HIGHER_HALF', ph(below, 'p_vaddr'), at(below, 'p_vaddr'),
      `segment ${below.index} at ${hex(below.vaddr + base)} lies below 0xffffffff80000000`, 'off');
  }
  if (file.header.type !== ET_EXEC) return;
  const small = loads.every((l) => l.vaddr + l.memsz <= 0x8000_0000n);
  const kernel = loads.every((l) => l.vaddr >= KERNEL_MODEL_START);
  const outside = loads.find((l) => !(l.vaddr >= KERNEL_MODEL_START || l.vaddr + l.memsz <= 0x8000_0000n));
  if (!small && !kernel) {
    const l = outside ?? loads[0]!;
    f.add('ELF.KERNEL.CODE_MODEL', ph(l, 'p_vaddr'), at(l, 'p_vaddr'),
      'the segments lie neither all in the top 2 GiB (kernel code model) nor all in the low 2 GiB (small code model)', 'warning');
  }
}

function checkPhysical(file: ElfFile, f: Findings): void {
  const loads = loadSegments(file);
  for (const l of loads) {
    if ((l.paddr - l.vaddr) % PAGE !== 0n) {
      f.add('ELF.LOAD.PADDR', ph(l, 'p_paddr'), at(l, 'p_paddr'), `p_paddr ${hex(l.paddr)} and p_vaddr ${hex(l.vaddr)} differ modulo 4 KiB, so pages cannot be placed at p_paddr`);
    } else if (l.paddr + l.memsz > 1n << 52n) {
      f.add('ELF.LOAD.PADDR', ph(l, 'p_paddr'), at(l, 'p_paddr'), `p_paddr ${hex(l.paddr)} + p_memsz runs past the 52-bit physical address space`);
    }
  }
  const byPaddr = [...loads].sort((a, b) => (a.paddr < b.paddr ? -1 : a.paddr > b.paddr ? 1 : 0));
  for (let i = 1; i < byPaddr.length; i++) {
    const a = byPaddr[i - 1]!;
    const b = byPaddr[i]!;
    if (a.paddr + a.memsz > b.paddr) {
      f.add('ELF.LOAD.PADDR', ph(b, 'p_paddr'), at(b, 'p_paddr'), `segments ${a.index} and ${b.index} overlap in physical memory at ${hex(b.paddr)}`);
    }
  }
}
