/**
 * The boot- and runtime-service calls of the exit flow as data, and what each returns.
 * A loader's run is a list of calls; the firmware model (`firmware.ts`) answers each.
 */
import type { UefiClauseId } from '../../spec/clauses/uefi.ts';
import type { MemoryDescriptor } from './descriptor.ts';
import type { MemoryType } from './memory-type.ts';
import type { EfiStatus } from './status.ts';

export type AllocateKind = 'AnyPages' | 'MaxAddress' | 'Address';

export type Call =
  /** `bufferSize` null: the MemoryMapSize pointer itself is NULL. `buffer` false: MemoryMap is NULL. */
  | { readonly op: 'GetMemoryMap'; readonly bufferSize: number | null; readonly buffer: boolean }
  | { readonly op: 'AllocatePages'; readonly kind: AllocateKind; readonly type: MemoryType; readonly pages: number; readonly address?: number }
  | { readonly op: 'FreePages'; readonly address: number; readonly pages: number }
  | { readonly op: 'AllocatePool'; readonly type: MemoryType; readonly size: number }
  | { readonly op: 'FreePool'; readonly pointer: number }
  /** `key`: the MapKey the loader passes. */
  | { readonly op: 'ExitBootServices'; readonly key: number }
  | { readonly op: 'SetVirtualAddressMap'; readonly descriptorSize: number; readonly descriptorVersion: number; readonly map: readonly MemoryDescriptor[] }
  /** A boot service outside memory management (CreateEvent, Stall, OutputString, …). */
  | { readonly op: 'OtherBootService'; readonly service: string }
  /** A runtime service other than SetVirtualAddressMap (GetTime, GetVariable, …): always callable. */
  | { readonly op: 'OtherRuntimeService'; readonly service: string };

export type CallOp = Call['op'];

/** What GetMemoryMap hands back besides the status. */
export interface MapInfo {
  /** On success: bytes written; on BUFFER_TOO_SMALL: the size needed (UEFI.MMAP.BUFFER_TOO_SMALL). */
  readonly mapSize: number;
  readonly descriptorSize: number;
  readonly descriptorVersion: number;
  /** Only on success. */
  readonly key?: number;
  readonly map?: readonly MemoryDescriptor[];
}

export type CallResult =
  | {
      readonly kind: 'status';
      /** What this firmware (the EDK2-like model) returns. */
      readonly status: EfiStatus;
      /** Every status the specification permits here (always contains `status`). */
      readonly permitted: readonly EfiStatus[];
      readonly clauses: readonly UefiClauseId[];
      readonly mapInfo?: MapInfo;
      /** AllocatePages: the first page's address; AllocatePool: the pointer. */
      readonly address?: number;
      /** Whether the call changed the map key. */
      readonly keyChanged: boolean;
    }
  /** The loader broke a rule by making the call at all; the firmware's behaviour is undefined. */
  | { readonly kind: 'forbidden'; readonly clause: UefiClauseId; readonly reason: string };

/** Whether a call may change the map key when it succeeds (UEFI.MMAP.KEY_CHANGES, KEY_NOT_PREDICTABLE). */
export function keyChangeRule(op: CallOp): 'must' | 'may' | 'never' {
  switch (op) {
    case 'AllocatePages':
    case 'FreePages':
      return 'must';
    case 'AllocatePool':
    case 'FreePool':
    case 'OtherBootService':
      return 'may';
    case 'GetMemoryMap':
    case 'ExitBootServices':
    case 'SetVirtualAddressMap':
    case 'OtherRuntimeService':
      return 'never';
  }
}

/**
 * How the map key may move across a run of calls: `must` change if any call that must
 * change it succeeded, `never` if no successful call may change it, otherwise `may`.
 */
export function keyRuleAcross(calls: readonly { readonly op: CallOp; readonly succeeded: boolean }[]): 'must' | 'may' | 'never' {
  let rule: 'must' | 'may' | 'never' = 'never';
  for (const c of calls) {
    if (!c.succeeded) continue;
    const k = keyChangeRule(c.op);
    if (k === 'must') return 'must';
    if (k === 'may') rule = 'may';
  }
  return rule;
}
