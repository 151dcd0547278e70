/**
 * `--shard i/N`: a deterministic split of the corpus by vector id, so N machines (or CI
 * jobs) each run one part and together run every vector exactly once. A vector's shard
 * depends on its id only (FNV-1a), so adding vectors never moves the others.
 */
import { UsageError } from '../cli/command.ts';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) throw new UsageError(`--shard ${text}: expected i/N, e.g. 2/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new UsageError(`--shard ${text}: need 1 <= i <= N`);
  return { index, count };
}

/** FNV-1a over the id's UTF-16 code units, 32-bit. */
export function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function inShard(id: string, shard: Shard): boolean {
  return idHash(id) % shard.count === shard.index - 1;
}
