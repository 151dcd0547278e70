/*
 * x64spec's UEFI test application (gnu-efi). It runs a script of exit-flow steps read
 * from \x64spec\script.txt on the ESP and reports every result as one text line on the
 * QEMU debug console (port 0xE9), so the report survives ExitBootServices. With a
 * \x64spec\handoff.bin it can also install page tables built by the model, exit boot
 * services, switch CR3 and jump to a tiny kernel (switch.S). The harness (run.ts)
 * compares every line with what the model's firmware (model/uefi) predicts.
 *
 * Output lines:  R <step> <command> st=<hex> [key=<hex>] [size=<n>] [dsize=<n>] [ver=<n>] [addr=<hex>] …
 *                M <type> <start> <pages> <attr>    (the first successful map, once)
 *                E <message>                         (a problem with the script or the files)
 */
#include <efi.h>
#include <efilib.h>

extern char x64_tramp_start[], x64_tramp_after_cr3[], x64_tramp_end[];
extern char x64_kernel_start[], x64_kernel_end[];

/* ── Debug console ─────────────────────────────────────────────────────────────── */
static inline void outb(UINT16 port, UINT8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(UINT16 port, UINT32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static void puts_(const char *s) { while (*s) outb(0xE9, (UINT8)*s++); }
static void puthex(UINT64 v) {
  char buf[19]; int i = 18; buf[i] = 0;
  do { int d = (int)(v & 15); buf[--i] = (char)(d < 10 ? '0' + d : 'a' + d - 10); v >>= 4; } while (v);
  buf[--i] = 'x'; buf[--i] = '0';
  puts_(buf + i);
}
static void putdec(UINT64 v) {
  char buf[21]; int i = 20; buf[i] = 0;
  do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  puts_(buf + i);
}
static void field(const char *name, UINT64 v, int hex) { puts_(" "); puts_(name); puts_("="); if (hex) puthex(v); else putdec(v); }
static void qemu_exit(UINT32 code) { outl(0xF4, code); for (;;) __asm__ volatile("hlt"); }

/* ── Files on the ESP ──────────────────────────────────────────────────────────── */
static EFI_STATUS read_file(EFI_HANDLE image, CHAR16 *path, UINT8 **data, UINTN *size) {
  EFI_LOADED_IMAGE *li;
  EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
  if (EFI_ERROR(st)) return st;
  EFI_FILE_HANDLE root = LibOpenRoot(li->DeviceHandle), f;
  if (!root) return EFI_NOT_FOUND;
  st = uefi_call_wrapper(root->Open, 5, root, &f, path, EFI_FILE_MODE_READ, 0);
  if (EFI_ERROR(st)) return st;
  EFI_FILE_INFO *info = LibFileInfo(f);
  if (!info) return EFI_DEVICE_ERROR;
  *size = (UINTN)info->FileSize;
  FreePool(info);
  st = uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, *size + 1, (void **)data);
  if (EFI_ERROR(st)) return st;
  st = uefi_call_wrapper(f->Read, 3, f, size, *data);
  (*data)[*size] = 0;
  uefi_call_wrapper(f->Close, 1, f);
  return st;
}

/* ── State of the script ───────────────────────────────────────────────────────── */
#define MAP_CAP (64 * 1024)
static UINT8 map_buf[MAP_CAP];
static UINTN map_size, desc_size, needed_size;
static UINT32 desc_ver;
static UINTN map_key;
static int map_printed;
static EFI_PHYSICAL_ADDRESS page_stack[16];
static UINTN page_count[16];
static int page_top;
static void *pool_stack[16];
static int pool_top;
#define MAX_STEPS 256
static UINT64 step_addr[MAX_STEPS];  /* address an ap/apl step returned */
static UINTN step_key[MAX_STEPS];    /* key a successful gmm step returned */
static UINT8 step_has_key[MAX_STEPS];
static EFI_BOOT_SERVICES *saved_bs;
static EFI_HANDLE self_image;
static int exited;  /* a successful ExitBootServices happened */
static EFI_RUNTIME_SERVICES *saved_rt;
static UINT8 vmap[MAP_CAP];

static UINT8 *hoff;      /* handoff.bin */
static UINTN hoff_size;

static const char *next_word(const char **p, char *out, int cap) {
  const char *s = *p;
  while (*s == ' ' || *s == '\t') s++;
  int n = 0;
  while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && n < cap - 1) out[n++] = *s++;
  out[n] = 0;
  *p = s;
  return out;
}
static int streq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }
static UINT64 parse_num(const char *s) {
  UINT64 v = 0;
  if (s[0] == '0' && s[1] == 'x') {
    for (s += 2; *s; s++) v = v * 16 + (UINT64)(*s <= '9' ? *s - '0' : (*s | 32) - 'a' + 10);
  } else {
    for (; *s; s++) v = v * 10 + (UINT64)(*s - '0');
  }
  return v;
}

static void print_map_once(void) {
  if (map_printed) return;
  map_printed = 1;
  for (UINTN o = 0; o + desc_size <= map_size; o += desc_size) {
    EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(map_buf + o);
    puts_("M"); field("type", d->Type, 0); field("start", d->PhysicalStart, 1); field("pages", d->NumberOfPages, 0);
    field("attr", d->Attribute, 1); puts_("\n");
  }
}

static EFI_STATUS gmm(UINTN *size_io, int null_size, int null_buf) {
  UINTN key = 0, ds = 0; UINT32 ver = 0;
  EFI_STATUS st = uefi_call_wrapper(saved_bs->GetMemoryMap, 5, null_size ? NULL : size_io,
                                    null_buf ? NULL : (EFI_MEMORY_DESCRIPTOR *)map_buf, &key, &ds, &ver);
  if (!null_size) field("size", *size_io, 0);
  field("dsize", ds, 0);
  if (st == EFI_SUCCESS) {
    map_key = key; map_size = *size_io; desc_size = ds; desc_ver = ver;
    field("key", key, 1); field("ver", ver, 0); field("count", ds ? map_size / ds : 0, 0);
  } else if (st == EFI_BUFFER_TOO_SMALL && !null_size) {
    needed_size = *size_io;
  }
  return st;
}

/* Builds the runtime-only virtual map (identity) from the last map; `skip_first` leaves out one region. */
static UINTN build_vmap(UINTN dsize, int skip_first) {
  UINTN n = 0; int skipped = 0;
  for (UINTN o = 0; o + desc_size <= map_size; o += desc_size) {
    EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(map_buf + o);
    if (!(d->Attribute & EFI_MEMORY_RUNTIME)) continue;
    if (skip_first && !skipped) { skipped = 1; continue; }
    EFI_MEMORY_DESCRIPTOR *v = (EFI_MEMORY_DESCRIPTOR *)(vmap + n * dsize);
    *v = *d;
    v->VirtualStart = d->PhysicalStart;
    n++;
  }
  return n;
}

static UINT64 read_cr(int which) {
  UINT64 v = 0;
  if (which == 0) __asm__ volatile("mov %%cr0, %0" : "=r"(v));
  else if (which == 3) __asm__ volatile("mov %%cr3, %0" : "=r"(v));
  else if (which == 4) __asm__ volatile("mov %%cr4, %0" : "=r"(v));
  return v;
}
static UINT64 rdmsr(UINT32 msr) { UINT32 lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((UINT64)hi << 32) | lo; }
static UINT64 rflags(void) { UINT64 v; __asm__ volatile("pushfq; popq %0" : "=r"(v)); return v; }

/* ── The hand-off ──────────────────────────────────────────────────────────────── */
struct hoff_header {
  char magic[8];             /* "X64HOFF1" */
  UINT64 region_base, region_pages;
  UINT64 cr3, rsp, entry, bootinfo, efer;
  UINT64 idtr_base, idtr_limit;
  UINT64 tramp_pa, kernel_pa, chunks;
};
struct tramp_params { UINT64 cr3, rsp, entry, bootinfo, efer; UINT16 idt_limit; UINT64 idt_base; } __attribute__((packed));

static int prepare_handoff(void) {
  struct hoff_header *h = (struct hoff_header *)hoff;
  if (hoff_size < sizeof *h || !streq("X64HOFF1", (const char[9]){h->magic[0], h->magic[1], h->magic[2], h->magic[3], h->magic[4], h->magic[5], h->magic[6], h->magic[7], 0})) {
    puts_("E handoff.bin has no X64HOFF1 header\n"); return 0;
  }
  EFI_PHYSICAL_ADDRESS base = h->region_base;
  EFI_STATUS st = uefi_call_wrapper(saved_bs->AllocatePages, 4, AllocateAddress, EfiLoaderCode, h->region_pages, &base);
  puts_("H region"); field("st", st, 1); field("base", h->region_base, 1); field("pages", h->region_pages, 0); puts_("\n");
  if (EFI_ERROR(st)) return 0;
  UINT8 *region = (UINT8 *)(UINTN)h->region_base;
  for (UINT64 i = 0; i < h->region_pages * 4096; i++) region[i] = 0;
  UINT8 *p = hoff + sizeof *h;
  for (UINT64 c = 0; c < h->chunks; c++) {
    UINT64 pa = ((UINT64 *)p)[0], len = ((UINT64 *)p)[1];
    p += 16;
    if (pa < h->region_base || pa + len > h->region_base + h->region_pages * 4096 || p + len > hoff + hoff_size) {
      puts_("E chunk outside the region or the file"); field("pa", pa, 1); puts_("\n"); return 0;
    }
    for (UINT64 i = 0; i < len; i++) ((UINT8 *)(UINTN)pa)[i] = p[i];
    p += (len + 7) & ~7ULL;
  }
  UINTN tl = (UINTN)(x64_tramp_end - x64_tramp_start), kl = (UINTN)(x64_kernel_end - x64_kernel_start);
  for (UINTN i = 0; i < tl; i++) ((UINT8 *)(UINTN)h->tramp_pa)[i] = (UINT8)x64_tramp_start[i];
  for (UINTN i = 0; i < kl; i++) ((UINT8 *)(UINTN)h->kernel_pa)[i] = (UINT8)x64_kernel_start[i];
  puts_("H ready"); field("chunks", h->chunks, 0); field("tramp", h->tramp_pa, 1); field("kernel", h->kernel_pa, 1); puts_("\n");
  return 1;
}

static void do_handoff(void) {
  struct hoff_header *h = (struct hoff_header *)hoff;
  struct tramp_params params = { h->cr3, h->rsp, h->entry, h->bootinfo, h->efer, (UINT16)h->idtr_limit, h->idtr_base };
  puts_("H jump\n");
  void (*tramp)(struct tramp_params *) = (void (*)(struct tramp_params *))(UINTN)h->tramp_pa;
  tramp(&params);
}

/* ── The script ────────────────────────────────────────────────────────────────── */
static void run_line(int step, const char *line) {
  char cmd[32], a1[32], a2[32], a3[32];
  const char *p = line;
  next_word(&p, cmd, sizeof cmd);
  if (!cmd[0] || cmd[0] == '#') return;
  next_word(&p, a1, sizeof a1); next_word(&p, a2, sizeof a2); next_word(&p, a3, sizeof a3);
  puts_("R "); putdec((UINT64)step); puts_(" "); puts_(cmd);
  EFI_STATUS st = EFI_SUCCESS;
  /* Boot services are gone after a successful exit (UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES):
     OVMF zeroes the table, so calling one would jump to address 0. Refuse instead. */
  static const char *const bs_cmds[] = { "gmm0", "gmmnull", "gmmbufnull", "gmm", "gmmnobuf", "gmmexact", "gmmsmall",
    "ap", "fp", "apl", "fpl", "ce", "stall", "ebs", "exitloop", 0 };
  if (exited) {
    for (int i = 0; bs_cmds[i]; i++) if (streq(cmd, bs_cmds[i])) { puts_(" skipped=1\n"); return; }
  }
  if (streq(cmd, "gmm0")) { UINTN s = 0; st = gmm(&s, 0, 1); }
  else if (streq(cmd, "gmmnull")) { st = gmm(NULL, 1, 0); }
  else if (streq(cmd, "gmmbufnull")) { UINTN s = MAP_CAP; st = gmm(&s, 0, 1); }
  else if (streq(cmd, "gmm")) {
    UINTN s = a1[0] ? (UINTN)parse_num(a1) : MAP_CAP;
    if (s > MAP_CAP) s = MAP_CAP;
    st = gmm(&s, 0, 0);
    if (st == EFI_SUCCESS && step < MAX_STEPS) { step_key[step] = map_key; step_has_key[step] = 1; }
  }
  else if (streq(cmd, "gmmnobuf")) { UINTN s = (UINTN)parse_num(a1); st = gmm(&s, 0, 1); }
  else if (streq(cmd, "gmmexact")) { UINTN s = needed_size; st = gmm(&s, 0, 0); }
  else if (streq(cmd, "gmmsmall")) { UINTN s = map_size - 1; st = gmm(&s, 0, 0); }
  else if (streq(cmd, "ap")) {
    EFI_PHYSICAL_ADDRESS a = 0; UINTN n = (UINTN)parse_num(a1);
    UINT32 type = a2[0] ? (UINT32)parse_num(a2) : EfiLoaderData;
    st = uefi_call_wrapper(saved_bs->AllocatePages, 4, AllocateAnyPages, type, n, &a);
    if (!EFI_ERROR(st) && page_top < 16) { page_stack[page_top] = a; page_count[page_top++] = n; }
    if (!EFI_ERROR(st) && step < MAX_STEPS) step_addr[step] = a;
    if (!EFI_ERROR(st)) field("addr", a, 1);
  } else if (streq(cmd, "fp")) {
    if (a1[0]) {
      UINTN at = (UINTN)parse_num(a1);
      st = at < MAX_STEPS && step_addr[at] ? uefi_call_wrapper(saved_bs->FreePages, 2, step_addr[at], (UINTN)parse_num(a2)) : EFI_NOT_FOUND;
    } else if (page_top > 0) { page_top--; st = uefi_call_wrapper(saved_bs->FreePages, 2, page_stack[page_top], page_count[page_top]); }
  } else if (streq(cmd, "apl")) {
    void *q = NULL;
    UINT32 type = a2[0] ? (UINT32)parse_num(a2) : EfiLoaderData;
    st = uefi_call_wrapper(saved_bs->AllocatePool, 3, type, (UINTN)parse_num(a1), &q);
    if (!EFI_ERROR(st) && pool_top < 16) pool_stack[pool_top++] = q;
    if (!EFI_ERROR(st) && step < MAX_STEPS) step_addr[step] = (UINT64)(UINTN)q;
  } else if (streq(cmd, "fpl")) {
    if (a1[0]) {
      UINTN at = (UINTN)parse_num(a1);
      st = at < MAX_STEPS && step_addr[at] ? uefi_call_wrapper(saved_bs->FreePool, 1, (void *)(UINTN)step_addr[at]) : EFI_INVALID_PARAMETER;
    } else if (pool_top > 0) st = uefi_call_wrapper(saved_bs->FreePool, 1, pool_stack[--pool_top]);
  } else if (streq(cmd, "stall")) {
    st = uefi_call_wrapper(saved_bs->Stall, 1, 1);
  } else if (streq(cmd, "gettime")) {
    EFI_TIME t;
    st = uefi_call_wrapper(saved_rt->GetTime, 2, &t, NULL);
  } else if (streq(cmd, "ce")) {
    EFI_EVENT ev;
    st = uefi_call_wrapper(saved_bs->CreateEvent, 5, 0, 0, NULL, NULL, &ev);
  } else if (streq(cmd, "ebs")) {
    UINTN key = map_key;
    if (a1[0]) { UINTN at = (UINTN)parse_num(a1); key = at < MAX_STEPS && step_has_key[at] ? step_key[at] : parse_num(a2); }
    st = uefi_call_wrapper(saved_bs->ExitBootServices, 2, self_image, key);
    if (st == EFI_SUCCESS) exited = 1;
    field("key", key, 1);
  } else if (streq(cmd, "exitloop")) {
    /* The standard retry loop (UEFI.EBS.RETRY): fetch the map, exit, repeat on a stale key. */
    UINTN tries = 0;
    do {
      UINTN s = MAP_CAP, key = 0, ds = 0; UINT32 ver = 0;
      st = uefi_call_wrapper(saved_bs->GetMemoryMap, 5, &s, (EFI_MEMORY_DESCRIPTOR *)map_buf, &key, &ds, &ver);
      if (EFI_ERROR(st)) break;
      map_size = s; desc_size = ds; map_key = key;
      st = uefi_call_wrapper(saved_bs->ExitBootServices, 2, self_image, key);
      tries++;
    } while (st == EFI_INVALID_PARAMETER && tries < 16);
    if (st == EFI_SUCCESS) exited = 1;
    field("tries", tries, 0);
  } else if (streq(cmd, "svam")) {
    UINTN ds = (UINTN)parse_num(a1); UINT32 ver = (UINT32)parse_num(a2);
    UINTN n = build_vmap(ds < sizeof(EFI_MEMORY_DESCRIPTOR) ? sizeof(EFI_MEMORY_DESCRIPTOR) : ds, streq(a3, "rt-1"));
    st = uefi_call_wrapper(saved_rt->SetVirtualAddressMap, 4, n * ds, ds, ver, (EFI_MEMORY_DESCRIPTOR *)vmap);
    field("n", n, 0);
  } else if (streq(cmd, "bs")) {
    field("stbs", (UINT64)(UINTN)ST->BootServices, 1);
    field("ebsptr", (UINT64)(UINTN)saved_bs->ExitBootServices, 1);
    field("conout", (UINT64)(UINTN)ST->ConOut, 1);
    field("if", (rflags() >> 9) & 1, 0);
    field("cr0", read_cr(0), 1); field("cr3", read_cr(3), 1); field("cr4", read_cr(4), 1); field("efer", rdmsr(0xC0000080), 1);
  } else if (streq(cmd, "handoff")) {
    puts_(" st=0x0\n");
    do_handoff();
    return;
  } else if (streq(cmd, "exit")) {
    puts_(" st=0x0\n");
    qemu_exit((UINT32)parse_num(a1));
  } else {
    puts_(" unknown\n");
    return;
  }
  field("st", st, 1);
  puts_("\n");
  if (streq(cmd, "gmm") && st == EFI_SUCCESS) print_map_once();
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab) {
  InitializeLib(image, systab);
  saved_bs = BS;
  self_image = image;
  saved_rt = RT;
  puts_("X64SPEC-UEFI 1\n");
  UINT8 *script; UINTN script_size;
  EFI_STATUS st = read_file(image, L"\\x64spec\\script.txt", &script, &script_size);
  if (EFI_ERROR(st)) { puts_("E cannot read \\x64spec\\script.txt"); field("st", st, 1); puts_("\n"); qemu_exit(0x3f); }
  if (!EFI_ERROR(read_file(image, L"\\x64spec\\handoff.bin", &hoff, &hoff_size))) {
    if (!prepare_handoff()) qemu_exit(0x3e);
  }
  int step = 0;
  const char *p = (const char *)script;
  while (*p) {
    char line[128]; int n = 0;
    while (*p && *p != '\n' && n < 127) line[n++] = *p++;
    line[n] = 0;
    if (*p == '\n') p++;
    run_line(step++, line);
  }
  puts_("DONE\n");
  qemu_exit(0x21);
  return EFI_SUCCESS;
}
