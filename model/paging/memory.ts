import type { PhysAddr } from './addr.ts';
import { u64, type U64 } from './u64.ts';

const FRAME_SHIFT = 12;
const FRAME_SIZE = 4096;
const WORDS_PER_FRAME = FRAME_SIZE / 4;

/**
 * Sparse physical memory over the whole 52-bit physical address space. Storage is
 * allocated a 4 KiB frame at a time on first write; every byte never written reads as
 * zero (as the vector format requires). Qwords are little-endian and stored as two
 * 32-bit words, so the walk reads an entry's halves without building a BigInt.
 */
export class PhysMemory {
  protected readonly frames = new Map<number, Uint32Array>();
  /**
   * Changes whenever a frame's storage object is created or dropped, so a caller that
   * memoises `frameWords` (the walk does, per level) knows when to look again.
   */
  generation = 0;

  /** The 32-bit words of the frame holding `pa`, or undefined when it was never written. */
  frameWords(pa: PhysAddr): Uint32Array | undefined {
    return this.frames.get(Math.floor(pa / FRAME_SIZE));
  }

  /** The frame's own storage for writing, created (with its current contents) on first write. */
  protected frameFor(pa: number): Uint32Array {
    const pfn = Math.floor(pa / FRAME_SIZE);
    let words = this.frames.get(pfn);
    if (words === undefined) {
      words = this.frameWords(pa as PhysAddr)?.slice() ?? new Uint32Array(WORDS_PER_FRAME);
      this.frames.set(pfn, words);
      this.generation++;
    }
    return words;
  }

  /** Reads the qword at `pa` (8-byte aligned). */
  read64(pa: PhysAddr): U64 {
    const words = this.frameWords(pa);
    if (words === undefined) return u64(0, 0);
    const i = (pa % FRAME_SIZE) >>> 2;
    return u64(words[i + 1]!, words[i]!);
  }

  /** Writes the qword at `pa` (8-byte aligned). */
  write64(pa: PhysAddr, value: U64): void {
    checkAligned(pa);
    const words = this.frameFor(pa);
    const i = (pa % FRAME_SIZE) >>> 2;
    words[i] = value.lo;
    words[i + 1] = value.hi;
  }

  /** Replaces the low half of the qword at `pa` (8-byte aligned); how A/D updates are written. */
  writeLo(pa: PhysAddr, lo: number): void {
    checkAligned(pa);
    this.frameFor(pa)[(pa % FRAME_SIZE) >>> 2] = lo;
  }

  readByte(pa: PhysAddr): number {
    const words = this.frameWords(pa);
    if (words === undefined) return 0;
    const off = pa % FRAME_SIZE;
    return (words[off >>> 2]! >>> ((off & 3) * 8)) & 0xff;
  }

  writeByte(pa: PhysAddr, value: number): void {
    const words = this.frameFor(pa);
    const off = pa % FRAME_SIZE;
    const shift = (off & 3) * 8;
    words[off >>> 2] = (words[off >>> 2]! & ~(0xff << shift)) | ((value & 0xff) << shift);
  }

  /** Copies `bytes` into memory starting at `pa`. */
  writeBytes(pa: PhysAddr, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.writeByte((pa + i) as PhysAddr, bytes[i]!);
  }

  /** Reads `length` bytes starting at `pa`. */
  readBytes(pa: PhysAddr, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.readByte((pa + i) as PhysAddr);
    return out;
  }

  /** Zeroes the 4 KiB frame at `pa` (frame-aligned). */
  zeroFrame(pa: PhysAddr): void {
    this.frames.delete(Math.floor(pa / FRAME_SIZE));
    this.generation++;
  }

  /** An independent copy (frames are copied, not shared). */
  clone(): PhysMemory {
    const copy = new PhysMemory();
    for (const [pfn, words] of this.frames) copy.frames.set(pfn, words.slice());
    return copy;
  }

  /** Every non-zero qword, in ascending address order. */
  *nonZeroQwords(): Generator<[PhysAddr, U64]> {
    const pfns = [...this.frames.keys()].sort((a, b) => a - b);
    for (const pfn of pfns) {
      const words = this.frames.get(pfn)!;
      for (let i = 0; i < WORDS_PER_FRAME; i += 2) {
        if (words[i] !== 0 || words[i + 1] !== 0) {
          yield [(pfn * FRAME_SIZE + i * 4) as PhysAddr, u64(words[i + 1]!, words[i]!)];
        }
      }
    }
  }

  /** Number of 4 KiB frames holding storage (for memory accounting in benchmarks). */
  get frameCount(): number {
    return this.frames.size;
  }

  /** Frame numbers with storage, ascending. */
  framesInUse(): number[] {
    return [...this.frames.keys()].sort((a, b) => a - b);
  }
}

function checkAligned(pa: number): void {
  if (pa % 8 !== 0) throw new RangeError(`qword access at unaligned physical address 0x${pa.toString(16)}`);
}

export { FRAME_SHIFT, FRAME_SIZE };
