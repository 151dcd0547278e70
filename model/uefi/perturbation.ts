/**
 * Firmware activity the loader does not control: a timer or other event's notification
 * function that allocates or frees memory between two of the loader's calls, which
 * changes the map and makes the loader's key stale (UEFI.EBS.EVENTS_MAY_ALLOCATE).
 */
export interface Perturbation {
  /** Fires just before the loader's call with this 0-based index. */
  readonly beforeCall: number;
  /** `timer` events stop once the timer is off (EDK2 stops it in any ExitBootServices attempt); `notify` ones do not. */
  readonly source: 'timer' | 'notify';
  /** `allocate` takes `pages` pages of EfiBootServicesData; `free` returns the oldest such firmware allocation. */
  readonly action: 'allocate' | 'free';
  readonly pages: number;
}
