/* SPDX-License-Identifier: Apache-2.0 */
/* An existing container opened for a command: its locked directory, its
 * state, the config it was created with, and the same plugins it was
 * created with. */
#pragma once

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
struct container *container_free(struct container *c);
static inline void container_freep(struct container **c) { container_free(*c); }
#define _cleanup_container_ _cleanup_(container_freep)

/* Load plugins for a container (create: from ctx; later: as recorded). */
int container_load_plugins(const struct runtime_ctx *ctx, const struct container_dir *d,
                           const struct oci_config *cfg, const char *bundle, const char *rootfs,
                           const struct container_state *recorded, struct plugins **ret,
                           struct modrun_error **reterr);

/* Signal the init (all=false) or every process of the container: through
 * the cgroup manager's kill_all when it has one, else the best-known set
 * (the members of the container's own pid namespace, or the init and its
 * descendants). */
int container_signal(struct container *c, int signo, bool all, struct modrun_error **reterr);
/* Wait (bounded) until the init has exited. */
int container_wait_stopped(const struct container *c, int timeout_ms, struct modrun_error **reterr);
/* Remove the cgroup(s) through the plugin and the state directory. */
int container_destroy(struct container *c, struct modrun_error **reterr);

/* Write pid to path atomically (create.c). */
int write_pid_file(const char *path, pid_t pid, struct modrun_error **reterr);

/* run-console.c: `run` as its own console socket receiver. The pty
 * master the init sent over sock (our end of a socket pair), or -1 when
 * it sent none (no process.terminal). */
int console_receive(int sock, int *ret_master, struct modrun_error **reterr);
/* Proxy master <-> stdin/stdout until pid exits (signals of set forwarded,
 * SIGWINCH copies the window size); *ret_status as wait_forwarding. */
int console_proxy(pid_t pid, int master, const sigset_t *set, int *ret_status);

/* --pidfd-socket: send a pidfd of pid to the unix socket at path. */
int send_pidfd(const char *path, pid_t pid, struct modrun_error **reterr);

/* Block SIGCHLD and the signals `run`/`exec` forward (wait.c). */
void forward_signals_block(sigset_t *ret_set, sigset_t *ret_old);
/* Wait for our child pid (the signals of set blocked), forwarding every
 * other signal of set to it; *ret_status is its exit code or 128+signal.
 * Unbounded on purpose: the foreground process runs as long as it likes. */
int wait_forwarding(pid_t pid, const sigset_t *set, int *ret_status);

/* The best-known process set: pids sharing init's pid namespace when the
 * container has its own, else init and its descendants. malloc()ed. */
int procs_best_known(pid_t init, bool own_pidns, pid_t **ret_pids, size_t *ret_n, struct modrun_error **reterr);
