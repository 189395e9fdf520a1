/* SPDX-License-Identifier: Apache-2.0 */
/* Waiting in the foreground for a process of the container (run, exec)
 * while forwarding the signals we receive to it, as runc does. */
#include <signal.h>
#include <sys/wait.h>

#include "container.h"

static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP};

void forward_signals_block(sigset_t *ret_set, sigset_t *ret_old)
{
        sigemptyset(ret_set);
        sigaddset(ret_set, SIGCHLD);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(ret_set, forwarded[i]);
        sigprocmask(SIG_BLOCK, ret_set, ret_old);
}

static int exit_code(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

int wait_forwarding(pid_t pid, const sigset_t *set, int *ret_status)
{
        for (;;) {
                int status;
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid) {
                        *ret_status = exit_code(status);
                        return 0;
                }
                if (w < 0 && errno != EINTR)
                        return -errno;
                siginfo_t si;
                int sig = sigwaitinfo(set, &si);
                if (sig > 0 && sig != SIGCHLD)
                        (void)kill(pid, sig);
        }
}
