/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container store under --root: one directory per container holding
 * state.json (written atomically), config.json (the config the container
 * was created with, so later commands see the same one), the exec fifo while
 * the container is "created", and a lock file that serialises commands on
 * one container.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "plugin/plugins.h"
#include "util/error.h"

struct json_object;

enum container_status {
        STATUS_CREATING, /* directory exists, no state.json yet or create's first one (pid 0) */
        STATUS_CREATED,  /* init alive, waiting on the exec fifo */
        STATUS_RUNNING,  /* init alive, user process exec()ed */
        STATUS_PAUSED,   /* frozen (the cgroup manager says so) */
        STATUS_STOPPED,  /* init gone (or its pid reused) */
};

struct container_state {
        char *id;
        pid_t pid;
        uint64_t pid_start_time; /* /proc/PID/stat field 22, guards pid reuse */
        char *bundle;
        char *rootfs;
        char *created; /* RFC 3339, UTC, nanoseconds */
        uid_t owner;
        bool paused;   /* recorded by pause/resume */
        char *plugin[PLUGIN_KIND_MAX + 1]; /* the plugin names chosen at create */
        char **plugin_dirs;               /* NULL-terminated, directories given at create */
        struct json_object *annotations;  /* config.json's (a reference; {} when none), for `state` and `list` */
};

/* An open, locked container directory. */
struct container_dir {
        char *id;
        char *path;
        int root_fd; /* the checked state root (state_root_open) */
        int dir_fd;  /* O_PATH of root_fd/id, checked by state_check_private */
        int lock_fd;
};

/* runc's id rules: [A-Za-z0-9_+.-]+, not "." or "..", at most 1024 bytes. */
int state_validate_id(const char *id, struct modrun_error **reterr);
/* The --root default: /run/modrun, or $XDG_RUNTIME_DIR/modrun rootless
 * (also as uid 0 of a rootless engine's user namespace, as runc), else
 * /run/user/UID/modrun; never a shared directory (root.c). */
const char *state_default_root(void);
/* Open the state root (made first with mkdir -p, mode 0700 rootless, 0711
 * as root, when create), never through a symlink, and check it with
 * state_check_private. Returns an O_RDONLY|O_DIRECTORY fd, or -errno
 * (-ENOENT when it does not exist and !create). */
int state_root_open(const char *root, bool create, struct modrun_error **reterr);
/* st (of what at path) is a directory owned by the euid and not writable
 * by group or others; else -EPERM/-ENOTDIR saying so, with fix as hint. */
int state_check_private(const struct stat *st, const char *what, const char *path, const char *fix,
                        struct modrun_error **reterr);

/* Create <root>/<id> (EEXIST: "container ID already exists") and lock it. */
int container_dir_create(const char *root, const char *id, struct container_dir **ret, struct modrun_error **reterr);
/* Open and lock an existing <root>/<id> (ENOENT: "container does not exist",
 * also when its lock file, which only create makes and delete removes
 * last, is missing or was unlinked by the delete that held it),
 * waiting at most timeout_ms for the lock; STATE_NO_LOCK: only open it, to
 * read state.json (replaced atomically) as it is. */
#define STATE_NO_LOCK (-1)
int container_dir_open(const char *root, const char *id, int timeout_ms, struct container_dir **ret,
                       struct modrun_error **reterr);
/* The same beneath an already opened root (state_root_open; `list`),
 * which the caller keeps open while it uses the directory: d->root_fd is
 * -1, so it can be read and locked, not removed (one fd copy less per
 * container in `list`). */
int container_dir_open_at(int root_fd, const char *root, const char *id, int timeout_ms,
                          struct container_dir **ret, struct modrun_error **reterr);
/* Let other commands at the container while this one waits (`run`, for
 * its process), and take the lock again (at most timeout_ms) before going
 * on: ENOENT when the directory is no longer <root>/<id> or its lock file
 * is gone (deleted meanwhile, perhaps made anew). */
void container_dir_unlock(struct container_dir *d);
int container_dir_relock(struct container_dir *d, int timeout_ms, struct modrun_error **reterr);
/* <root>/<id> is gone, or has no lock file (being deleted, or left empty
 * by a create that died before locking) and went within a second, or was
 * empty then and removed by this call: `delete --force` of what does not
 * exist. */
bool container_dir_gone(const char *root, const char *id);
/* Does d still hold its lock file? A directory without one is being
 * removed (the lock goes last) or was never a container's: `state` says it
 * does not exist, and `list` leaves it out. */
bool container_dir_has_lock(const struct container_dir *d);
/* Remove the directory and everything in it, then free. */
int container_dir_remove(struct container_dir *d, struct modrun_error **reterr);
struct container_dir *container_dir_free(struct container_dir *d);
static inline void container_dir_freep(struct container_dir **d) { container_dir_free(*d); }
#define _cleanup_container_dir_ _cleanup_(container_dir_freep)

int state_save(const struct container_dir *d, const struct container_state *s, struct modrun_error **reterr);
/* ENOENT when state.json is missing (the container is still "creating"). */
int state_load(const struct container_dir *d, struct container_state **ret, struct modrun_error **reterr);
struct container_state *state_free(struct container_state *s);
static inline void state_freep(struct container_state **s) { state_free(*s); }
#define _cleanup_state_ _cleanup_(state_freep)

/* The real status of the container, from the kernel: is the init alive (and
 * the same process: start time), has it exec()ed (fifo gone). */
enum container_status state_status(const struct container_dir *d, const struct container_state *s);
const char *container_status_to_string(enum container_status st);
/* Start time (field 22 of /proc/PID/stat) of pid; 0 when pid is gone. */
uint64_t proc_start_time(pid_t pid);
/* The same, also of a zombie: what state.json records (`run`'s process
 * may have exited by then; recorded 0, it would read as running). */
uint64_t proc_start_time_any(pid_t pid);
/* Is the recorded init (pid and start time) still the live process? */
bool state_init_alive(const struct container_state *s);

/* The state's "owner": the user name of uid, or the number (the last
 * answer is kept: static storage, valid until the next call). */
const char *state_owner_name(uid_t uid);
/* The pid `state` and `list` show: 0 once stopped or before state.json. */
pid_t state_shown_pid(enum container_status st, const struct container_state *s);

/* The state as the OCI/runc `state` command prints it (with annotations from
 * the stored config.json). */
int state_to_json(const struct container_dir *d, const struct container_state *s, struct json_object **ret,
                  struct modrun_error **reterr);

/* Ids of every container under the opened root (names that may be
 * container directories; container_dir_open_at checks them), sorted. */
int state_list_ids(int root_fd, const char *root, char ***ret_ids, struct modrun_error **reterr);
