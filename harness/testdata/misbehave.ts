/**
 * A deliberately misbehaving x64spec-impl/1 implementation for the robustness tests.
 * Cases are answered by the model, except when the case id contains one of:
 *   crash     exit(1) without answering          exit0    exit(0) without answering
 *   sigkill   kill itself with SIGKILL           hang     stop answering (stays alive)
 *   garbage   print a line that is not JSON      huge     print one 100 MB line
 *   wrongid   answer with another id             spawn    leave a sleeping grandchild, then hang
 *   noisy     write 200 KiB to stderr, then answer normally
 * Flags: --no-hello (never says hello), --bad-hello (says hello for another protocol),
 * --profile46 (hello carries a MAXPHYADDR-46 profile without pku), --once=<file> (only the
 * first process started works; every restart exits at once).
 * Run: node --import tsx harness/testdata/misbehave.ts [flags]
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pagingModelAnswer } from '../suites/paging.ts';
import type { JsonObject } from '../types.ts';

const flags = new Set(process.argv.slice(2));
// --once=<file>: only the first process ever started works; later ones exit at once.
const once = process.argv.find((a) => a.startsWith('--once='))?.slice('--once='.length);
if (once !== undefined) {
  if (existsSync(once)) process.exit(1);
  writeFileSync(once, 'started\n');
}
/** Writes and waits until the data is handed to the pipe, so cases are handled strictly one after another. */
const out = (text: string) => new Promise<void>((resolve) => { process.stdout.write(text, () => resolve()); });
const write = (o: unknown) => out(JSON.stringify(o) + '\n');
let hung = false;

const rl = createInterface({ input: process.stdin });
const lines: string[] = [];
let busy = false;
rl.on('line', (line) => {
  lines.push(line);
  void drain();
});

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  while (lines.length > 0 && !hung) await handle(lines.shift()!);
  busy = false;
}

async function handle(line: string): Promise<void> {
  const msg = JSON.parse(line) as { type: string; id: string; input: JsonObject };
  if (msg.type === 'hello') {
    if (flags.has('--no-hello')) return;
    const profile = flags.has('--profile46') ? { profile: { maxphyaddr: 46, features: ['nx', 'smep', 'smap', 'pdpe1gb'] } } : {};
    await write({ type: 'hello', protocol: flags.has('--bad-hello') ? 'other/9' : 'x64spec-impl/1', name: 'misbehave', version: '1', suites: ['paging'], ...profile });
    return;
  }
  if (msg.type === 'bye') process.exit(0);
  const id = msg.id;
  if (id.includes('crash')) process.exit(1);
  if (id.includes('exit0')) process.exit(0);
  if (id.includes('sigkill')) process.kill(process.pid, 'SIGKILL');
  if (id.includes('hang')) {
    hung = true;
    setInterval(() => undefined, 1 << 30);
    return;
  }
  if (id.includes('spawn')) {
    spawn('sleep', ['600'], { stdio: 'inherit' });
    hung = true;
    setInterval(() => undefined, 1 << 30);
    return;
  }
  if (id.includes('garbage')) {
    await out('this is not JSON {{{\n');
    return;
  }
  if (id.includes('huge')) {
    await out('x'.repeat(100 * 1024 * 1024) + '\n');
    return;
  }
  if (id.includes('wrongid')) {
    await write({ type: 'result', id: 'nope', output: {} });
    return;
  }
  if (id.includes('noisy')) process.stderr.write('n'.repeat(200 * 1024) + '\nnoisy-end\n');
  const answer = pagingModelAnswer(msg.input);
  await write('unsupported' in answer && Object.keys(answer).length === 1 ? { type: 'result', id, unsupported: answer.unsupported } : { type: 'result', id, output: answer });
}
rl.on('close', () => { void drain().then(() => process.exit(0)); });
