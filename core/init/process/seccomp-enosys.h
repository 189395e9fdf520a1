/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The -ENOSYS stub put in front of a seccomp filter, as runc does: a
 * syscall newer than every syscall the profile names (for its
 * architecture) fails with ENOSYS instead of the profile's default action.
 * A profile older than the program (or the kernel) then reads as an older
 * kernel, which programs handle (glibc falls back from clone3 or
 * faccessat2 on ENOSYS, not on EPERM). Syscalls at or below that number
 * keep the default action: a profile that leaves out an old syscall
 * still denies it.
 */
#pragma once

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* The highest syscall number the profile names on one architecture as the
 * kernel reports it (AUDIT_ARCH_*), or -1 for none. x32 shares
 * AUDIT_ARCH_X86_64 with x86_64 and is told apart by bit 30 of the number,
 * so it has its own highest number (bit 30 set), or -1. */
struct enosys_arch {
        uint32_t audit_arch;
        int64_t last;
        int64_t last_x32;
};

/* The most instructions seccomp_enosys_stub() writes for n architectures. */
#define ENOSYS_STUB_MAX(n) (3 + 9 * (n))

/* Write the stub for n architectures to out (room for ENOSYS_STUB_MAX(n)):
 * on a listed architecture, a number above its highest returns
 * SECCOMP_RET_ERRNO | ENOSYS; everything else falls through to the
 * instruction right after the stub, where the filter itself goes. Returns
 * the number of instructions, 0 when no architecture has a highest number
 * (no stub). */
size_t seccomp_enosys_stub(const struct enosys_arch *arches, size_t n, struct sock_filter *out);
