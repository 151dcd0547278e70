/**
 * Boots OVMF under QEMU (TCG) with the test application on a real FAT ESP image made
 * with mtools (QEMU's fat:rw: folder drive is unreliable: NOTES.md), and returns what
 * the guest printed on the debug console, how QEMU ended, whether the CPU triple-faulted
 * (`-no-reboot` turns the reset into an exit; `-d cpu_reset` logs it) and the exception
 * chain that led there (`-d int`: a few hundred lines for a whole OVMF boot).
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt, OVMF_DIR } from './build.ts';

const execFileP = promisify(execFile);

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS.fd';
const QEMU = 'qemu-system-x86_64';
const INSTALL = 'run `apt-get install -y qemu-system-x86 ovmf mtools` (or `npm run setup`)';
/** The kernel in switch.S writes 0x31 to isa-debug-exit: QEMU exits with (0x31 << 1) | 1. */
export const KERNEL_EXIT_STATUS = 99;
/** The app's `exit V` writes V: status (V << 1) | 1. */
export function appExitStatus(value: number): number {
  return (value << 1) | 1;
}

export interface BootFiles {
  /** \x64spec\script.txt: one exit-flow step per line (see app/x64spec.c). */
  readonly script: string;
  /** \x64spec\handoff.bin (see handoff-image.ts), when the boot ends in a hand-off. */
  readonly handoff?: Uint8Array;
}

export interface BootResult {
  /** Everything the guest wrote to port 0xE9. */
  readonly console: string;
  /** QEMU's exit status; null when it had to be killed. */
  readonly exitStatus: number | null;
  /** QEMU logged a triple fault (CPU shutdown → reset, with -no-reboot → exit). */
  readonly tripleFault: boolean;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The QEMU log's lines about resets, for messages. */
  readonly resetLog: string;
  /**
   * The exceptions of the last chain QEMU logged (`-d int`): the first is the fault that
   * started it, then what its delivery raised (#GP, #DF…). Empty when none was logged.
   */
  readonly lastExceptionChain: readonly LoggedException[];
}

/** One exception from QEMU's `-d int` log. */
export interface LoggedException {
  readonly vector: number;
  readonly errorCode: number;
  /** CR2, logged for page faults. */
  readonly cr2?: string;
}

/**
 * The last exception chain in a QEMU `-d int` log: a chain starts at
 * `check_exception old: 0xffffffff` (nothing pending) and each following ` v=XX e=YYYY`
 * line is one exception taken.
 */
export function lastExceptionChain(log: string): LoggedException[] {
  let chain: LoggedException[] = [];
  let inChain = false;
  for (const line of log.split('\n')) {
    if (line.startsWith('check_exception old: 0xffffffff')) {
      chain = [];
      inChain = true;
      continue;
    }
    const m = / v=([0-9a-f]+) e=([0-9a-f]+) /.exec(line);
    if (m === null) continue;
    if (!inChain) continue;
    const cr2 = / CR2=([0-9a-f]+)/.exec(line);
    chain.push({ vector: parseInt(m[1]!, 16), errorCode: parseInt(m[2]!, 16), ...(cr2 !== null ? { cr2: `0x${cr2[1]!.replace(/^0+(?=.)/, '')}` } : {}) });
    // A hardware interrupt (vector 0x20 and up, no check_exception before it) ends the chain.
    if (parseInt(m[1]!, 16) >= 0x20) inChain = false;
  }
  return chain;
}

async function need(tool: string, args: string[]): Promise<void> {
  try {
    await execFileP(tool, args);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${tool} not found: ${INSTALL}`);
  }
}

/** Fails with the install command when QEMU, OVMF or mtools is missing. */
export async function checkOvmfTools(): Promise<void> {
  for (const f of [OVMF_CODE, OVMF_VARS]) if (!existsSync(f)) throw new Error(`OVMF firmware ${f} is missing: ${INSTALL}`);
  await need(QEMU, ['--version']);
  await need('mformat', ['--version']);
}

async function makeEsp(dir: string, efi: string, files: BootFiles): Promise<string> {
  const img = join(dir, 'esp.img');
  const script = join(dir, 'script.txt');
  writeFileSync(script, files.script);
  // 64 MiB FAT32 (-F): 131072 sectors of 512 bytes.
  await execFileP('mformat', ['-C', '-F', '-T', '131072', '-h', '64', '-s', '32', '-i', img, '::']);
  await execFileP('mmd', ['-i', img, '::/EFI', '::/EFI/BOOT', '::/x64spec']);
  await execFileP('mcopy', ['-i', img, efi, '::/EFI/BOOT/BOOTX64.EFI']);
  await execFileP('mcopy', ['-i', img, script, '::/x64spec/script.txt']);
  if (files.handoff !== undefined) {
    const bin = join(dir, 'handoff.bin');
    writeFileSync(bin, files.handoff);
    await execFileP('mcopy', ['-i', img, bin, '::/x64spec/handoff.bin']);
  }
  return img;
}

/** One OVMF boot. Work files live in out/ovmf/ and are removed afterwards unless X64SPEC_KEEP_OVMF is set. */
export async function bootOvmf(files: BootFiles, options: { timeoutMs?: number } = {}): Promise<BootResult> {
  await checkOvmfTools();
  const { efi } = ensureBuilt();
  const root = join(OVMF_DIR, '..', '..', 'out', 'ovmf');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, 'boot-'));
  try {
    const img = await makeEsp(dir, efi, files);
    const vars = join(dir, 'vars.fd');
    copyFileSync(OVMF_VARS, vars);
    const consoleFile = join(dir, 'console.txt');
    const log = join(dir, 'qemu.log');
    const args = [
      '-accel', 'tcg', '-cpu', 'max', '-machine', 'q35', '-m', '256M',
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${vars}`,
      '-drive', `format=raw,file=${img}`,
      '-display', 'none', '-no-reboot', '-net', 'none', '-serial', 'none', '-monitor', 'none',
      '-debugcon', `file:${consoleFile}`, '-global', 'isa-debugcon.iobase=0xe9',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
      '-d', 'int,cpu_reset', '-D', log,
    ];
    const start = Date.now();
    const timeoutMs = options.timeoutMs ?? 60_000;
    const { status, timedOut } = await new Promise<{ status: number | null; timedOut: boolean }>((resolve, reject) => {
      const child = spawn(QEMU, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      let killed = false;
      const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, timeoutMs);
      child.on('error', (e) => { clearTimeout(timer); reject(new Error(`${QEMU} could not start (${e.message}): ${INSTALL}`)); });
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (!killed && code === 1 && stderr.trim() !== '') reject(new Error(`${QEMU} failed: ${stderr.trim()}`));
        else resolve({ status: killed ? null : code, timedOut: killed });
      });
    });
    const consoleText = existsSync(consoleFile) ? readFileSync(consoleFile, 'latin1') : '';
    const logText = existsSync(log) ? readFileSync(log, 'latin1') : '';
    const resetLines = logText.split('\n').filter((l) => /triple fault|CPU Reset/i.test(l));
    return {
      console: consoleText,
      exitStatus: status,
      tripleFault: /triple fault/i.test(logText),
      timedOut,
      durationMs: Date.now() - start,
      resetLog: resetLines.join('\n'),
      lastExceptionChain: lastExceptionChain(logText),
    };
  } finally {
    if (!process.env.X64SPEC_KEEP_OVMF) rmSync(dir, { recursive: true, force: true });
  }
}

/** Boots every item with at most `concurrency` QEMUs at once; results in input order. */
export async function bootMany(items: readonly BootFiles[], concurrency = 2, options: { timeoutMs?: number } = {}): Promise<BootResult[]> {
  const results: BootResult[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await bootOvmf(items[i]!, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
