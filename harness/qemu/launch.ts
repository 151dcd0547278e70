/**
 * One QEMU boot: the runner ELF as `-kernel`, a batch as `-initrd`, guest RAM backed by
 * a shared file so the results are read straight out of it, status lines on the debug
 * console (port 0xE9), the exit through isa-debug-exit. TCG only (NOTES.md: KVM is not
 * usable here), one vCPU, a fixed CPU model per profile (cpu.ts).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, readSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RESULT_MAGIC, decodeResults, encodeBatch, resultsSize, type GuestCase, type RawResult } from './batch.ts';
import { qemuCpuArg, type QemuProfile } from './cpu.ts';

export const QEMU_BINARY = 'qemu-system-x86_64';
/** Guest RAM; the runner sits at 128 MiB, its batch right after it, results at 256 MiB. */
export const GUEST_RAM_MIB = 512;
export const RESULTS_PA = 0x1000_0000;
const RESULTS_MAX = GUEST_RAM_MIB * 1024 * 1024 - RESULTS_PA;
/** Batches must end below the results area (the runner is loaded at 128 MiB). */
const BATCH_MAX = RESULTS_PA - 0x0810_0000;
/** End of the vector window above 1 MiB (spec/vector-constraints.ts). */
export const FILL_END = 0x0800_0000;

/** How a boot ended. */
export type BootEnd =
  | { readonly kind: 'done' }
  | { readonly kind: 'timeout'; readonly ms: number }
  | { readonly kind: 'exit'; readonly status: number | null; readonly signal: string | null }
  | { readonly kind: 'spawn-failed'; readonly message: string };

export interface BootResult {
  readonly end: BootEnd;
  /** Records of the cases the runner completed, in order (a prefix of the batch). */
  readonly results: readonly RawResult[];
  /** What the guest printed on the debug console. */
  readonly console: string;
  readonly stderr: string;
  /** Whether the runner got as far as writing its results header. */
  readonly started: boolean;
  /** Wall time of the QEMU process alone (spawn to exit), in ms. */
  readonly qemuMs: number;
}

export interface BootFiles {
  /** Scratch directory for the batch, console log and (when no /dev/shm) the RAM file. */
  readonly dir: string;
  /** The guest RAM file (reused across boots of one lane). */
  readonly ramFile: string;
  /**
   * True once a boot on this RAM file ran to its end: every qword of the window above
   * 1 MiB then holds its tag again (the runner restores what each case changed, and
   * firmware and the multiboot loader only touch memory below 1 MiB and above 128 MiB),
   * so the next boot skips that 127 MiB fill. A killed boot leaves it false.
   */
  tagged: boolean;
}

/**
 * /dev/shm when it can hold the touched part of every slot's guest RAM (the 128 MiB tag
 * window plus results; containers often give /dev/shm only 64 MiB, and QEMU dies with
 * SIGBUS when a shared RAM file cannot grow), else undefined: the RAM file goes to disk.
 */
export function shmWithRoom(slots: number): string | undefined {
  try {
    const s = statfsSync('/dev/shm');
    return s.bavail * s.bsize >= slots * 384 * 1024 * 1024 ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
}

/** RAM files are named `x64spec-qemu-<pid>-…`; the pid says whose they are. */
const RAM_FILE = /^x64spec-(?:bench-)?qemu-(\d+)-.*\.ram$/;

/**
 * Removes RAM files in `dir` left by processes that no longer exist (a run killed by a
 * signal never reaches its cleanup, and each file may hold 128 MiB of /dev/shm).
 */
export function removeStaleRamFiles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = RAM_FILE.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(dir, name), { force: true });
    }
  }
}

/** Whether `cases` fit one boot's batch and results areas. */
export function fitsOneBoot(cases: readonly GuestCase[]): boolean {
  return resultsSize(cases) <= RESULTS_MAX && encodedSize(cases) <= BATCH_MAX;
}

function encodedSize(cases: readonly GuestCase[]): number {
  let n = 64;
  for (const c of cases) n += 40 + 16 * c.memory.length;
  return n;
}

const QBOOT_CANDIDATES = ['/usr/share/qemu/qboot.rom', '/usr/local/share/qemu/qboot.rom'];

/**
 * qboot (shipped with QEMU) runs the multiboot option ROM like SeaBIOS does but boots in
 * about half the time; without it QEMU's default BIOS is used.
 */
export const QBOOT: string | undefined = QBOOT_CANDIDATES.find((p) => existsSync(p));

/** The QEMU command line for one boot. */
export function qemuArgs(kernel: string, batch: string, files: BootFiles, consoleLog: string, profile: QemuProfile): string[] {
  return [
    '-accel', 'tcg', '-cpu', qemuCpuArg(profile), '-smp', '1', '-m', `${GUEST_RAM_MIB}M`,
    ...(QBOOT === undefined ? [] : ['-bios', QBOOT]),
    '-object', `memory-backend-file,id=ram0,size=${GUEST_RAM_MIB}M,mem-path=${files.ramFile},share=on`,
    '-machine', 'pc,memory-backend=ram0',
    '-kernel', kernel, '-initrd', batch,
    '-display', 'none', '-no-reboot', '-nodefaults',
    '-debugcon', `file:${consoleLog}`,
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4',
  ];
}

/** Boots QEMU once on `cases`; never rejects (problems come back in `end`). */
export async function boot(
  kernel: string, cases: readonly GuestCase[], profile: QemuProfile, files: BootFiles, timeoutMs: number,
): Promise<BootResult> {
  const batchFile = join(files.dir, 'batch.bin');
  const consoleLog = join(files.dir, 'console.txt');
  writeFileSync(batchFile, encodeBatch(cases, { resultsPa: RESULTS_PA, fillEnd: FILL_END, fillHigh: !files.tagged }));
  files.tagged = false;
  rmSync(consoleLog, { force: true });
  // A stale results header from an earlier boot must not be read as this boot's.
  clearResultsHeader(files.ramFile);
  const t0 = performance.now();
  const end = await runQemu(qemuArgs(kernel, batchFile, files, consoleLog, profile), timeoutMs);
  const qemuMs = performance.now() - t0;
  if (end.end.kind === 'done') files.tagged = true;
  let console = '';
  try {
    console = readFileSync(consoleLog, 'latin1');
  } catch {
    console = '';
  }
  const area = readResults(files.ramFile, resultsSize(cases));
  const started = area !== undefined && area.readUInt32LE(0) === RESULT_MAGIC;
  const results = area === undefined ? [] : safeDecode(area, cases);
  return { end: end.end, results, console, stderr: end.stderr, started, qemuMs };
}

function safeDecode(area: Buffer, cases: readonly GuestCase[]): RawResult[] {
  try {
    return decodeResults(area, cases);
  } catch {
    return [];
  }
}

function clearResultsHeader(ramFile: string): void {
  let fd: number;
  try {
    fd = openSync(ramFile, 'r+');
  } catch {
    return; // no RAM file yet: QEMU creates it
  }
  try {
    const zero = Buffer.alloc(64);
    writeSync(fd, zero, 0, zero.length, RESULTS_PA);
  } finally {
    closeSync(fd);
  }
}

function readResults(ramFile: string, size: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(ramFile, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(size);
    const n = readSync(fd, buf, 0, size, RESULTS_PA);
    return n < 64 ? undefined : buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

const STDERR_KEEP = 16 * 1024;

function runQemu(args: readonly string[], timeoutMs: number): Promise<{ end: BootEnd; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    const child = spawn(QEMU_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const finish = (end: BootEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ end, stderr });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ kind: 'timeout', ms: timeoutMs });
    }, timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_KEEP);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish({
        kind: 'spawn-failed',
        message: err.code === 'ENOENT'
          ? `${QEMU_BINARY} not found: run \`apt-get install -y qemu-system-x86\` (or \`npm run setup\`)`
          : err.message,
      });
    });
    child.on('close', (status, signal) => {
      // isa-debug-exit: status = (value << 1) | 1; the runner writes 0 when the batch is done.
      finish(status === 1 ? { kind: 'done' } : { kind: 'exit', status, signal });
    });
  });
}

/** One line saying how a boot ended, for error answers. */
export function describeEnd(end: BootEnd, console: string): string {
  const last = console.trim().split('\n').pop() ?? '';
  const tail = last === '' ? '' : ` (guest said: ${last})`;
  switch (end.kind) {
    case 'done':
      return 'QEMU finished the batch';
    case 'timeout':
      return `QEMU did not finish within ${end.ms} ms and was killed${tail}`;
    case 'exit':
      if (end.status === 0) return `the guest reset (a triple fault, or QEMU exited with status 0)${tail}`;
      if (end.status === 3) return `the runner found no multiboot module${tail}`;
      if (end.status === 5) return `the runner rejected the batch header${tail}`;
      return `QEMU exited with status ${end.status ?? 'none'}${end.signal === null ? '' : ` (signal ${end.signal})`}${tail}`;
    case 'spawn-failed':
      return end.message;
  }
}
