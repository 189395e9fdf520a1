/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kill --all and delete --force: signal every process in the container's
 * cgroups (every hierarchy, child cgroups included), never waiting without
 * a bound (FIELD-NOTES 4).
 *
 * SIGKILL uses cgroup.kill where the container has a cgroup2 directory
 * that offers it (kernel >= 5.14; on a hybrid host too, the processes are
 * in the unified hierarchy as well): the kernel kills the whole subtree
 * without a race against fork. Otherwise, and for every other signal, as
 * runc: freeze, signal each pid of cgroup.procs, thaw; a frozen cgroup
 * cannot fork a new process between the listing and the signal. If the
 * freeze itself cannot complete, the processes are signalled unfrozen.
 * For SIGKILL the cgroups are then watched until they are empty, and again
 * signalled each round (a process that escaped a round does not escape
 * the next); on timeout the error lists the pids that are left.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../common/pid-list.h"
#include "cgroupfs.h"

#define FREEZE_MAX_MS 1000

/* A paused container stays paused (its state says so), unless the signal
 * is SIGKILL: a task frozen by the v1 freezer dies only once thawed. */
static void signal_pass(const struct cgfs *s, int signo, int freeze_ms)
{
        bool paused = cg_is_frozen(s);
        bool frozen = paused || cg_freeze(s, true, freeze_ms, NULL) == 0;
        pid_t *pids = NULL;
        size_t n = 0;
        if (cg_all_pids(s, &pids, &n) == 0)
                for (size_t i = 0; i < n; i++)
                        (void)kill(pids[i], signo);
        free(pids);
        if (frozen && (!paused || signo == SIGKILL))
                (void)cg_freeze(s, false, freeze_ms, NULL);
        s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: signal %d sent to %zu process(es)%s", signo, n,
                     frozen ? " while frozen" : " (not frozen)");
}

static bool cgroup_kill(const struct cgfs *s)
{
        const struct cg_place *u = cg_unified_place(s);
        if (!u || cg_write_raw(u->dir, "cgroup.kill", "1") < 0)
                return false;
        s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: %s/cgroup.kill <- 1", u->dir);
        return true;
}

static int left_error(const struct cgfs *s, const pid_t *pids, size_t n, int timeout_ms, struct modrun_error **reterr)
{
        char list[512];
        pid_list_format(list, sizeof(list), pids, n);
        const struct cg_place *p = NULL;
        for (size_t i = 0; !p && i < s->n; i++)
                if (s->p[i].dir)
                        p = &s->p[i];
        return s->host->error(reterr, ETIMEDOUT, "a process may be stuck in the kernel: look for state D in /proc/PID/status",
                              "cgroupfs: %zu process(es) still in the container's cgroup (%s) %d ms after SIGKILL: pids %s",
                              n, p ? p->dir : "?", timeout_ms, list);
}

int cg_kill_all(const struct cgfs *s, int signo, int timeout_ms, struct modrun_error **reterr)
{
        int64_t deadline = clock_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
        int freeze_ms = timeout_ms / 4 < FREEZE_MAX_MS ? timeout_ms / 4 : FREEZE_MAX_MS;
        pid_t *pids = NULL;
        size_t n = 0;
        int r = cg_all_pids(s, &pids, &n);
        if (r < 0)
                return s->host->error(reterr, -r, NULL, "cgroupfs: list the processes of the container's cgroups");
        free(pids);
        if (n == 0) {
                s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: no process in the container's cgroups to signal");
                return 0;
        }
        if (signo != SIGKILL || !cgroup_kill(s))
                signal_pass(s, signo, freeze_ms);
        else if (cg_is_frozen(s)) /* paused: killed tasks of a frozen cgroup exit once thawed */
                (void)cg_freeze(s, false, freeze_ms, NULL);
        if (signo != SIGKILL)
                return 0;
        for (int wait = 1, round = 0;; wait = wait < 50 ? wait * 2 : 50, round++) {
                pids = NULL;
                n = 0;
                if ((r = cg_all_pids(s, &pids, &n)) < 0)
                        return s->host->error(reterr, -r, NULL, "cgroupfs: list the processes of the container's cgroups");
                if (n == 0 || clock_now_ms() >= deadline) {
                        r = n == 0 ? 0 : left_error(s, pids, n, timeout_ms, reterr);
                        free(pids);
                        return r;
                }
                free(pids);
                if (round % 4 == 3)
                        signal_pass(s, SIGKILL, freeze_ms);
                clock_sleep_ms(wait);
        }
}
