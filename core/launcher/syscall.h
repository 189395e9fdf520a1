/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System calls without a C library, for the launcher (launcher.c): the
 * kernel's calling convention of each architecture meson builds it for
 * (core/launcher/meson.build), and the process entry point, which hands
 * the initial stack (argc, argv, NULL, envp, NULL, auxv) to launcher_main.
 */
#pragma once

#include <asm/unistd.h>

#if defined(__x86_64__)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
        register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
        long r;
        __asm__ volatile("syscall"
                         : "=a"(r)
                         : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                         : "rcx", "r11", "memory");
        return r;
}
#define LAUNCHER_ENTRY                                                                                              \
        __asm__(".text\n.globl _start\n.type _start,@function\n_start:\n"                                          \
                "  xor %ebp, %ebp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call launcher_main\n  hlt\n")
#elif defined(__aarch64__)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
        register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c,
                      x3 __asm__("x3") = d, x4 __asm__("x4") = e, x5 __asm__("x5") = f;
        __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
        return x0;
}
#define LAUNCHER_ENTRY                                                                                              \
        __asm__(".text\n.globl _start\n.type _start,%function\n_start:\n"                                          \
                "  mov x29, #0\n  mov x30, #0\n  mov x0, sp\n  and sp, x0, #-16\n  bl launcher_main\n  brk #0\n")
#else
#error "the launcher has no system call code for this architecture (meson builds it only where it has)"
#endif

#define SYS(n, a, b, c, d, e) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
