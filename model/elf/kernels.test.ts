// Real inputs (issue 5): kernels built by gcc and ld from testdata/kernel.c, loaded by
// the model and checked byte for byte through the page tables.
// Clauses: ELF.LOAD.FILE_BYTES, ELF.LOAD.ZERO_TAIL, ELF.LOAD.RIGHTS, ELF.LOAD.PADDR,
// ELF.LOAD.ONLY_SEGMENTS, ELF.RELOC.RELATIVE, ELF.RELOC.RELR, ELF.LOAD.RELRO_READONLY,
// ELF.PH.LOAD.PAGE_SHARED, ELF.KERNEL.CODE_MODEL, ELF.KERNEL.HIGHER_HALF.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PhysAddr } from '../paging/addr.ts';
import { loadElf, type LoadIntoOptions } from './load.ts';
import { PROFILES } from './profiles.ts';
import { readVirtual, viewPage } from './readback.ts';
import { ensureBuilt, symbols, type KernelName } from './testdata/build.ts';
import type { LoadPlan } from './plan.ts';

let paths: Record<KernelName, string>;
beforeAll(() => {
  paths = ensureBuilt();
});

const bytesOf = (k: KernelName): Uint8Array => new Uint8Array(readFileSync(paths[k]));

function load(k: KernelName, options: LoadIntoOptions = {}) {
  const r = loadElf(bytesOf(k), options);
  if (!r.ok) throw new Error(`${k} did not load: ${JSON.stringify(r.diagnostics)}`);
  return r;
}

/** The pointer table's expected contents: nm's addresses of what kernel.c points at, moved by the base. */
function expectedPointers(k: KernelName, base: bigint): Map<bigint, bigint> {
  const s = symbols(paths[k]);
  const slots = new Map<bigint, bigint>();
  const table = s.get('pointer_table')!;
  ['banner', 'counter', 'bss_area', 'small_bss'].forEach((name, i) => slots.set(table + BigInt(i * 8) + base, s.get(name)! + base));
  const mut = s.get('mutable_pointers')!;
  ['banner', 'counter'].forEach((name, i) => slots.set(mut + BigInt(i * 8) + base, s.get(name)! + base));
  return slots;
}

/** Every byte of every segment, read through the tables, equals the file byte, zero, or the relocated pointer. */
function checkBytes(bytes: Uint8Array, plan: LoadPlan, state: Parameters<typeof readVirtual>[0], pointers: Map<bigint, bigint>): number {
  const expected = new Map<bigint, number>();
  for (const [va, value] of pointers) for (let i = 0; i < 8; i++) expected.set(va + BigInt(i), Number((value >> BigInt(8 * i)) & 0xffn));
  let checked = 0;
  for (const s of plan.segments) {
    const got = readVirtual(state, s.vaddr, Number(s.memsz))!;
    expect(got).toBeDefined();
    for (let i = 0; i < got.length; i++) {
      const va = s.vaddr + BigInt(i);
      const want = expected.get(va) ?? (BigInt(i) < s.filesz ? bytes[Number(s.offset) + i]! : 0);
      if (got[i] !== want) throw new Error(`byte at 0x${va.toString(16)} is ${got[i]}, expected ${want}`);
      checked++;
    }
  }
  return checked;
}

/** Each planned page has exactly the planned rights, and the pages around each range are unmapped. */
function checkPages(plan: LoadPlan, state: Parameters<typeof viewPage>[0]): void {
  for (const r of plan.pages) {
    for (let i = 0; i < r.count; i++) {
      const v = viewPage(state, r.va + BigInt(i) * 4096n);
      expect(v).toEqual({ mapped: true, pa: r.pa + i * 4096, writable: r.writable, executable: r.executable, user: false });
    }
    const before = r.va - 4096n;
    const after = r.va + BigInt(r.count) * 4096n;
    for (const edge of [before, after]) {
      if (!plan.pages.some((p) => edge >= p.va && edge < p.va + BigInt(p.count) * 4096n)) expect(viewPage(state, edge).mapped).toBe(false);
    }
  }
}

describe('gcc-built test kernels', () => {
  it('higher-half kernel at 0xffffffff80100000 loads byte for byte with rights from p_flags (ELF.LOAD.FILE_BYTES, ELF.LOAD.ZERO_TAIL, ELF.LOAD.RIGHTS)', () => {
    const bytes = bytesOf('higher-half');
    const r = load('higher-half');
    expect(r.plan.warnings).toEqual([]);
    expect(r.plan.segments.map((s) => [s.vaddr, s.writable, s.executable])).toEqual([
      [0xffffffff80100000n, false, true], [0xffffffff80101000n, false, false], [0xffffffff80102000n, true, false],
    ]);
    expect(r.plan.entry).toBe(symbols(paths['higher-half']).get('_start'));
    expect(checkBytes(bytes, r.plan, r.state, expectedPointers('higher-half', 0n))).toBeGreaterThan(0x2600);
    checkPages(r.plan, r.state);
  });

  it('with physical placement each segment sits at p_paddr = 1 MiB + … (ELF.LOAD.PADDR)', () => {
    const bytes = bytesOf('higher-half');
    const r = load('higher-half', { placement: 'paddr' });
    const s0 = r.plan.segments[0]!;
    expect(s0.paddr).toBe(0x100000);
    for (const s of r.plan.segments) {
      const phys = r.memory.readBytes(s.paddr as PhysAddr, Number(s.filesz));
      expect(phys).toEqual(bytes.subarray(Number(s.offset), Number(s.offset + s.filesz)));
    }
    checkBytes(bytes, r.plan, r.state, expectedPointers('higher-half', 0n));
    // GRUB's profile places by p_paddr too.
    expect(load('higher-half', { profile: PROFILES.grub }).plan.segments.map((s) => s.paddr)).toEqual([0x100000, 0x101000, 0x102000]);
  });

  it('the 0xffffff8000000000 layout loads; strict warns it is outside the kernel code model (ELF.KERNEL.CODE_MODEL)', () => {
    const r = load('pml4-511');
    expect(r.plan.warnings.map((w) => w.clause)).toEqual(['ELF.KERNEL.CODE_MODEL']);
    checkBytes(bytesOf('pml4-511'), r.plan, r.state, expectedPointers('pml4-511', 0n));
    checkPages(r.plan, r.state);
  });

  for (const k of ['static-pie', 'static-pie-relr'] as const) {
    it(`${k} relocates at a chosen base; RELRO becomes read-only (ELF.RELOC.RELATIVE, ELF.RELOC.RELR, ELF.LOAD.RELRO_READONLY)`, () => {
      const bytes = bytesOf(k);
      for (const base of [0n, 0xffffffff80000000n, 0x40000000n]) {
        const r = load(k, { base });
        expect(r.plan.type).toBe('DYN');
        expect(r.plan.relocations.length).toBe(6);
        expect(new Set(r.plan.relocations.map((x) => x.kind))).toEqual(new Set([k === 'static-pie' ? 'R_X86_64_RELATIVE' : 'RELR']));
        checkBytes(bytes, r.plan, r.state, expectedPointers(k, base));
        checkPages(r.plan, r.state);
        const relroPages = r.plan.pages.filter((p) => p.relro);
        expect(relroPages.length).toBe(1);
        expect(relroPages[0]!.writable).toBe(false);
        // The RELRO page holds pointer_table; it must be read-only once loaded.
        const slot = symbols(paths[k]).get('pointer_table')! + base;
        expect(viewPage(r.state, slot)).toMatchObject({ mapped: true, writable: false });
      }
    });
  }

  it('segments sharing a page: strict refuses, rust-osdev maps the union with a warning (ELF.PH.LOAD.PAGE_SHARED)', () => {
    const bytes = bytesOf('shared-page');
    const strict = loadElf(bytes);
    expect(strict.ok).toBe(false);
    if (!strict.ok) expect(strict.diagnostics.map((d) => [d.clause, d.severity])).toEqual([['ELF.PH.LOAD.PAGE_SHARED', 'error']]);
    const r = load('shared-page', { profile: PROFILES['rust-osdev'] });
    expect(r.plan.warnings.map((d) => [d.clause, d.severity])).toEqual([['ELF.PH.LOAD.PAGE_SHARED', 'warning']]);
    const shared = r.plan.pages[0]!;
    expect(shared).toMatchObject({ va: 0xffffffff80200000n, count: 1, writable: true, executable: true, segments: [0, 1] });
    checkBytes(bytes, r.plan, r.state, expectedPointers('shared-page', 0n));
    checkPages(r.plan, r.state);
    // Placed at p_paddr, both segments land in the same physical page.
    const p = load('shared-page', { profile: PROFILES['rust-osdev'], placement: 'paddr' });
    expect(p.plan.pages[0]!.pa).toBe(0x200000);
    checkBytes(bytes, p.plan, p.state, expectedPointers('shared-page', 0n));
  });

  it('-static-pie moved to the top 2 GiB is an ET_EXEC with relocations left in it; they are not applied and the bytes already hold the link-time pointers (ELF.RELOC.EXEC_STATIC)', () => {
    const r = load('static-pie-exec');
    expect(r.plan.type).toBe('EXEC');
    expect(r.plan.relocations).toEqual([]);
    expect(r.plan.warnings.map((w) => w.clause)).toEqual(['ELF.RELOC.EXEC_STATIC']);
    checkBytes(bytesOf('static-pie-exec'), r.plan, r.state, expectedPointers('static-pie-exec', 0n));
    checkPages(r.plan, r.state);
    expect(r.plan.pages.some((p) => p.relro && !p.writable)).toBe(true);
  });

  it('limine loads the top-2-GiB kernel, slides the PIE there, and refuses the 0xffffff8000000000 layout (ELF.KERNEL.HIGHER_HALF)', () => {
    expect(load('higher-half', { profile: PROFILES.limine }).plan.warnings).toEqual([]);
    const pie = load('static-pie', { profile: PROFILES.limine });
    expect(pie.plan.base).toBe(0xffffffff80000000n);
    checkBytes(bytesOf('static-pie'), pie.plan, pie.state, expectedPointers('static-pie', 0xffffffff80000000n));
    const low = loadElf(bytesOf('pml4-511'), { profile: PROFILES.limine });
    expect(low.ok ? [] : low.diagnostics.map((d) => [d.clause, d.field])).toEqual([['ELF.KERNEL.HIGHER_HALF', 'phdr[0].p_vaddr']]);
  });
});
