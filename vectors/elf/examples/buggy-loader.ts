/**
 * The simple loader with every classic bug switched on; `x64spec run --impl
 * vectors/elf/examples/buggy-loader.ts --suite elf` shows each bug as failures naming
 * ELF.LOAD.ZERO_TAIL, ELF.LOAD.RIGHTS, ELF.LOAD.PADDR, ELF.LOAD.RELRO_READONLY,
 * ELF.RELOC.ABS64 and ELF.RELOC.RELR.
 */
import { makeLoader } from './simple-loader.ts';

export const implementation = { name: 'x64spec buggy ELF loader (example)', version: '1.0.0' };

export const elf = makeLoader(new Set(['copy-whole-pages', 'first-segment-rights', 'ignore-paddr', 'no-relro', 'relative-only']));
