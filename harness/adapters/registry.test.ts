// Named adapters: registration, availability, and resolving --impl names through the registry.
import { describe, expect, it } from 'vitest';
import { adapterFactory } from './index.ts';
import { available, availability, registerAdapter, registeredAdapterNames } from './registry.ts';
import type { Adapter } from '../types.ts';

const fake = (name: string): Adapter => ({
  kind: 'process',
  hello: async (suites) => ({ spec: name, kind: 'process', name, version: '1', suites }),
  run: async (cases) => cases.map((c) => ({ id: c.id, unsupported: 'fake' })),
  close: async () => undefined,
});

describe('adapter registry', () => {
  it('lists registered adapters by availability, with the reason for the unusable ones', async () => {
    registerAdapter('fake-here', () => fake('here'), () => true, { batchSize: 7, maxLanes: 1 });
    registerAdapter('fake-missing', () => fake('missing'), () => ({ available: false, reason: 'apt-get install -y fake' }));
    registerAdapter('fake-broken', () => fake('broken'), () => { throw new Error('probe crashed'); });
    const names = await registeredAdapterNames();
    expect(names).toEqual(expect.arrayContaining(['fake-here', 'fake-missing', 'fake-broken', 'qemu']));
    const { usable, unusable } = await available();
    expect(usable).toContain('fake-here');
    expect(unusable).toEqual(expect.arrayContaining([
      { name: 'fake-missing', reason: 'apt-get install -y fake' },
      { name: 'fake-broken', reason: 'probe crashed' },
    ]));
    expect(await availability('nope')).toEqual({ available: false, reason: "no adapter named 'nope' is registered" });
  });

  it('resolves a registered name to a factory with its options, and refuses unusable or unknown ones', async () => {
    registerAdapter('fake-here', () => fake('here'), () => true, { batchSize: 7, maxLanes: 1 });
    const f = await adapterFactory('fake-here');
    expect(f).toMatchObject({ spec: 'fake-here', batchSize: 7, maxLanes: 1, kind: 'process' });
    const a = await f.create({ spec: 'fake-here', lane: 0, lanes: 1, workDir: 'out/x' });
    expect((await a.hello(['paging'])).name).toBe('here');
    registerAdapter('fake-missing', () => fake('missing'), () => ({ available: false, reason: 'apt-get install -y fake' }));
    await expect(adapterFactory('fake-missing')).rejects.toThrow(/not available on this machine: apt-get install -y fake/);
    await expect(adapterFactory('zzz')).rejects.toThrow(/--impl zzz: unknown implementation \(known: model, process:'<command>', <module path>, .*qemu/);
  });

  it('refuses names that would shadow the built-in specs', () => {
    expect(() => registerAdapter('model', () => fake('m'), () => true)).toThrow(/not a usable adapter name/);
    expect(() => registerAdapter('Bad Name', () => fake('m'), () => true)).toThrow(/not a usable adapter name/);
  });
});
