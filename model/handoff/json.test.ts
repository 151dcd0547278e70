import { describe, expect, it } from 'vitest';
import type { PhysAddr } from '../paging/addr.ts';
import { PhysMemory } from '../paging/memory.ts';
import { u64 } from '../paging/u64.ts';
import { checkHandoff } from './checker.ts';
import { handoffStateToJson, memoryToJson, parseHandoffState, type Json } from './json.ts';
import { buildHandoff, DEFAULT_PLAN, LAYOUTS } from './loader.ts';
import { encodeMap } from '../uefi/index.ts';

const minimal = (): { [k: string]: Json } => ({
  cpu: { maxphyaddr: 40, features: ['nx'] },
  regs: { cr0: '0x80010033', cr3: '0x1000', cr4: '0x20', efer: '0xd00' },
  memory: [{ pa: '0x1000', value: '0x2003' }],
  switch: { va: '0x1000' },
  stack: { rsp: '0x2000' },
  entry: { va: '0x1000' },
});

function problem(json: Json): string {
  const r = parseHandoffState(json);
  return r.ok ? 'ok' : `${r.problems[0]!.path}: ${r.problems[0]!.message}`;
}

describe('hand-off state JSON', () => {
  it('HANDOFF.CR3.NEXT_FETCH_MAPPED: every layout round-trips and is judged the same after the trip', () => {
    for (const layout of LAYOUTS) {
      const b = buildHandoff({ ...DEFAULT_PLAN, layout, breakage: 'trampoline-unmapped' });
      const json = JSON.parse(JSON.stringify(handoffStateToJson({ ...b.state, gdtr: { base: b.state.entry.va, limit: 7, used: false }, runtimeServices: { calls: true, virtualAddressMap: false }, framebuffer: { va: b.state.entry.va, pa: 0x1000, size: 4096 }, firmwareCr3: b.state.cr3 }))) as Json;
      const back = parseHandoffState(json);
      if (!back.ok) throw new Error(JSON.stringify(back.problems));
      expect([...back.state.memory.nonZeroQwords()]).toEqual([...b.state.memory.nonZeroQwords()]);
      expect(checkHandoff(back.state).prediction).toEqual(checkHandoff({ ...b.state, firmwareCr3: b.state.cr3 }).prediction);
      expect(back.state.memoryMap).toEqual(b.state.memoryMap);
    }
  });
  it('HANDOFF.MAP.PHYS_WIDTH: a 64 TiB direct map is a handful of qword runs', () => {
    const json = handoffStateToJson(buildHandoff({ ...DEFAULT_PLAN, layout: 'direct-map' }).state);
    expect((json.memory as Json[]).length).toBeLessThan(20);
    expect(JSON.stringify(json).length).toBeLessThan(10_000);
  });
  it('qword runs: single values, constant runs and growing runs', () => {
    const m = new PhysMemory();
    m.write64(0x1000 as PhysAddr, u64(0, 5));
    m.write64(0x1008 as PhysAddr, u64(0, 5));
    m.write64(0x1010 as PhysAddr, u64(0, 5));
    m.write64(0x2000 as PhysAddr, u64(0, 1));
    m.write64(0x2008 as PhysAddr, u64(0, 7));
    m.write64(0x2010 as PhysAddr, u64(0, 9));
    m.write64(0x3000 as PhysAddr, u64(0xffffffff, 0xffffffff));
    expect(memoryToJson(m)).toEqual([
      { pa: '0x1000', value: '0x5', count: 3 },
      { pa: '0x2000', value: '0x1', count: 2, step: '0x6' },
      { pa: '0x2010', value: '0x9' },
      { pa: '0x3000', value: '0xffffffffffffffff' },
    ]);
    const s = parseHandoffState({ ...minimal(), memory: memoryToJson(m) });
    expect(s.ok && [...s.state.memory.nonZeroQwords()]).toEqual([...m.nonZeroQwords()]);
  });
  it('defaults: IDTR 0/0, push of 8 bytes, kernel reclaims free memory only', () => {
    const r = parseHandoffState(minimal());
    expect(r.ok && { idtr: r.state.idtr.limit, bytes: r.state.stack.bytes, reclaims: r.state.kernelReclaims, len: r.state.entry.length }).toEqual({ idtr: 0, bytes: 8, reclaims: ['free'], len: 1 });
  });
  it('memory dumps are loaded through the caller, with qwords applied on top', () => {
    const dump = new Uint8Array(0x2000);
    dump[0x1000] = 0x03;
    dump[0x1001] = 0x20;
    const r = parseHandoffState({ ...minimal(), memoryDump: { file: 'm.bin', base: '0x0' }, memory: [{ pa: '0x1008', value: '0x9' }] }, (f) => (f === 'm.bin' ? dump : 'nope'));
    expect(r.ok && r.state.memory.read64(0x1000 as PhysAddr)).toEqual(u64(0, 0x2003));
    expect(r.ok && r.state.memory.read64(0x1008 as PhysAddr)).toEqual(u64(0, 9));
    expect(problem({ ...minimal(), memoryDump: { file: 'x.bin' } })).toBe('$.memoryDump: a memory dump file cannot be loaded here; give the memory as qwords');
    expect(parseHandoffState({ ...minimal(), memoryDump: { file: 'x.bin' } }, () => 'cannot read x.bin: ENOENT')).toEqual({ ok: false, problems: [{ path: '$.memoryDump.file', message: 'cannot read x.bin: ENOENT' }] });
    expect(problem({ ...minimal(), memoryDump: { file: 3 } })).toMatch(/^\$\.memoryDump\.file/);
    expect(problem({ ...minimal(), memoryDump: { file: 'x', base: '0x10' } })).toBe('$.memoryDump.base: must be 4 KiB aligned');
  });
  it('UEFI.MMAP.DESCRIPTOR_SIZE: the final map can be the raw GetMemoryMap buffer, read with its DescriptorSize', () => {
    const map = buildHandoff(DEFAULT_PLAN).state.memoryMap!;
    const raw = encodeMap(map, 48);
    const load = (f: string): Uint8Array | string => (f === 'map.bin' ? raw : `cannot read ${f}`);
    const r = parseHandoffState({ ...minimal(), memoryMapDump: { file: 'map.bin', descriptorSize: 48 } }, load);
    expect(r.ok && r.state.memoryMap).toEqual(map);
    const part = parseHandoffState({ ...minimal(), memoryMapDump: { file: 'map.bin', descriptorSize: 48, mapSize: 96 } }, load);
    expect(part.ok && part.state.memoryMap?.length).toBe(2);
    expect(parseHandoffState({ ...minimal(), memoryMapDump: { file: 'map.bin', descriptorSize: 40, mapSize: 100 } }, load))
      .toEqual({ ok: false, problems: [{ path: '$.memoryMapDump', message: 'byte 80 of map.bin: MemoryMapSize 100 is not a multiple of DescriptorSize 40' }] });
    expect(problem({ ...minimal(), memoryMapDump: { file: 'map.bin', descriptorSize: 48 } })).toBe('$.memoryMapDump: a map file cannot be loaded here; give the map as `memoryMap`');
    expect(problem({ ...minimal(), memoryMap: [], memoryMapDump: { file: 'map.bin', descriptorSize: 48 } })).toBe('$.memoryMapDump: give the map either as `memoryMap` or as `memoryMapDump`, not both');
    expect(problem({ ...minimal(), memoryMapDump: { descriptorSize: 48 } })).toBe('$.memoryMapDump.file: expected a file name');
    expect(parseHandoffState({ ...minimal(), memoryMapDump: { file: 'x.bin', descriptorSize: 48 } }, load)).toEqual({ ok: false, problems: [{ path: '$.memoryMapDump.file', message: 'cannot read x.bin' }] });
  });

  it('every malformed field is named by its JSON path', () => {
    const m = minimal();
    const cases: [Json, string][] = [
      [[], '$: expected an object'],
      [{ ...m, cpu: { maxphyaddr: 60 } }, '$.cpu.maxphyaddr: must be 32–52, got 60'],
      [{ ...m, cpu: { maxphyaddr: 40, features: ['sse'] } }, '$.cpu.features[0]: unknown feature "sse" (one of nx, smep, smap, pku, pdpe1gb)'],
      [{ ...m, regs: { ...(m.regs as object), cr3: 5 } }, '$.regs.cr3: expected a "0x…" string'],
      [{ ...m, regs: { ...(m.regs as object), cr3: '0xzz' } }, "$.regs.cr3: '0xzz' is not a 64-bit hex value (\"0x\" and 1–16 hex digits)"],
      [{ ...m, memory: {} }, '$.memory: expected an array'],
      [{ ...m, memory: [{ pa: '0x1004', value: '0x1' }] }, '$.memory[0].pa: qwords must be 8-byte aligned'],
      [{ ...m, memory: [{ pa: '0x10000000000000', value: '0x1' }] }, '$.memory[0].pa: physical address at or above 2^52'],
      [{ ...m, memory: [{ pa: '0xffffffffffff8', value: '0x1', count: 4 }] }, '$.memory[0].count: the run goes past 2^52'],
      [{ ...m, memory: undefined as unknown as Json }, '$.memory: give the page tables as `memory` qwords or a `memoryDump` file'],
      [{ ...m, switch: { va: '0x1000', length: 0 } }, '$.switch.length: must be at least 1'],
      [{ ...m, stack: { rsp: '0x1', bytes: -1 } }, '$.stack.bytes: expected a non-negative integer, got -1'],
      [{ ...m, stack: { rsp: '0x1', bytes: '0xffffffffffffffff' } }, '$.stack.bytes: value does not fit a count'],
      [{ ...m, gdtr: { base: '0x0', limit: 7, used: 'yes' } }, '$.gdtr.used: expected true or false'],
      [{ ...m, kernelReclaims: ['everything'] }, '$.kernelReclaims[0]: expected one of free, free-when-done, free-after-acpi, keep'],
      [{ ...m, memoryMap: [{ type: 'EfiNothing', start: '0x0', pages: 1 }] }, '$.memoryMap[0].type: unknown memory type "EfiNothing" (use a name like "EfiLoaderData" or a number)'],
      [{ ...m, memoryMap: [{ type: true, start: '0x0', pages: 1 }] }, '$.memoryMap[0].type: unknown memory type true (use a name like "EfiLoaderData" or a number)'],
      [{ ...m, memoryMap: [{ type: 7, start: '0x10', pages: 1 }] }, '$.memoryMap[0].start: must be 4 KiB aligned (UEFI.MMAP.PAGES)'],
      [{ ...m, runtimeServices: { calls: true } }, '$.runtimeServices: checking runtime mappings needs `memoryMap`'],
    ];
    for (const [json, want] of cases) expect(problem(json)).toBe(want);
    const good = parseHandoffState({ ...m, gdtr: { base: '0x0', limit: '0x7' }, memoryMap: [{ type: 'EfiLoaderData', start: 0, pages: 1, virtualStart: '0x8000' }], runtimeServices: {}, idtr: { base: '0x0', limit: 4095 } });
    expect(good.ok && { used: good.state.gdtr?.used, v: good.state.memoryMap?.[0]?.virtualStart, rt: good.state.runtimeServices }).toEqual({ used: true, v: u64(0, 0x8000), rt: { calls: true, virtualAddressMap: false } });
  });
  it('non-JSON-parse errors are not swallowed', () => {
    expect(() => parseHandoffState({ ...minimal(), memoryDump: { file: 'a' } }, () => { throw new RangeError('boom'); })).toThrow('boom');
  });
});
