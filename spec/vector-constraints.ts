/**
 * Constraints every paging vector in the corpus meets so that one guest runner can
 * execute it on a real MMU (QEMU TCG) without the vector's tables and the runner's own
 * code, data and legacy hardware holes getting in each other's way. The model itself
 * does not need them; the vector generator and the QEMU runner both import them from
 * here, so there is one home for the numbers.
 */

/**
 * The runner keeps its own code, stack, GDT, IDT and TSS mapped in every vector's
 * address space through this PML4 slot (linear 0xffffa000_00000000 – 0xffffa07f_ffffffff).
 * Vectors never translate an address in this slot and never list the qword of this slot
 * in their PML4 table.
 */
export const RUNNER_PML4_INDEX = 320;

/** Half-open physical ranges [start, end) that vector memory and accessed bytes must lie in. */
export const VECTOR_PHYS_WINDOWS: readonly (readonly [number, number])[] = [
  [0x0000_1000, 0x0009_f000], // conventional memory below the legacy VGA/BIOS hole
  [0x0010_0000, 0x0800_0000], // 1 MiB .. 128 MiB; the runner and its batches live above
];

/** True when [pa, pa+len) lies inside one vector window. */
export function inVectorWindow(pa: number, len = 1): boolean {
  return VECTOR_PHYS_WINDOWS.some(([s, e]) => pa >= s && pa + len <= e);
}
