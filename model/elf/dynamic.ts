import type { ElfClauseId } from '../../spec/clauses/elf.ts';
import { catchElf, fail, hex, type ElfResult } from './errors.ts';
import { ByteReader } from './reader.ts';
import {
  DT_NULL, DT_RELA, DT_RELAENT, DT_RELASZ, DT_RELR, DT_RELRENT, DT_RELRSZ, DT_SYMENT, DT_SYMTAB,
  DYN_SIZE, PT_DYNAMIC, PT_LOAD, RELA_SIZE, RELR_SIZE, SYM_SIZE,
  type DynEntry, type DynamicInfo, type ElfFile, type Rela, type SymbolRef,
} from './types.ts';

/**
 * Reads PT_DYNAMIC and the relocation tables it names (DT_RELA and DT_RELR, with the
 * symbols R_X86_64_64 refers to). Resolves to `undefined` when the file has no
 * PT_DYNAMIC. Every table is located through the PT_LOAD that holds its address and
 * bounds-checked against the file before it is read, so sizes from the file never drive
 * an allocation larger than the file itself.
 */
export function readDynamic(file: ElfFile): ElfResult<DynamicInfo | undefined> {
  return catchElf(() => readOrThrow(file));
}

function readOrThrow(file: ElfFile): DynamicInfo | undefined {
  const ph = file.programHeaders.find((p) => p.type === PT_DYNAMIC);
  if (ph === undefined) return undefined;
  const r = new ByteReader(file.bytes);
  const field = `phdr[${ph.index}]`;
  if (ph.offset + ph.filesz > BigInt(r.size)) {
    fail('ELF.DYN.IN_LOAD', `${field}.p_offset`, ph.at + 8,
      `the dynamic array (${hex(ph.filesz)} bytes at ${hex(ph.offset)}) runs past the end of the ${r.size}-byte file`);
  }
  const at = Number(ph.offset);
  const count = Number(ph.filesz / BigInt(DYN_SIZE));
  const entries: DynEntry[] = [];
  for (let i = 0; i < count; i++) {
    const o = at + i * DYN_SIZE;
    const tag = r.i64(`dynamic[${i}].d_tag`, o);
    if (tag === DT_NULL) break;
    entries.push({ tag, value: r.u64(`dynamic[${i}].d_val`, o + 8), at: o });
  }
  const tags = new Map<bigint, DynEntry>();
  for (const e of entries) if (!tags.has(e.tag)) tags.set(e.tag, e);
  const ctx: Ctx = { file, r, tags, dynAt: at };
  return { at, entries, rela: readRela(ctx), relr: readRelr(ctx) };
}

interface Ctx {
  readonly file: ElfFile;
  readonly r: ByteReader;
  readonly tags: ReadonlyMap<bigint, DynEntry>;
  readonly dynAt: number;
}

/** The file offset of [addr, addr+length) through the PT_LOAD whose file bytes hold it (ELF.DYN.ADDR_MAPPED). */
export function fileOffsetOf(file: ElfFile, addr: bigint, length: bigint): number | undefined {
  for (const p of file.programHeaders) {
    if (p.type !== PT_LOAD) continue;
    if (addr >= p.vaddr && addr + length <= p.vaddr + p.filesz && p.offset + p.filesz <= BigInt(file.bytes.length)) {
      return Number(p.offset + (addr - p.vaddr));
    }
  }
  return undefined;
}

function mapped(ctx: Ctx, name: string, entry: DynEntry, length: bigint): number {
  const off = fileOffsetOf(ctx.file, entry.value, length);
  if (off === undefined) {
    fail('ELF.DYN.ADDR_MAPPED', name, entry.at + 8,
      `${name} names ${hex(entry.value)}..${hex(entry.value + length)}, which is not inside the file bytes of any PT_LOAD`);
  }
  return off;
}

/** The table named by (addrTag, sizeTag, entTag) when all three agree; undefined when none is present. */
function table(ctx: Ctx, clause: ElfClauseId, names: readonly [string, string, string], tagIds: readonly [bigint, bigint, bigint], entSize: number):
  { at: number; count: number } | undefined {
  const [addr, size, ent] = tagIds.map((t) => ctx.tags.get(t));
  if (addr === undefined && size === undefined && ent === undefined) return undefined;
  const missing = names.filter((_, i) => [addr, size, ent][i] === undefined);
  if (addr === undefined || size === undefined || ent === undefined) {
    fail(clause, missing[0]!, ctx.dynAt, `${names.filter((n) => !missing.includes(n)).join(', ')} present without ${missing.join(', ')}`);
  }
  if (ent.value !== BigInt(entSize)) fail(clause, names[2], ent.at + 8, `${names[2]} is ${ent.value}; entries are ${entSize} bytes`);
  if (size.value % BigInt(entSize) !== 0n) fail(clause, names[1], size.at + 8, `${names[1]} (${size.value}) is not a multiple of ${entSize}`);
  return { at: mapped(ctx, names[0], addr, size.value), count: Number(size.value / BigInt(entSize)) };
}

function readRela(ctx: Ctx): Rela[] {
  const t = table(ctx, 'ELF.DYN.RELA', ['DT_RELA', 'DT_RELASZ', 'DT_RELAENT'], [DT_RELA, DT_RELASZ, DT_RELAENT], RELA_SIZE);
  if (t === undefined) return [];
  const symbols = new Map<number, SymbolRef>();
  const out: Rela[] = [];
  for (let i = 0; i < t.count; i++) {
    const at = t.at + i * RELA_SIZE;
    const info = ctx.r.u64(`rela[${i}].r_info`, at + 8);
    const sym = Number(info >> 32n);
    const rela: Rela = {
      at,
      offset: ctx.r.u64(`rela[${i}].r_offset`, at),
      type: Number(info & 0xffff_ffffn),
      sym,
      addend: ctx.r.i64(`rela[${i}].r_addend`, at + 16),
    };
    out.push(sym === 0 ? rela : { ...rela, symbol: symbolAt(ctx, sym, symbols, `rela[${i}].r_info`, at + 8) });
  }
  return out;
}

function symbolAt(ctx: Ctx, index: number, cache: Map<number, SymbolRef>, field: string, at: number): SymbolRef {
  const cached = cache.get(index);
  if (cached !== undefined) return cached;
  const symtab = ctx.tags.get(DT_SYMTAB);
  if (symtab === undefined) fail('ELF.RELOC.SYMBOL', field, at, `relocation names symbol ${index} but there is no DT_SYMTAB`);
  const syment = ctx.tags.get(DT_SYMENT);
  if (syment !== undefined && syment.value !== BigInt(SYM_SIZE)) {
    fail('ELF.RELOC.SYMBOL', 'DT_SYMENT', syment.at + 8, `DT_SYMENT is ${syment.value}; ELF64 symbols are ${SYM_SIZE} bytes`);
  }
  const entry = { ...symtab, value: symtab.value + BigInt(index) * BigInt(SYM_SIZE) };
  const o = mapped(ctx, `DT_SYMTAB[${index}]`, entry, BigInt(SYM_SIZE));
  const s: SymbolRef = {
    index,
    bind: ctx.r.u8(`sym[${index}].st_info`, o + 4) >> 4,
    shndx: ctx.r.u16(`sym[${index}].st_shndx`, o + 6),
    value: ctx.r.u64(`sym[${index}].st_value`, o + 8),
  };
  cache.set(index, s);
  return s;
}

/** Expands the RELR table (ELF.RELOC.RELR) into the addresses it relocates. */
function readRelr(ctx: Ctx): DynamicInfo['relr'] {
  const t = table(ctx, 'ELF.DYN.RELR', ['DT_RELR', 'DT_RELRSZ', 'DT_RELRENT'], [DT_RELR, DT_RELRSZ, DT_RELRENT], RELR_SIZE);
  if (t === undefined) return [];
  const out: { offset: bigint; at: number }[] = [];
  let cursor = 0n;
  for (let i = 0; i < t.count; i++) {
    const at = t.at + i * RELR_SIZE;
    const entry = ctx.r.u64(`relr[${i}]`, at);
    if ((entry & 1n) === 0n) {
      // An address entry: relocate it and continue just after it.
      out.push({ offset: entry, at });
      cursor = entry + 8n;
    } else {
      // A bitmap entry: bit k (k = 1..63) covers the word at cursor + (k-1)*8.
      for (let k = 1n; k < 64n; k++) {
        if (((entry >> k) & 1n) === 1n) out.push({ offset: cursor + (k - 1n) * 8n, at });
      }
      cursor += 63n * 8n;
    }
  }
  return out;
}
