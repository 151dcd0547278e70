# x64spec QEMU guest runner: runs a batch of paging vectors on the emulated MMU.
#
# Boot: QEMU's -kernel loads this as a 32-bit multiboot ELF (linked for x86-64, then
# converted with objcopy). The 32-bit entry builds the runner's tables, enters long mode
# and moves to the high alias V = 0xffffa000_00000000 (PML4 slot 320, which
# spec/vector-constraints.ts reserves), so the runner stays mapped in every vector's
# address space once its PML4 slot 320 holds the runner's entry.
#
# Physical memory outside the vectors' qwords is filled with "tags": each qword of page
# p holds a code for p whose byte 0 has P = 0 (so an unlisted entry reads as not present,
# like the zero memory of the vector format) and whose bytes all decode as #UD opcodes
# (so a fetch anywhere traps) and as not-present / system descriptors (so an implicit
# descriptor read never writes). After a successful access, reading the qword back at
# the accessed address tells which physical page the MMU chose.
#
# Batch (multiboot module) and results layouts: see harness/qemu/batch.ts.

        .set V_BASE_HI, 0xffffa000
        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x00000003
        .set BATCH_MAGIC, 0x51343658          # "X64Q"
        .set RESULT_MAGIC, 0x52343658         # "X64R"
        .set VEC_HDR, 40
        .set RES_HDR, 64
        .set RESULTS_HDR, 64

# ---------------------------------------------------------------- multiboot header
        .section .multiboot, "a"
        .balign 4
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)

# ---------------------------------------------------------------- 32-bit entry
        .section .text32, "ax"
        .code32
        .globl _start
_start:
        cli
        mov $boot_stack_top, %esp
        mov %ebx, mbi_pa
        mov %eax, mb_eax
        # zero the runner's page tables (in .bss)
        mov $pt_start, %edi
        mov $pt_end, %ecx
        sub %edi, %ecx
        shr $2, %ecx
        xor %eax, %eax
        rep stosl
        # PML4[0]: identity 0..1 GiB (boot only); PML4[320]: the high alias, user-reachable
        # at the top levels so the ring-3 stub page can be user-mode.
        mov $pdpt_low, %eax
        or $3, %eax
        mov %eax, pml4
        mov $pdpt_high, %eax
        or $7, %eax
        mov %eax, pml4 + 320 * 8
        mov $pd_low, %eax
        or $3, %eax
        mov %eax, pdpt_low
        mov $pd_high, %eax
        or $7, %eax
        mov %eax, pdpt_high
        xor %ecx, %ecx
1:      mov %ecx, %eax
        shl $21, %eax
        or $0x83, %eax                        # P | RW | PS, supervisor
        mov %eax, pd_low(, %ecx, 8)
        mov %eax, pd_high(, %ecx, 8)
        inc %ecx
        cmp $512, %ecx
        jb 1b
        # the 2 MiB region holding the ring-3 stubs goes through 4 KiB pages
        mov $utext_start, %eax
        shr $21, %eax
        mov $pt_user, %edx
        or $7, %edx
        mov %edx, pd_high(, %eax, 8)
        mov $utext_start, %esi
        and $0xffe00000, %esi
        xor %ecx, %ecx
2:      mov %ecx, %eax
        shl $12, %eax
        add %esi, %eax
        or $3, %eax                           # P | RW, supervisor
        mov %eax, pt_user(, %ecx, 8)
        inc %ecx
        cmp $512, %ecx
        jb 2b
        mov $utext_start, %eax
        shr $12, %eax
        and $511, %eax
        mov $utext_start, %edx
        or $5, %edx                           # P | US, read-only: the only user page
        mov %edx, pt_user(, %eax, 8)
        # long mode
        mov $pml4, %eax
        mov %eax, %cr3
        mov %cr4, %eax
        or $0x20, %eax                        # PAE
        mov %eax, %cr4
        mov $0xC0000080, %ecx
        rdmsr
        or $0x900, %eax                       # LME | NXE
        wrmsr
        mov %cr0, %eax
        or $0x80010001, %eax                  # PG | WP | PE
        mov %eax, %cr0
        lgdt gdtr32
        ljmp $0x08, $start64

# ---------------------------------------------------------------- 64-bit runner
        .section .text, "ax"
        .code64
start64:
        movabs $0xffffa00000000000, %r15
        lea high_entry(%rip), %rax
        add %r15, %rax
        jmp *%rax

high_entry:
        lea stack_top(%rip), %rsp
        lea gdt(%rip), %rax
        mov %rax, gdtr64 + 2(%rip)
        lgdt gdtr64(%rip)
        lea 1f(%rip), %rax
        pushq $0x08
        push %rax
        lretq
1:      mov $0x10, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %ss
        xor %eax, %eax
        mov %eax, %fs
        mov %eax, %gs
        # TSS: RSP0 for entries from rings 1-3, IST1 for #DF
        lea exc_stack_top(%rip), %rdx
        mov %rdx, tss + 4(%rip)
        lea df_stack_top(%rip), %rdx
        mov %rdx, tss + 36(%rip)
        movw $104, tss + 102(%rip)
        lea gdt + 0x48(%rip), %rdi
        lea tss(%rip), %rax
        mov $103, %ecx
        mov $0x89, %edx
        call set_sysdesc
        mov $0x48, %ax
        ltr %ax
        # IDT: 32 exception gates to the stubs, DPL 0, #DF on IST1
        lea idt(%rip), %rdi
        lea exc_stubs(%rip), %rsi
        xor %ecx, %ecx
2:      mov %rsi, %rax
        mov %ax, (%rdi)
        movw $0x08, 2(%rdi)
        movb $0, 4(%rdi)
        cmp $8, %ecx
        jne 3f
        movb $1, 4(%rdi)
3:      movb $0x8e, 5(%rdi)
        shr $16, %rax
        mov %ax, 6(%rdi)
        shr $16, %rax
        mov %eax, 8(%rdi)
        movl $0, 12(%rdi)
        add $16, %rdi
        add $16, %rsi
        inc %ecx
        cmp $32, %ecx
        jb 2b
        lea idt(%rip), %rax
        mov %rax, idtr + 2(%rip)
        lidt idtr(%rip)
        mov %cr3, %rax
        mov %rax, runner_cr3(%rip)
        mov pml4 + 320 * 8(%rip), %rax
        mov %rax, runner_pml4e(%rip)
        # inverse of the tag alphabet
        lea inv_alpha(%rip), %rdi
        mov $256, %ecx
        mov $0xff, %al
        rep stosb
        lea alpha(%rip), %rsi
        lea inv_alpha(%rip), %rdi
        xor %ecx, %ecx
4:      movzbl (%rsi, %rcx), %eax
        mov %cl, (%rdi, %rax)
        inc %ecx
        cmp $16, %ecx
        jb 4b

        lea msg_boot(%rip), %rsi
        call puts

        # multiboot: the first module is the batch
        cmpl $0x2BADB002, mb_eax(%rip)
        jne bad_boot
        mov mbi_pa(%rip), %eax
        lea (%r15, %rax), %rsi
        testl $8, (%rsi)
        jz bad_boot
        cmpl $1, 20(%rsi)
        jb bad_boot
        mov 24(%rsi), %eax
        mov (%r15, %rax), %eax                # mod_start
        lea (%r15, %rax), %rbx
        cmpl $BATCH_MAGIC, (%rbx)
        jne bad_batch
        cmpl $1, 4(%rbx)
        jne bad_batch
        mov 8(%rbx), %r13d                    # vector count
        mov 16(%rbx), %rax                    # results PA
        lea (%r15, %rax), %r12
        mov %r12, results_hdr(%rip)
        movl $RESULT_MAGIC, (%r12)
        movl $0, 4(%r12)
        mov 24(%rbx), %r14                    # fill end PA
        # fill the vector windows with tags
        mov $0x1000, %edi
        mov $0x9f000, %esi
        call fill_range
        testl $1, 12(%rbx)                     # the high window still holds its tags
        jz 1f                                  # from an earlier boot on this RAM file
        mov $0x100000, %edi
        mov %r14, %rsi
        call fill_range
1:
        lea msg_filled(%rip), %rsi
        call puts
        add $64, %rbx                          # first vector
        add $RESULTS_HDR, %r12                 # first result record

# rbx: vector record, r12: result record, r13: vectors left, r14: control word, r15: V
vec_loop:
        test %r13d, %r13d
        jz all_done
        mov (%rbx), %r14d
        # This vector lists the previous vector's PML4 slot, which is live in CR3: go
        # back to the runner's tables and put that slot's tag back before writing.
        bt $11, %r14d
        jnc 1f
        mov runner_cr3(%rip), %rax
        mov %rax, %cr3
        call restore_prev_slot
1:
        # the vector's qwords
        mov 32(%rbx), %ecx
        lea VEC_HDR(%rbx), %rsi
1:      test %ecx, %ecx
        jz 2f
        mov (%rsi), %rdx
        mov 8(%rsi), %rax
        mov %rax, (%r15, %rdx)
        add $16, %rsi
        dec %ecx
        jmp 1b
2:      # the runner's PML4 entry in the vector's slot 320 (vectors never list it, so
        # it held its tag, and gets the tag back)
        mov 24(%rbx), %rdx
        mov runner_pml4e(%rip), %rax
        mov %rax, (%r15, %rdx)
        # CR0.WP
        mov %cr0, %rax
        mov %rax, %rdx
        and $~0x10000, %rdx
        bt $5, %r14d
        jnc 3f
        or $0x10000, %rdx
3:      cmp %rax, %rdx
        je 4f
        mov %rdx, %cr0
4:      # CR4.SMEP/SMAP/PKE
        mov %cr4, %rax
        mov %rax, %rdx
        and $~0x700000, %rdx
        mov %r14d, %ecx
        shr $6, %ecx
        and $7, %ecx
        shl $20, %ecx
        or %rcx, %rdx
        cmp %rax, %rdx
        je 5f
        mov %rdx, %cr4
5:      # EFER.NXE
        mov $0xC0000080, %ecx
        rdmsr
        mov %eax, %esi
        and $~0x800, %eax
        bt $9, %r14d
        jnc 6f
        or $0x800, %eax
6:      cmp %eax, %esi
        je 7f
        wrmsr
7:      # PKRU (only accessible with CR4.PKE = 1; QEMU flushes its TLB on every WRPKRU)
        bt $8, %r14d
        jnc 8f
        xor %ecx, %ecx
        rdpkru
        cmp 4(%rbx), %eax
        je 8f
        mov 4(%rbx), %eax
        xor %ecx, %ecx
        xor %edx, %edx
        wrpkru
8:      # implicit read: LDT based at the vector's address
        bt $4, %r14d
        jnc 9f
        lea gdt + 0x58(%rip), %rdi
        mov 16(%rbx), %rax
        mov $0xffff, %ecx
        mov $0x82, %edx
        call set_sysdesc
        mov $0x58, %ax
        lldt %ax
9:      # which stub: op = implicit ? 3 : kind; ring-3 stubs live in the user page
        mov %r14d, %eax
        and $3, %eax
        bt $4, %r14d
        jnc 10f
        mov $3, %eax
10:     shl $4, %eax
        mov %r14d, %ecx
        shr $2, %ecx
        and $3, %ecx
        lea kstubs(%rip), %rsi
        cmp $3, %ecx
        jne 11f
        lea ustubs(%rip), %rsi
11:     add %rax, %rsi
        mov %rsi, acc_addr(%rip)
        mov 16(%rbx), %rdi                     # the address to access
        mov %ecx, %edx
        or $4, %edx                            # LDT selector 0, RPL = CPL
        lea after_access(%rip), %rax
        mov %rax, resume(%rip)
        mov %rsp, saved_rsp(%rip)
        # The vector's tables. A CR3 load empties QEMU's TLB; when the previous case had
        # the same CR3 (bit 12), the only translation it can have left is for its own
        # address's page (QEMU caches no paging-structure entries, the runner never sets
        # CR4.PGE, and the runner's own translations are the same in every case), so
        # INVLPG of that page empties the TLB of everything a case can see.
        bt $12, %r14d
        jc 16f
        mov 8(%rbx), %rax
        mov %rax, %cr3
        jmp 17f
16:     mov prev_va(%rip), %rax
        invlpg (%rax)
17:     mov 16(%rbx), %rax
        mov %rax, prev_va(%rip)
        # the previous vector's PML4 is no longer live: its slot gets its tag back
        mov prev_slot(%rip), %rax
        cmp 24(%rbx), %rax
        je 15f
        push %rcx
        push %rdx
        call restore_prev_slot
        pop %rdx
        pop %rcx
15:     mov 24(%rbx), %rax
        mov %rax, prev_slot(%rip)
        test %ecx, %ecx
        jnz 13f
        bt $10, %r14d
        jnc 12f
        stac
        jmp *%rsi
12:     clac
        jmp *%rsi
13:     lea ss_tab(%rip), %rax
        movzwl (%rax, %rcx, 2), %eax
        push %rax                              # SS
        pushq $0                               # RSP (the stubs use no stack)
        mov $2, %eax
        bt $10, %r14d
        jnc 14f
        or $0x40000, %eax                      # RFLAGS.AC
14:     push %rax
        lea cs_tab(%rip), %rax
        movzwl (%rax, %rcx, 2), %eax
        push %rax                              # CS
        push %rsi                              # RIP
        iretq

# Every access ends in an exception; the handler lands here with
# r8 = vector, r9 = error code, r10 = faulting RIP, r11 = CR2.
after_access:
        mov %r8d, 0(%r12)
        movl $0xfe, 4(%r12)                    # probe: not attempted
        mov %r9, 8(%r12)
        mov %r11, 16(%r12)
        mov %r10, 24(%r12)
        movq $0, 32(%r12)
        movl $0xffffffff, 44(%r12)             # decoded page: none
        # where: 0 at the access instruction, 1 at the ud2 after it, 2 at the target, 3 elsewhere
        mov acc_addr(%rip), %rax
        xor %ecx, %ecx
        cmp %rax, %r10
        je 1f
        mov $1, %ecx
        lea 8(%rax), %rdx
        cmp %rdx, %r10
        je 1f
        mov $2, %ecx
        cmp 16(%rbx), %r10
        je 1f
        mov $3, %ecx
1:      mov %ecx, 40(%r12)
        # did the access complete?
        cmp $1, %ecx
        je do_probe
        cmp $2, %ecx
        jne 2f
        cmp $6, %r8d                           # #UD at the fetched address
        je do_probe
        jmp no_probe
2:      test %ecx, %ecx
        jnz no_probe
        bt $4, %r14d                           # implicit read: the descriptor was read and
        jnc no_probe                           # rejected (#NP/#GP with the selector)
        cmp $11, %r8d
        je do_probe
        cmp $13, %r8d
        jne no_probe
        test %r9, %r9
        jz no_probe
do_probe:
        lea after_probe(%rip), %rax
        mov %rax, resume(%rip)
        stac
        bt $8, %r14d
        jnc 3f
        xor %eax, %eax
        xor %ecx, %ecx
        xor %edx, %edx
        wrpkru
3:      mov 16(%rbx), %rdi
        and $~7, %rdi
        mov (%rdi), %rax
        mov %rax, 32(%r12)
        movl $0xff, 4(%r12)
        # which page: erased byte = the one a write stored, else none
        mov $8, %ecx
        mov %r14d, %edx
        and $3, %edx
        cmp $1, %edx
        jne 4f
        bt $4, %r14d
        jc 4f
        mov 16(%rbx), %rcx
        and $7, %ecx
4:      call decode_tag
        mov %eax, 44(%r12)
        cmp $0xffffffff, %eax
        je no_probe
        # a write stored one byte: put the page's tag back through the same address
        mov %r14d, %edx
        and $3, %edx
        cmp $1, %edx
        jne no_probe
        bt $4, %r14d
        jc no_probe
        mov %eax, %edx
        call tag_of
        mov 16(%rbx), %rdi
        and $~7, %rdi
        mov %rax, (%rdi)
        jmp no_probe
after_probe:
        mov %r8d, 4(%r12)
        mov %r11, 32(%r12)
no_probe:
        # Stay in the vector's address space (one TLB flush per vector): the runner
        # reaches everything through slot 320, which stays until the next CR3 load.
        clac
        mov $0x10, %eax
        mov %eax, %ds
        xor %eax, %eax
        lldt %ax
        # final values of the listed qwords, then their tags back
        mov 32(%rbx), %ecx
        mov %ecx, 48(%r12)
        lea VEC_HDR(%rbx), %rsi
        lea RES_HDR(%r12), %rdi
5:      test %ecx, %ecx
        jz 6f
        mov (%rsi), %r8
        mov (%r15, %r8), %rax
        mov %rax, (%rdi)
        mov %r8, %rdx
        shr $12, %rdx
        push %rcx
        call tag_of
        pop %rcx
        mov %rax, (%r15, %r8)
        add $16, %rsi
        add $8, %rdi
        dec %ecx
        jmp 5b
6:      mov %rsi, %rbx
        mov %rdi, %r12
        mov results_hdr(%rip), %rax
        incl 4(%rax)
        dec %r13d
        jmp vec_loop

all_done:
        mov runner_cr3(%rip), %rax
        mov %rax, %cr3
        call restore_prev_slot
        lea msg_done(%rip), %rsi
        call puts
        xor %eax, %eax
        jmp exit_qemu
bad_boot:
        lea msg_bad_boot(%rip), %rsi
        call puts
        mov $1, %eax
        jmp exit_qemu
bad_batch:
        lea msg_bad_batch(%rip), %rsi
        call puts
        mov $2, %eax
exit_qemu:
        mov $0xf4, %dx
        out %eax, %dx
        cli
99:     hlt
        jmp 99b

# restore_prev_slot: the previous vector's PML4 slot (if any) gets its tag back.
# Only called when that PML4 is not in CR3. Clobbers rax, rcx, rdx, r9, r10, r11.
restore_prev_slot:
        mov prev_slot(%rip), %r11
        test %r11, %r11
        jz 1f
        mov %r11, %rdx
        shr $12, %rdx
        call tag_of
        mov %rax, (%r15, %r11)
        movq $0, prev_slot(%rip)
1:      ret

# fill_range(rdi = start PA, rsi = end PA): every qword of each page gets the page's tag
fill_range:
        cmp %rsi, %rdi
        jae 2f
        push %rsi
        mov %rdi, %rdx
        shr $12, %rdx
        call tag_of
        pop %rsi
        add %r15, %rdi
        mov $512, %ecx
        rep stosq
        sub %r15, %rdi
        jmp fill_range
2:      ret

# tag_of(edx = page number) -> rax. Bytes: 0 = 0x06, 1..4 and 6 = nibbles 0..4 of the page
# number through the alphabet, 5 = 0x06, 7 = the XOR of the five nibbles. Clobbers rcx, r9, r10.
tag_of:
        lea alpha(%rip), %r9
        xor %r10d, %r10d
        .irp sh, 0, 4, 8, 12, 16
        mov %edx, %ecx
        shr $\sh, %ecx
        and $15, %ecx
        xor %ecx, %r10d
        .endr
        movzbl (%r9, %r10), %eax               # byte 7: parity
        mov %edx, %ecx
        shr $16, %ecx
        and $15, %ecx
        shl $8, %rax
        movzbl (%r9, %rcx), %ecx
        or %rcx, %rax                          # byte 6: nibble 4
        shl $8, %rax
        or $0x06, %rax                         # byte 5
        .irp sh, 12, 8, 4, 0
        mov %edx, %ecx
        shr $\sh, %ecx
        and $15, %ecx
        shl $8, %rax
        movzbl (%r9, %rcx), %ecx
        or %rcx, %rax
        .endr
        shl $8, %rax
        or $0x06, %rax                         # byte 0
        ret

# decode_tag(rax = qword, ecx = erased byte index or 8) -> eax = page number or 0xffffffff.
# The parity nibble restores one erased nibble. Clobbers rcx, rdx, rsi, r9, r10, r11.
decode_tag:
        lea inv_alpha(%rip), %r9
        mov %ecx, %r11d                        # erased index
        xor %r10d, %r10d                       # page number
        xor %esi, %esi                         # XOR of the known nibbles (parity included)
        mov $0xffffffff, %edx                  # which nibble is missing (none yet)
        # markers
        cmp $0, %r11d
        je 1f
        cmp $0x06, %al
        jne 9f
1:      cmp $5, %r11d
        je 2f
        mov %rax, %rcx
        shr $40, %rcx
        cmp $0x06, %cl
        jne 9f
2:
        .irp pos, 1, 2, 3, 4, 6, 7
        cmp $\pos, %r11d
        jne 3f
        mov $\pos, %edx
        jmp 4f
3:      mov %rax, %rcx
        shr $(\pos * 8), %rcx
        and $0xff, %ecx
        movzbl (%r9, %rcx), %ecx
        cmp $0xff, %ecx
        je 9f
        xor %ecx, %esi
        .if \pos < 7
        .if \pos < 5
        shl $((\pos - 1) * 4), %ecx
        .else
        shl $16, %ecx
        .endif
        or %ecx, %r10d
        .endif
4:
        .endr
        # esi = XOR of the known nibbles and parity; a missing data nibble equals it,
        # and with nothing missing it must be zero
        cmp $0xffffffff, %edx
        jne 5f
        test %esi, %esi
        jne 9f
        jmp 8f
5:      cmp $7, %edx
        je 8f
        cmp $6, %edx
        jne 6f
        shl $16, %esi
        or %esi, %r10d
        jmp 8f
6:      lea -4(, %rdx, 4), %ecx                # 4 * (pos - 1)
        shl %cl, %esi
        or %esi, %r10d
8:      mov %r10d, %eax
        ret
9:      mov $0xffffffff, %eax
        ret

# set_sysdesc(rdi = 16-byte descriptor, rax = base, ecx = limit, dl = type byte)
set_sysdesc:
        mov %cx, (%rdi)
        mov %ax, 2(%rdi)
        mov %rax, %r8
        shr $16, %r8
        mov %r8b, 4(%rdi)
        mov %dl, 5(%rdi)
        mov %ecx, %r8d
        shr $16, %r8d
        and $0xf, %r8d
        mov %r8b, 6(%rdi)
        mov %rax, %r8
        shr $24, %r8
        mov %r8b, 7(%rdi)
        mov %rax, %r8
        shr $32, %r8
        mov %r8d, 8(%rdi)
        movl $0, 12(%rdi)
        ret

# puts(rsi = NUL-terminated string) on the debug console
puts:
        mov $0xe9, %dx
1:      lodsb
        test %al, %al
        jz 2f
        out %al, %dx
        jmp 1b
2:      ret

# exception stubs: 16 bytes each; push a zero error code where the CPU pushes none
        .balign 16
exc_stubs:
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .balign 16
        .if (\n == 8) || (\n == 10) || (\n == 11) || (\n == 12) || (\n == 13) || (\n == 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
        pushq $\n
        .else
        pushq $0
        pushq $\n
        .endif
        jmp exc_common
        .endr

exc_common:
        pop %r8
        pop %r9
        mov (%rsp), %r10
        mov %cr2, %r11
        mov saved_rsp(%rip), %rsp
        jmp *resume(%rip)

# Access stubs, 16 bytes per operation: the access at +0, ud2 at +8 (nop padding between).
        .macro access_stubs
        .balign 16
        movb (%rdi), %al                       # 0: read
        .balign 8, 0x90
        ud2
        .balign 16
        movb $0x06, (%rdi)                     # 1: write (the byte goes back afterwards)
        .balign 8, 0x90
        ud2
        .balign 16
        jmp *%rdi                              # 2: fetch (the target traps)
        .balign 8, 0x90
        ud2
        .balign 16
        mov %dx, %ds                           # 3: implicit read of the LDT descriptor
        .balign 8, 0x90
        ud2
        .endm

        .balign 16
kstubs:
        access_stubs

        .section .utext, "ax"
        .balign 16
        .globl utext_start
utext_start:
ustubs:
        access_stubs

# ---------------------------------------------------------------- data (own pages)
        .section .data, "aw"
        .balign 8
gdt:
        .quad 0
        .quad 0x00af9a000000ffff               # 0x08 ring-0 code
        .quad 0x00cf92000000ffff               # 0x10 ring-0 data
        .quad 0x00cff2000000ffff               # 0x18 ring-3 data
        .quad 0x00affa000000ffff               # 0x20 ring-3 code
        .quad 0x00afba000000ffff               # 0x28 ring-1 code
        .quad 0x00cfb2000000ffff               # 0x30 ring-1 data
        .quad 0x00afda000000ffff               # 0x38 ring-2 code
        .quad 0x00cfd2000000ffff               # 0x40 ring-2 data
        .quad 0, 0                             # 0x48 TSS
        .quad 0, 0                             # 0x58 LDT
gdt_end:
        .balign 8
gdtr32:
        .word gdt_end - gdt - 1
        .long gdt
        .balign 8
        .word 0, 0, 0
gdtr64:
        .word gdt_end - gdt - 1
        .quad 0
        .balign 8
        .word 0, 0, 0
idtr:
        .word 32 * 16 - 1
        .quad 0
        .balign 8
cs_tab: .word 0x08, 0x29, 0x3a, 0x23
ss_tab: .word 0x10, 0x31, 0x42, 0x1b
alpha:  .byte 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f
        .byte 0x37, 0x3f, 0x60, 0x61, 0x62, 0x82, 0xce, 0xea
        .balign 8
mbi_pa:         .long 0
mb_eax:         .long 0
runner_cr3:     .quad 0
runner_pml4e:   .quad 0
prev_slot:      .quad 0
prev_va:        .quad 0
saved_rsp:      .quad 0
resume:         .quad 0
acc_addr:       .quad 0
results_hdr:    .quad 0
msg_boot:       .asciz "X64Q boot\n"
msg_filled:     .asciz "X64Q filled\n"
msg_done:       .asciz "X64Q done\n"
msg_bad_boot:   .asciz "X64Q error: no multiboot module\n"
msg_bad_batch:  .asciz "X64Q error: bad batch header\n"
        .balign 16
tss:    .fill 104, 1, 0
inv_alpha:
        .fill 256, 1, 0

# ---------------------------------------------------------------- bss
        .section .bss, "aw", @nobits
        .balign 4096
pt_start:
pml4:      .fill 4096, 1, 0
pdpt_low:  .fill 4096, 1, 0
pd_low:    .fill 4096, 1, 0
pdpt_high: .fill 4096, 1, 0
pd_high:   .fill 4096, 1, 0
pt_user:   .fill 4096, 1, 0
pt_end:
idt:       .fill 4096, 1, 0
           .fill 16384, 1, 0
boot_stack_top:
stack_top = boot_stack_top
           .fill 16384, 1, 0
exc_stack_top:
           .fill 8192, 1, 0
df_stack_top:
