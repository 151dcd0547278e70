/*
 * x64spec-example-c: a paging implementation speaking x64spec-impl/1 on stdin/stdout,
 * the way an emulator author would hook their MMU into x64spec. It reads one JSON
 * object per line, answers each case with its own walk (paging.c), and flushes its
 * answers whenever it has consumed all the input that has arrived so far.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "paging.h"

/* ── physical memory: the qwords the case lists; everything else reads as zero ── */
typedef struct { uint64_t pa, value; } qword;
typedef struct { qword *q; size_t n; } memory;

uint64_t x64_mem_read64(void *mem, uint64_t pa) {
  memory *m = mem;
  for (size_t i = 0; i < m->n; i++) if (m->q[i].pa == pa) return m->q[i].value;
  return 0;
}

void x64_mem_write64(void *mem, uint64_t pa, uint64_t value) {
  memory *m = mem;
  for (size_t i = 0; i < m->n; i++) if (m->q[i].pa == pa) { m->q[i].value = value; return; }
  /* A walk only writes entries it read as present, so every written qword was listed. */
  fprintf(stderr, "x64spec-example-c: write to unlisted qword 0x%llx ignored\n", (unsigned long long)pa);
}

/* ── output ── */
static char *out;
static size_t out_len, out_cap;

static void emit(const char *s, size_t n) {
  if (out_len + n > out_cap) {
    out_cap = (out_len + n) * 2 + 4096;
    out = realloc(out, out_cap);
    if (!out) { perror("realloc"); exit(1); }
  }
  memcpy(out + out_len, s, n);
  out_len += n;
}
static void emits(const char *s) { emit(s, strlen(s)); }
static void emit_hex(uint64_t v) { char b[24]; int n = snprintf(b, sizeof b, "\"0x%llx\"", (unsigned long long)v); emit(b, (size_t)n); }
static void emit_json_string(const char *s) {
  emit("\"", 1);
  for (; *s; s++) {
    char b[8];
    if (*s == '"' || *s == '\\') { b[0] = '\\'; b[1] = *s; emit(b, 2); }
    else if ((unsigned char)*s < 0x20) { int n = snprintf(b, sizeof b, "\\u%04x", (unsigned char)*s); emit(b, (size_t)n); }
    else emit(s, 1);
  }
  emit("\"", 1);
}
static void flush_out(void) {
  size_t off = 0;
  while (off < out_len) {
    ssize_t w = write(1, out + off, out_len - off);
    if (w < 0) { if (errno == EINTR) continue; exit(1); }
    off += (size_t)w;
  }
  out_len = 0;
}

/* ── reading the case ── */
static int hex64(const json *j, uint64_t *v) {
  if (!j || j->type != J_STR) return 0;
  const char *s = j->str;
  if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2]) return 0;
  uint64_t r = 0;
  int digits = 0;
  for (s += 2; *s; s++, digits++) {
    int d;
    if (*s >= '0' && *s <= '9') d = *s - '0';
    else if (*s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
    else if (*s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
    else return 0;
    if (digits >= 16) return 0;
    r = (r << 4) | (uint64_t)d;
  }
  *v = r;
  return 1;
}

static void answer_unsupported(const char *id, const char *why) {
  emits("{\"type\":\"result\",\"id\":");
  emit_json_string(id);
  emits(",\"unsupported\":");
  emit_json_string(why);
  emits("}\n");
}

static void paging_case(const char *id, const json *input) {
  const json *cpu = json_get(input, "cpu"), *regs = json_get(input, "regs");
  const json *mem = json_get(input, "memory"), *acc = json_get(input, "access");
  x64_cpu c = {0};
  uint64_t pkru = 0, va = 0;
  const json *maxphy = json_get(cpu, "maxphyaddr"), *cpl = json_get(regs, "cpl");
  const json *kind = json_get(acc, "kind"), *implicit = json_get(acc, "implicit");
  if (!maxphy || maxphy->type != J_NUM || !cpl || cpl->type != J_NUM || !mem || mem->type != J_ARR ||
      !hex64(json_get(regs, "cr0"), &c.cr0) || !hex64(json_get(regs, "cr3"), &c.cr3) ||
      !hex64(json_get(regs, "cr4"), &c.cr4) || !hex64(json_get(regs, "efer"), &c.efer) ||
      !hex64(json_get(regs, "rflags"), &c.rflags) || !hex64(json_get(regs, "pkru"), &pkru) ||
      !hex64(json_get(acc, "va"), &va) || !kind || kind->type != J_STR || !implicit || implicit->type != J_BOOL) {
    fprintf(stderr, "x64spec-example-c: case %s: input not understood\n", id);
    answer_unsupported(id, "input not understood by x64spec-example-c");
    return;
  }
  c.pkru = (uint32_t)pkru;
  c.cpl = (int)cpl->num;
  c.maxphyaddr = (int)maxphy->num;
  for (const json *f = json_get(cpu, "features") ? json_get(cpu, "features")->child : NULL; f; f = f->next) {
    if (f->type != J_STR) continue;
    if (!strcmp(f->str, "nx")) c.features |= X64_FEAT_NX;
    else if (!strcmp(f->str, "smep")) c.features |= X64_FEAT_SMEP;
    else if (!strcmp(f->str, "smap")) c.features |= X64_FEAT_SMAP;
    else if (!strcmp(f->str, "pku")) c.features |= X64_FEAT_PKU;
    else if (!strcmp(f->str, "pdpe1gb")) c.features |= X64_FEAT_PDPE1GB;
  }
  /* Only 4-level paging: CR0.PG, CR4.PAE, EFER.LME set and CR4.LA57 clear. */
  if (!(c.cr0 & (1ull << 31)) || !(c.cr4 & (1ull << 5)) || !(c.efer & (1ull << 8)) || (c.cr4 & (1ull << 12))) {
    answer_unsupported(id, "x64spec-example-c implements 4-level paging only");
    return;
  }
  enum x64_kind k;
  if (!strcmp(kind->str, "read")) k = X64_READ;
  else if (!strcmp(kind->str, "write")) k = X64_WRITE;
  else if (!strcmp(kind->str, "fetch")) k = X64_FETCH;
  else { answer_unsupported(id, "unknown access kind"); return; }

  size_t n = json_len(mem);
  qword stack[64];
  memory m = { n <= 64 ? stack : malloc(n * sizeof(qword)), 0 };
  for (const json *q = mem->child; q; q = q->next) {
    if (!hex64(json_get(q, "pa"), &m.q[m.n].pa) || !hex64(json_get(q, "value"), &m.q[m.n].value)) {
      answer_unsupported(id, "memory entry not understood");
      if (m.q != stack) free(m.q);
      return;
    }
    m.n++;
  }

  x64_result r = x64_translate(&c, &m, va, k, (int)implicit->num);

  emits("{\"type\":\"result\",\"id\":");
  emit_json_string(id);
  if (r.fault == 0) {
    emits(",\"output\":{\"outcome\":\"ok\",\"pa\":");
    emit_hex(r.pa);
  } else if (r.fault == 13) {
    emits(",\"output\":{\"outcome\":\"fault\",\"vector\":13,\"errorCode\":\"0x0\"");
  } else {
    emits(",\"output\":{\"outcome\":\"fault\",\"vector\":14,\"errorCode\":");
    emit_hex(r.error_code);
    emits(",\"cr2\":");
    emit_hex(va);
  }
  emits(",\"memory\":[");
  for (size_t i = 0; i < m.n; i++) {
    if (i) emits(",");
    emit_hex(m.q[i].value);
  }
  emits("]}}\n");
  if (m.q != stack) free(m.q);
}

/* Handles one protocol line; returns 0 after bye. */
static int handle(char *line) {
  json *msg = json_parse(line);
  if (!msg) { fprintf(stderr, "x64spec-example-c: unparsable line ignored\n"); return 1; }
  const json *type = json_get(msg, "type");
  int go_on = 1;
  if (!type || type->type != J_STR) {
    fprintf(stderr, "x64spec-example-c: message without a type\n");
  } else if (!strcmp(type->str, "hello")) {
    emits("{\"type\":\"hello\",\"protocol\":\"x64spec-impl/1\",\"name\":\"x64spec-example-c\",\"version\":\"1.0.0\",\"suites\":[\"paging\"]}\n");
  } else if (!strcmp(type->str, "case")) {
    const json *id = json_get(msg, "id"), *suite = json_get(msg, "suite"), *input = json_get(msg, "input");
    if (!id || id->type != J_STR) fprintf(stderr, "x64spec-example-c: case without an id\n");
    else if (!suite || suite->type != J_STR || strcmp(suite->str, "paging") != 0) answer_unsupported(id->str, "x64spec-example-c implements the paging suite only");
    else paging_case(id->str, input);
  } else if (!strcmp(type->str, "bye")) {
    go_on = 0;
  }
  json_free(msg);
  return go_on;
}

int main(void) {
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  if (!buf) return 1;
  for (;;) {
    if (len == cap) { cap *= 2; buf = realloc(buf, cap); if (!buf) return 1; }
    ssize_t got = read(0, buf + len, cap - len);
    if (got < 0) { if (errno == EINTR) continue; return 1; }
    if (got == 0) break;
    len += (size_t)got;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
      if (buf[i] != '\n') continue;
      buf[i] = '\0';
      if (!handle(buf + start)) { flush_out(); return 0; }
      start = i + 1;
    }
    memmove(buf, buf + start, len - start);
    len -= start;
    flush_out();
  }
  flush_out();
  return 0;
}
