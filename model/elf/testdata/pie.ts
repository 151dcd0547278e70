/**
 * A synthetic position-independent image for tests: a 4 KiB text page at 0x1000 (RX)
 * and a data segment at 0x2000 (RW) whose bytes hold, at fixed places, the dynamic array
 * (0x000), a RELA table (0x100), a symbol table (0x200), a RELR table (0x300) and the
 * relocated slots (0x400–0x7ff), followed by .bss up to `bssEnd`.
 */
import { concat, dynamicArray, qwords, relaTable, symbolTable, synthElf, type PhSpec } from '../synth.ts';
import {
  DT_RELA, DT_RELAENT, DT_RELASZ, DT_RELR, DT_RELRENT, DT_RELRSZ, DT_SYMENT, DT_SYMTAB, ET_DYN, PT_DYNAMIC, PT_GNU_RELRO, PT_LOAD,
} from '../types.ts';

export const DATA = 0x2000n;
export const RELA_AT = DATA + 0x100n;
export const SYMTAB_AT = DATA + 0x200n;
export const RELR_AT = DATA + 0x300n;
export const SLOTS = DATA + 0x400n;
/** RELA entries that fit in their 0x100-byte area (24 bytes each). */
export const RELA_CAPACITY = Math.floor(0x100 / 24);

export interface PieSpec {
  readonly rela?: readonly { offset: bigint; type: number; sym?: number; addend: bigint }[];
  readonly symbols?: readonly { value: bigint; shndx: number; bind: number }[];
  readonly relr?: readonly bigint[];
  /** Link-time contents of the slots area (qwords from SLOTS). */
  readonly slots?: readonly bigint[];
  /** Dynamic entries replacing the ones derived from the tables. */
  readonly dynamic?: readonly (readonly [bigint, bigint])[];
  readonly extraDynamic?: readonly (readonly [bigint, bigint])[];
  readonly bss?: bigint;
  readonly relro?: boolean;
  readonly extraPhdrs?: readonly PhSpec[];
}

/** `b` zero-padded to its fixed area; a table too big for its area is a broken fixture, not a truncation. */
function pad(b: Uint8Array, size: number, what: string): Uint8Array {
  if (b.length > size) throw new RangeError(`pieImage: the ${what} needs ${b.length} bytes but its area holds ${size}`);
  const out = new Uint8Array(size);
  out.set(b);
  return out;
}

export function pieImage(spec: PieSpec = {}): Uint8Array {
  const rela = spec.rela ?? [];
  const relr = spec.relr ?? [];
  const syms = spec.symbols ?? [];
  const derived: [bigint, bigint][] = [];
  if (rela.length > 0) derived.push([DT_RELA, RELA_AT], [DT_RELASZ, BigInt(rela.length * 24)], [DT_RELAENT, 24n]);
  if (syms.length > 0) derived.push([DT_SYMTAB, SYMTAB_AT], [DT_SYMENT, 24n]);
  if (relr.length > 0) derived.push([DT_RELR, RELR_AT], [DT_RELRSZ, BigInt(relr.length * 8)], [DT_RELRENT, 8n]);
  const dyn = [...(spec.dynamic ?? derived), ...(spec.extraDynamic ?? [])];
  const data = concat([
    pad(dynamicArray(dyn), 0x100, 'dynamic array'), pad(relaTable(rela), 0x100, 'RELA table'),
    pad(symbolTable(syms), 0x100, 'symbol table'), pad(qwords(relr), 0x100, 'RELR table'),
    pad(qwords(spec.slots ?? []), 0x400, 'slots area'),
  ]);
  const phdrs: PhSpec[] = [
    { type: PT_LOAD, flags: 5, vaddr: 0x1000n, data: new Uint8Array(0x20).fill(0xc3) },
    { type: PT_LOAD, flags: 6, vaddr: DATA, data, memsz: BigInt(data.length) + (spec.bss ?? 0n) },
    { type: PT_DYNAMIC, flags: 6, within: { entry: 1, at: 0 }, filesz: BigInt((dyn.length + 1) * 16) },
    ...(spec.relro ? [{ type: PT_GNU_RELRO, flags: 4, within: { entry: 1, at: 0 }, filesz: 0x1000n, memsz: 0x1000n, align: 1n }] : []),
    ...(spec.extraPhdrs ?? []),
  ];
  return synthElf({ type: ET_DYN, entry: 0x1000n, phdrs });
}
