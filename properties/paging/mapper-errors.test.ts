// Every mapper error renders as one line that names what went wrong and where (the
// address, the level's entry name, sizes, frames), as the project's bar for bad input
// asks. Expected strings are written out by hand for each variant.
import { describe, expect, it } from 'vitest';
import { physAddr, virtAddr } from '../../model/paging/addr.ts';
import { describeMapperError, sizeName, type MapperError } from '../../model/paging/mapper-errors.ts';
import { PAGE_1G, PAGE_2M, PAGE_4K } from '../../model/paging/types.ts';
import { u64 } from '../../model/paging/u64.ts';

const va = virtAddr(u64(0xffff_8000, 0x0020_0000)); // 0xffff800000200000
const entry = u64(0x8000_0000, 0x0020_0083);

const cases: [MapperError, string][] = [
  [{ kind: 'NonCanonical', va: virtAddr(u64(0x8000, 0)) }, 'virtual address 0x800000000000 is not canonical'],
  [{ kind: 'Misaligned', what: 'frame', value: u64(0, 0x1234), size: PAGE_4K }, 'frame 0x1234 is not aligned to 4 KiB'],
  [{ kind: 'Misaligned', what: 'virtual address', value: u64(0, 0x1000), size: PAGE_2M }, 'virtual address 0x1000 is not aligned to 2 MiB'],
  [{ kind: 'HugePagesUnsupported', size: PAGE_1G }, '1 GiB pages need the pdpe1gb feature'],
  [{ kind: 'FrameAboveMaxPhyAddr', frame: 0x100_0000_0000, maxPhyAddr: 40 }, 'frame 0x10000000000 is beyond MAXPHYADDR 40'],
  [{ kind: 'NoExecuteDisabled' }, 'a non-executable page needs EFER.NXE = 1 (XD is reserved otherwise)'],
  [{ kind: 'InvalidProtectionKey', pkey: 16 }, 'protection key 16 is not an integer 0–15'],
  [{ kind: 'InRecursiveWindow', va, slot: 256 }, 'virtual address 0xffff800000200000 is in the recursive page-table slot 256'],
  [{ kind: 'AlreadyMapped', va, level: 2, entry }, '0xffff800000200000 is already mapped by the PDE 0x8000000000200083'],
  [{ kind: 'TableInTheWay', va, level: 3, table: physAddr(0x5000) }, '0xffff800000200000: the PDPTE points to a table at 0x5000; a huge page there would drop it'],
  [{ kind: 'ParentIsHugePage', va, level: 2, entry }, '0xffff800000200000 lies inside a huge page (PDE 0x8000000000200083)'],
  [{ kind: 'FrameAllocationFailed', needed: 3, remaining: 1 }, 'needed 3 page-table frame(s), only 1 left'],
  [{ kind: 'NotMapped', va, level: 1 }, '0xffff800000200000 is not mapped (PTE not present)'],
  [{ kind: 'SizeMismatch', va, requested: PAGE_2M, level: 2 }, '0xffff800000200000 is mapped with pages smaller than 2 MiB (the PDE points to a table)'],
  [{ kind: 'ParentRestrictsRights', va, level: 4, right: 'user' }, "0xffff800000200000: the PML4E withholds 'user' and granting it would change other translations"],
  [{ kind: 'EntryNotVisible', va, level: 1, entryPa: physAddr(0x7008) }, '0xffff800000200000: its PTE at 0x7008 is outside the ranges the layout maps'],
  [{ kind: 'MalformedEntry', va, level: 2, entryPa: physAddr(0x3008), entry, reason: 'why' }, '0xffff800000200000: the PDE at 0x3008 (0x8000000000200083) is malformed: why'],
];

describe('mapper error messages', () => {
  for (const [error, text] of cases) {
    it(`${error.kind}: ${text}`, () => {
      expect(describeMapperError(error)).toBe(text);
    });
  }
  it('names page sizes', () => {
    expect([sizeName(PAGE_4K), sizeName(PAGE_2M), sizeName(PAGE_1G)]).toEqual(['4 KiB', '2 MiB', '1 GiB']);
  });
});
