/*
 * x86-64 4-level paging, written from our reading of Intel SDM Vol. 3A chapter 4
 * (§4.5 the walk, §4.6 access rights and protection keys, §4.7 the #PF error code,
 * §4.8 accessed and dirty flags). It is deliberately independent of the TypeScript model.
 *
 * Choices an implementation may make (the vectors accept either):
 * - On a fault we set no accessed flag at all (the SDM allows A to be set or not in the
 *   entries above the one that caused the fault; leaving them is the simplest).
 */
#include "paging.h"

#define BIT(n) (1ull << (n))

/* Entry bits (§4.5, Tables 4-15..4-20). */
#define PTE_P   BIT(0)
#define PTE_RW  BIT(1)
#define PTE_US  BIT(2)
#define PTE_A   BIT(5)
#define PTE_D   BIT(6)
#define PTE_PS  BIT(7)
#define PTE_XD  BIT(63)

/* Control-register bits. */
#define CR0_WP    BIT(16)
#define CR4_SMEP  BIT(20)
#define CR4_SMAP  BIT(21)
#define CR4_PKE   BIT(22)
#define EFER_NXE  BIT(11)
#define RFLAGS_AC BIT(18)

/* Error-code bits (§4.7). */
#define EC_P    (1u << 0)
#define EC_WR   (1u << 1)
#define EC_US   (1u << 2)
#define EC_RSVD (1u << 3)
#define EC_ID   (1u << 4)
#define EC_PK   (1u << 5)

/* Bits hi..lo set. */
static inline uint64_t bits(int hi, int lo) {
  uint64_t upper = hi >= 63 ? ~0ull : (BIT(hi + 1) - 1);
  return upper & ~(BIT(lo) - 1);
}

static x64_result fault(int vector, uint32_t code) {
  x64_result r = { vector, 0, code };
  return r;
}

x64_result x64_translate(const x64_cpu *cpu, void *mem, uint64_t va, enum x64_kind kind, int implicit) {
  const int nxe = (cpu->efer & EFER_NXE) != 0;
  const int write = kind == X64_WRITE;
  const int fetch = kind == X64_FETCH;
  /* Implicit (system-structure) accesses count as supervisor accesses at any CPL. */
  const int user = cpu->cpl == 3 && !implicit;

  /* Canonical check first: bits 63..47 must all equal bit 47, or #GP(0) without a walk. */
  uint64_t top = va >> 47;
  if (top != 0 && top != 0x1ffff) return fault(13, 0);

  /* The common part of every #PF error code for this access. */
  uint32_t ec = (write ? EC_WR : 0) | (user ? EC_US : 0) |
                (fetch && (nxe || (cpu->cr4 & CR4_SMEP)) ? EC_ID : 0);

  const uint64_t frame = bits(cpu->maxphyaddr - 1, 12);
  const uint64_t above = cpu->maxphyaddr < 52 ? bits(51, cpu->maxphyaddr) : 0;

  uint64_t table = cpu->cr3 & frame;
  uint64_t entry_pa[4];
  uint64_t entries[4];
  int used = 0;
  uint64_t pa = 0;
  int all_rw = 1, all_us = 1, any_xd = 0;

  for (int level = 4; level >= 1; level--) {
    int shift = 12 + 9 * (level - 1);
    uint64_t slot = table + ((va >> shift) & 0x1ff) * 8;
    uint64_t e = x64_mem_read64(mem, slot);
    if (!(e & PTE_P)) return (x64_result){ 14, 0, ec };

    /* Reserved bits of a present entry end the walk with RSVD (and P) set. */
    uint64_t rsvd = above;
    if (!nxe) rsvd |= PTE_XD;
    int leaf = level == 1;
    if (level == 4) rsvd |= PTE_PS;
    if (level == 3 && (e & PTE_PS)) {
      if (cpu->features & X64_FEAT_PDPE1GB) { rsvd |= bits(29, 13); leaf = 1; }
      else rsvd |= PTE_PS;
    }
    if (level == 2 && (e & PTE_PS)) { rsvd |= bits(20, 13); leaf = 1; }
    if (e & rsvd) return (x64_result){ 14, 0, ec | EC_P | EC_RSVD };

    entry_pa[used] = slot;
    entries[used] = e;
    used++;
    all_rw &= (e & PTE_RW) != 0;
    all_us &= (e & PTE_US) != 0;
    any_xd |= nxe && (e & PTE_XD);

    if (leaf) {
      uint64_t offset = bits(shift - 1, 0);
      pa = (e & frame & ~offset) | (va & offset);
      break;
    }
    table = e & frame;
  }

  /* Access rights (§4.6.1) and protection keys (§4.6.2). */
  uint64_t leaf_entry = entries[used - 1];
  int denied = 0, pk = 0;
  if (user) {
    if (!all_us) denied = 1;
    else if (write && !all_rw) denied = 1;
    else if (fetch && any_xd) denied = 1;
  } else if (fetch) {
    if (all_us && (cpu->cr4 & CR4_SMEP)) denied = 1;
    if (any_xd) denied = 1;
  } else {
    int ac = (cpu->rflags & RFLAGS_AC) != 0;
    if (all_us && (cpu->cr4 & CR4_SMAP) && (implicit || !ac)) denied = 1;
    if (write && !all_rw && (cpu->cr0 & CR0_WP)) denied = 1;
  }
  /* Keys govern data accesses to user-mode addresses only. */
  if (!fetch && all_us && (cpu->cr4 & CR4_PKE)) {
    int key = (int)((leaf_entry >> 59) & 0xf);
    int ad = (cpu->pkru >> (2 * key)) & 1;
    int wd = (cpu->pkru >> (2 * key + 1)) & 1;
    if (ad) pk = 1;
    else if (write && wd && (user || (cpu->cr0 & CR0_WP))) pk = 1;
  }
  if (denied || pk) return (x64_result){ 14, 0, ec | EC_P | (pk ? EC_PK : 0) };

  /* Success: A in every entry used, D in the leaf on a write (§4.8). */
  for (int i = 0; i < used; i++) {
    uint64_t want = entries[i] | PTE_A;
    if (write && i == used - 1) want |= PTE_D;
    if (want != entries[i]) x64_mem_write64(mem, entry_pa[i], want);
  }
  return (x64_result){ 0, pa, 0 };
}
