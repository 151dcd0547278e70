import { describe, expect, it } from 'vitest';
import { u64 } from '../paging/u64.ts';
import type { CallResult } from './calls.ts';
import { descriptor, EFI_MEMORY_RUNTIME, EFI_MEMORY_WB, isRuntime, type MemoryDescriptor } from './descriptor.ts';
import { bootFirmware, EDK2_CONFIG, runCalls, step, type FirmwareState } from './firmware.ts';
import { EfiBootServicesData, EfiConventionalMemory, EfiLoaderData, EfiRuntimeServicesCode } from './memory-type.ts';
import { ovmfLikeMap, smallMap } from './sample-maps.ts';

function status(r: CallResult): string {
  return r.kind === 'status' ? r.status : `forbidden:${r.clause}`;
}

function fw(): FirmwareState {
  return bootFirmware(smallMap());
}

function currentKey(s: FirmwareState): number {
  const r = step(s, { op: 'GetMemoryMap', bufferSize: 4096, buffer: true }).result;
  if (r.kind !== 'status' || r.mapInfo?.key === undefined) throw new Error('no key');
  return r.mapInfo.key;
}

function exited(): FirmwareState {
  const s = fw();
  return step(s, { op: 'ExitBootServices', key: currentKey(s) }).state;
}

describe('GetMemoryMap', () => {
  it('UEFI.MMAP.BUFFER_TOO_SMALL: a too small buffer reports the needed size and DescriptorSize', () => {
    const r = step(fw(), { op: 'GetMemoryMap', bufferSize: 0, buffer: false }).result;
    expect(r).toMatchObject({ kind: 'status', status: 'EFI_BUFFER_TOO_SMALL', mapInfo: { mapSize: 6 * 48, descriptorSize: 48, descriptorVersion: 1 } });
    expect(r.kind === 'status' && r.mapInfo?.map).toBeUndefined();
  });
  it('UEFI.MMAP.DESCRIPTOR_SIZE: the needed size is the descriptor count times DescriptorSize (48 on EDK2, a parameter)', () => {
    const s = bootFirmware(smallMap(), { ...EDK2_CONFIG, descriptorSize: 56 });
    const r = step(s, { op: 'GetMemoryMap', bufferSize: 6 * 56 - 1, buffer: true }).result;
    expect(r).toMatchObject({ status: 'EFI_BUFFER_TOO_SMALL', mapInfo: { mapSize: 6 * 56, descriptorSize: 56 } });
    const ok = step(s, { op: 'GetMemoryMap', bufferSize: 6 * 56, buffer: true }).result;
    expect(ok).toMatchObject({ status: 'EFI_SUCCESS', mapInfo: { mapSize: 6 * 56, key: 1 } });
  });
  it('UEFI.MMAP.INVALID_PARAMETER: a NULL MemoryMapSize, or a NULL buffer with enough size, is an invalid parameter', () => {
    expect(status(step(fw(), { op: 'GetMemoryMap', bufferSize: null, buffer: true }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(fw(), { op: 'GetMemoryMap', bufferSize: 4096, buffer: false }).result)).toBe('EFI_INVALID_PARAMETER');
  });
  it('UEFI.MMAP.DESCRIPTOR_VERSION: success returns version 1 and the map itself', () => {
    const r = step(fw(), { op: 'GetMemoryMap', bufferSize: 4096, buffer: true }).result;
    expect(r).toMatchObject({ status: 'EFI_SUCCESS', keyChanged: false, mapInfo: { descriptorVersion: 1 } });
    expect(r.kind === 'status' && r.mapInfo?.map?.length).toBe(6);
  });
});

describe('the map key', () => {
  it('UEFI.MMAP.KEY_CHANGES: AllocatePages and FreePages change the key; GetMemoryMap does not', () => {
    const s0 = fw();
    const a = step(s0, { op: 'AllocatePages', kind: 'AnyPages', type: EfiLoaderData, pages: 2 });
    expect(a.result).toMatchObject({ status: 'EFI_SUCCESS', keyChanged: true, address: 0x1fe000 });
    const f = step(a.state, { op: 'FreePages', address: 0x1fe000, pages: 2 });
    expect(f.result).toMatchObject({ status: 'EFI_SUCCESS', keyChanged: true });
    // Freed pages merge back: the map is the one we started with, under a new key.
    expect(f.state.map).toEqual(s0.map);
    expect(currentKey(f.state)).not.toBe(currentKey(s0));
  });
  it('UEFI.MMAP.KEY_NOT_PREDICTABLE: pool operations change the key on EDK2, other boot services do not', () => {
    const p = step(fw(), { op: 'AllocatePool', type: EfiLoaderData, size: 100 });
    expect(p.result).toMatchObject({ status: 'EFI_SUCCESS', keyChanged: true });
    const ptr = p.result.kind === 'status' ? p.result.address! : -1;
    expect(ptr % 4096).toBe(EDK2_CONFIG.poolHeader);
    const f = step(p.state, { op: 'FreePool', pointer: ptr });
    expect(f.result).toMatchObject({ status: 'EFI_SUCCESS', keyChanged: true });
    expect(step(f.state, { op: 'OtherBootService', service: 'CreateEvent' }).result).toMatchObject({ status: 'EFI_SUCCESS', keyChanged: false });
  });
});

describe('AllocatePages / FreePages / pools', () => {
  it('UEFI.ALLOC.PAGES: exact address, max address, bad type, bad alignment, no room', () => {
    const s = fw();
    expect(step(s, { op: 'AllocatePages', kind: 'Address', type: EfiLoaderData, pages: 1, address: 0x100000 }).result).toMatchObject({ status: 'EFI_SUCCESS', address: 0x100000 });
    expect(status(step(s, { op: 'AllocatePages', kind: 'Address', type: EfiLoaderData, pages: 1, address: 0x100800 }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(s, { op: 'AllocatePages', kind: 'Address', type: EfiLoaderData, pages: 1 }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(s, { op: 'AllocatePages', kind: 'Address', type: EfiLoaderData, pages: 1, address: 0x200000 }).result)).toBe('EFI_NOT_FOUND');
    expect(status(step(s, { op: 'AllocatePages', kind: 'Address', type: EfiLoaderData, pages: 0x101, address: 0x100000 }).result)).toBe('EFI_NOT_FOUND');
    expect(step(s, { op: 'AllocatePages', kind: 'MaxAddress', type: EfiLoaderData, pages: 1, address: 0xfffff }).result).toMatchObject({ status: 'EFI_SUCCESS', address: 0x9e000 });
    expect(status(step(s, { op: 'AllocatePages', kind: 'AnyPages', type: EfiConventionalMemory, pages: 1 }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(s, { op: 'AllocatePages', kind: 'AnyPages', type: 0x10, pages: 1 }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(s, { op: 'AllocatePages', kind: 'AnyPages', type: 0x8000_0001, pages: 1 }).result)).toBe('EFI_SUCCESS');
    expect(status(step(s, { op: 'AllocatePages', kind: 'AnyPages', type: EfiLoaderData, pages: 0 }).result)).toBe('EFI_INVALID_PARAMETER');
    const none = step(s, { op: 'AllocatePages', kind: 'AnyPages', type: EfiLoaderData, pages: 0x1000 }).result;
    expect(none).toMatchObject({ status: 'EFI_OUT_OF_RESOURCES', permitted: ['EFI_OUT_OF_RESOURCES', 'EFI_NOT_FOUND'] });
    expect(status(step(s, { op: 'AllocatePages', kind: 'MaxAddress', type: EfiLoaderData, pages: 1 }).result)).toBe('EFI_OUT_OF_RESOURCES');
  });
  it('UEFI.ALLOC.FREE_PAGES: free memory, runtime memory and unaligned addresses cannot be freed', () => {
    const s = fw();
    expect(status(step(s, { op: 'FreePages', address: 0x100000, pages: 1 }).result)).toBe('EFI_NOT_FOUND');
    expect(status(step(s, { op: 'FreePages', address: 0x200000, pages: 1 }).result)).toBe('EFI_NOT_FOUND');
    expect(status(step(s, { op: 'FreePages', address: 0x100010, pages: 1 }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(s, { op: 'FreePages', address: 0x100000, pages: 0 }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(s, { op: 'FreePages', address: 0, pages: 1 }).result)).toBe('EFI_SUCCESS');
  });
  it('UEFI.ALLOC.POOL: FreePool of an unknown pointer, bad type or size, no room', () => {
    const s = fw();
    expect(status(step(s, { op: 'FreePool', pointer: 0x1234 }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(s, { op: 'AllocatePool', type: EfiConventionalMemory, size: 8 }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(s, { op: 'AllocatePool', type: EfiLoaderData, size: -1 }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(s, { op: 'AllocatePool', type: EfiLoaderData, size: 0x1000_0000 }).result)).toBe('EFI_OUT_OF_RESOURCES');
    expect(step(s, { op: 'AllocatePool', type: EfiLoaderData, size: 0 }).result).toMatchObject({ status: 'EFI_SUCCESS' });
  });
});

describe('ExitBootServices', () => {
  it('UEFI.EBS.STALE_KEY: a stale key is rejected; the fresh key then succeeds', () => {
    const s0 = fw();
    const old = currentKey(s0);
    const a = step(s0, { op: 'AllocatePages', kind: 'AnyPages', type: EfiLoaderData, pages: 1 }).state;
    const bad = step(a, { op: 'ExitBootServices', key: old });
    expect(bad.result).toMatchObject({ status: 'EFI_INVALID_PARAMETER', clauses: ['UEFI.EBS.STALE_KEY', 'UEFI.EBS.PARTIAL_SHUTDOWN'] });
    expect(bad.state.phase).toBe('exit-failed');
    const bad2 = step(bad.state, { op: 'ExitBootServices', key: old });
    expect(status(bad2.result)).toBe('EFI_INVALID_PARAMETER');
    const ok = step(bad2.state, { op: 'ExitBootServices', key: currentKey(bad2.state) });
    expect(ok.result).toMatchObject({ status: 'EFI_SUCCESS', clauses: ['UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES', 'UEFI.EBS.INTERRUPTS_OFF'] });
    expect(ok.state.phase).toBe('exited');
  });
  it('UEFI.EBS.AFTER_FAILURE: memory services stay usable after a failed exit (2.9+), other boot services do not', () => {
    const failed = step(fw(), { op: 'ExitBootServices', key: 999 }).state;
    expect(status(step(failed, { op: 'AllocatePages', kind: 'AnyPages', type: EfiLoaderData, pages: 1 }).result)).toBe('EFI_SUCCESS');
    expect(status(step(failed, { op: 'AllocatePool', type: EfiLoaderData, size: 8 }).result)).toBe('EFI_SUCCESS');
    const other = step(failed, { op: 'OtherBootService', service: 'Stall' }).result;
    expect(other).toMatchObject({ kind: 'forbidden', clause: 'UEFI.EBS.AFTER_FAILURE' });
    expect(other.kind === 'forbidden' && other.reason).toContain('Stall');
    expect(status(step(failed, { op: 'OtherRuntimeService', service: 'GetTime' }).result)).toBe('EFI_SUCCESS');
  });
  it('UEFI.EBS.AFTER_FAILURE: before UEFI 2.9 only GetMemoryMap (and the retry) may follow a failure', () => {
    const old = bootFirmware(smallMap(), { ...EDK2_CONFIG, uefiRevision: 208 });
    const failed = step(old, { op: 'ExitBootServices', key: 999 }).state;
    expect(step(failed, { op: 'AllocatePages', kind: 'AnyPages', type: EfiLoaderData, pages: 1 }).result).toMatchObject({ kind: 'forbidden', clause: 'UEFI.EBS.AFTER_FAILURE' });
    expect(status(step(failed, { op: 'GetMemoryMap', bufferSize: 4096, buffer: true }).result)).toBe('EFI_SUCCESS');
    expect(status(step(failed, { op: 'ExitBootServices', key: 1 }).result)).toBe('EFI_SUCCESS');
  });
  it('UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES: every boot service is forbidden after success, including a second exit', () => {
    const s = exited();
    expect(step(s, { op: 'ExitBootServices', key: 1 }).result).toMatchObject({ kind: 'forbidden', clause: 'UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES' });
    expect(step(s, { op: 'GetMemoryMap', bufferSize: 0, buffer: false }).result.kind).toBe('forbidden');
    expect(status(step(s, { op: 'OtherRuntimeService', service: 'GetVariable' }).result)).toBe('EFI_SUCCESS');
  });
  it('UEFI.EBS.PARTIAL_SHUTDOWN: a firmware that keeps its timer after a failure still fires timer events', () => {
    const keeps = bootFirmware(smallMap(), { ...EDK2_CONFIG, stopsTimerOnExitAttempt: false }, [{ beforeCall: 1, source: 'timer', action: 'allocate', pages: 1 }]);
    const failed = step(keeps, { op: 'ExitBootServices', key: 999 });
    expect(failed.state.timerRunning).toBe(true);
    expect(step(failed.state, { op: 'GetMemoryMap', bufferSize: 4096, buffer: true }).state.key).toBe(2);
  });
});

describe('perturbations (UEFI.EBS.EVENTS_MAY_ALLOCATE)', () => {
  it('UEFI.EBS.EVENTS_MAY_ALLOCATE: an event allocating before ExitBootServices makes the key stale', () => {
    const s = bootFirmware(smallMap(), EDK2_CONFIG, [{ beforeCall: 1, source: 'timer', action: 'allocate', pages: 1 }]);
    const got = step(s, { op: 'GetMemoryMap', bufferSize: 4096, buffer: true });
    const key = got.result.kind === 'status' ? got.result.mapInfo!.key! : -1;
    expect(status(step(got.state, { op: 'ExitBootServices', key }).result)).toBe('EFI_INVALID_PARAMETER');
  });
  it('UEFI.EBS.PARTIAL_SHUTDOWN: EDK2 stops its timer in a failed exit, so timer events stop; notify events and frees still happen', () => {
    const s = bootFirmware(smallMap(), EDK2_CONFIG, [
      { beforeCall: 0, source: 'notify', action: 'allocate', pages: 2 },
      { beforeCall: 2, source: 'timer', action: 'allocate', pages: 1 },
      { beforeCall: 2, source: 'notify', action: 'free', pages: 0 },
      { beforeCall: 3, source: 'notify', action: 'free', pages: 0 },
    ]);
    const { state, results } = runCalls(s, [
      { op: 'GetMemoryMap', bufferSize: 4096, buffer: true },
      { op: 'ExitBootServices', key: 1 },
      { op: 'GetMemoryMap', bufferSize: 4096, buffer: true },
      { op: 'GetMemoryMap', bufferSize: 4096, buffer: true },
    ]);
    expect(results.map(status)).toEqual(['EFI_SUCCESS', 'EFI_INVALID_PARAMETER', 'EFI_SUCCESS', 'EFI_SUCCESS']);
    // allocate (key 2), free (key 3); the timer allocation was dropped and the last free found nothing.
    expect(state.key).toBe(3);
    expect(state.map).toEqual(bootFirmware(smallMap()).map);
  });
  it('UEFI.EBS.EVENTS_MAY_ALLOCATE: nothing fires after a successful exit, and an allocation with no room is skipped', () => {
    const full = bootFirmware([descriptor(EfiBootServicesData, 0, 1)], EDK2_CONFIG, [{ beforeCall: 0, source: 'notify', action: 'allocate', pages: 1 }]);
    expect(step(full, { op: 'OtherBootService', service: 'Stall' }).state.key).toBe(1);
    const s = bootFirmware(smallMap(), EDK2_CONFIG, [{ beforeCall: 1, source: 'notify', action: 'allocate', pages: 1 }]);
    const out = step(s, { op: 'ExitBootServices', key: 1 });
    expect(step(out.state, { op: 'OtherRuntimeService', service: 'GetTime' }).state.key).toBe(1);
  });
});

describe('SetVirtualAddressMap', () => {
  const rtOnly = (s: FirmwareState, shift = 0xffff_8000): MemoryDescriptor[] =>
    s.map.filter(isRuntime).map((d) => ({ ...d, virtualStart: u64(shift, d.physicalStart) }));
  it('UEFI.SVAM.BEFORE_EXIT: before exit (also after a failed exit) it is unsupported', () => {
    const s = fw();
    expect(status(step(s, { op: 'SetVirtualAddressMap', descriptorSize: 48, descriptorVersion: 1, map: rtOnly(s) }).result)).toBe('EFI_UNSUPPORTED');
    const failed = step(s, { op: 'ExitBootServices', key: 0 }).state;
    expect(status(step(failed, { op: 'SetVirtualAddressMap', descriptorSize: 48, descriptorVersion: 1, map: rtOnly(s) }).result)).toBe('EFI_UNSUPPORTED');
  });
  it('UEFI.SVAM.ONCE: the second call is unsupported', () => {
    const s = exited();
    const first = step(s, { op: 'SetVirtualAddressMap', descriptorSize: 48, descriptorVersion: 1, map: rtOnly(s) });
    expect(first.result).toMatchObject({ status: 'EFI_SUCCESS', permitted: ['EFI_SUCCESS'] });
    expect(first.state.virtualMap).toHaveLength(2);
    expect(status(step(first.state, { op: 'SetVirtualAddressMap', descriptorSize: 48, descriptorVersion: 1, map: rtOnly(s) }).result)).toBe('EFI_UNSUPPORTED');
  });
  it('UEFI.SVAM.DESCRIPTOR_CHECK: version 2 or a size below the structure is invalid; another size ≥ 40 may be', () => {
    const s = exited();
    expect(status(step(s, { op: 'SetVirtualAddressMap', descriptorSize: 48, descriptorVersion: 2, map: rtOnly(s) }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(status(step(s, { op: 'SetVirtualAddressMap', descriptorSize: 32, descriptorVersion: 1, map: rtOnly(s) }).result)).toBe('EFI_INVALID_PARAMETER');
    expect(step(s, { op: 'SetVirtualAddressMap', descriptorSize: 40, descriptorVersion: 1, map: rtOnly(s) }).result)
      .toMatchObject({ status: 'EFI_SUCCESS', permitted: ['EFI_SUCCESS', 'EFI_INVALID_PARAMETER'] });
  });
  it('UEFI.SVAM.RUNTIME_NEEDS_VA: a map missing a runtime region may be refused with NO_MAPPING; EDK2 says SUCCESS', () => {
    const s = exited();
    const r = step(s, { op: 'SetVirtualAddressMap', descriptorSize: 48, descriptorVersion: 1, map: rtOnly(s).slice(1) }).result;
    expect(r).toMatchObject({ status: 'EFI_SUCCESS', permitted: ['EFI_SUCCESS', 'EFI_NO_MAPPING'] });
  });
  it('UEFI.SVAM.VIRTUAL_ALIGNED: unaligned virtual starts and unknown ranges widen the permitted set', () => {
    const s = exited();
    const bad = rtOnly(s).map((d) => ({ ...d, virtualStart: u64(0xffff_8000, d.physicalStart + 8) }));
    const stray = { ...descriptor(EfiRuntimeServicesCode, 0x5000_0000, 1, EFI_MEMORY_RUNTIME), virtualStart: u64(0, 0x5000_0000) };
    const r = step(s, { op: 'SetVirtualAddressMap', descriptorSize: 48, descriptorVersion: 1, map: [...bad, stray] }).result;
    expect(r).toMatchObject({ status: 'EFI_SUCCESS', permitted: ['EFI_SUCCESS', 'EFI_NOT_FOUND', 'EFI_INVALID_PARAMETER'] });
  });
});

describe('sample maps', () => {
  it('UEFI.MMAP.NO_OVERLAP: the OVMF-like map boots and merges nothing away', () => {
    const s = bootFirmware(ovmfLikeMap());
    expect(s.map.length).toBe(ovmfLikeMap().length);
    expect(s.map.filter(isRuntime).length).toBe(5);
    expect(s.map.every((d) => d.attribute.lo & EFI_MEMORY_WB.lo || isRuntime(d))).toBe(true);
  });
});

describe('which calls change the key', () => {
  it('UEFI.MMAP.KEY_CHANGES / UEFI.MMAP.KEY_NOT_PREDICTABLE: page services must, pool and other boot services may, the rest never', async () => {
    const { keyChangeRule } = await import('./calls.ts');
    expect((['AllocatePages', 'FreePages', 'AllocatePool', 'FreePool', 'OtherBootService', 'GetMemoryMap', 'ExitBootServices', 'SetVirtualAddressMap', 'OtherRuntimeService'] as const).map(keyChangeRule))
      .toEqual(['must', 'must', 'may', 'may', 'may', 'never', 'never', 'never', 'never']);
  });
});

describe('key rules across calls', () => {
  it('UEFI.MMAP.KEY_CHANGES: a successful page call forces a change; failed calls do not count', async () => {
    const { keyRuleAcross } = await import('./calls.ts');
    expect(keyRuleAcross([])).toBe('never');
    expect(keyRuleAcross([{ op: 'AllocatePool', succeeded: true }, { op: 'FreePages', succeeded: true }])).toBe('must');
    expect(keyRuleAcross([{ op: 'AllocatePages', succeeded: false }, { op: 'FreePool', succeeded: true }])).toBe('may');
    expect(keyRuleAcross([{ op: 'GetMemoryMap', succeeded: true }])).toBe('never');
  });
});
