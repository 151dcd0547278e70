/*
 * Position-independent code the test application copies to physical addresses the
 * scenario chooses: the trampoline that loads the new CR3, and a tiny kernel. Both
 * report progress over the QEMU debug console (port 0xE9), one byte per milestone:
 *   T  about to load CR3        S  the fetch after MOV CR3 worked (HANDOFF.CR3.NEXT_FETCH_MAPPED)
 *   P  the first push worked (HANDOFF.STACK.WRITABLE)
 *   E  the kernel's first instruction ran (HANDOFF.ENTRY.EXECUTABLE)
 *   K… the kernel read the boot information (HANDOFF.BOOTINFO.MAPPED) and prints its first qword
 * then the kernel exits QEMU through isa-debug-exit (port 0xF4, value 0x31 → status 99).
 */
	.intel_syntax noprefix
	.text
	.globl x64_tramp_start, x64_tramp_after_cr3, x64_tramp_end
	.globl x64_kernel_start, x64_kernel_end

/* rdi = parameter block: cr3, rsp, entry, bootinfo, efer (8 bytes each), then IDTR (limit:2, base:8). */
x64_tramp_start:
	cli
	mov r8,  [rdi]
	mov r9,  [rdi + 8]
	mov r10, [rdi + 16]
	mov r11, [rdi + 24]
	mov rax, [rdi + 32]
	lidt [rdi + 40]
	mov rdx, rax
	shr rdx, 32
	mov ecx, 0xC0000080
	wrmsr
	mov dx, 0xE9
	mov al, 'T'
	out dx, al
	mov cr3, r8
x64_tramp_after_cr3:
	mov al, 'S'
	out dx, al
	mov rsp, r9
	push r11
	mov al, 'P'
	out dx, al
	mov rdi, r11
	jmp r10
x64_tramp_end:

/* rdi = boot information pointer (its first qword is printed in hex). */
x64_kernel_start:
	mov dx, 0xE9
	mov al, 'E'
	out dx, al
	mov rbx, [rdi]
	mov al, 'K'
	out dx, al
	mov ecx, 16
1:	rol rbx, 4
	mov al, bl
	and al, 0x0F
	add al, '0'
	cmp al, '9'
	jbe 2f
	add al, 39
2:	out dx, al
	dec ecx
	jnz 1b
	mov al, 10
	out dx, al
	mov dx, 0xF4
	mov eax, 0x31
	out dx, eax
3:	hlt
	jmp 3b
x64_kernel_end:
	.section .note.GNU-stack,"",@progbits
