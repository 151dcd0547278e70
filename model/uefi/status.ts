/**
 * EFI_STATUS values the exit flow can produce (UEFI 2.10 Appendix D). The model speaks
 * in names; `statusValue` gives the 64-bit number a C program sees (errors have bit 63
 * set), and `statusFromValue` reads one back, e.g. from the OVMF test application.
 */
import { u64, type U64 } from '../paging/u64.ts';

export const STATUS_CODES = {
  EFI_SUCCESS: 0,
  EFI_INVALID_PARAMETER: 2,
  EFI_UNSUPPORTED: 3,
  EFI_BUFFER_TOO_SMALL: 5,
  EFI_OUT_OF_RESOURCES: 9,
  EFI_NOT_FOUND: 14,
  EFI_NO_MAPPING: 17,
} as const;

export type EfiStatus = keyof typeof STATUS_CODES;

export const STATUSES = Object.keys(STATUS_CODES) as EfiStatus[];

/** The EFI_STATUS value as a 64-bit number (errors: bit 63 set, code in the low bits). */
export function statusValue(status: EfiStatus): U64 {
  const code = STATUS_CODES[status];
  return u64(code === 0 ? 0 : 0x8000_0000, code);
}

/** The status name of a 64-bit EFI_STATUS value, or undefined for one the model does not use. */
export function statusFromValue(value: U64): EfiStatus | undefined {
  for (const s of STATUSES) {
    const v = statusValue(s);
    if (v.hi === value.hi && v.lo === value.lo) return s;
  }
  return undefined;
}
