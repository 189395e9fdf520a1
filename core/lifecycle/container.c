/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "container/host-rootfs.h"
#include "container/intelrdt.h"
#include "container/netdev.h"
#include "container.h"
#include "container/hooks.h"
#include "util/fs-util.h"
#include "util/log.h"

struct container *container_free(struct container *c)
{
        if (!c)
                return NULL;
        plugins_free(c->plugins);
        config_free(c->cfg);
        state_free(c->state);
        container_dir_free(c->dir);
        free(c);
        return NULL;
}

void container_release_at_exit(struct container *c)
{
        static struct container *kept; /* a command releases one */
        if (!c)
                return;
        container_dir_unlock(c->dir);
        if (kept)
                container_free(c);
        else
                kept = c;
}

struct container *container_keep(struct container_dir **d, struct oci_config **cfg, struct plugins **pl)
{
        struct container *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->dir = TAKE_PTR(*d);
        c->cfg = TAKE_PTR(*cfg);
        c->plugins = TAKE_PTR(*pl);
        container_dir_unlock(c->dir);
        return c;
}

/* state.json into c->state (replacing it); none yet ("creating") is no
 * error. */
static int load_state(struct container *c, struct modrun_error **reterr)
{
        c->state = state_free(c->state);
        _cleanup_error_ struct modrun_error *err = NULL;
        if (state_load(c->dir, &c->state, &err) < 0 && err->errnum != ENOENT) {
                *reterr = TAKE_PTR(err);
                return error_ret(*reterr);
        }
        return 0;
}

int container_relock_kept(struct container *c, struct modrun_error **reterr)
{
        int r = container_dir_relock(c->dir, LIFECYCLE_LOCK_TIMEOUT_MS, reterr);
        return r < 0 ? r : load_state(c, reterr);
}

static int load_plugins_of_kinds(const struct runtime_ctx *ctx, const struct container_dir *d,
                                 const struct oci_config *cfg, const char *bundle, const char *rootfs,
                                 const struct container_state *recorded, uint32_t kinds, struct plugins **ret,
                                 struct modrun_error **reterr)
{
        struct plugin_options opts = ctx->plugins;
        opts.kinds = kinds;
        const struct oci_namespace *userns = cfg ? config_namespace(cfg, OCI_NS_USER) : NULL;
        opts.no_user_namespace = !recorded && cfg && (!userns || userns->path);
        if (recorded) {
                /* The plugins (and their directories) the container was created with. */
                for (uint32_t k = 1; k <= PLUGIN_KIND_MAX; k++)
                        if (recorded->plugin[k] && plugin_kind_is_per_container(k)) {
                                opts.choice[k] = recorded->plugin[k];
                                opts.choice_flag[k] = "recorded at create";
                        }
                if (recorded->plugin_dirs) {
                        opts.plugin_dirs = recorded->plugin_dirs;
                        opts.n_plugin_dirs = 0;
                        while (recorded->plugin_dirs[opts.n_plugin_dirs])
                                opts.n_plugin_dirs++;
                }
        }
        struct host_params hp = {
                .container_id = d->id,
                .bundle = bundle,
                .state_dir = d->path,
                .rootfs = rootfs,
                .config = cfg ? cfg->json : NULL,
                .rootless = ctx->rootless,
        };
        return plugins_load(&opts, &hp, ret, reterr);
}

int container_load_plugins(const struct runtime_ctx *ctx, const struct container_dir *d,
                           const struct oci_config *cfg, const char *bundle, const char *rootfs,
                           const struct container_state *recorded, struct plugins **ret,
                           struct modrun_error **reterr)
{
        return load_plugins_of_kinds(ctx, d, cfg, bundle, rootfs, recorded, 0, ret, reterr);
}

int container_open(const struct runtime_ctx *ctx, const char *id, bool load_plugins, struct container **ret,
                   struct modrun_error **reterr)
{
        return container_open_kinds(ctx, id, load_plugins ? UINT32_MAX : 0, ret, reterr);
}

int container_open_kinds(const struct runtime_ctx *ctx, const char *id, uint32_t kinds, struct container **ret,
                         struct modrun_error **reterr)
{
        int r = state_validate_id(id, reterr);
        if (r < 0)
                return r;
        _cleanup_container_ struct container *c = calloc(1, sizeof(*c));
        if (!c)
                return error_new(reterr, ENOMEM, NULL, "open container %s", id);
        r = container_dir_open(ctx->root, id, LIFECYCLE_LOCK_TIMEOUT_MS, &c->dir, reterr);
        if (r < 0 || (r = load_state(c, reterr)) < 0)
                return r;
        _cleanup_free_ char *text = NULL;
        if (fs_read_regular_file(c->dir->dir_fd, "config.json", O_NOFOLLOW, SIZE_MAX, &text, NULL) >= 0)
                (void)config_parse(text, strlen(text), &c->cfg, NULL);
        if (kinds && c->state) {
                r = load_plugins_of_kinds(ctx, c->dir, c->cfg, c->state->bundle, c->state->rootfs, c->state,
                                          kinds == UINT32_MAX ? 0 : kinds, &c->plugins, reterr);
                if (r < 0)
                        return error_wrap(reterr, "container %s", id);
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int container_open_init(const struct container_state *s)
{
        if (!s || s->pid <= 0)
                return -ESRCH;
        int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);
        if (fd < 0)
                return -errno;
        if (!state_init_alive(s)) {
                close(fd);
                return -ESRCH;
        }
        return fd;
}

bool container_has_cgroup(const struct plugins *pl)
{
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = pl ? plugins_cgroup(pl, &st) : NULL;
        if (!cg)
                return false;
        if (!MODRUN_HAS_OP(cg, get_path))
                return true;
        _cleanup_free_ char *path = NULL;
        _cleanup_error_ struct modrun_error *err = NULL;
        return cg->get_path(st, &path, &err) != -ENOENT;
}

static int signal_best_known(struct container *c, int signo, struct modrun_error **reterr)
{
        _cleanup_close_ int pidfd = container_open_init(c->state);
        struct procs_scope sc;
        if (pidfd < 0 || procs_scope_open(c->cfg, c->state->pid, &sc) < 0) {
                const struct oci_namespace *pidns = c->cfg ? config_namespace(c->cfg, OCI_NS_PID) : NULL;
                if (!pidns || pidns->path)
                        log_warning("container %s has no cgroup and its init (pid %d) has exited: processes it left "
                                    "in the shared pid namespace cannot be found, ignoring",
                                    c->dir->id, (int)c->state->pid);
                return 0;
        }
        int r = procs_scope_signal(&sc, pidfd, signo, LIFECYCLE_KILL_TIMEOUT_MS, c->dir->id, reterr);
        procs_scope_close(&sc);
        return r;
}

int container_signal(struct container *c, int signo, bool all, struct modrun_error **reterr)
{
        if (all) {
                void *st = NULL;
                const struct modrun_cgroup_ops *cg = c->plugins ? plugins_cgroup(c->plugins, &st) : NULL;
                if (cg && MODRUN_HAS_OP(cg, kill_all) && container_has_cgroup(c->plugins))
                        return cg->kill_all(st, signo, LIFECYCLE_KILL_TIMEOUT_MS, reterr);
                return signal_best_known(c, signo, reterr);
        }
        _cleanup_close_ int pidfd = container_open_init(c->state);
        if (pidfd < 0)
                return error_new(reterr, ESRCH, NULL, "container %s is not running", c->dir->id);
        if (syscall(SYS_pidfd_send_signal, pidfd, signo, NULL, 0) < 0)
                return error_new(reterr, errno, NULL, "send signal %d to the init of container %s (pid %d)", signo,
                                 c->dir->id, (int)c->state->pid);
        return 0;
}

int container_wait_stopped(const struct container *c, int timeout_ms, struct modrun_error **reterr)
{
        _cleanup_close_ int pidfd = container_open_init(c->state);
        if (pidfd < 0)
                return 0;
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        int r = poll(&p, 1, timeout_ms);
        if (r < 0)
                return error_new(reterr, errno, NULL, "wait for the init of container %s", c->dir->id);
        if (r == 0)
                return error_new(reterr, ETIMEDOUT, "the process may be stuck in the kernel: look for state D in /proc/PID/status",
                                 "timed out after %d ms waiting for the init of container %s (pid %d) to exit",
                                 timeout_ms, c->dir->id, (int)c->state->pid);
        return 0;
}

void container_run_poststop(const struct oci_config *cfg, const char *id, const char *bundle)
{
        if (!cfg || !cfg->n_hooks[OCI_HOOK_POSTSTOP])
                return;
        _cleanup_free_ char *json = hooks_state_json(cfg, id, "stopped", 0, bundle ? bundle : "");
        if (!json) {
                log_warning("container %s: no memory for the state of its poststop hooks, not running them", id);
                return;
        }
        for (size_t i = 0; i < cfg->n_hooks[OCI_HOOK_POSTSTOP]; i++) {
                _cleanup_error_ struct modrun_error *herr = NULL;
                if (hooks_run_nth(cfg, OCI_HOOK_POSTSTOP, i, json, bundle, &herr) < 0)
                        log_warning("container %s: %s, ignoring", id, herr ? herr->msg : "poststop hook failed");
        }
}

int container_destroy(struct container *c, struct modrun_error **reterr)
{
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = c->plugins ? plugins_cgroup(c->plugins, &st) : NULL;
        _cleanup_error_ struct modrun_error *nerr = NULL;
        int r = netdev_move_out(c->cfg, c->dir->dir_fd, &nerr); /* linux.netDevices back to the host */
        if (r < 0)
                log_warning("container %s: %s, ignoring", c->dir->id, nerr->msg);
        intelrdt_remove(c->cfg, c->dir->id, c->dir->dir_fd);
        r = 0;
        if (cg) {
                r = cg->destroy(st, LIFECYCLE_KILL_TIMEOUT_MS, reterr);
                if (r < 0)
                        (void)error_wrap(reterr, "remove the cgroup of container %s", c->dir->id);
        }
        /* The state directory is what finds the cgroup again: keep it, so
         * that delete --force can be run again once the processes are gone. */
        if (r < 0) {
                if (reterr)
                        error_hint_add(*reterr,
                                       "the state directory %s is kept: run `modrun delete --force %s` again once "
                                       "the processes have exited",
                                       c->dir->path, c->dir->id);
                return r;
        }
        /* no mount namespace: its mounts in ours, detached whole; the state
         * directory, which records them, stays when that fails */
        if ((r = host_rootfs_release(c->dir->dir_fd, c->state ? c->state->rootfs : NULL, reterr)) < 0) {
                if (reterr)
                        error_hint_add(*reterr, "the state directory %s is kept: run `modrun delete --force %s` again",
                                       c->dir->path, c->dir->id);
                return r;
        }
        container_run_poststop(c->cfg, c->dir->id, c->state ? c->state->bundle : NULL);
        return container_dir_remove(c->dir, reterr);
}
