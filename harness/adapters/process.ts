/**
 * The `process` adapter: any program speaking x64spec-impl/1 over stdin/stdout.
 *
 * Cases are pipelined (up to `window` in flight) and answered strictly in order. The
 * oldest unanswered case's clock starts when it was sent or when the previous answer
 * arrived, whichever is later; when it runs out, or the process exits, prints a line that
 * is not a valid result, answers another id, or prints a line longer than the limit, that
 * one case gets an `error` with the reason, the process group is killed and reaped, a
 * fresh process is started (hello again) and the remaining cases are sent to it.
 */
import type { Adapter, Answer, ImplInfo, RunOptions, Suite, Vector } from '../types.ts';
import { ImplChild, type ChildEvent } from './child.ts';
import { BYE_LINE, caseLine, excerpt, helloLine, parseHello, parseResult, type ImplHello } from './protocol.ts';
import type { AdapterFactory, HasStderr } from './types.ts';

export interface ProcessAdapterOptions {
  readonly cwd?: string;
  /** Time allowed for the hello answer, in ms (default 10,000). */
  readonly helloTimeoutMs?: number;
  /** Cases in flight at once (default 256). */
  readonly window?: number;
  /** Longest accepted stdout line, in bytes (default 16 MiB). */
  readonly maxLineBytes?: number;
  /** Time a process gets to exit after `bye` (default 2,000 ms). */
  readonly byeGraceMs?: number;
}

const STDERR_KEEP = 64 * 1024;

/** Why a process could not be (re)started; carries the reason shown in each affected case. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

function describeExit(e: Extract<ChildEvent, { type: 'exit' }>): string {
  if (e.spawnError !== undefined) return `could not start: ${e.spawnError}`;
  if (e.signal !== null) return `killed by ${e.signal}`;
  return `exited with status ${e.code}`;
}

export class ProcessAdapter implements Adapter, HasStderr {
  readonly kind = 'process' as const;
  private child: ImplChild | undefined;
  private suites: readonly Suite[] = [];
  private stderr = '';
  private info: ImplInfo | undefined;
  private readonly window: number;
  private readonly maxLineBytes: number;
  /** Processes started, the first included. */
  starts = 0;
  /** Consecutive failed restarts, and the last reason. */
  private failedStarts = 0;
  private startProblem = '';

  constructor(readonly spec: string, private readonly command: string, private readonly options: ProcessAdapterOptions = {}) {
    this.window = options.window ?? 256;
    this.maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  }

  stderrTail(): string {
    return this.stderr;
  }

  private appendStderr(chunk: string): void {
    this.stderr += chunk;
    if (this.stderr.length > STDERR_KEEP * 2) this.stderr = this.stderr.slice(-STDERR_KEEP);
  }

  private note(text: string): void {
    this.appendStderr(`[x64spec] ${text}\n`);
  }

  /** Starts a process and completes the hello exchange; throws StartError. */
  private async start(): Promise<ImplHello> {
    this.starts++;
    const child = new ImplChild(this.command, {
      ...(this.options.cwd !== undefined ? { cwd: this.options.cwd } : {}),
      maxLineBytes: this.maxLineBytes,
      stderrBytes: STDERR_KEEP,
      onStderr: (c) => this.appendStderr(c),
    });
    child.send(helloLine(this.suites));
    const e = await child.next(this.options.helloTimeoutMs ?? 10_000);
    let problem: string | undefined;
    let hello: ImplHello | undefined;
    if (e === undefined) problem = `no hello within ${this.options.helloTimeoutMs ?? 10_000} ms`;
    else if (e.type === 'exit') problem = `${describeExit(e)} before its hello`;
    else if (e.type === 'overlong') problem = `hello line longer than ${this.maxLineBytes} bytes`;
    else {
      const p = parseHello(e.text);
      if (p.ok) hello = p.value;
      else problem = p.problem;
    }
    if (hello === undefined) {
      await child.kill();
      throw new StartError(`'${this.command}': ${problem}`);
    }
    this.child = child;
    return hello;
  }

  async hello(suites: readonly Suite[]): Promise<ImplInfo> {
    this.suites = suites;
    const h = await this.start();
    this.info = {
      spec: this.spec,
      kind: 'process',
      name: h.name,
      version: h.version,
      suites: h.suites,
      ...(h.profile !== undefined ? { profile: h.profile } : {}),
      details: { command: this.command },
    };
    return this.info;
  }

  private async drop(reason: string): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (c !== undefined) {
      this.note(`${reason}; process ${c.pid ?? '?'} killed and restarted`);
      await c.kill();
    }
  }

  async run(cases: readonly Vector[], options: RunOptions): Promise<Answer[]> {
    const answers: Answer[] = new Array(cases.length);
    const sentAt: number[] = new Array(cases.length);
    let acked = 0;
    let next = 0;
    let lastAnswerAt = 0;

    // Answers case `acked` with an error, and replaces the process (the rest is resent).
    const blame = async (reason: string): Promise<void> => {
      answers[acked] = { id: cases[acked]!.id, error: reason };
      await this.drop(`case ${cases[acked]!.id}: ${reason}`);
      acked++;
      next = acked;
    };

    while (acked < cases.length) {
      if (this.child === undefined) {
        if (this.failedStarts >= 2) {
          // Two restarts in a row failed: this and every later batch get the reason at once.
          for (; acked < cases.length; acked++) answers[acked] = { id: cases[acked]!.id, error: `implementation cannot be restarted: ${this.startProblem}` };
          break;
        }
        try {
          await this.start();
          this.failedStarts = 0;
        } catch (err) {
          this.failedStarts++;
          this.startProblem = err instanceof Error ? err.message : String(err);
          answers[acked] = { id: cases[acked]!.id, error: `restart failed: ${this.startProblem}` };
          acked++;
          next = acked;
          continue;
        }
        lastAnswerAt = 0;
      }
      const child = this.child!;
      if (next < cases.length && next - acked <= this.window / 2) {
        // Refill in bulk once half the window is answered, in one write: a write per line
        // costs more than the line.
        const lines: string[] = [];
        const now = performance.now();
        for (; next < cases.length && next - acked < this.window; next++) {
          const v = cases[next]!;
          lines.push(caseLine(v.id, v.suite, v.input));
          sentAt[next] = now;
        }
        child.send(lines.join('\n'));
      }
      const deadline = Math.max(sentAt[acked] ?? performance.now(), lastAnswerAt) + options.timeoutMs;
      const e = await child.next(deadline - performance.now());
      const expected = cases[acked]!.id;
      if (e === undefined) {
        await blame(`timeout: no answer within ${options.timeoutMs} ms`);
      } else if (e.type === 'exit') {
        this.note(`process ${child.pid ?? '?'} ${describeExit(e)} while case ${expected} was pending`);
        await blame(`implementation ${describeExit(e)} before answering`);
      } else if (e.type === 'overlong') {
        await blame(`malformed answer: a line longer than ${this.maxLineBytes} bytes`);
      } else {
        const p = parseResult(e.text);
        if (!p.ok) {
          await blame(`malformed answer: ${p.problem}`);
        } else if (p.value.id !== expected) {
          await blame(`wrong id: answered ${excerpt(p.value.id, 60)} while ${JSON.stringify(expected)} was pending`);
        } else {
          answers[acked] = p.value;
          acked++;
          lastAnswerAt = performance.now();
        }
      }
    }
    return answers;
  }

  async close(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (c !== undefined) await c.shutdown(BYE_LINE, this.options.byeGraceMs ?? 2000);
  }
}

/** The factory for `process:<command>`: one process per lane. */
export function processFactory(spec: string, command: string, options: ProcessAdapterOptions = {}): AdapterFactory {
  return {
    kind: 'process',
    spec,
    batchSize: 2048,
    create: () => new ProcessAdapter(spec, command, options),
  };
}
