/**
 * The exit-flow scenarios the agreement test runs on OVMF in one boot: map sizes and
 * NULL arguments, which calls change the key, SetVirtualAddressMap before the exit,
 * stale keys (twice), memory services after a failed exit, the exit, the state after
 * it, and SetVirtualAddressMap with a bad version, a bad size, a map missing a runtime
 * region, and a second time.
 */
import type { Step } from './script.ts';

export const AGREEMENT_SCRIPT: readonly Step[] = [
  { cmd: 'gmm0' },                       // UEFI.MMAP.BUFFER_TOO_SMALL
  { cmd: 'gmmnull' },                    // UEFI.MMAP.INVALID_PARAMETER
  { cmd: 'gmmbufnull' },                 // UEFI.MMAP.INVALID_PARAMETER
  { cmd: 'gmm' },
  { cmd: 'gmm' },                        // nothing happened: same key
  { cmd: 'ap', pages: 1 },               // UEFI.MMAP.KEY_CHANGES
  { cmd: 'gmm' },
  { cmd: 'fp' },
  { cmd: 'gmm' },
  { cmd: 'apl', size: 64 },              // UEFI.MMAP.KEY_NOT_PREDICTABLE
  { cmd: 'gmm' },
  { cmd: 'fpl' },
  { cmd: 'gmm' },
  { cmd: 'apl', size: 300_000 },
  { cmd: 'gmm' },
  { cmd: 'fpl' },
  { cmd: 'gmm' },
  { cmd: 'ce' },
  { cmd: 'gmm' },
  { cmd: 'gmmsmall' },                   // one byte short
  { cmd: 'gmmexact' },                   // exactly what BUFFER_TOO_SMALL reported
  { cmd: 'svam', size: 48, version: 1, which: 'rt' }, // UEFI.SVAM.BEFORE_EXIT
  { cmd: 'gmm' },
  { cmd: 'ap', pages: 1 },               // the key from the last gmm is now stale
  { cmd: 'ebs' },                        // UEFI.EBS.STALE_KEY
  { cmd: 'ebs' },                        // and again
  { cmd: 'svam', size: 48, version: 1, which: 'rt' }, // still before a successful exit
  { cmd: 'fp' },                         // UEFI.EBS.AFTER_FAILURE: memory services still work
  { cmd: 'apl', size: 64 },
  { cmd: 'fpl' },
  { cmd: 'gmm' },
  { cmd: 'ebs' },                        // fresh key: success
  { cmd: 'bs' },                         // UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES, UEFI.EBS.INTERRUPTS_OFF
  { cmd: 'svam', size: 48, version: 2, which: 'rt' }, // UEFI.SVAM.DESCRIPTOR_CHECK
  { cmd: 'svam', size: 32, version: 1, which: 'rt' },
  { cmd: 'svam', size: 48, version: 1, which: 'rt-1' }, // UEFI.SVAM.RUNTIME_NEEDS_VA: EDK2 still says SUCCESS
  { cmd: 'svam', size: 48, version: 1, which: 'rt' },   // UEFI.SVAM.ONCE
  { cmd: 'exit', value: 0x10 },
];
