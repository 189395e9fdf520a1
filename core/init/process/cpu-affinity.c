/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CPU affinity of the container's processes.
 *
 * process.execCPUAffinity (config.md) is for `exec` alone, "not applicable
 * to the container's init process": "initial" is the affinity the process
 * starts with, before it enters the container's cgroup (a cpuset cgroup
 * resets the affinity when a task enters it); "final" is set after that,
 * just before execve(). exec takes it from config.json's process, or
 * from its --process file when it has one (a file without it gets none).
 *
 * Otherwise the process does not keep the runtime's affinity (a runtime
 * started under `taskset`, as runc's cpu_affinity.bats does): it gets
 * every CPU its cgroup's cpuset allows, as runc 1.2 resets it. With only
 * "initial", what the kernel gave after the move into the cgroup stays.
 *
 * The runtime gives the process "initial" by holding that affinity itself
 * while it creates it (the child inherits it), then returns to its own;
 * the process sets "final" or the reset in its set-up (where an error
 * still reaches the runtime, and before any seccomp filter), and "final"
 * again right before execve(), after any late cgroup move (exec into a
 * paused container; a move into a cpuset is a reset by itself).
 */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "process.h"

static void to_cpu_set(const struct oci_bitmap *b, cpu_set_t *ret)
{
        CPU_ZERO(ret);
        for (unsigned n = 0; n < b->highest && n < CPU_SETSIZE; n++)
                if (oci_bitmap_test(b, n))
                        CPU_SET(n, ret);
}

static int affinity_set(const struct oci_bitmap *b, const char *which, struct modrun_error **reterr)
{
        cpu_set_t set;
        to_cpu_set(b, &set);
        if (sched_setaffinity(0, sizeof(set), &set) == 0)
                return 0;
        return error_new(reterr, errno,
                         errno == EINVAL ? "list CPUs that are online and in the container's cpuset "
                                           "(linux.resources.cpu.cpus)"
                                         : NULL,
                         "process.execCPUAffinity.%s: sched_setaffinity to %u CPU(s)", which,
                         (unsigned)CPU_COUNT(&set));
}

int affinity_enter_initial(const struct oci_process *proc, bool exec_mode, struct affinity_saved *ret_saved,
                           struct modrun_error **reterr)
{
        *ret_saved = (struct affinity_saved){0};
        if (!exec_mode || !proc->affinity.has_initial)
                return 0;
        if (sched_getaffinity(0, sizeof(ret_saved->set), &ret_saved->set) < 0)
                return error_new(reterr, errno, NULL, "sched_getaffinity of the runtime");
        int r = affinity_set(&proc->affinity.initial, "initial", reterr);
        if (r < 0)
                return r;
        ret_saved->changed = true;
        return 0;
}

void affinity_restore(const struct affinity_saved *saved)
{
        if (saved->changed)
                (void)sched_setaffinity(0, sizeof(saved->set), &saved->set);
}

int affinity_apply_final(const struct oci_process *proc, bool exec_mode, struct modrun_error **reterr)
{
        return exec_mode && proc->affinity.has_final ? affinity_set(&proc->affinity.final, "final", reterr) : 0;
}

int affinity_apply(const struct oci_process *proc, bool exec_mode, struct modrun_error **reterr)
{
        if (exec_mode && proc->affinity.has_final)
                return affinity_set(&proc->affinity.final, "final", reterr);
        if (exec_mode && proc->affinity.has_initial)
                return 0; /* the kernel's, after the move into the cgroup */
        /* every CPU: the kernel keeps those of our cpuset */
        cpu_set_t all;
        memset(&all, 0xff, sizeof(all));
        if (sched_setaffinity(0, sizeof(all), &all) < 0)
                return error_new(reterr, errno, NULL, "sched_setaffinity to the CPUs of the container's cpuset");
        return 0;
}
