/**
 * Profiles (DESIGN.md, x64spec-impl/1 hello `profile`): an implementation fixed to one
 * CPU cannot honour a vector written for another. Such vectors are `unsupported`, never
 * sent. A vector fits a profile when
 * - its MAXPHYADDR equals the profile's (reserved-bit faults depend on it, PG.RSVD.MAXPHYADDR);
 * - every feature it lists is in the profile (the CPU cannot grow one);
 * - it lists every profile feature that no register can turn off: `pdpe1gb` changes what
 *   PS in a PDPTE means (PG.RSVD.PDPTE.PS_NO_1G) whatever CR4/EFER say. nx, smep, smap and
 *   pku are off unless EFER.NXE / CR4 enable them, and a vector for a CPU without them
 *   never enables them (PG.STATE.FEATURE_BITS), so extra ones in the profile are harmless.
 */
import type { JsonObject, Profile } from '../types.ts';

const NOT_MASKABLE: readonly string[] = ['pdpe1gb'];

/** Why the vector's `input.cpu` does not fit `profile`, or undefined when it fits (or names no cpu). */
export function profileMismatch(profile: Profile, input: JsonObject): string | undefined {
  const cpu = input.cpu;
  if (typeof cpu !== 'object' || cpu === null || Array.isArray(cpu)) return undefined;
  const max = cpu.maxphyaddr;
  if (typeof max === 'number' && max !== profile.maxphyaddr) {
    return `profile has MAXPHYADDR ${profile.maxphyaddr}, the vector needs ${max}`;
  }
  const features = Array.isArray(cpu.features) ? cpu.features.filter((f): f is string => typeof f === 'string') : [];
  const lacking = features.filter((f) => !profile.features.includes(f));
  if (lacking.length > 0) return `profile lacks ${lacking.join(', ')}`;
  const extra = NOT_MASKABLE.filter((f) => profile.features.includes(f) && !features.includes(f));
  if (extra.length > 0) return `profile has ${extra.join(', ')}, which the vector's CPU lacks and no register turns off`;
  return undefined;
}
