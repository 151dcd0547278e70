/**
 * The loader side of the exit flow: the standard sequence a correct UEFI loader runs
 * (UEFI.EBS.RETRY). It asks for the map size, allocates a buffer with slack for the
 * descriptors its own allocation may add (UEFI.MMAP.ALLOCATION_GROWS_MAP), fetches the
 * map, and calls ExitBootServices until it succeeds, re-fetching the map into the same
 * buffer after every stale-key failure without allocating.
 */
import type { Call, CallResult } from './calls.ts';
import { step, type FirmwareState } from './firmware.ts';
import { EfiLoaderData } from './memory-type.ts';
import type { MemoryMap } from './memory-map.ts';

export interface ExitFlowOptions {
  /** Extra descriptors of room in the buffer (a loader typically adds 2–8). */
  readonly slackDescriptors: number;
  /** Give up after this many rounds (GetMemoryMap, then ExitBootServices or a buffer regrowth): a safety net. */
  readonly maxAttempts: number;
}

export const DEFAULT_EXIT_FLOW: ExitFlowOptions = { slackDescriptors: 8, maxAttempts: 64 };

export type ExitFlowOutcome =
  | { readonly ok: true; readonly map: MemoryMap; readonly key: number; readonly descriptorSize: number }
  | { readonly ok: false; readonly reason: string };

export interface ExitFlowRun {
  readonly state: FirmwareState;
  readonly calls: readonly Call[];
  readonly results: readonly CallResult[];
  readonly attempts: number;
  readonly outcome: ExitFlowOutcome;
}

/** Runs the standard exit flow against a firmware. */
export function runExitFlow(initial: FirmwareState, options: ExitFlowOptions = DEFAULT_EXIT_FLOW): ExitFlowRun {
  let state = initial;
  const calls: Call[] = [];
  const results: CallResult[] = [];
  const call = (c: Call): CallResult => {
    const r = step(state, c);
    state = r.state;
    calls.push(c);
    results.push(r.result);
    return r.result;
  };
  // `attempts` counts ExitBootServices calls (a loop round that only regrows the buffer is not one).
  const done = (outcome: ExitFlowOutcome): ExitFlowRun => ({ state, calls, results, attempts: calls.filter((c) => c.op === 'ExitBootServices').length, outcome });

  const probe = call({ op: 'GetMemoryMap', bufferSize: 0, buffer: false });
  if (probe.kind !== 'status' || probe.status !== 'EFI_BUFFER_TOO_SMALL' || probe.mapInfo === undefined) {
    return done({ ok: false, reason: 'GetMemoryMap with an empty buffer did not report the size needed' });
  }
  let bufferSize = 0;
  let pointer: number | undefined;
  const allocate = (needed: number, descriptorSize: number): boolean => {
    bufferSize = needed + options.slackDescriptors * descriptorSize;
    const r = call({ op: 'AllocatePool', type: EfiLoaderData, size: bufferSize });
    pointer = r.kind === 'status' && r.status === 'EFI_SUCCESS' ? r.address : undefined;
    return pointer !== undefined;
  };
  if (!allocate(probe.mapInfo.mapSize, probe.mapInfo.descriptorSize)) return done({ ok: false, reason: 'AllocatePool for the map buffer failed' });

  // A loader reads the revision from the system table header.
  const mayAllocateAfterFailure = initial.config.uefiRevision >= 209;
  let failedOnce = false;
  for (let attempts = 1; attempts <= options.maxAttempts; attempts++) {
    const got = call({ op: 'GetMemoryMap', bufferSize, buffer: true });
    if (got.kind !== 'status') return done({ ok: false, reason: got.reason });
    if (got.status === 'EFI_BUFFER_TOO_SMALL' && got.mapInfo !== undefined) {
      // The map outgrew the slack (more firmware allocations than expected). Growing the
      // buffer is allowed even after a failed exit since UEFI 2.9 (UEFI.EBS.AFTER_FAILURE);
      // before that the loader must give up rather than call a forbidden service.
      if (failedOnce && !mayAllocateAfterFailure) {
        return done({ ok: false, reason: 'the map outgrew the buffer after a failed ExitBootServices, and before UEFI 2.9 the loader may not allocate a bigger one' });
      }
      if (pointer !== undefined) call({ op: 'FreePool', pointer });
      if (!allocate(got.mapInfo.mapSize, got.mapInfo.descriptorSize)) return done({ ok: false, reason: 'could not grow the map buffer' });
      continue;
    }
    if (got.status !== 'EFI_SUCCESS' || got.mapInfo?.key === undefined || got.mapInfo.map === undefined) {
      return done({ ok: false, reason: `GetMemoryMap returned ${got.status}` });
    }
    const exit = call({ op: 'ExitBootServices', key: got.mapInfo.key });
    if (exit.kind === 'status' && exit.status === 'EFI_SUCCESS') {
      return done({ ok: true, map: got.mapInfo.map, key: got.mapInfo.key, descriptorSize: got.mapInfo.descriptorSize });
    }
    if (exit.kind !== 'status' || exit.status !== 'EFI_INVALID_PARAMETER') {
      return done({ ok: false, reason: exit.kind === 'status' ? `ExitBootServices returned ${exit.status}` : exit.reason });
    }
    failedOnce = true;
  }
  return done({ ok: false, reason: `ExitBootServices still failing after ${options.maxAttempts} attempts` });
}
