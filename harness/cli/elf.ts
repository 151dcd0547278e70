import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  PROFILES, PROFILE_NAMES, loadElf, parseElf, segmentTypeName,
  type Diagnostic, type ElfFile, type LoadPlan, type Placement, type ProfileName,
} from '../../model/elf/index.ts';
import { UsageError, type Command } from './command.ts';

const USAGE = `usage: x64spec elf check KERNEL.elf [options]

Parses an ELF64 kernel, checks it against every ELF.* rule under a loader profile, plans
the load (virtual ranges, physical placement, rights per page range, relocations) and
loads it into the paging model. Prints the headers, the plan and every error or warning
with its clause id and source section. Exit code 1 when there is an error.

  --profile NAME      ${PROFILE_NAMES.join(' | ')} (default strict)
  --base 0xADDR       load base for a position-independent (ET_DYN) kernel (default 0x0;
                      the limine profile slides to 0xffffffff80000000)
  --placement WHERE   paddr (bytes at p_paddr) | allocate (frames from --phys-base);
                      default: the profile's
  --phys-base 0xADDR  first allocated frame (default 0x200000)
  --json              print everything as one JSON object`;

const hex = (v: bigint | number): string => '0x' + v.toString(16);

function hexOption(name: string, text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  if (!/^0[xX][0-9a-fA-F]{1,16}$/.test(text)) throw new UsageError(`--${name} must be a hex value like 0x200000, got '${text}'`);
  return BigInt(text);
}

function readKernel(path: string): Uint8Array {
  try {
    if (!statSync(path).isFile()) throw new UsageError(`${path} is not a file`);
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function flagsText(flags: number): string {
  return (flags & 4 ? 'R' : '-') + (flags & 2 ? 'W' : '-') + (flags & 1 ? 'X' : '-');
}

function headerLines(file: ElfFile): string[] {
  const h = file.header;
  const type = h.type === 2 ? 'EXEC' : h.type === 3 ? 'DYN' : String(h.type);
  const lines = [`ELF64 ${type}, machine ${h.machine}, entry ${hex(h.entry)}, ${file.programHeaders.length} program headers`, '',
    '  #  type          offset     vaddr               paddr               filesz     memsz      flg  align'];
  for (const p of file.programHeaders) {
    lines.push(`  ${String(p.index).padStart(2)} ${segmentTypeName(p.type).padEnd(13)} ${hex(p.offset).padEnd(10)} ${hex(p.vaddr).padEnd(19)} ` +
      `${hex(p.paddr).padEnd(19)} ${hex(p.filesz).padEnd(10)} ${hex(p.memsz).padEnd(10)} ${flagsText(p.flags)}  ${hex(p.align)}`);
  }
  return lines;
}

function planLines(plan: LoadPlan): string[] {
  const lines = ['', `load plan: ${plan.type} at base ${hex(plan.base)}, entry ${hex(plan.entry)}, placement ${plan.placement}`, '',
    '  virtual range                               physical range          pages  rights  segments'];
  for (const r of plan.pages) {
    const end = r.va + BigInt(r.count) * 4096n;
    const rights = 'R' + (r.writable ? 'W' : '-') + (r.executable ? 'X' : '-') + (r.relro ? ' relro' : '');
    lines.push(`  ${`${hex(r.va)}..${hex(end)}`.padEnd(42)}  ${`${hex(r.pa)}..${hex(r.pa + r.count * 4096)}`.padEnd(22)} ` +
      `${String(r.count).padStart(5)}  ${rights.padEnd(7)} ${r.segments.join(',')}`);
  }
  const kinds = new Map<string, number>();
  for (const r of plan.relocations) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  lines.push('', plan.relocations.length === 0 ? 'relocations: none applied'
    : `relocations applied: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  return lines;
}

/** What a kernel author usually changes to clear a finding (toolchain advice, not a rule). */
const HINTS: Readonly<Partial<Record<string, string>>> = {
  'ELF.PH.LOAD.PAGE_SHARED': 'start each output section with different rights on a new page: ALIGN(4K) in the linker script, or -Wl,-z,separate-code',
  'ELF.PH.LOAD.OVERLAP': 'check the linker script: two output sections were given overlapping addresses',
  'ELF.KERNEL.CODE_MODEL': 'link at 0xffffffff80000000 or above with -mcmodel=kernel, or build with -mcmodel=large',
  'ELF.KERNEL.HIGHER_HALF': 'link the kernel at 0xffffffff80000000 or above (or build it position-independent and let the loader slide it)',
  'ELF.DYN.NEEDED': 'link freestanding: -ffreestanding -nostdlib -static',
  'ELF.DYN.PLT': 'link freestanding and static (-nostdlib -static or -static-pie) so nothing is bound lazily',
  'ELF.PH.INTERP.PLACEMENT': 'link with -static or -static-pie (or -Wl,--no-dynamic-linker) so no interpreter is requested',
  'ELF.RELOC.TYPE_SUPPORTED': 'link with -static-pie (or -Wl,-Bsymbolic) so only RELATIVE relocations remain',
  'ELF.RELOC.SYMBOL': 'define the symbol in the kernel, or make the reference weak',
  'ELF.PH.GNU_STACK': 'link with -Wl,-z,noexecstack',
  'ELF.PH.TLS': 'set up the TLS block (FS base) in the kernel, or avoid thread-local variables',
  'ELF.LOAD.PADDR': 'give each section an AT() load address with the same offset within its 4-KiB page as its virtual address',
  'ELF.ENTRY.EXECUTABLE': 'name the entry symbol with ENTRY(...) in the linker script and keep it in an executable section',
  'ELF.LOAD.BASE_ALIGN': 'choose a --base that is a multiple of the largest p_align',
  'ELF.RELOC.EXEC_STATIC': 'an ET_EXEC runs where it was linked: drop --base, or link with -static-pie to get a relocatable kernel',
  'ELF.PH.ALIGN.CONGRUENT': 'do not force file offsets in the linker script; let ld keep p_offset ≡ p_vaddr modulo p_align',
};

function diagnosticLines(list: readonly Diagnostic[]): string[] {
  if (list.length === 0) return ['', 'no errors, no warnings'];
  return ['', ...list.map((d) => {
    const hint = HINTS[d.clause];
    return `${d.severity.padEnd(7)} ${d.clause} (${d.source})\n        ${d.field} at file offset ${hex(d.offset)}: ${d.message}` +
      (hint === undefined ? '' : `\n        hint: ${hint}`);
  })];
}

const jsonReplacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? hex(v) : v);

async function check(args: readonly string[]): Promise<number> {
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: [...args],
        allowPositionals: true,
        options: { profile: { type: 'string' }, base: { type: 'string' }, placement: { type: 'string' }, 'phys-base': { type: 'string' }, json: { type: 'boolean' } },
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  })();
  if (positionals.length !== 1) throw new UsageError('give exactly one ELF file: x64spec elf check KERNEL.elf');
  const profileName = values.profile ?? 'strict';
  if (!(PROFILE_NAMES as readonly string[]).includes(profileName)) throw new UsageError(`unknown profile '${profileName}' (known: ${PROFILE_NAMES.join(', ')})`);
  const placement = values.placement;
  if (placement !== undefined && placement !== 'paddr' && placement !== 'allocate') throw new UsageError(`--placement must be paddr or allocate, got '${placement}'`);
  const physBase = hexOption('phys-base', values['phys-base']);
  if (physBase !== undefined && (physBase % 4096n !== 0n || physBase >= 1n << 52n)) throw new UsageError('--phys-base must be 4-KiB aligned and below 2^52');
  const bytes = readKernel(positionals[0]!);
  const result = loadElf(bytes, {
    profile: PROFILES[profileName as ProfileName],
    ...(values.base !== undefined ? { base: hexOption('base', values.base)! } : {}),
    ...(placement !== undefined ? { placement: placement as Placement } : {}),
    ...(physBase !== undefined ? { physBase: Number(physBase) } : {}),
  });
  const parsed = parseElf(bytes);
  const diagnostics = result.ok ? result.plan.warnings : result.diagnostics;
  if (values.json) {
    const out = {
      file: positionals[0], profile: profileName, ok: result.ok,
      header: parsed.ok ? parsed.value.header : undefined,
      programHeaders: parsed.ok ? parsed.value.programHeaders : undefined,
      plan: result.ok ? { ...result.plan, warnings: undefined } : undefined,
      diagnostics,
    };
    process.stdout.write(JSON.stringify(out, jsonReplacer, 2) + '\n');
  } else {
    const lines = [`${positionals[0]} (profile ${profileName})`, ''];
    if (parsed.ok) lines.push(...headerLines(parsed.value));
    if (result.ok) lines.push(...planLines(result.plan));
    lines.push(...diagnosticLines(diagnostics));
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    lines.push('', result.ok ? `loadable: ${diagnostics.length} warning(s)` : `NOT loadable: ${errors} error(s), ${diagnostics.length - errors} warning(s)`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return result.ok ? 0 : 1;
}

export const command: Command = {
  summary: 'check an ELF64 kernel against the ELF.* rules and show its load plan',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'check') throw new UsageError(sub === undefined ? 'missing subcommand (try: x64spec elf check KERNEL.elf)' : `unknown subcommand '${sub}' (try: x64spec elf check KERNEL.elf)`);
    return check(rest);
  },
};
