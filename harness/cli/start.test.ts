// `npm start` (x64spec start): the model over the whole corpus plus every real adapter
// available here, one results file, then the report.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { available } from '../adapters/index.ts';
import type { ResultsFile } from '../results.ts';

describe('x64spec start', () => {
  it('runs the model and the available real adapters over the corpus and writes the report', { timeout: 600_000 }, async () => {
    const out = 'out/test-work/start';
    rmSync(out, { recursive: true, force: true });
    // OVMF boots take minutes and have their own tests; QEMU and any other real adapter run.
    const { stdout } = await promisify(execFile)('node', ['bin/x64spec.js', 'start', '--out', out, '--skip', 'ovmf'], { maxBuffer: 1 << 26, timeout: 600_000 });
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    const { usable } = await available();
    expect(results.runs.map((r) => r.impl.spec)).toEqual(['model', ...usable.filter((n) => n !== 'ovmf')]);
    const model = results.runs[0]!;
    expect(model.counts.fail + model.counts.error + model.counts.unsupported).toBe(0);
    expect(model.counts.pass).toBeGreaterThan(10_000);
    expect(stdout).toMatch(/^x64spec model .*: \d+ pass, 0 fail, 0 unsupported, 0 error/m);
    expect(stdout).toContain(`report: ${join(out, 'report.html')}`);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });
});
