import type { JsonObject } from '../../harness/types.ts';
import { RangeFrameAllocator, type PhysRange } from '../../model/paging/frames.ts';
import { PhysMemory } from '../../model/paging/memory.ts';
import type { Feature } from '../../model/paging/types.ts';
import { toNumber } from '../../model/paging/u64.ts';
import { childPath } from './json-path.ts';
import { cpuFromJson, hex, hexPa, type InputProblem } from './paging.ts';

/** The mapper suite's input (spec/schemas/mapper-input.schema.json). */
export interface MapperFlagsJson {
  readonly writable: boolean;
  readonly user: boolean;
  readonly executable: boolean;
  readonly global?: boolean;
  readonly pkey?: number;
}

export type PageSizeName = '4K' | '2M' | '1G';
export type OnHugePageJson = 'fail' | 'split';

export type MapperOperationJson =
  | { readonly op: 'map'; readonly va: string; readonly pa: string; readonly size: PageSizeName; readonly flags: MapperFlagsJson; readonly onHugePage: OnHugePageJson }
  | { readonly op: 'unmap'; readonly va: string; readonly size: PageSizeName; readonly onHugePage: OnHugePageJson }
  | { readonly op: 'protect'; readonly va: string; readonly size: PageSizeName; readonly flags: MapperFlagsJson; readonly onHugePage: OnHugePageJson };

export interface MapperInputJson {
  readonly cpu: { readonly maxphyaddr: number; readonly features: readonly Feature[] };
  readonly nxe: boolean;
  readonly cr3: string;
  readonly memory: readonly { readonly pa: string; readonly value: string }[];
  readonly frames: readonly { readonly start: string; readonly end: string }[];
  readonly operations: readonly MapperOperationJson[];
}

/** `{ ok: true }` or the kind of the typed error an operation returned. */
export type MapperResultJson = { readonly ok: true } | { readonly error: string };

export function asMapperInput(input: JsonObject): MapperInputJson {
  return input as unknown as MapperInputJson;
}

export function framesFromJson(frames: MapperInputJson['frames']): PhysRange[] {
  return frames.map((f) => ({ start: toNumber(hex(f.start)), end: toNumber(hex(f.end)) }));
}

/** Initial memory from the input's qwords. */
export function mapperMemory(input: MapperInputJson): PhysMemory {
  const memory = new PhysMemory();
  for (const q of input.memory) memory.write64(hexPa(q.pa), hex(q.value));
  return memory;
}

/**
 * Meaning checks for a schema-valid mapper input: a CPU that can have NXE on, a
 * 4-KiB-aligned CR3 below 2^MAXPHYADDR, aligned and unique qwords, and frame ranges
 * that are usable and do not hold the initial tables (handing them out would zero them).
 */
export function mapperInputProblems(input: MapperInputJson, base = '$.input'): InputProblem[] {
  const problems: InputProblem[] = [];
  const cpu = cpuFromJson(input.cpu);
  if (input.nxe && !cpu.features.has('nx')) problems.push({ path: childPath(base, 'nxe'), message: "NXE is on but the CPU lacks feature 'nx'", clause: 'PG.STATE.FEATURE_BITS' });
  const cr3 = toNumber(hex(input.cr3));
  if (cr3 % 4096 !== 0) problems.push({ path: childPath(base, 'cr3'), message: `the PML4 address ${input.cr3} is not 4 KiB-aligned` });
  if (cr3 >= 2 ** input.cpu.maxphyaddr) problems.push({ path: childPath(base, 'cr3'), message: `${input.cr3} is beyond MAXPHYADDR ${input.cpu.maxphyaddr}`, clause: 'PG.CR3.RESERVED' });
  const tableFrames = new Set<number>([Math.floor(cr3 / 4096)]);
  const seen = new Set<number>();
  input.memory.forEach((q, i) => {
    const pa = toNumber(hex(q.pa));
    const path = childPath(childPath(childPath(base, 'memory'), i), 'pa');
    if (pa % 8 !== 0) problems.push({ path, message: `qword address ${q.pa} is not 8-byte aligned` });
    if (seen.has(pa)) problems.push({ path, message: `qword ${q.pa} is listed twice` });
    seen.add(pa);
    tableFrames.add(Math.floor(pa / 4096));
  });
  const ranges = framesFromJson(input.frames);
  const alloc = RangeFrameAllocator.create(new PhysMemory(), ranges);
  if (!alloc.ok) {
    problems.push({ path: childPath(childPath(base, 'frames'), alloc.error.index), message: `unusable frame range: ${alloc.error.reason}` });
  } else {
    ranges.forEach((r, i) => {
      for (const f of tableFrames) {
        if (f * 4096 >= r.start && f * 4096 < r.end) {
          problems.push({ path: childPath(childPath(base, 'frames'), i), message: `range holds frame 0x${(f * 4096).toString(16)} of the initial tables` });
          break;
        }
      }
    });
  }
  return problems;
}
