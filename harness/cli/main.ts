import { UsageError, type Command } from './command.ts';

/**
 * The command table. Each command lives in its own module, loaded only when used, so a
 * slow import (the report's browser bits, the QEMU adapter) never delays `x64spec walk`.
 */
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  start: () => import('./start.ts'),
  walk: () => import('./walk.ts'),
  run: () => import('./run.ts'),
  fuzz: () => import('./fuzz.ts'),
  vectors: () => import('./vectors.ts'),
  elf: () => import('./elf.ts'),
  handoff: () => import('./handoff.ts'),
  report: () => import('./report.ts'),
  bench: () => import('./bench.ts'),
};

async function help(): Promise<string> {
  const lines = ['usage: x64spec <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const summary = await load().then((m) => m.command.summary, () => '(not available)');
    lines.push(`  ${name.padEnd(9)} ${summary}`);
  }
  lines.push('', 'x64spec <command> --help shows a command\'s options.');
  return lines.join('\n');
}

/** Runs the CLI with the arguments after the program name; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await help()) + '\n');
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`x64spec: unknown command '${name}' (try x64spec --help)\n`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`x64spec ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
