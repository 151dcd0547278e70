import { describe, expect, it } from 'vitest';
import { fromBigInt as b } from '../../model/paging/u64.ts';
import { PROBE_NOT_TRIED, PROBE_OK, type GuestCase, type RawResult } from './batch.ts';
import { interpret } from './interpret.ts';

const read: GuestCase = {
  kind: 'read', implicit: false, cpl: 0, wp: true, smep: false, smap: false, pke: false, nxe: true, ac: false,
  pkru: 0, cr3: b(0x1000n), va: b(0x403123n), slotPa: 0x1a00,
  memory: [{ pa: 0x1000, value: b(0x2003n) }, { pa: 0x5120, value: b(0x77n) }],
};
const raw = (over: Partial<RawResult>): RawResult => ({
  vector: 6, probeStatus: PROBE_OK, errorCode: 0n, cr2: 0n, rip: 0n, probe: 0n, where: 1, page: 5, memory: [b(0x2023n), b(0x77n)], ...over,
});

describe('interpret', () => {
  it('a completed access gives the page the tag named plus the page offset', () => {
    expect(interpret(read, raw({}))).toEqual({ output: { outcome: 'ok', pa: '0x5123', memory: ['0x2023', '0x77'] } });
  });

  it('a fetch that trapped at its own address completed', () => {
    const fetch = { ...read, kind: 'fetch' as const };
    expect(interpret(fetch, raw({ where: 2, vector: 6 }))).toEqual({ output: { outcome: 'ok', pa: '0x5123', memory: ['0x2023', '0x77'] } });
  });

  it('an implicit read whose descriptor was rejected (#NP/#GP with the selector) completed', () => {
    const implicit = { ...read, implicit: true };
    expect(interpret(implicit, raw({ where: 0, vector: 11, errorCode: 4n })).hasOwnProperty('output')).toBe(true);
    expect(interpret(implicit, raw({ where: 0, vector: 13, errorCode: 4n }))).toEqual({ output: { outcome: 'ok', pa: '0x5123', memory: ['0x2023', '0x77'] } });
  });

  it('a page fault reports vector, error code and CR2', () => {
    expect(interpret(read, raw({ where: 0, vector: 14, errorCode: 0xbn, cr2: 0x403123n, probeStatus: PROBE_NOT_TRIED, page: undefined }))).toEqual({
      output: { outcome: 'fault', vector: 14, errorCode: '0xb', cr2: '0x403123', memory: ['0x2023', '0x77'] },
    });
  });

  it('a #GP at the access is a fault without CR2', () => {
    expect(interpret(read, raw({ where: 0, vector: 13, page: undefined, probeStatus: PROBE_NOT_TRIED }))).toEqual({
      output: { outcome: 'fault', vector: 13, errorCode: '0x0', memory: ['0x2023', '0x77'] },
    });
  });

  it('a page holding one of the vector\'s qwords is named by that qword (same offset, same final value)', () => {
    expect(interpret(read, raw({ page: undefined, probe: 0x77n }))).toEqual({ output: { outcome: 'ok', pa: '0x5123', memory: ['0x2023', '0x77'] } });
  });

  it('says why when the page cannot be named, the probe faulted, or the runner faulted elsewhere', () => {
    expect(interpret(read, raw({ page: undefined, probe: 0x99n }))).toEqual({ error: expect.stringMatching(/cannot be identified/) });
    expect(interpret(read, raw({ probeStatus: 14, probe: 0x403120n }))).toEqual({ error: expect.stringMatching(/reading it back took #PF/) });
    expect(interpret(read, raw({ where: 3, vector: 8, rip: 0x1234n }))).toEqual({ error: expect.stringMatching(/runner took #DF .* at RIP 0x1234, outside the access/) });
    expect(interpret(read, raw({ where: 0, vector: 6 }))).toEqual({ error: expect.stringMatching(/#UD/) });
  });
});
