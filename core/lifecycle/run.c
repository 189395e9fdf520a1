/* SPDX-License-Identifier: Apache-2.0 */
/* `run`: create, start, and (in the foreground) wait for the process while
 * forwarding signals to it, then delete. */
#include <signal.h>
#include <sys/wait.h>

#include "container.h"
#include "util/log.h"

static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP};

static int exit_code(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

/* Wait for pid (our child: the init is created with CLONE_PARENT) while
 * forwarding the signals we receive. */
static int wait_forwarding(pid_t pid, const sigset_t *set, int *ret_status)
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

static void delete_after_run(const struct runtime_ctx *ctx, const char *id)
{
        _cleanup_error_ struct modrun_error *err = NULL;
        if (lifecycle_delete(ctx, id, true, &err) < 0)
                log_warning("removing container %s after it exited: %s", id, err->msg);
}

int lifecycle_run(const struct runtime_ctx *ctx, const char *id, const struct create_opts *o, bool detach,
                  bool keep, int *ret_status, struct modrun_error **reterr)
{
        sigset_t set, old;
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(&set, forwarded[i]);
        /* Block before create, so that a signal sent to us early is forwarded, not lost. */
        if (!detach)
                sigprocmask(SIG_BLOCK, &set, &old);
        pid_t pid = 0;
        int r = lifecycle_create(ctx, id, o, &pid, reterr);
        if (r >= 0)
                r = lifecycle_start(ctx, id, reterr);
        if (r < 0) {
                if (pid > 0)
                        delete_after_run(ctx, id);
                if (!detach)
                        sigprocmask(SIG_SETMASK, &old, NULL);
                return r;
        }
        *ret_status = 0;
        if (detach)
                return 0;
        r = wait_forwarding(pid, &set, ret_status);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (r < 0)
                return error_new(reterr, -r, NULL, "wait for container %s (pid %d)", id, (int)pid);
        if (!keep)
                delete_after_run(ctx, id);
        return 0;
}
