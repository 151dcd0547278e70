/**
 * Builds walkbench (walkbench.c + the C example's paging.c) with gcc -O2. `ensureBuilt()`
 * is idempotent: it rebuilds only when a source or the flags changed, and fails with the
 * install command when gcc is missing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXAMPLE = join(HERE, '..', '..', 'examples', 'c');
export const WALKBENCH_BINARY = join(HERE, 'build', 'walkbench');

const SOURCES = [join(HERE, 'walkbench.c'), join(EXAMPLE, 'paging.c'), join(EXAMPLE, 'paging.h')];
const FLAGS = ['-O2', '-std=c11', '-D_POSIX_C_SOURCE=200809L', '-Wall', '-Wextra', '-Werror', `-I${EXAMPLE}`];

function fingerprint(): string {
  const h = createHash('sha256').update(FLAGS.join(' '));
  for (const f of SOURCES) {
    if (!existsSync(f)) throw new Error(`walkbench source missing: ${f} (the C example's paging.c comes from harness/examples/c)`);
    h.update(f).update(readFileSync(f));
  }
  return h.digest('hex');
}

/** Builds walkbench if needed; returns the binary's path. */
export function ensureBuilt(): string {
  const stamp = `${WALKBENCH_BINARY}.stamp`;
  const want = fingerprint();
  if (existsSync(WALKBENCH_BINARY) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return WALKBENCH_BINARY;
  mkdirSync(dirname(WALKBENCH_BINARY), { recursive: true });
  const tmp = `${WALKBENCH_BINARY}.${process.pid}.tmp`;
  try {
    execFileSync('gcc', [...FLAGS, '-o', tmp, ...SOURCES.filter((f) => f.endsWith('.c'))], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('gcc not found: run `apt-get install -y gcc` (or `npm run setup`)');
    throw new Error(`building walkbench failed:\n${e.stderr?.toString() ?? e.message}`);
  }
  renameSync(tmp, WALKBENCH_BINARY);
  writeFileSync(stamp, want);
  return WALKBENCH_BINARY;
}

/** What one walkbench run reports. */
export interface CRun {
  readonly translations: number;
  readonly seconds: number;
  readonly checksum: number;
  readonly faults: number;
}

/** Runs walkbench on a workload file for at least `minSeconds`. */
export function runWalkbench(file: string, minSeconds: number): CRun {
  const out = execFileSync(ensureBuilt(), [file, String(minSeconds)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const parsed = JSON.parse(out) as CRun;
  return parsed;
}
