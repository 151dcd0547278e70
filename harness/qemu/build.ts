/**
 * Builds the guest runner (guest/runner.s) with GNU as and ld, then converts it to the
 * 32-bit ELF QEMU's multiboot loader accepts (`-kernel` refuses 64-bit ELF files).
 * `ensureBuilt()` is idempotent: it rebuilds only when a source changed, and fails with
 * the install command when binutils is missing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const QEMU_DIR = dirname(fileURLToPath(import.meta.url));
const GUEST_DIR = join(QEMU_DIR, 'guest');
const SOURCES = ['runner.s', 'linker.ld'];
/** Where the build goes (git-ignored). */
export const BUILD_DIR = join(QEMU_DIR, '..', '..', 'out', 'qemu', 'build');
/** The 32-bit multiboot ELF to pass as `-kernel`. */
export const RUNNER_ELF = join(BUILD_DIR, 'runner.elf');

function fingerprint(): string {
  const h = createHash('sha256');
  for (const f of SOURCES) h.update(f).update(readFileSync(join(GUEST_DIR, f)));
  return h.digest('hex');
}

function tool(cmd: string, args: readonly string[]): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error(`${cmd} not found: run \`apt-get install -y binutils\` (or \`npm run setup\`)`);
    throw new Error(`building the QEMU guest runner failed at ${cmd}:\n${e.stderr?.toString() ?? e.message}`);
  }
}

/** Builds the runner if needed; returns the path of the multiboot ELF. */
export function ensureBuilt(): string {
  const stamp = join(BUILD_DIR, 'stamp');
  const want = fingerprint();
  if (existsSync(RUNNER_ELF) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return RUNNER_ELF;
  mkdirSync(BUILD_DIR, { recursive: true });
  const tag = `${process.pid}.${Date.now()}`;
  const obj = join(BUILD_DIR, `runner.${tag}.o`);
  const elf64 = join(BUILD_DIR, `runner64.${tag}.elf`);
  const elf32 = join(BUILD_DIR, `runner.${tag}.elf`);
  try {
    tool('as', ['--64', '-o', obj, join(GUEST_DIR, 'runner.s')]);
    tool('ld', ['-m', 'elf_x86_64', '-nostdlib', '-z', 'max-page-size=0x1000', '-T', join(GUEST_DIR, 'linker.ld'), '-o', elf64, obj]);
    tool('objcopy', ['-O', 'elf32-i386', elf64, elf32]);
    renameSync(elf32, RUNNER_ELF);
  } finally {
    for (const f of [obj, elf64, elf32]) rmSync(f, { force: true });
  }
  writeFileSync(stamp, want);
  return RUNNER_ELF;
}
