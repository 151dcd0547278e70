/**
 * The firmware side of the exit flow as a state machine: `step(state, call)` returns the
 * next state and what the call returned. The behaviour is EDK2's (what OVMF does) and
 * every result also carries the set of statuses the specification permits, so a test can
 * check a firmware against the specification (the set) or against OVMF (the status).
 */
import type { UefiClauseId } from '../../spec/clauses/uefi.ts';
import {
  DESCRIPTOR_STRUCT_SIZE, EFI_MEMORY_DESCRIPTOR_VERSION, EFI_PAGE_SIZE, endOf, isRuntime, type MemoryDescriptor,
} from './descriptor.ts';
import type { Call, CallResult, MapInfo } from './calls.ts';
import { coalesce, findFreeTopDown, rangeCoveredBy, retype, type MemoryMap } from './memory-map.ts';
import { EfiBootServicesData, EfiConventionalMemory, isAllocatableType } from './memory-type.ts';
import type { Perturbation } from './perturbation.ts';
import type { EfiStatus } from './status.ts';

/** Firmware parameters that differ between implementations. */
export interface FirmwareConfig {
  /** The stride GetMemoryMap reports (OVMF: 48). */
  readonly descriptorSize: number;
  readonly descriptorVersion: number;
  /** UEFI revision the firmware follows, as major·100 + minor (2.10 → 210). */
  readonly uefiRevision: number;
  /** EDK2 stops its timer as the first thing ExitBootServices does, even when it then fails (UEFI.EBS.PARTIAL_SHUTDOWN). */
  readonly stopsTimerOnExitAttempt: boolean;
  /** Bytes of header a pool allocation carries before the returned pointer. */
  readonly poolHeader: number;
}

/** What OVMF 2022.11 does (NOTES.md "OVMF under QEMU"). */
export const EDK2_CONFIG: FirmwareConfig = {
  descriptorSize: 48,
  descriptorVersion: EFI_MEMORY_DESCRIPTOR_VERSION,
  uefiRevision: 270,
  stopsTimerOnExitAttempt: true,
  poolHeader: 0x18,
};

/** boot: boot services active; exit-failed: an ExitBootServices failed; exited: success; virtual: SetVirtualAddressMap done. */
export type Phase = 'boot' | 'exit-failed' | 'exited' | 'virtual';

export interface PoolBlock {
  readonly pointer: number;
  readonly pages: number;
}

export interface FirmwareState {
  readonly config: FirmwareConfig;
  readonly phase: Phase;
  readonly map: MemoryMap;
  readonly key: number;
  readonly timerRunning: boolean;
  readonly pool: readonly PoolBlock[];
  /** Pages firmware activity took (oldest first), which a later `free` perturbation returns. */
  readonly firmwareAllocations: readonly { readonly at: number; readonly pages: number }[];
  /** Firmware activity still to happen, by the index of the call it precedes. */
  readonly perturbations: readonly Perturbation[];
  /** How many calls have been made. */
  readonly calls: number;
  /** Virtual map given to a successful SetVirtualAddressMap. */
  readonly virtualMap?: readonly MemoryDescriptor[];
}

/** A firmware with the given initial map and optional scheduled perturbations. */
export function bootFirmware(map: MemoryMap, config: FirmwareConfig = EDK2_CONFIG, perturbations: readonly Perturbation[] = []): FirmwareState {
  return { config, phase: 'boot', map: coalesce(map), key: 1, timerRunning: true, pool: [], firmwareAllocations: [], perturbations, calls: 0 };
}

export interface StepResult {
  readonly state: FirmwareState;
  readonly result: CallResult;
}

const MAX_ADDRESS = 2 ** 52 - 1;

type Outcome = { status: EfiStatus; permitted?: readonly EfiStatus[]; clauses: readonly UefiClauseId[]; mapInfo?: MapInfo; address?: number };

/** Performs one call: first the firmware activity scheduled before it, then the call itself. */
export function step(state0: FirmwareState, call: Call): StepResult {
  const state = firePerturbations(state0);
  const next = { ...state, calls: state.calls + 1 };
  const forbidden = forbiddenReason(next, call);
  if (forbidden !== undefined) return { state: next, result: { kind: 'forbidden', ...forbidden } };
  const [after, outcome] = perform(next, call);
  const permitted = outcome.permitted ?? [outcome.status];
  const result: CallResult = {
    kind: 'status',
    status: outcome.status,
    permitted: permitted.includes(outcome.status) ? permitted : [outcome.status, ...permitted],
    clauses: outcome.clauses,
    keyChanged: after.key !== next.key,
    ...(outcome.mapInfo !== undefined ? { mapInfo: outcome.mapInfo } : {}),
    ...(outcome.address !== undefined ? { address: outcome.address } : {}),
  };
  return { state: after, result };
}

/** Runs the calls in order; returns the final state and each result. */
export function runCalls(state: FirmwareState, calls: readonly Call[]): { state: FirmwareState; results: CallResult[] } {
  const results: CallResult[] = [];
  let s = state;
  for (const c of calls) {
    const r = step(s, c);
    s = r.state;
    results.push(r.result);
  }
  return { state: s, results };
}

function firePerturbations(state: FirmwareState): FirmwareState {
  const due = state.perturbations.filter((p) => p.beforeCall <= state.calls);
  if (due.length === 0) return state;
  let s: FirmwareState = { ...state, perturbations: state.perturbations.filter((p) => p.beforeCall > state.calls) };
  for (const p of due) {
    // Timer events stop firing once the timer is off (UEFI.EBS.PARTIAL_SHUTDOWN); nothing
    // fires once boot services are gone.
    if (s.phase === 'exited' || s.phase === 'virtual') continue;
    if (p.source === 'timer' && !s.timerRunning) continue;
    s = p.action === 'allocate' ? allocateForFirmware(s, p.pages) : releaseFirmwareAllocation(s);
  }
  return s;
}

/** A firmware-internal allocation (an event handler's buffer): changes the map and key (UEFI.EBS.EVENTS_MAY_ALLOCATE). */
function allocateForFirmware(s: FirmwareState, pages: number): FirmwareState {
  const at = findFreeTopDown(s.map, pages, MAX_ADDRESS);
  if (at === undefined) return s;
  return { ...s, map: retype(s.map, at, pages, EfiBootServicesData), key: s.key + 1, firmwareAllocations: [...s.firmwareAllocations, { at, pages }] };
}

function releaseFirmwareAllocation(s: FirmwareState): FirmwareState {
  const [oldest, ...rest] = s.firmwareAllocations;
  if (oldest === undefined) return s;
  return { ...s, map: retype(s.map, oldest.at, oldest.pages, EfiConventionalMemory), key: s.key + 1, firmwareAllocations: rest };
}

const MEMORY_SERVICES: ReadonlySet<Call['op']> = new Set(['GetMemoryMap', 'AllocatePages', 'FreePages', 'AllocatePool', 'FreePool', 'ExitBootServices']);

function forbiddenReason(s: FirmwareState, call: Call): { clause: UefiClauseId; reason: string } | undefined {
  const bootService = call.op !== 'SetVirtualAddressMap' && call.op !== 'OtherRuntimeService';
  if ((s.phase === 'exited' || s.phase === 'virtual') && bootService) {
    return { clause: 'UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES', reason: `${call.op} is a boot service and ExitBootServices has already succeeded` };
  }
  if (s.phase === 'exit-failed' && bootService) {
    // UEFI 2.9 widened the list from GetMemoryMap alone to the memory allocation services.
    const allowed = s.config.uefiRevision >= 209 ? MEMORY_SERVICES.has(call.op) : call.op === 'GetMemoryMap' || call.op === 'ExitBootServices';
    if (!allowed) {
      const name = call.op === 'OtherBootService' ? call.service : call.op;
      return { clause: 'UEFI.EBS.AFTER_FAILURE', reason: `${name} may not be called after a failed ExitBootServices; only GetMemoryMap${s.config.uefiRevision >= 209 ? ' and the memory allocation services' : ''} may` };
    }
  }
  return undefined;
}

function perform(s: FirmwareState, call: Call): [FirmwareState, Outcome] {
  switch (call.op) {
    case 'GetMemoryMap': return getMemoryMap(s, call.bufferSize, call.buffer);
    case 'AllocatePages': return allocatePages(s, call);
    case 'FreePages': return freePages(s, call.address, call.pages);
    case 'AllocatePool': return allocatePool(s, call.type, call.size);
    case 'FreePool': return freePool(s, call.pointer);
    case 'ExitBootServices': return exitBootServices(s, call.key);
    case 'SetVirtualAddressMap': return setVirtualAddressMap(s, call.descriptorSize, call.descriptorVersion, call.map);
    case 'OtherBootService':
      return [s, { status: 'EFI_SUCCESS', clauses: ['UEFI.MMAP.KEY_NOT_PREDICTABLE'] }];
    case 'OtherRuntimeService':
      return [s, { status: 'EFI_SUCCESS', clauses: [] }];
  }
}

function mapInfoOf(s: FirmwareState, mapSize: number, withMap: boolean): MapInfo {
  const base = { mapSize, descriptorSize: s.config.descriptorSize, descriptorVersion: s.config.descriptorVersion };
  return withMap ? { ...base, key: s.key, map: s.map } : base;
}

function getMemoryMap(s: FirmwareState, bufferSize: number | null, buffer: boolean): [FirmwareState, Outcome] {
  if (bufferSize === null) return [s, { status: 'EFI_INVALID_PARAMETER', clauses: ['UEFI.MMAP.INVALID_PARAMETER'] }];
  const needed = s.map.length * s.config.descriptorSize;
  if (bufferSize < needed) {
    return [s, { status: 'EFI_BUFFER_TOO_SMALL', clauses: ['UEFI.MMAP.BUFFER_TOO_SMALL', 'UEFI.MMAP.DESCRIPTOR_SIZE'], mapInfo: mapInfoOf(s, needed, false) }];
  }
  if (!buffer) return [s, { status: 'EFI_INVALID_PARAMETER', clauses: ['UEFI.MMAP.INVALID_PARAMETER'] }];
  return [s, { status: 'EFI_SUCCESS', clauses: ['UEFI.MMAP.DESCRIPTOR_SIZE', 'UEFI.MMAP.DESCRIPTOR_VERSION'], mapInfo: mapInfoOf(s, needed, true) }];
}

function takePages(s: FirmwareState, at: number, pages: number, type: number): FirmwareState {
  return { ...s, map: retype(s.map, at, pages, type), key: s.key + 1 };
}

function allocatePages(s: FirmwareState, call: Extract<Call, { op: 'AllocatePages' }>): [FirmwareState, Outcome] {
  const clauses: UefiClauseId[] = ['UEFI.ALLOC.PAGES'];
  if (!isAllocatableType(call.type) || !Number.isInteger(call.pages) || call.pages < 1) {
    return [s, { status: 'EFI_INVALID_PARAMETER', clauses }];
  }
  if (call.kind === 'Address') {
    const at = call.address ?? -1;
    if (at < 0 || at % EFI_PAGE_SIZE !== 0) return [s, { status: 'EFI_INVALID_PARAMETER', clauses }];
    const free = rangeCoveredBy(s.map, at, call.pages, (d) => d.type === EfiConventionalMemory);
    if (!free) return [s, { status: 'EFI_NOT_FOUND', clauses }];
    return [takePages(s, at, call.pages, call.type), { status: 'EFI_SUCCESS', clauses: [...clauses, 'UEFI.MMAP.KEY_CHANGES'], address: at }];
  }
  const max = call.kind === 'MaxAddress' ? (call.address ?? 0) : MAX_ADDRESS;
  const at = findFreeTopDown(s.map, call.pages, max);
  if (at === undefined) return [s, { status: 'EFI_OUT_OF_RESOURCES', permitted: ['EFI_OUT_OF_RESOURCES', 'EFI_NOT_FOUND'], clauses }];
  return [takePages(s, at, call.pages, call.type), { status: 'EFI_SUCCESS', clauses: [...clauses, 'UEFI.MMAP.KEY_CHANGES'], address: at }];
}

function freePages(s: FirmwareState, address: number, pages: number): [FirmwareState, Outcome] {
  const clauses: UefiClauseId[] = ['UEFI.ALLOC.FREE_PAGES'];
  if (address % EFI_PAGE_SIZE !== 0 || !Number.isInteger(pages) || pages < 1) return [s, { status: 'EFI_INVALID_PARAMETER', clauses }];
  const allocated = rangeCoveredBy(s.map, address, pages, (d) => d.type !== EfiConventionalMemory && isAllocatableType(d.type) && !isRuntime(d));
  if (!allocated) return [s, { status: 'EFI_NOT_FOUND', clauses }];
  return [{ ...s, map: retype(s.map, address, pages, EfiConventionalMemory), key: s.key + 1 }, { status: 'EFI_SUCCESS', clauses: [...clauses, 'UEFI.MMAP.KEY_CHANGES'] }];
}

function allocatePool(s: FirmwareState, type: number, size: number): [FirmwareState, Outcome] {
  const clauses: UefiClauseId[] = ['UEFI.ALLOC.POOL'];
  if (!isAllocatableType(type) || !Number.isInteger(size) || size < 0) return [s, { status: 'EFI_INVALID_PARAMETER', clauses }];
  // EDK2 (as OVMF shows) backs the allocation with pages of its own, so the key changes.
  const pages = Math.max(1, Math.ceil((size + s.config.poolHeader) / EFI_PAGE_SIZE));
  const at = findFreeTopDown(s.map, pages, MAX_ADDRESS);
  if (at === undefined) return [s, { status: 'EFI_OUT_OF_RESOURCES', clauses }];
  const pointer = at + s.config.poolHeader;
  const next = takePages(s, at, pages, type);
  return [{ ...next, pool: [...s.pool, { pointer, pages }] }, { status: 'EFI_SUCCESS', clauses: [...clauses, 'UEFI.MMAP.KEY_NOT_PREDICTABLE'], address: pointer }];
}

function freePool(s: FirmwareState, pointer: number): [FirmwareState, Outcome] {
  const block = s.pool.find((b) => b.pointer === pointer);
  if (block === undefined) return [s, { status: 'EFI_INVALID_PARAMETER', clauses: ['UEFI.ALLOC.POOL'] }];
  const at = pointer - s.config.poolHeader;
  const next = { ...s, map: retype(s.map, at, block.pages, EfiConventionalMemory), key: s.key + 1, pool: s.pool.filter((b) => b !== block) };
  return [next, { status: 'EFI_SUCCESS', clauses: ['UEFI.ALLOC.POOL', 'UEFI.MMAP.KEY_NOT_PREDICTABLE'] }];
}

function exitBootServices(s: FirmwareState, key: number): [FirmwareState, Outcome] {
  const timerRunning = s.config.stopsTimerOnExitAttempt ? false : s.timerRunning;
  if (key !== s.key) {
    return [{ ...s, phase: 'exit-failed', timerRunning }, { status: 'EFI_INVALID_PARAMETER', clauses: ['UEFI.EBS.STALE_KEY', 'UEFI.EBS.PARTIAL_SHUTDOWN'] }];
  }
  return [{ ...s, phase: 'exited', timerRunning: false, pool: [] }, { status: 'EFI_SUCCESS', clauses: ['UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES', 'UEFI.EBS.INTERRUPTS_OFF'] }];
}

function setVirtualAddressMap(s: FirmwareState, descriptorSize: number, version: number, vmap: readonly MemoryDescriptor[]): [FirmwareState, Outcome] {
  if (s.phase === 'boot' || s.phase === 'exit-failed') return [s, { status: 'EFI_UNSUPPORTED', clauses: ['UEFI.SVAM.BEFORE_EXIT'] }];
  if (s.phase === 'virtual') return [s, { status: 'EFI_UNSUPPORTED', clauses: ['UEFI.SVAM.ONCE'] }];
  if (version !== s.config.descriptorVersion || descriptorSize < DESCRIPTOR_STRUCT_SIZE) {
    return [s, { status: 'EFI_INVALID_PARAMETER', clauses: ['UEFI.SVAM.DESCRIPTOR_CHECK'] }];
  }
  // EDK2 accepts any size at least the structure's; the specification lets a firmware
  // insist on the size it reported.
  const permitted: EfiStatus[] = ['EFI_SUCCESS'];
  const clauses: UefiClauseId[] = [];
  if (descriptorSize !== s.config.descriptorSize) {
    permitted.push('EFI_INVALID_PARAMETER');
    clauses.push('UEFI.SVAM.DESCRIPTOR_CHECK');
  }
  const runtime = s.map.filter(isRuntime);
  const missing = runtime.some((r) => !vmap.some((v) => v.physicalStart === r.physicalStart && isRuntime(v)));
  if (missing) {
    permitted.push('EFI_NO_MAPPING');
    clauses.push('UEFI.SVAM.RUNTIME_NEEDS_VA');
  }
  const unknown = vmap.some((v) => !s.map.some((d) => d.physicalStart === v.physicalStart && endOf(d) === endOf(v)));
  if (unknown) permitted.push('EFI_NOT_FOUND');
  const unaligned = vmap.some((v) => isRuntime(v) && v.virtualStart.lo % EFI_PAGE_SIZE !== 0);
  if (unaligned) {
    permitted.push('EFI_INVALID_PARAMETER');
    clauses.push('UEFI.SVAM.VIRTUAL_ALIGNED');
  }
  if (clauses.length === 0) clauses.push('UEFI.SVAM.RUNTIME_NEEDS_VA');
  return [{ ...s, phase: 'virtual', virtualMap: vmap }, { status: 'EFI_SUCCESS', permitted: [...new Set(permitted)], clauses }];
}
