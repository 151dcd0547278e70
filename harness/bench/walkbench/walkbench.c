/*
 * walkbench: times the C example's page walk (harness/examples/c/paging.c) over a
 * workload exported by the TypeScript benchmark (workload.ts), so both translate the
 * same addresses through the same tables.
 *
 *   walkbench FILE MIN_SECONDS
 *
 * Prints one JSON line: {"translations":N,"seconds":S,"checksum":C,"faults":F} (S in
 * CPU seconds of this process) where
 * the checksum is the sum, modulo 2^32, of the physical addresses of one pass over the
 * address list (the TypeScript side computes the same sum to prove both agree).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "paging.h"

/* Physical memory: a frame-number-indexed array of 4 KiB frames; absent frames read 0. */
typedef struct {
  uint8_t **frames;
  uint64_t count; /* number of frame slots */
} memory;

uint64_t x64_mem_read64(void *mem, uint64_t pa) {
  memory *m = mem;
  uint64_t pfn = pa >> 12;
  if (pfn >= m->count || m->frames[pfn] == NULL) return 0;
  uint64_t v;
  memcpy(&v, m->frames[pfn] + (pa & 0xfff), 8);
  return v;
}

void x64_mem_write64(void *mem, uint64_t pa, uint64_t value) {
  memory *m = mem;
  uint64_t pfn = pa >> 12;
  if (pfn >= m->count) {
    fprintf(stderr, "walkbench: write outside the workload's memory at 0x%llx\n", (unsigned long long)pa);
    exit(1);
  }
  if (m->frames[pfn] == NULL) m->frames[pfn] = calloc(1, 4096);
  memcpy(m->frames[pfn] + (pa & 0xfff), &value, 8);
}

static void die(const char *what) {
  fprintf(stderr, "walkbench: %s\n", what);
  exit(2);
}

static uint64_t u64_at(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static uint32_t u32_at(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* CPU time of this process: like the TypeScript side, so other load on the machine does not count. */
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 3) die("usage: walkbench FILE MIN_SECONDS");
  double min_seconds = atof(argv[2]);
  FILE *f = fopen(argv[1], "rb");
  if (f == NULL) die("cannot open the workload file");
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (size < 80) die("workload file too short");
  uint8_t *buf = malloc((size_t)size);
  if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) die("cannot read the workload file");
  fclose(f);
  if (memcmp(buf, "X64WALK1", 8) != 0) die("not a walkbench workload (bad magic)");

  x64_cpu cpu;
  const uint8_t *p = buf + 8;
  cpu.cr0 = u64_at(p); cpu.cr3 = u64_at(p + 8); cpu.cr4 = u64_at(p + 16); cpu.efer = u64_at(p + 24); cpu.rflags = u64_at(p + 32);
  p += 40;
  cpu.pkru = u32_at(p); cpu.cpl = (int)u32_at(p + 4); cpu.maxphyaddr = (int)u32_at(p + 8); cpu.features = u32_at(p + 12);
  p += 16;
  uint64_t nframes = u64_at(p), nvas = u64_at(p + 8);
  p += 16;
  if ((uint64_t)size != 80 + nframes * 4104 + nvas * 8) die("workload file size does not match its header");

  memory mem = { NULL, 0 };
  for (uint64_t i = 0; i < nframes; i++) {
    uint64_t pfn = u64_at(p + i * 4104) >> 12;
    if (pfn + 1 > mem.count) mem.count = pfn + 1;
  }
  mem.frames = calloc(mem.count ? mem.count : 1, sizeof *mem.frames);
  if (mem.frames == NULL) die("out of memory");
  for (uint64_t i = 0; i < nframes; i++, p += 4104) mem.frames[u64_at(p) >> 12] = (uint8_t *)p + 8;
  uint64_t *vas = malloc(nvas * sizeof *vas);
  if (vas == NULL && nvas > 0) die("out of memory");
  for (uint64_t i = 0; i < nvas; i++) vas[i] = u64_at(p + i * 8);

  uint32_t checksum = 0;
  uint64_t faults = 0, done = 0;
  double start = now(), elapsed = 0;
  int pass = 0;
  do {
    uint32_t sum = 0;
    for (uint64_t i = 0; i < nvas; i++) {
      x64_result r = x64_translate(&cpu, &mem, vas[i], X64_READ, 0);
      sum += (uint32_t)r.pa;
      faults += r.fault != 0;
    }
    if (pass++ == 0) checksum = sum;
    done += nvas;
    elapsed = now() - start;
  } while (elapsed < min_seconds);
  printf("{\"translations\":%llu,\"seconds\":%.6f,\"checksum\":%u,\"faults\":%llu}\n",
         (unsigned long long)done, elapsed, checksum, (unsigned long long)faults);
  return 0;
}
