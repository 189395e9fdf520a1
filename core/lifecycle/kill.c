/* SPDX-License-Identifier: Apache-2.0 */
/* `kill` and `delete`. */
#include <signal.h>

#include "container.h"
#include "util/log.h"

int lifecycle_kill(const struct runtime_ctx *ctx, const char *id, int signo, bool all, struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        int r = container_open(ctx, id, all, &c, reterr);
        if (r < 0)
                return r;
        enum container_status st = state_status(c->dir, c->state);
        if (st == STATUS_STOPPED || st == STATUS_CREATING)
                return error_new(reterr, ESRCH, NULL, "cannot kill container %s: it is %s", id,
                                 container_status_to_string(st));
        return container_signal(c, signo, all, reterr);
}

/* Kill every process, wait (bounded) for the init, then remove. */
static int delete_live(struct container *c, struct modrun_error **reterr)
{
        int r = container_signal(c, SIGKILL, true, reterr);
        if (r < 0)
                return error_wrap(reterr, "kill the processes of container %s", c->dir->id);
        if (c->state && c->state->pid > 0)
                (void)kill(c->state->pid, SIGKILL);
        _cleanup_error_ struct modrun_error *werr = NULL;
        int w = container_wait_stopped(c, LIFECYCLE_KILL_TIMEOUT_MS, &werr);
        r = container_destroy(c, reterr);
        if (w < 0 && r >= 0) {
                /* State is removed, but say that the process outlived the bound. */
                *reterr = TAKE_PTR(werr);
                return w;
        }
        return r;
}

int lifecycle_delete(const struct runtime_ctx *ctx, const char *id, bool force, struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        _cleanup_error_ struct modrun_error *err = NULL;
        int r = container_open(ctx, id, true, &c, &err);
        if (r < 0) {
                /* runc: delete --force of a container that does not exist succeeds. */
                if (force && err->errnum == ENOENT)
                        return 0;
                *reterr = TAKE_PTR(err);
                return r;
        }
        enum container_status st = state_status(c->dir, c->state);
        log_debug("delete %s: status %s", id, container_status_to_string(st));
        switch (st) {
        case STATUS_CREATING: /* we hold the lock: the create that made it has died */
        case STATUS_STOPPED:
                return container_destroy(c, reterr);
        case STATUS_CREATED:
                return delete_live(c, reterr);
        default:
                if (!force)
                        return error_new(reterr, EBUSY, "stop it first (`modrun kill`) or use `delete --force`",
                                         "cannot delete container %s: it is %s", id,
                                         container_status_to_string(st));
                return delete_live(c, reterr);
        }
}
