/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * clone3() with CLONE_VM | CLONE_VFORK: the child shares the caller's
 * memory and runs fn(arg) on the caller's stack, below the caller's frame;
 * the caller sleeps until the child has exec'd or died. No page table is
 * copied, no page faulted in again or copied on write: for `exec`, whose
 * process only sets itself up and execs.
 *
 * What the child writes (heap, globals, the stack below) the caller sees;
 * fn never returns (a return exits the child with 127).
 */
#include <stdbool.h>
#include <stddef.h>

/* Built for this machine (x86_64, no sanitizer, whose stack and
 * allocator bookkeeping a child sharing them would confuse). */
bool clone_vm_available(void);
/* The child's pid, or -errno (-ENOSYS where not available). args: clone3's
 * struct of size bytes; its flags must hold CLONE_VM | CLONE_VFORK and
 * its stack be 0. */
long clone_vm_run(void *args, size_t size, void (*fn)(void *), void *arg);
