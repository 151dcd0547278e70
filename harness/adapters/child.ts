/**
 * One implementation process: spawned in its own process group, its stdout split into
 * lines (a line longer than the limit is reported, not buffered), its stderr's tail kept,
 * and killed as a whole group — on request, and when the harness itself exits — so no
 * process outlives the run.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { planSpawn } from './command-line.ts';

export type ChildEvent =
  | { readonly type: 'line'; readonly text: string }
  | { readonly type: 'overlong'; readonly bytes: number }
  | { readonly type: 'exit'; readonly code: number | null; readonly signal: string | null; readonly spawnError?: string };

const live = new Set<ChildProcessWithoutNullStreams>();
let hooked = false;

function killGroup(proc: ChildProcessWithoutNullStreams): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, 'SIGKILL');
  } catch {
    try { proc.kill('SIGKILL'); } catch { /* already gone */ }
  }
}

/** Kills every implementation process still alive; installed on the harness's exit and signals. */
export function killAllChildren(): void {
  for (const proc of live) killGroup(proc);
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllChildren);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllChildren();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

export interface ChildOptions {
  readonly cwd?: string;
  /** Longest stdout line accepted, in bytes. */
  readonly maxLineBytes: number;
  /** How much of stderr to keep, in bytes (the tail). */
  readonly stderrBytes: number;
  /** Receives the kept stderr text as it grows (shared across restarts). */
  readonly onStderr: (chunk: string) => void;
}

export class ImplChild {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly queue: ChildEvent[] = [];
  private waiter: ((e: ChildEvent | undefined) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  private discarding = false;
  private exitEvent: ChildEvent | undefined;
  private readonly exited: Promise<void>;
  private stdinBroken = false;

  constructor(command: string, private readonly options: ChildOptions) {
    hookExit();
    const plan = planSpawn(command);
    this.proc = spawn(plan.file, [...plan.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
    live.add(this.proc);
    this.proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => options.onStderr(chunk.toString('utf8')));
    this.proc.stdin.on('error', () => { this.stdinBroken = true; });
    this.exited = new Promise((resolve) => {
      let spawnError: string | undefined;
      this.proc.on('error', (err) => { spawnError = err.message; });
      this.proc.on('close', (code, signal) => {
        live.delete(this.proc);
        this.push({ type: 'exit', code, signal, ...(spawnError !== undefined ? { spawnError } : {}) });
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      if (this.discarding) {
        this.discarding = false;
      } else if (this.pieceBytes + (nl - start) > this.options.maxLineBytes) {
        this.push({ type: 'overlong', bytes: this.pieceBytes + (nl - start) });
      } else if (this.pieces.length === 0) {
        this.push({ type: 'line', text: chunk.toString('utf8', start, nl) });
      } else {
        this.pieces.push(chunk.subarray(start, nl));
        this.push({ type: 'line', text: Buffer.concat(this.pieces).toString('utf8') });
      }
      this.pieces = [];
      this.pieceBytes = 0;
      start = nl + 1;
    }
    if (start < chunk.length && !this.discarding) {
      const rest = chunk.length - start;
      if (this.pieceBytes + rest > this.options.maxLineBytes) {
        // Report now and drop the rest of this line as it streams in: a 100 MB line is never held.
        this.push({ type: 'overlong', bytes: this.pieceBytes + rest });
        this.pieces = [];
        this.pieceBytes = 0;
        this.discarding = true;
      } else {
        this.pieces.push(chunk.subarray(start));
        this.pieceBytes += rest;
      }
    }
  }

  private push(e: ChildEvent): void {
    if (e.type === 'exit') this.exitEvent = e;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      w(e);
    } else {
      this.queue.push(e);
    }
  }

  /** Writes one protocol line; false when the process no longer reads. */
  send(line: string): boolean {
    if (this.stdinBroken || this.exitEvent !== undefined || this.proc.stdin.destroyed) return false;
    this.proc.stdin.write(line + '\n');
    return true;
  }

  /** The next event, or undefined when none arrives within `ms`. */
  next(ms: number): Promise<ChildEvent | undefined> {
    const e = this.queue.shift();
    if (e !== undefined) return Promise.resolve(e);
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.timer = setTimeout(() => {
        this.waiter = undefined;
        this.timer = undefined;
        resolve(undefined);
      }, Math.max(0, ms));
    });
  }

  get hasExited(): boolean {
    return this.exitEvent !== undefined;
  }

  /** Kills the whole process group and waits until the process is reaped. */
  async kill(): Promise<void> {
    killGroup(this.proc);
    await this.exited;
  }

  /** Closes stdin and waits up to `graceMs` for a clean exit, then kills the group. */
  async shutdown(byeLine: string | undefined, graceMs: number): Promise<void> {
    if (byeLine !== undefined) this.send(byeLine);
    if (!this.proc.stdin.destroyed) this.proc.stdin.end();
    const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), graceMs).unref());
    await Promise.race([this.exited, timer]);
    // Kill the group even after a clean exit: a grandchild it left behind goes too.
    killGroup(this.proc);
    await this.exited;
  }
}
