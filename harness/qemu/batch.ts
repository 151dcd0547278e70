/**
 * The binary batch the harness hands the guest runner (as a multiboot module) and the
 * results the runner leaves in guest RAM. Little-endian throughout; the layouts here
 * and in guest/runner.s must change together (BATCH_VERSION guards it).
 *
 * Batch: a 64-byte header, then one record per case.
 *   header: u32 magic "X64Q", u32 version, u32 count, u32 flags (bit 0: fill the window
 *           above 1 MiB with tags; without it the runner trusts the RAM file's tags),
 *           u64 results PA, u64 fill end PA, 32 bytes reserved
 *   case:   u32 control (bits: 1:0 kind, 3:2 CPL, 4 implicit, 5 WP, 6 SMEP, 7 SMAP,
 *           8 PKE, 9 NXE, 10 AC, 11 reload the runner's CR3 first, 12 same CR3 as the
 *           previous case: INVLPG its address instead of a CR3 load), u32 PKRU, u64 CR3, u64 linear address, u64 PA of the PML4
 *           slot the runner borrows, u32 qword count n, u32 reserved,
 *           n × (u64 PA, u64 value)
 * Results (at the results PA): a 64-byte header (u32 magic "X64R", u32 cases done), then
 * one record per completed case:
 *   u32 exception vector, u32 probe status (0xff read, 0xfe not attempted, else the
 *   exception the probe took), u64 error code, u64 CR2, u64 RIP, u64 probe qword,
 *   u32 where (0 access instruction, 1 after it, 2 the fetched address, 3 elsewhere),
 *   u32 page number the probe decoded (0xffffffff: none), u32 n, u32 reserved,
 *   n × u64 final qword values.
 */
import type { AccessKind, Cpl } from '../../model/paging/types.ts';
import { u64, type U64 } from '../../model/paging/u64.ts';

export const BATCH_MAGIC = 0x5134_3658;
export const RESULT_MAGIC = 0x5234_3658;
export const BATCH_VERSION = 1;
export const BATCH_HEADER = 64;
export const CASE_HEADER = 40;
export const RESULTS_HEADER = 64;
export const RESULT_HEADER = 64;

/** Control word bits (guest/runner.s reads them). */
const KIND_CODE: Record<AccessKind, number> = { read: 0, write: 1, fetch: 2 };
const IMPLICIT = 1 << 4;
const WP = 1 << 5;
const SMEP = 1 << 6;
const SMAP = 1 << 7;
const PKE = 1 << 8;
const NXE = 1 << 9;
const AC = 1 << 10;
/** The previous case's PML4 slot is among this case's qwords: reload the runner's CR3 first. */
const RUNNER_CR3_FIRST = 1 << 11;
/** Same CR3 as the previous case: INVLPG its address instead of reloading CR3. */
const SAME_CR3 = 1 << 12;

/** One case as the guest runs it: every value already checked by prepare.ts. */
export interface GuestCase {
  readonly kind: AccessKind;
  readonly implicit: boolean;
  readonly cpl: Cpl;
  readonly wp: boolean;
  readonly smep: boolean;
  readonly smap: boolean;
  readonly pke: boolean;
  readonly nxe: boolean;
  readonly ac: boolean;
  readonly pkru: number;
  readonly cr3: U64;
  readonly va: U64;
  /** PA of PML4[RUNNER_PML4_INDEX] in the vector's PML4 table. */
  readonly slotPa: number;
  readonly memory: readonly { readonly pa: number; readonly value: U64 }[];
}

function writeU64(buf: Buffer, v: U64, off: number): void {
  buf.writeUInt32LE(v.lo, off);
  buf.writeUInt32LE(v.hi, off + 4);
}

function writeNumber64(buf: Buffer, n: number, off: number): void {
  buf.writeUInt32LE(n % 0x1_0000_0000, off);
  buf.writeUInt32LE(Math.floor(n / 0x1_0000_0000), off + 4);
}

export interface BatchLayout {
  /** Guest-physical address of the results area. */
  readonly resultsPa: number;
  /** End of the tag fill above 1 MiB (the vector window's end). */
  readonly fillEnd: number;
  /** Fill the window above 1 MiB (false: an earlier complete boot left its tags in the RAM file). */
  readonly fillHigh: boolean;
}

function control(c: GuestCase): number {
  return KIND_CODE[c.kind] | (c.cpl << 2) | (c.implicit ? IMPLICIT : 0) | (c.wp ? WP : 0) | (c.smep ? SMEP : 0)
    | (c.smap ? SMAP : 0) | (c.pke ? PKE : 0) | (c.nxe ? NXE : 0) | (c.ac ? AC : 0);
}

/** The batch file for `cases`. */
export function encodeBatch(cases: readonly GuestCase[], layout: BatchLayout): Buffer {
  let size = BATCH_HEADER;
  for (const c of cases) size += CASE_HEADER + 16 * c.memory.length;
  const buf = Buffer.alloc(size);
  buf.writeUInt32LE(BATCH_MAGIC, 0);
  buf.writeUInt32LE(BATCH_VERSION, 4);
  buf.writeUInt32LE(cases.length, 8);
  buf.writeUInt32LE(layout.fillHigh ? 1 : 0, 12);
  writeNumber64(buf, layout.resultsPa, 16);
  writeNumber64(buf, layout.fillEnd, 24);
  let off = BATCH_HEADER;
  let prev: GuestCase | undefined;
  for (const c of cases) {
    // The runner stays in a case's address space until the next case's CR3 load, so a
    // case that writes over the previous case's (still live) slot must leave it first.
    const conflict = prev !== undefined && c.memory.some((q) => q.pa === prev!.slotPa) ? RUNNER_CR3_FIRST : 0;
    const same = prev !== undefined && prev.cr3.hi === c.cr3.hi && prev.cr3.lo === c.cr3.lo ? SAME_CR3 : 0;
    prev = c;
    buf.writeUInt32LE(control(c) | conflict | same, off);
    buf.writeUInt32LE(c.pkru >>> 0, off + 4);
    writeU64(buf, c.cr3, off + 8);
    writeU64(buf, c.va, off + 16);
    writeNumber64(buf, c.slotPa, off + 24);
    buf.writeUInt32LE(c.memory.length, off + 32);
    off += CASE_HEADER;
    for (const q of c.memory) {
      writeNumber64(buf, q.pa, off);
      writeU64(buf, q.value, off + 8);
      off += 16;
    }
  }
  return buf;
}

/** What the runner recorded for one case. */
export interface RawResult {
  readonly vector: number;
  /** 0xff: the probe read succeeded; 0xfe: not attempted; else the probe's exception. */
  readonly probeStatus: number;
  readonly errorCode: bigint;
  readonly cr2: bigint;
  readonly rip: bigint;
  readonly probe: bigint;
  readonly where: 0 | 1 | 2 | 3;
  /** The 4 KiB page the probe qword identifies, or undefined when it is no tag. */
  readonly page: number | undefined;
  readonly memory: readonly U64[];
}

export const PROBE_OK = 0xff;
export const PROBE_NOT_TRIED = 0xfe;

/** Bytes of results the runner writes for `cases` (the header included). */
export function resultsSize(cases: readonly GuestCase[]): number {
  let size = RESULTS_HEADER;
  for (const c of cases) size += RESULT_HEADER + 8 * c.memory.length;
  return size;
}

/** Thrown when guest RAM does not hold the results the batch asked for. */
export class ResultsFormatError extends Error {
  override readonly name = 'ResultsFormatError';
}

/**
 * Decodes the results area (`area` starts at the results PA). Returns one record per
 * case the runner completed, in order; fewer than `cases.length` when it stopped early.
 */
export function decodeResults(area: Buffer, cases: readonly GuestCase[]): RawResult[] {
  if (area.length < RESULTS_HEADER) throw new ResultsFormatError('results area shorter than its header');
  if (area.readUInt32LE(0) !== RESULT_MAGIC) throw new ResultsFormatError('results area has no X64R header (the runner never started the batch)');
  const done = area.readUInt32LE(4);
  if (done > cases.length) throw new ResultsFormatError(`runner claims ${done} cases done of ${cases.length}`);
  const out: RawResult[] = [];
  let off = RESULTS_HEADER;
  for (let i = 0; i < done; i++) {
    const n = cases[i]!.memory.length;
    if (off + RESULT_HEADER + 8 * n > area.length) throw new ResultsFormatError(`result ${i} runs past the results area`);
    const recorded = area.readUInt32LE(off + 48);
    if (recorded !== n) throw new ResultsFormatError(`result ${i} lists ${recorded} qwords, the case has ${n}`);
    const page = area.readUInt32LE(off + 44);
    const memory: U64[] = [];
    for (let k = 0; k < n; k++) {
      const at = off + RESULT_HEADER + 8 * k;
      memory.push(u64(area.readUInt32LE(at + 4), area.readUInt32LE(at)));
    }
    out.push({
      vector: area.readUInt32LE(off),
      probeStatus: area.readUInt32LE(off + 4),
      errorCode: area.readBigUInt64LE(off + 8),
      cr2: area.readBigUInt64LE(off + 16),
      rip: area.readBigUInt64LE(off + 24),
      probe: area.readBigUInt64LE(off + 32),
      where: (area.readUInt32LE(off + 40) & 3) as 0 | 1 | 2 | 3,
      page: page === 0xffff_ffff ? undefined : page,
      memory,
    });
    off += RESULT_HEADER + 8 * n;
  }
  return out;
}

/** Cases completed according to the results header (0 when the header is missing). */
export function casesDone(area: Buffer): number {
  if (area.length < RESULTS_HEADER || area.readUInt32LE(0) !== RESULT_MAGIC) return 0;
  return area.readUInt32LE(4);
}
