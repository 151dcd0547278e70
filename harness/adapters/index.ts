/**
 * Turns an `--impl` spec into an AdapterFactory: `model`, a module path,
 * `process:'<command>'`, or a registered name (qemu, ovmf, …; see registry.ts).
 */
import { moduleFactory } from './inprocess.ts';
import { modelFactory } from './model.ts';
import { processFactory, type ProcessAdapterOptions } from './process.ts';
import { namedFactory, parseImplSpec } from './registry.ts';
import type { AdapterFactory } from './types.ts';

export { available, registerAdapter, parseImplSpec } from './registry.ts';
export type { AdapterContext, AdapterFactory, Availability } from './types.ts';

export interface FactoryOptions {
  readonly process?: ProcessAdapterOptions;
}

/** The factory for `spec`; throws UsageError for a spec that names nothing usable. */
export async function adapterFactory(spec: string, options: FactoryOptions = {}): Promise<AdapterFactory> {
  const s = parseImplSpec(spec);
  switch (s.kind) {
    case 'model':
      return modelFactory();
    case 'module':
      return moduleFactory(s.spec, s.path);
    case 'process':
      return processFactory(s.spec, s.command, options.process);
    case 'named':
      return namedFactory(s.name, s.spec);
  }
}
