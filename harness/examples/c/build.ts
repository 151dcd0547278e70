/**
 * Builds the C example implementation with gcc -O2. `ensureBuilt()` is idempotent: it
 * rebuilds only when a source file (or the flags) changed since the last build, and
 * fails with the install command when gcc is missing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const C_EXAMPLE_DIR = dirname(fileURLToPath(import.meta.url));
export const BUILD_DIR = join(C_EXAMPLE_DIR, 'build');
/** The built implementation; run it as `process:'<this path>'`. */
export const C_EXAMPLE_BINARY = join(BUILD_DIR, 'x64spec-example-c');

const SOURCES = ['main.c', 'json.c', 'json.h', 'paging.c', 'paging.h'];
const FLAGS = ['-O2', '-std=c11', '-D_POSIX_C_SOURCE=200809L', '-Wall', '-Wextra', '-Werror'];

function fingerprint(): string {
  const h = createHash('sha256');
  h.update(FLAGS.join(' '));
  for (const f of SOURCES) h.update(f).update(readFileSync(join(C_EXAMPLE_DIR, f)));
  return h.digest('hex');
}

/** Builds the example if needed; returns the binary's path. */
export function ensureBuilt(): string {
  const stamp = join(BUILD_DIR, 'stamp');
  const want = fingerprint();
  if (existsSync(C_EXAMPLE_BINARY) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return C_EXAMPLE_BINARY;
  mkdirSync(BUILD_DIR, { recursive: true });
  const tmp = `${C_EXAMPLE_BINARY}.${process.pid}.tmp`;
  try {
    execFileSync('gcc', [...FLAGS, '-o', tmp, ...SOURCES.filter((f) => f.endsWith('.c')).map((f) => join(C_EXAMPLE_DIR, f))], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('gcc not found: run `apt-get install -y gcc` (or `npm run setup`)');
    throw new Error(`building the C example failed:\n${e.stderr?.toString() ?? e.message}`);
  }
  renameSync(tmp, C_EXAMPLE_BINARY);
  writeFileSync(stamp, want);
  return C_EXAMPLE_BINARY;
}
