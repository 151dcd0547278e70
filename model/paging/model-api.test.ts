// API-level tests of the paging model's own machinery: state validation, the permitted
// sets and the judge, the TLB model and the fast MMU, dump-backed memory. The per-clause
// hand-computed cases live in model/paging/handcomputed/.
import { describe, expect, it } from 'vitest';
import { DumpMemory } from './dump-memory.ts';
import { low48, physAddr } from './addr.ts';
import { addrMaskHi, makeEntry } from './entry.ts';
import {
  canonicalFrom48, fromBigInt, judgePaging, Mmu, parseHex, performAccess, permittedOutcome, PhysMemory, TlbModel,
  toHex, u64, validateAccess, validateState, virtAddr, walk, expectToJson,
  type Access, type Feature, type PagingState, type PhysAddr, type Registers,
} from './index.ts';
import { fitsNumber, toNumber, fromNumber, toBigInt, mask, field, withBit, bit, and, or, andNot, isZero } from './u64.ts';

const h = (s: string) => parseHex(s)!;
const ALL: Feature[] = ['nx', 'smep', 'smap', 'pku', 'pdpe1gb'];

function regs(over: Partial<Registers> = {}): Registers {
  return { cr0: h('0x80010033'), cr3: h('0x1000'), cr4: h('0x20'), efer: h('0xd00'), rflags: h('0x2'), pkru: 0, cpl: 0, ...over };
}

/** The DESIGN.md example: VA 0x403000 → PTE 0x5001 (present, read-only, supervisor). */
function designExample(over: Partial<Registers> = {}, pte = '0x5001'): PagingState {
  const memory = new PhysMemory();
  for (const [pa, v] of [[0x1000, '0x2003'], [0x2000, '0x3003'], [0x3010, '0x4003'], [0x4018, pte]] as const) memory.write64(pa as PhysAddr, h(v));
  return { cpu: { maxPhyAddr: 46, features: new Set(ALL) }, regs: regs(over), memory };
}

const at = (va: string, kind: Access['kind'] = 'read', implicit = false): Access => ({ va: virtAddr(h(va)), kind, implicit });

describe('u64 helpers', () => {
  it('round-trips hex, bigint and numbers exactly', () => {
    expect(toHex(h('0xFFFF800000000000'))).toBe('0xffff800000000000');
    expect(toBigInt(fromBigInt(-1n))).toBe(0xffff_ffff_ffff_ffffn);
    expect(parseHex('0x')).toBeUndefined();
    expect(parseHex('0x1_0')).toBeUndefined();
    expect(parseHex('0x12345678123456789')).toBeUndefined();
    expect(toNumber(fromNumber(2 ** 52 - 1))).toBe(2 ** 52 - 1);
    expect(() => fromNumber(-1)).toThrow(RangeError);
    expect(fitsNumber(h('0x20000000000000'))).toBe(false);
    expect(toHex(mask(63, 59))).toBe('0xf800000000000000');
    expect(field(h('0x7800000000000000'), 62, 59)).toBe(0xf);
    expect(() => field(h('0x1'), 63, 0)).toThrow(RangeError);
    expect(toHex(withBit(withBit(u64(0, 0), 63, true), 3, true))).toBe('0x8000000000000008');
    expect(toHex(withBit(h('0x8000000000000008'), 63, false))).toBe('0x8');
    expect(toHex(withBit(h('0x8'), 3, false))).toBe('0x0');
    expect(bit(h('0x8000000000000000'), 63) && !bit(h('0x1'), 1)).toBe(true);
    expect(toHex(and(h('0xff00'), h('0x0ff0')))).toBe('0xf00');
    expect(toHex(or(h('0x100000000'), h('0x1')))).toBe('0x100000001');
    expect(toHex(andNot(h('0xff'), h('0xf')))).toBe('0xf0');
    expect(isZero(h('0x0'))).toBe(true);
    expect(toHex(canonicalFrom48(0x8000_0000_0000))).toBe('0xffff800000000000');
  });
});

describe('validateState and validateAccess', () => {
  const cpu = { maxPhyAddr: 40, features: new Set<Feature>(['nx']) };
  it('accepts the 4-level long-mode state', () => {
    expect(validateState(cpu, regs({ cr4: h('0x20') }))).toEqual([]);
  });
  it('rejects states the processor cannot be in or that are not modelled', () => {
    const paths = (r: Registers, c = cpu) => validateState(c, r).map((p) => `${p.path}:${p.clause ?? '-'}:${p.unsupported}`);
    expect(paths(regs({ cr0: h('0x10033') }))).toEqual(['regs.cr0:PG.MODE.FOUR_LEVEL:true']);
    expect(paths(regs({ cr4: h('0x0') }))).toEqual(['regs.cr4:PG.MODE.FOUR_LEVEL:true']);
    expect(paths(regs({ efer: h('0x0') }))).toEqual(['regs.efer:PG.MODE.FOUR_LEVEL:true']);
    expect(paths(regs({ cr4: h('0x1020') }))).toEqual(['regs.cr4:PG.MODE.FOUR_LEVEL:true']);
    expect(paths(regs({ cr4: h('0x20020') }))).toEqual(['regs.cr4:-:true']);
    expect(paths(regs({ cr4: h('0x1000020') }))).toEqual(['regs.cr4:-:true']);
    expect(paths(regs({ cr4: h('0x300020') }))).toEqual(['regs.cr4:PG.STATE.FEATURE_BITS:false', 'regs.cr4:PG.STATE.FEATURE_BITS:false']);
    expect(paths(regs(), { maxPhyAddr: 40, features: new Set() })).toEqual(['regs.efer:PG.STATE.FEATURE_BITS:false']);
    // PG.CR3.RESERVED: bit 40 is above MAXPHYADDR 40; bit 63 is always reserved without PCIDE.
    expect(paths(regs({ cr3: h('0x10000001000') }))).toEqual(['regs.cr3:PG.CR3.RESERVED:false']);
    expect(paths(regs({ cr3: h('0x8000000000001000') }))).toEqual(['regs.cr3:PG.CR3.RESERVED:false']);
    expect(paths(regs({ cr3: h('0xffff000') }))).toEqual([]);
    expect(paths(regs({ cpl: 4 as never }))).toEqual(['regs.cpl:-:false']);
    expect(paths(regs({ pkru: -1 }))).toEqual(['regs.pkru:-:false']);
    expect(paths(regs(), { maxPhyAddr: 53, features: new Set() })).toEqual(['cpu.maxphyaddr:PG.STATE.MAXPHYADDR:false']);
  });
  it('rejects an implicit fetch', () => {
    expect(validateAccess(at('0x1000', 'fetch', true))[0]?.clause).toBe('PG.MODE.IMPLICIT_SUPERVISOR');
    expect(validateAccess(at('0x1000', 'read', true))).toEqual([]);
  });
});

describe('permitted outcomes and the judge', () => {
  it('gives the DESIGN.md example exactly', () => {
    const e = permittedOutcome(designExample(), at('0x403000', 'write'));
    expect(expectToJson(e.expect)).toEqual({
      outcome: 'fault', vector: 14, errorCode: '0x3', cr2: '0x403000',
      memory: [{ pa: '0x1000', oneOf: ['0x2003', '0x2023'] }, { pa: '0x2000', oneOf: ['0x3003', '0x3023'] }, { pa: '0x3010', oneOf: ['0x4003', '0x4023'] }],
    });
    expect(e.clauses).toContain('PG.PERM.WP.SUPERVISOR_WRITE');
  });

  it('judges conforming and non-conforming observations with the broken clause', () => {
    const state = designExample();
    const input = [...state.memory.nonZeroQwords()].map(([pa, value]) => ({ pa, value }));
    const { expect: fault } = permittedOutcome(state, at('0x403000', 'write'));
    const before = input.map((q) => q.value);
    expect(judgePaging(input, fault, { outcome: 'fault', vector: 14, errorCode: 3, cr2: h('0x403000'), memory: before })).toEqual([]);
    // Upper A set, leaf untouched: also permitted.
    const someA = [h('0x2023'), h('0x3023'), h('0x4003'), h('0x5001')];
    expect(judgePaging(input, fault, { outcome: 'fault', vector: 14, errorCode: 3, cr2: h('0x403000'), memory: someA })).toEqual([]);
    // The leaf's A set on a fault breaks PG.AD.FAULT_LEAF_UNCHANGED; a wrong P bit breaks PG.PF.EC.P.
    const leafA = [...before.slice(0, 3), h('0x5021')];
    const diffs = judgePaging(input, fault, { outcome: 'fault', vector: 14, errorCode: 2, cr2: h('0x403001'), memory: leafA });
    expect(diffs.map((d) => `${d.path}:${d.clause}`)).toEqual(['$.errorCode:PG.PF.EC.P', '$.cr2:PG.PF.CR2', '$.memory[3]:PG.AD.FAULT_LEAF_UNCHANGED']);
    expect(judgePaging(input, fault, { outcome: 'fault', vector: 14, errorCode: 0x8003, memory: before }).map((d) => d.path)).toEqual(['$.errorCode', '$.cr2']);
    expect(judgePaging(input, fault, { outcome: 'fault', vector: 14, memory: before }).map((d) => d.clause)).toEqual(['PG.PF.VECTOR', 'PG.PF.CR2']);
    expect(judgePaging(input, fault, { outcome: 'fault', vector: 13, memory: before })[0]).toMatchObject({ path: '$.vector', clause: 'PG.PF.VECTOR' });
    expect(judgePaging(input, fault, { outcome: 'ok', pa: 0x5000 as PhysAddr, memory: before })[0]).toMatchObject({ path: '$.outcome', clause: 'PG.PF.VECTOR' });
    expect(judgePaging(input, fault, { outcome: 'fault', vector: 14, errorCode: 3, cr2: h('0x403000'), memory: [] })).toEqual([{ path: '$.memory', expected: '4 qwords', observed: '0 qwords' }]);

    const { expect: ok } = permittedOutcome(state, at('0x403000', 'read'));
    const after = [h('0x2023'), h('0x3023'), h('0x4023'), h('0x5021')];
    expect(judgePaging(input, ok, { outcome: 'ok', pa: 0x5000 as PhysAddr, memory: after })).toEqual([]);
    const okDiffs = judgePaging(input, ok, { outcome: 'ok', pa: 0x5008 as PhysAddr, memory: [...after.slice(0, 3), h('0x5061')] });
    expect(okDiffs.map((d) => `${d.path}:${d.clause}`)).toEqual(['$.pa:undefined', '$.memory[3]:PG.AD.DIRTY.WRITE_ONLY']);
    expect(judgePaging(input, ok, { outcome: 'ok', pa: 0x5000 as PhysAddr, memory: before })[0]?.clause).toBe('PG.AD.ACCESSED');
    expect(judgePaging(input, ok, { outcome: 'ok', pa: 0x5000 as PhysAddr, memory: [...after.slice(0, 3), h('0x85021')] })[0]?.clause).toBeUndefined();
    expect(judgePaging(input, ok, { outcome: 'fault', vector: 14, memory: after })[0]).toEqual({ path: '$.outcome', expected: 'ok', observed: 'fault' });
  });

  it('names PG.AD.STICKY when an implementation clears a D that was set', () => {
    const state = designExample({}, '0x5063');
    const input = [...state.memory.nonZeroQwords()].map(([pa, value]) => ({ pa, value }));
    const { expect: ok } = permittedOutcome(state, at('0x403000', 'read'));
    const memory = [h('0x2023'), h('0x3023'), h('0x4023'), h('0x5023')];
    expect(judgePaging(input, ok, { outcome: 'ok', pa: 0x5000 as PhysAddr, memory })[0]?.clause).toBe('PG.AD.STICKY');
    const cleared = [h('0x2023'), h('0x3023'), h('0x4023'), h('0x5043')];
    expect(judgePaging(input, ok, { outcome: 'ok', pa: 0x5000 as PhysAddr, memory: cleared })[0]?.clause).toBe('PG.AD.STICKY');
  });

  it('merges updates to one qword used at two levels (a recursive slot)', () => {
    // PML4[0] points back at the PML4 itself: for VA 0 the PML4E doubles as PDPTE, PDE and PTE.
    const memory = new PhysMemory();
    memory.write64(0x1000 as PhysAddr, h('0x1003'));
    const state: PagingState = { cpu: { maxPhyAddr: 46, features: new Set(ALL) }, regs: regs(), memory };
    const e = permittedOutcome(state, at('0x10', 'write'));
    expect(expectToJson(e.expect)).toEqual({ outcome: 'ok', pa: '0x1010', memory: [{ pa: '0x1000', oneOf: ['0x1063'] }] });
    expect(expectToJson(permittedOutcome(state, at('0x800000000000')).expect)).toMatchObject({ outcome: 'fault', vector: 13, errorCode: '0x0' });
  });

  it('performAccess writes A/D only on success', () => {
    const state = designExample({}, '0x5003');
    performAccess(state, at('0x403000', 'write'));
    expect(toHex(state.memory.read64(0x4018 as PhysAddr))).toBe('0x5063');
    const denied = designExample();
    performAccess(denied, at('0x403000', 'write'));
    expect(toHex(denied.memory.read64(0x1000 as PhysAddr))).toBe('0x2003');
  });
});

describe('TLB model', () => {
  it('permits the stale translation until INVLPG and only the walk after it', () => {
    const state = designExample({}, '0x5003');
    const tlb = new TlbModel();
    const a = at('0x403123', 'read');
    tlb.record(a, performAccess(state, a));
    state.memory.write64(0x4018 as PhysAddr, h('0x6023')); // remap without invalidating
    const outcomes = tlb.permitted(state, a).map((p) => (p.source === 'walk' ? p.result.outcome === 'ok' && p.result.pa : p.outcome === 'ok' && p.pa));
    expect(outcomes).toEqual([0x6123, 0x5123]); // PG.TLB.MAY_CACHE
    tlb.invlpg(a.va); // PG.TLB.INVLPG
    expect(tlb.permitted(state, a)).toHaveLength(1);
  });

  it('never serves a write from a clean cached entry, and faults spuriously on stale rights', () => {
    const state = designExample({}, '0x5001');
    const tlb = new TlbModel();
    const r = at('0x403000', 'read');
    tlb.record(r, performAccess(state, r));
    expect(tlb.permitted(state, at('0x403000', 'write'))).toHaveLength(1); // PG.TLB.DIRTY_REWALK
    const user = designExample({ cpl: 3 }, '0x5005');
    const t2 = new TlbModel();
    t2.record(at('0x403000'), performAccess({ ...user, regs: regs() }, at('0x403000')));
    const cached = t2.permitted(user, at('0x403000'));
    // The PDE/PDPTE/PML4E are supervisor-only, so the fresh walk faults; the cache says user 0? (user = 0 from walk)
    expect(cached.map((p) => (p.source === 'walk' ? p.result.outcome : `${p.source}:${p.outcome}`))).toEqual(['fault', 'cache:fault']);
    const spurious = cached[1]!;
    expect(spurious.source === 'cache' && spurious.outcome === 'fault' && spurious.clauses).toContain('PG.TLB.SPURIOUS_FAULT');
  });

  it('drops non-global entries on CR3 writes, keeps global ones with PGE, drops all on a PGE toggle, and invalidates on a fault', () => {
    const state = designExample({}, '0x5103');
    const tlb = new TlbModel();
    const a = at('0x403000');
    tlb.record(a, performAccess(state, a));
    tlb.writeCr3(true);
    expect(tlb.cached).toHaveLength(1); // PG.TLB.GLOBAL
    tlb.writeCr3(false);
    expect(tlb.cached).toHaveLength(0); // PG.TLB.CR3_WRITE
    tlb.record(a, performAccess(state, a));
    tlb.togglePge();
    expect(tlb.cached).toHaveLength(0); // PG.TLB.PGE_TOGGLE
    tlb.record(a, performAccess(state, a));
    tlb.record(at('0x403000', 'write'), walk(designExample({}, '0x5101'), at('0x403000', 'write')));
    expect(tlb.cached).toHaveLength(0); // PG.TLB.FAULT_INVALIDATES
    tlb.record(at('0x1000'), walk(state, at('0x1000')));
    tlb.record(at('0x800000000000'), walk(state, at('0x800000000000')));
    expect(tlb.cached).toHaveLength(0); // PG.TLB.NOT_PRESENT_NOT_CACHED
  });
});

describe('Mmu (the fast TLB-backed MMU)', () => {
  it('agrees with walk, sets A/D, caches, and invalidates on INVLPG and faults', () => {
    const state = designExample({}, '0x5003');
    const mmu = new Mmu(state);
    expect(mmu.access(virtAddr(h('0x403010')), 'read')).toBe(0x5010);
    expect(mmu.accessHalves(0, 0x403020, 'read')).toBe(0x5020);
    expect(mmu.hits).toBe(1);
    expect(toHex(state.memory.read64(0x4018 as PhysAddr))).toBe('0x5023');
    expect(mmu.access(virtAddr(h('0x403010')), 'write')).toBe(0x5010); // clean entry: walks again to set D
    expect(toHex(state.memory.read64(0x4018 as PhysAddr))).toBe('0x5063');
    expect(mmu.access(virtAddr(h('0x403010')), 'write')).toBe(0x5010);
    expect(mmu.misses).toBe(2);
    state.memory.write64(0x4018 as PhysAddr, h('0x7003'));
    expect(mmu.access(virtAddr(h('0x403010')), 'read')).toBe(0x5010); // stale, permitted (PG.TLB.MAY_CACHE)
    mmu.invlpg(virtAddr(h('0x403fff')));
    expect(mmu.access(virtAddr(h('0x403010')), 'read')).toBe(0x7010);
    expect(mmu.access(virtAddr(h('0x800000000000')), 'read')).toBe(-1);
    expect(mmu.faultVector).toBe(13);
    expect(mmu.access(virtAddr(h('0x403010')), 'fetch')).toBe(0x7010);
    state.memory.write64(0x4018 as PhysAddr, h('0x0'));
    expect(mmu.access(virtAddr(h('0x404000')), 'read')).toBe(-1);
    expect([mmu.faultVector, mmu.faultErrorCode]).toEqual([14, 0]);
    mmu.flush();
    expect(mmu.access(virtAddr(h('0x403010')), 'read')).toBe(-1);
  });

  it('drops every 4-KiB piece of a huge page on INVLPG', () => {
    const memory = new PhysMemory();
    memory.write64(0x1000 as PhysAddr, h('0x2003'));
    memory.write64(0x2000 as PhysAddr, h('0x3003'));
    memory.write64(0x3000 as PhysAddr, h('0x200083')); // 2 MiB at PA 0x200000
    const state: PagingState = { cpu: { maxPhyAddr: 46, features: new Set(ALL) }, regs: regs(), memory };
    const mmu = new Mmu(state);
    expect(mmu.access(virtAddr(h('0x1000')), 'read')).toBe(0x201000);
    expect(mmu.access(virtAddr(h('0x5000')), 'read')).toBe(0x205000);
    memory.write64(0x3000 as PhysAddr, h('0x400083'));
    mmu.invlpg(virtAddr(h('0x1ff000')));
    expect(mmu.access(virtAddr(h('0x5000')), 'read')).toBe(0x405000);
  });
});

describe('DumpMemory', () => {
  it('serves a dump at its base, records reads outside it, and copies a frame on write', () => {
    const bytes = new Uint8Array(0x2001).subarray(1); // deliberately unaligned
    bytes[8] = 0x42;
    const dump = new DumpMemory(bytes, 0x10000);
    expect(dump.read64(0x10008 as PhysAddr).lo).toBe(0x42);
    expect(dump.readByte(0x10008 as PhysAddr)).toBe(0x42);
    expect(dump.read64(0x9000 as PhysAddr).lo).toBe(0);
    expect(dump.outsideReads).toEqual([0x9000]);
    dump.writeLo(0x10008 as PhysAddr, 0x43);
    expect(bytes[8]).toBe(0x42);
    expect(dump.read64(0x10008 as PhysAddr).lo).toBe(0x43);
    expect(() => new DumpMemory(new Uint8Array(16), 0x10)).toThrow(RangeError);
  });
});

describe('PhysMemory', () => {
  it('reads zero where never written, stores bytes and qwords, clones deeply', () => {
    const m = new PhysMemory();
    expect(toHex(m.read64(0x5000 as PhysAddr))).toBe('0x0');
    m.writeBytes(0x5003 as PhysAddr, new Uint8Array([1, 2, 3]));
    expect([...m.readBytes(0x5002 as PhysAddr, 5)]).toEqual([0, 1, 2, 3, 0]);
    m.write64(0xf_ffff_ffff_f000 as PhysAddr, h('0x123456789abcdef0'));
    expect(m.read64(0xf_ffff_ffff_f000 as PhysAddr).hi).toBe(0x12345678);
    const c = m.clone();
    c.writeByte(0x5003 as PhysAddr, 9);
    expect(m.readByte(0x5003 as PhysAddr)).toBe(1);
    expect(m.frameCount).toBe(2);
    expect(m.framesInUse()).toEqual([5, 0xffffffffff]);
    m.zeroFrame(0x5000 as PhysAddr);
    expect([...m.nonZeroQwords()].map(([pa]) => pa)).toEqual([0xf_ffff_ffff_f000]);
    expect(() => m.write64(0x5004 as PhysAddr, h('0x1'))).toThrow(RangeError);
  });
});

describe('edge branches of the model machinery', () => {
  it('judges #GP expectations and vector mismatches', () => {
    const state = designExample();
    const input = [...state.memory.nonZeroQwords()].map(([pa, value]) => ({ pa, value }));
    const before = input.map((q) => q.value);
    const { expect: gp } = permittedOutcome(state, at('0x800000000000'));
    expect(judgePaging(input, gp, { outcome: 'fault', vector: 13, errorCode: 0, memory: before })).toEqual([]);
    expect(judgePaging(input, gp, { outcome: 'fault', vector: 14, errorCode: 0, memory: before })[0]).toMatchObject({ path: '$.vector', clause: 'PG.CANON.GP' });
    expect(judgePaging(input, gp, { outcome: 'ok', pa: 0 as PhysAddr, memory: before })[0]).toMatchObject({ path: '$.outcome', clause: 'PG.CANON.GP' });
  });

  it('rejects physical addresses out of range and builds canonical addresses from 48 bits', () => {
    expect(() => physAddr(2 ** 52)).toThrow(RangeError);
    expect(() => physAddr(-1)).toThrow(RangeError);
    expect(physAddr(0x1000)).toBe(0x1000);
    expect(toHex(canonicalFrom48(0x7fff_ffff_f000))).toBe('0x7ffffffff000');
    expect(low48(h('0xffff800000001000'))).toBe(0x8000_0000_1000);
    expect(addrMaskHi(32)).toBe(0);
    expect(toHex(makeEntry(0x1_2345_6000, 0x3, 0x8000_0000))).toBe('0x8000000123456003');
  });

  it('reads zero halves and bytes from frames never written, and aligned dumps are used in place', () => {
    const m = new PhysMemory();
    expect(m.readByte(0x9001 as PhysAddr)).toBe(0);
    const bytes = new Uint8Array(0x1000);
    const dump = new DumpMemory(bytes, 0);
    bytes[0] = 7; // no copy was made: the view sees it
    expect(dump.read64(0 as PhysAddr).lo).toBe(7);
  });

  it('Mmu: a non-canonical address never hits a cached page with the same low bits', () => {
    const mmu = new Mmu(designExample({}, '0x5003'));
    expect(mmu.access(virtAddr(h('0x403000')), 'read')).toBe(0x5000);
    expect(mmu.access(virtAddr(h('0x1000000403000')), 'read')).toBe(-1);
    expect(mmu.faultVector).toBe(13);
  });

  it('Mmu: protection keys decide which kinds a cached user page allows', () => {
    // A user page with key 1 and PKRU.AD1 = 1: a user read faults with PK; a fetch is allowed.
    const memory = new PhysMemory();
    for (const [pa, v] of [[0x1000, '0x2007'], [0x2000, '0x3007'], [0x3010, '0x4007'], [0x4018, '0x0800000000005007']] as const) memory.write64(pa as PhysAddr, h(v));
    const state: PagingState = { cpu: { maxPhyAddr: 46, features: new Set(ALL) }, regs: regs({ cr4: h('0x400020'), pkru: 0b0100, cpl: 3 }), memory };
    const mmu = new Mmu(state);
    expect(mmu.access(virtAddr(h('0x403000')), 'fetch')).toBe(0x5000);
    expect(mmu.access(virtAddr(h('0x403000')), 'read')).toBe(-1);
    expect(mmu.faultErrorCode).toBe(0x25); // P | U/S | PK
  });

  it('supervisor fetches with NXE = 0 from supervisor pages are allowed [PG.PERM.NXE_OFF]', () => {
    const state = designExample({ efer: h('0x500') }, '0x5003');
    expect(walk(state, at('0x403000', 'fetch'))).toMatchObject({ outcome: 'ok', clauses: expect.arrayContaining(['PG.PERM.NXE_OFF']) });
  });

  it('TLB model: re-recording a page replaces its entry; a key can make a cached answer fault', () => {
    const state = designExample({}, '0x5003');
    const tlb = new TlbModel();
    const a = at('0x403000');
    tlb.record(a, performAccess(state, a));
    tlb.record(a, performAccess(state, a));
    expect(tlb.cached).toHaveLength(1);
    // Cache a user page with key 2, then deny key 2 by AD: the cached answer faults by key alone.
    const memory = new PhysMemory();
    for (const [pa, v] of [[0x1000, '0x2007'], [0x2000, '0x3007'], [0x3010, '0x4007'], [0x4018, '0x1000000000005007']] as const) memory.write64(pa as PhysAddr, h(v));
    const user: PagingState = { cpu: { maxPhyAddr: 46, features: new Set(ALL) }, regs: regs({ cr4: h('0x400020'), cpl: 3 }), memory };
    const t2 = new TlbModel();
    t2.record(a, performAccess(user, a));
    const denied: PagingState = { ...user, regs: regs({ cr4: h('0x400020'), cpl: 3, pkru: 0b1_0000 }) };
    const cached = t2.permitted(denied, a)[1]!;
    expect(cached).toMatchObject({ source: 'cache', outcome: 'fault', errorCode: 0x25 });
    expect(cached.source === 'cache' && cached.clauses).toContain('PG.PK.AD');
  });
});

describe('paging-structure caches in the TLB model [PG.TLB.STRUCTURE_CACHE]', () => {
  // VA 0x403000 and VA 0x404000 share PML4E 0x1000, PDPTE 0x2000 and PDE 0x3010 (table 0x4000).
  function twoPages(): PagingState {
    const memory = new PhysMemory();
    for (const [pa, v] of [[0x1000, '0x2003'], [0x2000, '0x3003'], [0x3010, '0x4003'], [0x4018, '0x5003'], [0x4020, '0x6003'], [0x7020, '0x8003']] as const) memory.write64(pa as PhysAddr, h(v));
    return { cpu: { maxPhyAddr: 46, features: new Set(ALL) }, regs: regs(), memory };
  }
  const pas = (ps: ReturnType<TlbModel['permitted']>) =>
    ps.map((p) => (p.source === 'walk' ? (p.result.outcome === 'ok' ? p.result.pa : -1) : p.outcome === 'ok' ? p.pa : -1));

  it('a walk for a never-cached page may begin at a cached PDE that software has since changed', () => {
    const state = twoPages();
    const tlb = new TlbModel();
    tlb.record(at('0x403000'), performAccess(state, at('0x403000')));
    expect(tlb.cachedStructures.map((e) => e.level)).toEqual([4, 3, 2]);
    state.memory.write64(0x3010 as PhysAddr, h('0x7023')); // PDE → new table 0x7000, no INVLPG
    const outcomes = tlb.permitted(state, at('0x404000'));
    expect(pas(outcomes)).toEqual([0x8000, 0x6000]);
    const stale = outcomes[1]!;
    expect(stale.source === 'walk' && stale.from?.level).toBe(2);
    expect(stale.source === 'walk' && stale.result.trace.map((t) => t.level)).toEqual([1]);
    expect(stale.source === 'walk' && stale.result.clauses).toContain('PG.TLB.MAY_CACHE');
    // Recording the stale walk caches what it read below the cached PDE.
    if (stale.source === 'walk') tlb.record(at('0x404000'), stale.result);
    expect(tlb.cached.map((e) => e.frame)).toContain(0x6000);
    tlb.writeCr3(false);
    expect(tlb.cachedStructures).toEqual([]);
    expect(pas(tlb.permitted(state, at('0x404000')))).toEqual([0x8000]);
  });

  it('INVLPG of any address, a PGE toggle, and a fault on a covered address drop structure entries', () => {
    const state = twoPages();
    const tlb = new TlbModel();
    tlb.record(at('0x403000'), performAccess(state, at('0x403000')));
    tlb.invlpg(virtAddr(h('0x7fff0000000')));
    expect(tlb.cachedStructures).toEqual([]);
    tlb.record(at('0x403000'), performAccess(state, at('0x403000')));
    tlb.togglePge();
    expect(tlb.cachedStructures).toEqual([]);
    tlb.record(at('0x403000'), performAccess(state, at('0x403000')));
    tlb.record(at('0x405000'), walk(state, at('0x405000'))); // PTE 0x4028 not present: a fault
    expect(tlb.cachedStructures).toEqual([]);
  });
});
