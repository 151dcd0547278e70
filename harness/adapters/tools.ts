import { execFileSync } from 'node:child_process';

/** True when `cmd --version` runs: the tool is installed and on PATH. */
export function hasTool(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
