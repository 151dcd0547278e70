/**
 * fast-check arbitraries for ELF images: layouts of PT_LOAD segments (sizes, gaps, pages
 * shared or not, rights), built into real ELF64 bytes with model/elf/synth.ts, and
 * position-independent images with RELATIVE / R_X86_64_64 / RELR relocations.
 */
import fc from 'fast-check';
import { synthElf, type PhSpec } from '../../model/elf/synth.ts';
import { RELA_CAPACITY, SLOTS, pieImage } from '../../model/elf/testdata/pie.ts';
import { PF_R, PF_W, PF_X, PT_LOAD, R_X86_64_64, R_X86_64_RELATIVE } from '../../model/elf/types.ts';

/**
 * Makes a case print as the parameters that produced it (a counterexample of a few
 * numbers), not as thousands of image bytes.
 */
export function quiet<T extends object>(value: T, params: unknown): T {
  Object.defineProperty(value, 'toJSON', { value: () => params, enumerable: false });
  return value;
}

export interface SegmentShape {
  readonly gap: number;
  readonly filesz: number;
  readonly extra: number;
  readonly writable: boolean;
  readonly executable: boolean;
  readonly seed: number;
}

const shape: fc.Arbitrary<SegmentShape> = fc.record({
  // bytes between the previous segment's end and this one's start: 0 shares a page.
  gap: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 3 * 4096 })),
  filesz: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
  extra: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 9000 })),
  writable: fc.boolean(),
  executable: fc.boolean(),
  seed: fc.integer({ min: 1, max: 255 }),
});

export interface Layout {
  readonly bytes: Uint8Array;
  readonly start: bigint;
  /** Physical address of each segment when placement honours p_paddr (page-congruent, not overlapping). */
  readonly paddrs: readonly bigint[];
}

/** ET_EXEC images of 1–4 loadable segments in the lower or the higher half, entry in the first executable one. */
export const layoutArb: fc.Arbitrary<Layout> = fc.record({
  high: fc.boolean(),
  startPage: fc.integer({ min: 0, max: 64 }),
  startOffset: fc.integer({ min: 0, max: 4095 }),
  physPage: fc.integer({ min: 0x100, max: 0x800 }),
  shapes: fc.array(shape, { minLength: 1, maxLength: 4 }),
}).map(({ high, startPage, startOffset, physPage, shapes }) => {
  const start = (high ? 0xffffffff80000000n : 0x400000n) + BigInt(startPage * 4096 + startOffset);
  let cursor = start;
  let phys = BigInt(physPage) * 4096n;
  const phdrs: PhSpec[] = [];
  const paddrs: bigint[] = [];
  shapes.forEach((s, i) => {
    const vaddr = cursor + (i === 0 ? 0n : BigInt(s.gap));
    const memsz = BigInt(Math.max(1, s.filesz + s.extra));
    const executable = s.executable || (i === 0 && !shapes.some((x) => x.executable));
    // Physical placement: a fresh page run per segment, congruent to p_vaddr modulo 4 KiB.
    const paddr = phys + (vaddr % 4096n);
    paddrs.push(paddr);
    phys = ((paddr + memsz + 4095n) / 4096n) * 4096n + 4096n;
    const data = new Uint8Array(s.filesz);
    for (let k = 0; k < data.length; k++) data[k] = (s.seed * (k + 7) + i) & 0xff;
    phdrs.push({ type: PT_LOAD, flags: PF_R | (s.writable ? PF_W : 0) | (executable ? PF_X : 0), vaddr, paddr, data, memsz, align: 0x1000n });
    cursor = vaddr + memsz;
  });
  const firstX = phdrs.find((p) => ((p.flags ?? 0) & PF_X) !== 0)!;
  return quiet({ bytes: synthElf({ phdrs, entry: firstX.vaddr }), start, paddrs }, { high, startPage, startOffset, physPage, shapes });
});

export interface PieCase {
  readonly bytes: Uint8Array;
  /** Slots that hold a relocated value. */
  readonly slots: readonly bigint[];
  /** p_align of both PT_LOADs: a load base must be a multiple of it (ELF.LOAD.BASE_ALIGN). */
  readonly align: bigint;
}

/** Position-independent images with RELATIVE, R_X86_64_64 (defined symbol) and RELR relocations on distinct slots. */
export const pieArb: fc.Arbitrary<PieCase> = fc.record({
  // RELA entries beyond what the image's RELA area holds become RELR slots instead.
  kinds: fc.array(fc.constantFrom('relative', 'abs64', 'relr'), { minLength: 1, maxLength: 40 }).map(withinRelaCapacity),
  addends: fc.array(fc.bigInt({ min: 0n, max: 0xffff_ffffn }), { minLength: 40, maxLength: 40 }),
  symValue: fc.bigInt({ min: 0x1000n, max: 0x1fffn }),
  align: fc.constantFrom(0x1000n, 0x1_0000n, 0x20_0000n),
}).map(({ kinds, addends, symValue, align }) => {
  const rela: { offset: bigint; type: number; sym?: number; addend: bigint }[] = [];
  const relrSlots: bigint[] = [];
  const slotValues: bigint[] = [];
  kinds.forEach((k, i) => {
    const offset = SLOTS + BigInt(i * 8);
    if (k === 'relative') rela.push({ offset, type: R_X86_64_RELATIVE, addend: addends[i]! });
    else if (k === 'abs64') rela.push({ offset, type: R_X86_64_64, sym: 1, addend: addends[i]! });
    else relrSlots.push(offset);
    slotValues.push(k === 'relr' ? addends[i]! : 0n);
  });
  const relr = encodeRelr(relrSlots);
  const bytes = pieImage({ rela, relr, slots: slotValues, symbols: [{ value: 0n, shndx: 0, bind: 0 }, { value: symValue, shndx: 1, bind: 1 }], relro: false, bss: 0x1000n });
  // pieImage puts each segment at a file offset equal to its p_vaddr, so any alignment is congruent.
  const view = new DataView(bytes.buffer);
  for (const i of [0, 1]) view.setBigUint64(64 + i * 56 + 48, align, true);
  return quiet({ bytes, slots: kinds.map((_, i) => SLOTS + BigInt(i * 8)), align }, { kinds, addends: addends.slice(0, kinds.length), symValue, align });
});

function withinRelaCapacity(kinds: readonly ('relative' | 'abs64' | 'relr')[]): ('relative' | 'abs64' | 'relr')[] {
  let rela = 0;
  return kinds.map((k) => (k === 'relr' || ++rela <= RELA_CAPACITY ? k : 'relr'));
}

/** RELR encoding of ascending 8-byte-aligned addresses: an address entry, then bitmaps (ELF.RELOC.RELR). */
export function encodeRelr(addrs: readonly bigint[]): bigint[] {
  const out: bigint[] = [];
  let i = 0;
  while (i < addrs.length) {
    out.push(addrs[i]!);
    let cursor = addrs[i]! + 8n;
    i++;
    for (;;) {
      let bitmap = 0n;
      while (i < addrs.length && addrs[i]! - cursor < 63n * 8n) {
        bitmap |= 1n << ((addrs[i]! - cursor) / 8n + 1n);
        i++;
      }
      if (bitmap === 0n) break;
      out.push(bitmap | 1n);
      cursor += 63n * 8n;
    }
  }
  return out;
}

/** Bases for a PIE: multiples of 4 KiB (the largest p_align here) that keep the 1-MiB-or-smaller image canonical. */
export const baseArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 35n) - 0x100n }).map((p) => p * 4096n),
  fc.bigInt({ min: 0n, max: (1n << 35n) - 0x100n }).map((p) => 0xffff_8000_0000_0000n + p * 4096n),
  fc.constantFrom(0xffff_ffff_8000_0000n, (1n << 47n) - 0x10_0000n, 0xffff_ffff_fff0_0000n),
);
