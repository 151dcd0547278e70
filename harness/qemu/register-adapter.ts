/**
 * Registers `--impl qemu` (harness/adapters/registry.ts imports this file). Available
 * when qemu-system-x86_64 and binutils (as, ld, objcopy) are installed.
 */
import { registerAdapter } from '../adapters/registry.ts';
import { hasTool } from '../adapters/tools.ts';
import { QemuAdapter, qemuVersion } from './adapter.ts';

/** Whether QEMU and the runner's toolchain are installed here, and if not what to run. */
export function qemuAvailability(): { available: boolean; reason?: string } {
  if (qemuVersion() === undefined) return { available: false, reason: 'qemu-system-x86_64 not found: run `apt-get install -y qemu-system-x86` (or `npm run setup`)' };
  for (const t of ['as', 'ld', 'objcopy']) {
    if (!hasTool(t)) return { available: false, reason: `${t} not found: run \`apt-get install -y binutils\` (or \`npm run setup\`)` };
  }
  return { available: true };
}

registerAdapter(
  'qemu',
  (context) => new QemuAdapter({ workDir: context.workDir, lane: context.lane, lanes: context.lanes, spec: context.spec }),
  qemuAvailability,
  {
    // One lane that runs a QEMU per core itself: it groups a whole batch by CPU profile,
    // so every profile boots once per batch instead of once per lane.
    batchSize: 50_000,
    maxLanes: 1,
    kind: 'qemu',
    description: "QEMU's TCG x86-64 MMU through a bare-metal runner (paging suite; one QEMU per lane)",
  },
);
