import type fc from 'fast-check';

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

/** The replay command for one failing property run. */
export function replayCommand(where: { file: string; name: string }, seedValue: number, path: string | undefined): string {
  const env = [`X64SPEC_SEED=${seedValue}`];
  if (path !== undefined) env.push(`X64SPEC_PATH=${path}`);
  const rel = where.file.replace(process.cwd() + '/', '');
  return `${env.join(' ')} npx vitest run ${rel} -t ${JSON.stringify(where.name)}`;
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
      const cmd = replayCommand(where(details), details.seed, details.counterexamplePath ?? undefined);
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
