/**
 * The hand-off state as JSON (spec/schemas/handoff-state.schema.json) and back. 64-bit
 * values are "0x…" strings; counts are numbers. Physical memory is a list of qwords,
 * where one item may stand for a run: `count` qwords at consecutive addresses whose
 * values grow by `step` (a 1 GiB direct map is one item per PDPT), or a raw dump file
 * that the caller loads (`memoryDump`). Every problem is reported with its JSON path.
 */
import { canonicalFrom48, type PhysAddr, type VirtAddr } from '../paging/addr.ts';
import { DumpMemory } from '../paging/dump-memory.ts';
import { PhysMemory } from '../paging/memory.ts';
import { FEATURES, type Feature } from '../paging/types.ts';
import { fromBigInt, parseHex, toBigInt, toHex, toNumber, u64, type U64 } from '../paging/u64.ts';
import { decodeMap, descriptor, parseMemoryType, type MemoryDescriptor, type Reuse } from '../uefi/index.ts';
import type { HandoffState } from './state.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

export interface JsonProblem {
  /** JSON path, e.g. `$.memory[3].value`. */
  readonly path: string;
  readonly message: string;
}

export type ParseResult = { readonly ok: true; readonly state: HandoffState } | { readonly ok: false; readonly problems: readonly JsonProblem[] };

/** Loads `memoryDump.file` for the parser; returns the bytes or a message. */
export type DumpLoader = (file: string) => Uint8Array | string;

const REUSES: readonly Reuse[] = ['free', 'free-when-done', 'free-after-acpi', 'keep'];

class Problems extends Error {
  constructor(readonly problems: JsonProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  }
}

function fail(path: string, message: string): never {
  throw new Problems([{ path, message }]);
}

function obj(v: Json | undefined, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, 'expected an object');
  return v;
}

function arr(v: Json | undefined, path: string): Json[] {
  if (!Array.isArray(v)) fail(path, 'expected an array');
  return v;
}

function hex64(v: Json | undefined, path: string): U64 {
  if (typeof v !== 'string') fail(path, 'expected a "0x…" string');
  const h = parseHex(v);
  if (h === undefined) fail(path, `'${v}' is not a 64-bit hex value ("0x" and 1–16 hex digits)`);
  return h;
}

/** A count: a non-negative safe integer, given as a number or a "0x…" string. */
function count(v: Json | undefined, path: string): number {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) fail(path, `expected a non-negative integer, got ${v}`);
    return v;
  }
  const h = hex64(v, path);
  const n = toNumber(h);
  if (!Number.isSafeInteger(n)) fail(path, 'value does not fit a count');
  return n;
}

function phys(v: Json | undefined, path: string): number {
  const n = count(v, path);
  if (n >= 2 ** 52) fail(path, 'physical address at or above 2^52');
  return n;
}

function bool(v: Json | undefined, path: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(path, 'expected true or false');
  return v;
}

function virt(v: Json | undefined, path: string): VirtAddr {
  return hex64(v, path) as VirtAddr;
}

function range(v: Json | undefined, path: string, lengthKey: string, dflt?: number): { va: VirtAddr; length: number } {
  const o = obj(v, path);
  const length = o[lengthKey] === undefined && dflt !== undefined ? dflt : count(o[lengthKey], `${path}.${lengthKey}`);
  if (length < 1) fail(`${path}.${lengthKey}`, 'must be at least 1');
  return { va: virt(o.va, `${path}.va`), length };
}

function memoryOf(root: Obj, loadDump: DumpLoader | undefined): PhysMemory {
  let memory: PhysMemory = new PhysMemory();
  if (root.memoryDump !== undefined) {
    const d = obj(root.memoryDump, '$.memoryDump');
    if (typeof d.file !== 'string') fail('$.memoryDump.file', 'expected a file name');
    const base = d.base === undefined ? 0 : phys(d.base, '$.memoryDump.base');
    if (base % 4096 !== 0) fail('$.memoryDump.base', 'must be 4 KiB aligned');
    if (loadDump === undefined) fail('$.memoryDump', 'a memory dump file cannot be loaded here; give the memory as qwords');
    const bytes = loadDump(d.file);
    if (typeof bytes === 'string') fail('$.memoryDump.file', bytes);
    memory = new DumpMemory(bytes, base);
  }
  const list = root.memory === undefined ? [] : arr(root.memory, '$.memory');
  list.forEach((item, i) => {
    const p = `$.memory[${i}]`;
    const o = obj(item, p);
    const pa = phys(o.pa, `${p}.pa`);
    if (pa % 8 !== 0) fail(`${p}.pa`, 'qwords must be 8-byte aligned');
    const value = hex64(o.value, `${p}.value`);
    const n = o.count === undefined ? 1 : count(o.count, `${p}.count`);
    const step = o.step === undefined ? 0n : toBigInt(hex64(o.step, `${p}.step`));
    if (n > 1 && pa + n * 8 > 2 ** 52) fail(`${p}.count`, 'the run goes past 2^52');
    const start = toBigInt(value);
    for (let k = 0; k < n; k++) memory.write64((pa + 8 * k) as PhysAddr, fromBigInt(start + BigInt(k) * step));
  });
  if (root.memory === undefined && root.memoryDump === undefined) fail('$.memory', 'give the page tables as `memory` qwords or a `memoryDump` file');
  return memory;
}

function mapOf(v: Json | undefined): MemoryDescriptor[] {
  return arr(v, '$.memoryMap').map((item, i) => {
    const p = `$.memoryMap[${i}]`;
    const o = obj(item, p);
    const t = o.type;
    const type = typeof t === 'string' || typeof t === 'number' ? parseMemoryType(t) : undefined;
    if (type === undefined) fail(`${p}.type`, `unknown memory type ${JSON.stringify(t)} (use a name like "EfiLoaderData" or a number)`);
    const start = phys(o.start, `${p}.start`);
    if (start % 4096 !== 0) fail(`${p}.start`, 'must be 4 KiB aligned (UEFI.MMAP.PAGES)');
    const pages = count(o.pages, `${p}.pages`);
    const d = descriptor(type, start, pages, o.attribute === undefined ? u64(0, 0xf) : hex64(o.attribute, `${p}.attribute`));
    return o.virtualStart === undefined ? d : { ...d, virtualStart: hex64(o.virtualStart, `${p}.virtualStart`) };
  });
}

/**
 * The final map as the firmware wrote it (`memoryMapDump`: the raw buffer, read with the
 * DescriptorSize GetMemoryMap reported; UEFI.MMAP.DESCRIPTOR_SIZE).
 */
function mapDumpOf(root: Obj, loadDump: DumpLoader | undefined): MemoryDescriptor[] {
  if (root.memoryMap !== undefined) fail('$.memoryMapDump', 'give the map either as `memoryMap` or as `memoryMapDump`, not both');
  const d = obj(root.memoryMapDump, '$.memoryMapDump');
  if (typeof d.file !== 'string') fail('$.memoryMapDump.file', 'expected a file name');
  const descriptorSize = count(d.descriptorSize, '$.memoryMapDump.descriptorSize');
  if (loadDump === undefined) fail('$.memoryMapDump', 'a map file cannot be loaded here; give the map as `memoryMap`');
  const bytes = loadDump(d.file);
  if (typeof bytes === 'string') fail('$.memoryMapDump.file', bytes);
  const mapSize = d.mapSize === undefined ? bytes.length : count(d.mapSize, '$.memoryMapDump.mapSize');
  const decoded = decodeMap(bytes, mapSize, descriptorSize);
  if (!decoded.ok) fail('$.memoryMapDump', `byte ${decoded.problem.offset} of ${d.file}: ${decoded.problem.message}`);
  return decoded.map;
}

/** Reads a hand-off state; `loadDump` resolves `memoryDump.file` (the CLI reads it relative to the state file). */
export function parseHandoffState(input: Json, loadDump?: DumpLoader): ParseResult {
  try {
    const root = obj(input, '$');
    const cpuJ = obj(root.cpu, '$.cpu');
    const maxPhyAddr = count(cpuJ.maxphyaddr, '$.cpu.maxphyaddr');
    if (maxPhyAddr < 32 || maxPhyAddr > 52) fail('$.cpu.maxphyaddr', `must be 32–52, got ${maxPhyAddr}`);
    const features = new Set<Feature>(arr(cpuJ.features ?? [], '$.cpu.features').map((f, i) => {
      if (typeof f !== 'string' || !(FEATURES as readonly string[]).includes(f)) fail(`$.cpu.features[${i}]`, `unknown feature ${JSON.stringify(f)} (one of ${FEATURES.join(', ')})`);
      return f as Feature;
    }));
    const regs = obj(root.regs, '$.regs');
    const stackJ = obj(root.stack, '$.stack');
    const reclaims = root.kernelReclaims === undefined ? ['free'] : arr(root.kernelReclaims, '$.kernelReclaims');
    const state: HandoffState = {
      cpu: { maxPhyAddr, features },
      cr0: hex64(regs.cr0, '$.regs.cr0'),
      cr3: hex64(regs.cr3, '$.regs.cr3'),
      cr4: hex64(regs.cr4, '$.regs.cr4'),
      efer: hex64(regs.efer, '$.regs.efer'),
      memory: memoryOf(root, loadDump),
      switchCode: range(root.switch, '$.switch', 'length', 1),
      stack: { rsp: virt(stackJ.rsp, '$.stack.rsp'), bytes: stackJ.bytes === undefined ? 8 : count(stackJ.bytes, '$.stack.bytes') },
      entry: range(root.entry, '$.entry', 'length', 1),
      idtr: root.idtr === undefined ? { base: canonicalFrom48(0), limit: 0 }
        : { base: virt(obj(root.idtr, '$.idtr').base, '$.idtr.base'), limit: count(obj(root.idtr, '$.idtr').limit, '$.idtr.limit') },
      kernelReclaims: reclaims.map((r, i) => {
        if (typeof r !== 'string' || !(REUSES as readonly string[]).includes(r)) fail(`$.kernelReclaims[${i}]`, `expected one of ${REUSES.join(', ')}`);
        return r as Reuse;
      }),
      ...(root.bootInfo !== undefined ? { bootInfo: range(root.bootInfo, '$.bootInfo', 'size', 8) } : {}),
      ...(root.gdtr !== undefined ? (() => {
        const g = obj(root.gdtr, '$.gdtr');
        return { gdtr: { base: virt(g.base, '$.gdtr.base'), limit: count(g.limit, '$.gdtr.limit'), used: bool(g.used, '$.gdtr.used', true) } };
      })() : {}),
      ...(root.memoryMap !== undefined ? { memoryMap: mapOf(root.memoryMap) } : {}),
      ...(root.memoryMapDump !== undefined ? { memoryMap: mapDumpOf(root, loadDump) } : {}),
      ...(root.runtimeServices !== undefined ? (() => {
        const r = obj(root.runtimeServices, '$.runtimeServices');
        return { runtimeServices: { calls: bool(r.calls, '$.runtimeServices.calls', true), virtualAddressMap: bool(r.virtualAddressMap, '$.runtimeServices.virtualAddressMap', false) } };
      })() : {}),
      ...(root.framebuffer !== undefined ? (() => {
        const f = obj(root.framebuffer, '$.framebuffer');
        return { framebuffer: { va: virt(f.va, '$.framebuffer.va'), pa: phys(f.pa, '$.framebuffer.pa'), size: count(f.size, '$.framebuffer.size') } };
      })() : {}),
      ...(root.firmware !== undefined ? { firmwareCr3: hex64(obj(root.firmware, '$.firmware').cr3, '$.firmware.cr3') } : {}),
    };
    if (state.runtimeServices?.calls === true && state.memoryMap === undefined) fail('$.runtimeServices', 'checking runtime mappings needs `memoryMap`');
    return { ok: true, state };
  } catch (e) {
    if (e instanceof Problems) return { ok: false, problems: e.problems };
    throw e;
  }
}

/** Qwords of `memory` in the compact run form (consecutive addresses, constant value step). */
export function memoryToJson(memory: PhysMemory): Json[] {
  const out: Obj[] = [];
  let run: { pa: number; value: bigint; step: bigint; count: number } | undefined;
  const flush = (): void => {
    if (run === undefined) return;
    const item: Obj = { pa: `0x${run.pa.toString(16)}`, value: toHex(fromBigInt(run.value)) };
    if (run.count > 1) {
      item.count = run.count;
      if (run.step !== 0n) item.step = toHex(fromBigInt(run.step));
    }
    out.push(item);
    run = undefined;
  };
  for (const [pa, v] of memory.nonZeroQwords()) {
    const value = toBigInt(v);
    if (run !== undefined && pa === run.pa + run.count * 8) {
      const expected = run.value + BigInt(run.count) * run.step;
      if (run.count === 1) {
        run.step = BigInt.asUintN(64, value - run.value);
        run.count = 2;
        continue;
      }
      if (BigInt.asUintN(64, expected) === value) {
        run.count++;
        continue;
      }
    }
    flush();
    run = { pa, value, step: 0n, count: 1 };
  }
  flush();
  return out;
}

const hx = (n: number): string => `0x${n.toString(16)}`;

/** The JSON form of a state (memory as runs), which `parseHandoffState` reads back to an equal state. */
export function handoffStateToJson(s: HandoffState): Obj {
  const out: Obj = {
    cpu: { maxphyaddr: s.cpu.maxPhyAddr, features: FEATURES.filter((f) => s.cpu.features.has(f)) },
    regs: { cr0: toHex(s.cr0), cr3: toHex(s.cr3), cr4: toHex(s.cr4), efer: toHex(s.efer) },
    memory: memoryToJson(s.memory),
    switch: { va: toHex(s.switchCode.va), length: s.switchCode.length },
    stack: { rsp: toHex(s.stack.rsp), bytes: s.stack.bytes },
    entry: { va: toHex(s.entry.va), length: s.entry.length },
    idtr: { base: toHex(s.idtr.base), limit: s.idtr.limit },
    kernelReclaims: [...s.kernelReclaims],
  };
  if (s.bootInfo !== undefined) out.bootInfo = { va: toHex(s.bootInfo.va), size: s.bootInfo.length };
  if (s.gdtr !== undefined) out.gdtr = { base: toHex(s.gdtr.base), limit: s.gdtr.limit, used: s.gdtr.used };
  if (s.memoryMap !== undefined) {
    out.memoryMap = s.memoryMap.map((d) => ({ type: d.type, start: hx(d.physicalStart), pages: d.numberOfPages, attribute: toHex(d.attribute), virtualStart: toHex(d.virtualStart) }));
  }
  if (s.runtimeServices !== undefined) out.runtimeServices = { ...s.runtimeServices };
  if (s.framebuffer !== undefined) out.framebuffer = { va: toHex(s.framebuffer.va), pa: hx(s.framebuffer.pa), size: s.framebuffer.size };
  if (s.firmwareCr3 !== undefined) out.firmware = { cr3: toHex(s.firmwareCr3) };
  return out;
}

