/* SPDX-License-Identifier: Apache-2.0 */
/* `start`: let a created container's init exec the user process. */
#include "container.h"
#include <signal.h>

#include "container/hooks.h"
#include "container/spawn.h"

/* runtime-spec 1.3 lifecycle: a startContainer hook that fails is an error,
 * the container is stopped, and the lifecycle goes on at `delete` (which
 * runs the poststop hooks). The init exits after reporting; the kill makes
 * sure, and `start` returns once the container reads as stopped. */
static int start_failed(struct container *c, struct modrun_error **reterr)
{
        _cleanup_error_ struct modrun_error *kerr = NULL;
        (void)container_signal(c, SIGKILL, false, &kerr);
        (void)container_wait_stopped(c, LIFECYCLE_KILL_TIMEOUT_MS, &kerr);
        if (*reterr)
                error_hint_add(*reterr,
                               "the container is stopped: `modrun delete %s` runs its poststop hooks and removes it (`run` does it itself)",
                               c->dir->id);
        return *reterr ? error_ret(*reterr) : -EIO;
}

int container_start_init(int dir_fd, const char *id, const struct oci_config *cfg, pid_t pid, const char *bundle,
                         bool *ret_init_failed, struct modrun_error **reterr)
{
        int exec_bound = LIFECYCLE_START_TIMEOUT_MS + (cfg ? hooks_time_bound_ms(cfg, OCI_HOOK_START_CONTAINER) : 0);
        *ret_init_failed = false;
        int r = container_release(dir_fd, LIFECYCLE_START_TIMEOUT_MS, exec_bound, ret_init_failed, reterr);
        if (r < 0)
                return error_wrap(reterr, "start container %s", id);
        /* runtime-spec 1.3: poststart hooks run once the user process has
         * started; one that fails is an error, and the container is stopped */
        if (!cfg || !cfg->n_hooks[OCI_HOOK_POSTSTART])
                return 0;
        _cleanup_free_ char *json = hooks_state_json(cfg, id, "running", pid, bundle);
        if (!json)
                return error_new(reterr, ENOMEM, NULL, "state of container %s for its poststart hooks", id);
        if ((r = hooks_run(cfg, OCI_HOOK_POSTSTART, json, bundle, reterr)) < 0) {
                /* as runc: a container whose poststart failed is stopped */
                (void)kill(pid, SIGKILL);
                return error_wrap(reterr, "start container %s", id);
        }
        return 0;
}

static int start_opened(struct container *c, struct modrun_error **reterr)
{
        const char *id = c->dir->id;
        enum container_status st = state_status(c->dir, c->state);
        if (st != STATUS_CREATED)
                return error_new(reterr, 0,
                                 st == STATUS_STOPPED ? "create it again: a stopped container cannot be restarted"
                                                      : "`modrun state` shows its status",
                                 "cannot start container %s: it is %s, not created", id,
                                 container_status_to_string(st));
        bool init_failed = false;
        int r = container_start_init(c->dir->dir_fd, id, c->cfg, c->state->pid, c->state->bundle, &init_failed,
                                     reterr);
        return r < 0 && init_failed ? start_failed(c, reterr) : r;
}

int container_start_kept(struct container *c, struct modrun_error **reterr)
{
        int r = container_relock_kept(c, reterr);
        if (r >= 0)
                r = start_opened(c, reterr);
        container_dir_unlock(c->dir);
        return r;
}

int lifecycle_start(const struct runtime_ctx *ctx, const char *id, struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        int r = container_open(ctx, id, false, &c, reterr);
        return r < 0 ? r : start_opened(c, reterr);
}
