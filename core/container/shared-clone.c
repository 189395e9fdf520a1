/* SPDX-License-Identifier: Apache-2.0 */
/* A process sharing the runtime's memory until its execve: see shared-clone.h. */
#include <errno.h>
#include <sys/single_threaded.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clone-vm.h"
#include "shared-clone.h"
#include "sync.h"

/* Past the child's own bound: its timer fires first unless it was stopped. */
#define BACKSTOP_EXTRA_MS 5000

bool shared_clone_possible(void)
{
        struct sigaction chld;
        if (sigaction(SIGCHLD, NULL, &chld) < 0 || chld.sa_handler == SIG_IGN || (chld.sa_flags & SA_NOCLDWAIT))
                return false;
        return clone_vm_available() && __libc_single_threaded;
}

/* A POSIX timer that sends signo to the calling process ms from now: its
 * id, or -1 with errno (raw system calls: no allocation). */
static int signal_timer_arm(int signo, int ms)
{
        struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = signo};
        struct itimerspec its = {.it_value = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L}};
        int timer = -1;
        if (ms <= 0) {
                errno = EINVAL;
                return -1;
        }
        if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &timer) < 0)
                return -1;
        if (syscall(SYS_timer_settime, timer, 0, &its, NULL) < 0) {
                int e = errno;
                (void)syscall(SYS_timer_delete, timer);
                errno = e;
                return -1;
        }
        return timer;
}

static void timed_out(int sig)
{
        (void)sig;
        _exit(SHARED_CLONE_TIMED_OUT);
}

int shared_clone_child_bound(int signo, int ms)
{
        struct sigaction sa = {.sa_handler = timed_out};
        sigset_t set;
        (void)sigemptyset(&set);
        (void)sigaddset(&set, signo);
        if (signo != SIGKILL && (sigaction(signo, &sa, NULL) < 0 || sigprocmask(SIG_UNBLOCK, &set, NULL) < 0))
                return -1;
        return signal_timer_arm(signo, ms) < 0 ? -1 : 0;
}

long shared_clone_run(const struct shared_clone *c)
{
        int backstop = signal_timer_arm(SIGKILL, c->timeout_ms + BACKSTOP_EXTRA_MS);
        if (backstop < 0)
                return -errno;
        int r = sync_send(c->go_fd, SYNC_GO, 0, NULL, NULL);
        long pid = r < 0 ? r : cgroup_entry_clone_vm(c->cg_entry, c->flags, c->fn, c->arg);
        (void)syscall(SYS_timer_delete, backstop);
        if (pid < 0 && r >= 0) {
                char drop[64]; /* "go" back: the usual clone may move its child after it */
                (void)recv(c->peer_fd, drop, sizeof(drop), MSG_DONTWAIT);
        }
        return pid;
}

bool shared_clone_heap_trusted(pid_t pid, const volatile int *execd, siginfo_t *si)
{
        if (*execd)
                return true;
        int r;
        *si = (siginfo_t){0};
        while ((r = waitid(P_PID, (id_t)pid, si, WEXITED | WNOWAIT)) < 0 && errno == EINTR)
                ;
        if (r < 0)
                si->si_pid = 0;
        return r == 0 && si->si_code == CLD_EXITED && si->si_status != SHARED_CLONE_TIMED_OUT;
}
