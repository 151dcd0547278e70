/**
 * Builds the UEFI test application (app/x64spec.c + app/switch.S) with gcc, ld and
 * objcopy against gnu-efi, as NOTES.md "OVMF under QEMU" gives the command lines.
 * `ensureBuilt()` is idempotent: it rebuilds only when a source or a flag changed, and
 * fails with the install command when a tool or gnu-efi is missing. It also records the
 * offsets of the trampoline and kernel symbols (layout.json): the hand-off scenarios
 * place that code at physical addresses and the checker needs to know its extent.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OVMF_DIR = dirname(fileURLToPath(import.meta.url));
const APP_DIR = join(OVMF_DIR, 'app');
export const BUILD_DIR = join(OVMF_DIR, 'build');

const SOURCES = ['x64spec.c', 'switch.S'];
const CFLAGS = [
  '-I/usr/include/efi', '-I/usr/include/efi/x86_64', '-ffreestanding', '-fno-stack-protector', '-fno-stack-check',
  '-fpic', '-fshort-wchar', '-mno-red-zone', '-maccumulate-outgoing-args', '-O2', '-Wall', '-Werror',
];
const GNU_EFI = ['/usr/lib/elf_x86_64_efi.lds', '/usr/lib/crt0-efi-x86_64.o', '/usr/lib/libefi.a', '/usr/lib/libgnuefi.a', '/usr/include/efi/efi.h'];
const INSTALL = 'run `apt-get install -y gnu-efi gcc binutils` (or `npm run setup`)';

/** Where each piece of switch.S starts, as byte offsets from its own start. */
export interface AppLayout {
  /** Bytes of the trampoline; the code after MOV CR3 is [afterCr3, trampolineLength). */
  readonly trampolineLength: number;
  readonly afterCr3: number;
  readonly kernelLength: number;
}

export interface BuiltApp {
  readonly efi: string;
  readonly layout: AppLayout;
}

function fingerprint(): string {
  const h = createHash('sha256');
  h.update(CFLAGS.join(' '));
  for (const f of SOURCES) h.update(f).update(readFileSync(join(APP_DIR, f)));
  return h.digest('hex');
}

function run(tool: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(tool, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${tool} not found: ${INSTALL}`);
    throw new Error(`building the UEFI test application failed at ${tool}:\n${e.stderr ?? e.message}`);
  }
}

function layoutFromNm(nm: string): AppLayout {
  const sym = new Map<string, number>();
  for (const line of nm.split('\n')) {
    const m = /^([0-9a-f]+) T (x64_\w+)$/.exec(line.trim());
    if (m) sym.set(m[2]!, parseInt(m[1]!, 16));
  }
  const get = (name: string): number => {
    const v = sym.get(name);
    if (v === undefined) throw new Error(`switch.o lacks the symbol ${name}`);
    return v;
  };
  return {
    trampolineLength: get('x64_tramp_end') - get('x64_tramp_start'),
    afterCr3: get('x64_tramp_after_cr3') - get('x64_tramp_start'),
    kernelLength: get('x64_kernel_end') - get('x64_kernel_start'),
  };
}

/** Builds the application if needed; returns the .efi path and the code layout. */
export function ensureBuilt(): BuiltApp {
  const efi = join(BUILD_DIR, 'BOOTX64.EFI');
  const layoutFile = join(BUILD_DIR, 'layout.json');
  const stamp = join(BUILD_DIR, 'stamp');
  const want = fingerprint();
  if (existsSync(efi) && existsSync(layoutFile) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) {
    return { efi, layout: JSON.parse(readFileSync(layoutFile, 'utf8')) as AppLayout };
  }
  const missing = GNU_EFI.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`gnu-efi is not installed (missing ${missing.join(', ')}): ${INSTALL}`);
  mkdirSync(BUILD_DIR, { recursive: true });
  const tmp = join(BUILD_DIR, `tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  run('gcc', [...CFLAGS, '-c', join(APP_DIR, 'x64spec.c'), '-o', 'app.o'], tmp);
  run('gcc', [...CFLAGS, '-c', join(APP_DIR, 'switch.S'), '-o', 'switch.o'], tmp);
  run('ld', ['-nostdlib', '-znocombreloc', '-shared', '-Bsymbolic', '-T', '/usr/lib/elf_x86_64_efi.lds',
    '/usr/lib/crt0-efi-x86_64.o', 'app.o', 'switch.o', '-L/usr/lib', '-lefi', '-lgnuefi', '-o', 'app.so'], tmp);
  run('objcopy', ['-j', '.text', '-j', '.sdata', '-j', '.data', '-j', '.dynamic', '-j', '.dynsym', '-j', '.rel',
    '-j', '.rela', '-j', '.rel.*', '-j', '.rela.*', '-j', '.reloc', '--target', 'efi-app-x86_64', '--subsystem=10', 'app.so', 'app.efi'], tmp);
  const layout = layoutFromNm(run('nm', ['switch.o'], tmp));
  writeFileSync(layoutFile, JSON.stringify(layout));
  renameSync(join(tmp, 'app.efi'), efi);
  writeFileSync(stamp, want);
  return { efi, layout };
}
