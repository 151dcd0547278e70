import { describe, expect, it } from 'vitest';
import type { BootResult } from './boot.ts';
import { planHandoff, planUefi, type Plan } from './translate.ts';
import { handoffVectors } from '../../vectors/handoff/cases.ts';

const boot = (console: string, extra: Partial<BootResult> = {}): BootResult => ({
  console, exitStatus: 33, tripleFault: false, timedOut: false, durationMs: 1, resetLog: '', lastExceptionChain: [], ...extra,
});
const script = (p: Plan): string => ('files' in p ? p.files.script : `unsupported: ${p.unsupported}`);

describe('translating uefi vectors into application scripts', () => {
  it('UEFI.EBS.STALE_KEY / UEFI.SVAM.ONCE: every call kind becomes one step, references become step numbers', () => {
    const p = planUefi({ map: 'firmware', calls: [
      { op: 'GetMemoryMap', bufferSize: 0, buffer: false }, { op: 'GetMemoryMap', bufferSize: null, buffer: true },
      { op: 'GetMemoryMap', bufferSize: 4096, buffer: true }, { op: 'AllocatePages', kind: 'AnyPages', type: 'EfiLoaderData', pages: 2 },
      { op: 'FreePages', address: 'result:3', pages: 2 }, { op: 'AllocatePool', type: 'EfiLoaderData', size: 64 }, { op: 'FreePool', pointer: 'result:5' },
      { op: 'ExitBootServices', key: 'map:2' }, { op: 'ExitBootServices', key: 'map:latest' }, { op: 'ExitBootServices', key: 7 },
      { op: 'OtherBootService', service: 'CreateEvent' }, { op: 'OtherBootService', service: 'Stall' }, { op: 'OtherRuntimeService', service: 'GetTime' },
      { op: 'SetVirtualAddressMap', descriptorSize: 48, descriptorVersion: 1, map: 'runtime-identity-minus-one' },
    ] });
    expect(script(p).split('\n')).toEqual([
      'gmmnobuf 0', 'gmmnull', 'gmm 4096', 'ap 2 2', 'fp 3 2', 'apl 64 2', 'fpl 5', 'ebs 2 0x0', 'ebs', 'ebs 65535 0x7',
      'ce', 'stall', 'gettime', 'svam 48 1 rt-1', 'exit 0x10', '',
    ]);
  });

  it('vectors OVMF cannot run are unsupported with the reason', () => {
    const base = { map: 'firmware' };
    const reasons = [
      { ...base, calls: [{ op: 'GetMemoryMap', bufferSize: 1 << 20, buffer: true }] },
      { ...base, calls: [{ op: 'AllocatePages', kind: 'Address', type: 2, pages: 1, address: '0x100000' }] },
      { ...base, calls: [{ op: 'FreePages', address: '0x100000', pages: 1 }] },
      { ...base, calls: [{ op: 'FreePool', pointer: 5 }] },
      { ...base, calls: [{ op: 'OtherBootService', service: 'LocateProtocol' }] },
      { ...base, calls: [{ op: 'OtherRuntimeService', service: 'ResetSystem' }] },
      { ...base, firmware: { descriptorSize: 56 }, calls: [] },
      { ...base, perturbations: [{ beforeCall: 0, source: 'timer', action: 'allocate' }], calls: [] },
    ].map((input) => script(planUefi(input)));
    expect(reasons).toEqual([
      "unsupported: the application's map buffer holds 65536 bytes",
      'unsupported: AllocatePages Address is not scripted on OVMF (its map differs from the vector\'s)',
      'unsupported: the address must refer to an earlier call ("result:N") on OVMF',
      'unsupported: the pointer must refer to an earlier call ("result:N") on OVMF',
      'unsupported: the application cannot call LocateProtocol',
      'unsupported: the application cannot call ResetSystem',
      'unsupported: the vector describes a firmware other than EDK2 (DescriptorSize 48, UEFI 2.9+, timer stopped on exit)',
      'unsupported: firmware activity cannot be injected into OVMF',
    ]);
  });

  it('reads statuses, sizes, keys and skipped calls back from the console; a bad end is an error', () => {
    const p = planUefi({ map: 'firmware', calls: [{ op: 'GetMemoryMap', bufferSize: 65536, buffer: true }, { op: 'ExitBootServices', key: 'map:0' }, { op: 'GetMemoryMap', bufferSize: 65536, buffer: true }, { op: 'AllocatePages', kind: 'AnyPages', type: 2, pages: 1 }] });
    if (!('files' in p)) throw new Error('unsupported');
    const text = 'X64SPEC-UEFI 1\nR 0 gmm size=5616 dsize=48 key=0x7e0 ver=1 count=117 st=0x0\nR 1 ebs key=0x7e0 st=0x0\nR 2 gmm skipped=1\nDONE\n';
    expect(p.read(boot(text))).toEqual({ output: { results: [
      { status: 'EFI_SUCCESS', mapSize: 5616, descriptorSize: 48, descriptorVersion: 1, key: 0x7e0 },
      { status: 'EFI_SUCCESS' },
      { skipped: 'boot services are gone after a successful ExitBootServices; the application did not call it' },
      { skipped: 'no result printed' },
    ] } });
    expect(p.read(boot(text, { timedOut: true }))).toEqual({ error: 'OVMF timed out' });
    expect(p.read(boot('', {}))).toEqual({ error: 'the test application did not start: no output' });
    expect(p.read(boot(text, { exitStatus: 0 }))).toEqual({ error: 'QEMU ended with status 0 before the script finished' });
  });
});

describe('translating handoff vectors into boots', () => {
  const vectors = handoffVectors();
  const byId = (id: string) => vectors.find((v) => v.id === id)!;

  it('HANDOFF.STACK.WRITABLE: a placed state boots; milestones, the triple fault and the exception chain become the answer', () => {
    const p = planHandoff(byId('handoff-recursive-stack-unmapped').input);
    if (!('files' in p)) throw new Error(p.unsupported);
    expect(p.files.script).toBe('exitloop\nhandoff\n');
    expect(new TextDecoder().decode(p.files.handoff!.slice(0, 8))).toBe('X64HOFF1');
    const head = 'X64SPEC-UEFI 1\nH region st=0x0\nR 0 exitloop tries=1 st=0x0\nR 1 handoff st=0x0\nH jump\n';
    const chain = [{ vector: 14, errorCode: 2, cr2: '0xffffffffc0404ff8' }, { vector: 8, errorCode: 0 }];
    expect(p.read(boot(`${head}TS`, { tripleFault: true, exitStatus: 0, lastExceptionChain: chain })))
      .toEqual({ output: { outcome: 'triple-fault', stage: 'stack', vector: 14, address: '0xffffffffc0404ff8' } });
    expect(p.read(boot(`${head}TSPEK7836347370656321\n`, { exitStatus: 99 }))).toEqual({ output: { outcome: 'runs' } });
    expect(p.read(boot(`${head}TS`, { timedOut: true }))).toEqual({ error: "OVMF timed out after milestones 'TS'" });
    expect(p.read(boot('X64SPEC-UEFI 1\nH region st=0x800000000000000e base=0x2000000 pages=1024\n', { exitStatus: 125 })))
      .toEqual({ error: 'the application stopped before the exit: region st=0x800000000000000e base=0x2000000 pages=1024' });
    expect(p.read(boot('X64SPEC-UEFI 1\nR 0 exitloop tries=16 st=0x8000000000000002\n', { exitStatus: 0 })))
      .toEqual({ error: 'ExitBootServices did not succeed: {"tries":"16","st":"0x8000000000000002"}' });
    expect(p.read(boot(`${head}TSX`, { exitStatus: 0 }))).toEqual({ error: "unexpected end: milestones 'TS', exit status 0, triple fault false" });
  });

  it('states the application cannot reproduce are unsupported', () => {
    expect(script(planHandoff(byId('handoff-idt-delivers').input))).toMatch(/does not say where the test application should place/);
    const v = byId('handoff-recursive-none').input as { state: { cpu: { maxphyaddr: number }; regs: { cr4: string } } };
    const narrow = JSON.parse(JSON.stringify(v)) as typeof v;
    narrow.state.cpu.maxphyaddr = 46;
    expect(script(planHandoff(narrow as never))).toBe('unsupported: QEMU TCG has MAXPHYADDR 40, the vector 46');
    const cr4 = JSON.parse(JSON.stringify(v)) as typeof v;
    cr4.state.regs.cr4 = '0x20';
    expect(script(planHandoff(cr4 as never))).toBe("unsupported: the application keeps OVMF's CR0 and CR4; the vector sets others");
  });
});
