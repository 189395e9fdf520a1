/* SPDX-License-Identifier: Apache-2.0 */
/* clone3(CLONE_VM | CLONE_VFORK) running a function: see clone-vm.h.
 *
 * In assembly, as glibc's clone() is: after the system call the child
 * must not return through any frame of the caller's (its return address
 * would be overwritten by the child's own calls before the caller uses
 * it), so it calls fn right there, on the stack below the caller's. The
 * caller's frame is left as it was: the child only pushes below it. */
#include <errno.h>

#include "clone-vm.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(hwaddress_sanitizer) || __has_feature(memory_sanitizer) || \
        __has_feature(thread_sanitizer)
#define CLONE_VM_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_HWADDRESS__) || defined(__SANITIZE_THREAD__)
#define CLONE_VM_SANITIZED 1
#endif

#if defined(__x86_64__) && !defined(CLONE_VM_SANITIZED)
#if defined(__CET__) && (__CET__ & 1)
#define CLONE_VM_ENDBR "        endbr64\n"
#else
#define CLONE_VM_ENDBR ""
#endif
/* rdi = args, rsi = size (clone3's), rdx = fn, rcx = arg */
long modrun_clone3_vm(void *args, size_t size, void (*fn)(void *), void *arg);
__asm__(".pushsection .text\n"
        ".globl modrun_clone3_vm\n"
        ".hidden modrun_clone3_vm\n"
        ".type modrun_clone3_vm, @function\n"
        "modrun_clone3_vm:\n"
        "        .cfi_startproc\n" CLONE_VM_ENDBR
        "        pushq %r12\n"
        "        .cfi_adjust_cfa_offset 8\n"
        "        .cfi_rel_offset %r12, 0\n"
        "        pushq %r13\n"
        "        .cfi_adjust_cfa_offset 8\n"
        "        .cfi_rel_offset %r13, 0\n"
        "        movq %rdx, %r12\n"
        "        movq %rcx, %r13\n"
        "        movl $435, %eax\n" /* __NR_clone3 */
        "        syscall\n"
        "        testq %rax, %rax\n"
        "        jnz 1f\n"
        "        .cfi_remember_state\n"
        "        .cfi_undefined %rip\n" /* the child: the outermost frame */
        "        xorl %ebp, %ebp\n"
        "        movq %r13, %rdi\n" /* fn(arg), never back */
        "        andq $-16, %rsp\n"
        "        callq *%r12\n"
        "        movl $127, %edi\n"
        "        movl $231, %eax\n" /* __NR_exit_group */
        "        syscall\n"
        "        hlt\n"
        "1:      .cfi_restore_state\n"
        "        popq %r13\n"
        "        .cfi_adjust_cfa_offset -8\n"
        "        .cfi_restore %r13\n"
        "        popq %r12\n"
        "        .cfi_adjust_cfa_offset -8\n"
        "        .cfi_restore %r12\n"
        "        retq\n"
        "        .cfi_endproc\n"
        ".size modrun_clone3_vm, .-modrun_clone3_vm\n"
        ".popsection\n");

bool clone_vm_available(void) { return true; }

long clone_vm_run(void *args, size_t size, void (*fn)(void *), void *arg)
{
        return modrun_clone3_vm(args, size, fn, arg);
}
#else
bool clone_vm_available(void) { return false; }

long clone_vm_run(void *args, size_t size, void (*fn)(void *), void *arg)
{
        (void)args, (void)size, (void)fn, (void)arg;
        return -ENOSYS;
}
#endif
