import type { PhysAddr } from './addr.ts';
import { PhysMemory } from './memory.ts';

/**
 * Physical memory backed by a raw dump (as QEMU's `pmemsave` writes): byte i of the
 * dump is physical address `base + i`. Reads outside the dump are recorded, so a
 * caller can tell "not present" from "not in the dump" instead of silently reading 0.
 * Writes (A/D updates) go to a private copy of the frame; the dump is never changed.
 */
export class DumpMemory extends PhysMemory {
  private readonly words: Uint32Array;
  /** Physical addresses the walk tried to read outside the dump, in order. */
  readonly outsideReads: PhysAddr[] = [];

  constructor(dump: Uint8Array, readonly base: number) {
    super();
    if (base % 4096 !== 0) throw new RangeError(`dump base 0x${base.toString(16)} is not 4-KiB aligned`);
    // Views need 4-byte alignment; copy when the buffer is not aligned or not whole words.
    const aligned = dump.byteOffset % 4 === 0 && dump.byteLength % 4 === 0
      ? dump : (() => { const c = new Uint8Array(Math.ceil(dump.byteLength / 4) * 4); c.set(dump); return c; })();
    this.words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  }

  /** Size of the dump in bytes (rounded up to whole 32-bit words). */
  get size(): number {
    return this.words.length * 4;
  }

  override frameWords(pa: PhysAddr): Uint32Array | undefined {
    const own = super.frameWords(pa);
    if (own !== undefined) return own;
    const frameStart = Math.floor(pa / 4096) * 4096 - this.base;
    if (frameStart < 0 || frameStart + 4096 > this.size) {
      this.outsideReads.push(pa);
      return undefined;
    }
    return this.words.subarray(frameStart / 4, frameStart / 4 + 1024);
  }
}
