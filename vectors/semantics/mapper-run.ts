import { physAddr, virtAddr } from '../../model/paging/addr.ts';
import { AddressSpace } from '../../model/paging/address-space.ts';
import { RangeFrameAllocator } from '../../model/paging/frames.ts';
import type { MapperConfig } from '../../model/paging/mapper-entries.ts';
import type { MapperError } from '../../model/paging/mapper-errors.ts';
import { pageFlags, type PageFlags } from '../../model/paging/mapper-flags.ts';
import type { Result } from '../../model/paging/mapper-result.ts';
import type { PhysMemory } from '../../model/paging/memory.ts';
import { PAGE_1G, PAGE_2M, PAGE_4K, type PageSize } from '../../model/paging/types.ts';
import { toHex, toNumber, eq } from '../../model/paging/u64.ts';
import { hex, hexPa } from '../io/paging.ts';
import { framesFromJson, mapperMemory, type MapperFlagsJson, type MapperInputJson, type MapperResultJson, type PageSizeName } from '../io/mapper.ts';

export const PAGE_SIZES: Record<PageSizeName, PageSize> = { '4K': PAGE_4K, '2M': PAGE_2M, '1G': PAGE_1G };

/** What running a mapper input through the model's mapper gives. */
export interface MapperRun {
  readonly results: MapperResultJson[];
  /** Memory after every operation. */
  readonly memory: PhysMemory;
  /** Every qword whose value changed, ascending (the `memory` of an output). */
  readonly changed: { pa: string; value: string }[];
}

export function mapperConfig(input: MapperInputJson): MapperConfig {
  return { maxPhyAddr: input.cpu.maxphyaddr, hugePages1G: input.cpu.features.includes('pdpe1gb'), noExecute: input.nxe };
}

export function flagsFromJson(f: MapperFlagsJson): PageFlags {
  return pageFlags({ writable: f.writable, user: f.user, executable: f.executable, global: f.global ?? false, pkey: f.pkey ?? 0 });
}

/**
 * Applies the operations with the model's mapper (model/paging/mapper.ts) on tables it
 * owns in place, taking new tables from the input's frame ranges in order.
 * The input must have passed `mapperInputProblems`.
 */
export function runMapperModel(input: MapperInputJson): MapperRun {
  const memory = mapperMemory(input);
  const before = mapperMemory(input);
  const alloc = RangeFrameAllocator.create(memory, framesFromJson(input.frames));
  if (!alloc.ok) throw new Error(`frame range ${alloc.error.index}: ${alloc.error.reason}`);
  const space = AddressSpace.attach(memory, alloc.value, mapperConfig(input), hexPa(input.cr3), 'all');
  const results = input.operations.map((op): MapperResultJson => {
    const va = virtAddr(hex(op.va));
    const size = PAGE_SIZES[op.size];
    const options = { onHugePage: op.onHugePage };
    let r: Result<unknown, MapperError>;
    switch (op.op) {
      case 'map': r = space.map(va, physAddr(toNumber(hex(op.pa))), size, flagsFromJson(op.flags), options); break;
      case 'unmap': r = space.unmap(va, size, options); break;
      case 'protect': r = space.protect(va, size, flagsFromJson(op.flags), options); break;
    }
    return r.ok ? { ok: true } : { error: r.error.kind };
  });
  return { results, memory, changed: changedQwords(before, memory) };
}

/** Qwords whose value differs between two memories, ascending. */
export function changedQwords(before: PhysMemory, after: PhysMemory): { pa: string; value: string }[] {
  const pas = new Set<number>();
  for (const [pa] of before.nonZeroQwords()) pas.add(pa);
  for (const [pa] of after.nonZeroQwords()) pas.add(pa);
  const out: { pa: string; value: string }[] = [];
  for (const pa of [...pas].sort((a, b) => a - b)) {
    const v = after.read64(physAddr(pa));
    if (!eq(v, before.read64(physAddr(pa)))) out.push({ pa: '0x' + pa.toString(16), value: toHex(v) });
  }
  return out;
}

