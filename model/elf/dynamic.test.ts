// PT_DYNAMIC and the relocation tables. Clauses: ELF.DYN.IN_LOAD, ELF.DYN.ADDR_MAPPED,
// ELF.DYN.RELA, ELF.DYN.RELR, ELF.RELOC.SYMBOL, ELF.RELOC.RELR, ELF.FILE.TRUNCATED.
import { describe, expect, it } from 'vitest';
import { readDynamic } from './dynamic.ts';
import { parseElf } from './parse.ts';
import { synthElf } from './synth.ts';
import { DATA, RELA_AT, RELR_AT, SLOTS, SYMTAB_AT, pieImage } from './testdata/pie.ts';
import {
  DT_RELA, DT_RELAENT, DT_RELASZ, DT_RELR, DT_RELRENT, DT_RELRSZ, DT_SYMENT, DT_SYMTAB, PT_DYNAMIC, PT_LOAD, R_X86_64_64, R_X86_64_RELATIVE,
  type ElfFile,
} from './types.ts';

function file(bytes: Uint8Array): ElfFile {
  const r = parseElf(bytes);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
function dynOf(bytes: Uint8Array) {
  return readDynamic(file(bytes));
}
function errOf(bytes: Uint8Array) {
  const r = dynOf(bytes);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('readDynamic', () => {
  it('is undefined without PT_DYNAMIC', () => {
    expect(dynOf(synthElf({ phdrs: [{ type: PT_LOAD, vaddr: 0x1000n, data: new Uint8Array(8) }] }))).toEqual({ ok: true, value: undefined });
  });

  it('reads RELA entries with their symbols, and expands RELR address and bitmap entries (ELF.RELOC.RELR)', () => {
    const r = dynOf(pieImage({
      rela: [{ offset: SLOTS, type: R_X86_64_RELATIVE, addend: 0x1234n }, { offset: SLOTS + 8n, type: R_X86_64_64, sym: 1, addend: 4n },
        { offset: SLOTS + 16n, type: R_X86_64_64, sym: 1, addend: -4n }],
      symbols: [{ value: 0n, shndx: 0, bind: 0 }, { value: 0x1010n, shndx: 1, bind: 1 }],
      // an address, then a bitmap relocating the 1st and 3rd words after it, then a bitmap 63 words later.
      relr: [SLOTS + 0x20n, 0b1011n, 0b11n],
    }));
    expect(r.ok).toBe(true);
    if (!r.ok || r.value === undefined) return;
    expect(r.value.rela.map((x) => [x.offset, x.type, x.sym, x.addend, x.symbol?.value])).toEqual([
      [SLOTS, R_X86_64_RELATIVE, 0, 0x1234n, undefined], [SLOTS + 8n, R_X86_64_64, 1, 4n, 0x1010n], [SLOTS + 16n, R_X86_64_64, 1, -4n, 0x1010n],
    ]);
    expect(r.value.rela[1]!.symbol).toEqual({ index: 1, value: 0x1010n, shndx: 1, bind: 1 });
    const c = SLOTS + 0x28n;
    expect(r.value.relr.map((x) => x.offset)).toEqual([SLOTS + 0x20n, c, c + 16n, c + 63n * 8n]);
    expect(r.value.relr[0]!.at).toBe(Number(file(pieImage()).programHeaders[1]!.offset) + 0x300);
  });

  it('a dynamic array past the end of the file is ELF.DYN.IN_LOAD', () => {
    const b = pieImage();
    new DataView(b.buffer).setBigUint64(64 + 2 * 56 + 32, 0x10_0000n, true);
    expect(errOf(b)).toMatchObject({ clause: 'ELF.DYN.IN_LOAD', field: 'phdr[2].p_offset', offset: 64 + 2 * 56 + 8 });
  });

  it('stops at DT_NULL and ignores a partial trailing entry', () => {
    const r = dynOf(pieImage({ dynamic: [[DT_SYMENT, 24n]] }));
    expect(r.ok && r.value?.entries.map((e) => e.tag)).toEqual([DT_SYMENT]);
  });

  it('DT_RELA without DT_RELASZ, or a wrong entry size or total, is ELF.DYN.RELA', () => {
    expect(errOf(pieImage({ dynamic: [[DT_RELA, RELA_AT], [DT_RELAENT, 24n]] }))).toMatchObject({ clause: 'ELF.DYN.RELA', field: 'DT_RELASZ' });
    expect(errOf(pieImage({ dynamic: [[DT_RELA, RELA_AT], [DT_RELASZ, 24n], [DT_RELAENT, 16n]] }))).toMatchObject({ clause: 'ELF.DYN.RELA', field: 'DT_RELAENT' });
    expect(errOf(pieImage({ dynamic: [[DT_RELA, RELA_AT], [DT_RELASZ, 25n], [DT_RELAENT, 24n]] }))).toMatchObject({ clause: 'ELF.DYN.RELA', field: 'DT_RELASZ' });
  });

  it('the same for RELR (ELF.DYN.RELR)', () => {
    expect(errOf(pieImage({ dynamic: [[DT_RELRSZ, 8n]] }))).toMatchObject({ clause: 'ELF.DYN.RELR', field: 'DT_RELR' });
    expect(errOf(pieImage({ dynamic: [[DT_RELR, RELR_AT], [DT_RELRSZ, 8n], [DT_RELRENT, 4n]] }))).toMatchObject({ clause: 'ELF.DYN.RELR', field: 'DT_RELRENT' });
  });

  it('a table address outside the file bytes of every PT_LOAD is ELF.DYN.ADDR_MAPPED (a huge DT_RELASZ does not allocate)', () => {
    expect(errOf(pieImage({ dynamic: [[DT_RELA, 0x9000n], [DT_RELASZ, 24n], [DT_RELAENT, 24n]] }))).toMatchObject({ clause: 'ELF.DYN.ADDR_MAPPED', field: 'DT_RELA' });
    expect(errOf(pieImage({ dynamic: [[DT_RELA, RELA_AT], [DT_RELASZ, 24n * 2n ** 50n], [DT_RELAENT, 24n]] }))).toMatchObject({ clause: 'ELF.DYN.ADDR_MAPPED' });
  });

  it('symbols: missing DT_SYMTAB, a wrong DT_SYMENT, or a symbol outside the file are ELF.RELOC.SYMBOL / ELF.DYN.ADDR_MAPPED', () => {
    const rela = [{ offset: SLOTS, type: R_X86_64_64, sym: 1, addend: 0n }];
    const tables: [bigint, bigint][] = [[DT_RELA, RELA_AT], [DT_RELASZ, 24n], [DT_RELAENT, 24n]];
    expect(errOf(pieImage({ rela, dynamic: tables }))).toMatchObject({ clause: 'ELF.RELOC.SYMBOL', field: 'rela[0].r_info' });
    expect(errOf(pieImage({ rela, dynamic: [...tables, [DT_SYMTAB, SYMTAB_AT], [DT_SYMENT, 16n]] }))).toMatchObject({ clause: 'ELF.RELOC.SYMBOL', field: 'DT_SYMENT' });
    const far = [{ offset: SLOTS, type: R_X86_64_64, sym: 100000, addend: 0n }];
    expect(errOf(pieImage({ rela: far, dynamic: [...tables, [DT_SYMTAB, SYMTAB_AT]] }))).toMatchObject({ clause: 'ELF.DYN.ADDR_MAPPED', field: 'DT_SYMTAB[100000]' });
  });

  it('finds tables through any PT_LOAD, including one after a non-loadable header', () => {
    const b = pieImage({ relr: [SLOTS], extraPhdrs: [{ type: PT_DYNAMIC, within: { entry: 1, at: 0 } }] });
    const r = dynOf(b);
    expect(r.ok && r.value?.relr.map((x) => x.offset)).toEqual([SLOTS]);
    expect(DATA).toBe(0x2000n);
  });
});
