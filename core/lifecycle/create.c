/* SPDX-License-Identifier: Apache-2.0 */
/* `create`: from a bundle to an init process waiting on the exec fifo. */
#include <fcntl.h>
#include <json-c/json.h>
#include <spawn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "container.h"
#include "container/devices.h"
#include "container/host-rootfs.h"
#include "container/spawn.h"
#include "util/fault.h"
#include "util/fs-util.h"
#include "util/fd-pass.h"
#include "util/log.h"
#include "util/self-exe.h"
#include "util/time-util.h"

static char *now_rfc3339(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return time_rfc3339_utc(&ts);
}

static int check_config(const struct oci_config *cfg, const struct create_opts *o, struct modrun_error **reterr)
{
        if (!cfg->has_process || !cfg->process.args || !cfg->process.args[0])
                return error_new(reterr, EINVAL, "set process.args in config.json, e.g. [\"sh\"]",
                                 "config.json: process.args is missing or empty: the container has nothing to run");
        if (cfg->process.terminal && !o->console_socket && o->console_fd < 0)
                return error_new(reterr, EINVAL,
                                 "pass --console-socket PATH (a unix socket that receives the pty master), "
                                 "or set process.terminal to false",
                                 "config.json: process.terminal is true, and there is no --console-socket to send "
                                 "the terminal to");
        return 0;
}

int write_pid_file(const char *path, pid_t pid, struct modrun_error **reterr)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return error_new(reterr, ENOMEM, NULL, "write pid file %s", path);
        char *slash = strrchr(copy, '/');
        const char *dir = slash ? (slash == copy ? "/" : (*slash = '\0', copy)) : ".";
        const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return error_new(reterr, errno, NULL, "open the directory of pid file %s", path);
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
        if (fs_write_atomic(dfd, name, buf, (size_t)n, reterr) < 0)
                return error_wrap(reterr, "write pid file %s", path);
        return 0;
}

/* systemd socket activation, as runc: the LISTEN_FDS fds we were given
 * (3 onwards, before the --preserve-fds ones) are passed on, and the
 * process is told with LISTEN_FDS=n and LISTEN_PID=1. Returns n. */
static int socket_activation_fds(struct oci_config *cfg)
{
        const char *fds = getenv("LISTEN_FDS"), *lpid = getenv("LISTEN_PID");
        char *end = NULL;
        long n = fds ? strtol(fds, &end, 10) : 0;
        if (!fds || *end || n <= 0 || n > 1024 || (lpid && strtol(lpid, NULL, 10) != getpid()))
                return 0;
        size_t k = 0;
        while (cfg->process.env && cfg->process.env[k])
                k++;
        char **env = realloc(cfg->process.env, (k + 3) * sizeof(char *));
        if (!env)
                return 0;
        cfg->process.env = env;
        env[k] = NULL;
        char *count = NULL, *pid = strdup("LISTEN_PID=1");
        if (!pid || asprintf(&count, "LISTEN_FDS=%ld", n) < 0) {
                free(pid);
                return 0;
        }
        env[k] = count;
        env[k + 1] = pid;
        env[k + 2] = NULL;
        return (int)n;
}

/* state.json: first with pid 0 ("creating": the plugins are recorded before
 * they make anything, so that `delete` of a create that died finds and
 * removes it), then with the init. */
int container_record_state(const struct runtime_ctx *ctx, struct container_dir *d, const struct oci_config *cfg,
                           const struct plugins *pl, const char *bundle, const char *rootfs, pid_t pid,
                           struct modrun_error **reterr)
{
        struct json_object *annotations = NULL; /* stays NULL when absent */
        (void)json_object_object_get_ex(cfg->json, "annotations", &annotations);
        struct container_state s = {
                .id = d->id,
                .pid = pid,
                .pid_start_time = pid > 0 ? proc_start_time_any(pid) : 0,
                .bundle = (char *)bundle,
                .rootfs = (char *)rootfs,
                .created = pid > 0 ? now_rfc3339() : NULL,
                .owner = geteuid(),
                .plugin_dirs = ctx->plugins.plugin_dirs,
                .annotations = annotations ? annotations : json_object_new_object(),
        };
        for (uint32_t k = 1; k <= PLUGIN_KIND_MAX; k++)
                if (plugin_kind_is_per_container(k))
                        s.plugin[k] = pl->by_kind[k] ? pl->by_kind[k]->name : (char *)"none";
        int r = state_save(d, &s, reterr);
        free(s.created);
        if (!annotations)
                json_object_put(s.annotations);
        return r;
}

/* What a new modrun process needs to delete the container: the lock to
 * let go of, and its command line (self_exe_argv_for), built before. */
struct delete_anew {
        int lock_fd;
        const char *id;
        char **argv;
};

/* run's init died during its set-up sharing our memory (spawn.h,
 * heap_lost): nothing on our heap is to be trusted, so a new modrun
 * process deletes the container (`delete ID`: the state still says
 * "creating", pid 0), and we exit 1. Nothing here allocates: posix_spawn
 * maps the child's stack, its attributes are on ours (no signal blocked
 * in the new process: run blocks those it forwards). */
static void delete_anew(void *arg)
{
        const struct delete_anew *d = arg;
        (void)close(d->lock_fd); /* for the new process to take */
        posix_spawnattr_t attr;
        sigset_t none;
        (void)sigemptyset(&none);
        pid_t pid = -1;
        int status = -1;
        if (posix_spawnattr_init(&attr) == 0 && posix_spawnattr_setsigmask(&attr, &none) == 0 &&
            posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK) == 0 &&
            posix_spawn(&pid, "/proc/self/exe", NULL, &attr, d->argv, environ) == 0)
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
        if (status != 0) {
                char msg[PATH_MAX];
                (void)snprintf(msg, sizeof(msg),
                               "removing container %s after its init was lost failed: remove it with `modrun "
                               "delete %s` (with the same global options, --root...)",
                               d->id, d->id);
                log_error_noalloc(msg);
        }
        _exit(1);
}

/* Start the init and record it; on failure nothing of the process is left.
 * *ret_started: it exec'd its process already (run, spawn.h). */
static int spawn_and_record(const struct runtime_ctx *ctx, struct container_dir *d, struct oci_config *cfg,
                            const char *bundle, const char *rootfs, const struct create_opts *o,
                            struct plugins *pl, pid_t *ret_pid, bool *ret_started, struct modrun_error **reterr)
{
        _cleanup_close_ int console = -1;
        if (o->console_socket && cfg->process.terminal) {
                /* connected here, as runc does, not by the init: inside a
                 * user namespace it may not be allowed to connect */
                console = unix_connect(o->console_socket);
                if (console < 0)
                        return error_new(reterr, -console, "is something listening on --console-socket?",
                                         "connect to the console socket %s", o->console_socket);
        } else if (o->console_socket) { /* unused without a terminal, but it must exist */
                console = open(o->console_socket, O_PATH | O_CLOEXEC);
                if (console < 0)
                        return error_new(reterr, errno, NULL, "open console socket %s", o->console_socket);
        } else if (o->console_fd >= 0 && (console = fcntl(o->console_fd, F_DUPFD_CLOEXEC, 3)) < 0) {
                return error_new(reterr, errno, NULL, "duplicate the console socket");
        }
        struct spawn_params sp = {
                .cfg = cfg,
                .id = d->id,
                .bundle = bundle,
                .rootfs = rootfs,
                .state_dir_fd = d->dir_fd,
                .console_socket_fd = console,
                .console_ours = o->console_fd >= 0 && !isatty(STDOUT_FILENO),
                .preserve_fds = o->preserve_fds + socket_activation_fds(cfg),
                .plugins = pl,
                .timeout_ms = LIFECYCLE_SETUP_TIMEOUT_MS,
                .start_at_once = o->start && !cfg->process.terminal,
        };
        _cleanup_free_ char **delete_argv = NULL;
        struct delete_anew anew = {.lock_fd = d->lock_fd, .id = d->id};
        if (sp.start_at_once && (delete_argv = self_exe_argv_for((const char *const[]){"delete", d->id, NULL}))) {
                anew.argv = delete_argv;
                sp.heap_lost = delete_anew;
                sp.heap_lost_arg = &anew;
        }
        pid_t pid = 0;
        int r = container_spawn(&sp, &pid, reterr);
        if (r < 0)
                return r;
        *ret_started = r == 1;
        r = FAULT_POINT("before-state-file", reterr);
        if (r >= 0)
                r = container_record_state(ctx, d, cfg, pl, bundle, rootfs, pid, reterr);
        if (r >= 0 && o->pid_file)
                r = write_pid_file(o->pid_file, pid, reterr);
        if (r >= 0 && o->pidfd_socket)
                r = send_pidfd(o->pidfd_socket, pid, reterr);
        if (r < 0) {
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                return r;
        }
        *ret_pid = pid;
        return 0;
}

#define UNTRACKED_ANNOTATION "org.modrun.allow-untracked-processes"

/* FIELD-NOTES #4: sharing a pid namespace (joined, or the host's) without a
 * cgroup that can list and kill every process means kill --all and delete
 * --force could miss processes: refuse, unless the user opts in. Checked
 * before the cgroup is made (a manager without kill_all), and again after
 * (made: a manager that made no cgroup, as cgroupfs run rootless where it
 * may write no hierarchy). */
static int check_killable(const struct oci_config *cfg, const struct plugins *pl, const struct modrun_cgroup_ops *cg,
                          bool made, bool rootless, struct modrun_error **reterr)
{
        const struct oci_namespace *pidns = config_namespace(cfg, OCI_NS_PID);
        const struct oci_namespace *mntns = config_namespace(cfg, OCI_NS_MOUNT);
        bool can_kill = cg && MODRUN_HAS_OP(cg, kill_all);
        if ((pidns && !pidns->path) || (can_kill && (!made || container_has_cgroup(pl))) || (made && !can_kill))
                return 0;
        const char *optin = config_annotation(cfg, UNTRACKED_ANNOTATION);
        const char *manager = pl->by_kind[MODRUN_KIND_CGROUP] ? pl->by_kind[MODRUN_KIND_CGROUP]->name : "none";
        const char *why = !can_kill ? "cannot list its processes"
                          : rootless ? "made no cgroup for it (this user may write no cgroup hierarchy)"
                                     : "made no cgroup for it";
        if (optin && streq(optin, "true")) {
                log_warning("container shares %s pid namespace and its cgroup manager \"%s\" %s: kill --all and "
                            "delete --force find %sthe init and its descendants only; a process that leaves %s is "
                            "not found (" UNTRACKED_ANNOTATION "=true)",
                            pidns ? "a joined" : "the host's", manager, why,
                            mntns && !mntns->path ? "the processes of the container's mount namespace and " : "",
                            mntns && !mntns->path ? "both" : "the tree");
                return 0;
        }
        return error_new(reterr, EINVAL,
                         "use a cgroup manager that can (run as root, or cgroup v2 with delegation), give the "
                         "container its own pid namespace, or set the annotation " UNTRACKED_ANNOTATION
                         "=true to accept it",
                         "linux.namespaces: the container shares %s pid namespace and its cgroup manager \"%s\" "
                         "%s: kill --all and delete --force could not find all its processes to kill them (its "
                         "init is not that namespace's pid 1, so its children outlive it)",
                         pidns ? "the joined" : "the host's", manager, why);
}

/* Limits the cgroup manager cannot set are an error, not silently dropped
 * (the device list is the runtime's own and always there). */
static int check_resources_settable(const struct oci_config *cfg, const struct plugins *pl,
                                    const struct modrun_cgroup_ops *cg, struct modrun_error **reterr)
{
        if (!cfg->linux_.resources || (cg && MODRUN_HAS_OP(cg, set_resources)))
                return 0;
        json_object_object_foreach((struct json_object *)cfg->linux_.resources, key, val)
        {
                (void)val;
                if (streq(key, "devices"))
                        continue;
                const char *manager = pl->by_kind[MODRUN_KIND_CGROUP] ? pl->by_kind[MODRUN_KIND_CGROUP]->name : "none";
                return error_new(reterr, EINVAL,
                                 "remove linux.resources, or use a cgroup manager that can set it (as root: cgroupfs; "
                                 "rootless: cgroup v2 with a delegated cgroup and the systemd manager)",
                                 "linux.resources.%s: the cgroup manager \"%s\" cannot set resource limits", key,
                                 manager);
        }
        return 0;
}

void container_prepare_undo(struct container_dir *d, struct plugins *pl)
{
        void *cst = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(pl, &cst);
        _cleanup_error_ struct modrun_error *e2 = NULL;
        if (cg && cg->destroy(cst, LIFECYCLE_KILL_TIMEOUT_MS, &e2) < 0)
                log_warning("removing the cgroup of %s after a failed create: %s", d->id, e2->msg);
}

int container_prepare(const struct runtime_ctx *ctx, struct container_dir *d, struct oci_config *cfg,
                      const char *bundle, const char *rootfs, struct plugins **ret_pl, struct modrun_error **reterr)
{
        int r = FAULT_POINT("after-state-dir", reterr);
        if (r < 0)
                return r;
        const char *text = json_object_to_json_string_ext(cfg->json, JSON_C_TO_STRING_PLAIN);
        r = text ? fs_write_atomic(d->dir_fd, "config.json", text, strlen(text), reterr)
                 : error_new(reterr, ENOMEM, NULL, "serialise config.json");
        if (r < 0)
                return error_wrap(reterr, "store config of container %s", d->id);
        _cleanup_plugins_ struct plugins *pl = NULL;
        r = container_load_plugins(ctx, d, cfg, bundle, rootfs, NULL, &pl, reterr);
        if (r < 0 || (r = container_record_state(ctx, d, cfg, pl, bundle, rootfs, 0, reterr)) < 0)
                return r;
        void *mst = NULL, *cst = NULL;
        const struct modrun_mount_ops *mount = plugins_mount(pl, &mst);
        if (mount && MODRUN_HAS_OP(mount, check) && (r = mount->check(mst, reterr)) < 0)
                return error_wrap(reterr, "mount strategy %s", pl->by_kind[MODRUN_KIND_MOUNT]->name);
        void *nst = NULL;
        const struct modrun_namespace_ops *ns = plugins_namespace(pl, &nst);
        if (ns && MODRUN_HAS_OP(ns, check) && (r = ns->check(nst, reterr)) < 0)
                return error_wrap(reterr, "namespace plugin %s", pl->by_kind[MODRUN_KIND_NAMESPACE]->name);
        const struct modrun_cgroup_ops *cg = plugins_cgroup(pl, &cst);
        if ((r = check_killable(cfg, pl, cg, false, ctx->rootless, reterr)) < 0 ||
            (r = check_resources_settable(cfg, pl, cg, reterr)) < 0)
                return r;
        if ((r = checkpoint_engine_check(ctx, pl, reterr)) < 0)
                return r;
        if (cg && (r = cg->create(cst, reterr)) < 0)
                return error_wrap(reterr, "create the cgroup of container %s", d->id);
        devices_log_owner(pl);
        r = FAULT_POINT("after-cgroup", reterr);
        if (r >= 0)
                r = check_killable(cfg, pl, cg, true, ctx->rootless, reterr);
        if (r >= 0)
                r = devices_check_filtered(pl, ctx->rootless, reterr);
        if (r >= 0 && cg && cfg->linux_.resources && MODRUN_HAS_OP(cg, set_resources)) {
                struct json_object *res = devices_resources_for_cgroup(pl, cfg->linux_.resources);
                r = res ? cg->set_resources(cst, res, reterr) : error_new(reterr, ENOMEM, NULL, "linux.resources");
                json_object_put(res);
        }
        if (r < 0) {
                container_prepare_undo(d, pl);
                return r;
        }
        *ret_pl = TAKE_PTR(pl);
        return 0;
}

/* The part of create that runs once the state directory exists; on failure
 * the caller removes the directory, this removes the cgroup it made. */
static int create_in_dir(const struct runtime_ctx *ctx, struct container_dir *d, struct oci_config *cfg,
                         const char *bundle, const char *rootfs, const struct create_opts *o, pid_t *ret_pid,
                         struct plugins **ret_pl, struct modrun_error **reterr)
{
        _cleanup_plugins_ struct plugins *pl = NULL;
        int r = container_prepare(ctx, d, cfg, bundle, rootfs, &pl, reterr);
        if (r < 0)
                return r;
        bool started = false;
        r = spawn_and_record(ctx, d, cfg, bundle, rootfs, o, pl, ret_pid, &started, reterr);
        if (r >= 0 && o->start && !cfg->process.terminal) {
                /* run: created (state recorded, pid file written), so start
                 * now, still under the lock, as `start` would (unless the
                 * init exec'd at once); its error is start's, and run's
                 * delete cleans up after it */
                bool init_failed;
                o->start->started = true;
                if (!started)
                        (void)container_start_init(d->dir_fd, d->id, cfg, *ret_pid, bundle, &init_failed,
                                                   &o->start->err);
        }
        if (r >= 0) {
                *ret_pl = TAKE_PTR(pl);
                return 0;
        }
        _cleanup_error_ struct modrun_error *e2 = NULL;
        if (host_rootfs_release(d->dir_fd, rootfs, &e2) < 0) /* the init is gone */
                log_warning("cleaning up after a failed create: %s", e2->msg);
        container_prepare_undo(d, pl);
        /* runtime-spec lifecycle: a prestart, createRuntime or
         * createContainer hook that fails stops the container and the
         * lifecycle goes on with its destruction and the poststop hooks;
         * as runc, once the init was started, whatever failed */
        container_run_poststop(cfg, d->id, bundle);
        return r;
}

int container_load_bundle(const struct create_opts *o, char bundle[PATH_MAX], struct oci_config **ret_cfg,
                          char **ret_rootfs, struct modrun_error **reterr)
{
        const char *bundle_arg = o->bundle ? o->bundle : ".";
        if (!realpath(bundle_arg, bundle))
                return error_new(reterr, errno, "give the bundle directory with --bundle DIR",
                                 "bundle %s", bundle_arg);
        _cleanup_config_ struct oci_config *cfg = NULL;
        int r = config_load(bundle, o->config_file, &cfg, reterr);
        if (r < 0)
                return r;
        if ((r = check_config(cfg, o, reterr)) < 0)
                return r;
        if (config_add_default_device_rules(cfg) < 0)
                return error_new(reterr, ENOMEM, NULL, "add the default device rules");
        if ((r = config_resolve_rootfs(cfg, bundle, ret_rootfs, reterr)) < 0)
                return r;
        *ret_cfg = TAKE_PTR(cfg);
        return 0;
}

int lifecycle_create(const struct runtime_ctx *ctx, const char *id, const struct create_opts *o, pid_t *ret_pid,
                     struct modrun_error **reterr)
{
        int r = state_validate_id(id, reterr);
        if (r < 0)
                return r;
        char bundle[PATH_MAX];
        _cleanup_config_ struct oci_config *cfg = NULL;
        _cleanup_free_ char *rootfs = NULL;
        if ((r = container_load_bundle(o, bundle, &cfg, &rootfs, reterr)) < 0)
                return r;
        _cleanup_container_dir_ struct container_dir *d = NULL;
        if ((r = container_dir_create(ctx->root, id, &d, reterr)) < 0)
                return r;
        _cleanup_plugins_ struct plugins *pl = NULL;
        r = create_in_dir(ctx, d, cfg, bundle, rootfs, o, ret_pid, &pl, reterr);
        if (r < 0) {
                _cleanup_error_ struct modrun_error *e2 = NULL;
                if (container_dir_remove(d, &e2) < 0)
                        log_warning("cleaning up after a failed create: %s", e2->msg);
                return error_wrap(reterr, "create container %s", id);
        }
        /* run goes on with the container; create only exits */
        struct container *made = container_keep(&d, &cfg, &pl);
        if (o->start)
                o->start->created = made;
        else
                container_release_at_exit(made);
        return 0;
}
