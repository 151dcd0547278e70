import type { PhysAddr } from './addr.ts';
import { FRAME_SIZE, type PhysMemory } from './memory.ts';
import { err, ok, type Result } from './mapper-result.ts';

/** A half-open physical range [start, end); both ends 4 KiB-aligned. */
export interface PhysRange {
  readonly start: number;
  readonly end: number;
}

/** The allocator ran out: `requested` frames were asked for, only `remaining` were left. */
export interface FramesExhausted {
  readonly kind: 'FramesExhausted';
  readonly requested: number;
  readonly remaining: number;
}

/** A range given to `RangeFrameAllocator.create` is unusable; `index` is its position in the list. */
export interface BadFrameRange {
  readonly kind: 'BadFrameRange';
  readonly index: number;
  readonly range: PhysRange;
  readonly reason: 'not an integer' | 'misaligned' | 'empty' | 'above 2^52' | 'overlaps another range';
}

/**
 * Hands out 4 KiB physical frames for page tables. Every frame it returns is zeroed in
 * the memory it manages (a fresh table must read as all not-present entries).
 */
export interface FrameAllocator {
  /**
   * Takes `count` zeroed frames, all or none: on exhaustion nothing is taken and memory
   * is untouched, so a caller can ask for everything an operation needs before it writes.
   */
  allocate(count: number): Result<readonly PhysAddr[], FramesExhausted>;
  /** Frames still available. */
  readonly remaining: number;
}

/**
 * A bump allocator over a list of physical ranges: frames come out in the order the
 * ranges were given, ascending inside each range, and are never returned. Deterministic:
 * the same ranges and the same requests give the same frames.
 */
export class RangeFrameAllocator implements FrameAllocator {
  private rangeIndex = 0;
  private next: number;
  private left: number;

  private constructor(
    private readonly memory: PhysMemory,
    private readonly ranges: readonly PhysRange[],
  ) {
    this.next = ranges[0]?.start ?? 0;
    this.left = ranges.reduce((n, r) => n + (r.end - r.start) / FRAME_SIZE, 0);
  }

  /** An allocator over `ranges` of `memory`, or the first range that is unusable. */
  static create(memory: PhysMemory, ranges: readonly PhysRange[]): Result<RangeFrameAllocator, BadFrameRange> {
    for (const [index, range] of ranges.entries()) {
      const reason = rangeProblem(range, ranges.slice(0, index));
      if (reason !== undefined) return err({ kind: 'BadFrameRange', index, range, reason });
    }
    return ok(new RangeFrameAllocator(memory, ranges));
  }

  get remaining(): number {
    return this.left;
  }

  allocate(count: number): Result<readonly PhysAddr[], FramesExhausted> {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`frame count must be a non-negative integer, got ${count}`);
    if (count > this.left) return err({ kind: 'FramesExhausted', requested: count, remaining: this.left });
    const frames: PhysAddr[] = [];
    for (let i = 0; i < count; i++) frames.push(this.takeOne());
    return ok(frames);
  }

  private takeOne(): PhysAddr {
    // Skip exhausted ranges; `left` > 0 guarantees a later one has room.
    while (this.next >= this.ranges[this.rangeIndex]!.end) {
      this.rangeIndex++;
      this.next = this.ranges[this.rangeIndex]!.start;
    }
    const frame = this.next as PhysAddr;
    this.next += FRAME_SIZE;
    this.left--;
    this.memory.zeroFrame(frame);
    return frame;
  }
}

function rangeProblem(r: PhysRange, earlier: readonly PhysRange[]): BadFrameRange['reason'] | undefined {
  if (!Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end)) return 'not an integer';
  if (r.start < 0 || r.start % FRAME_SIZE !== 0 || r.end % FRAME_SIZE !== 0) return 'misaligned';
  if (r.end <= r.start) return 'empty';
  if (r.end > 2 ** 52) return 'above 2^52';
  if (earlier.some((e) => r.start < e.end && e.start < r.end)) return 'overlaps another range';
  return undefined;
}
