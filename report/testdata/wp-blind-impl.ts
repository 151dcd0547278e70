/**
 * A deliberately wrong paging implementation for the report's tests: it answers like
 * the model but ignores CR0.WP (so supervisor writes to read-only pages succeed), it
 * fails with an exception on implicit supervisor accesses (an `error` verdict), and it
 * claims a fixed CPU profile (MAXPHYADDR 40, every feature) so vectors for other CPUs
 * come back `unsupported`. Loaded by the harness's module adapter.
 */
import { pagingModelAnswer } from '../../harness/suites/paging.ts';
import type { JsonObject } from '../../harness/types.ts';

export const implementation = {
  name: 'wp-blind',
  version: '0.0.1-test',
  profile: { maxphyaddr: 40, features: ['nx', 'smep', 'smap', 'pku', 'pdpe1gb'] },
};

const WP = 1n << 16n;

export function paging(input: JsonObject): unknown {
  const access = input.access as JsonObject;
  if (access.implicit === true) throw new Error('implicit supervisor accesses are not implemented');
  const regs = input.regs as JsonObject;
  const cr0 = BigInt(regs.cr0 as string) & ~WP;
  return pagingModelAnswer({ ...input, regs: { ...regs, cr0: '0x' + cr0.toString(16) } });
}
