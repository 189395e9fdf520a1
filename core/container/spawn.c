/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Creating the container's init.
 *
 *   runtime ──fork──> helper: setns() into the namespaces given by path,
 *                     unshare the time namespace, then
 *                     clone(CLONE_NEW* | CLONE_PARENT) ──> init
 *                     (so the init is the runtime's child), send SYNC_PID,
 *                     exit.
 *   or, with no namespace given by path, no time namespace and not exec:
 *   runtime ──clone(CLONE_NEW*)──> init (no helper).
 *   or, exec: runtime: setns(the container's pid namespace, for its
 *            children only) ──clone──> init, back to its own; the init
 *            joins the other namespaces itself (exec_clone; the helper
 *            when the runtime may not join: rootless). Where nothing is
 *            left for the runtime between the clone and "ready", the
 *            clone shares its memory until the execve (shared-clone.h).
 *   or, run, with nothing left for the runtime between the clone and the
 *   execve: runtime: "go" ──clone(CLONE_NEW* | CLONE_VM | CLONE_VFORK)──>
 *            init, which sets up and execs the process at once (no exec
 *            fifo), the runtime asleep meanwhile (init_shares_memory).
 *   runtime: write the id maps (namespace plugin), enter the cgroup and
 *            apply the device filter (cgroup and devices plugins), send
 *            SYNC_GO, and wait (bounded) for SYNC_READY or SYNC_ERROR.
 *
 * The helper is what lets the runtime itself stay in its own namespaces
 * (joining a pid or time namespace only affects children). Either way the
 * new process closes every fd of the runtime's but the init's first. On
 * any failure the init is killed and reaped and the fifo removed: nothing
 * is left.
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "intelrdt.h"
#include "netdev.h"
#include "cgroup-entry.h"
#include "devices.h"
#include "hooks.h"
#include "host-rootfs.h"
#include "idmap-mounts.h"
#include "seccomp-listener.h"
#include "shared-clone.h"
#include "init/process/process.h"
#include "spawn.h"
#include "sync.h"
#include "util/fault.h"
#include "util/fs-util.h"
#include "util/log.h"
#include "util/userns.h"
#include "../../plugins/common/clock.h"

/* What the runtime prepares before forking; freed by spawn_prep_done(). */
struct spawn_prep {
        struct init_args init;
        int ns_fds[_OCI_NS_MAX];
        int sock[2]; /* [0] runtime, [1] helper and init */
        bool born_in_cgroup; /* the init is cloned into its cgroup (s->init.cg_entry) */
        bool stay_dumpable;  /* the init, until "go": an unprivileged runtime writes its id maps */
        bool go_sent;        /* before the clone, to a child sharing our memory (vm_clone) */
        bool init_vm;        /* run's init shares our memory (init_shares_memory) */
        bool devices_done;   /* the device filter is set (init_clone_vm, also when it fell back) */
        volatile int vm_execd; /* init.vm_execd's flag */
};

static void spawn_prep_done(struct spawn_prep *s)
{
        ns_close_fds(s->ns_fds);
        for (int i = 0; i < 2; i++)
                if (s->sock[i] >= 0)
                        (void)close(s->sock[i]);
        if (s->init.fifo_fd >= 0)
                (void)close(s->init.fifo_fd);
        if (s->init.start_err_fd >= 0)
                (void)close(s->init.start_err_fd);
        if (s->init.exec_root_fd >= 0)
                (void)close(s->init.exec_root_fd);
        seccomp_free(s->init.seccomp);
        free(s->init.mount_fds);
        cgroup_entry_close(&s->init.cg_entry);
}

static bool wants_userns(const struct oci_config *cfg)
{
        return config_namespace(cfg, OCI_NS_USER) != NULL;
}

/* Everything that can be checked before a process exists. */
static int spawn_check(const struct spawn_params *p, struct spawn_prep *s, struct modrun_error **reterr)
{
        const struct oci_config *cfg = p->cfg;
        int r = 0;
        if (!p->join_pid && ((r = ns_check_config(cfg, reterr)) < 0 || (r = sysctl_check(cfg, reterr)) < 0 ||
                             (r = netdev_check(cfg, reterr)) < 0 || (r = intelrdt_check(cfg, reterr)) < 0))
                return r;
        s->init.last_cap = cap_last_cap();
        caps_parse(&cfg->process.caps, s->init.last_cap, &s->init.caps);
        if ((r = seccomp_compile(cfg, &s->init.seccomp, reterr)) < 0 ||
            (r = lsm_plan(&cfg->process, "", &s->init.lsm, reterr)) < 0)
                return r;
        if (!p->join_pid && ns_is_new(cfg, OCI_NS_USER) && !plugins_namespace(p->plugins, NULL))
                return error_new(reterr, EOPNOTSUPP,
                                 "select a namespace plugin (--plugin namespace=idmap) or remove the user "
                                 "namespace from linux.namespaces",
                                 "linux.namespaces: a new user namespace needs its id maps written, and no "
                                 "namespace plugin is selected");
        return 0;
}

static int make_fifo(const struct spawn_params *p, struct spawn_prep *s, struct modrun_error **reterr)
{
        if (mkfifoat(p->state_dir_fd, SPAWN_EXEC_FIFO, 0600) < 0)
                return error_new(reterr, errno, NULL, "create the exec fifo %s in the state directory",
                                 SPAWN_EXEC_FIFO);
        s->init.fifo_fd = openat(p->state_dir_fd, SPAWN_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (s->init.fifo_fd < 0)
                return error_new(reterr, errno, NULL, "open the exec fifo %s for reading", SPAWN_EXEC_FIFO);
        /* Where the init reports a failure after `start` released it (a
         * startContainer hook): `start` reads it once the init is gone. Read
         * and write, so that opening it never waits for a peer. */
        if (mkfifoat(p->state_dir_fd, SPAWN_START_ERROR_FIFO, 0600) < 0)
                return error_new(reterr, errno, NULL, "create the fifo %s in the state directory",
                                 SPAWN_START_ERROR_FIFO);
        s->init.start_err_fd = openat(p->state_dir_fd, SPAWN_START_ERROR_FIFO, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (s->init.start_err_fd < 0)
                return error_new(reterr, errno, NULL, "open the fifo %s", SPAWN_START_ERROR_FIFO);
        return 0;
}

/* exec into a container without a mount namespace: no setns gives its
 * root, the process chroot()s into the init's (/proc/PID/root: the
 * runtime's bind of the rootfs, host-rootfs.h). runc 1.1 runs it in the
 * host's root instead. */
static int open_exec_root(pid_t init, int *ret_fd, struct modrun_error **reterr)
{
        char path[64];
        (void)snprintf(path, sizeof(path), "/proc/%d/root", (int)init);
        int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open the root of the container init %s", path);
        *ret_fd = fd;
        return 0;
}

static bool needs_helper(const struct spawn_prep *s);

/* `run`'s init may share our memory until its execve (shared-clone.h)
 * when nothing is left for us between the clone and its execve: no
 * namespace to join by path and no time namespace (the helper's), no id
 * maps to write (no user namespace), born in its cgroups (or there are
 * none), no hook but poststop, no network device, intelRdt group,
 * id-mapped mount or bind source to hand it, no seccomp listener, no
 * terminal to pass on, and a mount strategy whose enter_rootfs may run so
 * (MODRUN_MOUNT_SHARES_MEMORY: it leaves our memory as it found it). */
static bool init_shares_memory(const struct spawn_params *p, const struct spawn_prep *s)
{
        const struct oci_config *cfg = p->cfg;
        if (!p->start_at_once || !p->heap_lost || s->init.exec_mode || needs_helper(s) ||
            config_namespace(cfg, OCI_NS_USER) || cfg->process.terminal || !shared_clone_possible())
                return false;
        for (int h = 0; h < _OCI_HOOK_MAX; h++)
                if (h != OCI_HOOK_POSTSTOP && cfg->n_hooks[h])
                        return false;
        const struct modrun_mount_ops *mount = plugins_mount(p->plugins, NULL);
        return (s->born_in_cgroup || !plugins_cgroup(p->plugins, NULL)) && !cfg->linux_.n_net_devices &&
               !cfg->linux_.intel_rdt.present && !seccomp_listener_path(cfg) && !mount_fds_wanted(cfg) && mount &&
               MODRUN_HAS_MEMBER(mount, flags) && (mount->flags & MODRUN_MOUNT_SHARES_MEMORY);
}

static int spawn_prepare(const struct spawn_params *p, struct spawn_prep *s, struct modrun_error **reterr)
{
        int r = spawn_check(p, s, reterr);
        if (r < 0)
                return r;
        s->init.exec_mode = p->join_pid > 0;
        s->init.go_after_ready = p->enter_cgroup_last;
        /* Decided here, not in the child: once the runtime wrote "0 UID 1"
         * to the init's uid_map, the init's geteuid() says 0. geteuid() != 0
         * is also what makes the idmap plugin write the maps unprivileged
         * (host->rootless, cli/main.c). */
        s->stay_dumpable = geteuid() != 0 && !s->init.exec_mode && ns_is_new(p->cfg, OCI_NS_USER);
        if (s->init.exec_mode && (r = ns_open_of_pid(p->cfg, p->join_pid, s->ns_fds, reterr)) < 0)
                return r;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s->sock) < 0)
                return error_new(reterr, errno, NULL, "socketpair(AF_UNIX, SOCK_SEQPACKET) for the init");
        if (!s->init.exec_mode && (r = ns_open_paths(p->cfg, s->ns_fds, reterr)) < 0)
                return r;
        /* Not into a frozen cgroup (it would stop there) nor a sub-cgroup:
         * those are entered by pid. */
        if (!p->enter_cgroup_last && !p->n_subs) {
                if ((r = cgroup_entry_open(p->plugins, &s->init.cg_entry, reterr)) < 0)
                        return r;
                s->born_in_cgroup = r > 0;
        }
        s->init.cfg = p->cfg;
        s->init_vm = init_shares_memory(p, s);
        if (!s->init.exec_mode && !s->init_vm && (r = make_fifo(p, s, reterr)) < 0)
                return r;
        s->init.id = p->id;
        s->init.bundle = p->bundle;
        s->init.rootfs = p->rootfs;
        struct stat rst;
        if (!s->init.exec_mode && p->rootfs && stat(p->rootfs, &rst) == 0) {
                s->init.rootfs_dev = rst.st_dev;
                s->init.rootfs_ino = rst.st_ino;
        }
        s->init.plugins = p->plugins;
        s->init.sync_fd = s->sock[1];
        s->init.console_socket_fd = p->console_socket_fd;
        s->init.console_ours = p->console_ours;
        s->init.preserve_fds = p->preserve_fds;
        s->init.timeout_ms = p->timeout_ms;
        /* a new user namespace, or modrun's own one (uid 0 of rootless podman):
         * no mknod, flags the kernel locked stay */
        s->init.in_userns = wants_userns(p->cfg) || userns_is_nested();
        if (!s->init.exec_mode) { /* one per mount, and the rootfs last */
                if (!(s->init.mount_fds = malloc((p->cfg->n_mounts + 1) * sizeof(int))))
                        return error_new(reterr, ENOMEM, NULL, "the mounts of the container");
                for (size_t i = 0; i <= p->cfg->n_mounts; i++)
                        s->init.mount_fds[i] = -1;
        }
        if (!s->init.exec_mode && host_rootfs_wanted(p->cfg))
                return host_rootfs_bind(p->rootfs, p->state_dir_fd, &s->init.host_rootfs, reterr);
        if (s->init.exec_mode && host_rootfs_wanted(p->cfg))
                return open_exec_root(p->join_pid, &s->init.exec_root_fd, reterr);
        return 0;
}

/* First thing in the helper, or in the init when there is no helper: drop
 * the runtime's end of the socket, die with the runtime, be non-dumpable. */
static void child_start(struct spawn_prep *s)
{
        (void)close(s->sock[0]);
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0UL, 0UL, 0UL);
        /* Not openable through /proc/PID/{exe,fd,mem} by the container
         * (CVE-2019-5736); execve() of the user process resets it. */
        /* Rootless, the maps of a new user namespace are written by the
         * unprivileged runtime (or newuidmap), which can open
         * /proc/PID/uid_map only of a dumpable init: the init clears the
         * flag itself once they are written (as runc's nsexec). */
        if (!s->stay_dumpable)
                (void)prctl(PR_SET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}

/* Nothing of the runtime's may reach the container: not the container's
 * lock (start and delete wait on it), not a log file. */
static int child_close_fds(const struct spawn_prep *s, struct modrun_error **err)
{
        int keep[5 + 1 + MODRUN_CGROUP_ENTRY_MAX] = {s->sock[1], s->init.fifo_fd, s->init.start_err_fd,
                                                     s->init.console_socket_fd, s->init.exec_root_fd};
        size_t n_keep = 5;
        cgroup_entry_keep(&s->init.cg_entry, keep, &n_keep);
        int r = fd_close_all_but(3 + s->init.preserve_fds, keep, n_keep);
        return r < 0 ? error_new(err, -r, NULL, "close the runtime's file descriptors before creating the init") : 0;
}

static unsigned long init_clone_flags(const struct spawn_prep *s)
{
        return s->init.exec_mode ? 0UL : (unsigned long)ns_clone_flags(s->init.cfg);
}

/* cgroup_entry_clone() failed with ret: the error, unless it set one. */
static int clone_error(const struct spawn_prep *s, unsigned long flags, long ret, struct modrun_error **err)
{
        int e = (int)-ret;
        if (*err)
                return error_ret(*err);
        return error_new(err, e,
                         e == EPERM || e == ENOSPC || e == EUSERS
                                 ? "creating namespaces needs CAP_SYS_ADMIN, and user namespaces need "
                                   "/proc/sys/user/max_user_namespaces > 0"
                         : e == EAGAIN && s->born_in_cgroup ? "the container's cgroup is at its pids.max limit"
                                                            : NULL,
                         "clone(0x%lx) of the container init with its new namespaces", flags);
}

/* The helper: joins the namespaces given by path, makes the time
 * namespace, creates the init as the runtime's child (CLONE_PARENT) and
 * sends its pid. Never returns. */
_Noreturn static void helper_main(struct spawn_prep *s)
{
        struct modrun_error *err = NULL;
        child_start(s);
        int r = ns_join(s->init.cfg, s->ns_fds, &err);
        if (r >= 0 && !s->init.exec_mode)
                r = ns_setup_time(s->init.cfg, &err);
        ns_close_fds(s->ns_fds);
        if (r >= 0)
                r = child_close_fds(s, &err);
        long pid = 0;
        if (r >= 0) {
                /* A fork-like clone: the child continues on a copy of this stack. */
                pid = cgroup_entry_clone(&s->init.cg_entry, init_clone_flags(s) | CLONE_PARENT, &err);
                if (pid == 0)
                        init_process_main(&s->init);
                if (pid < 0)
                        r = clone_error(s, init_clone_flags(s) | CLONE_PARENT, pid, &err);
                /* a test build dies here as a helper killed (OOM killer,
                 * SIGKILL) between clone and its message would */
                if (pid > 0)
                        r = FAULT_POINT("helper-after-clone", &err);
        }
        if (r < 0) {
                (void)sync_send_error(s->sock[1], err, -r);
                _exit(1);
        }
        _exit(sync_send(s->sock[1], SYNC_PID, (int32_t)pid, NULL, NULL) < 0 ? 1 : 0);
}

/* The init cloned by the runtime itself (no helper): never returns. */
_Noreturn static void direct_init_main(struct spawn_prep *s)
{
        struct modrun_error *err = NULL;
        FAULT_PAUSE("init-start", 100); /* a test's: before child_start's dumpable flag */
        child_start(s);
        int r = child_close_fds(s, &err);
        if (r < 0) {
                (void)sync_send_error(s->sock[1], err, -r);
                _exit(1);
        }
        init_process_main(&s->init);
}

static void kill_and_reap(pid_t pid)
{
        if (pid <= 0)
                return;
        (void)kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

/* `exec` without the helper: the init joins every namespace but the pid
 * one itself, and is cloned straight into that one (see exec_clone). It
 * writes nothing of s: it may share the runtime's memory. */
_Noreturn static void exec_init_main(struct spawn_prep *s)
{
        struct modrun_error *err = NULL;
        child_start(s);
        FAULT_PAUSE("exec-start", 3000); /* a test's: to kill us during the set-up */
        int fds[_OCI_NS_MAX];
        memcpy(fds, s->ns_fds, sizeof(fds));
        fds[OCI_NS_PID] = -1; /* joined for us by the runtime */
        int r = ns_join(s->init.cfg, fds, &err);
        ns_close_fds(fds);
        if (r >= 0)
                r = child_close_fds(s, &err);
        if (r < 0) {
                (void)sync_send_error(s->sock[1], err, -r);
                _exit(1);
        }
        init_process_main(&s->init);
}

/* Leave the pid namespace our children are born in as it was (own: our
 * own pid namespace, -1: never changed) and the dumpable flag. */
static int exec_clone_restore(int own_pidns, int dumpable, struct modrun_error **reterr)
{
        (void)prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
        if (own_pidns >= 0 && setns(own_pidns, CLONE_NEWPID) < 0)
                return error_new(reterr, errno, NULL, "return to the runtime's own pid namespace after the clone");
        return 0;
}

/* First thing in a child sharing our memory: its set-up bound
 * (shared_clone_child_bound), SIGKILL for exec's process, which a process
 * of the container may stop; SIGALRM for run's init, which nothing of the
 * container can signal. Unbounded is not at all. */
static void vm_child_bound(struct spawn_prep *s, int signo, const char *what)
{
        if (shared_clone_child_bound(signo, s->init.timeout_ms) == 0)
                return;
        struct modrun_error *err = NULL;
        int e = errno;
        (void)error_new(&err, e, e == EAGAIN ? "see RLIMIT_SIGPENDING (ulimit -i)" : NULL,
                        "arm the %d ms set-up bound of %s (a POSIX timer)", s->init.timeout_ms, what);
        (void)sync_send_error(s->sock[1], err, e);
        _exit(1);
}

/* Clone fn(s) sharing our memory (shared-clone.h): its pid, or 0 to clone
 * the usual way. */
static long vm_clone(struct spawn_prep *s, unsigned long flags, void (*fn)(void *))
{
        struct shared_clone c = {.cg_entry = &s->init.cg_entry, .flags = flags, .go_fd = s->sock[0],
                                 .peer_fd = s->sock[1], .timeout_ms = s->init.timeout_ms, .fn = fn, .arg = s};
        s->init.vm_execd = &s->vm_execd;
        long pid = shared_clone_run(&c);
        s->go_sent = pid > 0;
        if (pid <= 0)
                s->init.vm_execd = NULL;
        return pid > 0 ? pid : 0;
}

/* "exec into container ID: its process": an id is at most 1024 bytes */
#define VM_WHAT_MAX 1100

/* A child sharing our memory ended before its execve in a way that
 * leaves our heap untrusted (si, errno: shared_clone_heap_trusted): say so
 * from the stack (no strerror: it may translate, and allocate). */
static void vm_report_lost(const char *what, pid_t pid, const siginfo_t *si, int timeout_ms, const char *hint)
{
        char msg[VM_WHAT_MAX + 512];
        if (!si->si_pid)
                (void)snprintf(msg, sizeof(msg),
                               "%s (pid %d) ended during its set-up, before its execve, and cannot be waited for "
                               "(waitid: errno %d)",
                               what, (int)pid, errno);
        else if (si->si_code == CLD_EXITED)
                (void)snprintf(msg, sizeof(msg), "%s (pid %d) did not set up within %d ms (hint: %s)", what, (int)pid,
                               timeout_ms, hint);
        else
                (void)snprintf(msg, sizeof(msg),
                               "%s (pid %d) was killed by signal %d during its set-up, before its execve (hint: %s)",
                               what, (int)pid, si->si_status, hint);
        log_error_noalloc(msg);
}

static void exec_vm_main(void *arg)
{
        vm_child_bound(arg, SIGKILL, "exec's process");
        exec_init_main(arg);
}

/* `exec`'s process may share our memory until its execve (shared-clone.h)
 * when nothing is left for us to do between the clone and "go", and
 * nothing to answer before "ready": it is born in its cgroups (or there
 * are none: enter_cgroup() would move it after the clone), it joins no
 * user or time namespace (the kernel lets only a process with a memory of
 * its own join those), there is no intelRdt group to enter and no seccomp
 * listener to pass its fd on to. */
static bool exec_shares_memory(const struct spawn_params *p, const struct spawn_prep *s)
{
        return shared_clone_possible() && !p->enter_cgroup_last && !p->n_subs &&
               (s->born_in_cgroup || !plugins_cgroup(p->plugins, NULL)) && s->ns_fds[OCI_NS_USER] < 0 &&
               s->ns_fds[OCI_NS_TIME] < 0 && !p->cfg->linux_.intel_rdt.present && !seccomp_listener_path(p->cfg);
}

/* exec's process came back without its execve: an exit of its own, after
 * it sent its error, is the usual failure, reported as always. Killed
 * (any process of the container may send it a signal) or stopped past its
 * bound, our heap is not to be trusted: say so and exit (the exit
 * releases the lock; exec left nothing else behind yet). */
static void exec_vm_check(const struct spawn_prep *s, pid_t pid)
{
        siginfo_t si;
        if (shared_clone_heap_trusted(pid, &s->vm_execd, &si))
                return;
        int e = errno;
        char what[VM_WHAT_MAX], hint[160];
        (void)snprintf(what, sizeof(what), "exec into container %s: its process", s->init.id);
        (void)snprintf(hint, sizeof(hint),
                       "a process of the container may have killed it, or it was stopped or stuck past the %d ms "
                       "bound; run exec again",
                       s->init.timeout_ms);
        errno = e;
        vm_report_lost(what, pid, &si, s->init.timeout_ms, hint);
        _exit(255); /* exec's own failure, as cmd-exec.c */
}

/* The clone for exec: sharing our memory when it can, else a fork-like
 * one. */
static long exec_clone_child(const struct spawn_params *p, struct spawn_prep *s, struct modrun_error **reterr)
{
        long pid = exec_shares_memory(p, s) ? vm_clone(s, 0, exec_vm_main) : 0;
        if (pid > 0) {
                exec_vm_check(s, (pid_t)pid);
                return pid;
        }
        pid = cgroup_entry_clone(&s->init.cg_entry, 0, reterr);
        if (pid == 0)
                exec_init_main(s);
        return pid;
}

/* `exec`: joining a pid namespace only changes the one our children are
 * born in, so the runtime joins the container's (when it is not ours),
 * clones the init into it and goes back to its own: no helper process,
 * one fork and one exit less per exec. Non-dumpable meanwhile, so that
 * the init is never, not even before its first instruction, a dumpable
 * process in the container's pid namespace (/proc/PID/fd of the
 * runtime's fds, CVE-2016-9962). Returns 1 and the pid, or 0 when the
 * runtime may not join the container's or may not come back to its own
 * (no CAP_SYS_ADMIN over the user namespace that owns it: rootless, also
 * under rootless podman, whose user namespace does not own the host's pid
 * namespace): then the helper, which joins the user namespace first. */
static int exec_clone(const struct spawn_params *p, struct spawn_prep *s, pid_t *ret_pid,
                      struct modrun_error **reterr)
{
        _cleanup_close_ int own = -1;
        int pidns = s->ns_fds[OCI_NS_PID];
        if (pidns >= 0 && (own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)) < 0)
                return error_new(reterr, errno, "mount /proc", "open the runtime's own pid namespace /proc/self/ns/pid");
        /* joining our own pid namespace changes nothing and takes the same
         * check as coming back to it after the clone */
        if (pidns >= 0 && setns(own, CLONE_NEWPID) < 0) {
                if (errno == EPERM)
                        return 0;
                return error_new(reterr, errno, NULL, "join the runtime's own pid namespace /proc/self/ns/pid");
        }
        int dumpable = prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
        (void)prctl(PR_SET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
        if (pidns >= 0 && setns(pidns, CLONE_NEWPID) < 0) {
                int e = errno;
                (void)prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
                if (e == EPERM)
                        return 0;
                return error_new(reterr, e, NULL, "join the pid namespace of the container init for the exec'd process");
        }
        long pid = exec_clone_child(p, s, reterr);
        int r = exec_clone_restore(pidns >= 0 ? own : -1, dumpable, reterr);
        if (pid < 0)
                return r < 0 ? r : clone_error(s, 0, pid, reterr);
        if (r < 0) {
                kill_and_reap((pid_t)pid);
                return r;
        }
        *ret_pid = (pid_t)pid;
        return 1;
}

static void init_vm_main(void *arg)
{
        vm_child_bound(arg, SIGALRM, "the container init");
        direct_init_main(arg);
}

/* run's init came back without its execve: an exit of its own, after it
 * sent its error, is reported as always. Killed (from the host: nothing
 * of the container can signal it) or out of time, our heap is not to be
 * trusted: say so and hand over to p->heap_lost, which removes the
 * container with what our heap does not hold. */
static void init_vm_check(const struct spawn_params *p, const struct spawn_prep *s, pid_t pid)
{
        siginfo_t si;
        if (shared_clone_heap_trusted(pid, &s->vm_execd, &si))
                return;
        int e = errno;
        char what[VM_WHAT_MAX];
        (void)snprintf(what, sizeof(what), "create container %s: its init", s->init.id);
        errno = e;
        vm_report_lost(what, pid, &si, s->init.timeout_ms,
                       si.si_code == CLD_EXITED ? "a mount source or the rootfs on a file system that does not answer?"
                       : si.si_status == SIGKILL ? "killed from the host; run it again"
                                                 : "it crashed, or its seccomp profile (SIGSYS) refused a call of its "
                                                   "last steps (sendmsg, prctl, sched_setaffinity)");
        p->heap_lost(p->heap_lost_arg);
        _exit(1);
}

/* run's init sharing our memory (init_shares_memory): the device filter
 * first (nothing is left for us to do after the clone), then the clone,
 * and we sleep until its execve. Its pid, 0 to clone the usual way, or an
 * error. */
static long init_clone_vm(const struct spawn_params *p, struct spawn_prep *s, struct modrun_error **reterr)
{
        int r = devices_apply(p->plugins, p->cfg->linux_.resources, reterr);
        if (r < 0)
                return r;
        s->devices_done = true;
        int dumpable = prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL); /* per memory: the init clears it */
        long pid = vm_clone(s, init_clone_flags(s), init_vm_main);
        (void)prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
        if (pid > 0)
                init_vm_check(p, s, (pid_t)pid);
        else
                s->init_vm = false;
        return pid;
}

/* run's init sharing our memory said "ready" and then exited instead of
 * exec'ing its process: its error follows "ready" in the socket. */
static int init_vm_exec_error(int fd, pid_t pid, struct modrun_error **reterr)
{
        struct sync_msg m = {0};
        char what[64];
        (void)snprintf(what, sizeof(what), "the container init (pid %d)", (int)pid);
        int r = sync_recv(fd, 0, what, &m, reterr);
        if (r < 0)
                return r;
        r = m.type == SYNC_ERROR ? sync_msg_to_error(&m, reterr)
                                 : error_new(reterr, EPROTO, NULL, "%s: exited before it ran its process", what);
        sync_msg_done(&m);
        return r;
}

/* The helper is there to join namespaces by path (setns of a pid or time
 * namespace only affects children) and to make the time namespace; without
 * either the runtime clones the init itself, one fork and one process less. */
static bool needs_helper(const struct spawn_prep *s)
{
        if (s->init.exec_mode || config_namespace(s->init.cfg, OCI_NS_TIME))
                return true;
        for (int t = 0; t < _OCI_NS_MAX; t++)
                if (s->ns_fds[t] >= 0)
                        return true;
        return false;
}

/* Receive one message from the process behind sender_pidfd (-1: not
 * watched); SYNC_ERROR becomes the error; else its type must be want. */
static int recv_expect(int fd, int sender_pidfd, int timeout_ms, const char *what, uint32_t want,
                       int32_t *ret_value, struct modrun_error **reterr)
{
        struct sync_msg m = {0};
        int r = sync_recv_watch(fd, sender_pidfd, timeout_ms, what, &m, reterr);
        if (r < 0)
                return r;
        if (m.type == SYNC_ERROR)
                r = sync_msg_to_error(&m, reterr);
        else if (m.type != want)
                r = error_new(reterr, EPROTO, NULL, "%s: expected \"%s\", got \"%s\"", what,
                              sync_type_to_string(want), sync_type_to_string(m.type));
        else if (ret_value)
                *ret_value = m.value;
        sync_msg_done(&m);
        return r;
}

/* exec --cgroup: the manager's enter_sub; without it, a plain path alone,
 * beneath the container's cgroup v2 directory (resolved beneath it, never
 * above). */
static int enter_sub_cgroup(const struct modrun_cgroup_ops *cg, void *st, const struct spawn_params *p, pid_t pid,
                            struct modrun_error **reterr)
{
        if (cg && MODRUN_HAS_OP(cg, enter_sub))
                return cg->enter_sub(st, pid, p->subs, p->n_subs, reterr);
        const char *sub = p->subs[0].path;
        if (p->n_subs != 1 || p->subs[0].controller)
                return error_new(reterr, EOPNOTSUPP, "give the sub-cgroup path alone",
                                 "exec --cgroup %s%s%s: the cgroup manager takes no per-controller sub-cgroups",
                                 p->subs[0].controller ? p->subs[0].controller : "", p->subs[0].controller ? ":" : "",
                                 sub);
        if (!cg || !MODRUN_HAS_OP(cg, open_unified))
                return error_new(reterr, EOPNOTSUPP, "leave out --cgroup",
                                 "exec --cgroup %s: the cgroup manager has no cgroup v2 directory", sub);
        _cleanup_close_ int root = cg->open_unified(st, reterr);
        if (root < 0)
                return root;
        _cleanup_close_ int dir = fs_open_beneath(root, sub, O_PATH | O_DIRECTORY, 0, NULL);
        if (dir < 0)
                return error_new(reterr, -dir, "create the sub-cgroup first; exec does not create it",
                                 "exec --cgroup %s: no such sub-cgroup of the container's cgroup", sub);
        char pidstr[16];
        (void)snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
        int r = fs_write_file(dir, "cgroup.procs", pidstr, reterr);
        return r < 0 ? error_wrap(reterr, "exec --cgroup %s", sub) : 0;
}

static int enter_cgroup(const struct spawn_params *p, pid_t pid, struct modrun_error **reterr)
{
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(p->plugins, &st);
        int r;
        if (p->n_subs && cg && MODRUN_HAS_OP(cg, enter_sub))
                return enter_sub_cgroup(cg, st, p, pid, reterr);
        if (cg && (r = cg->enter(st, pid, reterr)) < 0)
                return error_wrap(reterr, "move the process %d into the container's cgroup", (int)pid);
        return p->n_subs ? enter_sub_cgroup(cg, st, p, pid, reterr) : 0;
}

/* A failure of ours before "go" may follow one of the init's: it failed
 * early (joining a namespace), reported why and exited, and then placing
 * it or sending it "go" failed too. Its message, sent before it exited,
 * is waiting in the socket: that error is the one to report. */
static int init_error_first(int fd, int r, struct modrun_error **reterr)
{
        struct sync_msg m = {0};
        if (poll(&(struct pollfd){.fd = fd, .events = POLLIN}, 1, 0) <= 0 ||
            sync_recv(fd, 0, "the container init", &m, NULL) < 0)
                return r;
        if (m.type == SYNC_ERROR && reterr) {
                *reterr = error_free(*reterr);
                r = sync_msg_to_error(&m, reterr);
        }
        sync_msg_done(&m);
        return r;
}

/* The runtime's part once the init exists. */
static int place_init(const struct spawn_params *p, const struct spawn_prep *s, pid_t pid,
                      struct modrun_error **reterr)
{
        void *st = NULL;
        const struct modrun_namespace_ops *ns = plugins_namespace(p->plugins, &st);
        int r;
        if ((r = FAULT_POINT("after-clone", reterr)) < 0)
                return r;
        if (!p->join_pid && ns && ns_is_new(p->cfg, OCI_NS_USER) && (r = ns->set_id_maps(st, pid, reterr)) < 0)
                return error_wrap(reterr, "write the id maps of the container init (pid %d)", (int)pid);
        if (!p->enter_cgroup_last && !s->born_in_cgroup && (r = enter_cgroup(p, pid, reterr)) < 0)
                return r;
        return p->join_pid || s->devices_done ? 0 : devices_apply(p->plugins, p->cfg->linux_.resources, reterr);
}

/* prestart and createRuntime, in the runtime: their state says "created",
 * as for createContainer (runtime-spec: "created" is after step 2 of the
 * lifecycle, the environment made; these hooks are steps 3 and 4; crun
 * too, runc says "creating"). */
static int run_create_hooks(const struct spawn_params *p, pid_t pid, struct modrun_error **reterr)
{
        if (!p->cfg->n_hooks[OCI_HOOK_PRESTART] && !p->cfg->n_hooks[OCI_HOOK_CREATE_RUNTIME])
                return 0;
        _cleanup_free_ char *state = hooks_state_json(p->cfg, p->id, "created", pid, p->bundle);
        if (!state)
                return error_new(reterr, ENOMEM, NULL, "the state of container %s for its prestart hooks", p->id);
        int r = hooks_run(p->cfg, OCI_HOOK_PRESTART, state, p->bundle, reterr);
        return r < 0 ? r : hooks_run(p->cfg, OCI_HOOK_CREATE_RUNTIME, state, p->bundle, reterr);
}

/* The init's seccomp fd to the listener, with the state "creating", as
 * runc (made only here: after the clone every page written costs a copy). */
static int send_to_listener(const struct spawn_params *p, int seccomp_fd, pid_t pid, struct modrun_error **reterr)
{
        _cleanup_free_ char *state_json = hooks_state_json(p->cfg, p->id, "creating", pid, p->bundle);
        if (!state_json)
                return error_new(reterr, ENOMEM, NULL, "the state of container %s for its seccomp listener", p->id);
        return seccomp_send_to_listener(p->cfg, seccomp_listener_path(p->cfg), seccomp_fd, pid, state_json, reterr);
}

/* Until the init is ready: run the runtime's hooks when it asks. */
static int wait_ready(const struct spawn_params *p, int fd, pid_t pid, struct modrun_error **reterr)
{
        char what[96];
        (void)snprintf(what, sizeof(what), "the container init (pid %d) to set up", (int)pid);
        int timeout = p->timeout_ms + hooks_time_bound_ms(p->cfg, OCI_HOOK_CREATE_CONTAINER);
        for (;;) {
                struct sync_msg m = {0};
                int r = sync_recv(fd, timeout, what, &m, reterr);
                if (r < 0)
                        return r;
                uint32_t type = m.type;
                if (type == SYNC_ERROR)
                        r = sync_msg_to_error(&m, reterr);
                else if (type == SYNC_SECCOMP)
                        r = m.fd < 0 ? error_new(reterr, EPROTO, NULL, "%s: no seccomp fd came", what)
                                     : send_to_listener(p, m.fd, pid, reterr);
                sync_msg_done(&m);
                if (type == SYNC_READY || r < 0)
                        return r;
                if (type != SYNC_HOOKS && type != SYNC_SECCOMP)
                        return error_new(reterr, EPROTO, NULL, "%s: unexpected message \"%s\"", what,
                                         sync_type_to_string(type));
                if (type == SYNC_HOOKS && (r = FAULT_POINT("after-mounts", reterr)) < 0)
                        return r;
                if (type == SYNC_HOOKS && (r = run_create_hooks(p, pid, reterr)) < 0)
                        return r;
                if (type == SYNC_HOOKS && (r = FAULT_POINT("after-hooks", reterr)) < 0)
                        return r;
                if ((r = sync_send(fd, SYNC_GO, 0, NULL, NULL)) < 0)
                        return error_new(reterr, -r, NULL, "resume %s after the hooks", what);
        }
}

/* Reap the helper; it exits right after its last message. Waiting on a
 * pidfd wakes up the moment it exits (no polling interval). Returns its
 * wait status. */
static int reap_helper(pid_t helper, int pidfd)
{
        if (pidfd >= 0 && poll(&(struct pollfd){.fd = pidfd, .events = POLLIN}, 1, 5000) == 0) {
                log_warning("the container's helper process %d did not exit within 5 s, killing it", (int)helper);
                (void)kill(helper, SIGKILL);
        }
        int status = 0;
        while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
                ;
        return status;
}

/* The init's pid, through the helper or cloned here. */
static int create_init(const struct spawn_params *p, struct spawn_prep *s, pid_t *ret_pid,
                       struct modrun_error **reterr)
{
        if (s->init.exec_mode) {
                int r = exec_clone(p, s, ret_pid, reterr);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        if (s->init_vm) {
                long pid = init_clone_vm(p, s, reterr);
                if (pid > 0)
                        *ret_pid = (pid_t)pid;
                if (pid != 0)
                        return pid < 0 ? (int)pid : 0;
                int r = make_fifo(p, s, reterr);
                if (r < 0)
                        return r;
        }
        if (!needs_helper(s)) {
                long pid = cgroup_entry_clone(&s->init.cg_entry, init_clone_flags(s), reterr);
                if (pid == 0)
                        direct_init_main(s);
                if (pid < 0)
                        return clone_error(s, init_clone_flags(s), pid, reterr);
                *ret_pid = (pid_t)pid;
                return 0;
        }
        pid_t helper = fork();
        if (helper < 0)
                return error_new(reterr, errno, NULL, "fork the helper that creates the container init");
        if (helper == 0)
                helper_main(s);
        (void)close(s->sock[1]);
        s->sock[1] = -1;
        /* Watched: a helper killed (SIGKILL, the OOM killer) after it
         * cloned the init sends nothing, and the init, waiting for "go",
         * holds the other end of the socket open: without the pidfd, exec
         * would wait its whole set-up bound holding the container's lock.
         * That init is our child (CLONE_PARENT); it exits when we close
         * the socket. */
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, helper, 0);
        int32_t value = 0;
        int r = recv_expect(s->sock[0], pidfd, p->timeout_ms, "the helper creating the container init", SYNC_PID,
                            &value, reterr);
        int status = reap_helper(helper, pidfd);
        if (r < 0 && WIFSIGNALED(status) && reterr && *reterr)
                error_hint_add(*reterr, "the helper (pid %d) was killed by signal %d (%s): retry the command",
                               (int)helper, WTERMSIG(status), strsignal(WTERMSIG(status)));
        *ret_pid = (pid_t)value;
        return r;
}

static int spawn_run(const struct spawn_params *p, struct spawn_prep *s, pid_t *ret_pid,
                     struct modrun_error **reterr)
{
        pid_t pid = 0;
        /* exec's execCPUAffinity.initial: the process inherits it from us */
        struct affinity_saved aff;
        int r = affinity_enter_initial(&p->cfg->process, s->init.exec_mode, &aff, reterr);
        if (r < 0)
                return r;
        r = create_init(p, s, &pid, reterr);
        affinity_restore(&aff);
        if (s->sock[1] >= 0) {
                (void)close(s->sock[1]);
                s->sock[1] = -1;
        }
        if (r < 0)
                return r;
        /* run's init sharing our memory has exec'd: none of these applies */
        r = s->init_vm ? FAULT_POINT("after-clone", reterr) : place_init(p, s, pid, reterr);
        if (r >= 0 && !s->init_vm)
                r = intelrdt_enter(p->cfg, p->id, pid, p->join_pid > 0, p->state_dir_fd, reterr);
        if (r >= 0 && !p->join_pid && !s->init_vm)
                r = netdev_move_in(p->cfg, pid, p->state_dir_fd, reterr);
        if (r >= 0 && !p->join_pid && !s->init_vm)
                r = mount_fds_send(p->cfg, p->rootfs, pid, s->sock[0], reterr);
        /* the init builds its hooks' state itself, from its pid as we see it:
         * a message has a size limit, the state (its annotations) none */
        if (r >= 0 && !s->go_sent && (r = sync_send(s->sock[0], SYNC_GO, (int32_t)pid, NULL, NULL)) < 0)
                r = error_new(reterr, -r, NULL, "send \"go\" to the container init (pid %d)", (int)pid);
        if (r < 0)
                r = init_error_first(s->sock[0], r, reterr);
        if (r >= 0)
                r = wait_ready(p, s->sock[0], pid, reterr);
        if (r >= 0 && s->init_vm && !s->vm_execd)
                r = init_vm_exec_error(s->sock[0], pid, reterr);
        if (r >= 0 && p->enter_cgroup_last && (r = enter_cgroup(p, pid, reterr)) >= 0 &&
            (r = sync_send(s->sock[0], SYNC_GO, 0, NULL, NULL)) < 0)
                r = error_new(reterr, -r, NULL, "let the process %d go once in the paused cgroup", (int)pid);
        if (r < 0) {
                if (!p->join_pid) /* before the namespace goes with the init */
                        (void)netdev_move_out(p->cfg, p->state_dir_fd, NULL);
                kill_and_reap(pid);
                if (!p->join_pid)
                        intelrdt_remove(p->cfg, p->id, p->state_dir_fd);
                return r;
        }
        *ret_pid = pid;
        return s->init_vm ? 1 : 0;
}

int container_spawn(const struct spawn_params *p, pid_t *ret_init_pid, struct modrun_error **reterr)
{
        struct spawn_prep s = {.sock = {-1, -1}, .init = {.fifo_fd = -1, .start_err_fd = -1, .exec_root_fd = -1}};
        cgroup_entry_init(&s.init.cg_entry);
        for (int t = 0; t < _OCI_NS_MAX; t++)
                s.ns_fds[t] = -1;
        int r = spawn_prepare(p, &s, reterr);
        if (r >= 0)
                r = spawn_run(p, &s, ret_init_pid, reterr);
        spawn_prep_done(&s);
        if (r < 0 && !p->join_pid) {
                _cleanup_error_ struct modrun_error *err = NULL;
                if (host_rootfs_release(p->state_dir_fd, p->rootfs, &err) < 0)
                        log_warning("%s, ignoring", err->msg);
                (void)unlinkat(p->state_dir_fd, SPAWN_EXEC_FIFO, 0);
                (void)unlinkat(p->state_dir_fd, SPAWN_START_ERROR_FIFO, 0);
        }
        return r;
}

/* The init holds the fifo's read end (O_CLOEXEC) until its execve(): the
 * write end then reports POLLERR (asked for nothing, poll reports only
 * that). Also when the init dies first (a startContainer hook failed). */
static int wait_exec(int fd, int timeout_ms, struct modrun_error **reterr)
{
        int64_t deadline = clock_now_ms() + timeout_ms;
        for (;;) {
                int64_t left = deadline - clock_now_ms();
                struct pollfd pfd = {.fd = fd, .events = 0};
                int n = poll(&pfd, 1, left > 0 ? (int)left : 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_new(reterr, errno, NULL, "wait for the container init to run its process");
                if (n == 0)
                        return error_new(reterr, ETIMEDOUT,
                                         "a startContainer hook may hang, or the init is stopped (state T in "
                                         "/proc/PID/status)",
                                         "the container init did not run its process within %d ms of `start`",
                                         timeout_ms);
                return 0;
        }
}

int container_release(int state_dir_fd, int timeout_ms, int exec_timeout_ms, bool *ret_init_failed,
                      struct modrun_error **reterr)
{
        *ret_init_failed = false;
        /* Opened before the release: a fifo keeps what was written only
         * while someone has it open. Missing in a container of an earlier
         * modrun: nothing to read then. */
        _cleanup_close_ int err_fd = openat(state_dir_fd, SPAWN_START_ERROR_FIFO,
                                            O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (err_fd < 0 && errno != ENOENT)
                return error_new(reterr, errno, NULL, "open the fifo %s of the container init",
                                 SPAWN_START_ERROR_FIFO);
        /* O_NONBLOCK: ENXIO at once when no init holds the read end. */
        _cleanup_close_ int fd = openat(state_dir_fd, SPAWN_EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return error_new(reterr, errno,
                                 errno == ENXIO ? "the init has exited: delete the container and create it again"
                                                : NULL,
                                 "open the exec fifo to start the container init");
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int n = FAULT_POLL("exec-fifo", &pfd, 1, timeout_ms);
        if (n == 0)
                return error_new(reterr, ETIMEDOUT, NULL, "the exec fifo did not become writable within %d ms",
                                 timeout_ms);
        if (n < 0 || write(fd, "0", 1) != 1)
                return error_new(reterr, errno, NULL, "write to the exec fifo to start the container init");
        if (unlinkat(state_dir_fd, SPAWN_EXEC_FIFO, 0) < 0)
                return error_new(reterr, errno, NULL, "remove the exec fifo after starting the container init");
        (void)unlinkat(state_dir_fd, SPAWN_START_ERROR_FIFO, 0);
        int r = wait_exec(fd, exec_timeout_ms, reterr);
        if (r < 0 || err_fd < 0)
                return r;
        /* The init wrote its error before it exited (closing the exec fifo) */
        r = sync_read_error(err_fd, "the container init", reterr);
        if (r < 0)
                *ret_init_failed = true;
        return r;
}
