/**
 * The tags guest/runner.s fills the vector windows with, in TypeScript: the tests check
 * guest RAM against them, and they document the encoding in one readable place.
 *
 * Qword of 4 KiB page p: byte 0 = 0x06, bytes 1–4 and 6 = nibbles 0–4 of p through
 * ALPHABET, byte 5 = 0x06, byte 7 = ALPHABET[XOR of the five nibbles]. 0x06 and every
 * alphabet byte are invalid opcodes in 64-bit mode (a fetch traps with #UD), byte 0 has
 * P = 0 (an entry read from untouched memory is not present), and byte 5, a descriptor's
 * access byte, is never a present code or data segment (a descriptor read never writes).
 */
import { VECTOR_PHYS_WINDOWS } from '../../spec/vector-constraints.ts';

export const ALPHABET: readonly number[] = [0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x62, 0x82, 0xce, 0xea];
const MARKER = 0x06;

/** The tag of 4 KiB page `page`, as 8 little-endian bytes. */
export function tagBytes(page: number): Uint8Array {
  const n = [0, 4, 8, 12, 16].map((s) => (page >>> s) & 15);
  const parity = n.reduce((a, b) => a ^ b, 0);
  return Uint8Array.from([MARKER, ALPHABET[n[0]!]!, ALPHABET[n[1]!]!, ALPHABET[n[2]!]!, ALPHABET[n[3]!]!, MARKER, ALPHABET[n[4]!]!, ALPHABET[parity]!]);
}

/** Every qword in [start, end) of `ram` (guest-physical offsets) that is not its page's tag. */
export function untaggedQwords(ram: Uint8Array, windows = VECTOR_PHYS_WINDOWS): number[] {
  const bad: number[] = [];
  for (const [start, end] of windows) {
    for (let page = start; page < end; page += 4096) {
      const tag = tagBytes(page / 4096);
      for (let q = page; q < page + 4096; q += 8) {
        for (let k = 0; k < 8; k++) {
          if (ram[q + k] !== tag[k]) {
            bad.push(q);
            break;
          }
        }
      }
    }
  }
  return bad;
}
