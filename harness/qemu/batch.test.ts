import { describe, expect, it } from 'vitest';
import { fromBigInt as b } from '../../model/paging/u64.ts';
import {
  BATCH_HEADER, BATCH_MAGIC, CASE_HEADER, RESULT_HEADER, RESULT_MAGIC, RESULTS_HEADER, ResultsFormatError,
  casesDone, decodeResults, encodeBatch, resultsSize, type GuestCase,
} from './batch.ts';

const base: GuestCase = {
  kind: 'write', implicit: false, cpl: 3, wp: true, smep: false, smap: true, pke: true, nxe: true, ac: true,
  pkru: 0xdead_beef, cr3: b(0x1018n), va: b(0xffff_8000_0040_3010n), slotPa: 0x1a00,
  memory: [{ pa: 0x1000, value: b(0x2007n) }, { pa: 0x2000, value: b(0x8000_0000_0000_3007n) }],
};
const layout = { resultsPa: 0x1000_0000, fillEnd: 0x800_0000, fillHigh: true };

describe('encodeBatch', () => {
  it('writes the header and each case in the layout runner.s reads', () => {
    const buf = encodeBatch([base], layout);
    expect(buf.length).toBe(BATCH_HEADER + CASE_HEADER + 2 * 16);
    expect(buf.readUInt32LE(0)).toBe(BATCH_MAGIC);
    expect(buf.readUInt32LE(8)).toBe(1);
    expect(buf.readUInt32LE(12)).toBe(1); // fill the high window
    expect(buf.readBigUInt64LE(16)).toBe(0x1000_0000n);
    expect(buf.readBigUInt64LE(24)).toBe(0x800_0000n);
    const c = BATCH_HEADER;
    // write = 1, CPL 3 in bits 3:2, WP 5, SMAP 7, PKE 8, NXE 9, AC 10
    expect(buf.readUInt32LE(c)).toBe(1 | (3 << 2) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10));
    expect(buf.readUInt32LE(c + 4)).toBe(0xdead_beef);
    expect(buf.readBigUInt64LE(c + 8)).toBe(0x1018n);
    expect(buf.readBigUInt64LE(c + 16)).toBe(0xffff_8000_0040_3010n);
    expect(buf.readBigUInt64LE(c + 24)).toBe(0x1a00n);
    expect(buf.readUInt32LE(c + 32)).toBe(2);
    expect(buf.readBigUInt64LE(c + 40 + 16)).toBe(0x2000n);
    expect(buf.readBigUInt64LE(c + 40 + 24)).toBe(0x8000_0000_0000_3007n);
  });

  it('marks a case that lists the previous case\'s PML4 slot (bit 11) and the implicit and fetch codes', () => {
    const next: GuestCase = { ...base, kind: 'read', implicit: true, cpl: 0, memory: [{ pa: 0x1a00, value: b(1n) }], slotPa: 0x5a00 };
    const fetch: GuestCase = { ...base, kind: 'fetch', cpl: 0, wp: false, smap: false, pke: false, nxe: false, ac: false, memory: [] };
    const buf = encodeBatch([base, next, fetch], { ...layout, fillHigh: false });
    expect(buf.readUInt32LE(12)).toBe(0);
    const second = BATCH_HEADER + CASE_HEADER + 32;
    expect(buf.readUInt32LE(second) & (1 << 11)).not.toBe(0);
    expect(buf.readUInt32LE(second) & 0x1f).toBe(1 << 4);
    const third = second + CASE_HEADER + 16;
    expect(buf.readUInt32LE(third)).toBe(2 | (1 << 12)); // same CR3 as the case before: INVLPG only
    expect(buf.readUInt32LE(second) & (1 << 12)).not.toBe(0);
    expect(buf.readUInt32LE(BATCH_HEADER) & (1 << 12)).toBe(0);
  });
});

function area(records: { vector: number; where: number; page: number; memory: bigint[] }[], done = records.length): Buffer {
  const buf = Buffer.alloc(RESULTS_HEADER + records.reduce((n, r) => n + RESULT_HEADER + 8 * r.memory.length, 0));
  buf.writeUInt32LE(RESULT_MAGIC, 0);
  buf.writeUInt32LE(done, 4);
  let off = RESULTS_HEADER;
  for (const r of records) {
    buf.writeUInt32LE(r.vector, off);
    buf.writeUInt32LE(0xff, off + 4);
    buf.writeBigUInt64LE(0x7n, off + 8);
    buf.writeBigUInt64LE(0x403010n, off + 16);
    buf.writeBigUInt64LE(0xffff_a000_0800_0b60n, off + 24);
    buf.writeBigUInt64LE(0x1234n, off + 32);
    buf.writeUInt32LE(r.where, off + 40);
    buf.writeUInt32LE(r.page, off + 44);
    buf.writeUInt32LE(r.memory.length, off + 48);
    r.memory.forEach((v, k) => buf.writeBigUInt64LE(v, off + RESULT_HEADER + 8 * k));
    off += RESULT_HEADER + 8 * r.memory.length;
  }
  return buf;
}

describe('decodeResults', () => {
  it('reads every completed record with its final qwords', () => {
    const r = decodeResults(area([{ vector: 14, where: 0, page: 0xffff_ffff, memory: [0x2027n, 0x3007n] }]), [base]);
    expect(r).toEqual([{
      vector: 14, probeStatus: 0xff, errorCode: 7n, cr2: 0x403010n, rip: 0xffff_a000_0800_0b60n, probe: 0x1234n,
      where: 0, page: undefined, memory: [b(0x2027n), b(0x3007n)],
    }]);
    expect(resultsSize([base])).toBe(RESULTS_HEADER + RESULT_HEADER + 16);
  });

  it('returns the prefix a stopped runner completed', () => {
    const a = area([{ vector: 6, where: 1, page: 5, memory: [1n, 2n] }], 1);
    expect(decodeResults(a, [base, base]).map((r) => r.page)).toEqual([5]);
    expect(casesDone(a)).toBe(1);
  });

  it('rejects an area without the runner\'s header, or with a record that does not fit the batch', () => {
    expect(() => decodeResults(Buffer.alloc(64), [base])).toThrow(ResultsFormatError);
    expect(casesDone(Buffer.alloc(64))).toBe(0);
    expect(() => decodeResults(area([{ vector: 6, where: 1, page: 5, memory: [1n] }]), [base])).toThrow(/result 0 runs past the results area/)
    const padded = Buffer.concat([area([{ vector: 6, where: 1, page: 5, memory: [1n] }]), Buffer.alloc(8)]);
    expect(() => decodeResults(padded, [base])).toThrow(/lists 1 qwords, the case has 2/);
    expect(() => decodeResults(area([], 3), [base])).toThrow(/claims 3 cases done of 1/);
  });
});
