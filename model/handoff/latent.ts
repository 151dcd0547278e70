/**
 * Rules whose breach does not stop the switch itself but bites the kernel later: XD bits
 * while NXE is off, table entries beyond the physical width, live data in memory the
 * kernel will free, runtime regions and the framebuffer left unmapped.
 */
import { canonicalFrom48, low48, type VirtAddr } from '../paging/addr.ts';
import { LEVEL_NAMES, type PagingState } from '../paging/types.ts';
import { toHex } from '../paging/u64.ts';
import {
  descriptorAt, EFI_PAGE_SIZE, EfiRuntimeServicesCode, isRuntime, memoryTypeName, reuseAfterExit, type MemoryDescriptor,
} from '../uefi/index.ts';
import { describeFault, probe } from './probe.ts';
import type { FlaggedEntry, TableScan } from './scan.ts';
import { STATE_PATHS, type HandoffState } from './state.ts';
import type { Stage, Violation } from './types.ts';

const hex = (n: number): string => `0x${n.toString(16)}`;
const MAX_LISTED = 4;

function listEntries(entries: readonly FlaggedEntry[]): string {
  const shown = entries.slice(0, MAX_LISTED).map((e) => `${LEVEL_NAMES[e.level]} at ${hex(e.entryPa)} (linear ${toHex(e.va)}…)`);
  return entries.length > MAX_LISTED ? `${shown.join(', ')} and ${entries.length - MAX_LISTED} more` : shown.join(', ');
}


export function checkLatent(
  s: HandoffState, ps: PagingState, scan: TableScan, nxe: boolean,
  pagesByStage: ReadonlyMap<Stage, readonly { va: VirtAddr; pa: number }[]>, already: readonly Violation[],
): Violation[] {
  const out: Violation[] = [];
  // HANDOFF.NXE.XD_RESERVED: with NXE off every XD bit is a reserved-bit fault waiting to happen.
  if (!nxe && scan.xdEntries.length > 0 && !already.some((v) => v.clause === 'HANDOFF.NXE.XD_RESERVED')) {
    out.push({ clause: 'HANDOFF.NXE.XD_RESERVED', severity: 'latent', path: '$.regs.efer',
      message: `IA32_EFER.NXE is 0 but ${scan.xdEntries.length} present entr${scan.xdEntries.length === 1 ? 'y has' : 'ies have'} XD set (${listEntries(scan.xdEntries)}): the first access through any of them raises #PF with RSVD = 1. Set EFER.NXE or clear the XD bits.` });
  }
  // HANDOFF.MAP.PHYS_WIDTH: entries pointing past MAXPHYADDR fault when used.
  if (scan.beyondMaxPhyAddr.length > 0 && !already.some((v) => v.clause === 'HANDOFF.MAP.PHYS_WIDTH')) {
    out.push({ clause: 'HANDOFF.MAP.PHYS_WIDTH', severity: 'latent', path: '$.memory',
      message: `${scan.beyondMaxPhyAddr.length} entr${scan.beyondMaxPhyAddr.length === 1 ? 'y points' : 'ies point'} at physical addresses this ${s.cpu.maxPhyAddr}-bit CPU does not have (${listEntries(scan.beyondMaxPhyAddr)}): any access through them raises #PF with RSVD = 1. Size the direct map from the memory map, not a fixed 64 TiB.` });
  }
  if (s.memoryMap !== undefined) out.push(...memoryTypeChecks(s, s.memoryMap, scan, pagesByStage));
  if (s.runtimeServices?.calls === true && s.memoryMap !== undefined) {
    const v = runtimeCheck(ps, s.memoryMap, s.runtimeServices.virtualAddressMap);
    if (v !== undefined) out.push(v);
  }
  if (s.framebuffer !== undefined) {
    const fb = s.framebuffer;
    const r = probe(ps, fb.va, fb.size, 'write');
    const wrong = r.ok ? r.pages.find((p) => p.pa !== fb.pa + (low48(p.va) - low48(fb.va))) : undefined;
    if (!r.ok) {
      out.push({ clause: 'HANDOFF.FB.MAPPED', severity: 'latent', path: STATE_PATHS.framebuffer,
        message: `The framebuffer (${hex(fb.size)} bytes at ${toHex(fb.va)}) is not fully writable: at ${toHex(r.va)} ${describeFault(r.fault, s.cpu.maxPhyAddr)}, so the kernel's first pixel there faults.` });
    } else if (wrong !== undefined) {
      out.push({ clause: 'HANDOFF.FB.MAPPED', severity: 'latent', path: STATE_PATHS.framebuffer,
        message: `The framebuffer page at ${toHex(wrong.va)} maps to physical ${hex(wrong.pa)}, not into the framebuffer at ${hex(fb.pa)}: drawing there writes other memory.` });
    }
  }
  return out;
}

function memoryTypeChecks(
  s: HandoffState, map: readonly MemoryDescriptor[], scan: TableScan, pagesByStage: ReadonlyMap<Stage, readonly { va: VirtAddr; pa: number }[]>,
): Violation[] {
  const out: Violation[] = [];
  const groups: [string, readonly number[], string][] = [
    ['page-table frame', scan.tables, '$.regs.cr3'],
    ['stack page', (pagesByStage.get('stack') ?? []).map((p) => p.pa), STATE_PATHS.stack],
    ['boot-information page', (pagesByStage.get('boot-info') ?? []).map((p) => p.pa), STATE_PATHS.bootInfo],
    ['kernel entry page', (pagesByStage.get('entry') ?? []).map((p) => p.pa), STATE_PATHS.entry],
  ];
  for (const [what, pas, path] of groups) {
    const bad = new Map<string, number[]>();
    for (const pa of pas) {
      const d = descriptorAt(map, pa);
      const type = d === undefined ? 'no memory-map entry' : memoryTypeName(d.type);
      const freed = d === undefined || s.kernelReclaims.includes(reuseAfterExit(d.type).reuse);
      if (!freed) continue;
      const list = bad.get(type) ?? [];
      list.push(Math.floor(pa / EFI_PAGE_SIZE) * EFI_PAGE_SIZE);
      bad.set(type, list);
    }
    for (const [type, frames] of bad) {
      const uniq = [...new Set(frames)];
      const shown = uniq.slice(0, MAX_LISTED).map(hex).join(', ') + (uniq.length > MAX_LISTED ? ` and ${uniq.length - MAX_LISTED} more` : '');
      out.push({ clause: 'HANDOFF.MEM.NOT_FREE', severity: 'latent', path,
        message: type === 'no memory-map entry'
          ? `${uniq.length} ${what}${uniq.length === 1 ? '' : 's'} (${shown}) ${uniq.length === 1 ? 'lies' : 'lie'} outside every memory-map entry: the kernel has no record that this memory is in use.`
          : `${uniq.length} ${what}${uniq.length === 1 ? '' : 's'} (${shown}) ${uniq.length === 1 ? 'lies' : 'lie'} in ${type}, which the kernel treats as free after ExitBootServices: its allocator will hand them out and overwrite them. Allocate them as EfiLoaderData.` });
    }
  }
  return out;
}

/** HANDOFF.RUNTIME.MAPPED: every runtime page mapped onto itself (identity, or at its virtual address after SetVirtualAddressMap). */
function runtimeCheck(ps: PagingState, map: readonly MemoryDescriptor[], virtual: boolean): Violation | undefined {
  for (const d of map.filter(isRuntime)) {
    const va = virtual ? (d.virtualStart as VirtAddr) : canonicalFrom48(d.physicalStart);
    const kind = d.type === EfiRuntimeServicesCode ? 'fetch' : 'write';
    const r = probe(ps, va, d.numberOfPages * EFI_PAGE_SIZE, kind);
    const where = `${memoryTypeName(d.type)} region at physical ${hex(d.physicalStart)} (${d.numberOfPages} pages)`;
    if (!r.ok) {
      return { clause: 'HANDOFF.RUNTIME.MAPPED', severity: 'latent', path: STATE_PATHS.memoryMap,
        message: `The ${where} is not mapped ${kind === 'fetch' ? 'executable' : 'writable'} at ${toHex(va)} ${virtual ? '(its virtual address)' : '(identity)'}: at ${toHex(r.va)} ${describeFault(r.fault, ps.cpu.maxPhyAddr)}, so the first runtime-service call that touches it faults.` };
    }
    const wrong = r.pages.find((p) => p.pa !== d.physicalStart + (low48(p.va) - low48(va)));
    if (wrong !== undefined) {
      return { clause: 'HANDOFF.RUNTIME.MAPPED', severity: 'latent', path: STATE_PATHS.memoryMap,
        message: `The ${where} is mapped at ${toHex(wrong.va)} onto physical ${hex(wrong.pa)}, not onto itself: runtime services would run on the wrong memory.` };
    }
  }
  return undefined;
}
