/** The UEFI exit flow model: memory map, boot and runtime services, loader retry loop, reuse rules. */
export * from './status.ts';
export * from './memory-type.ts';
export * from './descriptor.ts';
export * from './memory-map.ts';
export * from './calls.ts';
export * from './perturbation.ts';
export * from './firmware.ts';
export * from './loader.ts';
export * from './normalize.ts';
export * from './sample-maps.ts';
