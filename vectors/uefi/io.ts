/**
 * Suite `uefi`: a firmware (its DescriptorSize, UEFI revision, initial memory map or
 * "firmware" for whatever the implementation has), firmware activity to inject, and a
 * sequence of boot/runtime-service calls. Calls refer to earlier results symbolically
 * ("result:3" is the address call 3 returned, "map:2" the MapKey call 2's GetMemoryMap
 * returned, "map:latest" the newest one), so any implementation can replay them.
 *
 * Output: one entry per call: `{status, mapSize?, descriptorSize?, descriptorVersion?,
 * key?}` or `{forbidden}` when the implementation refuses a call the rules forbid.
 * Expectation: per call the permitted statuses (`oneOf`), bounds and key rules, or
 * `{forbidden: clause}` (the loader broke a rule: any answer is accepted, it is
 * undefined behaviour).
 */
import type { DiffEntry } from '../../harness/results.ts';
import type { JsonObject, JsonValue, Vector } from '../../harness/types.ts';
import type { UefiClauseId } from '../../spec/clauses/uefi.ts';
import { parseHex, toNumber, u64, type U64 } from '../../model/paging/u64.ts';
import {
  bootFirmware, descriptor, EDK2_CONFIG, isRuntime, keyRuleAcross, ovmfLikeMap, parseMemoryType, step, STATUSES,
  type AllocateKind, type Call, type CallResult, type EfiStatus, type FirmwareConfig, type FirmwareState,
  type MemoryDescriptor, type Perturbation,
} from '../../model/uefi/index.ts';

/** A bad vector input, with the JSON path of the offending value. */
export class UefiInputError extends Error {
  override readonly name = 'UefiInputError';
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
  }
}

/** A number, or a reference resolved against the implementation's own earlier results. */
export type Ref = number | { readonly result: number } | { readonly mapKey: number | 'latest' };

export type CallJson =
  | { readonly op: 'GetMemoryMap'; readonly bufferSize: number | null; readonly buffer: boolean }
  | { readonly op: 'AllocatePages'; readonly kind: AllocateKind; readonly type: number; readonly pages: number; readonly address?: number }
  | { readonly op: 'FreePages'; readonly address: Ref; readonly pages: number }
  | { readonly op: 'AllocatePool'; readonly type: number; readonly size: number }
  | { readonly op: 'FreePool'; readonly pointer: Ref }
  | { readonly op: 'ExitBootServices'; readonly key: Ref }
  | { readonly op: 'SetVirtualAddressMap'; readonly descriptorSize: number; readonly descriptorVersion: number; readonly map: 'runtime-identity' | 'runtime-identity-minus-one' }
  | { readonly op: 'OtherBootService'; readonly service: string }
  | { readonly op: 'OtherRuntimeService'; readonly service: string };

export interface UefiInput {
  readonly firmware: FirmwareConfig;
  /** The initial map, or 'firmware': the implementation's own (the model then uses an OVMF-like map). */
  readonly map: readonly MemoryDescriptor[] | 'firmware';
  readonly perturbations: readonly Perturbation[];
  readonly calls: readonly CallJson[];
}

type Obj = { readonly [k: string]: JsonValue };

function obj(v: JsonValue | undefined, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UefiInputError(path, 'expected an object');
  return v;
}
function arr(v: JsonValue | undefined, path: string): readonly JsonValue[] {
  if (!Array.isArray(v)) throw new UefiInputError(path, 'expected an array');
  return v;
}
function int(v: JsonValue | undefined, path: string): number {
  if (typeof v === 'string') {
    const h = parseHex(v);
    if (h !== undefined && toNumber(h) < 2 ** 53) return toNumber(h);
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new UefiInputError(path, 'expected a non-negative integer or "0x…"');
  return v;
}
function hex64(v: JsonValue | undefined, path: string): U64 {
  const h = typeof v === 'string' ? parseHex(v) : undefined;
  if (h === undefined) throw new UefiInputError(path, 'expected a "0x…" value');
  return h;
}
function bool(v: JsonValue | undefined, path: string): boolean {
  if (typeof v !== 'boolean') throw new UefiInputError(path, 'expected true or false');
  return v;
}
function str(v: JsonValue | undefined, path: string): string {
  if (typeof v !== 'string') throw new UefiInputError(path, 'expected a string');
  return v;
}
function memType(v: JsonValue | undefined, path: string): number {
  const t = typeof v === 'string' || typeof v === 'number' ? parseMemoryType(v) : undefined;
  if (t === undefined) throw new UefiInputError(path, `unknown memory type ${JSON.stringify(v)}`);
  return t;
}
function ref(v: JsonValue | undefined, path: string): Ref {
  if (typeof v === 'string') {
    const m = /^(result|map):(\d+|latest)$/.exec(v);
    if (m !== null) {
      if (m[1] === 'result' && m[2] !== 'latest') return { result: Number(m[2]) };
      if (m[1] === 'map') return { mapKey: m[2] === 'latest' ? 'latest' : Number(m[2]) };
    }
  }
  if (typeof v === 'string' && !/^0[xX]/.test(v)) throw new UefiInputError(path, `expected a number, "0x…", "result:N" or "map:N"/"map:latest", got '${v}'`);
  return int(v, path);
}

function callOf(v: JsonValue, path: string): CallJson {
  const o = obj(v, path);
  const op = str(o.op, `${path}.op`);
  switch (op) {
    case 'GetMemoryMap':
      return { op, bufferSize: o.bufferSize === null ? null : int(o.bufferSize, `${path}.bufferSize`), buffer: bool(o.buffer, `${path}.buffer`) };
    case 'AllocatePages': {
      const kind = str(o.kind, `${path}.kind`);
      if (kind !== 'AnyPages' && kind !== 'MaxAddress' && kind !== 'Address') throw new UefiInputError(`${path}.kind`, 'expected AnyPages, MaxAddress or Address');
      const base = { op, kind, type: memType(o.type, `${path}.type`), pages: int(o.pages, `${path}.pages`) } as const;
      return o.address === undefined ? base : { ...base, address: int(o.address, `${path}.address`) };
    }
    case 'FreePages': return { op, address: ref(o.address, `${path}.address`), pages: int(o.pages, `${path}.pages`) };
    case 'AllocatePool': return { op, type: memType(o.type, `${path}.type`), size: int(o.size, `${path}.size`) };
    case 'FreePool': return { op, pointer: ref(o.pointer, `${path}.pointer`) };
    case 'ExitBootServices': return { op, key: ref(o.key, `${path}.key`) };
    case 'SetVirtualAddressMap': {
      const map = str(o.map, `${path}.map`);
      if (map !== 'runtime-identity' && map !== 'runtime-identity-minus-one') throw new UefiInputError(`${path}.map`, 'expected runtime-identity or runtime-identity-minus-one');
      return { op, descriptorSize: int(o.descriptorSize, `${path}.descriptorSize`), descriptorVersion: int(o.descriptorVersion, `${path}.descriptorVersion`), map };
    }
    case 'OtherBootService':
    case 'OtherRuntimeService':
      return { op, service: str(o.service, `${path}.service`) };
    default:
      throw new UefiInputError(`${path}.op`, `unknown call '${op}'`);
  }
}

/** Reads a `uefi` vector input; throws UefiInputError naming the path of the first problem. */
export function parseUefiInput(input: JsonObject): UefiInput {
  const fw = input.firmware === undefined ? {} : obj(input.firmware, '$.input.firmware');
  const firmware: FirmwareConfig = {
    descriptorSize: fw.descriptorSize === undefined ? EDK2_CONFIG.descriptorSize : int(fw.descriptorSize, '$.input.firmware.descriptorSize'),
    descriptorVersion: fw.descriptorVersion === undefined ? EDK2_CONFIG.descriptorVersion : int(fw.descriptorVersion, '$.input.firmware.descriptorVersion'),
    uefiRevision: fw.uefiRevision === undefined ? EDK2_CONFIG.uefiRevision : int(fw.uefiRevision, '$.input.firmware.uefiRevision'),
    stopsTimerOnExitAttempt: fw.stopsTimerOnExitAttempt === undefined ? EDK2_CONFIG.stopsTimerOnExitAttempt : bool(fw.stopsTimerOnExitAttempt, '$.input.firmware.stopsTimerOnExitAttempt'),
    poolHeader: EDK2_CONFIG.poolHeader,
  };
  const map = input.map === 'firmware' ? 'firmware' : arr(input.map, '$.input.map').map((d, i) => {
    const p = `$.input.map[${i}]`;
    const o = obj(d, p);
    const base = descriptor(memType(o.type, `${p}.type`), int(o.start, `${p}.start`), int(o.pages, `${p}.pages`), o.attribute === undefined ? u64(0, 0xf) : hex64(o.attribute, `${p}.attribute`));
    if (base.physicalStart % 4096 !== 0) throw new UefiInputError(`${p}.start`, 'must be 4 KiB aligned (UEFI.MMAP.PAGES)');
    return base;
  });
  const perturbations = arr(input.perturbations ?? [], '$.input.perturbations').map((v, i): Perturbation => {
    const p = `$.input.perturbations[${i}]`;
    const o = obj(v, p);
    const source = str(o.source, `${p}.source`);
    const action = str(o.action, `${p}.action`);
    if (source !== 'timer' && source !== 'notify') throw new UefiInputError(`${p}.source`, 'expected timer or notify');
    if (action !== 'allocate' && action !== 'free') throw new UefiInputError(`${p}.action`, 'expected allocate or free');
    return { beforeCall: int(o.beforeCall, `${p}.beforeCall`), source, action, pages: o.pages === undefined ? 1 : int(o.pages, `${p}.pages`) };
  });
  const calls = arr(input.calls, '$.input.calls').map((c, i) => callOf(c, `$.input.calls[${i}]`));
  return { firmware, map, perturbations, calls };
}

/** Resolves the references in a call against earlier results; undefined when a reference points nowhere. */
export function resolveCall(c: CallJson, results: readonly { address?: number; key?: number }[], initialMap: readonly MemoryDescriptor[], lastMap: readonly MemoryDescriptor[]): Call | string {
  const get = (r: Ref, what: string): number | string => {
    if (typeof r === 'number') return r;
    if ('result' in r) return results[r.result]?.address ?? `${what} refers to call ${r.result}, which returned no address`;
    const keys = results.map((x, i) => [i, x.key] as const).filter(([, k]) => k !== undefined);
    const hit = r.mapKey === 'latest' ? keys[keys.length - 1] : keys.find(([i]) => i === r.mapKey);
    return hit?.[1] ?? `${what} refers to a GetMemoryMap that returned no key`;
  };
  switch (c.op) {
    case 'FreePages': { const a = get(c.address, 'address'); return typeof a === 'string' ? a : { op: c.op, address: a, pages: c.pages }; }
    case 'FreePool': { const a = get(c.pointer, 'pointer'); return typeof a === 'string' ? a : { op: c.op, pointer: a }; }
    case 'ExitBootServices': { const k = get(c.key, 'key'); return typeof k === 'string' ? k : { op: c.op, key: k }; }
    case 'SetVirtualAddressMap': {
      const rt = (lastMap.length > 0 ? lastMap : initialMap).filter(isRuntime).map((d) => ({ ...d, virtualStart: u64(Math.floor(d.physicalStart / 2 ** 32), d.physicalStart % 2 ** 32) }));
      return { op: c.op, descriptorSize: c.descriptorSize, descriptorVersion: c.descriptorVersion, map: c.map === 'runtime-identity' ? rt : rt.slice(1) };
    }
    default: return c;
  }
}

/** Runs the input on the model's firmware; the per-call results. */
export function runUefiModel(input: UefiInput): { results: CallResult[]; calls: (Call | string)[]; state: FirmwareState } {
  const initial = input.map === 'firmware' ? ovmfLikeMap() : input.map;
  let fw = bootFirmware(initial, input.firmware, input.perturbations);
  const results: CallResult[] = [];
  const seen: { address?: number; key?: number }[] = [];
  const calls: (Call | string)[] = [];
  let lastMap: readonly MemoryDescriptor[] = [];
  for (const c of input.calls) {
    const call = resolveCall(c, seen, fw.map, lastMap);
    calls.push(call);
    if (typeof call === 'string') throw new UefiInputError('$.input.calls', call);
    const r = step(fw, call);
    fw = r.state;
    results.push(r.result);
    const res = r.result;
    if (res.kind === 'status' && res.mapInfo?.map !== undefined) lastMap = res.mapInfo.map;
    seen.push(res.kind === 'status' ? { ...(res.address !== undefined ? { address: res.address } : {}), ...(res.mapInfo?.key !== undefined ? { key: res.mapInfo.key } : {}) } : {});
  }
  return { results, calls, state: fw };
}

/** The model's output for an input, in the implementation protocol's form. */
export function uefiModelAnswer(input: UefiInput): JsonObject {
  return {
    results: runUefiModel(input).results.map((r): JsonObject => {
      if (r.kind === 'forbidden') return { forbidden: r.clause };
      const out: { [k: string]: JsonValue } = { status: r.status };
      if (r.mapInfo !== undefined) {
        out.mapSize = r.mapInfo.mapSize;
        out.descriptorSize = r.mapInfo.descriptorSize;
        if (r.mapInfo.key !== undefined) {
          out.descriptorVersion = r.mapInfo.descriptorVersion;
          out.key = r.mapInfo.key;
        }
      }
      if (r.address !== undefined) out.address = `0x${r.address.toString(16)}`;
      return out;
    }),
  };
}

/** The expectation the model derives: permitted statuses, bounds and key rules per call. */
export function uefiExpectation(input: UefiInput): JsonObject {
  const { results, calls } = runUefiModel(input);
  let sinceMap: { op: Call['op']; succeeded: boolean }[] | undefined;
  let previousKey: number | undefined;
  return {
    results: results.map((r, i): JsonObject => {
      if (r.kind === 'forbidden') return { forbidden: r.clause };
      const call = calls[i] as Call;
      const out: { [k: string]: JsonValue } = { oneOf: [...r.permitted], clauses: [...r.clauses] };
      if (r.mapInfo !== undefined) {
        out.descriptorSize = r.mapInfo.descriptorSize;
        // UEFI.MMAP.BUFFER_TOO_SMALL: the size is at least what the map needs (an upper bound is fine).
        if (input.map !== 'firmware') out.mapSizeAtLeast = r.mapInfo.mapSize;
        if (r.mapInfo.key !== undefined) {
          out.descriptorVersion = r.mapInfo.descriptorVersion;
          if (sinceMap !== undefined) {
            const rule = keyRuleAcross(sinceMap);
            // Injected firmware activity (UEFI.EBS.EVENTS_MAY_ALLOCATE) changes the key on its own.
            out.keyVersusPrevious = rule === 'never' && r.mapInfo.key !== previousKey ? 'must' : rule;
          }
          previousKey = r.mapInfo.key;
          sinceMap = [];
          return out;
        }
      }
      sinceMap?.push({ op: call.op, succeeded: r.status === 'EFI_SUCCESS' });
      return out;
    }),
  };
}

const diff = (path: string, expected: JsonValue, observed: JsonValue, clause?: UefiClauseId): DiffEntry =>
  clause === undefined ? { path, expected, observed } : { path, expected, observed, clause };

/** Compares an implementation's output with the expectation. */
export function judgeUefi(expect: JsonObject, output: JsonObject): DiffEntry[] {
  const want = expect.results as JsonObject[];
  const got = output.results;
  if (!Array.isArray(got)) return [diff('$.results', `${want.length} results`, got ?? null)];
  const out: DiffEntry[] = [];
  if (got.length !== want.length) out.push(diff('$.results', `${want.length} results`, `${got.length} results`));
  let lastKey: number | undefined;
  want.forEach((w, i) => {
    const g = got[i];
    const p = `$.results[${i}]`;
    if (w.forbidden !== undefined) return; // undefined behaviour: any answer (UEFI.EBS.*)
    if (g === null || typeof g !== 'object' || Array.isArray(g)) {
      out.push(diff(p, w.oneOf ?? null, g ?? null));
      return;
    }
    const clause = (w.clauses as UefiClauseId[] | undefined)?.[0];
    const oneOf = w.oneOf as string[];
    if (typeof g.status !== 'string' || !(STATUSES as readonly string[]).includes(g.status) || !oneOf.includes(g.status)) {
      out.push(diff(`${p}.status`, oneOf, g.status ?? null, clause));
      return;
    }
    if (w.descriptorSize !== undefined && g.descriptorSize !== w.descriptorSize) out.push(diff(`${p}.descriptorSize`, w.descriptorSize, g.descriptorSize ?? null, 'UEFI.MMAP.DESCRIPTOR_SIZE'));
    if (w.descriptorVersion !== undefined && g.status === 'EFI_SUCCESS' && g.descriptorVersion !== w.descriptorVersion) {
      out.push(diff(`${p}.descriptorVersion`, w.descriptorVersion, g.descriptorVersion ?? null, 'UEFI.MMAP.DESCRIPTOR_VERSION'));
    }
    if (typeof w.mapSizeAtLeast === 'number' && g.status === 'EFI_BUFFER_TOO_SMALL' && !(typeof g.mapSize === 'number' && g.mapSize >= w.mapSizeAtLeast)) {
      out.push(diff(`${p}.mapSize`, `at least ${w.mapSizeAtLeast}`, g.mapSize ?? null, 'UEFI.MMAP.BUFFER_TOO_SMALL'));
    }
    if (g.status === 'EFI_SUCCESS' && w.descriptorVersion !== undefined) {
      const key = typeof g.key === 'number' ? g.key : undefined;
      const rule = w.keyVersusPrevious;
      if (key !== undefined && lastKey !== undefined) {
        if (rule === 'must' && key === lastKey) out.push(diff(`${p}.key`, 'a new key (the map changed)', key, 'UEFI.MMAP.KEY_CHANGES'));
        if (rule === 'never' && key !== lastKey) out.push(diff(`${p}.key`, `the previous key ${lastKey} (nothing changed the map)`, key, 'UEFI.MMAP.KEY_CHANGES'));
      }
      if (key === undefined) out.push(diff(`${p}.key`, 'the MapKey', g.key ?? null, 'UEFI.MMAP.KEY_CHANGES'));
      lastKey = key;
    }
  });
  return out;
}

/** Every status name, for documentation and arbitraries. */
export const STATUS_NAMES: readonly EfiStatus[] = STATUSES;
