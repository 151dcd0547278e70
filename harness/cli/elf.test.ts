// `x64spec elf check`: headers, plan, diagnostics with clause ids, exit codes.
// Clauses: ELF.PH.LOAD.PAGE_SHARED, ELF.RELOC.RELR, ELF.LOAD.PADDR, ELF.IDENT.MAGIC.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureBuilt, OUT_DIR, type KernelName } from '../../model/elf/testdata/build.ts';
import { UsageError } from './command.ts';
import { command } from './elf.ts';

let paths: Record<KernelName, string>;
beforeAll(() => {
  paths = ensureBuilt();
});

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await command.run(args), out };
  } finally {
    spy.mockRestore();
  }
}

describe('x64spec elf check', () => {
  it('prints headers, the plan and "loadable" for a clean PIE at a base (ELF.RELOC.RELR)', async () => {
    const { code, out } = await run(['check', paths['static-pie-relr'], '--base', '0xffffffff80000000']);
    expect(code).toBe(0);
    expect(out).toMatch(/ELF64 DYN, machine 62/);
    expect(out).toMatch(/0xffffffff80003000\.\.0xffffffff80004000 .* R-- relro/);
    expect(out).toMatch(/relocations applied: 6 RELR/);
    expect(out).toMatch(/loadable: 0 warning/);
  });

  it('reports an error with clause, source, field and offset, exit 1 (ELF.PH.LOAD.PAGE_SHARED)', async () => {
    const { code, out } = await run(['check', paths['shared-page']]);
    expect(code).toBe(1);
    expect(out).toMatch(/error   ELF\.PH\.LOAD\.PAGE_SHARED \(gABI ch\. 5/);
    expect(out).toMatch(/phdr\[1\]\.p_flags at file offset 0x7c/);
    expect(out).toMatch(/hint: start each output section with different rights on a new page/);
    const union = await run(['check', paths['shared-page'], '--profile', 'rust-osdev']);
    expect(union.code).toBe(0);
    expect(union.out).toMatch(/warning ELF\.PH\.LOAD\.PAGE_SHARED/);
  });

  it('places at p_paddr with --placement paddr or the grub profile; --json gives the plan (ELF.LOAD.PADDR)', async () => {
    const { out } = await run(['check', paths['higher-half'], '--placement', 'paddr']);
    expect(out).toMatch(/0x100000\.\.0x101000/);
    const j = await run(['check', paths['higher-half'], '--profile', 'grub', '--json']);
    const parsed = JSON.parse(j.out) as { ok: boolean; plan: { segments: { paddr: number }[]; entry: string } };
    expect(parsed.ok).toBe(true);
    expect(parsed.plan.segments.map((s) => s.paddr)).toEqual([0x100000, 0x101000, 0x102000]);
    expect(parsed.plan.entry).toMatch(/^0xffffffff801000/);
    const a = await run(['check', paths['higher-half'], '--phys-base', '0x400000']);
    expect(a.out).toMatch(/0x400000\.\.0x401000/);
  });

  it('a file that is not ELF gets a typed error and no plan (ELF.IDENT.MAGIC)', async () => {
    mkdirSync(OUT_DIR, { recursive: true });
    const junk = join(OUT_DIR, 'junk.bin');
    writeFileSync(junk, 'not an elf file at all, clearly');
    const { code, out } = await run(['check', junk]);
    expect(code).toBe(1);
    expect(out).toMatch(/ELF\.IDENT\.MAGIC/);
    expect(out).toMatch(/NOT loadable: 1 error/);
    const j = await run(['check', junk, '--json']);
    expect(JSON.parse(j.out)).toMatchObject({ ok: false, diagnostics: [{ clause: 'ELF.IDENT.MAGIC', offset: 0 }] });
  });

  it('bad usage is a UsageError with one clear line', async () => {
    await expect(run([])).rejects.toThrow(UsageError);
    await expect(run(['inspect'])).rejects.toThrow(/unknown subcommand 'inspect'/);
    await expect(run(['check'])).rejects.toThrow(/exactly one ELF file/);
    await expect(run(['check', paths['higher-half'], '--profile', 'uboot'])).rejects.toThrow(/unknown profile 'uboot'/);
    await expect(run(['check', paths['higher-half'], '--base', '12'])).rejects.toThrow(/--base must be a hex value/);
    await expect(run(['check', paths['higher-half'], '--placement', 'there'])).rejects.toThrow(/--placement/);
    await expect(run(['check', paths['higher-half'], '--phys-base', '0x123'])).rejects.toThrow(/4-KiB aligned/);
    await expect(run(['check', paths['higher-half'], '--bogus'])).rejects.toThrow(UsageError);
    await expect(run(['check', '/nonexistent/kernel.elf'])).rejects.toThrow(/cannot read .*ENOENT/);
    await expect(run(['check', OUT_DIR])).rejects.toThrow(/is not a file/);
  });
});
