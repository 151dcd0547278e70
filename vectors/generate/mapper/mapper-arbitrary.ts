import fc from 'fast-check';
import type { MapperFlagsJson, MapperInputJson, MapperOperationJson, PageSizeName } from '../../io/mapper.ts';
import { COMMON_PROFILES } from '../profiles.ts';
import { mapperInput } from './setup.ts';

/**
 * fast-check arbitraries for mapper inputs: a starting state built by a few random maps,
 * then a random list of map / unmap / protect operations over a small pool of addresses
 * (so they collide: already mapped, inside huge pages, splits, tables in the way), now
 * and then with misaligned or non-canonical addresses, frames beyond MAXPHYADDR, XD
 * without NXE, and too few frames.
 */
const SIZE_BYTES: Record<PageSizeName, number> = { '4K': 0x1000, '2M': 0x20_0000, '1G': 0x4000_0000 };

/** Region bases: low memory, 1 GiB, just below 512 GiB, the start of the upper half, the top 1 GiB. */
const REGIONS = [0, 0x4000_0000, 0x7f_c000_0000, 0xffff_8000_0000_0000, 0xffff_ffff_c000_0000] as const;

const hexN = (n: number) => '0x' + n.toString(16);
const hexBig = (n: bigint) => '0x' + BigInt.asUintN(64, n).toString(16);

const sizeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<PageSizeName>('4K') },
  { weight: 3, arbitrary: fc.constant<PageSizeName>('2M') },
  { weight: 1, arbitrary: fc.constant<PageSizeName>('1G') },
);

/** Addresses that collide often: the first four pages of the op's size (or of 4 KiB) in one of the regions. */
const vaArb = (opSize: PageSizeName) => fc.record({
  region: fc.constantFrom(...REGIONS),
  size: fc.oneof({ weight: 2, arbitrary: fc.constant(opSize) }, { weight: 1, arbitrary: fc.constant<PageSizeName>('4K') }),
  k: fc.integer({ min: 0, max: 3 }),
  skew: fc.oneof({ weight: 30, arbitrary: fc.constant(0n) }, { weight: 1, arbitrary: fc.constant(0x800n) }, { weight: 1, arbitrary: fc.constant(0x8000_0000_0000n) }),
}).map(({ region, size, k, skew }) => hexBig(BigInt(region) + BigInt(k * SIZE_BYTES[size]) + skew));

const flagsArb: fc.Arbitrary<MapperFlagsJson> = fc.record({
  writable: fc.boolean(), user: fc.boolean(), executable: fc.boolean(),
  global: fc.boolean(), pkey: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 15 }) }),
});

function paArb(size: PageSizeName, maxphyaddr: number): fc.Arbitrary<string> {
  const frames = Math.max(1, Math.min(2 ** 20, 2 ** (maxphyaddr - Math.log2(SIZE_BYTES[size]))));
  return fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0, max: frames - 1 }).map((f) => hexN(f * SIZE_BYTES[size])) },
    { weight: 1, arbitrary: fc.constant(hexN(Math.min(2 ** maxphyaddr, 2 ** 52 - SIZE_BYTES[size]))) },
    { weight: 1, arbitrary: fc.constant(hexN(SIZE_BYTES[size] + 0x1000)) },
  );
}

function opArb(maxphyaddr: number): fc.Arbitrary<MapperOperationJson> {
  return fc.record({
    op: fc.oneof({ weight: 5, arbitrary: fc.constant('map' as const) }, { weight: 2, arbitrary: fc.constant('unmap' as const) }, { weight: 2, arbitrary: fc.constant('protect' as const) }),
    size: sizeArb, flags: flagsArb,
    onHugePage: fc.constantFrom<'fail' | 'split'>('fail', 'split'),
  }).chain((o) => fc.tuple(vaArb(o.size), paArb(o.size, maxphyaddr)).map(([va, pa]): MapperOperationJson => {
    switch (o.op) {
      case 'map': return { op: 'map', va, pa, size: o.size, flags: o.flags, onHugePage: o.onHugePage };
      case 'unmap': return { op: 'unmap', va, size: o.size, onHugePage: o.onHugePage };
      case 'protect': return { op: 'protect', va, size: o.size, flags: o.flags, onHugePage: o.onHugePage };
    }
  }));
}

/** Random mapper inputs (valid per spec/schemas/mapper-input.schema.json and the reader's checks). */
export function mapperInputArbitrary(): fc.Arbitrary<MapperInputJson> {
  return fc.constantFrom(...COMMON_PROFILES).chain((profile) => fc.record({
    nxe: profile.features.includes('nx') ? fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) : fc.constant(false),
    setup: fc.array(opArb(profile.maxphyaddr).filter((o) => o.op === 'map'), { maxLength: 6 }),
    ops: fc.array(opArb(profile.maxphyaddr), { minLength: 1, maxLength: 8 }),
    frames: fc.oneof({ weight: 8, arbitrary: fc.constant(64) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }) }),
  }).map(({ nxe, setup, ops, frames }) => mapperInput(profile, nxe, setup, ops, frames)));
}
