// Properties of loading (issue 5): load-then-read, relocation at any aligned base,
// physical placement at p_paddr. Clauses: ELF.LOAD.FILE_BYTES, ELF.LOAD.ZERO_TAIL,
// ELF.LOAD.RIGHTS, ELF.LOAD.ONLY_SEGMENTS, ELF.PH.LOAD.PAGE_SHARED, ELF.RELOC.RELATIVE,
// ELF.RELOC.ABS64, ELF.RELOC.RELR, ELF.LOAD.BASE_ALIGN, ELF.LOAD.PADDR.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadElf } from '../../model/elf/load.ts';
import { parseElf } from '../../model/elf/parse.ts';
import { PROFILES } from '../../model/elf/profiles.ts';
import { readVirtual, viewPage } from '../../model/elf/readback.ts';
import { PF_W, PF_X, PT_LOAD } from '../../model/elf/types.ts';
import type { PhysAddr } from '../../model/paging/addr.ts';
import { numRuns } from '../support/runs.ts';
import { baseArb, layoutArb, pieArb } from './arbitraries.ts';
import { mappedPages } from './enumerate.ts';

/** A time limit that grows with the run count (X64SPEC_NUM_RUNS=100 in the deep run), not a speed target. */
const budget = (base: number): number => Math.max(120_000, numRuns(base) * 500);
/** Byte-for-byte equality, reporting the first differing address (vitest's deep equality is slow on large arrays). */
function expectSameBytes(got: Uint8Array, want: Uint8Array, at: bigint): void {
  expect(got.length).toBe(want.length);
  const i = got.findIndex((b, k) => b !== want[k]);
  expect(i === -1 ? 'equal' : `byte at 0x${(at + BigInt(i)).toString(16)} is ${got[i]}, expected ${want[i]}`).toBe('equal');
}
const qword = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
const cr3Of = (s: { regs: { cr3: { hi: number; lo: number } } }): number => s.regs.cr3.hi * 0x1_0000_0000 + (s.regs.cr3.lo & 0xffff_f000 >>> 0);

describe('ELF loading properties', () => {
  it('load-then-read: file bytes at p_vaddr, zero to p_memsz, rights as promised, nothing else mapped', () => {
    fc.assert(fc.property(layoutArb, ({ bytes }) => {
      const r = loadElf(bytes, { profile: PROFILES['rust-osdev'] });
      if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
      const file = parseElf(bytes);
      if (!file.ok) throw new Error('parse');
      const loads = file.value.programHeaders.filter((p) => p.type === PT_LOAD);
      const touched = new Map<bigint, { w: boolean; x: boolean }>();
      for (const p of loads) {
        // ELF.LOAD.FILE_BYTES and ELF.LOAD.ZERO_TAIL, through the page tables.
        const got = readVirtual(r.state, p.vaddr, Number(p.memsz))!;
        const want = new Uint8Array(Number(p.memsz));
        want.set(bytes.subarray(Number(p.offset), Number(p.offset + p.filesz)));
        expectSameBytes(got, want, p.vaddr);
        for (let page = p.vaddr / 4096n; page <= (p.vaddr + p.memsz - 1n) / 4096n; page++) {
          const t = touched.get(page) ?? { w: false, x: false };
          touched.set(page, { w: t.w || (p.flags & PF_W) !== 0, x: t.x || (p.flags & PF_X) !== 0 });
        }
      }
      // ELF.LOAD.RIGHTS (the union on shared pages, ELF.PH.LOAD.PAGE_SHARED) for every touched page.
      for (const [page, t] of touched) {
        expect(viewPage(r.state, page * 4096n)).toMatchObject({ mapped: true, writable: t.w, executable: t.x, user: false });
      }
      // …and exactly what the plan promised, frame included.
      for (const p of r.plan.pages) {
        for (let i = 0; i < p.count; i++) {
          expect(viewPage(r.state, p.va + BigInt(i) * 4096n)).toEqual({ mapped: true, pa: p.pa + i * 4096, writable: p.writable, executable: p.executable, user: false });
        }
      }
      // ELF.LOAD.ONLY_SEGMENTS: the tables map exactly the touched pages.
      const mapped = mappedPages(r.memory, cr3Of(r.state)).map((va) => va / 4096n).sort((a, b) => (a < b ? -1 : 1));
      expect(mapped).toEqual([...touched.keys()].sort((a, b) => (a < b ? -1 : 1)));
    }), { numRuns: numRuns(200) });
  }, budget(200));

  it('relocation: the slot at base B holds its value at base 0 plus B, for every B aligned to the largest p_align (ELF.RELOC.RELATIVE, ELF.RELOC.ABS64, ELF.RELOC.RELR)', () => {
    fc.assert(fc.property(pieArb, baseArb, ({ bytes, slots, align }, anyBase) => {
      const base = anyBase - (anyBase % align);
      const at0 = loadElf(bytes);
      const atB = loadElf(bytes, { base });
      if (!at0.ok || !atB.ok) throw new Error(JSON.stringify(at0.ok ? atB : at0));
      for (const slot of slots) {
        const v0 = qword(readVirtual(at0.state, slot, 8)!);
        const vB = qword(readVirtual(atB.state, slot + base, 8)!);
        expect(vB).toBe(BigInt.asUintN(64, v0 + base));
      }
    }), { numRuns: numRuns(100) });
  }, budget(100));

  it('a base that is not a multiple of the alignment is refused (ELF.LOAD.BASE_ALIGN)', () => {
    fc.assert(fc.property(pieArb, fc.bigInt({ min: 1n, max: 0x1f_ffffn }), ({ bytes, align }, off) => {
      fc.pre(off % align !== 0n);
      const r = loadElf(bytes, { base: 0x4000_0000n + off });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.diagnostics.map((d) => d.clause)).toContain('ELF.LOAD.BASE_ALIGN');
    }), { numRuns: numRuns(30) });
  }, budget(30));

  it('p_paddr: with physical placement each segment\'s bytes are at p_paddr in physical memory (ELF.LOAD.PADDR)', () => {
    let placed = 0;
    fc.assert(fc.property(layoutArb, ({ bytes, paddrs }) => {
      // Separate physical runs per segment: shared virtual pages would need one physical page, so use a layout without sharing.
      const r = loadElf(bytes, { profile: PROFILES['rust-osdev'], placement: 'paddr' });
      const file = parseElf(bytes);
      if (!file.ok) throw new Error('parse');
      const loads = file.value.programHeaders.filter((p) => p.type === PT_LOAD);
      const sharesPage = loads.some((p, i) => i > 0 && (loads[i - 1]!.vaddr + loads[i - 1]!.memsz - 1n) / 4096n === p.vaddr / 4096n);
      if (sharesPage) {
        // Two segments on one virtual page but on different physical pages: refused, never silently split.
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.diagnostics.map((d) => d.clause)).toContain('ELF.LOAD.PADDR');
        return;
      }
      if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
      placed++;
      loads.forEach((p, i) => {
        expect(BigInt(r.plan.segments[i]!.paddr)).toBe(paddrs[i]);
        const phys = r.memory.readBytes(Number(p.paddr) as PhysAddr, Number(p.memsz));
        const want = new Uint8Array(Number(p.memsz));
        want.set(bytes.subarray(Number(p.offset), Number(p.offset + p.filesz)));
        expectSameBytes(phys, want, p.paddr);
      });
    }), { numRuns: numRuns(200) });
    // Both outcomes must actually be exercised.
    expect(placed).toBeGreaterThan(numRuns(200) / 5);
  }, budget(200));
});
