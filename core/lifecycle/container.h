/* SPDX-License-Identifier: Apache-2.0 */
/* An existing container opened for a command: its locked directory, its
 * state, the config it was created with, and the same plugins it was
 * created with. */
#pragma once

#include <limits.h>
#include <signal.h>

#include "lifecycle.h"
#include "oci/config.h"
#include "state/state.h"

struct container {
        struct container_dir *dir;
        struct container_state *state; /* NULL while "creating" */
        struct oci_config *cfg;        /* NULL when it could not be read */
        struct plugins *plugins;       /* NULL when not loaded */
};

/* Open and lock <root>/<id>; with load_plugins, load the plugins recorded at
 * create (from the directories recorded then). */
int container_open(const struct runtime_ctx *ctx, const char *id, bool load_plugins, struct container **ret,
                   struct modrun_error **reterr);
/* The same, loading only the recorded plugins of these kinds (bits
 * PLUGIN_KIND_BIT(k); 0: none): what a command uses, no more. */
int container_open_kinds(const struct runtime_ctx *ctx, const char *id, uint32_t kinds, struct container **ret,
                         struct modrun_error **reterr);
struct container *container_free(struct container *c);
static inline void container_freep(struct container **c) { container_free(*c); }
#define _cleanup_container_ _cleanup_(container_freep)

/* A command that has spawned its process and now only waits for it, or
 * not, and exits (exec, run, create): the lock is released now, the
 * memory with the exit.
 * Freeing it would write to heap pages the fork left shared copy-on-write
 * with the process (or write-protected after it): a page fault for each,
 * a copy for most, for memory the exit gives back anyway. The container
 * stays reachable from a static, so leak checkers report nothing. */
void container_release_at_exit(struct container *c);

/* create: the container it made (the pointers taken), its lock released,
 * for `run` to go on with (create alone releases it at exit); NULL
 * without memory (run then opens it again by id). */
struct container *container_keep(struct container_dir **d, struct oci_config **cfg, struct plugins **pl);
/* run: lock a container create kept again and read its state; -ENOENT
 * when another command deleted it meanwhile (container_dir_relock). */
int container_relock_kept(struct container *c, struct modrun_error **reterr);
/* run with process.terminal: `start` of a container create kept, the lock
 * released again after it. */
int container_start_kept(struct container *c, struct modrun_error **reterr);
/* run: delete a container create kept, once its process has exited
 * (delete --force); one deleted by another command meanwhile is left
 * alone. */
int container_delete_kept(struct container *c, struct modrun_error **reterr);

/* Load plugins for a container (create: from ctx; later: as recorded). */
int container_load_plugins(const struct runtime_ctx *ctx, const struct container_dir *d,
                           const struct oci_config *cfg, const char *bundle, const char *rootfs,
                           const struct container_state *recorded, struct plugins **ret,
                           struct modrun_error **reterr);

/* Signal the init (all=false) or every process of the container: through
 * the cgroup manager's kill_all when it finds them all, else the best-known
 * set (procs_scope_signal). */
int container_signal(struct container *c, int signo, bool all, struct modrun_error **reterr);
/* A pidfd of the init, only if it is still the process create started;
 * else -errno (-ESRCH). */
int container_open_init(const struct container_state *s);
/* Wait (bounded) until the init has exited. */
int container_wait_stopped(const struct container *c, int timeout_ms, struct modrun_error **reterr);
/* The poststop hooks, state "stopped" (runtime-spec: at delete, and when
 * create fails once the init was started, as runc's destroy). A failing
 * one is a warning, and the next ones still run. */
void container_run_poststop(const struct oci_config *cfg, const char *id, const char *bundle);
/* start.c: release the created init (the exec fifo) and, once its process
 * runs, the poststart hooks (one failing kills the init); *ret_init_failed
 * when the init reported a failure after the release (a startContainer
 * hook). Errors are wrapped "start container ID". */
int container_start_init(int dir_fd, const char *id, const struct oci_config *cfg, pid_t pid, const char *bundle,
                         bool *ret_init_failed, struct modrun_error **reterr);
/* Remove the cgroup(s) through the plugin and the state directory. */
int container_destroy(struct container *c, struct modrun_error **reterr);

/* create.c, shared with restore: the bundle's config checked (as
 * create's options allow it), its rootfs resolved; bundle is filled with
 * the absolute bundle directory. */
int container_load_bundle(const struct create_opts *o, char bundle[PATH_MAX], struct oci_config **ret_cfg,
                          char **ret_rootfs, struct modrun_error **reterr);
/* Store config.json, load and record the plugins ("creating"), run their
 * checks (the checkpoint engine's too when loaded), make the cgroup and
 * set its limits. On failure the cgroup made is removed again. */
int container_prepare(const struct runtime_ctx *ctx, struct container_dir *d, struct oci_config *cfg,
                      const char *bundle, const char *rootfs, struct plugins **ret_pl, struct modrun_error **reterr);
/* Remove the cgroup container_prepare made (warning on failure). */
void container_prepare_undo(struct container_dir *d, struct plugins *pl);
/* state.json with the init pid (0: "creating"). */
int container_record_state(const struct runtime_ctx *ctx, struct container_dir *d, const struct oci_config *cfg,
                           const struct plugins *pl, const char *bundle, const char *rootfs, pid_t pid,
                           struct modrun_error **reterr);
/* checkpoint.c: when ctx asks for the checkpoint engine, is there one and
 * does it work on this host (its check op)? 0 when not asked. */
int checkpoint_engine_check(const struct runtime_ctx *ctx, const struct plugins *pl, struct modrun_error **reterr);

/* The image and work directories of checkpoint/restore, made (mkdir -p,
 * 0700) and absolute: --image-path (default ./checkpoint), --work-path
 * (default the image path). */
int checkpoint_paths(const struct checkpoint_opts *o, char image[PATH_MAX], char work[PATH_MAX],
                     struct modrun_error **reterr);

/* Write pid to path atomically (create.c). */
int write_pid_file(const char *path, pid_t pid, struct modrun_error **reterr);

/* run-console.c: `run` as its own console socket receiver. The pty
 * master the init sent over sock (our end of a socket pair), or -1 when
 * it sent none (no process.terminal). */
int console_receive(int sock, int *ret_master, struct modrun_error **reterr);
/* The terminal run takes raw mode and the window size from, as runc: the
 * first of stderr, stdout, stdin that is one, else the controlling
 * terminal. A new fd, or -ENOTTY when there is none. */
int console_host(void);
/* Proxy master <-> stdin/stdout until pid exits (signals of set forwarded,
 * host in raw mode, SIGWINCH copies its window size); *ret_status as
 * wait_forwarding. */
int console_proxy(pid_t pid, int master, int host, const sigset_t *set, int *ret_status);

/* --pidfd-socket: send a pidfd of pid to the unix socket at path. */
int send_pidfd(const char *path, pid_t pid, struct modrun_error **reterr);

/* Block SIGCHLD and the signals `run`/`exec` forward (wait.c). */
void forward_signals_block(sigset_t *ret_set, sigset_t *ret_old);
/* Wait for our child pid (the signals of set blocked), forwarding every
 * other signal of set to it; *ret_status is its exit code or 128+signal.
 * Unbounded on purpose: the foreground process runs as long as it likes. */
int wait_forwarding(pid_t pid, const sigset_t *set, int *ret_status);

/* Does the container have a cgroup? Not with no cgroup manager, nor with
 * one whose get_path says ENOENT: cgroupfs run rootless where no
 * hierarchy is writable makes none. */
bool container_has_cgroup(const struct plugins *pl);

/* procs.c: the best-known process set of a container without a cgroup:
 * the members of its own pid namespace; sharing one, the init, its
 * descendants, and (when the container made its own mount namespace) the
 * processes of that pid namespace in the container's mount namespace. */
struct procs_scope {
        pid_t init;     /* 0 once the init has exited */
        bool own_pidns;
        ino_t pidns;    /* the init's pid namespace */
        ino_t mntns;    /* the container's own mount namespace, 0 when none */
        int mntns_fd;   /* held open, so that the inode is not reused meanwhile */
};
/* -ESRCH when init is gone. */
int procs_scope_open(const struct oci_config *cfg, pid_t init, struct procs_scope *ret);
void procs_scope_close(struct procs_scope *sc);
/* The members alive now (zombies left out), malloc()ed. */
int procs_scope_list(const struct procs_scope *sc, pid_t **ret_pids, size_t *ret_n, struct modrun_error **reterr);
/* Signal every member. SIGKILL: stop them all first, then kill until none
 * is left, at most timeout_ms; the error lists the pids left. init_pidfd
 * (or -1) tells when the init has exited. */
int procs_scope_signal(struct procs_scope *sc, int init_pidfd, int signo, int timeout_ms, const char *id,
                       struct modrun_error **reterr);
/* The set as a list, for ps. */
int procs_best_known(const struct oci_config *cfg, pid_t init, pid_t **ret_pids, size_t *ret_n,
                     struct modrun_error **reterr);
