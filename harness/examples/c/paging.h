/*
 * A 4-level x86-64 page walk (Intel SDM Vol. 3A ch. 4), written the way an emulator
 * author would write one. Shared by the C example implementation (main.c) and the
 * walk benchmark (harness/bench/walkbench), which link paging.c.
 */
#ifndef X64SPEC_EXAMPLE_PAGING_H
#define X64SPEC_EXAMPLE_PAGING_H

#include <stdint.h>

typedef struct { uint64_t cr0, cr3, cr4, efer, rflags; uint32_t pkru; int cpl; int maxphyaddr; unsigned features; } x64_cpu; /* features: bit0 nx, bit1 smep, bit2 smap, bit3 pku, bit4 pdpe1gb */

enum x64_kind { X64_READ = 0, X64_WRITE = 1, X64_FETCH = 2 };

typedef struct { int fault; /* 0 ok, 13 #GP, 14 #PF */ uint64_t pa; uint32_t error_code; } x64_result;

/* Physical memory is provided by the caller at link time: */
uint64_t x64_mem_read64(void *mem, uint64_t pa);
void x64_mem_write64(void *mem, uint64_t pa, uint64_t value);

/*
 * Translates `va` for one access. On success sets the accessed flags of every entry used
 * and, for a write, the dirty flag of the leaf (through x64_mem_write64). On a fault it
 * writes nothing: the SDM lets a faulting walk leave upper accessed flags either way.
 * For #PF the faulting address is `va` itself (the caller's CR2).
 */
x64_result x64_translate(const x64_cpu *cpu, void *mem, uint64_t va, enum x64_kind kind, int implicit);

#define X64_FEAT_NX      (1u << 0)
#define X64_FEAT_SMEP    (1u << 1)
#define X64_FEAT_SMAP    (1u << 2)
#define X64_FEAT_PKU     (1u << 3)
#define X64_FEAT_PDPE1GB (1u << 4)

#endif
