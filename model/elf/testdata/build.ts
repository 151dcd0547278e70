/**
 * Builds the test kernels from kernel.c with gcc and ld (NOTES.md "ELF": the kernel code
 * model needs -no-pie -fno-pic on Debian's gcc). `ensureBuilt()` is idempotent: it
 * rebuilds a kernel only when a source, script or flag changed (a hash is stored beside
 * each output). Missing gcc fails with the command that installs it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const OUT_DIR = join(HERE, '..', '..', '..', 'out', 'elf-kernels');

const COMMON = ['-ffreestanding', '-nostdlib', '-mno-red-zone', '-O2', '-fno-asynchronous-unwind-tables', '-Wl,--build-id=none', '-Wl,-z,max-page-size=0x1000'];

export type KernelName = 'higher-half' | 'pml4-511' | 'static-pie' | 'static-pie-relr' | 'shared-page' | 'static-pie-exec';

/** Each kernel: gcc flags (the source is always kernel.c) and the linker script, if any. */
export const KERNELS: Readonly<Record<KernelName, { readonly flags: readonly string[]; readonly script?: string }>> = {
  'higher-half': { flags: ['-mcmodel=kernel', '-static', '-no-pie', '-fno-pic'], script: 'higher-half.ld' },
  'pml4-511': { flags: ['-mcmodel=large', '-static', '-no-pie', '-fno-pic'], script: 'pml4-511.ld' },
  'static-pie': { flags: ['-static-pie', '-fPIE'] },
  'static-pie-relr': { flags: ['-static-pie', '-fPIE', '-Wl,-z,pack-relative-relocs'] },
  'shared-page': { flags: ['-mcmodel=kernel', '-static', '-no-pie', '-fno-pic'], script: 'shared-page.ld' },
  // -static-pie moved to the top 2 GiB: an ET_EXEC that still carries PT_DYNAMIC and RELATIVE relocations (NOTES.md).
  'static-pie-exec': { flags: ['-static-pie', '-fPIE', '-Wl,-Ttext-segment=0xffffffff80000000'] },
};

function requireGcc(): void {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('gcc is not installed; run: apt-get install -y gcc binutils (or npm run setup)');
  }
}

/** Builds (if needed) every test kernel; returns kernel name → path of the ELF file. */
export function ensureBuilt(): Record<KernelName, string> {
  requireGcc();
  mkdirSync(OUT_DIR, { recursive: true });
  const source = readFileSync(join(HERE, 'kernel.c'));
  const out = {} as Record<KernelName, string>;
  for (const [name, k] of Object.entries(KERNELS) as [KernelName, (typeof KERNELS)[KernelName]][]) {
    const args = [...COMMON, ...k.flags, ...(k.script ? ['-T', join(HERE, k.script)] : [])];
    const hash = createHash('sha256').update(source).update(args.join('\0'))
      .update(k.script ? readFileSync(join(HERE, k.script)) : '').digest('hex');
    const path = join(OUT_DIR, `${name}.elf`);
    const stamp = path + '.hash';
    if (!existsSync(path) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== hash) {
      // Build beside the target and rename into place: test files running in parallel may
      // build at the same time, and a reader must never see a half-written kernel.
      const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      execFileSync('gcc', [...args, '-o', tmp, join(HERE, 'kernel.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
      renameSync(tmp, path);
      writeFileSync(`${stamp}.${process.pid}.tmp`, hash);
      renameSync(`${stamp}.${process.pid}.tmp`, stamp);
    }
    out[name] = path;
  }
  return out;
}

/** Symbol addresses from `nm` (an independent view of where things were linked). */
export function symbols(path: string): Map<string, bigint> {
  const text = execFileSync('nm', [path], { encoding: 'utf8' });
  const m = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const [addr, , name] = line.trim().split(/\s+/);
    if (addr !== undefined && name !== undefined && /^[0-9a-f]+$/.test(addr)) m.set(name, BigInt('0x' + addr));
  }
  return m;
}
