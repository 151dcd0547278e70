// readelf as the oracle for PT_DYNAMIC: the RELA and RELR tables our reader finds through
// the dynamic array must be exactly the .rela.dyn / .relr.dyn entries readelf -rW lists
// from the section headers, for every ELF64 EXEC/DYN file up to 2 MiB under /usr/bin and
// /usr/lib. Clauses: ELF.DYN.RELA, ELF.DYN.RELR, ELF.RELOC.RELR, ELF.DYN.ADDR_MAPPED.
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDynamic } from '../../model/elf/dynamic.ts';
import { parseElf } from '../../model/elf/parse.ts';
import { findElfFiles, readelfRelocsAll } from './readelf-oracle.ts';

const MAX_SIZE = 2 * 1024 * 1024;

describe('readelf oracle for dynamic relocations', () => {
  it('our RELA/RELR tables equal readelf -rW for every file up to 2 MiB (ELF.DYN.RELA, ELF.DYN.RELR, ELF.RELOC.RELR)', async () => {
    const paths = findElfFiles(['/usr/bin', '/usr/lib']).map((f) => f.path).filter((p) => statSync(p).size <= MAX_SIZE);
    expect(paths.length).toBeGreaterThan(1000);
    const views = await readelfRelocsAll(paths);
    const problems: string[] = [];
    let agree = 0;
    let relocations = 0;
    let relrFiles = 0;
    for (const path of paths) {
      const file = parseElf(new Uint8Array(readFileSync(path)));
      const theirs = views.get(path);
      if (!file.ok || theirs === undefined) {
        problems.push(`${path}: ${file.ok ? 'readelf printed nothing' : file.error.message}`);
        continue;
      }
      const dyn = readDynamic(file.value);
      if (!dyn.ok) {
        problems.push(`${path}: ${dyn.error.clause} ${dyn.error.field}: ${dyn.error.message}`);
        continue;
      }
      const rela = dyn.value?.rela ?? [];
      const relr = dyn.value?.relr.map((r) => r.offset) ?? [];
      const ours = rela.map((r) => `${r.offset.toString(16)}:${((BigInt(r.sym) << 32n) | BigInt(r.type)).toString(16)}` + (r.sym === 0 ? `:${BigInt.asUintN(64, r.addend).toString(16)}` : ''));
      const want = theirs.rela.map((r) => `${r.offset.toString(16)}:${r.info.toString(16)}` + (r.addend !== undefined ? `:${r.addend.toString(16)}` : ''));
      const same = ours.length === want.length && ours.every((x, i) => x === want[i]) &&
        relr.length === theirs.relr.length && relr.every((x, i) => x === theirs.relr[i]);
      if (same) agree++;
      else problems.push(`${path}: rela ${ours.length} vs ${want.length}, relr ${relr.length} vs ${theirs.relr.length}; first difference at ${ours.findIndex((x, i) => x !== want[i])}`);
      relocations += rela.length + relr.length;
      if (relr.length > 0) relrFiles++;
    }
    console.log(`readelf relocation oracle: ${agree} of ${paths.length} files agree (${relocations} relocations, ${relrFiles} files with RELR)`);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(relrFiles).toBeGreaterThan(0);
  }, 600_000); // thousands of files: allow for a loaded CI machine
});

describe('readelf -rW text', () => {
  it('reads negative addends, symbol forms and RELR lists (ELF.DYN.RELA, ELF.RELOC.RELR)', async () => {
    const { parseReadelfRelocs } = await import('./readelf-oracle.ts');
    const text = [
      "Relocation section '.rela.dyn' at offset 0x208 contains 3 entries:",
      "    Offset             Info             Type               Symbol's Value  Symbol's Name + Addend",
      'ffffffff80003ee0  0000000000000008 R_X86_64_RELATIVE                         -7fffe000',
      '0000000000004000  0000000000000008 R_X86_64_RELATIVE                         4010',
      '0000000000004008  0000000100000001 R_X86_64_64            0000000000001000 foo + 8',
      "Relocation section '.rela.plt' at offset 0x300 contains 1 entry:",
      '0000000000004010  0000000200000007 R_X86_64_JUMP_SLOT     0000000000000000 bar + 0',
      "Relocation section '.relr.dyn' at offset 0x400 contains 2 entries:",
      '  3 offsets',
      '0000000000005000',
      '0000000000005008',
    ].join('\n');
    expect(parseReadelfRelocs(text)).toEqual({
      rela: [
        { offset: 0xffffffff80003ee0n, info: 8n, addend: 0xffffffff80002000n },
        { offset: 0x4000n, info: 8n, addend: 0x4010n },
        { offset: 0x4008n, info: 0x100000001n },
      ],
      relr: [0x5000n, 0x5008n],
    });
  });
});

describe('readelf oracle on the gcc-built test kernels', () => {
  it('RELA (negative addends included) and RELR agree with readelf -rW (ELF.DYN.RELA, ELF.RELOC.RELR)', async () => {
    const { ensureBuilt } = await import('../../model/elf/testdata/build.ts');
    const paths = Object.values(ensureBuilt());
    const views = await readelfRelocsAll(paths, 1, 1);
    for (const path of paths) {
      const file = parseElf(new Uint8Array(readFileSync(path)));
      if (!file.ok) throw new Error(file.error.message);
      const dyn = readDynamic(file.value);
      if (!dyn.ok) throw new Error(dyn.error.message);
      const theirs = views.get(path)!;
      expect((dyn.value?.rela ?? []).map((r) => [r.offset, (BigInt(r.sym) << 32n) | BigInt(r.type), BigInt.asUintN(64, r.addend)]), path)
        .toEqual(theirs.rela.map((r) => [r.offset, r.info, r.addend]));
      expect((dyn.value?.relr ?? []).map((r) => r.offset), path).toEqual(theirs.relr);
    }
  });
});
