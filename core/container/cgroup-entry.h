/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A process born inside the container's cgroups: the cgroup manager's
 * open_entry() gives the fds, the helper clones with CLONE_INTO_CGROUP
 * (cgroup v2) and the new process moves itself into the v1 hierarchies.
 * Neither takes the write side of the kernel's threadgroup lock, which a
 * write of another pid to cgroup.procs does (an RCU grace period, ~10 ms).
 */
#include <stdbool.h>

#include "modrun/plugin.h"
#include "plugin/plugins.h"
#include "util/error.h"

/* e->unified_fd = -1, no self fds. */
void cgroup_entry_init(struct modrun_cgroup_entry *e);
/* Fill e when the cgroup manager can place a new process at its birth:
 * 1 if so, 0 when the caller must enter() the pid instead, -errno. */
int cgroup_entry_open(struct plugins *pl, struct modrun_cgroup_entry *e, struct modrun_error **reterr);
void cgroup_entry_close(struct modrun_cgroup_entry *e);
/* Append e's fds to keep[*n] (at most 1 + MODRUN_CGROUP_ENTRY_MAX). */
void cgroup_entry_keep(const struct modrun_cgroup_entry *e, int *keep, size_t *n);
/* In the helper: a fork-like clone(flags) (no stack, no CSIGNAL bits),
 * exit signal SIGCHLD, into e->unified_fd when set. On kernels without
 * clone3's CLONE_INTO_CGROUP (< 5.7) the helper writes the child's pid into
 * cgroup.procs itself. Returns the pid (0 in the child) or -errno: *reterr
 * is set only when that move failed; a failed clone is the caller's to
 * explain. */
long cgroup_entry_clone(const struct modrun_cgroup_entry *e, unsigned long flags, struct modrun_error **reterr);
/* cgroup_entry_clone() for a process sharing the caller's memory
 * (clone-vm.h: flags | CLONE_VM | CLONE_VFORK, fn(arg) in the child): the
 * pid once the child has exec'd or died, or -errno, and then the caller
 * clones the usual way (which knows the fallbacks of older kernels and
 * pids.max). */
long cgroup_entry_clone_vm(const struct modrun_cgroup_entry *e, unsigned long flags, void (*fn)(void *), void *arg);
/* In the new process: move itself into every v1 hierarchy, close the fds. */
int cgroup_entry_self(struct modrun_cgroup_entry *e, struct modrun_error **reterr);
