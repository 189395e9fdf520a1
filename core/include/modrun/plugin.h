/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modrun plugin ABI, major version 1.
 *
 * This header is the whole contract between the modrun core and a plugin: a
 * plugin includes nothing else of the core and links nothing of it. Build an
 * out-of-tree plugin with
 *
 *     cc -shared -fPIC -fvisibility=hidden $(pkg-config --cflags modrun-plugin) ...
 *
 * and install it as <kind>-<name>.so into $(pkg-config --variable=plugindir
 * modrun-plugin). See docs/plugins.md.
 *
 * Rules of the ABI:
 *  - A plugin exports exactly one data symbol, `modrun_plugin`, a struct
 *    modrun_plugin whose fixed-width fields come first.
 *  - Every ops table and the host table begin with `uint32_t size`. Each ops
 *    table lists its mandatory ops first, then optional ones. Tables only
 *    grow at the end; the core calls an op only through MODRUN_HAS_OP(), so a
 *    newer core runs an older plugin and sees which ops it lacks. A new
 *    mandatory op bumps MODRUN_PLUGIN_ABI_MAJOR.
 *  - Ops return 0 (or a documented positive value) on success and -errno on
 *    failure; on failure they also set *reterr through host->error(), whose
 *    message the core shows verbatim. The core allocates and frees errors.
 *  - Plugins never print, never exit(), never create threads, never dlopen(),
 *    and make no NSS (getpwnam...) calls after init.
 *  - Memory a plugin hands to the core (arrays, strings, json objects) is
 *    allocated with malloc()/json-c and freed by the core with free() or
 *    json_object_put().
 */
#ifndef MODRUN_PLUGIN_H
#define MODRUN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MODRUN_PLUGIN_ABI_MAJOR 1u
#define MODRUN_PLUGIN_ABI_MINOR 4u /* 1.2: modrun_cgroup_ops.enter_sub, oom_count; MODRUN_KIND_CHECKPOINT;
                                    * 1.3: modrun_host.mount_table;
                                    * 1.4: modrun_mount_ops.flags */

/* Packed sizes of the C types the ABI depends on; a plugin built for another
 * data model (e.g. 32-bit time_t) is refused. */
#define MODRUN_PLUGIN_ABI_SIG \
        ((uint32_t)((sizeof(void *) << 16) | (sizeof(off_t) << 8) | sizeof(time_t)))

/* Plugin kinds (uint32_t on the wire, not an enum). */
#define MODRUN_KIND_CGROUP 1u    /* struct modrun_cgroup_ops */
#define MODRUN_KIND_DEVICES 2u   /* struct modrun_devices_ops */
#define MODRUN_KIND_NAMESPACE 3u /* struct modrun_namespace_ops */
#define MODRUN_KIND_MOUNT 4u     /* struct modrun_mount_ops */
#define MODRUN_KIND_CHECKPOINT 5u /* struct modrun_checkpoint_ops (ABI 1.2) */

/* Log levels (syslog's numbers). */
#define MODRUN_LOG_ERROR 3
#define MODRUN_LOG_WARNING 4
#define MODRUN_LOG_INFO 6
#define MODRUN_LOG_DEBUG 7

#if defined(__GNUC__)
#define MODRUN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define MODRUN_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MODRUN_PRINTF(a, b)
#define MODRUN_PLUGIN_EXPORT
#endif

struct modrun_error; /* opaque, owned by the core */
struct json_object;  /* json-c */

/*
 * The host table: services the core offers a plugin. It stays valid from
 * init() to fini(). Check `size` before using a member added after ABI 1.0:
 * MODRUN_HAS_MEMBER(host, member).
 */
struct modrun_host {
        uint32_t size;      /* sizeof(struct modrun_host) in the core */
        uint32_t abi_major; /* MODRUN_PLUGIN_ABI_MAJOR of the core */
        uint32_t rootless;  /* 1 when the core runs without privileges */
        uint32_t reserved0;

        /* Logging: goes to the core's sinks (stderr, --log, JSON). */
        void (*log)(const struct modrun_host *host, int level, const char *fmt, ...) MODRUN_PRINTF(3, 4);

        /* Build an error: a message naming the object (path, syscall, flags)
         * and the cause; when errnum > 0 its strerror() text is appended. hint
         * (may be NULL) says what to do. Sets *reterr (if reterr and not
         * already set) and returns -errnum (-EINVAL when errnum is 0). */
        int (*error)(struct modrun_error **reterr, int errnum, const char *hint, const char *fmt, ...)
                MODRUN_PRINTF(4, 5);

        /* The container. Strings are NUL-terminated and read-only. */
        const char *container_id;
        const char *bundle;    /* absolute bundle directory */
        const char *state_dir; /* per-container state directory (plugins may keep
                                * files named "<kind>-<name>*" there) */
        const char *rootfs;    /* root.path, resolved to an absolute path */

        /* The whole parsed config.json, read-only (json-c). NULL when a
         * command runs without a config (e.g. features). */
        const struct json_object *config;

        /* An annotation's value, or NULL when absent. */
        const char *(*annotation)(const struct modrun_host *host, const char *key);

        /* Open path beneath dirfd without ever leaving it: symlinks and ".."
         * resolve as if dirfd were "/" (openat2 RESOLVE_IN_ROOT). flags are
         * open(2) flags; O_CREAT creates the last component with mode.
         * Returns an fd (O_CLOEXEC) or -errno with *reterr set. */
        int (*open_beneath)(const struct modrun_host *host, int dirfd, const char *path, int flags, mode_t mode,
                            struct modrun_error **reterr);

        /* Read a whole (small, e.g. cgroup or proc) file at dirfd/path into a
         * NUL-terminated malloc()ed string. */
        int (*read_file)(const struct modrun_host *host, int dirfd, const char *path, char **ret_content,
                         struct modrun_error **reterr);

        /* Write value to an existing file at dirfd/path in one write(2); the
         * error names the file, the value and the kernel's errno. */
        int (*write_file)(const struct modrun_host *host, int dirfd, const char *path, const char *value,
                          struct modrun_error **reterr);

        /* Wait at most timeout_ms for events (POLLIN...) on fd. Returns the
         * revents (> 0), or -ETIMEDOUT with an error naming `what`. */
        int (*wait_fd)(const struct modrun_host *host, int fd, short events, int timeout_ms, const char *what,
                       struct modrun_error **reterr);

        void *core; /* private to the core */

        /* ABI 1.3 (check MODRUN_HAS_MEMBER(host, mount_table)): the text of
         * /proc/self/mountinfo of the runtime's mount namespace, read once per
         * command and shared by the core and every plugin, read-only, valid
         * until fini(). Only for ops that run in the runtime before the
         * container's init exists (init, check, create...): the init's mount
         * namespace differs; read /proc/self/mountinfo there. */
        int (*mount_table)(const struct modrun_host *host, const char **ret_text, struct modrun_error **reterr);
};

/* Members every ops table begins with. */
#define MODRUN_OPS_COMMON                                                                      \
        uint32_t size; /* sizeof(the ops table) at plugin build time */                         \
        uint32_t reserved0;                                                                     \
        /* Set up; *ret_state is passed to every other op. Called once per command, \
         * before the container's namespaces are entered. Mandatory. */                         \
        int (*init)(const struct modrun_host *host, void **ret_state, struct modrun_error **reterr); \
        /* Free the state, nothing else: create, run and exec leave it to their exit            \
         * once the container's process is spawned (no fini then). Mandatory. */                \
        void (*fini)(void *state)

/*
 * Mount strategy: how the container's init makes the prepared rootfs its
 * root. Built-in choices: pivot-root (default), move-mount (initramfs).
 */
struct modrun_mount_ops {
        MODRUN_OPS_COMMON;

        /* Mandatory. Called in the container's init, inside its private mount
         * namespace, after every mount of config.json is in place under the
         * rootfs. rootfs_fd is an O_PATH|O_DIRECTORY fd of the rootfs, which
         * is a mount point. On return the process's root and working
         * directory are the rootfs and the old root is detached and
         * unreachable. The host's services may be used; nothing may be
         * printed. */
        int (*enter_rootfs)(void *state, int rootfs_fd, const char *rootfs, struct modrun_error **reterr);
        /* Optional. Called in the runtime before the container process is
         * created: refuse early, with the cause and the fix, when the
         * strategy cannot work on this host (e.g. pivot_root under an
         * initramfs root). */
        int (*check)(void *state, struct modrun_error **reterr);
        /* Optional (ABI 1.4): MODRUN_MOUNT_* flags. */
        uint64_t flags;
};

/* enter_rootfs leaves the runtime's memory as it found it: it writes no
 * state and no static, frees what it allocates, closes the streams it
 * opens, writes nothing through stdout or stderr's FILE, starts no
 * thread, never calls exit() (the runtime's exit handlers would run), and
 * uses no host service but log and error. `run` may then call
 * it in an init that shares the runtime's memory until its execve
 * (clone(CLONE_VM | CLONE_VFORK): no page tables copied). Without the
 * flag the init is a copy, as a fork makes. */
#define MODRUN_MOUNT_SHARES_MEMORY (1ull << 0)

/* What a process needs to be born inside the container's cgroups
 * (modrun_cgroup_ops.open_entry). */
#define MODRUN_CGROUP_ENTRY_MAX 16
struct modrun_cgroup_entry {
        /* O_PATH|O_DIRECTORY fd of the cgroup v2 directory, for
         * clone3(CLONE_INTO_CGROUP), or -1. */
        int unified_fd;
        /* O_WRONLY fds (cgroup v1 "tasks" files): the new process writes
         * "0" to each to move itself. */
        int self_fds[MODRUN_CGROUP_ENTRY_MAX];
        uint32_t n_self_fds;
};

/* One `exec --cgroup` entry (runc's [CONTROLLER[,CONTROLLER]:]PATH, one
 * entry per controller). */
struct modrun_sub_cgroup {
        const char *controller; /* "cpu", "name=systemd"; NULL: every hierarchy */
        const char *path;       /* relative to the container's cgroup */
};

/*
 * cgroup manager. The container's cgroup is derived from the config
 * (linux.cgroupsPath, annotations) and the container id, so every command
 * (create, kill, delete...) re-finds it after init(); a plugin may also keep
 * files in host->state_dir.
 */
struct modrun_cgroup_ops {
        MODRUN_OPS_COMMON;

        /* Mandatory. Create the container's cgroup(s). */
        int (*create)(void *state, struct modrun_error **reterr);
        /* Mandatory. Move pid into the container's cgroup(s). */
        int (*enter)(void *state, pid_t pid, struct modrun_error **reterr);
        /* Mandatory. Remove the container's cgroup(s), bounded by timeout_ms.
         * Removing what does not exist is success. */
        int (*destroy)(void *state, int timeout_ms, struct modrun_error **reterr);
        /* Optional. Open the container's cgroup v2 directory (O_PATH|O_DIRECTORY)
         * for clone3(CLONE_INTO_CGROUP) and cgroup v2 BPF programs: returns an fd,
         * or -EOPNOTSUPP when there is none (v1 only, no cgroup). */
        int (*open_unified)(void *state, struct modrun_error **reterr);
        /* Optional. Apply linux.resources (a json object; NULL = none); used by
         * create and update. */
        int (*set_resources)(void *state, const struct json_object *resources, struct modrun_error **reterr);
        /* Optional. Freeze (frozen=1) or thaw (0), waiting at most timeout_ms. */
        int (*freeze)(void *state, int frozen, int timeout_ms, struct modrun_error **reterr);
        /* Optional. Every pid in the container's cgroup(s): *ret_pids is a
         * malloc()ed array of *ret_n pids. */
        int (*get_pids)(void *state, pid_t **ret_pids, size_t *ret_n, struct modrun_error **reterr);
        /* Optional. Signal every process, bounded by timeout_ms; on timeout
         * the error lists the pids left. */
        int (*kill_all)(void *state, int signo, int timeout_ms, struct modrun_error **reterr);
        /* Optional. Statistics for `events --stats` (runc's JSON layout). */
        int (*stats)(void *state, struct json_object **ret_stats, struct modrun_error **reterr);
        /* Optional. 1 when this manager itself enforces
         * linux.resources.devices (v1 devices controller, systemd unit
         * properties), 0 when a devices plugin must. Absent = 0. */
        int (*owns_devices)(void *state);
        /* Optional. The container's cgroup path for state and debug output
         * (e.g. "/modrun/ID" or "system.slice/modrun-ID.scope"),
         * malloc()ed. -ENOENT says the container has no cgroup (rootless
         * with no writable hierarchy): the core then finds its processes
         * without the manager (kill --all, ps, FIELD-NOTES #4). */
        int (*get_path)(void *state, char **ret_path, struct modrun_error **reterr);
        /* Optional. Instead of enter() with the new pid: fill *ret (every
         * fd O_CLOEXEC, unused ones -1) so that the process is created in
         * the cgroup v2 directory and moves itself into the v1 ones. Why:
         * writing another process's pid takes the kernel's global
         * threadgroup lock, whose write side waits for an RCU grace period
         * (about 10 ms); a thread moving itself and CLONE_INTO_CGROUP do
         * not. The core closes the fds. */
        int (*open_entry)(void *state, struct modrun_cgroup_entry *ret, struct modrun_error **reterr);
        /* Optional. exec --cgroup: move pid into existing sub-cgroups of
         * the container's. Per hierarchy, the path of the entry naming one
         * of its controllers (v1), else of the entry without one, else the
         * container's own cgroup. Each path resolves beneath the
         * container's directory, never above it; a missing one, or a
         * controller no hierarchy of the container's has, is an error. */
        int (*enter_sub)(void *state, pid_t pid, const struct modrun_sub_cgroup *subs, size_t n_subs,
                         struct modrun_error **reterr);
        /* Optional. How many processes of the container's cgroup the OOM
         * killer has killed so far (`events` reports each new one as
         * runc's "oom" event): v1 memory.oom_control oom_kill, v2
         * memory.events oom_kill. -EOPNOTSUPP without a memory controller. */
        int (*oom_count)(void *state, uint64_t *ret_count, struct modrun_error **reterr);
};

/* Device access control for cgroup v2 (or another mechanism). */
struct modrun_devices_ops {
        MODRUN_OPS_COMMON;

        /* Mandatory. Enforce rules (linux.resources.devices, a json array;
         * NULL = deny all but the defaults the core adds) on the cgroup v2
         * directory cgroup_fd. Replaces a filter this plugin installed
         * before (update). */
        int (*apply)(void *state, int cgroup_fd, const struct json_object *rules, struct modrun_error **reterr);
        /* Optional. Remove what apply() installed. */
        int (*remove)(void *state, int cgroup_fd, struct modrun_error **reterr);
};

/* User namespaces and id mapping. */
struct modrun_namespace_ops {
        MODRUN_OPS_COMMON;

        /* Mandatory. Write uid_map/gid_map (and setgroups) of pid, a process
         * just created in a new user namespace. */
        int (*set_id_maps)(void *state, pid_t pid, struct modrun_error **reterr);
        /* Optional. In the runtime, before the container is created: check
         * that the mapped container root can reach and use the rootfs. */
        int (*check)(void *state, struct modrun_error **reterr);
        /* Optional. Apply an id mapping to the detached mount tree mount_fd
         * (open_tree(2) fd); mount is the config.json mount object (NULL:
         * the rootfs). */
        int (*idmap_mount)(void *state, int mount_fd, const struct json_object *mount,
                           struct modrun_error **reterr);
};

/*
 * Checkpoint engine (ABI 1.2): saves a running container's processes into
 * image files and restores them (CRIU). Loaded only by checkpoint, restore
 * and features. The requests are size-prefixed; a plugin reads a member
 * only when MODRUN_HAS_MEMBER(req, member).
 */
#define MODRUN_CHECKPOINT_LEAVE_RUNNING (1u << 0)  /* the processes go on after the dump */
#define MODRUN_CHECKPOINT_TCP_ESTABLISHED (1u << 1) /* established TCP connections */
#define MODRUN_CHECKPOINT_EXT_UNIX_SK (1u << 2)    /* unix sockets to peers outside */
#define MODRUN_CHECKPOINT_SHELL_JOB (1u << 3)      /* a session/terminal of the caller's */
#define MODRUN_CHECKPOINT_LAZY_PAGES (1u << 4)     /* memory pages later, on demand (userfaultfd) */
#define MODRUN_CHECKPOINT_FILE_LOCKS (1u << 5)     /* file locks */
#define MODRUN_CHECKPOINT_PRE_DUMP (1u << 6)       /* memory only, the container goes on */
#define MODRUN_CHECKPOINT_AUTO_DEDUP (1u << 7)     /* free what a parent image holds again */

struct modrun_checkpoint_request {
        uint32_t size;   /* sizeof(struct modrun_checkpoint_request) in the core */
        uint32_t flags;  /* MODRUN_CHECKPOINT_* */
        pid_t pid;       /* the container's init, in the caller's pid namespace */
        int status_fd;   /* written to once lazy pages are served, or -1 */
        const char *image_path;  /* absolute, exists */
        const char *work_path;   /* absolute, exists: logs (dump.log) go here */
        const char *parent_path; /* a previous (pre-)dump, relative to image_path or absolute; or NULL */
        const char *page_server; /* "ADDRESS:PORT", or NULL */
        const char *manage_cgroups_mode; /* "soft", "full", "strict", "ignore"; NULL: soft */
        const char *const *empty_ns;     /* namespace names ("network"), NULL-terminated, or NULL */
        const char *cgroup_path;         /* the container's cgroup ("/modrun/ID"), or NULL */
        const char *engine_path;         /* the engine's program (--criu PATH), or NULL: search PATH */
};

struct modrun_restore_request {
        uint32_t size;   /* sizeof(struct modrun_restore_request) in the core */
        uint32_t flags;  /* MODRUN_CHECKPOINT_* (those that apply to a restore) */
        int console_fd;  /* process.terminal: the pty slave to give the container, or -1 */
        int status_fd;   /* or -1 */
        const char *image_path;
        const char *work_path;   /* restore.log goes here */
        const char *manage_cgroups_mode;
        const char *const *empty_ns;
        const char *cgroup_path;       /* the cgroup the core made for the container, or NULL */
        const char *lsm_profile;       /* "TYPE:NAME", or NULL */
        const char *lsm_mount_context; /* or NULL */
        const char *engine_path;       /* as in modrun_checkpoint_request */
};

struct modrun_checkpoint_ops {
        MODRUN_OPS_COMMON;

        /* Mandatory. Dump the container (req->pid and its descendants). On
         * success without LEAVE_RUNNING or PRE_DUMP the processes are gone. */
        int (*checkpoint)(void *state, const struct modrun_checkpoint_request *req, struct modrun_error **reterr);
        /* Mandatory. Restore from req->image_path into the container of the
         * host table (config, rootfs); the caller already runs inside the
         * container's cgroup. *ret_pid is the restored init, detached (a
         * child of the caller only when the caller is a subreaper). */
        int (*restore)(void *state, const struct modrun_restore_request *req, pid_t *ret_pid,
                       struct modrun_error **reterr);
        /* Optional. Can the engine work on this host (kernel, version)?
         * Called before anything is touched; the error says why not and
         * what to do. */
        int (*check)(void *state, const char *engine_path, struct modrun_error **reterr);
        /* Optional. A malloc()ed one-line description of the engine found
         * (e.g. "criu 3.17.1 at /usr/sbin/criu"), for features; -ENOENT
         * with *reterr when the engine is not installed. */
        int (*describe)(void *state, const char *engine_path, char **ret_text, struct modrun_error **reterr);
};

/* The descriptor: the one exported symbol. */
struct modrun_plugin {
        uint32_t abi_major; /* MODRUN_PLUGIN_ABI_MAJOR; must equal the core's */
        uint32_t size;      /* sizeof(struct modrun_plugin) at build time */
        uint32_t kind;      /* MODRUN_KIND_* */
        uint32_t abi_sig;   /* MODRUN_PLUGIN_ABI_SIG */
        const char *name;   /* matches the file name <kind>-<name>.so */
        const char *version;
        const char *description;
        const void *ops; /* struct modrun_<kind>_ops * */
};

/* Declare the descriptor:
 *   MODRUN_PLUGIN_DEFINE(MODRUN_KIND_MOUNT, "pivot-root", "1.0", "pivot_root(2)", &ops);
 */
#define MODRUN_PLUGIN_DEFINE(kind_, name_, version_, description_, ops_)        \
        MODRUN_PLUGIN_EXPORT const struct modrun_plugin modrun_plugin = {       \
                .abi_major = MODRUN_PLUGIN_ABI_MAJOR,                            \
                .size = sizeof(struct modrun_plugin),                            \
                .kind = (kind_),                                                 \
                .abi_sig = MODRUN_PLUGIN_ABI_SIG,                                \
                .name = (name_),                                                 \
                .version = (version_),                                           \
                .description = (description_),                                   \
                .ops = (ops_),                                                   \
        }

/* Does a size-prefixed table (ops or host) contain member? */
#define MODRUN_HAS_MEMBER(table, member) \
        ((table) != NULL && offsetof(__typeof__(*(table)), member) + sizeof((table)->member) <= (table)->size)
/* May the core call ops->member? (present in the plugin's table and non-NULL) */
#define MODRUN_HAS_OP(ops, member) (MODRUN_HAS_MEMBER(ops, member) && (ops)->member != NULL)

/* The baseline of each table: it ends after the last mandatory op (every
 * table lists its mandatory ops first). A smaller table is refused; a table
 * that ends anywhere at or after its baseline is accepted, and the ops it
 * lacks are treated as absent. */
#define MODRUN_MOUNT_OPS_SIZE_1_0 (offsetof(struct modrun_mount_ops, enter_rootfs) + sizeof(void *))
#define MODRUN_CGROUP_OPS_SIZE_1_0 (offsetof(struct modrun_cgroup_ops, destroy) + sizeof(void *))
#define MODRUN_DEVICES_OPS_SIZE_1_0 (offsetof(struct modrun_devices_ops, apply) + sizeof(void *))
#define MODRUN_NAMESPACE_OPS_SIZE_1_0 (offsetof(struct modrun_namespace_ops, set_id_maps) + sizeof(void *))
/* The checkpoint kind came with ABI 1.2; its baseline is that of 1.2. */
#define MODRUN_CHECKPOINT_OPS_SIZE_1_2 (offsetof(struct modrun_checkpoint_ops, restore) + sizeof(void *))
#define MODRUN_HOST_SIZE_1_0 (offsetof(struct modrun_host, core) + sizeof(void *))
#define MODRUN_PLUGIN_SIZE_1_0 (offsetof(struct modrun_plugin, ops) + sizeof(void *))

#ifdef __cplusplus
}
#endif
#endif /* MODRUN_PLUGIN_H */
