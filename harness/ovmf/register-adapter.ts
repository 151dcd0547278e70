/**
 * Registers `--impl ovmf` (harness/adapters/registry.ts imports this file). Available
 * when QEMU, OVMF, mtools, gcc/binutils and gnu-efi are installed.
 */
import { existsSync } from 'node:fs';
import { registerAdapter } from '../adapters/registry.ts';
import { hasTool } from '../adapters/tools.ts';
import { OvmfAdapter } from './adapter.ts';
import { OVMF_CODE, OVMF_VARS } from './boot.ts';

const INSTALL = 'run `apt-get install -y qemu-system-x86 ovmf mtools gnu-efi gcc binutils` (or `npm run setup`)';

export function ovmfAvailability(): { available: boolean; reason?: string } {
  for (const f of [OVMF_CODE, OVMF_VARS, '/usr/lib/crt0-efi-x86_64.o']) {
    if (!existsSync(f)) return { available: false, reason: `${f} is missing: ${INSTALL}` };
  }
  for (const t of ['qemu-system-x86_64', 'mformat', 'gcc', 'ld', 'objcopy']) {
    if (!hasTool(t)) return { available: false, reason: `${t} not found: ${INSTALL}` };
  }
  return { available: true };
}

registerAdapter(
  'ovmf',
  (context) => new OvmfAdapter(context.spec, context.lanes),
  ovmfAvailability,
  { batchSize: 64, maxLanes: 1, kind: 'ovmf', description: 'real UEFI firmware: OVMF under QEMU TCG, one boot per vector (uefi and handoff suites)' },
);
