import type { CpuProfile } from '../profiles.ts';
import { toHex } from '../../../model/paging/u64.ts';
import type { MapperFlagsJson, MapperInputJson, MapperOperationJson, PageSizeName } from '../../io/mapper.ts';
import { runMapperModel } from '../../semantics/mapper-run.ts';

/**
 * Where mapper vectors keep their tables: the PML4 at 1 MiB, tables the starting state
 * needed from [1 MiB, 1.5 MiB), and the vector's own frame ranges from 2 MiB up.
 */
export const ROOT = 0x10_0000;
export const SETUP_FRAMES = { start: 0x10_0000, end: 0x18_0000 } as const;
export const VECTOR_FRAMES_START = 0x20_0000;

const hexN = (n: number) => '0x' + n.toString(16);

export const RW_DATA: MapperFlagsJson = { writable: true, user: false, executable: false };
export const RO_CODE: MapperFlagsJson = { writable: false, user: false, executable: true };
export const USER_RW: MapperFlagsJson = { writable: true, user: true, executable: false };

export function mapOp(va: string, pa: number, size: PageSizeName, flags: MapperFlagsJson, onHugePage: 'fail' | 'split' = 'fail'): MapperOperationJson {
  return { op: 'map', va, pa: hexN(pa), size, flags, onHugePage };
}
export function unmapOp(va: string, size: PageSizeName, onHugePage: 'fail' | 'split' = 'fail'): MapperOperationJson {
  return { op: 'unmap', va, size, onHugePage };
}
export function protectOp(va: string, size: PageSizeName, flags: MapperFlagsJson, onHugePage: 'fail' | 'split' = 'fail'): MapperOperationJson {
  return { op: 'protect', va, size, flags, onHugePage };
}

/** Executable-only flags cannot say `executable: false` without NXE; the generator clears XD requests then. */
export function fitFlags(f: MapperFlagsJson, nxe: boolean): MapperFlagsJson {
  return nxe ? f : { ...f, executable: true };
}

/**
 * A mapper input whose starting tables are what the model mapper builds from `setup`
 * (their results are not part of the vector), with `frameCount` fresh frames for the
 * operations themselves.
 */
export function mapperInput(profile: CpuProfile, nxe: boolean, setup: readonly MapperOperationJson[], operations: readonly MapperOperationJson[], frameCount = 64): MapperInputJson {
  const base: MapperInputJson = {
    cpu: { maxphyaddr: profile.maxphyaddr, features: [...profile.features] },
    nxe, cr3: hexN(ROOT), memory: [],
    frames: [{ start: hexN(SETUP_FRAMES.start + 0x1000), end: hexN(SETUP_FRAMES.end) }],
    operations: setup,
  };
  const pre = setup.length > 0 ? runMapperModel(base).memory : undefined;
  const memory = pre === undefined ? [] : [...pre.nonZeroQwords()].map(([pa, v]) => ({ pa: hexN(pa), value: toHex(v) }));
  return {
    ...base, memory,
    frames: frameCount === 0 ? [] : [{ start: hexN(VECTOR_FRAMES_START), end: hexN(VECTOR_FRAMES_START + frameCount * 0x1000) }],
    operations,
  };
}
