import type { PhysAddr, VirtAddr } from '../paging/addr.ts';
import { fromBigInt } from '../paging/u64.ts';
import type { PagingState } from '../paging/types.ts';
import { walk } from '../paging/walk.ts';

/** What the page tables say about one virtual page, read through the paging model's walk. */
export type PageView =
  | { readonly mapped: false }
  | { readonly mapped: true; readonly pa: number; readonly writable: boolean; readonly executable: boolean; readonly user: boolean };

/** Translates `va` for a supervisor read and reports the page's rights (PG.* decides them). */
export function viewPage(state: PagingState, va: bigint): PageView {
  const t = walk(state, { va: fromBigInt(va) as VirtAddr, kind: 'read', implicit: false });
  if (t.outcome !== 'ok') return { mapped: false };
  return { mapped: true, pa: t.pa, writable: t.rights.writable, executable: t.rights.executable, user: t.rights.user };
}

/**
 * Reads `length` bytes at virtual `va` through the page tables (a supervisor read per
 * page), or undefined when some byte is not mapped. This is how the tests and the CLI
 * look at a loaded image: the same way the kernel will.
 */
export function readVirtual(state: PagingState, va: bigint, length: number): Uint8Array | undefined {
  const out = new Uint8Array(length);
  let i = 0;
  while (i < length) {
    const v = va + BigInt(i);
    const page = viewPage(state, v);
    if (!page.mapped) return undefined;
    const n = Math.min(length - i, 4096 - Number(v % 4096n));
    out.set(state.memory.readBytes(page.pa as PhysAddr, n), i);
    i += n;
  }
  return out;
}
