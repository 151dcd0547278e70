import { describe, expect, it } from 'vitest';
import { descriptor } from './descriptor.ts';
import { bootFirmware, EDK2_CONFIG } from './firmware.ts';
import { runExitFlow } from './loader.ts';
import { EfiBootServicesData, EfiConventionalMemory } from './memory-type.ts';
import { ovmfLikeMap, smallMap } from './sample-maps.ts';

describe('the standard exit flow (UEFI.EBS.RETRY)', () => {
  it('UEFI.EBS.RETRY: exits on the first attempt when nothing interferes; the final map holds the buffer', () => {
    const run = runExitFlow(bootFirmware(ovmfLikeMap()));
    expect(run.outcome.ok).toBe(true);
    expect(run.attempts).toBe(1);
    expect(run.calls.map((c) => c.op)).toEqual(['GetMemoryMap', 'AllocatePool', 'GetMemoryMap', 'ExitBootServices']);
    expect(run.state.phase).toBe('exited');
  });
  it('UEFI.EBS.STALE_KEY / UEFI.EBS.RETRY: a perturbation before the exit costs one retry without allocating', () => {
    const run = runExitFlow(bootFirmware(ovmfLikeMap(), EDK2_CONFIG, [{ beforeCall: 3, source: 'notify', action: 'allocate', pages: 1 }]));
    expect(run.outcome.ok).toBe(true);
    expect(run.attempts).toBe(2);
    expect(run.calls.slice(3).map((c) => c.op)).toEqual(['ExitBootServices', 'GetMemoryMap', 'ExitBootServices']);
  });
  it('UEFI.MMAP.ALLOCATION_GROWS_MAP: with no slack a growing map makes the loader grow its buffer', () => {
    const perturb = [3, 4, 5, 6].map((beforeCall) => ({ beforeCall, source: 'notify' as const, action: 'allocate' as const, pages: 1 }));
    const run = runExitFlow(bootFirmware(smallMap(), EDK2_CONFIG, perturb), { slackDescriptors: 0, maxAttempts: 10 });
    expect(run.outcome.ok).toBe(true);
    expect(run.calls.some((c, i) => i > 2 && c.op === 'FreePool')).toBe(true);
  });
  it('UEFI.EBS.RETRY: the loader gives up with a reason rather than looping forever', () => {
    const perturb = Array.from({ length: 10 }, (_, i) => ({ beforeCall: 3 + 2 * i, source: 'notify' as const, action: 'allocate' as const, pages: 1 }));
    const run = runExitFlow(bootFirmware(ovmfLikeMap(), EDK2_CONFIG, perturb), { slackDescriptors: 8, maxAttempts: 3 });
    expect(run.outcome).toEqual({ ok: false, reason: 'ExitBootServices still failing after 3 attempts' });
  });
  it('UEFI.ALLOC.POOL: a machine without free memory cannot even allocate the buffer', () => {
    const run = runExitFlow(bootFirmware([descriptor(EfiBootServicesData, 0, 1)]));
    expect(run.outcome).toEqual({ ok: false, reason: 'AllocatePool for the map buffer failed' });
  });
  it('UEFI.EBS.AFTER_FAILURE: a pre-2.9 firmware forbids growing the buffer after a failure, and the loader says so', () => {
    // The buffer fits the map plus its own descriptor; the event then adds one more.
    const perturb = [{ beforeCall: 3, source: 'notify' as const, action: 'allocate' as const, pages: 1 }];
    const run = runExitFlow(bootFirmware(smallMap(), { ...EDK2_CONFIG, uefiRevision: 208 }, perturb), { slackDescriptors: 1, maxAttempts: 10 });
    expect(run.results.some((r) => r.kind === 'forbidden')).toBe(false);
    expect(run.outcome.ok).toBe(false);
    expect(run.outcome.ok === false && run.outcome.reason).toContain('before UEFI 2.9 the loader may not allocate');
  });
  it('UEFI.ALLOC.POOL: when firmware events take the last free pages the loader cannot grow its buffer and says so', () => {
    // The buffer's own page splits the only free range (1 → 2 descriptors), so the loader must
    // grow the buffer; an event then takes both pages before it can.
    const map = [descriptor(EfiConventionalMemory, 0x1000, 2)];
    const perturb = [{ beforeCall: 4, source: 'notify' as const, action: 'allocate' as const, pages: 2 }];
    const run = runExitFlow(bootFirmware(map, EDK2_CONFIG, perturb), { slackDescriptors: 0, maxAttempts: 4 });
    expect(run.outcome).toEqual({ ok: false, reason: 'could not grow the map buffer' });
  });
  it('UEFI.MMAP.BUFFER_TOO_SMALL: a firmware with no map at all is reported', () => {
    const run = runExitFlow(bootFirmware([]));
    expect(run.outcome).toEqual({ ok: false, reason: 'GetMemoryMap with an empty buffer did not report the size needed' });
  });
  it('UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES: a loader run on an exited firmware reports the forbidden call', () => {
    const fw = runExitFlow(bootFirmware(smallMap())).state;
    expect(runExitFlow(fw).outcome.ok).toBe(false);
    void EfiConventionalMemory;
  });
});
