import { describe, expect, it } from 'vitest';
import { RangeFrameAllocator } from './frames.ts';
import { PhysMemory } from './memory.ts';
import { physAddr } from './addr.ts';
import { u64 } from './u64.ts';

function allocator(ranges: { start: number; end: number }[], memory = new PhysMemory()): RangeFrameAllocator {
  const made = RangeFrameAllocator.create(memory, ranges);
  if (!made.ok) throw new Error(made.error.reason);
  return made.value;
}

describe('RangeFrameAllocator', () => {
  it('hands out frames in range order, ascending, skipping to the next range when one is used up', () => {
    const a = allocator([{ start: 0x5000, end: 0x7000 }, { start: 0x1000, end: 0x2000 }]);
    expect(a.remaining).toBe(3);
    const got = a.allocate(3);
    expect(got).toEqual({ ok: true, value: [0x5000, 0x6000, 0x1000] });
    expect(a.remaining).toBe(0);
  });

  it('zeroes every frame it hands out', () => {
    const memory = new PhysMemory();
    memory.write64(physAddr(0x3008), u64(0xdead, 0xbeef));
    const a = allocator([{ start: 0x3000, end: 0x4000 }], memory);
    a.allocate(1);
    expect(memory.read64(physAddr(0x3008))).toEqual(u64(0, 0));
  });

  it('gives all or nothing: on exhaustion it takes no frame and touches no memory', () => {
    const memory = new PhysMemory();
    memory.write64(physAddr(0x1000), u64(0, 7));
    const a = allocator([{ start: 0x1000, end: 0x3000 }], memory);
    expect(a.allocate(3)).toEqual({ ok: false, error: { kind: 'FramesExhausted', requested: 3, remaining: 2 } });
    expect(a.remaining).toBe(2);
    expect(memory.read64(physAddr(0x1000))).toEqual(u64(0, 7));
    expect(a.allocate(0)).toEqual({ ok: true, value: [] });
    expect(a.allocate(2)).toEqual({ ok: true, value: [0x1000, 0x2000] });
  });

  it('is deterministic: the same ranges and requests give the same frames', () => {
    const run = () => { const a = allocator([{ start: 0x10_0000, end: 0x10_8000 }]); return [a.allocate(2), a.allocate(3)]; };
    expect(run()).toEqual(run());
  });

  it('rejects a non-integer request count as a programming error', () => {
    expect(() => allocator([{ start: 0, end: 0x1000 }]).allocate(1.5)).toThrow(RangeError);
    expect(() => allocator([{ start: 0, end: 0x1000 }]).allocate(-1)).toThrow('frame count must be a non-negative integer, got -1');
  });

  it.each([
    [{ start: 0.5, end: 0x1000 }, 'not an integer'],
    [{ start: 0x800, end: 0x1000 }, 'misaligned'],
    [{ start: 0x1000, end: 0x1800 }, 'misaligned'],
    [{ start: -0x1000, end: 0x1000 }, 'misaligned'],
    [{ start: 0x2000, end: 0x2000 }, 'empty'],
    [{ start: 0, end: 2 ** 52 + 0x1000 }, 'above 2^52'],
  ])('reports the unusable range %j as %s', (range, reason) => {
    expect(RangeFrameAllocator.create(new PhysMemory(), [{ start: 0, end: 0x1000 }, range]))
      .toEqual({ ok: false, error: { kind: 'BadFrameRange', index: 1, range, reason } });
  });

  it('reports overlapping ranges with the index of the later one', () => {
    const made = RangeFrameAllocator.create(new PhysMemory(), [{ start: 0x1000, end: 0x4000 }, { start: 0x3000, end: 0x5000 }]);
    expect(made.ok ? undefined : made.error).toMatchObject({ index: 1, reason: 'overlaps another range' });
  });

  it('ranges that only touch do not overlap (ends are exclusive), in either order', () => {
    const a = allocator([{ start: 0x2000, end: 0x3000 }, { start: 0x3000, end: 0x4000 }, { start: 0x1000, end: 0x2000 }]);
    expect(a.allocate(3)).toEqual({ ok: true, value: [0x2000, 0x3000, 0x1000] });
  });

  it('the last frame below 2^52 is usable (MAXPHYADDR is at most 52, SDM §4.1.4)', () => {
    const a = allocator([{ start: 2 ** 52 - 0x1000, end: 2 ** 52 }]);
    expect(a.allocate(1)).toEqual({ ok: true, value: [2 ** 52 - 0x1000] });
  });

  it('an allocator over no ranges has nothing to give', () => {
    const a = allocator([]);
    expect(a.remaining).toBe(0);
    expect(a.allocate(1).ok).toBe(false);
  });
});
