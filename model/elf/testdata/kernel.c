/* A tiny freestanding "kernel" for the ELF loader tests: code, read-only data, data
 * holding pointers (relocated in position-independent builds), and .bss. The tests
 * load it with the model and compare every byte with the file (and with nm's symbol
 * addresses for the pointer table). */
typedef unsigned long u64;

static const char banner[] = "x64spec test kernel";
u64 counter = 0x1122334455667788ul;
u64 bss_area[700];              /* more than a page of zeroes */
static u64 small_bss[3];
const char *const pointer_table[] = { banner, (const char *)&counter, (const char *)bss_area, (const char *)small_bss };
const char *mutable_pointers[] = { banner, (const char *)&counter };

u64 kernel_work(u64 x) {
  for (int i = 0; i < 3; i++) small_bss[i] += x + (u64)pointer_table[i][0];
  bss_area[x % 700] = counter + (u64)mutable_pointers[1];
  return small_bss[0] + (u64)banner[1];
}

void _start(void) {
  kernel_work(7);
  for (;;) __asm__ volatile("hlt");
}
