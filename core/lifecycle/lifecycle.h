/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container lifecycle behind the CLI verbs: create, start, run, kill,
 * delete. Each takes the container's lock for its whole duration and, on
 * failure, leaves nothing behind that it created (process, cgroup, mount,
 * state directory).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "plugin/plugins.h"

struct json_object;
#include "util/error.h"
#include "util/fault.h"

/* Bounds of every wait (milliseconds); a test build can shorten them
 * (MODRUN_TEST_TIMEOUT_MS, util/fault.h). */
#define LIFECYCLE_LOCK_TIMEOUT_MS FAULT_TIMEOUT_MS(30000)
#define LIFECYCLE_SETUP_TIMEOUT_MS FAULT_TIMEOUT_MS(60000)
#define LIFECYCLE_START_TIMEOUT_MS FAULT_TIMEOUT_MS(10000)
#define LIFECYCLE_KILL_TIMEOUT_MS FAULT_TIMEOUT_MS(10000)

/* What the global options say. */
struct runtime_ctx {
        const char *root;
        struct plugin_options plugins;
        bool rootless;
        int error_exit; /* exit code when the command fails (0: 1); exec: 255 as runc */
        const char *criu_path; /* --criu PATH: the checkpoint engine's program, or NULL */
};

struct create_opts {
        const char *bundle;         /* default "." */
        const char *config_file;    /* --config: instead of <bundle>/config.json, NULL when none */
        const char *pid_file;       /* NULL when none */
        const char *console_socket; /* NULL when none */
        int console_fd;             /* instead: a connected socket (run's own), or -1 */
        const char *pidfd_socket;   /* NULL when none */
        int preserve_fds;
        struct create_start *start; /* run: also start the init (NULL: create only) */
};

struct container;

/* run: `start` done by create itself, once the state is recorded and
 * before create returns (no second open of the container, and no frees
 * writing pages the waiting init still shares). Not with
 * process.terminal: run checks its own terminal before the start. */
struct create_start {
        bool started;             /* the init was released (err tells how it went) */
        struct modrun_error *err; /* start's error, as `start` reports it */
        /* The container as create made it (config, plugins), its lock
         * released: `run` deletes it through this once the process has
         * exited, without opening it and loading its plugins again. NULL
         * when create failed (or had no memory left to keep it). */
        struct container *created;
};

int lifecycle_create(const struct runtime_ctx *ctx, const char *id, const struct create_opts *o, pid_t *ret_pid,
                     struct modrun_error **reterr);
struct exec_opts {
        const char *process_file;   /* --process FILE: the whole process, other flags ignored */
        char **args;                /* the command, NULL-terminated */
        const char *cwd;            /* --cwd */
        char **env;                 /* --env K=V, NULL-terminated or NULL */
        const char *user;           /* --user UID[:GID] */
        char **additional_gids;     /* --additional-gids, NULL-terminated or NULL */
        char **caps;                /* --cap, NULL-terminated or NULL */
        bool no_new_privs_set, no_new_privs; /* --no-new-privs[=BOOL]: given, and its value */
        bool tty, detach;
        const char *process_label;  /* --process-label: SELinux label */
        struct modrun_sub_cgroup *cgroups; /* --cgroup [CTRL[,CTRL]:]PATH, one per controller */
        size_t n_cgroups;
        bool ignore_paused;         /* exec into a paused container: the process runs once resumed */
        const char *apparmor;       /* --apparmor: AppArmor profile */
        const char *pid_file;       /* NULL when none */
        const char *console_socket; /* NULL when none */
        const char *pidfd_socket;   /* NULL when none */
        int preserve_fds;
};

/* Run a process in a running container: its namespaces, cgroup, seccomp
 * filter and capability bounds. Unless detach, wait for it; *ret_status is
 * its exit code (or 128+signal). */
int lifecycle_exec(const struct runtime_ctx *ctx, const char *id, const struct exec_opts *o, int *ret_status,
                   struct modrun_error **reterr);
/* pause (freeze) or resume (thaw) through the cgroup manager. */
int lifecycle_pause(const struct runtime_ctx *ctx, const char *id, bool pause, struct modrun_error **reterr);
/* Merge resources (linux.resources layout) into the container's and apply. */
int lifecycle_update(const struct runtime_ctx *ctx, const char *id, struct json_object *resources,
                     struct modrun_error **reterr);
/* Every process of the container: its cgroup's, else the best-known set. */
int lifecycle_pids(const struct runtime_ctx *ctx, const char *id, pid_t **ret_pids, size_t *ret_n,
                   struct modrun_error **reterr);
/* events: container id opened once for all it reads, with its cgroup
 * plugin alone, and its lock released at once (other commands go on). A
 * load per read would map a new sealed copy of the plugin every time, for
 * good. *ret_pidfd (NULL: none, for one read): the init's, polls readable
 * once it has exited. */
int lifecycle_watch_open(const struct runtime_ctx *ctx, const char *id, struct container **ret, int *ret_pidfd,
                         struct modrun_error **reterr);
/* The cgroup manager's statistics (runc's events --stats "data"). */
int lifecycle_watch_stats(struct container *c, struct json_object **ret_stats, struct modrun_error **reterr);
/* The OOM kills so far (-EOPNOTSUPP without error when the manager cannot
 * count them). */
int lifecycle_watch_oom_count(struct container *c, uint64_t *ret_count, struct modrun_error **reterr);
void lifecycle_watch_close(struct container *c);
int lifecycle_start(const struct runtime_ctx *ctx, const char *id, struct modrun_error **reterr);
/* create + start; unless detach, wait for the process (forwarding signals)
 * and, unless keep, delete the container. *ret_status is the exit code to
 * return: the process's, or 128+signal. */
int lifecycle_run(const struct runtime_ctx *ctx, const char *id, const struct create_opts *o, bool detach,
                  bool keep, int *ret_status, struct modrun_error **reterr);
/* checkpoint and restore (checkpoint.c, restore.c), runc's options. */
struct checkpoint_opts {
        const char *image_path;  /* default ./checkpoint */
        const char *work_path;   /* default the image path */
        const char *parent_path; /* --parent-path */
        const char *page_server; /* ADDRESS:PORT */
        const char *manage_cgroups_mode; /* soft (default), full, strict, ignore */
        char **empty_ns;         /* --empty-ns, NULL-terminated or NULL */
        uint32_t flags;          /* MODRUN_CHECKPOINT_* */
        int status_fd;           /* -1 when none */
};
int lifecycle_checkpoint(const struct runtime_ctx *ctx, const char *id, const struct checkpoint_opts *o,
                         struct modrun_error **reterr);
struct restore_opts {
        struct checkpoint_opts ck; /* image, work path, flags, mode, empty ns */
        struct create_opts create; /* bundle, pid file, console socket */
        bool detach, no_subreaper;
        const char *lsm_profile, *lsm_mount_context;
};
/* Restore a container from a checkpoint into a new container id; unless
 * detach, wait for it as `run` and delete it after; *ret_status as run. */
int lifecycle_restore(const struct runtime_ctx *ctx, const char *id, const struct restore_opts *o, int *ret_status,
                      struct modrun_error **reterr);
int lifecycle_kill(const struct runtime_ctx *ctx, const char *id, int signo, bool all, struct modrun_error **reterr);
int lifecycle_delete(const struct runtime_ctx *ctx, const char *id, bool force, struct modrun_error **reterr);
