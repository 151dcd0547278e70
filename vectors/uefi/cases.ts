/**
 * The curated `uefi` vectors: one or more call sequences per UEFI.* rule that a call
 * sequence can show. Expectations come from the model (io.ts `uefiExpectation`).
 * Vectors with `map: "firmware"` run on any firmware as it is, OVMF included.
 */
import type { JsonObject, JsonValue, Vector } from '../../harness/types.ts';
import type { UefiClauseId } from '../../spec/clauses/uefi.ts';
import { toHex } from '../../model/paging/u64.ts';
import { memoryTypeName, smallMap } from '../../model/uefi/index.ts';
import { parseUefiInput, uefiExpectation } from './io.ts';

interface Case {
  readonly id: string;
  readonly title: string;
  readonly clauses: readonly UefiClauseId[];
  readonly input: JsonObject;
}

const SMALL: JsonValue = smallMap().map((d) => ({ type: memoryTypeName(d.type), start: `0x${d.physicalStart.toString(16)}`, pages: d.numberOfPages, attribute: toHex(d.attribute) }));
const GMM = (bufferSize: number | null = 4096, buffer = true): JsonObject => ({ op: 'GetMemoryMap', bufferSize, buffer });
const AP = (pages = 1, extra: JsonObject = {}): JsonObject => ({ op: 'AllocatePages', kind: 'AnyPages', type: 'EfiLoaderData', pages, ...extra });
const EBS = (key: string | number): JsonObject => ({ op: 'ExitBootServices', key });
const SVAM = (descriptorSize: number, descriptorVersion: number, map = 'runtime-identity'): JsonObject => ({ op: 'SetVirtualAddressMap', descriptorSize, descriptorVersion, map });
const small = (calls: JsonObject[], extra: JsonObject = {}): JsonObject => ({ map: SMALL, calls, ...extra });
const onFirmware = (calls: JsonObject[]): JsonObject => ({ map: 'firmware', calls });

export const UEFI_CASES: readonly Case[] = [
  { id: 'uefi-mmap-too-small', title: 'GetMemoryMap with an empty buffer reports the size needed and DescriptorSize 48',
    clauses: ['UEFI.MMAP.BUFFER_TOO_SMALL', 'UEFI.MMAP.DESCRIPTOR_SIZE'], input: small([GMM(0, false)]) },
  { id: 'uefi-mmap-one-byte-short', title: 'a buffer one byte short of the map is too small; the exact size then succeeds',
    clauses: ['UEFI.MMAP.BUFFER_TOO_SMALL'], input: small([GMM(6 * 48 - 1), GMM(6 * 48)]) },
  { id: 'uefi-mmap-stride-56', title: 'a firmware with a 56-byte stride reports 56 and sizes the map by it',
    clauses: ['UEFI.MMAP.DESCRIPTOR_SIZE', 'UEFI.MMAP.DESCRIPTOR_VERSION'], input: small([GMM(0, false), GMM()], { firmware: { descriptorSize: 56 } }) },
  { id: 'uefi-mmap-null-size', title: 'a NULL MemoryMapSize is an invalid parameter',
    clauses: ['UEFI.MMAP.INVALID_PARAMETER'], input: small([GMM(null)]) },
  { id: 'uefi-mmap-null-buffer', title: 'a NULL buffer with a large enough size is an invalid parameter',
    clauses: ['UEFI.MMAP.INVALID_PARAMETER'], input: small([GMM(4096, false)]) },
  { id: 'uefi-mmap-buffer-grows-map', title: 'allocating the buffer for the map adds a descriptor, so the size just reported no longer suffices',
    clauses: ['UEFI.MMAP.ALLOCATION_GROWS_MAP', 'UEFI.ALLOC.POOL'], input: small([GMM(0, false), { op: 'AllocatePool', type: 'EfiLoaderData', size: 6 * 48 }, GMM(6 * 48)]) },
  { id: 'uefi-key-pages', title: 'AllocatePages and FreePages each change the map key',
    clauses: ['UEFI.MMAP.KEY_CHANGES', 'UEFI.ALLOC.PAGES', 'UEFI.ALLOC.FREE_PAGES'], input: small([GMM(), AP(), GMM(), { op: 'FreePages', address: 'result:1', pages: 1 }, GMM()]) },
  { id: 'uefi-key-pool', title: 'pool allocations may or may not change the key; callers cannot predict it',
    clauses: ['UEFI.MMAP.KEY_NOT_PREDICTABLE', 'UEFI.ALLOC.POOL'], input: small([GMM(), { op: 'AllocatePool', type: 'EfiLoaderData', size: 64 }, GMM(), { op: 'FreePool', pointer: 'result:1' }, GMM()]) },
  { id: 'uefi-key-quiet', title: 'with nothing in between the key stays; CreateEvent may change it',
    clauses: ['UEFI.MMAP.KEY_CHANGES', 'UEFI.MMAP.KEY_NOT_PREDICTABLE'], input: small([GMM(), GMM(), { op: 'OtherBootService', service: 'CreateEvent' }, GMM()]) },
  { id: 'uefi-alloc-address', title: 'AllocatePages at an exact address: free, already taken, unaligned',
    clauses: ['UEFI.ALLOC.PAGES'], input: small([AP(2, { kind: 'Address', address: '0x100000' }), AP(1, { kind: 'Address', address: '0x101000' }), AP(1, { kind: 'Address', address: '0x100800' })]) },
  { id: 'uefi-alloc-max-address', title: 'AllocatePages below a maximum address takes the highest pages that fit; none fit below 0x1000',
    clauses: ['UEFI.ALLOC.PAGES'], input: small([AP(1, { kind: 'MaxAddress', address: '0xfffff' }), AP(1, { kind: 'MaxAddress', address: '0xfff' })]) },
  { id: 'uefi-alloc-bad-type', title: 'EfiConventionalMemory and types 16–0x6fffffff cannot be allocated; OS types can',
    clauses: ['UEFI.ALLOC.PAGES'], input: small([AP(1, { type: 'EfiConventionalMemory' }), AP(1, { type: 16 }), AP(1, { type: '0x80000000' })]) },
  { id: 'uefi-alloc-no-room', title: 'more pages than the machine has free: out of resources (or not found)',
    clauses: ['UEFI.ALLOC.PAGES'], input: small([AP(0x1000)]) },
  { id: 'uefi-free-not-allocated', title: 'FreePages of free memory, of runtime memory and of an unaligned address',
    clauses: ['UEFI.ALLOC.FREE_PAGES'], input: small([{ op: 'FreePages', address: '0x100000', pages: 1 }, { op: 'FreePages', address: '0x200000', pages: 1 }, { op: 'FreePages', address: '0x100010', pages: 1 }]) },
  { id: 'uefi-pool-bad-pointer', title: 'FreePool of a pointer AllocatePool never returned',
    clauses: ['UEFI.ALLOC.POOL'], input: small([{ op: 'FreePool', pointer: '0x123458' }]) },
  { id: 'uefi-ebs-stale-key', title: 'ExitBootServices with the key from before an allocation fails; the fresh key works',
    clauses: ['UEFI.EBS.STALE_KEY', 'UEFI.EBS.RETRY', 'UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES'], input: small([GMM(), AP(), EBS('map:0'), GMM(), EBS('map:latest')]) },
  { id: 'uefi-ebs-stale-twice-then-memory', title: 'two stale-key failures, then FreePages and AllocatePool still work, then the exit succeeds',
    clauses: ['UEFI.EBS.STALE_KEY', 'UEFI.EBS.AFTER_FAILURE'], input: small([GMM(), AP(), EBS('map:0'), EBS('map:0'), { op: 'FreePages', address: 'result:1', pages: 1 }, { op: 'AllocatePool', type: 'EfiLoaderData', size: 32 }, GMM(), EBS('map:latest')]) },
  { id: 'uefi-ebs-failure-forbids-others', title: 'after a failed exit a non-memory boot service (Stall) may not be called',
    clauses: ['UEFI.EBS.AFTER_FAILURE', 'UEFI.EBS.PARTIAL_SHUTDOWN'], input: small([GMM(), EBS(0x9999), { op: 'OtherBootService', service: 'Stall' }]) },
  { id: 'uefi-ebs-failure-pre-2-9', title: 'a UEFI 2.8 firmware allows only GetMemoryMap after a failed exit',
    clauses: ['UEFI.EBS.AFTER_FAILURE'], input: small([GMM(), EBS(0x9999), GMM(), AP()], { firmware: { uefiRevision: 208 } }) },
  { id: 'uefi-ebs-success-ends-boot-services', title: 'after a successful exit runtime services work and boot services are gone',
    clauses: ['UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES', 'UEFI.EBS.INTERRUPTS_OFF'], input: small([GMM(), EBS('map:0'), { op: 'OtherRuntimeService', service: 'GetTime' }, GMM()]) },
  { id: 'uefi-ebs-second-exit', title: 'a second ExitBootServices after success is a call to a boot service that no longer exists',
    clauses: ['UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES'], input: small([GMM(), EBS('map:0'), EBS('map:0')]) },
  { id: 'uefi-perturb-before-exit', title: 'a timer event allocates between GetMemoryMap and ExitBootServices: stale key, then the retry succeeds',
    clauses: ['UEFI.EBS.EVENTS_MAY_ALLOCATE', 'UEFI.EBS.RETRY', 'UEFI.EBS.STALE_KEY'],
    input: small([GMM(), EBS('map:0'), GMM(), EBS('map:latest')], { perturbations: [{ beforeCall: 1, source: 'timer', action: 'allocate', pages: 1 }] }) },
  { id: 'uefi-perturb-timer-stopped', title: 'EDK2 stops its timer in the failed exit: a later timer event does not fire, a notify event does',
    clauses: ['UEFI.EBS.PARTIAL_SHUTDOWN', 'UEFI.EBS.EVENTS_MAY_ALLOCATE'],
    input: small([GMM(), EBS(0x9999), GMM(), GMM(), GMM()], { perturbations: [{ beforeCall: 3, source: 'timer', action: 'allocate', pages: 1 }, { beforeCall: 4, source: 'notify', action: 'allocate', pages: 1 }] }) },
  { id: 'uefi-perturb-timer-kept', title: 'a firmware that keeps its timer after a failed exit keeps changing the map',
    clauses: ['UEFI.EBS.PARTIAL_SHUTDOWN'],
    input: small([GMM(), EBS(0x9999), GMM(), GMM()], { firmware: { stopsTimerOnExitAttempt: false }, perturbations: [{ beforeCall: 3, source: 'timer', action: 'allocate', pages: 1 }] }) },
  { id: 'uefi-svam-before-exit', title: 'SetVirtualAddressMap before ExitBootServices is unsupported',
    clauses: ['UEFI.SVAM.BEFORE_EXIT'], input: small([GMM(), SVAM(48, 1)]) },
  { id: 'uefi-svam-once', title: 'SetVirtualAddressMap succeeds once after the exit; the second call is unsupported',
    clauses: ['UEFI.SVAM.ONCE', 'UEFI.SVAM.RUNTIME_NEEDS_VA'], input: small([GMM(), EBS('map:0'), SVAM(48, 1), SVAM(48, 1)]) },
  { id: 'uefi-svam-bad-layout', title: 'descriptor version 2 or size 32 is an invalid parameter; size 40 may be accepted',
    clauses: ['UEFI.SVAM.DESCRIPTOR_CHECK'], input: small([GMM(), EBS('map:0'), SVAM(48, 2), SVAM(32, 1), SVAM(40, 1)]) },
  { id: 'uefi-svam-missing-runtime', title: 'a virtual map without one runtime region may be refused with NO_MAPPING (EDK2 accepts it)',
    clauses: ['UEFI.SVAM.RUNTIME_NEEDS_VA'], input: small([GMM(), EBS('map:0'), SVAM(48, 1, 'runtime-identity-minus-one')]) },
  // On the firmware's own map (OVMF runs these as they are).
  { id: 'uefi-fw-sizes', title: 'on the firmware\'s own map: empty and NULL buffers, DescriptorSize, a quiet key',
    clauses: ['UEFI.MMAP.BUFFER_TOO_SMALL', 'UEFI.MMAP.INVALID_PARAMETER', 'UEFI.MMAP.DESCRIPTOR_SIZE', 'UEFI.MMAP.KEY_CHANGES'],
    input: onFirmware([GMM(0, false), GMM(null), GMM(65536, false), GMM(65536), GMM(65536)]) },
  { id: 'uefi-fw-key-changes', title: 'on the firmware\'s own map: pages change the key, pools and events may',
    clauses: ['UEFI.MMAP.KEY_CHANGES', 'UEFI.MMAP.KEY_NOT_PREDICTABLE'],
    input: onFirmware([GMM(65536), AP(), GMM(65536), { op: 'FreePages', address: 'result:1', pages: 1 }, GMM(65536), { op: 'AllocatePool', type: 'EfiLoaderData', size: 64 }, GMM(65536), { op: 'FreePool', pointer: 'result:5' }, GMM(65536), { op: 'OtherBootService', service: 'CreateEvent' }, GMM(65536)]) },
  { id: 'uefi-fw-exit-flow', title: 'on the firmware\'s own map: SVAM too early, stale key twice, memory services after the failure, exit, SVAM checks',
    clauses: ['UEFI.SVAM.BEFORE_EXIT', 'UEFI.EBS.STALE_KEY', 'UEFI.EBS.AFTER_FAILURE', 'UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES', 'UEFI.SVAM.DESCRIPTOR_CHECK', 'UEFI.SVAM.RUNTIME_NEEDS_VA', 'UEFI.SVAM.ONCE'],
    input: onFirmware([GMM(65536), SVAM(48, 1), AP(), EBS('map:0'), EBS('map:0'), { op: 'FreePages', address: 'result:2', pages: 1 }, GMM(65536), EBS('map:latest'),
      { op: 'OtherRuntimeService', service: 'GetTime' }, SVAM(48, 2), SVAM(32, 1), SVAM(48, 1, 'runtime-identity-minus-one'), SVAM(48, 1)]) },
];

export function buildUefiVector(c: Case): Vector {
  return { id: c.id, suite: 'uefi', title: c.title, clauses: [...c.clauses], input: c.input, expect: uefiExpectation(parseUefiInput(c.input)) };
}

export function uefiCorpusText(): string {
  return UEFI_CASES.map((c) => JSON.stringify(buildUefiVector(c))).join('\n') + '\n';
}
