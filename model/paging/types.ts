import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import type { PhysAddr, VirtAddr } from './addr.ts';
import type { PhysMemory } from './memory.ts';
import type { U64 } from './u64.ts';

/** Paging features a CPU may have (CPUID-reported); the vector format's `cpu.features`. */
export type Feature = 'nx' | 'smep' | 'smap' | 'pku' | 'pdpe1gb';

export const FEATURES: readonly Feature[] = ['nx', 'smep', 'smap', 'pku', 'pdpe1gb'];

/** What the processor is: its physical-address width and paging features. */
export interface CpuModel {
  /** MAXPHYADDR, 32..52 (CPUID.80000008H:EAX[7:0]). */
  readonly maxPhyAddr: number;
  readonly features: ReadonlySet<Feature>;
}

export type Cpl = 0 | 1 | 2 | 3;

/** The architectural state that decides a translation. */
export interface Registers {
  readonly cr0: U64;
  readonly cr3: U64;
  readonly cr4: U64;
  readonly efer: U64;
  readonly rflags: U64;
  /** PKRU, a 32-bit register: bit 2i is AD for key i, bit 2i+1 is WD. */
  readonly pkru: number;
  readonly cpl: Cpl;
}

export interface PagingState {
  readonly cpu: CpuModel;
  readonly regs: Registers;
  readonly memory: PhysMemory;
}

export type AccessKind = 'read' | 'write' | 'fetch';

/** One memory access to translate. */
export interface Access {
  readonly va: VirtAddr;
  readonly kind: AccessKind;
  /**
   * A supervisor-mode implicit access (e.g. a descriptor-table read): it is a
   * supervisor-mode access whatever the CPL (PG.MODE.IMPLICIT_SUPERVISOR).
   */
  readonly implicit: boolean;
}

export type Level = 4 | 3 | 2 | 1;

export const LEVEL_NAMES: Record<Level, string> = { 4: 'PML4E', 3: 'PDPTE', 2: 'PDE', 1: 'PTE' };

export const PAGE_4K = 4096;
export const PAGE_2M = 2 * 1024 * 1024;
export const PAGE_1G = 1024 * 1024 * 1024;
export type PageSize = typeof PAGE_4K | typeof PAGE_2M | typeof PAGE_1G;

/** One step of the walk: which entry was read, what it held, and why the walk went on or stopped. */
export interface TraceStep {
  readonly level: Level;
  /** Physical address of the entry. */
  readonly entryPa: PhysAddr;
  /** The entry's value when read. */
  readonly entry: U64;
  /** The clauses that decided this step. */
  readonly clauses: readonly PagingClauseId[];
  /** What happened at this step, in words. */
  readonly note: string;
}

/** Rights of a translation, the combination over every entry used (PG.PERM.*). */
export interface Rights {
  readonly writable: boolean;
  readonly user: boolean;
  /** XD clear in every entry (always true when EFER.NXE = 0). */
  readonly executable: boolean;
}

/**
 * One accessed/dirty update. On success each is what the processor does; on a fault
 * each is something the processor may or may not have done (PG.AD.FAULT_MAY_SET_UPPER).
 */
export interface AdUpdate {
  readonly pa: PhysAddr;
  readonly before: U64;
  readonly after: U64;
  readonly level: Level;
}

export interface Translation {
  readonly outcome: 'ok';
  readonly pa: PhysAddr;
  readonly pageSize: PageSize;
  readonly rights: Rights;
  /** Protection key from the leaf (bits 62:59); meaningful only when CR4.PKE = 1. */
  readonly pkey: number;
  /** G flag of the leaf. */
  readonly global: boolean;
  /** A/D updates the access performs (all of them happen). */
  readonly updates: readonly AdUpdate[];
  readonly trace: readonly TraceStep[];
  /** The rule that produced this translation (the leaf's page-size rule). */
  readonly cause: PagingClauseId;
  /** Every clause that took part in deciding the outcome, `cause` included. */
  readonly clauses: readonly PagingClauseId[];
}

export interface PageFault {
  readonly outcome: 'fault';
  readonly vector: 14;
  readonly errorCode: number;
  /** CR2 receives the faulting linear address (PG.PF.CR2). */
  readonly cr2: VirtAddr;
  /** A updates the processor may have made before detecting the fault (each optional). */
  readonly updates: readonly AdUpdate[];
  readonly trace: readonly TraceStep[];
  /** The rule that caused the fault (not present, a reserved bit, or the denying right). */
  readonly cause: PagingClauseId;
  readonly clauses: readonly PagingClauseId[];
}

export interface GeneralProtectionFault {
  readonly outcome: 'fault';
  readonly vector: 13;
  readonly errorCode: 0;
  readonly updates: readonly AdUpdate[];
  readonly trace: readonly TraceStep[];
  readonly cause: 'PG.CANON.GP';
  readonly clauses: readonly PagingClauseId[];
}

export type Fault = PageFault | GeneralProtectionFault;
export type WalkResult = Translation | Fault;

/** #PF error-code bits (SDM Vol. 3A §4.7). */
export const PF_P = 1 << 0;
export const PF_WR = 1 << 1;
export const PF_US = 1 << 2;
export const PF_RSVD = 1 << 3;
export const PF_ID = 1 << 4;
export const PF_PK = 1 << 5;
