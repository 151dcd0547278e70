import fc from 'fast-check';

/** The seed every property uses unless X64SPEC_SEED says otherwise (fixed for CI). */
export const DEFAULT_SEED = 0x64_5ec;

/** How many runs a property gets: its base count times X64SPEC_NUM_RUNS (default 1). */
export function numRuns(base: number): number {
  const scale = Number(process.env.X64SPEC_NUM_RUNS ?? '1');
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new Error(`X64SPEC_NUM_RUNS must be a positive number, got '${process.env.X64SPEC_NUM_RUNS}'`);
  }
  return Math.max(1, Math.round(base * scale));
}

export function seed(): number {
  const raw = process.env.X64SPEC_SEED;
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`X64SPEC_SEED must be an integer, got '${raw}'`);
  return n;
}

/**
 * The replay command for one failing property run. Vitest reads `-t` as a regular
 * expression, and our test names carry clause ids in brackets (`[PG.PF.CR2]`), so the
 * name is regex-escaped and then single-quoted for the shell. Only the test's own name
 * is used (vitest joins describe blocks with ' > ' in `currentTestName`, but matches the
 * pattern against its own form of the full name).
 */
export function replayCommand(
  where: { file: string; name: string }, seedValue: number, path: string | undefined, commandsPath?: string,
): string {
  const env = [`X64SPEC_SEED=${seedValue}`];
  if (path !== undefined) env.push(`X64SPEC_PATH=${path}`);
  if (commandsPath !== undefined) env.push(`X64SPEC_REPLAY_PATH=${shellQuote(commandsPath)}`);
  const rel = where.file.replace(process.cwd() + '/', '');
  const own = where.name.split(' > ').pop() ?? where.name;
  const pattern = own.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `${env.join(' ')} npx vitest run ${rel} -t ${shellQuote(pattern)}`;
}

/**
 * The `replayPath` to give `fc.commands(…, { replayPath })` when replaying a failed
 * model-based run (X64SPEC_REPLAY_PATH, printed in the replay command); undefined
 * otherwise. A command sequence cannot be replayed from the seed and path alone.
 */
export function commandsReplayPath(): string | undefined {
  const p = process.env.X64SPEC_REPLAY_PATH;
  return p === undefined || p === '' ? undefined : p;
}

/** The replayPath fast-check prints inside a command sequence's description, if any. */
export function replayPathOf(counterexample: unknown): string | undefined {
  return /\/\*replayPath="([^"]*)"\*\//.exec(fc.stringify(counterexample))?.[1];
}

/** Single-quotes `text` for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * fast-check's global parameters. With X64SPEC_PATH set (from a replay command) each
 * property re-runs only the recorded failing path.
 */
export function fcParameters(where: (details: fc.RunDetails<unknown>) => { file: string; name: string }): fc.GlobalParameters {
  const s = seed();
  const path = process.env.X64SPEC_PATH;
  return {
    seed: s,
    numRuns: numRuns(100),
    ...(path ? { path, endOnFailure: true } : {}),
    reporter(details) {
      if (!details.failed) return;
      const cmd = replayCommand(where(details), details.seed, details.counterexamplePath ?? undefined, replayPathOf(details.counterexample));
      // Rethrow fast-check's own report, with the replay line in front of it.
      const fcReport = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      throw new Error(
        `Property failed after ${details.numRuns} run(s); seed ${details.seed}, path ${details.counterexamplePath}\n` +
        `Counterexample: ${JSON.stringify(details.counterexample, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}n` : v))}\n` +
        `Replay only this case:\n  ${cmd}\n\n${fcReport}`,
      );
    },
  };
}
