/* SPDX-License-Identifier: Apache-2.0 */
/* A process born inside the container's cgroups: see cgroup-entry.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-entry.h"
#include "clone-vm.h"
#include "util/fs-util.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* clone3's argument (linux/sched.h, up to CLONE_INTO_CGROUP). */
struct clone3_args {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
                cgroup;
};

void cgroup_entry_init(struct modrun_cgroup_entry *e)
{
        *e = (struct modrun_cgroup_entry){.unified_fd = -1};
        for (size_t i = 0; i < MODRUN_CGROUP_ENTRY_MAX; i++)
                e->self_fds[i] = -1;
}

void cgroup_entry_close(struct modrun_cgroup_entry *e)
{
        if (e->unified_fd >= 0)
                (void)close(e->unified_fd);
        for (size_t i = 0; i < e->n_self_fds && i < MODRUN_CGROUP_ENTRY_MAX; i++)
                if (e->self_fds[i] >= 0)
                        (void)close(e->self_fds[i]);
        cgroup_entry_init(e);
}

int cgroup_entry_open(struct plugins *pl, struct modrun_cgroup_entry *e, struct modrun_error **reterr)
{
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(pl, &st);
        cgroup_entry_init(e);
        if (!cg || !MODRUN_HAS_OP(cg, open_entry))
                return 0;
        int r = cg->open_entry(st, e, reterr);
        if (r >= 0 && e->n_self_fds > MODRUN_CGROUP_ENTRY_MAX)
                r = error_new(reterr, EPROTO, NULL, "cgroup manager: open_entry returned %u fds (at most %d)",
                              (unsigned)e->n_self_fds, MODRUN_CGROUP_ENTRY_MAX);
        if (r < 0) {
                cgroup_entry_close(e);
                return error_wrap(reterr, "open the container's cgroups for its new process");
        }
        return 1;
}

void cgroup_entry_keep(const struct modrun_cgroup_entry *e, int *keep, size_t *n)
{
        keep[(*n)++] = e->unified_fd;
        for (size_t i = 0; i < e->n_self_fds; i++)
                keep[(*n)++] = e->self_fds[i];
}

long cgroup_entry_clone(const struct modrun_cgroup_entry *e, unsigned long flags, struct modrun_error **reterr)
{
        /* With CLONE_PARENT the child inherits the caller's exit signal
         * and clone3 refuses one of its own. */
        struct clone3_args a = {.flags = flags, .exit_signal = flags & CLONE_PARENT ? 0 : SIGCHLD};
        if (e->unified_fd >= 0) {
                a.flags |= CLONE_INTO_CGROUP;
                a.cgroup = (uint64_t)e->unified_fd;
        }
        long pid = syscall(SYS_clone3, &a, sizeof(a));
        if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && !(errno == EAGAIN && e->unified_fd >= 0)))
                return pid < 0 ? -errno : pid; /* a failed clone: the caller says why */
        /* clone3 (5.3) or its cgroup field (5.7) is unknown, or the cgroup is
         * at its pids.max (0 is a limit, runtime-spec 1.3.0; a move is not
         * counted against it, and runc always moves): clone, then move the
         * child. */
        pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid <= 0 || e->unified_fd < 0)
                return pid < 0 ? -errno : pid;
        char v[24];
        (void)snprintf(v, sizeof(v), "%ld", pid);
        int r = fs_write_file(e->unified_fd, "cgroup.procs", v, reterr);
        if (r < 0) {
                (void)kill((pid_t)pid, SIGKILL);
                return error_wrap(reterr, "move the new process %ld into the container's cgroup v2", pid);
        }
        return pid;
}

long cgroup_entry_clone_vm(const struct modrun_cgroup_entry *e, unsigned long flags, void (*fn)(void *), void *arg)
{
        struct clone3_args a = {.flags = flags | CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD};
        if (e->unified_fd >= 0) {
                a.flags |= CLONE_INTO_CGROUP;
                a.cgroup = (uint64_t)e->unified_fd;
        }
        return clone_vm_run(&a, sizeof(a), fn, arg);
}

int cgroup_entry_self(struct modrun_cgroup_entry *e, struct modrun_error **reterr)
{
        int r = 0;
        for (size_t i = 0; i < e->n_self_fds && r >= 0; i++) {
                if (write(e->self_fds[i], "0", 1) == 1)
                        continue;
                int err = errno;
                char link[32], path[256] = "a cgroup v1 tasks file";
                (void)snprintf(link, sizeof(link), "/proc/self/fd/%d", e->self_fds[i]);
                ssize_t n = readlink(link, path, sizeof(path) - 1);
                if (n > 0)
                        path[n] = '\0';
                r = error_new(reterr, err, NULL, "move into the container's cgroup: write 0 to %s", path);
        }
        cgroup_entry_close(e);
        return r;
}
