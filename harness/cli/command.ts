/** The shape every `x64spec <command>` module exports. */
export interface Command {
  /** One line for `x64spec --help`. */
  readonly summary: string;
  /** Full usage text for `x64spec <command> --help`. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: readonly string[]): Promise<number>;
}

/**
 * A problem with what the user typed or gave us (a bad flag, an unreadable file, a
 * malformed value). `main` prints its message on one line, without a stack trace, and
 * exits with code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
