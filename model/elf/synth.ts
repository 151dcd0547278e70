import { DYN_SIZE, EHDR_SIZE, EM_X86_64, ET_EXEC, PHDR_SIZE, PT_LOAD, RELA_SIZE, SYM_SIZE } from './types.ts';

/**
 * Builds small ELF64 images from a description, for tests, properties and the `elf`
 * vectors. Segments with `data` get file offsets chosen congruent to p_vaddr modulo
 * 4 KiB, after the header and the table, in order; `within` places a header's range
 * inside another entry's data (PT_DYNAMIC, PT_GNU_RELRO, PT_PHDR…).
 */
export interface PhSpec {
  readonly type: number;
  readonly flags?: number;
  readonly vaddr?: bigint;
  readonly paddr?: bigint;
  readonly offset?: bigint;
  readonly filesz?: bigint;
  readonly memsz?: bigint;
  readonly align?: bigint;
  readonly data?: Uint8Array;
  /** Place this header's range at byte `at` of entry `entry`'s data (length `filesz`, default the rest). */
  readonly within?: { readonly entry: number; readonly at: number };
}

export interface ElfSpec {
  readonly type?: number;
  readonly machine?: number;
  readonly entry?: bigint;
  readonly phdrs: readonly PhSpec[];
}

export function synthElf(spec: ElfSpec): Uint8Array {
  const n = spec.phdrs.length;
  let cursor = EHDR_SIZE + n * PHDR_SIZE;
  const placed: { offset: bigint; vaddr: bigint; filesz: bigint }[] = [];
  const blobs: { offset: number; data: Uint8Array }[] = [];
  for (const p of spec.phdrs) {
    if (p.data !== undefined && p.within === undefined) {
      const vaddr = p.vaddr ?? 0n;
      const want = Number(vaddr % 4096n);
      let off = Math.ceil(cursor / 4096) * 4096 + want;
      if (off - 4096 >= cursor) off -= 4096;
      blobs.push({ offset: off, data: p.data });
      cursor = off + p.data.length;
      placed.push({ offset: p.offset ?? BigInt(off), vaddr, filesz: p.filesz ?? BigInt(p.data.length) });
    } else {
      placed.push({ offset: p.offset ?? 0n, vaddr: p.vaddr ?? 0n, filesz: p.filesz ?? 0n });
    }
  }
  spec.phdrs.forEach((p, i) => {
    if (p.within === undefined) return;
    const host = placed[p.within.entry]!;
    const filesz = p.filesz ?? host.filesz - BigInt(p.within.at);
    placed[i] = { offset: p.offset ?? host.offset + BigInt(p.within.at), vaddr: p.vaddr ?? host.vaddr + BigInt(p.within.at), filesz };
  });
  const bytes = new Uint8Array(Math.max(cursor, EHDR_SIZE + n * PHDR_SIZE));
  const v = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, spec.type ?? ET_EXEC, true);
  v.setUint16(18, spec.machine ?? EM_X86_64, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(24, spec.entry ?? (spec.phdrs.find((p) => p.type === PT_LOAD)?.vaddr ?? 0n), true);
  v.setBigUint64(32, n > 0 ? BigInt(EHDR_SIZE) : 0n, true);
  v.setUint16(52, EHDR_SIZE, true);
  v.setUint16(54, PHDR_SIZE, true);
  v.setUint16(56, n, true);
  v.setUint16(58, 64, true);
  spec.phdrs.forEach((p, i) => {
    const at = EHDR_SIZE + i * PHDR_SIZE;
    const q = placed[i]!;
    v.setUint32(at, p.type, true);
    v.setUint32(at + 4, p.flags ?? 4, true);
    v.setBigUint64(at + 8, q.offset, true);
    v.setBigUint64(at + 16, q.vaddr, true);
    v.setBigUint64(at + 24, p.paddr ?? q.vaddr, true);
    v.setBigUint64(at + 32, q.filesz, true);
    v.setBigUint64(at + 40, p.memsz ?? q.filesz, true);
    v.setBigUint64(at + 48, p.align ?? (p.type === PT_LOAD ? 0x1000n : 8n), true);
  });
  for (const b of blobs) bytes.set(b.data, b.offset);
  return bytes;
}

/** Little-endian bytes of 64-bit words. */
export function qwords(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setBigUint64(i * 8, BigInt.asUintN(64, x), true));
  return out;
}

/** A dynamic array (tag, value pairs) ending with DT_NULL. */
export function dynamicArray(entries: readonly (readonly [bigint, bigint])[]): Uint8Array {
  return qwords([...entries.flatMap(([t, val]) => [t, val]), 0n, 0n]);
}

/** RELA entries. */
export function relaTable(entries: readonly { offset: bigint; type: number; sym?: number; addend: bigint }[]): Uint8Array {
  return qwords(entries.flatMap((e) => [e.offset, (BigInt(e.sym ?? 0) << 32n) | BigInt(e.type), e.addend]));
}

/** ELF64 symbols: (value, shndx, bind). */
export function symbolTable(entries: readonly { value: bigint; shndx: number; bind: number }[]): Uint8Array {
  const out = new Uint8Array(entries.length * SYM_SIZE);
  const v = new DataView(out.buffer);
  entries.forEach((s, i) => {
    v.setUint8(i * SYM_SIZE + 4, s.bind << 4);
    v.setUint16(i * SYM_SIZE + 6, s.shndx, true);
    v.setBigUint64(i * SYM_SIZE + 8, s.value, true);
  });
  return out;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export { DYN_SIZE, RELA_SIZE };
