/**
 * A ready-made address space for tests, benchmarks and examples: fresh memory, a frame
 * allocator over one physical range, and an empty PML4 from its first frame.
 */
import { AddressSpace } from './address-space.ts';
import { RangeFrameAllocator, type PhysRange } from './frames.ts';
import type { MapperConfig } from './mapper-entries.ts';
import { PhysMemory } from './memory.ts';
import { toHex } from './u64.ts';

export interface Fixture {
  readonly memory: PhysMemory;
  readonly allocator: RangeFrameAllocator;
  readonly space: AddressSpace;
}

/** Defaults: MAXPHYADDR 46, 1 GiB pages, NXE on, tables from [1 MiB, 2 MiB). */
export function mapperFixture(config: Partial<MapperConfig> = {}, tables: PhysRange = { start: 0x10_0000, end: 0x20_0000 }): Fixture {
  const memory = new PhysMemory();
  const allocator = RangeFrameAllocator.create(memory, [tables]);
  if (!allocator.ok) throw new Error(`bad table range: ${allocator.error.reason}`);
  const full: MapperConfig = { maxPhyAddr: config.maxPhyAddr ?? 46, hugePages1G: config.hugePages1G ?? true, noExecute: config.noExecute ?? true };
  // The range is non-empty and aligned here, so its first frame is there for the PML4.
  const space = AddressSpace.create(memory, allocator.value, full) as { ok: true; value: AddressSpace };
  return { memory, allocator: allocator.value, space: space.value };
}

/** Every non-zero qword of `memory` as `pa=value` lines, to compare memory byte for byte. */
export function memoryImage(memory: PhysMemory): string[] {
  return [...memory.nonZeroQwords()].map(([pa, v]) => `0x${pa.toString(16)}=${toHex(v)}`);
}
