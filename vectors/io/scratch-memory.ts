import { PhysMemory } from '../../model/paging/memory.ts';

/** Frames kept for reuse after `reset` (a paging vector touches a handful). */
const SPARE_LIMIT = 64;

/**
 * Physical memory that one caller refills for vector after vector: `reset` empties it
 * but keeps the frames' storage, so answering a vector does not allocate and zero a
 * fresh 4 KiB array per table. Reads and writes behave exactly as `PhysMemory`'s.
 */
export class ScratchMemory extends PhysMemory {
  private readonly spare: Uint32Array[] = [];

  protected override frameFor(pa: number): Uint32Array {
    const pfn = Math.floor(pa / 4096);
    let words = this.frames.get(pfn);
    if (words === undefined) {
      words = this.spare.pop() ?? new Uint32Array(1024);
      this.frames.set(pfn, words);
      this.generation++;
    }
    return words;
  }

  /** Makes every byte read as zero again. */
  reset(): void {
    for (const words of this.frames.values()) {
      if (this.spare.length >= SPARE_LIMIT) break;
      words.fill(0);
      this.spare.push(words);
    }
    this.frames.clear();
    this.generation++;
  }
}
