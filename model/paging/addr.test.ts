// Physical addresses are below 2^52 (MAXPHYADDR is at most 52, SDM Vol. 3A §4.1.4).
import { describe, expect, it } from 'vitest';
import { physAddr } from './addr.ts';

describe('physAddr', () => {
  it('takes 2^52 - 1 and refuses 2^52, naming the number', () => {
    expect(physAddr(2 ** 52 - 1)).toBe(2 ** 52 - 1);
    expect(() => physAddr(2 ** 52)).toThrow(`physical address out of range: ${2 ** 52}`);
    expect(() => physAddr(0.5)).toThrow(RangeError);
  });
});
