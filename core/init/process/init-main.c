/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's init, from clone() to execve(). It runs in its new
 * namespaces, waits for the runtime's "go" (id maps written, cgroup
 * entered), sets everything up in runc's order, reports "ready" or its
 * error over the sync socket (it never prints: stdio belongs to the
 * container), waits on the exec fifo for `start`, and execs.
 */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/cgroup-entry.h"
#include "container/hooks.h"
#include "container/sync.h"
#include "init/rootfs.h"
#include "process.h"
#include "util/fault.h"

/* The runtime's own waits (a systemd job, a hook) share the init's bound:
 * the init waits this much longer, so that the runtime's error, which
 * names what it waited for, comes first. */
#define GO_MARGIN_MS 5000

/* Wait for "go"; *ret_value (may be NULL) takes the value it carries. */
static int wait_go(const struct init_args *a, int timeout_ms, int32_t *ret_value, struct modrun_error **reterr)
{
        struct sync_msg m = {0};
        int r;
        if (timeout_ms >= 0)
                timeout_ms += GO_MARGIN_MS;
        /* id-mapped mounts come first, each with its fd */
        while ((r = sync_recv(a->sync_fd, timeout_ms, "the runtime's go", &m, reterr)) >= 0 &&
               m.type == SYNC_MOUNTFD && a->mount_fds && m.value >= 0 &&
               (size_t)m.value <= a->cfg->n_mounts) {
                a->mount_fds[m.value] = m.fd;
                m.fd = -1;
                sync_msg_done(&m);
        }
        if (r < 0)
                return r;
        uint32_t type = m.type;
        if (type == SYNC_GO && ret_value)
                *ret_value = m.value;
        sync_msg_done(&m);
        if (type != SYNC_GO)
                return error_new(reterr, EPROTO, NULL, "expected \"go\" from the runtime, got \"%s\"",
                                 sync_type_to_string(type));
        return 0;
}

/* Before the root switch: the runtime runs prestart and createRuntime
 * hooks, then we run createContainer ones, in the container's namespaces. */
static int run_create_hooks(const struct init_args *a, const char *state_json, struct modrun_error **reterr)
{
        const struct oci_config *cfg = a->cfg;
        if (!cfg->n_hooks[OCI_HOOK_PRESTART] && !cfg->n_hooks[OCI_HOOK_CREATE_RUNTIME] &&
            !cfg->n_hooks[OCI_HOOK_CREATE_CONTAINER])
                return 0;
        int r = sync_send(a->sync_fd, SYNC_HOOKS, 0, NULL, NULL);
        if (r < 0)
                return error_new(reterr, -r, NULL, "ask the runtime to run the createRuntime hooks");
        int bound = a->timeout_ms + hooks_time_bound_ms(cfg, OCI_HOOK_PRESTART) +
                    hooks_time_bound_ms(cfg, OCI_HOOK_CREATE_RUNTIME);
        if ((r = wait_go(a, bound, NULL, reterr)) < 0)
                return r;
        return hooks_run(cfg, OCI_HOOK_CREATE_CONTAINER, state_json, NULL, reterr);
}

/* Early, still in the runtime's filesystem view: the host's /proc is
 * there, and /proc/sys resolves to our namespaces anyway. */
static int setup_early(const struct init_args *a, struct modrun_error **reterr)
{
        const struct oci_config *cfg = a->cfg;
        int r = ns_set_hostname(cfg, reterr);
        if (r < 0 || (ns_is_new(cfg, OCI_NS_NETWORK) && (r = net_loopback_up(reterr)) < 0))
                return r;
        if (cfg->process.has_oom_score_adj && (r = oom_score_adj_apply(cfg->process.oom_score_adj, reterr)) < 0)
                return r;
        if ((r = rlimits_apply(cfg->process.rlimits, cfg->process.n_rlimits, reterr)) < 0)
                return r;
        return sysctl_apply(cfg->linux_.sysctl, cfg->linux_.n_sysctl, reterr);
}

/* Is the rootfs prepared (root, mounts, /dev, masked paths, the root
 * switch) in our mount namespace? A new one, or none (the runtime's, on
 * its bind of the rootfs): yes. One joined by path: when
 * the bundle's rootfs is there, the same directory the runtime saw (a
 * namespace made with `unshare --mount`: runc prepares it there too, as
 * the spec's root and mounts say); else (another container's, whose root
 * was switched) its filesystem is used as it is, and so is one whose root
 * the rootfs already is. */
static bool rootfs_prepared_here(const struct init_args *a)
{
        if (ns_is_new(a->cfg, OCI_NS_MOUNT) || a->host_rootfs.id)
                return true;
        struct stat st, root;
        if (!a->rootfs_ino || stat(a->rootfs, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_dev != a->rootfs_dev ||
            st.st_ino != a->rootfs_ino)
                return false;
        /* the rootfs is already that namespace's root (root.path "/"): there
         * is nothing to switch to, and pivot_root would fail (EBUSY) */
        return stat("/", &root) < 0 || root.st_dev != st.st_dev || root.st_ino != st.st_ino;
}

/* The mount strategy plugin makes the rootfs the root of our own mount
 * namespace (pivot_root, move_mount). */
static int enter_with_plugin(const struct init_args *a, int rootfs_fd, struct modrun_error **reterr)
{
        int r;
        void *st = NULL;
        const struct modrun_mount_ops *ops = plugins_mount(a->plugins, &st);
        if (!ops || !MODRUN_HAS_OP(ops, enter_rootfs))
                return error_new(reterr, EINVAL, "select one with --plugin mount=pivot-root",
                                 "no mount strategy plugin is loaded: cannot enter the rootfs %s", a->rootfs);
        const char *name = a->plugins->by_kind[MODRUN_KIND_MOUNT]->name;
        if ((r = ops->enter_rootfs(st, rootfs_fd, a->rootfs, reterr)) < 0) {
                if (reterr && !*reterr)
                        return error_new(reterr, -r, NULL, "mount strategy %s: enter the rootfs %s", name, a->rootfs);
                return error_wrap(reterr, "mount strategy %s", name);
        }
        return 0;
}

static int setup_rootfs(const struct init_args *a, bool prepare, const struct rootfs_cgroups *cgroups,
                        int console_sock, const char *state_json, struct modrun_error **reterr)
{
        if (!prepare) /* another container's mount namespace: used as it is */
                return run_create_hooks(a, state_json, reterr);
        struct rootfs_params rp = {.cfg = a->cfg, .rootfs = a->rootfs, .in_userns = a->in_userns,
                                   .mount_fds = a->mount_fds, .cgroups = cgroups,
                                   .host_rootfs = a->host_rootfs.id ? &a->host_rootfs : NULL};
        _cleanup_close_ int rootfs_fd = -1;
        int r = rootfs_prepare(&rp, &rootfs_fd, reterr);
        if (r >= 0)
                r = FAULT_POINT("init-after-mounts", reterr);
        /* the createContainer hooks run in the rootfs, as runc's (its
         * hooks.bats: a hook with relative paths into the image) */
        if (r >= 0 && fchdir(rootfs_fd) < 0)
                r = error_new(reterr, errno, NULL, "chdir to the rootfs %s", a->rootfs);
        if (r < 0 || (r = run_create_hooks(a, state_json, reterr)) < 0)
                return r;
        if (rp.host_rootfs)
                r = rootfs_enter_chroot(&rp, rootfs_fd, reterr);
        else
                r = enter_with_plugin(a, rootfs_fd, reterr);
        if (r < 0)
                return r;
        if ((r = console_sock >= 0 ? terminal_setup(console_sock, &a->cfg->process, true, a->console_ours, reterr)
                                   : session_new(reterr)) < 0 ||
            (console_sock < 0 && (r = stdio_reopen_dev_null(reterr)) < 0))
                return r;
        /* a missing process.cwd is made here, as runc: before root.readonly
         * and the readonlyPaths make that impossible */
        if ((r = cwd_create(a->cfg->process.cwd, reterr)) < 0)
                return r;
        return rootfs_finalize(&rp, reterr);
}


/* Load the filter; with a listener, hand its notify fd to the runtime at
 * once (it passes it on to listenerPath) and wait until it has. */
static int load_seccomp(const struct init_args *a, struct modrun_error **reterr)
{
        bool listener = seccomp_listener_path(a->cfg) != NULL;
        _cleanup_close_ int nfd = -1;
        int r = seccomp_install(a->seccomp, listener ? &nfd : NULL, reterr);
        if (r < 0 || nfd < 0) /* no SCMP_ACT_NOTIFY rule: nothing to pass on */
                return r;
        if ((r = sync_send_fd(a->sync_fd, SYNC_SECCOMP, nfd)) < 0)
                return error_new(reterr, -r, NULL, "send the seccomp notify fd to the runtime");
        return wait_go(a, a->timeout_ms, NULL, reterr);
}

/* Is the filter loaded after `start`, right before the startContainer
 * hooks and execve()? With no_new_privs and no listener (runc's order);
 * else during set-up. */
static bool seccomp_loads_late(const struct init_args *a)
{
        return a->cfg->process.no_new_privileges && !seccomp_listener_path(a->cfg);
}

/* Load the filter during set-up without no_new_privs: that needs
 * CAP_SYS_ADMIN, which a change of uid took out of the effective set but
 * left in the permitted one (PR_SET_KEEPCAPS): raise it for the load, and
 * set the final capabilities afterwards (capset: allowed by every profile,
 * and what runc also does under the filter). */
static int load_seccomp_privileged(const struct init_args *a, struct modrun_error **reterr)
{
        if (!a->seccomp)
                return 0;
        int r = caps_set_effective(UINT64_MAX, reterr);
        return r < 0 ? r : load_seccomp(a, reterr);
}

/* User, cwd, executable, signals and fds are all set up before the filter
 * is loaded, so a profile need allow none of the syscalls that takes
 * (faccessat2, close_range...): what follows it is capset without
 * no_new_privs, the handshake with the runtime and `start`, the
 * startContainer hooks, and execve (runc's standard_init_linux.go; with
 * no_new_privs, `start` comes before it). */
static int setup_process(const struct init_args *a, char **ret_exe, char ***ret_env, struct modrun_error **reterr)
{
        const struct oci_process *proc = &a->cfg->process;
        /* the affinity before the scheduler: SCHED_DEADLINE wants every
         * CPU of the root domain, which a runtime under taskset lacks */
        int r = affinity_apply(proc, a->exec_mode, reterr);
        if (r < 0)
                return r;
        /* runtime-spec 1.1-1.3 task attributes, while we have every
         * capability and no filter yet */
        if ((r = process_attrs_apply(a->cfg, reterr)) < 0)
                return r;
        /* the exec labels, as runc (written to /proc/self/attr/exec) */
        r = lsm_apply(&a->lsm, reterr);
        if (r < 0)
                return r;
        if (!a->exec_mode && (r = cwd_create(proc->cwd, reterr)) < 0)
                return r;
        if ((r = env_with_home(proc->env, proc->user.uid, ret_env, reterr)) < 0)
                return r;
        if ((r = caps_apply_bounding(&a->caps, a->last_cap, reterr)) < 0)
                return r;
        /* The cwd first as root, as runc: the user may then run in a
         * directory only root can search; refused (EACCES, EPERM: root
         * squashed by NFS, a directory only the user may enter), it is
         * tried again as the user. */
        static const char missing_cwd[] = "only the container's init creates a missing cwd: create it first";
        bool in_cwd = chdir(proc->cwd) == 0;
        if (!in_cwd && errno != EACCES && errno != EPERM)
                return error_new(reterr, errno,
                                 errno == ENOENT ? missing_cwd : NULL,
                                 "process.cwd: chdir to %s inside the container", proc->cwd);
        if ((r = user_apply(&proc->user, a->in_userns, reterr)) < 0)
                return r;
        /* changing credentials cleared the parent-death signal */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0UL, 0UL, 0UL);
        if (!in_cwd && chdir(proc->cwd) < 0)
                return error_new(reterr, errno,
                                 errno == ENOENT ? missing_cwd : "process.cwd must be searchable by the user",
                                 "process.cwd: chdir to %s inside the container (as uid %u)", proc->cwd,
                                 (unsigned)proc->user.uid);
        /* CVE-2024-21626: a cwd outside the root reads as "(unreachable)..." */
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
                return error_new(reterr, EPERM, NULL,
                                 "process.cwd: %s resolves outside the container's root, refusing to run there",
                                 proc->cwd);
        char *const *env = *ret_env;
        /* the executable is checked with the capabilities it will run
         * with: CAP_DAC_OVERRIDE executes a file whose x bits are not the
         * user's, as runc */
        if ((r = caps_set_effective(a->caps.effective, reterr)) < 0 ||
            (r = exec_find(AT_FDCWD, proc->args[0], exec_path_env(env), ret_exe, reterr)) < 0 ||
            (r = exec_prepare(a->preserve_fds, reterr)) < 0)
                return r;
        /* an init that waits for `start` ends on TERM, INT... meanwhile
         * (not exec's process, nor run's init that execs at once) */
        if (!a->exec_mode && a->fifo_fd >= 0 && (r = created_signals_catch(reterr)) < 0)
                return r;
        if (!proc->no_new_privileges && (r = load_seccomp_privileged(a, reterr)) < 0)
                return r;
        if ((r = caps_apply(&a->caps, a->last_cap, reterr)) < 0)
                return r;
        if (proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0)
                return error_new(reterr, errno, NULL, "process.noNewPrivileges: prctl PR_SET_NO_NEW_PRIVS");
        if (proc->no_new_privileges && !seccomp_loads_late(a))
                return load_seccomp(a, reterr);
        return 0;
}

/* In a new user namespace, or one joined by path, the init still has the
 * runtime's ids, which the maps do not hold (creating a file in a tmpfs of
 * the namespace fails with EOVERFLOW, and host directories are searched as
 * the host's root): once the maps are written, become the namespace's
 * root, as runc's nsexec (setuid(0) and setgid(0) in its last stage, for
 * the init and for an exec'd process). */
static int userns_become_root(struct modrun_error **reterr)
{
        if (setgroups(0, NULL) < 0 && errno != EPERM) /* EPERM: setgroups is "deny" (rootless) */
                return error_new(reterr, errno, NULL, "setgroups(0) in the container's user namespace");
        if (setresgid(0, 0, 0) < 0)
                return error_new(reterr, errno, "map container gid 0 in linux.gidMappings",
                                 "setresgid(0) in the container's user namespace");
        if (setresuid(0, 0, 0) < 0)
                return error_new(reterr, errno, "map container uid 0 in linux.uidMappings",
                                 "setresuid(0) in the container's user namespace");
        return 0;
}

/* A new cgroup namespace is made here, once the init is in the
 * container's cgroups (by the runtime's enter() before "go", or itself):
 * created at clone it would be rooted in the runtime's cgroup. Before it,
 * the own cgroup directories for cgroup mounts are opened: inside it
 * /proc/self/cgroup reads "/" and names none of them. */
static int enter_cgroups(const struct init_args *a, bool prepare_rootfs, struct rootfs_cgroups **ret_cgroups,
                         struct modrun_error **reterr)
{
        struct modrun_cgroup_entry e = a->cg_entry;
        int r = cgroup_entry_self(&e, reterr);
        if (r < 0 || a->exec_mode)
                return r;
        /* the runtime's mount table fits a new mount namespace seen from
         * the runtime's cgroup namespace (mountinfo shows a cgroup mount's
         * root relative to the reader's): not one joined by path */
        const struct oci_namespace *cgns = config_namespace(a->cfg, OCI_NS_CGROUP);
        bool runtime_table = ns_is_new(a->cfg, OCI_NS_MOUNT) && !(cgns && cgns->path);
        if (prepare_rootfs && (r = rootfs_cgroups_open(a->cfg, runtime_table, ret_cgroups, reterr)) < 0)
                return r;
        if (ns_is_new(a->cfg, OCI_NS_CGROUP) && unshare(CLONE_NEWCGROUP) < 0)
                return error_new(reterr, errno, NULL,
                                 "linux.namespaces: create the cgroup namespace (unshare CLONE_NEWCGROUP)");
        return 0;
}

/* The state the createContainer and startContainer hooks read, whole
 * (any size of annotations): built here from the config and the pid the
 * runtime sends with "go" (ours as the host sees it): status "created"
 * (after step 2 of the spec's lifecycle; crun too, runc says "creating")
 * for createContainer and startContainer. */
static int hook_states(const struct init_args *a, pid_t pid, char **ret_create_container, char **ret_created,
                       struct modrun_error **reterr)
{
        if (a->exec_mode)
                return 0;
        if (a->cfg->n_hooks[OCI_HOOK_CREATE_CONTAINER] &&
            !(*ret_create_container = hooks_state_json(a->cfg, a->id, "created", pid, a->bundle)))
                return error_new(reterr, ENOMEM, NULL, "the state of container %s for its createContainer hooks", a->id);
        if (a->cfg->n_hooks[OCI_HOOK_START_CONTAINER] &&
            !(*ret_created = hooks_state_json(a->cfg, a->id, "created", pid, a->bundle)))
                return error_new(reterr, ENOMEM, NULL, "the state of container %s for its startContainer hooks", a->id);
        return 0;
}

/* exec, no mount namespace: the container's root is the init's chroot */
static int exec_enter_root(int root_fd, struct modrun_error **reterr)
{
        if (fchdir(root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return error_new(reterr, errno, NULL, "chroot into the root of the container init");
        (void)close(root_fd);
        return 0;
}

static int init_setup(const struct init_args *a, char **ret_exe, char ***ret_env, char **ret_state,
                      struct modrun_error **reterr)
{
        _cleanup_(rootfs_cgroups_freep) struct rootfs_cgroups *cgroups = NULL;
        _cleanup_free_ char *cc_state = NULL;
        int32_t host_pid = 0;
        int r = wait_go(a, a->timeout_ms, &host_pid, reterr);
        FAULT_PAUSE("init-setup", 3000); /* a test's: to kill or stop the init during its set-up */
        if (r >= 0)
                r = hook_states(a, (pid_t)host_pid, &cc_state, ret_state, reterr);
        bool prepare = !a->exec_mode && rootfs_prepared_here(a);
        if (r < 0 || (r = enter_cgroups(a, prepare, &cgroups, reterr)) < 0)
                return r;
        (void)prctl(PR_SET_DUMPABLE, 0UL, 0UL, 0UL, 0UL); /* the id maps are written */
        /* an exec'd process too (it joined the namespace): else the pty it
         * opens is the host root's, which it may not chown */
        if (config_namespace(a->cfg, OCI_NS_USER) && (r = userns_become_root(reterr)) < 0)
                return r;
        if (a->exec_mode) {
                const struct oci_process *proc = &a->cfg->process;
                if (proc->has_oom_score_adj && (r = oom_score_adj_apply(proc->oom_score_adj, reterr)) < 0)
                        return r;
                if ((r = rlimits_apply(proc->rlimits, proc->n_rlimits, reterr)) < 0)
                        return r;
                if (a->exec_root_fd >= 0 && (r = exec_enter_root(a->exec_root_fd, reterr)) < 0)
                        return r;
                _cleanup_close_ int sock = -1;
                if (proc->terminal ? (r = terminal_connect(a->console_socket_fd, &sock, reterr)) < 0 ||
                                             (r = terminal_setup(sock, proc, false, a->console_ours, reterr)) < 0
                                   : (r = session_new(reterr)) < 0)
                        return r;
                return setup_process(a, ret_exe, ret_env, reterr);
        }
        if ((r = setup_early(a, reterr)) < 0)
                return r;
        _cleanup_close_ int console_sock = -1;
        if (a->cfg->process.terminal && (r = terminal_connect(a->console_socket_fd, &console_sock, reterr)) < 0)
                return r;
        if ((r = setup_rootfs(a, prepare, cgroups, console_sock, cc_state ? cc_state : "{}", reterr)) < 0)
                return r;
        return setup_process(a, ret_exe, ret_env, reterr);
}

/* No parent-death signal any more: the runtime may exit before us. A
 * seccomp profile loaded already (without noNewPrivileges) may refuse
 * the prctl: then the runtime's exit would kill the container's process. */
static int outlive_runtime(struct modrun_error **reterr)
{
        if (prctl(PR_SET_PDEATHSIG, 0UL, 0UL, 0UL, 0UL) < 0)
                return error_new(reterr, errno, "allow prctl in linux.seccomp",
                                 "prctl(PR_SET_PDEATHSIG, 0) under the container's seccomp profile");
        return 0;
}

_Noreturn void init_process_main(const struct init_args *a)
{
        struct modrun_error *err = NULL;
        char *exe = NULL, *state_json = NULL, **env = NULL;

        /* The runtime is our parent (CLONE_PARENT): die with it during set-up. */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0UL, 0UL, 0UL);
        int r = init_setup(a, &exe, &env, &state_json, &err);
        if (r < 0) {
                (void)sync_send_error(a->sync_fd, err, -r);
                _exit(1);
        }
        /* `run`'s init sharing the runtime's memory has no fifo: it execs at
         * once, and a failure goes where "ready" went (the runtime reads it
         * once we are gone; the socket closes with the execve) */
        bool at_once = !a->exec_mode && a->fifo_fd < 0;
        /* Set up: from "ready" on we outlive the runtime (`create` and
         * `exec -d` exit at once), so no parent-death signal from before the
         * runtime can read the message; at once, from right before the
         * exec (the runtime sleeps in our clone until then). */
        if (!at_once && (r = outlive_runtime(&err)) < 0) {
                (void)sync_send_error(a->sync_fd, err, -r);
                _exit(1);
        }
        if (sync_send(a->sync_fd, SYNC_READY, 0, NULL, NULL) < 0)
                _exit(1);
        /* Unbounded on purpose: in a frozen cgroup we wait for the resume. */
        if (a->go_after_ready && wait_go(a, -1, NULL, &err) < 0)
                _exit(1);
        if (!at_once)
                (void)close(a->sync_fd);

        r = a->exec_mode || at_once ? 0 : exec_wait_fifo(a->fifo_fd, &err);
        created_signals_done();
        /* the fifo stays open until execve() (O_CLOEXEC): `start` waits for
         * its close to run the poststart hooks after the process started */
        if (r >= 0) /* again: a late cgroup move (paused container) reset it */
                r = affinity_apply_final(&a->cfg->process, a->exec_mode, &err);
        if (r >= 0 && at_once)
                r = outlive_runtime(&err);
        /* The filter as late as it may be: the startContainer hooks, whose
         * executable is the container's, run under it as the process does
         * (runc and crun; runc's seccomp.bats); then only execve(). */
        if (r >= 0 && seccomp_loads_late(a))
                r = seccomp_install(a->seccomp, NULL, &err);
        if (r >= 0 && !a->exec_mode)
                r = hooks_run(a->cfg, OCI_HOOK_START_CONTAINER, state_json ? state_json : "{}", NULL, &err);
        if (r >= 0)
                r = exec_process(exe, a->cfg->process.args, env, a->vm_execd, &err);
        /* Nobody listens on the sync socket any more: `start` reads the
         * start-error fifo once we are gone, and the container's stderr
         * has it too (should `start` be gone); `run` at once: the runtime
         * sleeping in our clone reads the socket, and it alone reports. */
        int told = -1;
        if (a->start_err_fd >= 0)
                (void)sync_write_error(a->start_err_fd, err, -r);
        else if (at_once)
                told = sync_send_error(a->sync_fd, err, -r);
        const char *msg = err && err->msg ? err->msg : "exec failed";
        if (told < 0 && err && err->hint)
                dprintf(STDERR_FILENO, "modrun: container init: %s (%s)\n", msg, err->hint);
        else if (told < 0)
                dprintf(STDERR_FILENO, "modrun: container init: %s\n", msg);
        _exit(127);
}
