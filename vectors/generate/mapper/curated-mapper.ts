import type { Vector } from '../../../harness/types.ts';
import type { MapperInputJson } from '../../io/mapper.ts';
import { COMMON_PROFILES, type CpuProfile } from '../profiles.ts';
import { makeMapperVector } from './mapper-vector.ts';
import { RO_CODE, ROOT, RW_DATA, USER_RW, fitFlags, mapOp, mapperInput, protectOp, unmapOp } from './setup.ts';

const G1 = 0x4000_0000;
const M2 = 0x20_0000;
const hexN = (n: number) => '0x' + n.toString(16);

const has1G = (p: CpuProfile) => p.features.includes('pdpe1gb');

interface Case { readonly title: string; build(p: CpuProfile, nxe: boolean): MapperInputJson | undefined }

/** One hand-written scenario per mapper result kind and per hugepage policy. */
const CASES: readonly Case[] = [
  { title: 'map one 4 KiB page into empty tables', build: (p, nxe) => mapperInput(p, nxe, [], [mapOp('0x400000', 0x50_0000, '4K', fitFlags(RW_DATA, nxe))]) },
  { title: 'map one 2 MiB page', build: (p, nxe) => mapperInput(p, nxe, [], [mapOp('0x40000000', 0x80_0000, '2M', fitFlags(RW_DATA, nxe))]) },
  { title: 'map one 1 GiB page', build: (p, nxe) => (has1G(p) ? mapperInput(p, nxe, [], [mapOp('0x8000000000', G1, '1G', RO_CODE)]) : undefined) },
  { title: 'map a higher-half kernel: 16 pages at 0xffffffff80000000', build: (p, nxe) => mapperInput(p, nxe, [], Array.from({ length: 16 }, (_, i) => mapOp(hexN(0xffff_ffff_8000_0000 + i * 0x1000), 0x40_0000 + i * 0x1000, '4K', i < 8 ? RO_CODE : fitFlags(RW_DATA, nxe)))) },
  { title: 'map the same page twice: AlreadyMapped', build: (p, nxe) => mapperInput(p, nxe, [], [mapOp('0x400000', 0x50_0000, '4K', RO_CODE), mapOp('0x400000', 0x60_0000, '4K', RO_CODE)]) },
  { title: 'map a 2 MiB page where a table of 4 KiB pages is: TableInTheWay', build: (p, nxe) => mapperInput(p, nxe, [mapOp('0x401000', 0x50_0000, '4K', RO_CODE)], [mapOp('0x400000', 0x60_0000, '2M', RO_CODE)]) },
  { title: 'map a 4 KiB page inside a 2 MiB page with onHugePage fail: ParentIsHugePage', build: (p, nxe) => mapperInput(p, nxe, [mapOp('0x400000', 0x60_0000, '2M', RO_CODE)], [mapOp('0x401000', 0x50_0000, '4K', RO_CODE)]) },
  { title: 'map a 4 KiB page inside a 2 MiB page with onHugePage split: the rest keeps its frames', build: (p, nxe) => mapperInput(p, nxe, [mapOp('0x400000', 0x60_0000, '2M', RO_CODE)], [mapOp('0x401000', 0x50_0000, '4K', fitFlags(RW_DATA, nxe), 'split')]) },
  { title: 'map a 4 KiB page inside a 1 GiB page with split: two levels of tables', build: (p, nxe) => (has1G(p) ? mapperInput(p, nxe, [mapOp('0x40000000', G1, '1G', RO_CODE)], [mapOp('0x40201000', 0x50_0000, '4K', fitFlags(USER_RW, nxe), 'split')]) : undefined) },
  { title: 'a 1 GiB page on a CPU without 1-GiB pages: HugePagesUnsupported', build: (p, nxe) => (has1G(p) ? undefined : mapperInput(p, nxe, [], [mapOp('0x40000000', G1, '1G', RO_CODE)])) },
  { title: 'a misaligned virtual address: Misaligned', build: (p, nxe) => mapperInput(p, nxe, [], [mapOp('0x400800', 0x50_0000, '4K', RO_CODE), mapOp('0x500000', 0x60_0000, '2M', RO_CODE)]) },
  { title: 'a misaligned frame: Misaligned', build: (p, nxe) => mapperInput(p, nxe, [], [mapOp('0x400000', 0x50_1000, '2M', RO_CODE)]) },
  { title: 'a non-canonical address: NonCanonical', build: (p, nxe) => mapperInput(p, nxe, [], [mapOp('0x800000000000', 0x50_0000, '4K', RO_CODE), unmapOp('0xffff000000000000', '4K')]) },
  { title: 'a frame at 2^MAXPHYADDR (FrameAboveMaxPhyAddr below 52) and the highest frame below it', build: (p, nxe) => mapperInput(p, nxe, [], [mapOp('0x400000', Math.min(2 ** p.maxphyaddr, 2 ** 52 - 0x2000), '4K', RO_CODE), mapOp('0x401000', 2 ** p.maxphyaddr - 0x1000, '4K', RO_CODE)]) },
  { title: 'a non-executable page with NXE = 0: NoExecuteDisabled', build: (p) => mapperInput(p, false, [], [mapOp('0x400000', 0x50_0000, '4K', RW_DATA)]) },
  { title: 'not enough frames for the new tables: FrameAllocationFailed, nothing written', build: (p, nxe) => mapperInput(p, nxe, [], [mapOp('0x400000', 0x50_0000, '4K', RO_CODE)], 2) },
  { title: 'no frames at all, but the tables exist already', build: (p, nxe) => mapperInput(p, nxe, [mapOp('0x400000', 0x50_0000, '4K', RO_CODE)], [mapOp('0x401000', 0x51_0000, '4K', RO_CODE)], 0) },
  { title: 'unmap a page that is not mapped: NotMapped', build: (p, nxe) => mapperInput(p, nxe, [mapOp('0x400000', 0x50_0000, '4K', RO_CODE)], [unmapOp('0x800000', '4K'), unmapOp('0x402000', '4K')]) },
  { title: 'unmap a 2 MiB page that is mapped with 4 KiB pages: SizeMismatch', build: (p, nxe) => mapperInput(p, nxe, [mapOp('0x400000', 0x50_0000, '4K', RO_CODE)], [unmapOp('0x400000', '2M')]) },
  { title: 'unmap 4 KiB in the middle of a 2 MiB page: fail, then split', build: (p, nxe) => mapperInput(p, nxe, [mapOp('0x400000', 0x60_0000, '2M', RO_CODE)], [unmapOp('0x480000', '4K'), unmapOp('0x480000', '4K', 'split')]) },
  { title: 'map, unmap, map again at the same address', build: (p, nxe) => mapperInput(p, nxe, [], [mapOp('0x400000', 0x50_0000, '4K', RO_CODE), unmapOp('0x400000', '4K'), mapOp('0x400000', 0x70_0000, '4K', fitFlags(USER_RW, nxe))]) },
  { title: 'protect: make a code page writable and user-accessible, keep its frame', build: (p, nxe) => mapperInput(p, nxe, [mapOp('0x400000', 0x50_0000, '4K', RO_CODE)], [protectOp('0x400000', '4K', fitFlags(USER_RW, nxe))]) },
  { title: 'protect a page that is not mapped: NotMapped', build: (p, nxe) => mapperInput(p, nxe, [], [protectOp('0x400000', '4K', RO_CODE)]) },
  { title: 'protect one 4 KiB page of a 2 MiB page with split', build: (p, nxe) => mapperInput(p, nxe, [mapOp('0x400000', 0x60_0000, '2M', fitFlags(RW_DATA, nxe))], [protectOp('0x5ff000', '4K', RO_CODE, 'split')]) },
  { title: 'global pages and protection keys are kept in the leaf', build: (p, nxe) => mapperInput(p, nxe, [], [mapOp('0x400000', 0x50_0000, '4K', { ...fitFlags(USER_RW, nxe), global: true, pkey: 7 }), mapOp('0x600000', 0x60_0000, '2M', { ...RO_CODE, pkey: 15 })]) },
  { title: 'a user page under a supervisor-only PML4E whose other pages must stay supervisor: ParentRestrictsRights', build: (p, nxe) => restricting(p, nxe) },
  { title: 'mapping under an entry with a reserved bit: MalformedEntry', build: (p, nxe) => malformed(p, nxe) },
  { title: 'identity-map the first 8 MiB with 2 MiB pages, then split one to 4 KiB and protect a page', build: (p, nxe) => mapperInput(p, nxe, [], [
    ...Array.from({ length: 4 }, (_, i) => mapOp(hexN(i * M2), i * M2, '2M', fitFlags(RW_DATA, nxe))),
    protectOp('0x201000', '4K', RO_CODE, 'split'),
  ]) },
];

/** Tables built by hand: PML4[0] without U/S over a 2 MiB page whose lower entries all have U/S. */
function restricting(p: CpuProfile, nxe: boolean): MapperInputJson {
  const base = mapperInput(p, nxe, [], [mapOp('0x40000000', 0x50_0000, '4K', fitFlags(USER_RW, nxe))]);
  return {
    ...base,
    memory: [
      { pa: hexN(ROOT), value: hexN(0x10_1000 | 0x3) }, // PML4[0]: P | R/W, no U/S
      { pa: hexN(0x10_1000), value: hexN(0x10_2000 | 0x7) }, // PDPT[0]: P | R/W | U/S
      { pa: hexN(0x10_2000), value: hexN(0x60_0000 | 0x87) }, // PD[0]: a 2 MiB page with U/S, kept supervisor by the PML4E
    ],
  };
}

/** A PDE with bit 51 set above a small MAXPHYADDR (or PS in the PML4E when MAXPHYADDR is 52). */
function malformed(p: CpuProfile, nxe: boolean): MapperInputJson {
  const base = mapperInput(p, nxe, [], [mapOp('0x401000', 0x50_0000, '4K', RO_CODE)]);
  const pml4e = p.maxphyaddr < 52 ? 0x10_1000 | 0x3 : 0x10_1000 | 0x83;
  const pde = p.maxphyaddr < 52 ? '0x8000000103003' : hexN(0x10_3000 | 0x3);
  return {
    ...base,
    memory: [
      { pa: hexN(ROOT), value: hexN(pml4e) },
      { pa: hexN(0x10_1000), value: hexN(0x10_2000 | 0x3) },
      { pa: hexN(0x10_2000 + 2 * 8), value: pde },
    ],
  };
}

/** The curated mapper vectors: every case on several profiles, NXE on where the CPU has it. */
export function curatedMapperVectors(): Vector[] {
  const profiles = COMMON_PROFILES.filter((p) => ['p36-nx', 'p40-all', 'p46-nopku', 'p52-all'].includes(p.name));
  const out: Vector[] = [];
  for (const p of profiles) {
    CASES.forEach((c, i) => {
      const input = c.build(p, p.features.includes('nx'));
      if (input === undefined) return;
      out.push(makeMapperVector(`mp-${p.name}-${String(i + 1).padStart(3, '0')}`, c.title, input));
    });
  }
  return out;
}
