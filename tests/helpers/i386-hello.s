/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-i386-hello: the smallest i386 (32-bit x86) program, for the
 * seccomp architecture tests (45-seccomp.bats): it writes "i386 ok\n" to
 * stdout with the int 0x80 write(2) and exits 0 with exit(2), nothing else,
 * so every system call it makes goes through the x86 (not x86_64) ABI.
 * Plain assembly on purpose: it needs no 32-bit libc (gcc-multilib), only
 * binutils (`as --32`, `ld -m elf_i386`), which Debian's gcc pulls in.
 */
	.text
	.globl	_start
_start:
	movl	$4, %eax		/* __NR_write on i386 */
	movl	$1, %ebx		/* stdout */
	movl	$msg, %ecx
	movl	$len, %edx
	int	$0x80
	cmpl	$len, %eax
	jne	1f
	movl	$1, %eax		/* __NR_exit */
	xorl	%ebx, %ebx
	int	$0x80
1:	movl	$1, %eax		/* a short or failed write: exit 3 */
	movl	$3, %ebx
	int	$0x80

	.data
msg:	.ascii	"i386 ok\n"
	.set	len, . - msg
	.section .note.GNU-stack,"",@progbits
