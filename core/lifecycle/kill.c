/* SPDX-License-Identifier: Apache-2.0 */
/* `kill` and `delete`. */
#include <signal.h>

#include "container.h"
#include "util/log.h"

/* The processes a stopped container left in its cgroup (none, or none
 * findable, without one: its init is gone, and with it the best-known set). */
static int kill_leftovers(struct container *c, int signo, struct modrun_error **reterr)
{
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = c->plugins ? plugins_cgroup(c->plugins, &st) : NULL;
        if (!cg || !MODRUN_HAS_OP(cg, kill_all) || !container_has_cgroup(c->plugins)) {
                log_debug("kill --all %s: stopped, and no cgroup to find processes in", c->dir->id);
                return 0;
        }
        int r = cg->kill_all(st, signo, LIFECYCLE_KILL_TIMEOUT_MS, reterr);
        return r < 0 ? error_wrap(reterr, "kill --all of stopped container %s", c->dir->id) : 0;
}

int lifecycle_kill(const struct runtime_ctx *ctx, const char *id, int signo, bool all, struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        int r = container_open(ctx, id, all, &c, reterr);
        if (r < 0)
                return r;
        /* As runc 1.2: SIGKILL to a container without a pid namespace (in
         * the host's) reaches every process of it, since its init's death
         * takes none of them along (kill.bats "host pidns"), also once the
         * init is gone: opened again with its plugins, as for --all */
        if (!all && signo == SIGKILL && c->cfg && !config_namespace(c->cfg, OCI_NS_PID)) {
                all = true;
                c = container_free(c);
                if ((r = container_open(ctx, id, true, &c, reterr)) < 0)
                        return r;
        }
        enum container_status st = state_status(c->dir, c->state);
        /* As runc: kill --all of a stopped container signals what is left
         * in its cgroup (containerd's shim sends it when the init of a
         * container sharing a pid namespace has exited), and succeeds. */
        if (st == STATUS_STOPPED && all)
                return kill_leftovers(c, signo, reterr);
        if (st == STATUS_STOPPED || st == STATUS_CREATING)
                return error_new(reterr, ESRCH, all ? NULL : "kill --all also reaches what it left in its cgroup",
                                 "cannot kill container %s: it is not running (%s)", id,
                                 container_status_to_string(st));
        return container_signal(c, signo, all, reterr);
}

/* Does a cgroup find the container's processes (FIELD-NOTES #4)? */
static bool tracked_by_cgroup(const struct container *c)
{
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = c->plugins ? plugins_cgroup(c->plugins, &st) : NULL;
        return cg && MODRUN_HAS_OP(cg, kill_all) && container_has_cgroup(c->plugins);
}

/* Kill every process, wait (bounded) for the init, then remove. When
 * processes outlive the bound, a cgroup keeps them findable: the state is
 * kept for another try. Without a cgroup nothing could find them later:
 * the state is removed and the error lists them. */
static int delete_live(struct container *c, struct modrun_error **reterr)
{
        _cleanup_error_ struct modrun_error *kerr = NULL;
        int k = container_signal(c, SIGKILL, true, &kerr);
        if (k < 0 && (k != -ETIMEDOUT || tracked_by_cgroup(c))) {
                *reterr = TAKE_PTR(kerr);
                return error_wrap(reterr, "kill the processes of container %s", c->dir->id);
        }
        if (c->state && c->state->pid > 0)
                (void)kill(c->state->pid, SIGKILL);
        _cleanup_error_ struct modrun_error *werr = NULL;
        int w = container_wait_stopped(c, LIFECYCLE_KILL_TIMEOUT_MS, &werr);
        int r = container_destroy(c, reterr);
        if (r >= 0 && (k < 0 || w < 0)) {
                /* State is removed, but say which processes outlived the bound. */
                *reterr = k < 0 ? TAKE_PTR(kerr) : TAKE_PTR(werr);
                return error_wrap(reterr, "container %s was deleted, but", c->dir->id);
        }
        return r;
}

static int delete_opened(struct container *c, bool force, struct modrun_error **reterr)
{
        enum container_status st = state_status(c->dir, c->state);
        log_debug("delete %s: status %s", c->dir->id, container_status_to_string(st));
        switch (st) {
        case STATUS_CREATING: /* we hold the lock: the create that made it has died */
        case STATUS_STOPPED:
                return container_destroy(c, reterr);
        default:
                /* created too: the spec's "not stopped" (runc 1.1 and
                 * crun 1.8 delete a created container; the spec wins) */
                if (!force)
                        return error_new(reterr, EBUSY, "stop it first (`modrun kill`) or use `delete --force`",
                                         "cannot delete container %s: it is %s", c->dir->id,
                                         container_status_to_string(st));
                return delete_live(c, reterr);
        }
}

int container_delete_kept(struct container *c, struct modrun_error **reterr)
{
        _cleanup_error_ struct modrun_error *err = NULL;
        int r = container_relock_kept(c, &err);
        if (r == -ENOENT) {
                log_debug("%s, nothing to delete", err->msg);
                return 0;
        }
        if (r < 0) {
                *reterr = TAKE_PTR(err);
                return r;
        }
        return delete_opened(c, true, reterr);
}

int lifecycle_delete(const struct runtime_ctx *ctx, const char *id, bool force, struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        _cleanup_error_ struct modrun_error *err = NULL;
        /* Only the cgroup plugin: it finds, kills and removes what is left.
         * The mount strategy, namespace and devices plugins acted inside
         * the init or on its cgroup, which goes with it: loading them
         * (a sealed copy and a dlopen each) would do nothing. */
        int r = container_open_kinds(ctx, id, PLUGIN_KIND_BIT(MODRUN_KIND_CGROUP), &c, &err);
        if (r < 0) {
                /* runc: delete --force of a container that does not exist
                 * succeeds; one whose plugin is missing (ENOENT too) does not */
                if (force && err->errnum == ENOENT && container_dir_gone(ctx->root, id))
                        return 0;
                *reterr = TAKE_PTR(err);
                return r;
        }
        return delete_opened(c, force, reterr);
}
