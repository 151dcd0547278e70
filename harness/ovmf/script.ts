/**
 * Exit-flow scripts: the steps the OVMF test application runs (app/x64spec.c) as typed
 * data, their text form, and what the model's firmware (model/uefi) predicts for each
 * step when started from the map OVMF itself reported.
 */
import { u64 } from '../../model/paging/u64.ts';
import {
  bootFirmware, EDK2_CONFIG, EfiLoaderData, isRuntime, keyRuleAcross, step as fwStep,
  type Call, type CallResult, type FirmwareState, type MemoryDescriptor,
} from '../../model/uefi/index.ts';

export type Step =
  | { readonly cmd: 'gmm0' | 'gmmnull' | 'gmmbufnull' | 'gmmexact' | 'gmmsmall' }
  /** GetMemoryMap into the application's buffer, `size` bytes of it (default all 64 KiB). */
  | { readonly cmd: 'gmm'; readonly size?: number }
  /** GetMemoryMap with MemoryMapSize = `size` and a NULL buffer. */
  | { readonly cmd: 'gmmnobuf'; readonly size: number }
  | { readonly cmd: 'ap'; readonly pages: number; readonly type?: number }
  /** FreePages of what step `step` allocated (`pages` pages), or of the newest allocation. */
  | { readonly cmd: 'fp'; readonly step?: number; readonly pages?: number }
  | { readonly cmd: 'fpl'; readonly step?: number }
  /** ExitBootServices with the key step `step` got, `literal` when that step got none, or the newest key. */
  | { readonly cmd: 'ebs'; readonly step?: number; readonly literal?: number }
  | { readonly cmd: 'ce' | 'exitloop' | 'bs' | 'handoff' | 'stall' | 'gettime' }
  | { readonly cmd: 'apl'; readonly size: number; readonly type?: number }
  | { readonly cmd: 'svam'; readonly size: number; readonly version: number; readonly which: 'rt' | 'rt-1' }
  | { readonly cmd: 'exit'; readonly value: number };

/** The application's buffer for GetMemoryMap (MAP_CAP in x64spec.c). */
export const APP_MAP_CAPACITY = 64 * 1024;

/** The script's text, one step per line. */
export function renderScript(steps: readonly Step[]): string {
  return steps.map((s) => {
    switch (s.cmd) {
      case 'gmm': return s.size === undefined ? 'gmm' : `gmm ${s.size}`;
      case 'gmmnobuf': return `gmmnobuf ${s.size}`;
      case 'ap': return s.type === undefined ? `ap ${s.pages}` : `ap ${s.pages} ${s.type}`;
      case 'apl': return s.type === undefined ? `apl ${s.size}` : `apl ${s.size} ${s.type}`;
      case 'fp': return s.step === undefined ? 'fp' : `fp ${s.step} ${s.pages ?? 1}`;
      case 'fpl': return s.step === undefined ? 'fpl' : `fpl ${s.step}`;
      case 'ebs': return s.step === undefined ? 'ebs' : `ebs ${s.step} 0x${(s.literal ?? 0).toString(16)}`;
      case 'svam': return `svam ${s.size} ${s.version} ${s.which}`;
      case 'exit': return `exit 0x${s.value.toString(16)}`;
      default: return s.cmd;
    }
  }).join('\n') + '\n';
}

/** What the model predicts for one step. */
export interface StepPrediction {
  readonly index: number;
  readonly step: Step;
  /** The model calls the step made (the retry loop makes several). */
  readonly calls: readonly Call[];
  readonly results: readonly CallResult[];
  /** The firmware phase after the step. */
  readonly phase: FirmwareState['phase'];
}

/**
 * Runs the script against the model's firmware (EDK2 behaviour) started from `initialMap`.
 * Steps that only make sense on the real machine (`bs`, `handoff`, `exit`) make no call.
 */
export function predictScript(steps: readonly Step[], initialMap: readonly MemoryDescriptor[]): StepPrediction[] {
  let fw = bootFirmware(initialMap, EDK2_CONFIG);
  let key = -1;
  let mapSize = 0;
  let neededSize = 0;
  let lastMap: readonly MemoryDescriptor[] = fw.map;
  const pages: { address: number; pages: number }[] = [];
  const pools: number[] = [];
  const stepAddress = new Map<number, number>();
  const stepKey = new Map<number, number>();
  const out: StepPrediction[] = [];

  steps.forEach((s, index) => {
    const calls: Call[] = [];
    const results: CallResult[] = [];
    const call = (c: Call): CallResult => {
      const r = fwStep(fw, c);
      fw = r.state;
      calls.push(c);
      results.push(r.result);
      if (c.op === 'GetMemoryMap' && r.result.kind === 'status' && r.result.mapInfo !== undefined) {
        if (r.result.status === 'EFI_SUCCESS') {
          key = r.result.mapInfo.key!;
          mapSize = r.result.mapInfo.mapSize;
          lastMap = r.result.mapInfo.map!;
        } else if (r.result.status === 'EFI_BUFFER_TOO_SMALL') {
          neededSize = r.result.mapInfo.mapSize;
        }
      }
      return r.result;
    };
    switch (s.cmd) {
      case 'gmm0': call({ op: 'GetMemoryMap', bufferSize: 0, buffer: false }); break;
      case 'gmmnull': call({ op: 'GetMemoryMap', bufferSize: null, buffer: true }); break;
      case 'gmmbufnull': call({ op: 'GetMemoryMap', bufferSize: APP_MAP_CAPACITY, buffer: false }); break;
      case 'gmmnobuf': call({ op: 'GetMemoryMap', bufferSize: s.size, buffer: false }); break;
      case 'gmm': {
        const r = call({ op: 'GetMemoryMap', bufferSize: Math.min(s.size ?? APP_MAP_CAPACITY, APP_MAP_CAPACITY), buffer: true });
        if (r.kind === 'status' && r.mapInfo?.key !== undefined) stepKey.set(index, r.mapInfo.key);
        break;
      }
      case 'gmmexact': call({ op: 'GetMemoryMap', bufferSize: neededSize, buffer: true }); break;
      case 'gmmsmall': call({ op: 'GetMemoryMap', bufferSize: mapSize - 1, buffer: true }); break;
      case 'ap': {
        const r = call({ op: 'AllocatePages', kind: 'AnyPages', type: s.type ?? EfiLoaderData, pages: s.pages });
        if (r.kind === 'status' && r.address !== undefined) {
          pages.push({ address: r.address, pages: s.pages });
          stepAddress.set(index, r.address);
        }
        break;
      }
      case 'fp': {
        const p = s.step === undefined ? pages.pop() : { address: stepAddress.get(s.step) ?? -1, pages: s.pages ?? 1 };
        if (p !== undefined) call({ op: 'FreePages', address: p.address, pages: p.pages });
        break;
      }
      case 'apl': {
        const r = call({ op: 'AllocatePool', type: s.type ?? EfiLoaderData, size: s.size });
        if (r.kind === 'status' && r.address !== undefined) {
          pools.push(r.address);
          stepAddress.set(index, r.address);
        }
        break;
      }
      case 'fpl': {
        const p = s.step === undefined ? pools.pop() : stepAddress.get(s.step) ?? -1;
        if (p !== undefined) call({ op: 'FreePool', pointer: p });
        break;
      }
      case 'ce': call({ op: 'OtherBootService', service: 'CreateEvent' }); break;
      case 'stall': call({ op: 'OtherBootService', service: 'Stall' }); break;
      case 'gettime': call({ op: 'OtherRuntimeService', service: 'GetTime' }); break;
      case 'ebs': call({ op: 'ExitBootServices', key: s.step === undefined ? key : stepKey.get(s.step) ?? s.literal ?? 0 }); break;
      case 'exitloop':
        for (let tries = 0; tries < 16; tries++) {
          const g = call({ op: 'GetMemoryMap', bufferSize: APP_MAP_CAPACITY, buffer: true });
          if (g.kind !== 'status' || g.status !== 'EFI_SUCCESS') break;
          const e = call({ op: 'ExitBootServices', key });
          if (e.kind !== 'status' || e.status !== 'EFI_INVALID_PARAMETER') break;
        }
        break;
      case 'svam': {
        const runtime = lastMap.filter(isRuntime).map((d) => ({ ...d, virtualStart: u64(Math.floor(d.physicalStart / 2 ** 32), d.physicalStart % 2 ** 32) }));
        call({ op: 'SetVirtualAddressMap', descriptorSize: s.size, descriptorVersion: s.version, map: s.which === 'rt-1' ? runtime.slice(1) : runtime });
        break;
      }
      case 'bs':
      case 'handoff':
      case 'exit':
        break;
    }
    out.push({ index, step: s, calls, results, phase: fw.phase });
  });
  return out;
}

/** The key rule of a step's calls combined: must if any call must change the key, never if none may. */
export function stepKeyRule(p: StepPrediction): 'must' | 'may' | 'never' {
  return keyRuleAcross(p.calls.map((c, i) => {
    const r = p.results[i]!;
    return { op: c.op, succeeded: r.kind === 'status' && r.status === 'EFI_SUCCESS' };
  }));
}
