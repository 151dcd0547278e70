// The parser's typed errors: every malformed header names the field, the file offset and
// the clause. Clauses: ELF.FILE.TRUNCATED, ELF.IDENT.MAGIC, ELF.IDENT.CLASS64,
// ELF.IDENT.DATA2LSB, ELF.HDR.PHENTSIZE, ELF.HDR.PHT_IN_FILE, ELF.HDR.PHNUM_XNUM.
import { describe, expect, it } from 'vitest';
import { parseElf } from './parse.ts';
import { synthElf } from './synth.ts';
import { PT_LOAD, segmentTypeName } from './types.ts';

const good = (): Uint8Array => synthElf({ phdrs: [{ type: PT_LOAD, flags: 5, vaddr: 0x400000n, data: new Uint8Array(16).fill(0x90) }] });

function errorOf(bytes: Uint8Array) {
  const r = parseElf(bytes);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('parseElf', () => {
  it('reads a well-formed image', () => {
    const r = parseElf(good());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.header).toMatchObject({ type: 2, machine: 62, version: 1, identVersion: 1, phentsize: 56, phnumRaw: 1, ehsize: 64 });
    expect(r.value.programHeaders[0]).toMatchObject({ index: 0, at: 64, type: PT_LOAD, flags: 5, vaddr: 0x400000n, filesz: 16n, memsz: 16n, align: 0x1000n });
  });

  it('empty and short files are ELF.FILE.TRUNCATED at the field that runs out', () => {
    expect(errorOf(new Uint8Array(0))).toMatchObject({ kind: 'elf-error', clause: 'ELF.FILE.TRUNCATED', field: 'e_ident[0]', offset: 0 });
    expect(errorOf(good().subarray(0, 5))).toMatchObject({ clause: 'ELF.FILE.TRUNCATED', field: 'e_ident[EI_DATA]', offset: 5 });
    expect(errorOf(good().subarray(0, 40))).toMatchObject({ clause: 'ELF.FILE.TRUNCATED', field: 'ELF header', offset: 0 });
  });

  it('wrong magic is ELF.IDENT.MAGIC naming the byte', () => {
    const b = good();
    b[2] = 0x58;
    expect(errorOf(b)).toMatchObject({ clause: 'ELF.IDENT.MAGIC', field: 'e_ident[2]', offset: 2 });
  });

  it('ELFCLASS32 is ELF.IDENT.CLASS64; big-endian is ELF.IDENT.DATA2LSB', () => {
    const a = good();
    a[4] = 1;
    expect(errorOf(a)).toMatchObject({ clause: 'ELF.IDENT.CLASS64', offset: 4 });
    const b = good();
    b[5] = 2;
    expect(errorOf(b)).toMatchObject({ clause: 'ELF.IDENT.DATA2LSB', offset: 5 });
  });

  it('a wrong e_phentsize is ELF.HDR.PHENTSIZE; with no program headers it does not matter', () => {
    const b = good();
    new DataView(b.buffer).setUint16(54, 32, true);
    expect(errorOf(b)).toMatchObject({ clause: 'ELF.HDR.PHENTSIZE', field: 'e_phentsize', offset: 54 });
    new DataView(b.buffer).setUint16(56, 0, true);
    const r = parseElf(b);
    expect(r.ok && r.value.programHeaders.length).toBe(0);
  });

  it('a table past the end of the file is ELF.HDR.PHT_IN_FILE, even with a huge e_phoff (no allocation)', () => {
    const b = good();
    const v = new DataView(b.buffer);
    v.setBigUint64(32, 0xffff_ffff_ffff_fff0n, true);
    expect(errorOf(b)).toMatchObject({ clause: 'ELF.HDR.PHT_IN_FILE', field: 'e_phoff', offset: 32 });
    v.setBigUint64(32, 64n, true);
    v.setUint16(56, 0xfffe, true);
    expect(errorOf(b)).toMatchObject({ clause: 'ELF.HDR.PHT_IN_FILE' });
  });

  it('PN_XNUM takes the count from section header 0 (ELF.HDR.PHNUM_XNUM)', () => {
    const base = good();
    const b = new Uint8Array(base.length + 64);
    b.set(base);
    const v = new DataView(b.buffer);
    v.setUint16(56, 0xffff, true);
    expect(errorOf(b)).toMatchObject({ clause: 'ELF.HDR.PHNUM_XNUM', field: 'e_shoff', offset: 40 });
    v.setBigUint64(40, BigInt(b.length - 32), true);
    expect(errorOf(b)).toMatchObject({ clause: 'ELF.HDR.PHNUM_XNUM', field: 'e_shoff' });
    v.setBigUint64(40, BigInt(base.length), true);
    v.setUint32(base.length + 44, 1, true);
    const r = parseElf(b);
    expect(r.ok && r.value.programHeaders.length).toBe(1);
    v.setUint32(base.length + 44, 1_000_000, true);
    expect(errorOf(b)).toMatchObject({ clause: 'ELF.HDR.PHT_IN_FILE' });
  });

  it('names segment types the way readelf does', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 0x6474e550, 0x6474e551, 0x6474e552, 0x6474e553, 0x70000001].map(segmentTypeName)).toEqual([
      'NULL', 'LOAD', 'DYNAMIC', 'INTERP', 'NOTE', 'SHLIB', 'PHDR', 'TLS', 'GNU_EH_FRAME', 'GNU_STACK', 'GNU_RELRO', 'GNU_PROPERTY', '0x70000001',
    ]);
  });

  it('rethrows what is not an ELF failure (a bug must not be reported as bad input)', async () => {
    const { catchElf } = await import('./errors.ts');
    expect(() => catchElf(() => { throw new TypeError('bug'); })).toThrow(TypeError);
  });
});
