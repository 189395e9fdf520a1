/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the kernel keeps of a task across execve() and the config sets:
 * process.scheduler (sched_setattr), process.ioPriority (ioprio_set),
 * linux.personality (personality) and linux.memoryPolicy (set_mempolicy).
 * The init applies them first in its set-up, while it still has the
 * capabilities (CAP_SYS_NICE, CAP_SYS_ADMIN) and before a seccomp filter
 * might deny the calls; children it forks inherit them, as the exec'd
 * program does.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "process.h"

#define IOPRIO_CLASS_SHIFT 13

/* sched_setattr(2)'s struct (linux/sched/types.h, which clashes with
 * <sched.h>): the size-versioned layout up to SCHED_ATTR_SIZE_VER0. */
struct kernel_sched_attr {
        uint32_t size, sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
};

static int sys_sched_setattr(const struct kernel_sched_attr *attr)
{
        return (int)syscall(SYS_sched_setattr, 0, attr, 0U);
}

static int sys_ioprio_set(int klass, int prio)
{
        return (int)syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (klass << IOPRIO_CLASS_SHIFT) | prio);
}

static int sys_set_mempolicy(int mode, const unsigned long *nodes, unsigned long maxnode)
{
        return (int)syscall(SYS_set_mempolicy, mode, nodes, maxnode);
}

static const char *sched_einval_hint(const struct oci_scheduler *s)
{
        if (s->policy == 4)
                return "SCHED_ISO is not in mainline Linux: use SCHED_OTHER, SCHED_BATCH or SCHED_IDLE";
        if (s->policy == 6)
                return "SCHED_DEADLINE needs 0 < runtime <= deadline <= period (ns; period 0 means deadline), "
                       "runtime >= 1024 ns, and no SCHED_FLAG_RESET_ON_FORK";
        if (s->policy == 1 || s->policy == 2)
                return "SCHED_FIFO and SCHED_RR take a priority from 1 to 99";
        return "nice is for SCHED_OTHER and SCHED_BATCH, priority must be 0 for them and SCHED_IDLE";
}

static int scheduler_apply(const struct oci_scheduler *s, struct modrun_error **reterr)
{
        struct kernel_sched_attr attr = {
                .size = sizeof(attr), .sched_policy = s->policy, .sched_flags = s->flags, .sched_nice = s->nice,
                .sched_priority = s->priority, .sched_runtime = s->runtime, .sched_deadline = s->deadline,
                .sched_period = s->period,
        };
        if (sys_sched_setattr(&attr) == 0)
                return 0;
        int e = errno;
        const char *hint = e == EINVAL ? sched_einval_hint(s)
                           : e == EPERM ? "a real-time or deadline policy, or a negative nice value, needs "
                                          "CAP_SYS_NICE in the runtime; a real-time policy also needs real-time "
                                          "time in the container's cpu cgroup when the kernel groups it "
                                          "(set linux.resources.cpu.realtimeRuntime and realtimePeriod)"
                           : e == EBUSY ? "deadline admission control refused the bandwidth: lower runtime/period"
                                        : NULL;
        return error_new(reterr, e, hint,
                         "process.scheduler: sched_setattr(policy %u, nice %d, priority %u, flags 0x%llx, runtime "
                         "%llu, deadline %llu, period %llu)",
                         s->policy, s->nice, s->priority, (unsigned long long)s->flags,
                         (unsigned long long)s->runtime, (unsigned long long)s->deadline,
                         (unsigned long long)s->period);
}

static int io_priority_apply(const struct oci_io_priority *io, struct modrun_error **reterr)
{
        if (sys_ioprio_set(io->klass, io->priority) == 0)
                return 0;
        static const char *const classes[] = {"NONE", "RT", "BE", "IDLE"};
        return error_new(reterr, errno,
                         errno == EPERM ? "the real-time I/O class needs CAP_SYS_ADMIN (or CAP_SYS_NICE) in the runtime"
                                        : NULL,
                         "process.ioPriority: ioprio_set(IOPRIO_CLASS_%s, %d)", classes[io->klass & 3], io->priority);
}

static int personality_apply(const struct oci_personality *p, struct modrun_error **reterr)
{
        if (personality(p->domain) >= 0)
                return 0;
        return error_new(reterr, errno, NULL, "linux.personality: personality(0x%lx)", p->domain);
}

static int memory_policy_apply(const struct oci_memory_policy *mp, struct modrun_error **reterr)
{
        /* the kernel's node mask is of unsigned long words */
        unsigned long mask[OCI_BITMAP_BITS / (8 * sizeof(unsigned long))] = {0};
        const unsigned word = 8 * sizeof(unsigned long);
        for (unsigned n = 0; n < mp->nodes.highest; n++)
                if (oci_bitmap_test(&mp->nodes, n))
                        mask[n / word] |= 1UL << (n % word);
        /* maxnode counts one more than the bits given (set_mempolicy(2) BUGS) */
        bool nodes = mp->nodes.highest > 0;
        if (sys_set_mempolicy(mp->mode | (int)mp->flags, nodes ? mask : NULL, nodes ? OCI_BITMAP_BITS + 1 : 0) == 0)
                return 0;
        int e = errno;
        char allowed[256] = "?";
        FILE *f = fopen("/proc/self/status", "re");
        for (char line[512]; f && fgets(line, sizeof(line), f);)
                if (sscanf(line, "Mems_allowed_list: %255s", allowed) == 1)
                        break;
        if (f)
                (void)fclose(f);
        _cleanup_free_ char *hint = NULL;
        if (e == EINVAL &&
            asprintf(&hint,
                     "MPOL_DEFAULT and MPOL_LOCAL take no nodes, the other modes need at least one; the nodes must "
                     "be among those allowed here (%s); MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each "
                     "other, MPOL_F_NUMA_BALANCING is only for MPOL_BIND (and MPOL_PREFERRED_MANY)",
                     allowed) < 0)
                hint = NULL;
        return error_new(reterr, e, hint, "linux.memoryPolicy: set_mempolicy(mode %d, flags 0x%x, %u node bits)",
                         mp->mode, mp->flags, mp->nodes.highest);
}

int process_attrs_apply(const struct oci_config *cfg, struct modrun_error **reterr)
{
        const struct oci_process *proc = &cfg->process;
        int r = 0;
        if (proc->sched.present && (r = scheduler_apply(&proc->sched, reterr)) < 0)
                return r;
        if (proc->io_priority.present && (r = io_priority_apply(&proc->io_priority, reterr)) < 0)
                return r;
        if (cfg->linux_.personality.present && (r = personality_apply(&cfg->linux_.personality, reterr)) < 0)
                return r;
        if (cfg->linux_.memory_policy.present && (r = memory_policy_apply(&cfg->linux_.memory_policy, reterr)) < 0)
                return r;
        return 0;
}
