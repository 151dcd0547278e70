import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleRamFiles } from './launch.ts';

describe('removeStaleRamFiles', () => {
  it('removes RAM files of processes that are gone and keeps live ones and other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x64spec-stale-'));
    try {
      const gone = join(dir, 'x64spec-qemu-999999999-0-0.ram');
      const mine = join(dir, `x64spec-qemu-${process.pid}-0-0.ram`);
      const other = join(dir, 'unrelated.ram');
      for (const f of [gone, mine, other]) writeFileSync(f, '');
      removeStaleRamFiles(dir);
      expect([existsSync(gone), existsSync(mine), existsSync(other)]).toEqual([false, true, true]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
