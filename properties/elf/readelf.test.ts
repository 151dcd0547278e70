// The readelf oracle (issue 5, "Real inputs"): our parser and binutils' readelf must agree
// on the type, the entry point and every program-header field of every ELF64 EXEC/DYN file
// under /usr/bin and /usr/lib. Clauses: ELF.HDR.TYPE, ELF.HDR.PHENTSIZE, ELF.HDR.PHT_IN_FILE.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../model/elf/parse.ts';
import { segmentTypeName, type ElfFile } from '../../model/elf/types.ts';
import { findElfFiles, readelfAll, type ReadelfView } from './readelf-oracle.ts';

function requireReadelf(): void {
  try {
    execFileSync('readelf', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('readelf is not installed; run: apt-get install -y binutils (or npm run setup)');
  }
}

function flagsText(flags: number): string {
  return (flags & 4 ? 'R' : '') + (flags & 2 ? 'W' : '') + (flags & 1 ? 'E' : '');
}

/** Every difference between our parse and readelf's, as readable lines (empty = agreement). */
function compare(ours: ElfFile, theirs: ReadelfView): string[] {
  const d: string[] = [];
  const type = ours.header.type === 2 ? 'EXEC' : ours.header.type === 3 ? 'DYN' : String(ours.header.type);
  if (type !== theirs.type) d.push(`type ${type} vs ${theirs.type}`);
  if (ours.header.entry !== theirs.entry) d.push(`entry 0x${ours.header.entry.toString(16)} vs 0x${theirs.entry.toString(16)}`);
  const h = ours.header;
  const header: [string, bigint, bigint][] = [
    ['e_phoff', h.phoff, theirs.header.phoff], ['e_shoff', h.shoff, theirs.header.shoff], ['e_ehsize', BigInt(h.ehsize), theirs.header.ehsize],
    ['e_phentsize', BigInt(h.phentsize), theirs.header.phentsize], ['e_flags', BigInt(h.flags), theirs.header.flags],
    // readelf prints the real count after PN_XNUM as "65535 (n)"; the first number is e_phnum as stored.
    ['e_phnum', BigInt(h.phnumRaw), theirs.header.phnum],
  ];
  for (const [name, a, b] of header) if (a !== b) d.push(`${name} ${a} vs ${b}`);
  if (ours.programHeaders.length !== theirs.phdrs.length) d.push(`phnum ${ours.programHeaders.length} vs ${theirs.phdrs.length}`);
  ours.programHeaders.forEach((p, i) => {
    const t = theirs.phdrs[i];
    if (t === undefined) return;
    const fields: [string, unknown, unknown][] = [
      ['type', segmentTypeName(p.type), t.type], ['offset', p.offset, t.offset], ['vaddr', p.vaddr, t.vaddr],
      ['paddr', p.paddr, t.paddr], ['filesz', p.filesz, t.filesz], ['memsz', p.memsz, t.memsz],
      ['flags', flagsText(p.flags), t.flags], ['align', p.align, t.align],
    ];
    for (const [name, a, b] of fields) if (a !== b) d.push(`phdr[${i}].${name} ${String(a)} vs ${String(b)}`);
  });
  return d;
}

describe('readelf oracle over /usr/bin and /usr/lib', () => {
  it('agrees with readelf -hlW on type, entry, header sizes and offsets and every program-header field (ELF.HDR.TYPE, ELF.HDR.PHT_IN_FILE, ELF.HDR.PHENTSIZE)', async () => {
    requireReadelf();
    const files = findElfFiles(['/usr/bin', '/usr/lib']);
    // The machine has about 2,600 of them; far fewer means the search itself is broken.
    expect(files.length).toBeGreaterThan(1000);
    const views = await readelfAll(files.map((f) => f.path));
    const disagreements: string[] = [];
    let agree = 0;
    for (const f of files) {
      const theirs = views.get(f.path);
      const ours = parseElf(f.prefix);
      if (theirs === undefined) disagreements.push(`${f.path}: readelf printed nothing`);
      else if (!ours.ok) disagreements.push(`${f.path}: we rejected it: ${ours.error.field}: ${ours.error.message}`);
      else {
        const d = compare(ours.value, theirs);
        if (d.length === 0) agree++;
        else disagreements.push(`${f.path}: ${d.join('; ')}`);
      }
    }
    console.log(`readelf oracle: ${agree} of ${files.length} ELF64 EXEC/DYN files agree`);
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(agree).toBe(files.length);
  }, 600_000); // thousands of files: allow for a loaded CI machine
});
