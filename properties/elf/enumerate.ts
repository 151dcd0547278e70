/**
 * Every present 4-KiB leaf reachable from CR3, read straight from physical memory (not
 * through the walk), so "nothing else is mapped" can be checked against the whole table
 * tree. The ELF loader maps 4-KiB pages only; a large page here is reported as such.
 */
import type { PhysAddr } from '../../model/paging/addr.ts';
import type { PhysMemory } from '../../model/paging/memory.ts';

export function mappedPages(memory: PhysMemory, cr3: number): bigint[] {
  const out: bigint[] = [];
  const visit = (table: number, level: number, vaPrefix: bigint): void => {
    for (let i = 0; i < 512; i++) {
      const e = memory.read64((table + i * 8) as PhysAddr);
      if ((e.lo & 1) === 0) continue;
      const va = vaPrefix | (BigInt(i) << BigInt(12 + 9 * (level - 1)));
      const nextAddr = (e.hi & 0xfffff) * 0x1_0000_0000 + ((e.lo & 0xffff_f000) >>> 0);
      if (level === 1) out.push(BigInt.asUintN(64, BigInt.asIntN(48, va)));
      else if ((e.lo & 0x80) !== 0) throw new Error(`unexpected large page at level ${level}`);
      else visit(nextAddr, level - 1, va);
    }
  };
  visit(cr3, 4, 0n);
  return out;
}
