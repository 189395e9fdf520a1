/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Create the container's init process: join the namespaces given by path,
 * create the new ones, let the plugins place it (cgroup, id maps), and wait
 * (bounded) until it has set everything up and blocks on the exec fifo, or
 * has failed: then its error comes back here, the process is reaped and
 * nothing of it is left.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "oci/config.h"
#include "plugin/plugins.h"
#include "util/error.h"

#define SPAWN_EXEC_FIFO "exec.fifo"
#define SPAWN_START_ERROR_FIFO "start-error.fifo" /* the init's failure after `start` */

struct spawn_params {
        const struct oci_config *cfg;
        const char *id;
        const char *bundle;    /* absolute */
        const char *rootfs;    /* absolute, resolved */
        int state_dir_fd;      /* the fifo SPAWN_EXEC_FIFO is created here */
        int console_socket_fd; /* O_PATH fd of the console socket, a connected one, or -1 */
        bool console_ours;     /* modrun's own proxy, to a stdout that is no terminal: ONLCR cleared */
        int preserve_fds;      /* fds 3 .. 3+n-1 are passed to the process */
        struct plugins *plugins;
        int timeout_ms;        /* bound for the whole set-up */
        pid_t join_pid;        /* exec: join every namespace of this init, create none */
        const struct modrun_sub_cgroup *subs; /* exec --cgroup: existing sub-cgroups of the container's */
        size_t n_subs;
        bool enter_cgroup_last; /* exec --ignore-paused: join the (frozen) cgroup once set up */
        /* run: the init may exec its process at once, with no exec fifo
         * and no `start`, sharing our memory until then where nothing is
         * left for us to do meanwhile (spawn.c, init_shares_memory) */
        bool start_at_once;
        /* Called, never to return, when such an init died during its
         * set-up in a way that leaves our heap untrusted (a signal may
         * have caught it inside malloc): must allocate nothing. NULL: no
         * sharing. */
        void (*heap_lost)(void *arg);
        void *heap_lost_arg;
};

/* On success (0) the init waits on the exec fifo until `start` opens it;
 * 1: it exec'd its process already (start_at_once). With
 * join_pid (exec), cfg->process is the process to run, it joins the
 * namespaces and cgroup of join_pid, and it execs at once. */
int container_spawn(const struct spawn_params *p, pid_t *ret_init_pid, struct modrun_error **reterr);

/* `start`: write to the fifo (waiting at most timeout_ms for it), which
 * lets the init run its startContainer hooks and exec; then wait at most
 * exec_timeout_ms until it has exec()ed the process (or died), so that
 * poststart hooks run after the user process started (runtime-spec 1.3).
 * When the init failed instead of exec()ing (a startContainer hook failed),
 * its error is returned and *ret_init_failed set: the init has exited or is
 * exiting. */
int container_release(int state_dir_fd, int timeout_ms, int exec_timeout_ms, bool *ret_init_failed,
                      struct modrun_error **reterr);
