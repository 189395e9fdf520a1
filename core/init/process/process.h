/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's init process: everything between clone() and execve().
 * The runtime side (core/container/spawn.c) validates the config and parses
 * what can fail early (capability names, sysctl keys) before forking; the
 * init then applies it, in runc's order, and reports errors over the sync
 * socket only: it never prints during set-up.
 */
#pragma once

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "oci/config.h"
#include "plugin/plugins.h"
#include "util/error.h"
#include "util/fs-util.h"

/* ---- capabilities.c -------------------------------------------------- */

struct cap_sets {
        uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* "CAP_CHOWN" -> 0 ... "CAP_CHECKPOINT_RESTORE" -> 40, or -1. */
int cap_from_name(const char *name);
/* 0 -> "CAP_CHOWN", NULL when unknown. */
const char *cap_to_name(int cap);
/* The highest capability number this modrun knows. */
int cap_last_known(void);
/* /proc/sys/kernel/cap_last_cap (falls back to cap_last_known()). */
int cap_last_cap(void);
/* Name -> number, or -1 for a name this modrun does not know or a number
 * above last_cap: those are logged as a warning (naming the list) and left
 * out, as runc and crun do and runtime-spec asks (a capability that cannot
 * be mapped to a kernel interface is a warning, not a failure). */
int cap_parse_name(const char *list, const char *name, int last_cap);
void caps_parse(const struct oci_capabilities *c, int last_cap, struct cap_sets *ret);
/* PR_CAPBSET_DROP of every capability up to last_cap not in the bounding
 * set (needs CAP_SETPCAP: before changing the user). */
int caps_apply_bounding(const struct cap_sets *s, int last_cap, struct modrun_error **reterr);
/* capset() effective/permitted/inheritable, then the ambient set (after
 * changing the user with PR_SET_KEEPCAPS). */
int caps_apply(const struct cap_sets *s, int last_cap, struct modrun_error **reterr);
/* The effective set: the permitted capabilities in mask (a change of uid
 * cleared it). UINT64_MAX: all of them, for loading a seccomp filter
 * without no_new_privs (CAP_SYS_ADMIN); the process's own effective set,
 * for checking its executable as it will be executed. */
int caps_set_effective(uint64_t mask, struct modrun_error **reterr);

/* ---- rlimits.c ------------------------------------------------------- */

/* Build the error of a failed setrlimit: names the rlimit, the requested
 * soft/hard, the current limits and, when the hard limit would be raised,
 * the CAP_SYS_RESOURCE hint. Returns -errnum. */
int rlimit_error(const struct oci_rlimit *rl, const struct rlimit *cur, int errnum, struct modrun_error **reterr);
int rlimits_apply(const struct oci_rlimit *rl, size_t n, struct modrun_error **reterr);
/* /proc/self/oom_score_adj */
int oom_score_adj_apply(int value, struct modrun_error **reterr);

/* ---- sysctl.c -------------------------------------------------------- */

/* Refuse keys that are not namespaced or whose namespace the container
 * does not have (runc's rules): writing them would change the host. */
int sysctl_check(const struct oci_config *cfg, struct modrun_error **reterr);
/* Write each linux.sysctl to /proc/sys/<key with . -> />. */
int sysctl_apply(const struct oci_sysctl *s, size_t n, struct modrun_error **reterr);

/* ---- namespaces.c ---------------------------------------------------- */

/* Checks before forking: a mount namespace, hostname/domainname only with a
 * new uts namespace, time offsets only with a new time namespace. */
int ns_check_config(const struct oci_config *cfg, struct modrun_error **reterr);
/* Open every namespace given by path (fds[type], -1 for none) and check
 * that each is a namespace of the type it is listed as. */
int ns_open_paths(const struct oci_config *cfg, int fds[_OCI_NS_MAX], struct modrun_error **reterr);
void ns_close_fds(int fds[_OCI_NS_MAX]);
/* exec: open every namespace of the config's types that pid is in and we
 * are not. */
int ns_open_of_pid(const struct oci_config *cfg, pid_t pid, int fds[_OCI_NS_MAX], struct modrun_error **reterr);
/* setns() every opened namespace, the user namespace first. */
int ns_join(const struct oci_config *cfg, const int fds[_OCI_NS_MAX], struct modrun_error **reterr);
/* unshare(CLONE_NEWTIME) and write the offsets: before creating the init. */
int ns_setup_time(const struct oci_config *cfg, struct modrun_error **reterr);
/* CLONE_NEW* of the namespaces to create with the init (time excluded). */
uint64_t ns_clone_flags(const struct oci_config *cfg);
/* Is there a namespace entry of type t without a path? */
bool ns_is_new(const struct oci_config *cfg, enum oci_ns_type t);
int ns_set_hostname(const struct oci_config *cfg, struct modrun_error **reterr);

/* ---- loopback.c ------------------------------------------------------ */

/* Set IFF_UP on lo of the network namespace we are in. */
int net_loopback_up(struct modrun_error **reterr);

/* ---- process-user.c -------------------------------------------------- */

/* setgroups (additionalGids, or none), setresgid, setresuid, keeping the
 * capabilities for caps_apply(); then the umask (0022 when unset). */
int user_apply(const struct oci_user *u, bool in_userns, struct modrun_error **reterr);
/* *ret_env: env with each variable once, at its first place with its
 * last value (runc sets them one after the other), and HOME, when missing
 * or empty, from the container's /etc/passwd entry of uid, else "/"
 * (runc; crun: when missing). */
int env_with_home(char *const *env, uid_t uid, char ***ret_env, struct modrun_error **reterr);
/* The container's process.cwd, created (root's, 0755) when missing, as
 * runc and crun do; resolved beneath "/" (the container's root). */
int cwd_create(const char *cwd, struct modrun_error **reterr);

/* ---- exec.c ---------------------------------------------------------- */

#define EXEC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* PATH= of env (NULL-terminated), or EXEC_DEFAULT_PATH. */
const char *exec_path_env(char *const *env);
/* Find name as execve() would: a name with '/' is used as is (relative to
 * the working directory), else each PATH entry is tried beneath root_fd
 * (AT_FDCWD: "/"). The error is Go's/runc's: exec: "foo": executable file
 * not found in $PATH, naming the PATH searched. */
int exec_find(int root_fd, const char *name, const char *path, char **ret_path, struct modrun_error **reterr);
/* Block until `start` writes to the exec fifo (fd: its read end). */
int exec_wait_fifo(int fifo_fd, struct modrun_error **reterr);
/* Reset the signals, keep fds 0..2+preserve_fds and mark the others
 * CLOEXEC: done before the seccomp filter is loaded, which need not allow
 * rt_sigaction, fcntl or close_range. */
int exec_prepare(int preserve_fds, struct modrun_error **reterr);
/* execve(); returns only on failure. *execd (unless NULL) is 1 during the
 * call alone (init_args.vm_execd). */
int exec_process(const char *path, char *const *args, char *const *env, volatile int *execd,
                 struct modrun_error **reterr);

/* ---- created-signals.c ----------------------------------------------- */

/* The init of a new pid namespace (its pid 1, which the kernel sends no
 * signal it does not catch) exits 128 + the signal on one whose default
 * is to end a process (TERM, INT, HUP, QUIT, USR1, PIPE...; not the
 * real-time ones) from here to created_signals_done(): while the container
 * is "created".
 * Caught right after exec_prepare(), before the seccomp filter is loaded
 * (which need not allow rt_sigaction); execve() resets them. Not the pid 1
 * of its pid namespace: nothing to do, the defaults end it. */
int created_signals_catch(struct modrun_error **reterr);
/* `start` came: from now on those signals do what SIG_DFL does. */
void created_signals_done(void);

/* ---- terminal.c ------------------------------------------------------ */

/* process.terminal: open a pty in the container's /dev/pts, make its peer
 * the controlling terminal and stdio, send the master to the console
 * socket (connected by the runtime, duplicated before changing root);
 * with console, also bind the peer onto /dev/console (the init; not an
 * exec'd process). */
int terminal_connect(int console_socket_fd, int *ret_sock, struct modrun_error **reterr);
/* The pty: its master sent over sock, its peer the stdio and controlling
 * terminal; console: also bound onto /dev/console; ours: the master goes to
 * modrun's own proxy and on to a file or a pipe, so "\n" is not turned into
 * "\r\n" (ONLCR cleared, as runc): it gets what the process wrote. */
int terminal_setup(int sock, const struct oci_process *proc, bool console, bool ours, struct modrun_error **reterr);
/* Without a terminal, the process still leads a session of its own, as
 * runc's: nothing outside the container is its session leader (CRIU
 * refuses to dump a tree whose session leader is outside it). */
int session_new(struct modrun_error **reterr);
/* In the rootfs: stdio fds that are /dev/null (the caller's, the host's)
 * are reopened on the container's /dev/null, as runc does, so that no
 * stdio of the init refers to a mount outside the container (CRIU). */
int stdio_reopen_dev_null(struct modrun_error **reterr);

/* ---- seccomp.c -------------------------------------------------------- */

/* Compile linux.seccomp (libseccomp) in the runtime: *ret_filter is NULL
 * when the config has none. Errors name the JSON path. */
int seccomp_compile(const struct oci_config *cfg, void **ret_filter, struct modrun_error **reterr);
/* Load a compiled filter into this process (NULL: nothing to do); with
 * ret_notify_fd, also return its SCMP_ACT_NOTIFY fd (-1 when no rule
 * notifies). */
int seccomp_install(void *filter, int *ret_notify_fd, struct modrun_error **reterr);
/* linux.seccomp.listenerPath, or NULL. */
const char *seccomp_listener_path(const struct oci_config *cfg);
void seccomp_free(void *filter);
/* For `features`: NULL-terminated names. */
const char *const *seccomp_action_names(void);
const char *const *seccomp_flag_names(void);

/* ---- lsm.c ------------------------------------------------------------ */

struct lsm_plan {
        char apparmor[512]; /* "exec PROFILE", or "" */
        char selinux[512];  /* the label, or "" */
};
/* Is AppArmor / SELinux on, as seen under sysroot ("" for the host)? */
bool lsm_apparmor_enabled(const char *sysroot);
bool lsm_selinux_enabled(const char *sysroot);
/* Decide in the runtime what the init will write (errors come early). */
int lsm_plan(const struct oci_process *proc, const char *sysroot, struct lsm_plan *ret, struct modrun_error **reterr);
/* In the init, right before exec (after the root switch): the exec labels. */
int lsm_apply(const struct lsm_plan *plan, struct modrun_error **reterr);

/* ---- process-attrs.c ------------------------------------------------ */

/* process.scheduler, process.ioPriority, linux.personality and
 * linux.memoryPolicy, in that order, to the calling process. */
int process_attrs_apply(const struct oci_config *cfg, struct modrun_error **reterr);

/* ---- cpu-affinity.c -------------------------------------------------- */

struct affinity_saved {
        bool changed;
        cpu_set_t set;
};
/* The runtime, for exec: take process.execCPUAffinity.initial for itself
 * (the process it then creates inherits it), saving its own;
 * affinity_restore() after. Nothing for the init. */
int affinity_enter_initial(const struct oci_process *proc, bool exec_mode, struct affinity_saved *ret_saved,
                           struct modrun_error **reterr);
void affinity_restore(const struct affinity_saved *saved);
/* The process, in its cgroup, before its seccomp filter: exec's
 * process.execCPUAffinity.final; the init, or exec without
 * execCPUAffinity, every CPU of its cpuset. */
int affinity_apply(const struct oci_process *proc, bool exec_mode, struct modrun_error **reterr);
/* exec's process.execCPUAffinity.final, if set (again, right before execve). */
int affinity_apply_final(const struct oci_process *proc, bool exec_mode, struct modrun_error **reterr);

/* ---- init-main.c ----------------------------------------------------- */

struct init_args {
        const struct oci_config *cfg;
        const char *id, *bundle; /* for the state hooks read */
        const char *rootfs;
        dev_t rootfs_dev; /* the rootfs as the runtime sees it (stat), to */
        ino_t rootfs_ino; /* find it in a mount namespace joined by path */
        struct plugins *plugins;
        struct cap_sets caps;
        int last_cap;
        int sync_fd;           /* our end of the sync socket */
        int fifo_fd;           /* read end of the exec fifo (O_NONBLOCK); -1: exec at once (run) */
        int start_err_fd;      /* the start-error fifo: a failure after `start` (exec mode: -1) */
        int console_socket_fd; /* O_PATH fd of the console socket, a connected socket, or -1 */
        bool console_ours;     /* modrun's own proxy, to a stdout that is no terminal: ONLCR cleared */
        int preserve_fds;
        int timeout_ms; /* bound for waiting for "go" */
        bool in_userns; /* a user namespace is created or joined */
        void *seccomp;  /* compiled filter (seccomp_compile), or NULL */
        bool exec_mode; /* `exec`: namespaces joined, no rootfs, no fifo */
        bool go_after_ready; /* exec --ignore-paused: a second "go" once in the (frozen) cgroup */
        int *mount_fds;      /* by mount index, -1; filled from SYNC_MOUNTFD before "go" */
        /* no mount namespace: the runtime's bind of the rootfs onto itself
         * (container/host-rootfs.h); .id 0 otherwise */
        struct fs_mount_id host_rootfs;
        int exec_root_fd; /* exec, no mount namespace: O_PATH of the init's root to chroot into; else -1 */
        struct modrun_cgroup_entry cg_entry; /* v1 fds to move itself into, or none */
        struct lsm_plan lsm;
        /* a process sharing the runtime's memory (container/clone-vm.h):
         * 1 during the execve call alone (exec_process), so the runtime knows
         * whether a signal that killed us left its heap alone */
        volatile int *vm_execd;
};

/* Runs in the new process; never returns. */
_Noreturn void init_process_main(const struct init_args *a);
