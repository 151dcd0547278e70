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
