/* SPDX-License-Identifier: Apache-2.0 */
/* `run`: create, start, and (in the foreground) wait for the process while
 * forwarding signals to it, then delete. */
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "util/log.h"

/* Through what create kept, when it could keep it. */
static void delete_after_run(const struct runtime_ctx *ctx, const char *id, struct container *created)
{
        _cleanup_error_ struct modrun_error *err = NULL;
        if ((created ? container_delete_kept(created, &err) : lifecycle_delete(ctx, id, true, &err)) < 0)
                log_warning("removing container %s after it exited: %s", id, err->msg);
}

int lifecycle_run(const struct runtime_ctx *ctx, const char *id, const struct create_opts *o, bool detach,
                  bool keep, int *ret_status, struct modrun_error **reterr)
{
        sigset_t set, old;
        /* Block before create, so that a signal sent to us early is forwarded, not lost. */
        if (!detach)
                forward_signals_block(&set, &old);
        pid_t pid = 0;
        /* In the foreground without --console-socket, we receive the
         * terminal ourselves (if the config asks for one). */
        struct create_opts co = *o;
        struct create_start early = {0};
        _cleanup_container_ struct container *created = NULL;
        co.start = &early;
        _cleanup_close_ int ours = -1, master = -1, host = -1;
        int r = 0, pair[2];
        if (!detach && !o->console_socket) {
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                        r = error_new(reterr, errno, NULL, "socketpair(AF_UNIX) for the container's terminal");
                else
                        ours = pair[0], co.console_fd = pair[1];
        }
        if (r >= 0)
                r = lifecycle_create(ctx, id, &co, &pid, reterr);
        created = early.created;
        if (co.console_fd >= 0)
                (void)close(co.console_fd);
        if (r >= 0 && ours >= 0)
                r = console_receive(ours, &master, reterr);
        /* As runc: a terminal of ours among stderr, stdout, stdin, or the
         * controlling one; with none, refused. */
        if (r >= 0 && master >= 0 && (host = console_host()) < 0)
                r = error_new(reterr, 0,
                              "run it from a terminal, set process.terminal to false in config.json, or pass "
                              "--console-socket (with --detach) to give the terminal to another program",
                              "run %s: process.terminal is true, but modrun has no terminal (none of stdin, "
                              "stdout, stderr is one, and there is no controlling terminal)", id);
        if (r >= 0 && early.started && early.err) {
                *reterr = TAKE_PTR(early.err);
                r = error_ret(*reterr);
        } else if (r >= 0 && !early.started)
                r = created ? container_start_kept(created, reterr) : lifecycle_start(ctx, id, reterr);
        if (r < 0) {
                (void)error_free(early.err); /* set only when create's start failed */
                if (pid > 0)
                        delete_after_run(ctx, id, created);
                if (!detach)
                        sigprocmask(SIG_SETMASK, &old, NULL);
                return r;
        }
        *ret_status = 0;
        if (detach) {
                container_release_at_exit(TAKE_PTR(created));
                return 0;
        }
        r = master >= 0 ? console_proxy(pid, master, host, &set, ret_status) : wait_forwarding(pid, &set, ret_status);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (r < 0)
                return error_new(reterr, -r, NULL, "wait for container %s (pid %d)", id, (int)pid);
        if (!keep)
                delete_after_run(ctx, id, created);
        container_release_at_exit(TAKE_PTR(created));
        return 0;
}
